"""Chain verification: the event log walked beside its hash chain (cases/store/chain.py),
every disagreement reported as a finding (an event altered, removed, inserted or out of order,
the chain itself edited, the log cut off), for the whole log or one case's own chain."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import select

from diarium.cases.store.chain import GENESIS, case_hash, content_digest, event_meta, log_hash
from diarium.cases.store.topics import stored_topics
from diarium.domain.dnr import case_id
from diarium.domain.events import case as ev

if TYPE_CHECKING:
    from diarium.cases.application import Diarium

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
    progress: Callable[[int], None] | None = None,
) -> Verification:
    """Walk the log and its chain in position order and report every disagreement.

    ``expect_head`` is a ``(position, log_hash)`` recorded earlier outside the database (e.g.
    printed by a previous run): it detects the one thing a chain cannot show by itself, events
    cut off at the end. ``progress`` is told each position checked (web/cli/progress.py).
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
                if progress is not None:
                    progress(position)
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
                if progress is not None:
                    progress(position)
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
