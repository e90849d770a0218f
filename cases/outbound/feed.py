"""The public event feed: stable type names and payloads, read from the log in order.

Subscribers see ``case.decision_recorded``, never ``domain.events.case:DecisionRecorded``: the
types the event classes declare (their ``public``, domain/events/case.py, meeting.py, body.py)
are the integration contract (docs/feed.md documents every field). A meeting's or a body's item
is named by its meeting or body and, where it concerns a case, by the case's dnr and public
title (feed_subjects.py); secrecy withholds it by that case's markings. Events that declare no
type (the dnr counters, a meeting's agenda...) are skipped by the feed, but its cursor still
moves past them.

Ordering: positions are the log's notification ids. On PostgreSQL the recorder takes ``LOCK
TABLE ... IN EXCLUSIVE MODE`` before it draws ids and holds it until commit; on SQLite there is
one writer at a time. So positions become visible in increasing order, and a follower that
always resumes after the last position it saw never skips an event (tests/test_feed_ordering.py
proves it with concurrent writers). The hash chain is written under the same lock and links
every event to the previous one, so if that ordering were ever broken the chain would fork and
``diarium audit verify`` would report it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from sqlalchemy import select

from diarium.cases.outbound.feed_subjects import (
    NOTHING,
    Subject,
    SubjectLookup,
    concerned,
    meeting_paragraphs,
)
from diarium.cases.store.event_rows import events_of
from diarium.cases.store.topics import stored_topics
from diarium.domain.dnr import case_id
from diarium.domain.events import EVENT_CLASSES
from diarium.domain.events import case as ev
from diarium.domain.events import meeting as mev
from diarium.domain.events.base import payload_fields
from diarium.domain.meeting.terms import appeal_period_end
from diarium.domain.secrecy import (
    DOCUMENT_MARKING,
    EVENT_ENTITY,
    covered,
    covered_by_case,
    public_title,
)

if TYPE_CHECKING:
    from diarium.cases.application import Diarium

MAX_LIMIT = 1000
SCAN_FACTOR = 20  # look at up to limit * SCAN_FACTOR positions per page
MAX_SCAN = 20_000


@dataclass(frozen=True)
class PublicType:
    """One event type of the contract: its public name, description and payload fields."""

    name: str
    event_class: type
    description: str
    fields: dict[str, str]  # payload field -> documented meaning (JSON type first)


# Each published event class declares its type (``public``, domain/events/) and its fields'
# meanings (their payload documentation: base.payload_fields), in the order of the events: the
# case's, then the meeting's and the body's.
PUBLIC_TYPES: tuple[PublicType, ...] = tuple(
    PublicType(cls.public.name, cls, cls.public.description, payload_fields(cls))
    for cls in EVENT_CLASSES
    if cls.public is not None
)
BY_NAME: dict[str, PublicType] = {t.name: t for t in PUBLIC_TYPES}
BY_CLASS: dict[type, PublicType] = {t.event_class: t for t in PUBLIC_TYPES}
BY_TOPIC: dict[str, PublicType] = {
    topic: t for t in PUBLIC_TYPES for topic in stored_topics([t.event_class])
}
# the topics of the published case events (the audit trail's events: cases/outbound/audit.py)
CASE_TOPICS: frozenset[str] = frozenset(
    topic for topic, t in BY_TOPIC.items() if t.event_class.aggregate == "case"
)


# payload fields the feed adds to an event's own (what the meeting or body is, the cases a
# protocol concerns, the appeal period a posting starts; declared as ``public.about`` and
# ``public.extra``): _concerns below
ADDED_FIELDS = frozenset(
    name for cls in EVENT_CLASSES if cls.public is not None
    for name in (*cls.public.about, *cls.public.extra)
)


def public_type(event: Any) -> PublicType | None:
    """The contract type of a domain event, or ``None`` for internal events."""
    return BY_CLASS.get(type(event))


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


def public_payload(event: Any, added: dict[str, Any] | None = None) -> dict[str, Any]:
    """The documented payload of a contract event: exactly its documented fields, from the
    event or, for what the feed adds (a meeting's ref, the cases concerned), ``added``."""
    kind = BY_CLASS[type(event)]
    added = added or {}
    return {
        name: _json_value(added[name] if name in added else getattr(event, name, None))
        for name in kind.fields
    }


def topics_for(names: Iterable[str]) -> list[str]:
    """The stored topics of the given public type names (unknown names raise ``KeyError``)."""
    return stored_topics(BY_NAME[name].event_class for name in names)


# -- reading -----------------------------------------------------------------------------


@dataclass
class FeedItem:
    position: int
    type: str
    case: str | None  # the dnr
    case_version: int | None  # None for an item of a meeting or a body
    business_date: str | None
    recorded_at: str
    actor: str | None
    request_id: str | None
    payload: dict[str, Any]
    withheld: list[str] = field(default_factory=list)  # payload fields nulled by secrecy
    case_title: str | None = None  # the case's title as the public sees it

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "type": self.type,
            "case": self.case,
            "case_title": self.case_title,
            "case_version": self.case_version,
            "business_date": self.business_date,
            "recorded_at": self.recorded_at,
            "actor": self.actor,
            "request_id": self.request_id,
            "payload": self.payload,
            "withheld": self.withheld,
        }


@dataclass
class FeedPage:
    items: list[FeedItem]
    next_after: int  # resume from here: everything up to it has been read (or skipped)
    head: int  # the last position looked at

    def as_dict(self) -> dict[str, Any]:
        return {
            "items": [i.as_dict() for i in self.items],
            "next_after": self.next_after,
            "head": self.head,
        }


DnrLookup = SubjectLookup  # the name audit.py and older callers use


def dnr_lookup(app: Diarium) -> SubjectLookup:
    """The application's shared :class:`SubjectLookup` (``resolve`` gives dnrs)."""
    lookup = getattr(app, "_feed_dnr_lookup", None)
    if lookup is None:
        lookup = SubjectLookup(app)
        app._feed_dnr_lookup = lookup  # type: ignore[attr-defined]
    return lookup


def _scan(app: Diarium, after: int, scan: int) -> list[tuple[int, str]]:
    """``(position, topic)`` of the next ``scan`` events after ``after``."""
    recorder = app.recorder
    events = recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    query = (
        select(events.c.id, events.c.topic)
        .where(events.c.id > after)
        .order_by(events.c.id)
        .limit(scan)
    )
    with recorder.datastore.engine.connect() as conn:  # type: ignore[attr-defined]
        return [(r[0], r[1]) for r in conn.execute(query).all()]


def read_feed(
    app: Diarium, after: int = 0, limit: int = 100, types: Sequence[str] = ()
) -> FeedPage:
    """The next contract events after position ``after`` (at most ``limit``), in log order.

    ``types`` restricts the items to those public type names; ``next_after`` still advances
    over the events that were looked at and skipped (internal ones too), so a follower does
    not read the same stretch of the log again.
    """
    limit = max(1, min(limit, MAX_LIMIT))
    wanted = set(topics_for(types)) if types else set(BY_TOPIC)
    scan = min(MAX_SCAN, limit * SCAN_FACTOR)  # room for skipped (internal/filtered) events
    rows = _scan(app, after, scan)
    head = rows[-1][0] if rows else after
    selected: list[int] = []
    cursor = after
    for position, topic in rows:
        cursor = position
        if topic in wanted:
            selected.append(position)
            if len(selected) >= limit:
                break
    return FeedPage(items=_items(app, selected, wanted), next_after=cursor, head=head)


# -- secrecy (OSL 5:2): the feed never carries withheld content -----------------------------

_SECRECY_EVENTS = (
    ev.CaseMarkedSecret, ev.CaseSecrecyLifted, ev.DocumentMarkedSecret, ev.DocumentSecrecyLifted,
)


@dataclass
class _Markings:
    case_fields: set[str]
    documents: dict[int, set[str]]
    statute: str | None = None  # of the case's marking in force


def _markings(app: Diarium, originators: set[UUID]) -> dict[UUID, _Markings]:
    """The secrecy markings in force now on these cases (read from their secrecy events)."""
    found: dict[UUID, _Markings] = {}
    for event in events_of(app, originators, stored_topics(_SECRECY_EVENTS)):
        marks = found.setdefault(event.originator_id, _Markings(set(), {}))
        if isinstance(event, ev.CaseMarkedSecret):
            marks.case_fields, marks.statute = set(event.fields), event.statute
        elif isinstance(event, ev.CaseSecrecyLifted):
            marks.case_fields, marks.statute = set(), None
        elif isinstance(event, ev.DocumentMarkedSecret):
            marks.documents[event.document_number] = set(event.fields)
        elif isinstance(event, ev.DocumentSecrecyLifted):
            marks.documents.pop(event.document_number, None)
    return found


def _withheld(event: Any, payload: dict[str, Any], marks: _Markings | None) -> list[str]:
    """The payload fields the case's markings cover (domain/secrecy.py), and a title that a
    public title replaces."""
    entity = EVENT_ENTITY.get(type(event))
    if entity is None:
        return []
    marked = marks.case_fields if marks is not None else set()
    fields = covered_by_case(marked, payload.get("public_title"), entity)
    number = payload.get("number") if entity == "document" else payload.get("document_number")
    if marks is not None and number in marks.documents:
        fields |= covered(marks.documents[number], entity, DOCUMENT_MARKING)
    return sorted(f for f in fields if f in payload)


def _case_title(case: Subject, marks: _Markings | None) -> str | None:
    """The case's title as anyone may read it: the public title where the title is withheld
    (by a marking, or because a public title is given)."""
    if case.kind != "case":
        return None
    marked = marks.case_fields if marks is not None else set()
    if "title" in covered_by_case(marked, case.public_title, "case"):
        return public_title(case.public_title, marks.statute if marks is not None else None)
    return case.title


@dataclass
class _Concerns:
    """What one event's item concerns: its case (if any) and what the feed adds to its
    payload."""

    case: UUID | None = None
    added: dict[str, Any] = field(default_factory=dict)
    cases: list[tuple[int, str]] = field(default_factory=list)  # (§, dnr) of a protocol


def _concerns(event: Any, subject: Subject, paragraphs: list[Any]) -> _Concerns:
    if subject.kind == "case":
        return _Concerns(case=event.originator_id)
    if subject.kind == "body":
        return _Concerns(added={"body": subject.key})
    if subject.kind != "meeting":
        return _Concerns()
    found = _Concerns(added={"meeting": subject.key, "body": subject.body})
    if isinstance(event, mev.ProtocolPosted):
        found.added["appeal_period_ends"] = appeal_period_end(event.occurred_on)
    places = [p for p in concerned(event, paragraphs) if p.dnr is not None]
    if "cases" in BY_CLASS[type(event)].fields:
        found.cases = [(p.number, p.dnr) for p in places]
    if getattr(event, "paragraph", None) is not None and places:
        found.case = case_id(places[0].dnr)
    return found


def _items(app: Diarium, positions: list[int], topics: set[str]) -> list[FeedItem]:
    if not positions:
        return []
    recorder = app.recorder
    events = recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    query = (
        select(events.c.id, events.c.originator_id, events.c.originator_version,
               events.c.topic, events.c.state)
        .where(events.c.id >= positions[0], events.c.id <= positions[-1])
        .where(events.c.topic.in_(sorted(topics)))
        .order_by(events.c.id)
    )
    keep = set(positions)
    with recorder.datastore.engine.connect() as conn:  # type: ignore[attr-defined]
        rows = [r for r in conn.execute(query).all() if r[0] in keep]
    decoded = [
        (position, app.mapper.to_domain_event(
            StoredEvent(originator, version, topic, bytes(state))))
        for position, originator, version, topic, state in rows
    ]
    lookup = dnr_lookup(app)
    subjects = lookup.subjects(e.originator_id for _, e in decoded)
    paragraphs = meeting_paragraphs(
        app, {o for o, s in subjects.items() if s.kind == "meeting"})
    concerns = [
        _concerns(e, subjects[UUID(str(e.originator_id))],
                  paragraphs.get(UUID(str(e.originator_id)), []))
        for _, e in decoded
    ]
    cases = {c.case for c in concerns if c.case is not None}
    cases |= {case_id(dnr) for c in concerns for _, dnr in c.cases}
    cases = {UUID(str(c)) for c in cases}
    markings = _markings(app, cases)
    case_subjects = lookup.subjects(cases)

    def title_of(case: UUID) -> str | None:
        return _case_title(case_subjects.get(case, NOTHING), markings.get(case))

    items = []
    for (position, event), concern in zip(decoded, concerns, strict=True):
        case = UUID(str(concern.case)) if concern.case is not None else None
        added = concern.added
        if "cases" in BY_CLASS[type(event)].fields:
            added["cases"] = [
                {"paragraph": number, "dnr": dnr, "case_title": title_of(case_id(dnr))}
                for number, dnr in concern.cases
            ]
        payload = public_payload(event, added)
        withheld = _withheld(event, payload, markings.get(case) if case else None)
        for name in withheld:
            payload[name] = None
        subject = case_subjects.get(case, NOTHING) if case else NOTHING
        items.append(FeedItem(
            position=position,
            type=BY_CLASS[type(event)].name,
            case=subject.key,
            case_version=event.originator_version if concern.case == event.originator_id
            else None,
            business_date=_json_value(getattr(event, "occurred_on", None)),
            recorded_at=event.timestamp.isoformat(),
            actor=getattr(event, "actor", None),
            request_id=getattr(event, "request_id", None),
            payload=payload,
            withheld=withheld,
            case_title=title_of(case) if case else None,
        ))
    return items


def wait_for_feed(
    app: Diarium,
    after: int,
    limit: int,
    types: Sequence[str],
    wait: float,
    *,
    interval: float = 0.2,
    sleep: Callable[[float], None] = time.sleep,
) -> FeedPage:
    """Long poll: return as soon as there are items, or after ``wait`` seconds with none.

    While nothing new is visible, only the cheap head position is polled, every ``interval``
    seconds; the returned page's ``next_after`` has moved over whatever was skipped.
    """
    deadline = time.monotonic() + max(0.0, wait)
    page = read_feed(app, after, limit, types)
    while not page.items and time.monotonic() < deadline:
        if (app.recorder.max_notification_id() or 0) <= page.next_after:
            sleep(min(interval, max(0.0, deadline - time.monotonic())))
            if (app.recorder.max_notification_id() or 0) <= page.next_after:
                continue
        page = read_feed(app, page.next_after, limit, types)
    return page
