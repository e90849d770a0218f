"""Auditors' tools: chain verification, point-in-time reads, history across cases, registers.

Everything here is computed from the event log (and the chain table written beside it); nothing
depends on projections. Two clocks are kept apart throughout:

* **recording time** (``as_of``/``known_at``): when the diarium learned of an event, the event's
  timestamp. "What did we know on day X."
* **business date** (``occurred_by``/``on``): the date the event concerns (``occurred_on``).
  "What had happened by day X", including what was recorded later about that day.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from sqlalchemy import func, select

from diarium.cases.application import CaseNotFound
from diarium.cases.outbound import feed
from diarium.cases.store.chain import (
    GENESIS,
    case_hash,
    content_digest,
    event_meta,
    log_hash,
    utc_naive,
)
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


# -- verification --------------------------------------------------------------------------

ALTERED = "altered"
REMOVED = "removed"
INSERTED = "inserted"
OUT_OF_ORDER = "out_of_order"
CHAIN_ALTERED = "chain_altered"
TRUNCATED = "truncated"


@dataclass(frozen=True)
class Finding:
    """One place where the log and its chain disagree."""

    position: int
    kind: str
    detail: str
    case: str | None = None
    version: int | None = None


@dataclass
class Verification:
    """The outcome of walking the whole log: ``ok`` when nothing was found."""

    checked: int = 0
    head_position: int | None = None
    head_hash: str | None = None
    findings: list[Finding] = field(default_factory=list)
    truncated_findings: bool = False

    @property
    def ok(self) -> bool:
        return not self.findings

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "head": {"position": self.head_position, "log_hash": self.head_hash},
            "findings": [asdict(f) for f in self.findings],
            "more_findings": self.truncated_findings,
        }


def _pages(conn: Any, query: Any, id_column: Any, batch: int) -> Iterator[Any]:
    last: int | None = None
    while True:
        q = query if last is None else query.where(id_column > last)
        rows = conn.execute(q.order_by(id_column).limit(batch)).all()
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1][0]


def verify_chain(
    app: Diarium,
    *,
    batch: int = 2000,
    max_findings: int = 1000,
    expect_head: tuple[int, str] | None = None,
) -> Verification:
    """Walk the log and its chain in position order and report every disagreement.

    ``expect_head`` is a ``(position, log_hash)`` recorded earlier outside the database (e.g.
    printed by a previous run): it detects the one thing a chain cannot show by itself, events
    cut off at the end.
    """
    recorder = app.recorder
    events = recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    chain = recorder.chain_table  # type: ignore[attr-defined]
    result = Verification()
    registered = stored_topics([ev.CaseRegistered])
    names: dict[UUID, str] = {}
    case_heads: dict[UUID, tuple[int, str]] = {}  # aggregate -> (version, stored case_hash)
    last_id: int | None = None
    last_log: str | None = None

    def report(position: int, kind: str, detail: str, originator: Any = None,
               version: int | None = None) -> None:
        if len(result.findings) >= max_findings:
            result.truncated_findings = True
            return
        name = names.get(originator) if originator is not None else None
        if originator is not None and name is None:
            name = str(originator)
        result.findings.append(Finding(position, kind, detail, name, version))

    with recorder.datastore.engine.connect() as conn:  # type: ignore[attr-defined]
        event_rows = _pages(conn, select(events.c.id, events.c.originator_id,
                                         events.c.originator_version, events.c.topic,
                                         events.c.state), events.c.id, batch)
        chain_rows = _pages(conn, select(chain), chain.c.id, batch)
        event = next(event_rows, None)
        link = next(chain_rows, None)
        while event is not None or link is not None:
            if link is None or (event is not None and event[0] < link.id):
                position, originator, version, topic, state = event  # type: ignore[misc]
                originator = UUID(str(originator))
                _remember_name(names, originator, version, topic, state, registered)
                report(position, INSERTED,
                       f"Event {position} has no link in the hash chain: it was written "
                       "outside the diarium (inserted by hand).", originator, version)
                result.checked += 1
                event = next(event_rows, None)
                continue
            originator = UUID(str(link.originator_id))
            if event is None or link.id < event[0]:
                report(link.id, REMOVED,
                       f"Event {link.id} (version {link.originator_version}) is in the hash "
                       "chain but missing from the log: it was deleted.",
                       originator, link.originator_version)
            else:
                position, e_originator, version, topic, state = event
                e_originator = UUID(str(e_originator))
                _remember_name(names, e_originator, version, topic, state, registered)
                _check_event(report, link, e_originator, version, topic, _raw(state),
                             case_heads.get(originator))
                result.checked += 1
                event = next(event_rows, None)
            # the chain's own links
            if link.prev_id != last_id:
                if link.prev_id is not None and (last_id is None or link.prev_id > last_id):
                    report(link.prev_id, REMOVED,
                           f"Event {link.prev_id} is missing from the log and the chain "
                           f"(event {link.id} was chained to it): it was deleted.")
                else:
                    report(last_id or link.id, INSERTED,
                           f"Event {last_id} was not in the chain when event {link.id} "
                           "was written: it was inserted afterwards.")
            elif link.log_hash != log_hash(last_log, link.id, link.prev_id, link.case_hash):
                report(link.id, CHAIN_ALTERED,
                       f"The chain link of event {link.id} was edited (log hash mismatch).",
                       originator, link.originator_version)
            case_heads[originator] = (link.originator_version, link.case_hash)
            last_id, last_log = link.id, link.log_hash
            link = next(chain_rows, None)
    result.head_position, result.head_hash = last_id, last_log
    result.findings.sort(key=lambda f: f.position)
    if expect_head is not None:
        _check_expected_head(app, result, expect_head)
    return result


def _raw(state: Any) -> bytes:
    """Stored state as bytes, even after a hand edit turned the column's value into text."""
    return state.encode("utf-8") if isinstance(state, str) else bytes(state)


def _remember_name(names: dict[UUID, str], originator: UUID, version: int, topic: str,
                   state: Any, registered: list[str]) -> None:
    if version == 1 and topic in registered and originator not in names:
        with contextlib.suppress(ValueError, KeyError, TypeError):
            names[originator] = json.loads(_raw(state))["dnr"]


def _check_event(report: Any, link: Any, originator: UUID, version: int, topic: str,
                 state: bytes, previous: tuple[int, str] | None) -> None:
    chained_to = UUID(str(link.originator_id))
    if originator != chained_to or version != link.originator_version:
        report(link.id, ALTERED,
               f"Event {link.id} now claims aggregate {originator} version {version}; it was "
               f"recorded as {chained_to} version {link.originator_version}.",
               chained_to, link.originator_version)
        return
    expected_version = previous[0] + 1 if previous else 1
    if version != expected_version:
        if version > expected_version:
            report(link.id, REMOVED,
                   f"Versions {expected_version}..{version - 1} of this case are missing "
                   f"before event {link.id}: they were deleted.", originator, version)
        else:
            report(link.id, OUT_OF_ORDER,
                   f"Event {link.id} is version {version} but version {expected_version} "
                   "was expected: events were inserted or renumbered out of order.",
                   originator, version)
        return
    digest = content_digest(originator, version, topic, state)
    if case_hash(previous[1] if previous else GENESIS, digest) != link.case_hash:
        report(link.id, ALTERED,
               f"Event {link.id} (version {version}) no longer matches its hash: its topic "
               "or state was changed.", originator, version)
        return
    meta = event_meta(state)
    recorded = (link.recorded_at, link.occurred_on, link.actor, link.request_id)
    if recorded != (meta.recorded_at, meta.occurred_on, meta.actor, meta.request_id):
        report(link.id, CHAIN_ALTERED,
               f"The audit columns of event {link.id} (actor, times, request) were edited.",
               originator, version)


def _check_expected_head(app: Diarium, result: Verification, head: tuple[int, str]) -> None:
    position, expected = head
    chain = app.recorder.chain_table  # type: ignore[attr-defined]
    with app.recorder.datastore.engine.connect() as conn:  # type: ignore[attr-defined]
        stored = conn.execute(select(chain.c.log_hash).where(chain.c.id == position)).scalar()
    if stored is None:
        result.findings.append(Finding(position, TRUNCATED,
                                       f"Event {position}, a head recorded earlier, is gone: "
                                       "the log was cut off."))
    elif stored != expected:
        result.findings.append(Finding(position, CHAIN_ALTERED,
                                       f"The chain up to event {position} differs from the "
                                       "head recorded earlier: it was rewritten."))


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
        event = app.mapper.to_domain_event(StoredEvent(originator, version, topic, bytes(state)))
        link = _Link(c_hash, l_hash) if c_hash else None
        history.append(_history_row(app, position, event, dnr, link))
    return history


@dataclass(frozen=True)
class _Link:
    case_hash: str
    log_hash: str


def audit_events(
    app: Diarium,
    *,
    actor: str | None = None,
    recorded_from: datetime | None = None,
    recorded_to: datetime | None = None,
    occurred_from: date | None = None,
    occurred_to: date | None = None,
    after: int = 0,
    limit: int = 100,
) -> tuple[list[dict[str, Any]], int | None]:
    """Events across all cases by one actor and/or in a time window, in log order.

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
        .where(events.c.topic.in_(sorted(feed.BY_TOPIC)))
    )
    if actor is not None:
        query = query.where(chain.c.actor == actor)
    if recorded_from is not None:
        query = query.where(chain.c.recorded_at >= utc_naive(recorded_from))
    if recorded_to is not None:
        query = query.where(chain.c.recorded_at <= utc_naive(recorded_to))
    if occurred_from is not None:
        query = query.where(chain.c.occurred_on >= occurred_from)
    if occurred_to is not None:
        query = query.where(chain.c.occurred_on <= occurred_to)
    query = query.order_by(chain.c.id).limit(limit + 1)
    with app.recorder.datastore.engine.connect() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(query).all()
    more = len(rows) > limit
    rows = rows[:limit]
    dnrs = feed.dnr_lookup(app).resolve(r[1] for r in rows)
    out = []
    for position, originator, version, topic, state, c_hash, l_hash in rows:
        event = app.mapper.to_domain_event(StoredEvent(originator, version, topic, bytes(state)))
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


# -- one case's chain ----------------------------------------------------------------------------


def verify_case(app: Diarium, dnr: str) -> list[Finding]:
    """Check one case's own hash chain (for an export): its findings, empty when intact."""
    originator = case_id(dnr)
    events = app.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    chain = app.recorder.chain_table  # type: ignore[attr-defined]
    findings: list[Finding] = []

    def report(position: int, kind: str, detail: str, originator: Any = None,
               version: int | None = None) -> None:
        findings.append(Finding(position, kind, detail, dnr, version))

    with app.recorder.datastore.engine.connect() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(
            select(events.c.id, events.c.originator_version, events.c.topic, events.c.state)
            .where(events.c.originator_id == originator).order_by(events.c.originator_version)
        ).all()
        links = {r.id: r for r in conn.execute(
            select(chain).where(chain.c.originator_id == originator)
        ).all()}
    previous: tuple[int, str] | None = None
    for position, version, topic, state in rows:
        link = links.pop(position, None)
        if link is None:
            report(position, INSERTED, f"Event {position} has no link in the hash chain.",
                   None, version)
            continue
        _check_event(report, link, originator, version, topic, _raw(state), previous)
        previous = (link.originator_version, link.case_hash)
    for position, link in sorted(links.items()):
        report(position, REMOVED, f"Event {position} is in the chain but missing from the log.",
               None, link.originator_version)
    return sorted(findings, key=lambda f: f.position)
