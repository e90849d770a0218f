"""Cases: registration, documents, referrals, proposals, decisions, extracts, closing."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from domain.rules import RULES
from web import schemas as s
from web.routes.common import actor, diarium, json_body, written

api = Blueprint("cases", __name__, url_prefix="/api")

_PROBLEMS = """
    "404": {$ref: "#/components/responses/NotFound"}
    "409": {$ref: "#/components/responses/Conflict"}
    "422": {$ref: "#/components/responses/Invalid"}"""


def _doc(summary: str, request_schema: str, status: str, method: str) -> str:
    return f"""{summary}
---
{method}:
  summary: {summary}
  requestBody:
    required: true
    content: {{application/json: {{schema: {request_schema}}}}}
  responses:
    "{status}":
      description: Recorded
      content: {{application/json: {{schema: WrittenSchema}}}}{_PROBLEMS}
"""


def documented(
    summary: str, request_schema: str, status: str = "200", method: str = "post"
) -> Any:
    """Give a command route its OpenAPI description."""

    def decorate(view: Any) -> Any:
        view.__doc__ = _doc(summary, request_schema, status, method)
        return view

    return decorate


@api.post("/cases")
@documented("Register a case and get its dnr", "RegisterCaseSchema", "201")
def register_case() -> Response:
    command = s.RegisterCaseSchema().load(json_body())
    return written(diarium().register_case(command, actor()), 201)


@api.get("/cases/<path:dnr>")
def get_case(dnr: str) -> Response:
    """Read a case's current state.
    ---
    get:
      summary: Read a case's current state
      responses:
        "200": {content: {application/json: {schema: CaseSchema}}, description: The case}
        "404": {$ref: "#/components/responses/NotFound"}
    """
    case = diarium().get_case(dnr)
    response = jsonify(s.CaseSchema().dump(case))
    response.headers["ETag"] = f'"{case.version}"'
    return response


@api.get("/cases/<path:dnr>/events")
def case_history(dnr: str) -> Response:
    """The complete history of a case, oldest event first.
    ---
    get:
      summary: The complete history of a case
      responses:
        "200":
          description: Every event of the case
          content: {application/json: {schema: {type: array, items: EventSchema}}}
        "404": {$ref: "#/components/responses/NotFound"}
    """
    events = diarium().case_history(dnr)
    return jsonify(s.EventSchema(many=True).dump([s.event_view(e) for e in events]))


@api.get("/cases/<path:dnr>/documents")
def list_documents(dnr: str) -> Response:
    """The documents registered to a case.
    ---
    get:
      summary: The documents registered to a case
      responses:
        "200":
          description: Documents in running-number order
          content: {application/json: {schema: {type: array, items: DocumentSchema}}}
        "404": {$ref: "#/components/responses/NotFound"}
    """
    return jsonify(s.DocumentSchema(many=True).dump(diarium().get_case(dnr).documents))


@api.post("/cases/<path:dnr>/documents")
@documented("Register a document to the case", "RegisterDocumentSchema", "201")
def register_document(dnr: str) -> Response:
    command = s.RegisterDocumentSchema().load(json_body())
    return written(diarium().register_document(dnr, command, actor()), 201)


@api.put("/cases/<path:dnr>/officer")
@documented("Assign or reassign the case officer", "AssignOfficerSchema", method="put")
def assign_officer(dnr: str) -> Response:
    command = s.AssignOfficerSchema().load(json_body())
    return written(diarium().assign_officer(dnr, command, actor()))


@api.post("/cases/<path:dnr>/referrals")
@documented("Send the case on referral (remiss)", "SendReferralSchema", "201")
def send_referral(dnr: str) -> Response:
    command = s.SendReferralSchema().load(json_body())
    return written(diarium().send_referral(dnr, command, actor()), 201)


@api.post("/cases/<path:dnr>/referrals/<int:number>/answers")
@documented("Register an answer to a referral", "RegisterReferralAnswerSchema", "201")
def register_referral_answer(dnr: str, number: int) -> Response:
    command = s.RegisterReferralAnswerSchema().load(json_body())
    return written(diarium().register_referral_answer(dnr, number, command, actor()), 201)


@api.post("/cases/<path:dnr>/proposals")
@documented("Record a decision proposal (beslutsförslag)", "RecordProposalSchema", "201")
def record_proposal(dnr: str) -> Response:
    command = s.RecordProposalSchema().load(json_body())
    return written(diarium().record_proposal(dnr, command, actor()), 201)


@api.post("/cases/<path:dnr>/decisions")
@documented("Record a decision (beslut)", "RecordDecisionSchema", "201")
def record_decision(dnr: str) -> Response:
    command = s.RecordDecisionSchema().load(json_body())
    return written(diarium().record_decision(dnr, command, actor()), 201)


@api.post("/cases/<path:dnr>/decisions/<int:number>/extracts")
@documented("Record a protocol extract sent", "RecordExtractSentSchema", "201")
def record_extract_sent(dnr: str, number: int) -> Response:
    command = s.RecordExtractSentSchema().load(json_body())
    return written(diarium().record_extract_sent(dnr, number, command, actor()), 201)


@api.post("/cases/<path:dnr>/close")
@documented("Close the case", "CloseCaseSchema")
def close_case(dnr: str) -> Response:
    command = s.CloseCaseSchema().load(json_body())
    return written(diarium().close_case(dnr, command, actor()))


@api.post("/cases/<path:dnr>/reopen")
@documented("Reopen a closed case", "ReopenCaseSchema")
def reopen_case(dnr: str) -> Response:
    command = s.ReopenCaseSchema().load(json_body())
    return written(diarium().reopen_case(dnr, command, actor()))


@api.post("/cases/<path:dnr>/cancel")
@documented("Cancel (makulera) a case registered in error", "CancelCaseSchema")
def cancel_case(dnr: str) -> Response:
    command = s.CancelCaseSchema().load(json_body())
    return written(diarium().cancel_case(dnr, command, actor()))


@api.get("/rules")
def list_rules() -> Response:
    """Every rule a command can be refused by, with its code.
    ---
    get:
      summary: The rules of the case process
      responses:
        "200":
          description: Rules by code
          content: {application/json: {schema: {type: array, items: RuleSchema}}}
    """
    return jsonify(s.RuleSchema(many=True).dump(RULES.values()))


@api.get("/series")
def list_series() -> Response:
    """The configured dnr series and their formats.
    ---
    get:
      summary: The configured dnr series
      responses:
        "200":
          description: Series with their patterns
          content: {application/json: {schema: {type: array, items: {type: object}}}}
    """
    return jsonify([{"series": f.series, "pattern": f.pattern} for f in diarium().series])
