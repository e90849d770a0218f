"""The digital notice board (anslagstavla, KL 8:9-12), bodies and their meetings: public
pages, every meeting through the public secrecy filter (web/site/board_queries.py)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from diarium.domain.meeting.terms import (
    BodyNotFound,
    MeetingNotFound,
    appeal_period_end,
    notice_on_the_board,
    taken_down_on,
)
from diarium.web.auth import public
from diarium.web.protocol import kept_at
from diarium.web.routes.common import diarium
from diarium.web.site import board_queries as q
from diarium.web.site.common import public_page, render

site = Blueprint("site_board", __name__)

KINDS = {  # BodyKind in the site's words
    "fullmäktige": "Fullmäktige",
    "styrelse": "Styrelse",
    "nämnd": "Nämnd",
    "utskott": "Utskott",
    "beredning": "Beredning",
}
DECISIONS = {  # DecisionKind in the protocol's words
    "decided": "Beslut",
    "proposed_to_higher_body": "Förslag till {higher_body}",
    "noted": "Informationen noteras",
}


@site.get("/anslagstavla")
@public
@public_page
def notice_board() -> str:
    """Anslagstavlan: adjusted protocols posted and within their period, notices of
    upcoming meetings from their publication until the meeting day."""
    postings, notices = q.board(diarium().today())
    return render(
        "board_notice_board.html", heading="Anslagstavla", postings=postings, notices=notices,
        kept_at=kept_at(),
    )


@site.get("/organ")
@public
@public_page
def list_bodies() -> str:
    """The bodies: name, kind and the body each sits under."""
    found = q.bodies()
    names = {row["code"]: row["name"] for row in found}
    return render(
        "body_list.html", heading="Organ och sammanträden", bodies=found, names=names,
        kinds=KINDS,
    )


@site.get("/organ/<code>")
@public
@public_page
def show_body(code: str) -> Any:
    """One body: its members and substitutes with their parties, its meetings."""
    try:
        body = diarium().bodies.get_body(code)
    except BodyNotFound:
        return _not_found(f"Det finns inget organ med koden {code}.")
    today = diarium().today()
    meetings = q.meeting_rows(body=code)
    upcoming = [m for m in meetings if q.day(m["meeting_on"]) >= today]
    return render(
        "body_show.html", heading=body.name, body=body, kinds=KINDS,
        parent=q.body_names().get(body.parent) if body.parent else None,
        members=sorted(body.members_on(today), key=_seat),
        upcoming=list(reversed(upcoming)),
        past=[m for m in meetings if m not in upcoming],
    )


@site.get("/moten/<ref>")
@public
@public_page
def show_meeting(ref: str) -> Any:
    """One meeting: body, date, time and place; its agenda once the notice is published;
    after adjustment the protocol's paragraphs and links to the protocol."""
    try:
        meeting = q.shown_meeting(ref)
    except MeetingNotFound:
        return _not_found(f"Det finns inget sammanträde {ref}.")
    today = diarium().today()
    body = diarium().bodies.get_body(meeting.body)
    posted = meeting.posted_on
    return render(
        "meeting_show.html",
        heading=f"{body.name}, sammanträde {meeting.meeting_date.isoformat()}",
        meeting=meeting, body=body, agenda=q.agenda(meeting),
        notice_shown=meeting.notice_published_on is not None
        and meeting.notice_published_on <= today,
        notice_on_board=notice_on_the_board(
            meeting.notice_published_on, meeting.meeting_date, today
        ),
        appeal_ends=appeal_period_end(posted) if posted else None,
        taken_down=taken_down_on(posted) if posted else None,
        decisions=DECISIONS, kept_at=kept_at(), today=today,
    )


POSITIONS = ("ordförande", "förste vice ordförande", "andre vice ordförande")


def _seat(membership: Any) -> tuple[bool, int, str]:
    """Members before substitutes, the chair and vice chairs first, then by name."""
    position = membership.position
    rank = POSITIONS.index(position) if position in POSITIONS else len(POSITIONS)
    return (membership.role != "ledamot", rank, membership.name)


def _not_found(detail: str) -> tuple[str, int]:
    return render("board_not_found.html", heading="Sidan finns inte", detail=detail), 404
