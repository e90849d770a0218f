"""Tamper evidence: every stored event is chained by SHA-256 to the one before it.

The chain lives in a side table, ``<events table>_chain`` (``diarium_events_chain``), written by
:class:`ChainedApplicationRecorder` in the same transaction as the events themselves, after the
insert has taken the write lock (PostgreSQL: the library's ``LOCK TABLE ... IN EXCLUSIVE MODE``;
SQLite: the database write lock, taken by the ``INSERT`` that comes first). So no two writers can
read the same chain head, and the chain never forks, whatever the number of processes.

For each event at log position ``id`` with previous log position ``prev_id``::

    content   = sha256(len-prefixed originator_id, originator_version, topic, state)
    case_hash = sha256("diarium/case/v1" || previous case_hash of the same aggregate || content)
    log_hash  = sha256("diarium/log/v1" || previous log_hash || id || prev_id || case_hash)

``case_hash`` chains the events of one aggregate (a case), ``log_hash`` the whole log. The chain
row also keeps what the audit queries need without decoding events: the recording time (the
event's timestamp), the business date, the actor and the request id.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy_utils.types.uuid import UUIDType

from cases.reads import CoreEventReads

GENESIS = "0" * 64
HEADS_PER_QUERY = 1000  # aggregates' chain heads read per statement (see _links)
EVENTS_LOCKED = "diarium_events_locked"  # Session.info: this transaction holds the lock
PREPARED_HEADS = 16  # head statements with up to this many aggregates are built once
CASE_DOMAIN = b"diarium/case/v1"
LOG_DOMAIN = b"diarium/log/v1"

_metadata = MetaData()
_tables: dict[str, Table] = {}


def chain_table(events_table_name: str, schema_name: str | None = None) -> Table:
    """The chain table beside ``events_table_name`` (one definition per process)."""
    name = f"{events_table_name}_chain"
    key = f"{schema_name or ''}.{name}"
    if key not in _tables:
        _tables[key] = Table(
            name,
            _metadata,
            Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True,
                   autoincrement=False),
            Column("prev_id", BigInteger().with_variant(Integer(), "sqlite"), nullable=True),
            Column("originator_id", UUIDType(), nullable=False),
            Column("originator_version", BigInteger().with_variant(Integer(), "sqlite"),
                   nullable=False),
            Column("recorded_at", DateTime(timezone=False), nullable=True),  # UTC
            Column("occurred_on", Date(), nullable=True),
            Column("actor", String(200), nullable=True),
            Column("request_id", String(100), nullable=True),
            Column("case_hash", String(64), nullable=False),
            Column("log_hash", String(64), nullable=False),
            Index(f"{name}_aggregate_idx", "originator_id", "originator_version", unique=True),
            Index(f"{name}_recorded_idx", "recorded_at"),
            Index(f"{name}_actor_idx", "actor", "recorded_at"),
            schema=schema_name,
        )
    return _tables[key]


# -- hashing -----------------------------------------------------------------------------


def _part(value: bytes) -> bytes:
    return len(value).to_bytes(8, "big") + value


def content_digest(originator_id: UUID, version: int, topic: str, state: bytes) -> bytes:
    """The digest of one stored event's content, as the events table holds it."""
    return hashlib.sha256(
        _part(originator_id.bytes)
        + _part(version.to_bytes(8, "big", signed=True))
        + _part(topic.encode("utf-8"))
        + _part(bytes(state))
    ).digest()


def case_hash(previous: str | None, digest: bytes) -> str:
    """The next link of an aggregate's own chain."""
    return hashlib.sha256(CASE_DOMAIN + bytes.fromhex(previous or GENESIS) + digest).hexdigest()


def log_hash(previous: str | None, position: int, prev_position: int | None, case: str) -> str:
    """The next link of the whole log's chain."""
    return hashlib.sha256(
        LOG_DOMAIN
        + bytes.fromhex(previous or GENESIS)
        + position.to_bytes(8, "big", signed=True)
        + (prev_position or 0).to_bytes(8, "big", signed=True)
        + bytes.fromhex(case)
    ).hexdigest()


@dataclass(frozen=True)
class EventMeta:
    """What the chain row records about an event besides its hashes."""

    recorded_at: datetime | None
    occurred_on: date | None
    actor: str | None
    request_id: str | None


def event_meta(state: bytes) -> EventMeta:
    """Read timestamp, business date, actor and request id from a stored event's JSON state.

    Anything unreadable (a compressed or encrypted state, a foreign event) gives ``None``s.
    """
    try:
        data = json.loads(state)
        stamp = data.get("timestamp")
        recorded_at = None
        if isinstance(stamp, dict) and isinstance(stamp.get("_data_"), str):
            recorded_at = utc_naive(datetime.fromisoformat(stamp["_data_"]))
        day = data.get("occurred_on")
        occurred_on = (
            date.fromisoformat(day["_data_"])
            if isinstance(day, dict) and isinstance(day.get("_data_"), str)
            else None
        )
        actor = data.get("actor")
        request_id = data.get("request_id")
        return EventMeta(
            recorded_at,
            occurred_on,
            actor[:200] if isinstance(actor, str) else None,
            request_id[:100] if isinstance(request_id, str) else None,
        )
    except (ValueError, TypeError, AttributeError, UnicodeDecodeError):
        return EventMeta(None, None, None, None)


def utc_naive(moment: datetime) -> datetime:
    """``moment`` in UTC without tzinfo, the form the chain table stores (naive = UTC)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


# -- the recorder ------------------------------------------------------------------------


class ChainedApplicationRecorder(CoreEventReads, SQLAlchemyApplicationRecorder):
    """The library's application recorder, which also writes each event's chain row (and
    reads events with Core statements, cases/reads.py)."""

    def __init__(
        self, datastore: Any, *, events_table_name: str, schema_name: str | None = None
    ) -> None:
        super().__init__(
            datastore, events_table_name=events_table_name, schema_name=schema_name
        )
        self.chain_table = chain_table(events_table_name, schema_name)
        self.tables.append(self.chain_table)
        events = self.events_record_cls.__table__
        self._events_insert = insert(events).returning(events.c.id, sort_by_parameter_order=True)
        self._heads_statements: dict[int, Any] = {}
        self._chain_insert = self.chain_table.insert()

    def _insert_stored_events(
        self, session: Session, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int]:
        if not stored_events:
            return super()._insert_stored_events(session, stored_events, **kwargs)
        # What the library does (lock the table on PostgreSQL, so notification ids are
        # gapless and in commit order; insert; NOTIFY), with one Core INSERT ... RETURNING
        # instead of an ORM object per event, and the NOTIFY sent with the chain-head query
        # (see _heads_statement). After the insert this transaction holds the write lock on
        # both backends, so the chain head is stable.
        if not session.info.get(EVENTS_LOCKED):
            self._lock_table(session)
        connection = session.connection()
        ids = list(connection.execute(self._events_insert, [
            {"originator_id": e.originator_id, "originator_version": e.originator_version,
             "topic": e.topic, "state": e.state}
            for e in stored_events
        ]).scalars())
        connection.execute(self._chain_insert, self._links(session, stored_events, ids))
        return ids

    def lock_events_table(self, session: Session) -> None:
        """Take the lock every write takes before it inserts (PostgreSQL: ``LOCK TABLE ... IN
        EXCLUSIVE MODE``; plain reads go on) now, as the first statement of a transaction
        that must read under it; its insert then does not take it again."""
        self._lock_table(session)
        session.info[EVENTS_LOCKED] = True

    def _heads_statement(self, count: int) -> Any:
        """The log's head and the chain heads of ``count`` aggregates (bound as ``o0``…), one
        scalar subquery each; built once per ``count`` and reused (compiled once). On
        PostgreSQL it also notifies the events' channel (``pg_notify``, delivered at commit
        like the library's ``NOTIFY``; repeats within a transaction are folded into one),
        which saves that statement's round trip."""
        statement = self._heads_statements.get(count)
        if statement is None:
            table = self.chain_table
            last = select(table.c.id, table.c.log_hash).order_by(table.c.id.desc()).limit(1)
            last = last.subquery()
            statement = select(
                select(last.c.id).scalar_subquery(),
                select(last.c.log_hash).scalar_subquery(),
                *(
                    select(table.c.case_hash)
                    .where(table.c.originator_id == bindparam(f"o{i}"))
                    .order_by(table.c.originator_version.desc())
                    .limit(1)
                    .scalar_subquery()
                    for i in range(count)
                ),
                *self._notify_columns(),
            )
            if count <= PREPARED_HEADS:
                self._heads_statements[count] = statement
        return statement

    def _notify_columns(self) -> list[Any]:
        if self.datastore.engine.dialect.name != "postgresql":
            return []
        return [func.pg_notify(literal(self.channel_name), literal(""))]

    def _links(
        self, session: Session, stored_events: Sequence[StoredEvent], ids: Sequence[int]
    ) -> list[dict[str, Any]]:
        pairs = sorted(zip(ids, stored_events, strict=True), key=lambda p: p[0])
        # An aggregate whose first event here is its first event of all has no chain yet
        # (e.g. a case being registered): only the others' heads need reading.
        first: dict[UUID, int] = {}
        for _, e in pairs:
            first.setdefault(UUID(str(e.originator_id)), e.originator_version)
        case_heads: dict[UUID, str | None] = {o: None for o, v in first.items() if v <= 1}
        originators = [o for o, v in first.items() if v > 1]
        # The log's head and the head of each aggregate's own chain, one scalar subquery each,
        # in as few round trips as the backends allow: a select list is capped (PostgreSQL:
        # 1,664 target entries; SQLite: 2,000 columns), so the heads go HEADS_PER_QUERY at a time.
        prev_id = prev_log = None
        for start in range(0, max(len(originators), 1), HEADS_PER_QUERY):
            chunk = originators[start:start + HEADS_PER_QUERY]
            bound = {f"o{i}": originator for i, originator in enumerate(chunk)}
            found = session.execute(self._heads_statement(len(chunk)), bound).one()
            if start == 0:
                prev_id, prev_log = found[0], found[1]
            case_heads.update(zip(chunk, found[2:2 + len(chunk)], strict=True))
        rows = []
        for position, event in pairs:
            originator = UUID(str(event.originator_id))
            digest = content_digest(originator, event.originator_version, event.topic,
                                    event.state)
            this_case = case_hash(case_heads[originator], digest)
            this_log = log_hash(prev_log, position, prev_id, this_case)
            meta = event_meta(event.state)
            rows.append({
                "id": position,
                "prev_id": prev_id,
                "originator_id": originator,
                "originator_version": event.originator_version,
                "recorded_at": meta.recorded_at,
                "occurred_on": meta.occurred_on,
                "actor": meta.actor,
                "request_id": meta.request_id,
                "case_hash": this_case,
                "log_hash": this_log,
            })
            case_heads[originator] = this_case
            prev_id, prev_log = position, this_log
        return rows
