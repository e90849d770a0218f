"""The diary on the desk: a case's page (its register entry, documents and their files,
referrals, proposals, decisions, secrecy and its timeline), the case as it was on a date,
a file's download, and the forms of the commands on cases.

Every read is the API's: the case view through ``disclose`` (web/disclosure.py), its events
through ``disclose_history`` (as ``GET /api/cases/<dnr>/events``), the case as it was
through ``audit.case_as_of`` (as ``GET /api/audit/cases/<dnr>``, with its policy), and a
file through the API's own download view (web/routes/files.py: secret content only for
those who may read it, each such read logged). What a reader may do is asked of the policy
(``form_links``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, current_app

from diarium.cases.files.service import FileVersionNotFound, SecretContent
from diarium.cases.outbound import audit
from diarium.domain.roles import AUDITOR, REGISTRAR, STAFF
from diarium.web.auth import case_body, policy_of, requires
from diarium.web.desk.common import PREFIX, desk_blueprint, page
from diarium.web.desk.forms import form_links
from diarium.web.desk.registers import value_label
from diarium.web.desk.swedish import option_label
from diarium.web.disclosure import disclose, disclose_history
from diarium.web.routes import files
from diarium.web.routes.cases import dumped_case
from diarium.web.routes.common import actor, diarium
from diarium.web.routes.query import STOCKHOLM, Query
from diarium.web.schemas import cases as s

desk = desk_blueprint("desk_cases")

# the forms of a row of the case page, by the API endpoint and the row's own path variable
ROW_FORMS = {
    "documents": (("files.attach_file", "secrecy.mark_document_secret",
                   "secrecy.lift_document_secrecy"), "document_number"),
    "referrals": (("cases.register_referral_answer",), "referral_number"),
    "incoming_referrals": (("cases.answer_incoming_referral", "cases.extend_incoming_referral",
                            "cases.decline_incoming_referral"), "referral_number"),
    "decisions": (("cases.record_extract_sent",), "decision_number"),
}
AS_OF = f"{PREFIX}/cases/<path:dnr>/as-of"
STATUSES = {"open": "Pågående", "closed": "Avslutat", "cancelled": "Makulerat"}
_CASE = s.CaseSchema()


@desk.app_template_filter("secret_field")
def secret_field(name: str) -> str:
    """What a marking covers, in Swedish (``title`` → "ärendemeningen")."""
    return option_label("fields", name)


def links(endpoints: tuple[str, ...], takes: Any, **path: Any) -> list[tuple[str, str]]:
    """The forms of ``endpoints`` this person may use on ``path`` (those registered, whose
    command the case ``takes`` now)."""
    registered = current_app.extensions["diarium_desk_forms"]
    known = [endpoint for endpoint in endpoints if endpoint in registered]
    return form_links(*known, takes=takes, **path) if known else []


def row_links(case: dict[str, Any], takes: Any) -> dict[str, dict[int, list[tuple[str, str]]]]:
    """Per list of the case (documents, referrals, …) and row number, its forms (a list
    where no row has any is left empty: its table has no column of actions)."""
    found: dict[str, dict[int, list[tuple[str, str]]]] = {}
    for key, (endpoints, variable) in ROW_FORMS.items():
        rows = {row["number"]: links(endpoints, takes, dnr=case["dnr"],
                                     **{variable: row["number"]})
                for row in case.get(key) or ()}
        found[key] = rows if any(rows.values()) else {}
    return found


def may(endpoint: str, **path: Any) -> bool:
    """Whether the signed-in person passes the policy of the desk's ``endpoint`` here."""
    policy = policy_of(current_app.view_functions[endpoint])
    return policy is not None and policy.refused(actor(), path) is None


def timeline(dnr: str, view: dict[str, Any]) -> list[dict[str, Any]]:
    """The case's events as ``GET /api/cases/<dnr>/events`` gives them to this reader, each
    with its recording time in Swedish time."""
    events = diarium().case_history(dnr)
    shown = disclose_history(s.EventSchema(many=True).dump([s.event_view(e) for e in events]),
                             view)
    for event in shown:
        recorded = datetime.fromisoformat(event["recorded_at"]).astimezone(STOCKHOLM)
        event["recorded_local"] = recorded.strftime("%Y-%m-%d %H:%M:%S")
    return shown


def _case_context(case: dict[str, Any]) -> dict[str, Any]:
    return {"case": case, "statuses": STATUSES, "value_label": value_label}


@desk.get(f"{PREFIX}/cases/<path:dnr>")
@requires(*STAFF)
def case_page(dnr: str) -> Response:
    """A case: status, officer, documents, referrals, proposals, decisions, secrecy, and
    its timeline."""
    aggregate = diarium().view_case(dnr)
    view = dumped_case(aggregate)
    case = disclose(view)
    return page("case.html", heading=f"Ärende {case['dnr']}",
                actions=form_links(dnr=dnr, takes=aggregate.takes),
                rows=row_links(case, aggregate.takes), events=timeline(dnr, view),
                as_of=may("desk_cases.as_of", dnr=dnr), **_case_context(case))


@desk.get(f"{PREFIX}/cases/<path:dnr>/events")
@requires(*STAFF)
def events(dnr: str) -> Response:
    """The case's timeline: what happened, its business date, when it was recorded, by whom."""
    view = dumped_case(diarium().view_case(dnr))
    return page("case_events.html", heading=f"Händelser i ärende {dnr}", dnr=dnr,
                events=timeline(dnr, view))


@desk.get(AS_OF)
@requires(AUDITOR, REGISTRAR, body=case_body)  # as GET /api/audit/cases/<dnr>
def as_of(dnr: str) -> Response:
    """The case as the diarium knew it at the end of a day (Swedish time)."""
    query = Query({"date"})
    moment = query.moment("date")
    if query.errors or moment is None:
        diarium().view_case(dnr)  # an unknown case is 404 before the date is looked at
        error = "Ange ett datum som ÅÅÅÅ-MM-DD." if query.errors else None
        return page("case_as_of.html", 400 if error else 200, heading=f"Ärende {dnr} per datum",
                    dnr=dnr, error=error, case=None)
    try:
        then = audit.case_as_of(diarium(), dnr, at=moment)
    except audit.CaseNotYetKnown:
        diarium().view_case(dnr)
        return page("case_as_of.html", heading=f"Ärende {dnr} per {moment.date()}", dnr=dnr,
                    error=None, case=None, unknown=True, day=moment.date())
    case = disclose(_CASE.dump(then))
    return page("case_as_of.html", heading=f"Ärende {dnr} per {moment.date()}", dnr=dnr,
                error=None, day=moment.date(), **_case_context(case))


@desk.get(f"{PREFIX}/cases/<path:dnr>/documents/<int:document_number>/files/<int:version>")
@requires(*STAFF)
def download(dnr: str, document_number: int, version: int) -> Response:
    """A version of a document's file: the API's download (the same checks and logging)."""
    return files.download_file(dnr, document_number, version)


@desk.errorhandler(SecretContent)
def _secret(error: SecretContent) -> Response:
    return page("file_secret.html", 403, heading="Handlingen omfattas av sekretess",
                dnr=error.dnr)


@desk.errorhandler(FileVersionNotFound)
def _no_file(error: FileVersionNotFound) -> Response:
    return page("not_found.html", 404, heading="Hittades inte")
