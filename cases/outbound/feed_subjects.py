"""What a feed item concerns: the aggregate behind each event (a case, a meeting, a body) and,
for a meeting's item, the case its paragraph concerns.

An aggregate's first event says what it is (``CaseRegistered``: dnr and titles;
``MeetingScheduled``: ref and body; ``BodyEstablished``: code), read once per aggregate and
cached (none of those change). A paragraph's case is the dnr its ``ParagraphRecorded`` names
(never changed either); a protocol's adjustment or posting concerns the cases of the
paragraphs recorded before it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from sqlalchemy import select

from diarium.cases.store.event_rows import events_of
from diarium.cases.store.topics import stored_topics
from diarium.domain.events import body as bev
from diarium.domain.events import case as cev
from diarium.domain.events import meeting as mev

if TYPE_CHECKING:
    from diarium.cases.application import Diarium

_FIRST = {
    topic: cls
    for cls in (cev.CaseRegistered, mev.MeetingScheduled, bev.BodyEstablished)
    for topic in stored_topics([cls])
}
_PARAGRAPHS = stored_topics([mev.ParagraphRecorded])


@dataclass(frozen=True)
class Subject:
    """The aggregate an event belongs to, as its first event describes it."""

    kind: str | None  # case | meeting | body; None for others (counters, read logs)
    key: str | None = None  # the dnr, the meeting's ref or the body's code
    body: str | None = None  # the meeting's body
    title: str | None = None  # the case's title
    public_title: str | None = None  # the case's given public title


NOTHING = Subject(None)


def _subject(event: Any) -> Subject:
    if isinstance(event, cev.CaseRegistered):
        return Subject("case", event.dnr, event.responsible_body, event.title, event.public_title)
    if isinstance(event, mev.MeetingScheduled):
        return Subject("meeting", event.ref, event.body)
    if isinstance(event, bev.BodyEstablished):
        return Subject("body", event.code, event.code)
    return NOTHING


class SubjectLookup:
    """Maps aggregate ids to what they are (read once from each first event, then cached)."""

    def __init__(self, app: Diarium, maxsize: int = 100_000) -> None:
        self.app = app
        self.cache: dict[UUID, Subject] = {}
        self.maxsize = maxsize

    def subjects(self, originator_ids: Iterable[UUID]) -> dict[UUID, Subject]:
        asked = {UUID(str(o)) for o in originator_ids}
        wanted = asked - self.cache.keys()
        if wanted:
            if len(self.cache) + len(wanted) > self.maxsize:
                self.cache.clear()
            table = self.app.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
            with self.app.recorder.datastore.engine.connect() as conn:  # type: ignore[attr-defined]
                rows = conn.execute(
                    select(table.c.originator_id, table.c.topic, table.c.state).where(
                        table.c.originator_id.in_(sorted(wanted, key=str)),
                        table.c.originator_version == 1,
                    )
                ).all()
            for originator, topic, state in rows:
                subject = NOTHING
                if topic in _FIRST:
                    subject = _subject(self.app.mapper.to_domain_event(
                        StoredEvent(originator, 1, topic, bytes(state))))
                self.cache[UUID(str(originator))] = subject
            for missing in wanted - self.cache.keys():
                self.cache[missing] = NOTHING
        return {o: self.cache.get(o, NOTHING) for o in asked}

    def resolve(self, originator_ids: Iterable[UUID]) -> dict[UUID, str | None]:
        """The dnr of each case among ``originator_ids`` (``None`` for other aggregates)."""
        return {
            o: s.key if s.kind == "case" else None
            for o, s in self.subjects(originator_ids).items()
        }


@dataclass(frozen=True)
class PlacedParagraph:
    """A paragraph of a meeting and the case it concerns, with the meeting version that
    recorded it."""

    version: int
    number: int
    dnr: str | None


def meeting_paragraphs(app: Diarium, meetings: set[UUID]) -> dict[UUID, list[PlacedParagraph]]:
    """The paragraphs recorded in each of ``meetings``, in order."""
    found: dict[UUID, list[PlacedParagraph]] = {}
    for event in events_of(app, meetings, _PARAGRAPHS):
        found.setdefault(event.originator_id, []).append(
            PlacedParagraph(event.originator_version, event.number, event.dnr))
    return found


def concerned(event: Any, paragraphs: list[PlacedParagraph]) -> list[PlacedParagraph]:
    """The paragraphs a meeting's ``event`` concerns: its own ``paragraph`` when it names one,
    else (a whole protocol adjusted or posted) every paragraph recorded before it."""
    before = [p for p in paragraphs if p.version < event.originator_version]
    number = getattr(event, "paragraph", None)
    if number is not None:
        return [p for p in before if p.number == number][-1:]
    return before
