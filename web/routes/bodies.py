"""Bodies: members, paragraph numbering, delegation order and delegated decisions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from diarium.cases.bodies import BodyWritten
from diarium.domain.roles import ADMIN, OFFICER, REGISTRAR, SECRETARY, STAFF
from diarium.projections.listings import LISTINGS
from diarium.web.auth import json_body_field, path_body, requires
from diarium.web.disclosure import disclose_rows
from diarium.web.routes.common import answer_write, command_routes, diarium, query
from diarium.web.routes.registers import listing_view
from diarium.web.schemas import meeting_commands as msc
from diarium.web.schemas import meetings as ms

api = Blueprint("bodies", __name__, url_prefix="/api")


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
    """The body after the write (none with ``Prefer: return=minimal``)."""

    def render() -> dict:  # type: ignore[type-arg]
        return ms.BodyWrittenSchema().dump({**vars(result), "body": _body_view(result.body)})

    location = f"/api/bodies/{result.code}"
    return answer_write(render, status, result.version, location, result.position)


ESTABLISHING = requires(ADMIN, body=json_body_field("code"))
ADMIN_ONLY = requires(ADMIN, body=path_body("code"))
NUMBERING = requires(ADMIN, SECRETARY, body=path_body("code"))
DELEGATES = requires(OFFICER, REGISTRAR, SECRETARY, body=path_body("code"))


# the bodies, paged and filtered as the registers are (the bodies register)
api.add_url_rule("/bodies", "list_bodies", listing_view(LISTINGS["bodies"]), methods=["GET"])


@api.get("/bodies/<code>")
@requires(*STAFF)
@query("Read a body: members, delegation order, delegated decisions", "BodySchema")
def get_body(code: str) -> Response:
    body = diarium().bodies.get_body(code)
    response = jsonify(ms.BodySchema().dump(_body_view(body)))
    response.headers["ETag"] = f'"{body.version}"'
    return response


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


UNREPORTED = ("{in: query, name: unreported, schema: {type: boolean},"
              " description: Only those not yet reported to the body}")


@api.get("/bodies/<code>/delegated-decisions")
@requires(*STAFF)
@query(
    "Delegated decisions of the body", "{type: array, items: DelegatedDecisionSchema}",
    "Delegated decisions, oldest first", parameters=UNREPORTED,
)
def list_delegated_decisions(code: str) -> Response:
    """Delegated decisions of the body (``?unreported=true``: not yet reported)."""
    decisions = diarium().bodies.delegated_decisions(code, unreported=flag("unreported"))
    return jsonify(ms.DelegatedDecisionSchema(many=True).dump(
        disclose_delegated([ms.delegated_view(d) for d in decisions])
    ))


# the command routes: method, URL rule, policy, schema, status, summary[, endpoint]
command_routes(
    api, render=body_written, response_schema="BodyWrittenSchema", minimal=True, table=[
    ("post", "/bodies",
     ESTABLISHING, msc.EstablishBodySchema, 201,
     "Set up a body (organ)"),
    ("post", "/bodies/<code>/members",
     ADMIN_ONLY, msc.AppointMemberSchema, 201,
     "Appoint a ledamot or ersättare"),
    ("post", "/bodies/<code>/members/<name>/end",
     ADMIN_ONLY, msc.EndMembershipSchema, 200,
     "End a membership early"),
    ("post", "/bodies/<code>/paragraph-years",
     NUMBERING, msc.OpenParagraphYearSchema, 201,
     "Continue a year's paragraph numbering from a § used before"),
    ("post", "/bodies/<code>/delegation-points",
     ADMIN_ONLY, msc.AddDelegationPointSchema, 201,
     "Add a point to the delegation order"),
    ("put", "/bodies/<code>/delegation-points/<number>",
     ADMIN_ONLY, msc.ReviseDelegationPointSchema, 200,
     "Revise a point of the delegation order"),
    ("post", "/bodies/<code>/delegation-points/<number>/revoke",
     ADMIN_ONLY, msc.RevokeDelegationPointSchema, 200,
     "Revoke a point of the delegation order"),
    ("post", "/bodies/<code>/delegated-decisions",
     DELEGATES, msc.RecordDelegatedDecisionSchema, 201,
     "Record a decision taken by a delegate (delegationsbeslut)"),
])
