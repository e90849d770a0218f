"""Auditors' tools: point-in-time reads, history across cases, registers as of a date (chain
verification: chain_verification.py).

Everything here is computed from the event log (and the chain table written beside it); nothing
depends on projections. Two clocks are kept apart throughout:

* **recording time** (``as_of``/``known_at``): when the diarium learned of an event, the event's
  timestamp. "What did we know on day X."
* **business date** (``occurred_by``/``on``): the date the event concerns (``occurred_on``).
  "What had happened by day X", including what was recorded later about that day.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import func, select

from diarium.cases.application import CaseNotFound
from diarium.cases.outbound import feed
from diarium.cases.store.chain import (
    utc_naive,
)
from diarium.cases.store.event_rows import decoded
from diarium.cases.store.topics import stored_topics
from diarium.domain.case.aggregate import Case
from diarium.domain.dnr import case_id
from diarium.domain.events import case as ev

if TYPE_CHECKING:
    from diarium.cases.application import Diarium

# -- errors ------------------------------------------------------------------------------


class CaseNotYetKnown(CaseNotFound):
    """The case exists now but did not at the moment asked about."""

    def __init__(self, dnr: str, moment: str) -> None:
        LookupError.__init__(self, f"Case {dnr} was not yet registered {moment}")
        self.dnr = dnr


# -- point in time -----------------------------------------------------------------------------


def apply_tolerantly(case: Case | None, event: Any) -> Case | None:
    """Apply ``event`` to ``case`` even when earlier events were left out by a date filter.

    A case whose registration is filtered out does not exist yet; answers and extracts whose
    referral or decision is filtered out are left out too.
    """
    if case is None:
        return event.mutate(None) if isinstance(event, ev.CaseRegistered) else None
    if isinstance(event, ev.ReferralAnswered):
        referral = next((r for r in case.referrals if r.number == event.referral_number), None)
        if referral is not None:
            referral.answers[event.recipient] = event.occurred_on
    elif isinstance(event, ev.ProtocolExtractSent):
        decision = next((d for d in case.decisions if d.number == event.decision_number), None)
        if decision is not None:
            decision.extracts[event.recipient] = event.occurred_on
    else:
        event.apply(case)
    case.version = event.originator_version
    case.modified_on = event.timestamp
    return case


def version_at(app: Diarium, dnr: str, moment: datetime) -> int | None:
    """The case's version as known at ``moment`` (recording time), or ``None`` before it."""
    originator = case_id(dnr)
    chain = app.recorder.chain_table  # type: ignore[attr-defined]
    with app.recorder.datastore.engine.connect() as conn:  # type: ignore[attr-defined]
        chained, version = conn.execute(
            select(func.count(), func.max(chain.c.originator_version).filter(
                chain.c.recorded_at <= utc_naive(moment)))
            .where(chain.c.originator_id == originator)
        ).one()
    if chained:
        return version
    # not chained (written before the chain existed): decode the events' timestamps
    found = None
    for event in app.events.get(originator):
        if event.timestamp <= moment:
            found = event.originator_version
    return found


def case_as_of(
    app: Diarium,
    dnr: str,
    *,
    version: int | None = None,
    at: datetime | None = None,
    occurred_by: date | None = None,
) -> Case:
    """The case as it was: at ``version``, or as known at ``at``; restricted to events whose
    business date is on or before ``occurred_by`` when that is given."""
    upto = version
    if at is not None:
        known = version_at(app, dnr, at)
        if known is None:
            if not app.recorder.select_events(case_id(dnr), limit=1):
                raise CaseNotFound(dnr)
            raise CaseNotYetKnown(dnr, f"at {at.isoformat()}")
        upto = known if upto is None else min(upto, known)
    if occurred_by is None:
        return app.get_case(dnr, version=upto)  # raises CaseNotFound
    if not app.recorder.select_events(case_id(dnr), limit=1):
        raise CaseNotFound(dnr)
    case: Case | None = None
    for event in app.events.get(case_id(dnr), lte=upto):
        if event.occurred_on <= occurred_by:
            case = apply_tolerantly(case, event)
    if case is None:
        raise CaseNotYetKnown(dnr, f"by {occurred_by.isoformat()} (business date)")
    return case


# -- history -----------------------------------------------------------------------------------


def _history_row(app: Diarium, position: int | None, event: Any, dnr: str | None,
                 link: Any) -> dict[str, Any]:
    kind = feed.public_type(event)
    return {
        "position": position,
        "case": dnr,
        "case_version": event.originator_version,
        "type": type(event).__name__,
        "public_type": kind.name if kind else None,
        "recorded_at": event.timestamp.isoformat(),
        "occurred_on": _iso(getattr(event, "occurred_on", None)),
        "actor": getattr(event, "actor", None),
        "request_id": getattr(event, "request_id", None),
        "data": feed.public_payload(event) if kind else {},
        "case_hash": link.case_hash if link is not None else None,
        "log_hash": link.log_hash if link is not None else None,
    }


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def case_audit_history(app: Diarium, dnr: str) -> list[dict[str, Any]]:
    """Every event of the case with position, actor, both clocks, request and hashes."""
    originator = case_id(dnr)
    events = app.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    chain = app.recorder.chain_table  # type: ignore[attr-defined]
    query = (
        select(events.c.id, events.c.originator_version, events.c.topic, events.c.state,
               chain.c.case_hash, chain.c.log_hash)
        .select_from(events.outerjoin(chain, chain.c.id == events.c.id))
        .where(events.c.originator_id == originator)
        .order_by(events.c.originator_version)
    )
    with app.recorder.datastore.engine.connect() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(query).all()
    if not rows:
        raise CaseNotFound(dnr)
    history = []
    for position, version, topic, state, c_hash, l_hash in rows:
        event = decoded(app, originator, version, topic, state)
        link = _Link(c_hash, l_hash) if c_hash else None
        history.append(_history_row(app, position, event, dnr, link))
    return history


@dataclass(frozen=True)
class _Link:
    case_hash: str
    log_hash: str


@dataclass(frozen=True)
class EventFilter:
    """Which events an audit asks for: by one actor and/or in a window of either clock
    (bounds inclusive; ``None``: no bound)."""

    actor: str | None = None
    recorded_from: datetime | None = None
    recorded_to: datetime | None = None
    occurred_from: date | None = None
    occurred_to: date | None = None

    def conditions(self, chain: Any) -> list[Any]:
        """The filter as conditions on the chain table's columns."""
        wanted = []
        if self.actor is not None:
            wanted.append(chain.c.actor == self.actor)
        if self.recorded_from is not None:
            wanted.append(chain.c.recorded_at >= utc_naive(self.recorded_from))
        if self.recorded_to is not None:
            wanted.append(chain.c.recorded_at <= utc_naive(self.recorded_to))
        if self.occurred_from is not None:
            wanted.append(chain.c.occurred_on >= self.occurred_from)
        if self.occurred_to is not None:
            wanted.append(chain.c.occurred_on <= self.occurred_to)
        return wanted


def audit_events(
    app: Diarium, wanted: EventFilter, *, after: int = 0, limit: int = 100
) -> tuple[list[dict[str, Any]], int | None]:
    """Events across all cases that ``wanted`` asks for, in log order.

    Returns the rows and the position to continue after (``None`` when there is no more).
    Uses the chain table's indexes; events written before the chain existed are not found here.
    """
    chain = app.recorder.chain_table  # type: ignore[attr-defined]
    events = app.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    query = (
        select(events.c.id, events.c.originator_id, events.c.originator_version,
               events.c.topic, events.c.state, chain.c.case_hash, chain.c.log_hash)
        .select_from(chain.join(events, events.c.id == chain.c.id))
        .where(chain.c.id > after)
        .where(events.c.topic.in_(sorted(feed.CASE_TOPICS)))
        .where(*wanted.conditions(chain))
    )
    query = query.order_by(chain.c.id).limit(limit + 1)
    with app.recorder.datastore.engine.connect() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(query).all()
    more = len(rows) > limit
    rows = rows[:limit]
    dnrs = feed.dnr_lookup(app).resolve(r[1] for r in rows)
    out = []
    for position, originator, version, topic, state, c_hash, l_hash in rows:
        event = decoded(app, originator, version, topic, state)
        out.append(_history_row(app, position, event, dnrs.get(UUID(str(originator))),
                                _Link(c_hash, l_hash)))
    return out, (rows[-1][0] if more and rows else None)


# -- registers as of a date ----------------------------------------------------------------------

REGISTERS = ("cases", "documents", "decisions")


def _case_events(app: Diarium, batch: int = 2000) -> Iterator[Any]:
    topics = stored_topics(ev.CASE_EVENTS)
    after = 0
    while True:
        notifications = app.recorder.select_notifications(
            after, batch, topics=topics, inclusive_of_start=False
        )
        for notification in notifications:
            yield app.mapper.to_domain_event(notification)
        if len(notifications) < batch:
            return
        after = notifications[-1].id


def cases_as_of(
    app: Diarium, *, on: date | None = None, known_at: datetime | None = None
) -> Iterable[Case]:
    """Every case replayed from the log, keeping events that had happened by ``on`` (business
    date) and that were recorded by ``known_at``."""
    cases: dict[UUID, Case | None] = {}
    for event in _case_events(app):
        if on is not None and event.occurred_on > on:
            continue
        if known_at is not None and event.timestamp > known_at:
            continue
        cases[event.originator_id] = apply_tolerantly(cases.get(event.originator_id), event)
    return [c for c in cases.values() if c is not None]


def register_as_of(
    app: Diarium, name: str, *, on: date | None = None, known_at: datetime | None = None,
    bodies: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """One of :data:`REGISTERS` as it stood, computed from the log alone: of the cases of
    ``bodies`` (all when empty). Secret content is in it: withhold it before showing it."""
    rows: list[dict[str, Any]] = []
    scope = set(bodies)
    for case in sorted(cases_as_of(app, on=on, known_at=known_at),
                       key=lambda c: (c.year, c.sequence, c.dnr)):
        if scope and case.responsible_body not in scope:
            continue
        if name == "cases":
            rows.append({
                "dnr": case.dnr, "title": case.title, "public_title": case.public_title,
                "responsible_body": case.responsible_body, "unit": case.unit,
                "officer": case.officer, "registered_on": case.registered_on.isoformat(),
                "status": str(case.status), "closed_on": _iso(case.closed_on),
                "documents": len(case.documents), "decisions": len(case.decisions),
            })
        elif name == "documents":
            rows.extend({
                "dnr": case.dnr, "number": d.number, "date": d.date.isoformat(),
                "direction": d.direction, "counterpart": d.counterpart,
                "description": d.description,
            } for d in case.documents)
        elif name == "decisions":
            rows.extend({
                "dnr": case.dnr, "number": d.number, "decided_on": d.decided_on.isoformat(),
                "kind": d.kind, "body": d.body, "paragraph": d.paragraph,
                "delegate": d.delegate, "delegation_point": d.delegation_point,
                "higher_body": d.higher_body, "text": d.text,
                "extracts_sent_to": sorted(d.extracts),
            } for d in case.decisions)
        else:
            raise KeyError(name)
    if name == "decisions":
        rows.sort(key=lambda r: (r["decided_on"], r["body"] or "", r["paragraph"] or 0, r["dnr"]))
    elif name == "documents":
        rows.sort(key=lambda r: (r["date"], r["dnr"], r["number"]))
    return rows


def end_of_day(day: date) -> datetime:
    """The last moment of ``day`` in Swedish time (for "known on day X")."""
    from diarium.cases.application import STOCKHOLM

    return datetime.combine(day, time.max, tzinfo=STOCKHOLM)
