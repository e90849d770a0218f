"""Bodies: members, paragraph numbering, delegation order and delegated decisions."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, jsonify, request

from diarium.cases.bodies import BodyWritten
from diarium.domain import meeting_commands as mc
from diarium.domain.roles import ADMIN, OFFICER, REGISTRAR, SECRETARY, STAFF
from diarium.web.auth import json_body_field, path_body, requires
from diarium.web.disclosure import disclose_rows
from diarium.web.routes.common import actor, diarium, takes
from diarium.web.schemas import meeting_commands as msc
from diarium.web.schemas import meetings as ms
from diarium.web.schemas.cases import CommandSchema

api = Blueprint("bodies", __name__, url_prefix="/api")


def query(summary: str, response: str) -> Any:
    """Give a read route its OpenAPI description (``response`` is a YAML schema)."""

    def decorate(view: Any) -> Any:
        view.__doc__ = f"""{summary}
---
get:
  summary: {json.dumps(summary, ensure_ascii=False)}
  responses:
    "200":
      description: {json.dumps(summary, ensure_ascii=False)}
      content: {{application/json: {{schema: {response}}}}}
    "404": {{$ref: "#/components/responses/NotFound"}}
"""
        return view

    return decorate


def flag(name: str) -> bool:
    """A boolean query parameter (``?unreported=true``)."""
    return request.args.get(name, "").strip().lower() in ("1", "true", "yes")


def disclose_delegated(decisions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Delegated decisions as the current reader may see them (web/disclosure.py)."""
    return disclose_rows(decisions, "delegated_decision")


def _body_view(body: Any) -> dict[str, Any]:
    """A body as the current reader may see it (delegated decisions of secret cases)."""
    view = ms.body_view(body, diarium().today())
    view["delegated_decisions"] = disclose_delegated(view["delegated_decisions"])
    return view


def body_written(result: BodyWritten, status: int = 200) -> Response:
    view = {
        "code": result.code,
        "version": result.version,
        "position": result.position,
        "delegated_decision": result.delegated_decision,
        "body": _body_view(result.body),
    }
    response = jsonify(ms.BodyWrittenSchema().dump(view))
    response.status_code = status
    response.headers["ETag"] = f'"{result.version}"'
    if status == 201:
        response.headers["Location"] = f"/api/bodies/{result.code}"
    return response


def body_command(
    schema: type[CommandSchema], summary: str, status: int = 200, method: str = "post"
) -> Any:
    """:func:`takes` for a command on a body: answered with the body written."""
    return takes(schema, summary, status, method, body_written, "BodyWrittenSchema")


@api.post("/bodies")
@requires(ADMIN, body=json_body_field("code"))
@body_command(msc.EstablishBodySchema, "Set up a body (organ)", 201)
def establish_body(command: mc.EstablishBody) -> BodyWritten:
    return diarium().handle(command, actor())


@api.get("/bodies/<code>")
@requires(*STAFF)
@query("Read a body: members, delegation order, delegated decisions", "BodySchema")
def get_body(code: str) -> Response:
    body = diarium().bodies.get_body(code)
    response = jsonify(ms.BodySchema().dump(_body_view(body)))
    response.headers["ETag"] = f'"{body.version}"'
    return response


@api.post("/bodies/<code>/members")
@requires(ADMIN, body=path_body("code"))
@body_command(msc.AppointMemberSchema, "Appoint a ledamot or ersättare", 201)
def appoint_member(command: mc.AppointMember) -> BodyWritten:
    return diarium().handle(command, actor())


@api.post("/bodies/<code>/members/<name>/end")
@requires(ADMIN, body=path_body("code"))
@body_command(msc.EndMembershipSchema, "End a membership early")
def end_membership(command: mc.EndMembership) -> BodyWritten:
    return diarium().handle(command, actor())


@api.post("/bodies/<code>/paragraph-years")
@requires(ADMIN, SECRETARY, body=path_body("code"))
@body_command(
    msc.OpenParagraphYearSchema, "Continue a year's paragraph numbering from a § used before", 201
)
def open_paragraph_year(command: mc.OpenParagraphYear) -> BodyWritten:
    return diarium().handle(command, actor())


@api.get("/bodies/<code>/paragraph-years/<int:year>")
@requires(*STAFF)
@query("The body's paragraph numbering in a year", "{type: object}")
def get_paragraph_year(code: str, year: int) -> Response:
    diarium().bodies.get_body(code)
    counter = diarium().bodies.paragraph_year(code, year)
    return jsonify(
        {
            "body": code,
            "year": year,
            "first_number": counter.first_number if counter else 1,
            "last_number": counter.last_number if counter else 0,
            "next_number": (counter.last_number if counter else 0) + 1,
            "last_meeting": counter.last_meeting if counter else None,
        }
    )


@api.post("/bodies/<code>/delegation-points")
@requires(ADMIN, body=path_body("code"))
@body_command(msc.AddDelegationPointSchema, "Add a point to the delegation order", 201)
def add_delegation_point(command: mc.AddDelegationPoint) -> BodyWritten:
    return diarium().handle(command, actor())


@api.put("/bodies/<code>/delegation-points/<number>")
@requires(ADMIN, body=path_body("code"))
@body_command(
    msc.ReviseDelegationPointSchema, "Revise a point of the delegation order", method="put"
)
def revise_delegation_point(command: mc.ReviseDelegationPoint) -> BodyWritten:
    return diarium().handle(command, actor())


@api.post("/bodies/<code>/delegation-points/<number>/revoke")
@requires(ADMIN, body=path_body("code"))
@body_command(msc.RevokeDelegationPointSchema, "Revoke a point of the delegation order")
def revoke_delegation_point(command: mc.RevokeDelegationPoint) -> BodyWritten:
    return diarium().handle(command, actor())


@api.post("/bodies/<code>/delegated-decisions")
@requires(OFFICER, REGISTRAR, SECRETARY, body=path_body("code"))
@body_command(
    msc.RecordDelegatedDecisionSchema,
    "Record a decision taken by a delegate (delegationsbeslut)",
    201,
)
def record_delegated_decision(command: mc.RecordDelegatedDecision) -> BodyWritten:
    return diarium().handle(command, actor())


@api.get("/bodies/<code>/delegated-decisions")
@requires(*STAFF)
def list_delegated_decisions(code: str) -> Response:
    """Delegated decisions of the body (``?unreported=true``: not yet reported).
    ---
    get:
      summary: Delegated decisions of the body
      parameters:
        - {in: query, name: unreported, schema: {type: boolean},
           description: Only those not yet reported to the body}
      responses:
        "200":
          description: Delegated decisions, oldest first
          content: {application/json: {schema: {type: array, items: DelegatedDecisionSchema}}}
        "404": {$ref: "#/components/responses/NotFound"}
    """
    decisions = diarium().bodies.delegated_decisions(code, unreported=flag("unreported"))
    return jsonify(ms.DelegatedDecisionSchema(many=True).dump(
        disclose_delegated([ms.delegated_view(d) for d in decisions])
    ))
