"""The daily sweep that records legal force (``diarium meetings record-legal-force``).

Every meeting whose protocol (or a paragraph of it) was posted is asked for the decisions
whose appeal period has ended (domain/meeting/legal_force.py); those it has are recorded with
``RecordLegalForce``, one ``LegalForceReached`` each. The sweep is idempotent: a decision
recorded once is never recorded again (the meeting knows it, and a concurrent run collides on
the meeting's version and is redone from fresh state), so it can run as often as wanted, and
a day it did not run is caught up by the next.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from diarium.cases.store.topics import stored_topics
from diarium.domain.actor import Actor
from diarium.domain.events import meeting as ev
from diarium.domain.meeting.commands import RecordLegalForce

if TYPE_CHECKING:
    from diarium.cases.application import Diarium

SWEEPER = Actor("diarium.laga-kraft")


def posted_meetings(app: Diarium) -> list[str]:
    """The refs of the meetings with something posted, oldest posting first."""
    events = app.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    query = (
        select(events.c.originator_id, events.c.id)
        .where(events.c.topic.in_(stored_topics([ev.ProtocolPosted])))
        .order_by(events.c.id)
    )
    with app.recorder.datastore.engine.connect() as conn:  # type: ignore[attr-defined]
        ids = list(dict.fromkeys(r[0] for r in conn.execute(query).all()))
    return [app.repository.get(i).ref for i in ids]


def record_legal_force(app: Diarium, by: Actor = SWEEPER) -> dict[str, list[int]]:
    """Record legal force for every decision now due; the paragraphs recorded per meeting
    (as this run saw them: a run racing another may name the other's)."""
    recorded: dict[str, list[int]] = {}
    for ref in posted_meetings(app):
        meeting = app.meetings.get_meeting(ref)
        if meeting.legal_force_due(app.today()):
            before = set(meeting.legal_force)
            after = app.handle(RecordLegalForce(ref), by).meeting.legal_force
            recorded[ref] = sorted(set(after) - before)
    return recorded
