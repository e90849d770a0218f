"""What the open data lists are made of, read once from the log and kept up to date: every
case, meeting and body with the body it belongs to, its first position (the lists' stable
order) and the times of its first and last event (OParl's ``created`` and ``modified``); the
bodies' appointments (memberships); which meetings have an agenda item of which case
(consultations) and which protocols are adjusted (the public files).

The index is built in the process on first use and then reads only the events after the
position it has seen, so a request costs one small query when nothing was written."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import select

from diarium.cases.store.event_rows import decoded
from diarium.cases.store.topics import stored_topics
from diarium.domain.events import EVENT_CLASSES
from diarium.domain.events import body as bev
from diarium.domain.events import case as cev
from diarium.domain.events import meeting as mev

if TYPE_CHECKING:
    from diarium.cases.application import Diarium

KINDS = ("case", "meeting", "body")
TOPICS = frozenset(stored_topics(c for c in EVENT_CLASSES if c.aggregate in KINDS))
BATCH = 1000


@dataclass
class Entry:
    """A case (key: dnr), meeting (ref) or body (code) as the lists need it."""

    kind: str
    key: str
    body: str  # the responsible body, the meeting's body, the body itself
    position: int  # of its first event: the lists' order
    created: datetime
    modified: datetime
    day: date | None = None  # a meeting's date
    adjusted: datetime | None = None  # a meeting's protocol: when adjusted


@dataclass
class Appointment:
    """A membership of a body (``number``: the order of appointment in the body, from 1)."""

    body: str
    number: int
    name: str
    period_from: date
    period_to: date | None
    position: int
    created: datetime
    modified: datetime


@dataclass
class Index:
    head: int = 0
    first: datetime | None = None
    last: datetime | None = None
    entries: dict[UUID, Entry] = field(default_factory=dict)
    listed: dict[str, list[Entry]] = field(default_factory=lambda: {k: [] for k in KINDS})
    keyed: dict[tuple[str, str], Entry] = field(default_factory=dict)
    by_body: dict[tuple[str, str], list[Entry]] = field(default_factory=dict)  # (kind, body)
    appointments: dict[str, list[Appointment]] = field(default_factory=dict)
    consultations: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # dnr ->
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def entry(self, kind: str, key: str) -> Entry | None:
        return self.keyed.get((kind, key))

    def of_body(self, kind: str, code: str) -> list[Entry]:
        """The cases or meetings of a body, in the order they were first recorded."""
        return self.by_body.get((kind, code), [])

    def apply(self, position: int, event: Any) -> None:
        """Take one event of the log into the index."""
        stamp = event.timestamp
        self.first = self.first or stamp
        self.last = stamp
        entry = self.entries.get(event.originator_id)
        if entry is None:
            entry = self._created(position, event)
            if entry is None:
                return
        entry.modified = stamp
        if isinstance(event, mev.ProtocolAdjusted):
            entry.adjusted = stamp
        elif isinstance(event, mev.AgendaItemAdded) and event.dnr:
            self.consultations.setdefault(event.dnr, []).append((entry.key, event.number))
        elif isinstance(event, bev.MemberAppointed):
            held = self.appointments.setdefault(entry.key, [])
            held.append(Appointment(entry.key, len(held) + 1, event.name, event.period_from,
                                    event.period_to, position, stamp, stamp))
        elif isinstance(event, bev.MembershipEnded):
            for held in self.appointments.get(entry.key, []):
                if held.name == event.name and held.period_from <= event.occurred_on and (
                    held.period_to is None or event.occurred_on <= held.period_to
                ):
                    held.modified = stamp

    def _created(self, position: int, event: Any) -> Entry | None:
        if isinstance(event, cev.CaseRegistered):
            kind, key, body, day = "case", event.dnr, event.responsible_body, None
        elif isinstance(event, mev.MeetingScheduled):
            kind, key, body, day = "meeting", event.ref, event.body, event.meeting_date
        elif isinstance(event, bev.BodyEstablished):
            kind, key, body, day = "body", event.code, event.code, None
        else:
            return None  # an aggregate this index does not list
        entry = Entry(kind, key, body, position, event.timestamp, event.timestamp, day)
        self.entries[event.originator_id] = entry
        self.listed[kind].append(entry)
        self.by_body.setdefault((kind, body), []).append(entry)
        self.keyed[kind, key] = entry
        return entry


def current_index(app: Diarium, extensions: dict[str, Any]) -> Index:
    """The app's index, brought up to the log's head (kept in ``extensions``)."""
    index: Index = extensions.setdefault("diarium_oparl_index", Index())
    head = app.recorder.max_notification_id() or 0
    if head <= index.head:
        return index
    with index.lock:
        events = app.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
        while index.head < head:
            query = (
                select(events.c.id, events.c.originator_id, events.c.originator_version,
                       events.c.topic, events.c.state)
                .where(events.c.id > index.head, events.c.id <= head)
                .order_by(events.c.id).limit(BATCH)
            )
            with app.recorder.datastore.engine.connect() as conn:  # type: ignore[attr-defined]
                rows = conn.execute(query).all()
            if not rows:
                break
            for row in rows:
                if row[3] in TOPICS:
                    index.apply(row[0], decoded(app, *row[1:]))
                index.head = row[0]  # an event is taken in once, even if a later one fails
        index.head = max(index.head, head)
    return index
