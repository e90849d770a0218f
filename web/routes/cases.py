"""Cases: registration, documents, referrals, proposals, decisions, extracts, closing."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from diarium.domain.roles import REGISTRAR, SECRETARY, SERVICE, STAFF
from diarium.domain.rules import RULES
from diarium.web.auth import authenticated, case_body, json_body_field, own_case, requires
from diarium.web.disclosure import disclose, disclose_history
from diarium.web.routes.common import command_routes, diarium, query
from diarium.web.schemas import cases as s
from diarium.web.standby import MIN_POSITION, refused_min_position

api = Blueprint("cases", __name__, url_prefix="/api")
_CASE = s.CaseSchema()
_DUMPS: dict[Any, tuple[Any, Any, dict[str, Any]]] = {}  # id -> (case, stamp, view)
_MAX_DUMPS = 5000

# who may write to a case (within the token's bodies: the case's responsible body)
REGISTRAR_OR_OWN = requires(REGISTRAR, own_case(), body=case_body)  # or its officer
REGISTRAR_ONLY = requires(REGISTRAR, body=case_body)
OWN = requires(own_case(), body=case_body)  # the case's officer
SECRETARY_OR_OWN = requires(SECRETARY, own_case(), body=case_body)
SECRETARY_ONLY = requires(SECRETARY, body=case_body)
REGISTERING = requires(REGISTRAR, body=json_body_field("responsible_body"))


def dumped_case(case: Any) -> dict[str, Any]:
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


@api.get("/cases/<path:dnr>")
@requires(*STAFF, SERVICE)  # a service acts on feed items: the withheld view (docs/feed.md)
@query("Read a case's current state", "CaseSchema", "The case", parameters=MIN_POSITION)
def get_case(dnr: str) -> Response:
    """Read a case's current state."""
    if (refused := refused_min_position()) is not None:
        return refused
    case = diarium().view_case(dnr)
    response = jsonify(disclose(dumped_case(case)))
    response.headers["ETag"] = f'"{case.version}"'
    return response


@api.get("/cases/<path:dnr>/events")
@requires(*STAFF)
@query(
    "The complete history of a case", "{type: array, items: EventSchema}",
    "Every event of the case",
)
def case_history(dnr: str) -> Response:
    """The complete history of a case, oldest event first."""
    events = diarium().case_history(dnr)
    views = s.EventSchema(many=True).dump([s.event_view(e) for e in events])
    return jsonify(disclose_history(views, dumped_case(diarium().view_case(dnr))))


@api.get("/cases/<path:dnr>/documents")
@requires(*STAFF)
@query(
    "The documents registered to a case", "{type: array, items: DocumentSchema}",
    "Documents in running-number order",
)
def list_documents(dnr: str) -> Response:
    """The documents registered to a case."""
    return jsonify(disclose(dumped_case(diarium().view_case(dnr)))["documents"])


@api.get("/rules")
@authenticated
@query(
    "The rules of the case process", "{type: array, items: RuleSchema}", "Rules by code",
    missing=False,
)
def list_rules() -> Response:
    """Every rule a command can be refused by, with its code."""
    return jsonify(s.RuleSchema(many=True).dump(RULES.values()))


@api.get("/series")
@authenticated
@query(
    "The configured dnr series", "{type: array, items: {type: object}}",
    "Series with their patterns", missing=False,
)
def list_series() -> Response:
    """The configured dnr series and their formats."""
    return jsonify([{"series": f.series, "pattern": f.pattern} for f in diarium().series])


# the command routes: method, URL rule, policy, schema, status, summary[, endpoint]; a document
# is registered in web/routes/files.py (with its file, when a form brings one)
command_routes(api, [
    ("post", "/cases",
     REGISTERING, s.RegisterCaseSchema, 201,
     "Register a case and get its dnr"),
    ("put", "/cases/<path:dnr>/officer",
     REGISTRAR_ONLY, s.AssignOfficerSchema, 200,
     "Assign or reassign the case officer"),
    ("put", "/cases/<path:dnr>/classification",
     REGISTRAR_ONLY, s.ClassifyCaseSchema, 200,
     "File the case under another classification code"),
    ("post", "/cases/<path:dnr>/referrals",
     OWN, s.SendReferralSchema, 201,
     "Send the case on referral (remiss)"),
    ("post", "/cases/<path:dnr>/referrals/<int:referral_number>/answers",
     REGISTRAR_OR_OWN, s.RegisterReferralAnswerSchema, 201,
     "Register an answer to a referral"),
    ("post", "/cases/<path:dnr>/incoming-referrals",
     REGISTRAR_OR_OWN, s.ReceiveIncomingReferralSchema, 201,
     "Register a referral sent to us (inkommen remiss), to answer by a date"),
    ("post", "/cases/<path:dnr>/incoming-referrals/<int:referral_number>/extensions",
     REGISTRAR_OR_OWN, s.ExtendIncomingReferralSchema, 201,
     "Record an extension (anstånd) of an incoming referral's answer-by date"),
    ("post", "/cases/<path:dnr>/incoming-referrals/<int:referral_number>/answers",
     REGISTRAR_OR_OWN, s.AnswerIncomingReferralSchema, 201,
     "Register our answer to an incoming referral"),
    ("post", "/cases/<path:dnr>/incoming-referrals/<int:referral_number>/decline",
     REGISTRAR_OR_OWN, s.DeclineIncomingReferralSchema, 201,
     "Record that we decline to answer an incoming referral"),
    ("post", "/cases/<path:dnr>/proposals",
     OWN, s.RecordProposalSchema, 201,
     "Record a decision proposal (beslutsförslag)"),
    ("post", "/cases/<path:dnr>/decisions",
     SECRETARY_OR_OWN, s.RecordDecisionSchema, 201,
     "Record a decision (beslut) - a delegate's under the delegation order, a body's from "
     "its meeting's decided paragraph, or a historical one (migrated, § unique per year)"),
    ("post", "/cases/<path:dnr>/decisions/<int:decision_number>/extracts",
     SECRETARY_ONLY, s.RecordExtractSentSchema, 201,
     "Record a protocol extract sent"),
    ("post", "/cases/<path:dnr>/close",
     REGISTRAR_OR_OWN, s.CloseCaseSchema, 200,
     "Close the case"),
    ("post", "/cases/<path:dnr>/reopen",
     REGISTRAR_ONLY, s.ReopenCaseSchema, 200,
     "Reopen a closed case"),
    ("post", "/cases/<path:dnr>/cancel",
     REGISTRAR_ONLY, s.CancelCaseSchema, 200,
     "Cancel (makulera) a case registered in error"),
], minimal=True)
