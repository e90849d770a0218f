"""Cases: registration, documents, referrals, proposals, decisions, extracts, closing."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from diarium.cases.application import Written
from diarium.domain.case.decisions import RecordDecision, RecordExtractSent, RecordProposal
from diarium.domain.case.documents import RegisterDocument
from diarium.domain.case.incoming_referrals import (
    AnswerIncomingReferral,
    DeclineIncomingReferral,
    ExtendIncomingReferral,
    ReceiveIncomingReferral,
)
from diarium.domain.case.lifecycle import (
    AssignOfficer,
    CancelCase,
    ClassifyCase,
    CloseCase,
    RegisterCase,
    ReopenCase,
)
from diarium.domain.case.referrals import RegisterReferralAnswer, SendReferral
from diarium.domain.roles import REGISTRAR, SECRETARY, STAFF
from diarium.domain.rules import RULES
from diarium.web.auth import authenticated, case_body, json_body_field, own_case, requires
from diarium.web.disclosure import disclose, disclose_history
from diarium.web.routes.common import actor, diarium, takes
from diarium.web.schemas import cases as s

api = Blueprint("cases", __name__, url_prefix="/api")
_CASE = s.CaseSchema()
_DUMPS: dict[Any, tuple[Any, Any, dict[str, Any]]] = {}  # id -> (case, stamp, view)
_MAX_DUMPS = 5000


def _dumped(case: Any) -> dict[str, Any]:
    """``CaseSchema().dump(case)``, made once per cached case object and version in this
    process (``view_case`` hands out the aggregate cache's object, and its state at a version
    never changes). The view is shared, so it is only ever read: the secrecy filter copies
    what it withholds. The stamp is (version, modified_on), the two attributes the library
    sets, in that order, after applying an event: a dump made while another thread brings
    the object up to date is never served once it is up to date."""
    stamp = (case.version, case.modified_on)
    found = _DUMPS.get(case.id)
    if found is not None and found[0] is case and found[1] == stamp:
        return found[2]
    view = _CASE.dump(case)
    if (case.version, case.modified_on) == stamp:
        if len(_DUMPS) >= _MAX_DUMPS:
            _DUMPS.clear()
        _DUMPS[case.id] = (case, stamp, view)
    return view


@api.post("/cases")
@requires(REGISTRAR, body=json_body_field("responsible_body"))
@takes(s.RegisterCaseSchema, "Register a case and get its dnr", 201)
def register_case(command: RegisterCase) -> Written:
    return diarium().handle(command, actor())


@api.get("/cases/<path:dnr>")
@requires(*STAFF)
def get_case(dnr: str) -> Response:
    """Read a case's current state.
    ---
    get:
      summary: Read a case's current state
      responses:
        "200": {content: {application/json: {schema: CaseSchema}}, description: The case}
        "404": {$ref: "#/components/responses/NotFound"}
    """
    case = diarium().view_case(dnr)
    response = jsonify(disclose(_dumped(case)))
    response.headers["ETag"] = f'"{case.version}"'
    return response


@api.get("/cases/<path:dnr>/events")
@requires(*STAFF)
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
    views = s.EventSchema(many=True).dump([s.event_view(e) for e in events])
    return jsonify(disclose_history(views, _dumped(diarium().view_case(dnr))))


@api.get("/cases/<path:dnr>/documents")
@requires(*STAFF)
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
    return jsonify(disclose(_dumped(diarium().view_case(dnr)))["documents"])


@api.post("/cases/<path:dnr>/documents")
@requires(REGISTRAR, own_case(), body=case_body)
@takes(s.RegisterDocumentSchema, "Register a document to the case", 201)
def register_document(command: RegisterDocument) -> Written:
    return diarium().handle(command, actor())


@api.put("/cases/<path:dnr>/officer")
@requires(REGISTRAR, body=case_body)
@takes(s.AssignOfficerSchema, "Assign or reassign the case officer", method="put")
def assign_officer(command: AssignOfficer) -> Written:
    return diarium().handle(command, actor())


@api.put("/cases/<path:dnr>/classification")
@requires(REGISTRAR, body=case_body)
@takes(s.ClassifyCaseSchema, "File the case under another classification code", method="put")
def classify_case(command: ClassifyCase) -> Written:
    return diarium().handle(command, actor())


@api.post("/cases/<path:dnr>/referrals")
@requires(own_case(), body=case_body)
@takes(s.SendReferralSchema, "Send the case on referral (remiss)", 201)
def send_referral(command: SendReferral) -> Written:
    return diarium().handle(command, actor())


@api.post("/cases/<path:dnr>/referrals/<int:referral_number>/answers")
@requires(REGISTRAR, own_case(), body=case_body)
@takes(s.RegisterReferralAnswerSchema, "Register an answer to a referral", 201)
def register_referral_answer(command: RegisterReferralAnswer) -> Written:
    return diarium().handle(command, actor())


@api.post("/cases/<path:dnr>/incoming-referrals")
@requires(REGISTRAR, own_case(), body=case_body)
@takes(
    s.ReceiveIncomingReferralSchema,
    "Register a referral sent to us (inkommen remiss), to answer by a date",
    201,
)
def receive_incoming_referral(command: ReceiveIncomingReferral) -> Written:
    return diarium().handle(command, actor())


@api.post("/cases/<path:dnr>/incoming-referrals/<int:referral_number>/extensions")
@requires(REGISTRAR, own_case(), body=case_body)
@takes(
    s.ExtendIncomingReferralSchema,
    "Record an extension (anstånd) of an incoming referral's answer-by date",
    201,
)
def extend_incoming_referral(command: ExtendIncomingReferral) -> Written:
    return diarium().handle(command, actor())


@api.post("/cases/<path:dnr>/incoming-referrals/<int:referral_number>/answers")
@requires(REGISTRAR, own_case(), body=case_body)
@takes(s.AnswerIncomingReferralSchema, "Register our answer to an incoming referral", 201)
def answer_incoming_referral(command: AnswerIncomingReferral) -> Written:
    return diarium().handle(command, actor())


@api.post("/cases/<path:dnr>/incoming-referrals/<int:referral_number>/decline")
@requires(REGISTRAR, own_case(), body=case_body)
@takes(
    s.DeclineIncomingReferralSchema,
    "Record that we decline to answer an incoming referral",
    201,
)
def decline_incoming_referral(command: DeclineIncomingReferral) -> Written:
    return diarium().handle(command, actor())


@api.post("/cases/<path:dnr>/proposals")
@requires(own_case(), body=case_body)
@takes(s.RecordProposalSchema, "Record a decision proposal (beslutsförslag)", 201)
def record_proposal(command: RecordProposal) -> Written:
    return diarium().handle(command, actor())


@api.post("/cases/<path:dnr>/decisions")
@requires(SECRETARY, own_case(), body=case_body)
@takes(s.RecordDecisionSchema, "Record a decision (beslut)", 201)
def record_decision(command: RecordDecision) -> Written:
    return diarium().handle(command, actor())


@api.post("/cases/<path:dnr>/decisions/<int:decision_number>/extracts")
@requires(SECRETARY, body=case_body)
@takes(s.RecordExtractSentSchema, "Record a protocol extract sent", 201)
def record_extract_sent(command: RecordExtractSent) -> Written:
    return diarium().handle(command, actor())


@api.post("/cases/<path:dnr>/close")
@requires(REGISTRAR, own_case(), body=case_body)
@takes(s.CloseCaseSchema, "Close the case")
def close_case(command: CloseCase) -> Written:
    return diarium().handle(command, actor())


@api.post("/cases/<path:dnr>/reopen")
@requires(REGISTRAR, body=case_body)
@takes(s.ReopenCaseSchema, "Reopen a closed case")
def reopen_case(command: ReopenCase) -> Written:
    return diarium().handle(command, actor())


@api.post("/cases/<path:dnr>/cancel")
@requires(REGISTRAR, body=case_body)
@takes(s.CancelCaseSchema, "Cancel (makulera) a case registered in error")
def cancel_case(command: CancelCase) -> Written:
    return diarium().handle(command, actor())


@api.get("/rules")
@authenticated
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
@authenticated
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
