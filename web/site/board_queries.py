"""What the notice board, the bodies' pages and the meetings' pages read: the meetings and
bodies registers (projections) to find them, the Meeting and Body aggregates for the facts,
every meeting through the public secrecy filter (``web/disclosure.py: public_meeting``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from diarium.domain.meeting.terms import (
    appeal_period_end,
    notice_on_the_board,
    on_the_board,
    taken_down_on,
)
from diarium.projections.listings import LISTINGS
from diarium.projections.queries import Query, Registers
from diarium.web.disclosure import public_meeting
from diarium.web.routes.common import diarium
from diarium.web.routes.registers import projector

LOOK_BACK = timedelta(days=400)  # meetings older than this are not looked for on the board
RECENT = timedelta(days=90)  # a meeting this recent may have paragraphs posted on their own


@dataclass(frozen=True)
class Posting:
    """An adjusted protocol (or one paragraph adjusted at once) on the notice board."""

    meeting: Any
    body_name: str
    adjusted_on: date
    posted_on: date
    paragraph: int | None = None

    @property
    def appeal_period_ends(self) -> date:
        return appeal_period_end(self.posted_on)

    @property
    def taken_down_on(self) -> date:
        return taken_down_on(self.posted_on)


@dataclass(frozen=True)
class Notice:
    """A published notice (kallelse) of an upcoming meeting, with its agenda."""

    meeting: Any
    body_name: str
    agenda: list[Any] = field(default_factory=list)


def day(value: Any) -> date | None:
    """A register's date (ISO text or a date)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _rows(listing: str, filters: dict[str, Any], sort: str, order: str) -> Iterator[dict[str, Any]]:
    """Every row of a register matching ``filters`` (public columns only: meetings, bodies)."""
    runner = projector()
    runner.ensure_schema()
    query = Query(LISTINGS[listing], filters, sort, order, 1000, None)
    yield from Registers(runner).rows(query, diarium().today())


def bodies() -> list[dict[str, Any]]:
    """Every body (code, name, kind, parent), by code."""
    return list(_rows("bodies", {}, "code", "asc"))


def body_names() -> dict[str, str]:
    return {row["code"]: row["name"] for row in bodies()}


def meeting_rows(body: str | None = None, since: date | None = None) -> list[dict[str, Any]]:
    """The meetings (register rows), latest first; of one body, held on or after ``since``."""
    filters: dict[str, Any] = {}
    if body is not None:
        filters["body"] = body
    if since is not None:
        filters["meeting_from"] = since
    return list(_rows("meetings", filters, "date", "desc"))


def shown_meeting(ref: str) -> Any:
    """The meeting with this ref as the public sees it (``MeetingNotFound`` if none)."""
    return public_meeting(diarium().meetings.get_meeting(ref))


def agenda(meeting: Any) -> list[Any]:
    """The agenda's items still on it (withdrawn ones left out)."""
    return [item for item in meeting.agenda if not item.withdrawn]


def board(today: date) -> tuple[list[Posting], list[Notice]]:
    """What is on the notice board ``today``: the postings (latest first) and the notices of
    upcoming meetings (soonest first)."""
    names = body_names()
    postings: list[Posting] = []
    notices: list[Notice] = []
    for row in meeting_rows(since=today - LOOK_BACK):
        held, posted = day(row["meeting_on"]), day(row.get("posted_on"))
        if not (on_the_board(posted, today) or (held is not None and held >= today - RECENT)):
            continue
        meeting = shown_meeting(row["ref"])
        name = names.get(meeting.body, meeting.body)
        if on_the_board(meeting.posted_on, today):
            postings.append(Posting(meeting, name, meeting.adjusted_on, meeting.posted_on))
        for p in meeting.paragraphs:
            if p.own_posted_on is not None and on_the_board(p.own_posted_on, today):
                postings.append(Posting(
                    meeting, name, p.immediately_adjusted_on, p.own_posted_on, p.number
                ))
        if notice_on_the_board(meeting.notice_published_on, meeting.meeting_date, today):
            notices.append(Notice(meeting, name, agenda(meeting)))
    postings.sort(key=lambda p: (p.posted_on, p.meeting.ref), reverse=True)
    notices.sort(key=lambda n: (n.meeting.meeting_date, n.meeting.ref))
    return postings, notices
