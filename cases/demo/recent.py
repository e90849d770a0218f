"""Recent meetings for the demo's notice board, dated from today (the 2020 seed protocol has
long left the board): Regionstyrelsen's members in the current term of office (and the next,
when the next meeting falls in it), so a meeting scheduled today has its members; a meeting held
six days ago deciding three new cases (adjusted three days ago, posted two days ago, so on the
board), and the next meeting in nine days with its notice (kallelse) and agenda published.
Loaded by ``diarium demo`` after the seed demo (cases/demo/cases.py)."""

from __future__ import annotations

from datetime import date, timedelta

from diarium.cases.application import Diarium
from diarium.cases.demo.meetings import ADJUSTER, CHAIR, MEMBERS, SECRETARY
from diarium.domain.actor import Actor
from diarium.domain.case.lifecycle import RegisterCase
from diarium.domain.case.terms import DecisionKind
from diarium.domain.meeting import commands as mc
from diarium.domain.meeting.terms import AgendaItemKind, Capacity, MemberRole

ADMIN = Actor("demo-admin", "demo")
REGISTRAR = Actor("demo-registrator", "demo")
PLACE = "Regionhuset, Luleå"

# title, decision (None: on the next meeting's agenda)
CASES: list[tuple[str, str | None]] = [
    ("Parkeringsavgifter vid sjukhusen 2027",
     "Regionstyrelsen beslutar att fastställa parkeringsavgifterna enligt bilaga."),
    ("Solcellsanläggning vid Sunderby sjukhus",
     "Regionstyrelsen beslutar att genomföra investeringen inom given ram."),
    ("Lokal för hälsocentralen i Kalix",
     "Regionstyrelsen beslutar att teckna hyresavtal för lokalen."),
    ("Taxa för resor med sjukresor 2027", None),
    ("Sammanträdesplan för regionstyrelsen 2027", None),
]


def term_of_office(day: date) -> tuple[date, date]:
    """The term of office (mandatperiod, four years from 2023) that ``day`` falls in."""
    first = 2023 + max(day.year - 2023, 0) // 4 * 4
    return date(first, 1, 1), date(first + 3, 12, 31)


def load_recent(diarium: Diarium) -> dict[str, str]:
    """Record the recent meetings (the seed demo loaded first: ``load_demo``); returns their
    refs: ``held`` (on the notice board) and ``upcoming`` (its notice published)."""
    today = diarium.today()
    do = diarium.handle
    held, upcoming = today - timedelta(days=6), today + timedelta(days=9)
    for start, end in sorted({term_of_office(held), term_of_office(upcoming)}):
        for name, party, role, position in MEMBERS:  # re-appointed: today is in their term
            do(mc.AppointMember("RS", name, role, start, party, position, end), ADMIN)
    dnrs = [
        diarium.register_case(RegisterCase(
            title=title, responsible_body="RS", registered_on=today - timedelta(days=40),
            unit="Regiondirektörens stab", officer="Linda Ylivainio",
        ), REGISTRAR).dnr
        for title, _ in CASES
    ]
    decided = [(dnr, title, text) for dnr, (title, text) in zip(dnrs, CASES, strict=True) if text]
    ref = do(mc.ScheduleMeeting("RS", held, place=PLACE, starts_at="09.00",
                                scheduled_on=today - timedelta(days=30)), SECRETARY).ref
    for dnr, title, _ in decided:
        do(mc.AddAgendaItem(ref, AgendaItemKind.CASE, title, dnr, today - timedelta(days=20)),
           SECRETARY)
    do(mc.PublishMeetingNotice(ref, today - timedelta(days=13)), SECRETARY)
    do(mc.RecordAttendance(ref, chair=CHAIR, secretary="Linda Ylivainio", attendees=[
        mc.AttendeeEntry(name, Capacity.MEMBER, party)
        for name, party, role, _ in MEMBERS if role is MemberRole.MEMBER
    ] + [mc.AttendeeEntry("Linda Ylivainio", Capacity.OTHER, title="sekreterare")]), SECRETARY)
    do(mc.ElectAdjusters(ref, [ADJUSTER], PLACE, today - timedelta(days=3)), SECRETARY)
    for dnr, title, text in decided:
        number = do(mc.RecordParagraph(ref, title, dnr), SECRETARY).paragraph
        do(mc.DecideParagraph(ref, number, DecisionKind.DECIDED, text), SECRETARY)
    do(mc.CloseMeeting(ref, "11.30"), SECRETARY)
    do(mc.AdjustProtocol(ref, [CHAIR, ADJUSTER], today - timedelta(days=3)), SECRETARY)
    do(mc.PostProtocol(ref, today - timedelta(days=2)), SECRETARY)
    next_ref = do(mc.ScheduleMeeting("RS", upcoming, place=PLACE, starts_at="09.00",
                                     scheduled_on=today - timedelta(days=10)), SECRETARY).ref
    do(mc.AddAgendaItem(next_ref, AgendaItemKind.ADJUSTERS, "Val av protokolljusterare",
                        added_on=today - timedelta(days=3)), SECRETARY)
    for dnr, (title, text) in zip(dnrs, CASES, strict=True):
        if text is None:
            do(mc.AddAgendaItem(next_ref, AgendaItemKind.CASE, title, dnr,
                                today - timedelta(days=3)), SECRETARY)
    do(mc.PublishMeetingNotice(next_ref, today - timedelta(days=2)), SECRETARY)
    return {"held": ref, "upcoming": next_ref}
