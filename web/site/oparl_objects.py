"""The OParl 1.1 objects of the public register: each built from what the public may read
(a case through ``public_case``, a meeting with the markings of its cases withheld as from a
reader without access), every free text masked (personal identity numbers)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import request, url_for

from diarium.domain.identity_numbers import masked, personal_identity_numbers
from diarium.domain.meeting.state import MeetingStatus
from diarium.web.site.oparl_index import Appointment, Entry, Index

SCHEMA = "https://schema.oparl.org/1.1/"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
FIRST_TERM = 2019  # mandate periods: four years from the year after an election (2019-2022...)
MEETING_STATES = {
    MeetingStatus.SCHEDULED: "planerat", MeetingStatus.CLOSED: "genomfört",
    MeetingStatus.ADJUSTED: "justerat", MeetingStatus.POSTED: "anslaget",
}
PAPER_TYPE = "Ärende"


def url(endpoint: str, **values: Any) -> str:
    """The absolute URL of one of the open data's routes."""
    return url_for(f"site_oparl.{endpoint}", _external=True, **values)


def web(path: str) -> str:
    """The absolute URL of a page of the public website."""
    return request.host_url.rstrip("/") + path


def stamp(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def base(kind: str, ident: str, created: datetime | None, modified: datetime | None,
         page: str | None = None, **fields: Any) -> dict[str, Any]:
    """An object's common fields, and ``fields`` without those that are ``None``."""
    out = {"id": ident, "type": SCHEMA + kind, **fields,
           "created": stamp(created), "modified": stamp(modified),
           "web": web(page) if page else None}
    return {k: v for k, v in out.items() if v is not None and v != []}


# -- persons and parties --------------------------------------------------------------------


def person_key(name: str) -> str:
    """A person's stable id in the open data (names are not identifiers in URLs)."""
    return hashlib.sha256(name.encode()).hexdigest()[:16]


def party_key(party: str) -> str:
    """A party's id within a body: its name where that is a short plain word (``S``),
    else a digest (a name is never put in a URL unmasked)."""
    if re.fullmatch(r"[^\W_][\w-]{0,29}", party) and not personal_identity_numbers(party):
        return party
    return person_key(party)


# -- mandate periods ------------------------------------------------------------------------


def term_of(day: date) -> int:
    """The first year of the mandate period holding ``day``."""
    return FIRST_TERM + 4 * ((day.year - FIRST_TERM) // 4)


def terms(index: Index, today: date) -> list[int]:
    """The mandate periods with a meeting or a membership in them, and the current one."""
    days = [today, *(e.day for e in index.listed["meeting"] if e.day)]
    for held in list(index.appointments.values()):  # another request may add a body
        days.extend(a.period_from for a in held)
    first, last = term_of(min(days)), term_of(max(days))
    return list(range(first, last + 1, 4))


def legislative_term(index: Index, year: int) -> dict[str, Any]:
    return base(
        "LegislativeTerm", url("legislative_term", year=year), index.first, index.first,
        body=None, name=f"Mandatperioden {year}–{year + 3}",
        startDate=date(year, 1, 1).isoformat(), endDate=date(year + 3, 12, 31).isoformat(),
    )


# -- bodies and organizations ---------------------------------------------------------------


def body(index: Index, entry: Entry, found: Any, today: date) -> dict[str, Any]:
    code = found.code
    lists = {name: url(f"body_{name}", code=code) for name in (
        "organization", "person", "meeting", "paper", "membership", "file")}
    return base(
        "Body", url("get_body", code=code), entry.created, entry.modified, f"/organ/{code}",
        system=url("system"), name=masked(found.name), shortName=code,
        classification=found.kind, legislativeTermList=url("body_legislative_term", code=code),
        legislativeTerm=[legislative_term(index, y) for y in terms(index, today)], **lists,
    )


def organization(entry: Entry, found: Any, index: Index) -> dict[str, Any]:
    code = found.code
    held = index.appointments.get(code, [])
    return base(
        "Organization", url("get_organization", code=code), entry.created, entry.modified,
        f"/organ/{code}", body=url("get_body", code=code), name=masked(found.name),
        shortName=code, organizationType="Gremium", classification=found.kind,
        startDate=found.established_on.isoformat(),
        subOrganizationOf=url("get_organization", code=found.parent) if found.parent else None,
        membership=[url("get_membership", code=code, number=a.number) for a in held],
        meeting=url("body_meeting", code=code),
    )


def party(code: str, name: str, held: list[Appointment]) -> dict[str, Any]:
    return base(
        "Organization", url("get_party", code=code, party=party_key(name)),
        min((a.created for a in held), default=None), max((a.modified for a in held),
                                                          default=None),
        body=url("get_body", code=code), name=masked(name), organizationType="Partei",
        membership=[url("get_membership", code=code, number=a.number) for a in held],
    )


def membership(held: Appointment, member: Any) -> dict[str, Any]:
    role = member.role if not member.position else f"{member.role}, {member.position}"
    return base(
        "Membership", url("get_membership", code=held.body, number=held.number),
        held.created, held.modified, person=url("get_person", person=person_key(member.name)),
        organization=url("get_organization", code=held.body), role=masked(role),
        votingRight=member.role == "ledamot", startDate=member.period_from.isoformat(),
        endDate=member.last_day.isoformat() if member.last_day else None,
        onBehalfOf=url("get_party", code=held.body, party=party_key(member.party))
        if member.party else None,
    )


def person(name: str, held: list[tuple[Appointment, Any]]) -> dict[str, Any]:
    """A person named in bodies: the name and the memberships (with their parties) only."""
    return base(
        "Person", url("get_person", person=person_key(name)),
        min(a.created for a, _ in held), max(a.modified for a, _ in held),
        body=url("get_body", code=held[0][0].body), name=masked(name),
        membership=[membership(a, m) for a, m in held],
    )


# -- meetings -------------------------------------------------------------------------------


def meeting(entry: Entry, shown: Any, body_name: str,
            is_person: Callable[[str], bool]) -> dict[str, Any]:
    """A meeting (``shown``: as the public sees it) with its agenda items; its protocol and
    who took part once the protocol is adjusted."""
    ref = shown.ref
    adjusted = shown.adjusted_on is not None
    return base(
        "Meeting", url("get_meeting", ref=ref), entry.created, entry.modified, f"/moten/{ref}",
        name=masked(f"{body_name} {shown.meeting_date.isoformat()}"),
        meetingState=MEETING_STATES.get(shown.status, shown.status), cancelled=False,
        start=_start(shown.meeting_date, shown.starts_at),
        location=location(entry, shown) if shown.place else None,
        organization=[url("get_organization", code=shown.body)],
        participant=[url("get_person", person=person_key(a.name))
                     for a in shown.attendees if is_person(a.name)] if adjusted else None,
        resultsProtocol=protocol_file(entry, shown) if adjusted else None,
        agendaItem=[agenda_item(entry, shown, item.number) for item in shown.agenda],
    )


def _start(day: date, starts_at: str | None) -> str:
    try:
        hours, minutes = (int(p) for p in (starts_at or "").replace(":", ".").split("."))
        at = time(hours, minutes)
    except ValueError:
        at = time(0, 0)
    return datetime.combine(day, at, tzinfo=STOCKHOLM).isoformat()


def location(entry: Entry, shown: Any) -> dict[str, Any]:
    return base("Location", url("meeting_location", ref=shown.ref), entry.created,
                entry.modified, description=masked(shown.place),
                meetings=[url("get_meeting", ref=shown.ref)])


def agenda_item(entry: Entry, shown: Any, number: int) -> dict[str, Any]:
    item = shown.agenda_item(number)
    ref = shown.ref
    decided = [p for p in shown.paragraphs if p.agenda_item == number and p.decision]
    resolution = decided[0].decision.text if decided and shown.adjusted_on else None
    return base(
        "AgendaItem", url("get_agenda_item", ref=ref, number=number), entry.created,
        entry.modified, f"/moten/{ref}", meeting=url("get_meeting", ref=ref),
        number=str(number), order=number, name=masked(item.title),
        consultation=url("get_consultation", ref=ref, number=number) if item.dnr else None,
        result="utlyft" if item.withdrawn else ("beslutat" if resolution else None),
        resolutionText=masked(resolution),
    )


def consultation(entry: Entry, shown: Any, number: int, paper: bool) -> dict[str, Any]:
    item = shown.agenda_item(number)
    ref = shown.ref
    return base(
        "Consultation", url("get_consultation", ref=ref, number=number), entry.created,
        entry.modified, paper=url("get_paper", dnr=item.dnr) if paper else None,
        agendaItem=url("get_agenda_item", ref=ref, number=number),
        meeting=url("get_meeting", ref=ref), organization=[url("get_organization",
                                                               code=shown.body)],
    )


def protocol_file(entry: Entry, shown: Any) -> dict[str, Any]:
    """The adjusted protocol (PDF/A), published on the meeting's public page."""
    ref = shown.ref
    pdf = web(f"/moten/{ref}/protokoll.pdf")
    return base(
        "File", url("get_protocol", ref=ref), entry.adjusted, entry.modified,
        f"/moten/{ref}", name=f"Protokoll {ref}", fileName=f"protokoll-{ref}.pdf",
        mimeType="application/pdf", date=shown.adjusted_on.isoformat(), accessUrl=pdf,
        downloadUrl=pdf, meeting=[url("get_meeting", ref=ref)],
    )


# -- papers ---------------------------------------------------------------------------------


def paper(entry: Entry, case: dict[str, Any], consultations: list[dict[str, Any]]
          ) -> dict[str, Any]:
    """A case as the public e-diary shows it (``case``: ``public_case``'s view)."""
    dnr = case["dnr"]
    code = case["responsible_body"]
    return base(
        "Paper", url("get_paper", dnr=dnr), entry.created, entry.modified, f"/diarium/{dnr}",
        body=url("get_body", code=code), name=masked(case.get("title") or dnr),
        reference=dnr, date=case["registered_on"], paperType=PAPER_TYPE,
        underDirectionOf=[url("get_organization", code=code)], consultation=consultations,
    )
