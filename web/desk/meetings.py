"""Meetings on the desk: the secretary's pages, from the agenda to a posted protocol.

The list of meetings (the meetings register), a meeting's page, the protocol's preview and
PDF, and a form for every meeting command of the API (web/routes/meetings.py). Every read goes
through the API's own functions and secrecy filter (``disclose_meeting``); the forms load the
API's schemas. The commands whose JSON holds lists of parts (attendance, agenda items and
extracts in bulk, a vote) have a page of their own: rows of fields that their ``shape`` turns
into that JSON before the SAME schema loads it (presentation only: no rule is decided here).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any

from flask import Response, make_response, request
from werkzeug.datastructures import MultiDict

from diarium.domain.meeting.terms import AgendaItemKind, Capacity, Vote
from diarium.domain.meeting.terms import NotFound as MeetingResourceNotFound
from diarium.domain.roles import STAFF
from diarium.projections.filters import InvalidQuery
from diarium.projections.listings import LISTINGS
from diarium.projections.queries import Registers, parse
from diarium.web.auth import requires
from diarium.web.desk.common import PREFIX, desk_blueprint, page
from diarium.web.desk.forms import CommandForm, form_links
from diarium.web.desk.swedish import field_label
from diarium.web.disclosure import disclose_meeting, read_logger
from diarium.web.protocol import render_protocol
from diarium.web.protocol_pdf import html_to_pdf, pdf_response
from diarium.web.routes.common import actor, diarium
from diarium.web.routes.registers import projector
from diarium.web.schemas import meetings as ms

desk = desk_blueprint("desk_meetings")
MEETINGS = f"{PREFIX}/meetings"
AT = f"{MEETINGS}/<ref>"
STATUS = {"scheduled": "Planerat", "closed": "Avslutat, ej justerat",
          "adjusted": "Justerat", "posted": "Justeringen anslagen"}
KINDS = {
    AgendaItemKind.CASE: "Ärende", AgendaItemKind.ADJUSTERS: "Val av justerare",
    AgendaItemKind.AGENDA: "Fastställande av föredragningslista",
    AgendaItemKind.DELEGATED_DECISIONS: "Anmälda delegationsbeslut",
    AgendaItemKind.NOTICES: "Meddelanden", AgendaItemKind.OTHER: "Övrigt",
}
DECISIONS = {"decided": "Beslut", "proposed_to_higher_body": "Förslag till överordnat organ",
             "noted": "Noterat"}
OPTIONS = {**KINDS, **DECISIONS}  # the commands' choices in Swedish (the rest are Swedish)
EMPTY_ROWS = 5  # blank rows for new agenda items or other attendees


def _to_meeting(path: dict[str, Any], result: Any) -> str:
    return f"{MEETINGS}/{result.ref}"


def _to_new_paragraph(path: dict[str, Any], result: Any) -> str:
    return f"{MEETINGS}/{path['ref']}#p{result.paragraph}"


def _form(endpoint: str, title: str, receipt: str, **options: Any) -> CommandForm:
    """A meeting command's form, drawn with the meeting's context and Swedish choices."""
    return CommandForm(f"meetings.{endpoint}", title, receipt=receipt,
                       template="meeting_form.html", **options)


FORMS = (
    _form("schedule_meeting", "Nytt sammanträde", "Sammanträdet är planerat.",
          rule=f"{MEETINGS}/schedule", after=_to_meeting, hidden=("migrated",)),
    _form("add_agenda_item", "Lägg till på föredragningslistan", "Punkten är tillagd."),
    _form("withdraw_agenda_item", "Lyft ut punkten", "Punkten är utlyft."),
    _form("publish_meeting_notice", "Publicera kallelsen", "Kallelsen är publicerad."),
    _form("elect_adjusters", "Välj justerare", "Justerarna är valda."),
    _form("close_meeting", "Avsluta sammanträdet", "Sammanträdet är avslutat."),
    _form("adjust_protocol", "Justera protokollet", "Protokollet är justerat."),
    _form("post_protocol", "Anslå justeringen", "Justeringen är anslagen."),
    _form("certify_correction", "Bestyrk en rättelse", "Rättelsen är bestyrkt."),
    _form("record_paragraph", "Ny paragraf", "Paragrafen är upprättad.", hidden=("sections",),
          after=_to_new_paragraph),
    _form("make_motion", "Yrkande", "Yrkandet är antecknat."),
    _form("decide_paragraph", "Beslut", "Beslutet är antecknat."),
    _form("enter_reservation", "Reservation", "Reservationen är antecknad."),
    _form("give_reservation_reason", "Skriftlig reservation",
          "Reservationens motivering är inlämnad."),
    _form("declare_conflict", "Jäv", "Jävet är antecknat."),
    _form("enter_note", "Protokollsanteckning", "Anteckningen är införd."),
    _form("add_attachment", "Bilaga", "Bilagan är tillagd."),
    _form("list_extract_recipients", "Mottagare av protokollsutdrag",
          "Mottagarna är antecknade."),
    _form("send_extract", "Protokollsutdrag skickat", "Utdraget är antecknat."),
    _form("adjust_immediately", "Justera paragrafen omedelbart",
          "Paragrafen är omedelbart justerad."),
)


# -- the pages ------------------------------------------------------------------------------


@desk.get(MEETINGS)
@requires(*STAFF)
def meetings() -> Response:
    """The meetings register by body and date (only the bodies of a scoped person)."""
    who = actor()
    args = {k: v for k, v in request.args.items() if k in ("body", "meeting_from",
                                                             "meeting_to", "status") and v}
    scope = list(who.bodies)
    if scope and args.get("body") not in scope:
        args.pop("body", None)
    wanted = [args.get("body")] if args.get("body") or not scope else scope
    rows: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    runner = projector()
    runner.ensure_schema()
    registers = Registers(runner)
    try:
        for body in wanted:
            query = parse(LISTINGS["meetings"], {**args, **({"body": body} if body else {}),
                                                 "limit": "200"})
            found = registers.page(query, diarium().today(), who)
            read_logger()(found.disclosed)
            rows += found.items
    except InvalidQuery as invalid:
        errors = {name: "Ange ett datum som ÅÅÅÅ-MM-DD." if name.startswith("meeting_")
                  else "Välj ett av alternativen." for name in invalid.problems}
    rows.sort(key=lambda r: (str(r["meeting_on"]), r["ref"]), reverse=True)
    bodies = scope or [b["code"] for b in registers.page(
        parse(LISTINGS["bodies"], {"limit": "200"}), diarium().today(), who).items]
    return page("meetings.html", 422 if errors else 200, heading="Sammanträden", rows=rows,
                args=args, bodies=bodies, errors=errors, status_names=STATUS,
                actions=form_links("meetings.schedule_meeting"))


@desk.get(AT)
@requires(*STAFF)
def meeting_page(ref: str) -> Response:
    """A meeting: status, agenda, attendance, paragraphs, adjustment, protocol, extracts, and
    the actions this person may take."""
    found = diarium().meetings.get_meeting(ref)
    meeting = shown_meeting(found)
    takes = found.takes  # what the meeting takes in its status
    paragraph_actions = {
        p["number"]: form_links(ref=ref, paragraph=p["number"], takes=takes)
        for p in meeting["paragraphs"]
    }
    withdraw = {
        item["number"]: form_links("meetings.withdraw_agenda_item", ref=ref,
                                   number=item["number"], takes=takes)
        for item in meeting["agenda"] if not item["withdrawn"]
    }
    reasons = {
        (p["number"], r["member"]): form_links("meetings.give_reservation_reason", ref=ref,
                                               paragraph=p["number"], member=r["member"],
                                               takes=takes)
        for p in meeting["paragraphs"] for r in p["reservations"] if not r["reason"]
    }
    return page("meeting.html", heading=f"Sammanträde {ref}", meeting=meeting,
                status_names=STATUS, kinds=KINDS, decisions=DECISIONS,
                actions=form_links(ref=ref, takes=takes), paragraph_actions=paragraph_actions,
                withdraw=withdraw, reasons=reasons)


@desk.get(f"{AT}/protocol")
@requires(*STAFF)  # as the API's protocol read
def protocol_preview(ref: str) -> Response:
    """The protocol as the reader may see it, as the API renders it, with its PDF."""
    meeting = disclose_meeting(diarium().meetings.get_meeting(ref))
    body = diarium().bodies.get_body(meeting.body)
    html = render_protocol(meeting, body, "desk/meeting_protocol.html",
                           heading=f"Protokoll {ref}", pdf_href=f"{MEETINGS}/{ref}/protocol.pdf")
    return make_response(html)


@desk.get(f"{AT}/protocol.pdf")
@requires(*STAFF)
def protocol_pdf(ref: str) -> Response:
    """The protocol as PDF/A-2b, as the API answers it."""
    meeting = disclose_meeting(diarium().meetings.get_meeting(ref))
    body = diarium().bodies.get_body(meeting.body)
    response: Response = pdf_response(html_to_pdf(render_protocol(meeting, body)), ref)
    return response


def shown_meeting(found: Any) -> dict[str, Any]:
    """The meeting ``found`` as the API's ``GET /api/meetings/<ref>`` answers it to this
    reader."""
    meeting = disclose_meeting(found)
    return ms.MeetingSchema().dump(ms.meeting_view(meeting, diarium().today()))  # type: ignore[no-any-return]


# -- forms whose JSON holds lists of parts -----------------------------------------------------


def _filled(form: MultiDict[str, str], name: str) -> str | None:
    value = (form.get(name) or "").strip()
    return value or None


def _number(value: str | None) -> int | str | None:
    """A whole number as a number (anything else as typed: the schema refuses it)."""
    return int(value) if value and value.isdigit() and len(value) < 10 else value


def _rows(form: MultiDict[str, str], prefix: str, names: tuple[str, ...], needs: str,
          numbers: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The rows ``<prefix>-<i>-<name>`` of a table of fields whose ``needs`` is filled, as
    parts (a whole number as a number)."""
    row = re.compile(rf"{prefix}-(\d{{1,3}})-\w+")
    indexes = sorted({int(found[1]) for k in form if (found := row.fullmatch(k))})
    found = []
    for i in indexes:
        part = {n: _filled(form, f"{prefix}-{i}-{n}") for n in names}
        if part[needs] is not None:
            found.append({n: _number(v) if n in numbers else v for n, v in part.items()
                          if v is not None})
    return found


def attendance_values(form: MultiDict[str, str]) -> dict[str, Any]:
    """Chair, secretary and a part per person present (a row with a capacity chosen)."""
    values: dict[str, Any] = {k: v for k in ("chair", "secretary") if (v := _filled(form, k))}
    values["attendees"] = _rows(form, "a", ("name", "capacity", "party", "replacing",
                                            "from_paragraph", "to_paragraph", "title"),
                                "capacity", ("from_paragraph", "to_paragraph"))
    return values


def agenda_values(form: MultiDict[str, str]) -> dict[str, Any]:
    """A part per filled row (kind, title, case)."""
    values: dict[str, Any] = {"items": _rows(form, "i", ("kind", "title", "dnr"), "title")}
    if added := _filled(form, "added_on"):
        values["added_on"] = added
    return values


def procedure_values(form: MultiDict[str, str]) -> dict[str, Any]:
    """The motions put, the one adopted, and each member's vote if there was a vote."""
    values: dict[str, Any] = {"proposals": [_number(v) for v in form.getlist("proposals")]}
    if described := _filled(form, "description"):
        values["description"] = described
    if adopted := _filled(form, "adopted"):
        values["adopted"] = _number(adopted)
    votes = {row["name"]: row["vote"] for row in _rows(form, "v", ("name", "vote"), "vote")
             if "name" in row}
    if votes:
        values["votes"] = votes
    return values


def extracts_values(form: MultiDict[str, str]) -> dict[str, Any]:
    """The ticked ``<paragraph>|<recipient>`` boxes, a part per paragraph, sent that day."""
    sent_on = _filled(form, "sent_on")
    by_paragraph: dict[str, list[str]] = {}
    for ticked in form.getlist("extract"):
        number, _, recipient = ticked.partition("|")
        by_paragraph.setdefault(number, []).append(recipient)
    return {"extracts": [
        {"paragraph": _number(number), "recipients": recipients,
         **({"sent_on": sent_on} if sent_on else {})}
        for number, recipients in by_paragraph.items()
    ]}


def delegated_values(form: MultiDict[str, str]) -> dict[str, Any]:
    """The delegated decisions' numbers, one per line or box."""
    given = [v.strip() for raw in form.getlist("numbers") for v in raw.splitlines()]
    return {"numbers": [_number(v) for v in given if v]}


SHAPED = (
    CommandForm("meetings.record_attendance", "Närvaro", receipt="Närvaron är antecknad.",
                template="meeting_attendance.html", shape=attendance_values),
    CommandForm("meetings.add_agenda_items", "Lägg till flera punkter",
                receipt="Punkterna är tillagda.", template="meeting_agenda.html",
                shape=agenda_values),
    CommandForm("meetings.record_procedure_step", "Beslutsgång och votering",
                receipt="Beslutsgången är antecknad.", template="paragraph_procedure.html",
                shape=procedure_values),
    CommandForm("meetings.send_extracts", "Protokollsutdrag skickade",
                receipt="Utdragen är antecknade.", template="meeting_extracts.html",
                shape=extracts_values),
    CommandForm("meetings.report_delegated_decisions", "Anmäl delegationsbeslut",
                receipt="Delegationsbesluten är anmälda.", template="paragraph_delegated.html",
                shape=delegated_values),
)


SHAPED_PAGES = {f"desk_forms.{form.endpoint.replace('.', '_')}" for form in SHAPED}


@desk.record_once
def _on_register(state: Any) -> None:
    filters = state.app.jinja_env.filters
    filters["field_name"] = lambda dotted: field_label(dotted.split(".")[-1])
    filters["meeting_options"] = lambda w: replace(
        w, options=[(v, OPTIONS.get(v, label)) for v, label in w.options])


@desk.app_context_processor
def _meeting_of_form() -> dict[str, Any]:
    """The meeting (as this reader may see it) and its body, for the shaped forms' rows."""
    if not (request.endpoint in SHAPED_PAGES and request.view_args
            and "ref" in request.view_args):
        return {}
    try:
        meeting = shown_meeting(diarium().meetings.get_meeting(request.view_args["ref"]))
    except MeetingResourceNotFound:  # the page saying so needs no meeting
        return {}
    body = diarium().bodies.get_body(meeting["body"])
    day = date.fromisoformat(meeting["date"])
    members = [m for m in body.members if m.active_on(day)]
    return {"meeting": meeting, "members": members, "capacities": [c.value for c in Capacity],
            "votes": [v.value for v in Vote], "kinds": KINDS, "empty_rows": EMPTY_ROWS,
            "body_name": body.name,
            "delegated": diarium().bodies.delegated_decisions(body.code, unreported=True)}
