"""Tamper evidence: every stored event is chained by SHA-256 to the one before it.

The chain lives in a side table, ``<events table>_chain`` (``diarium_events_chain``), written by
``ChainedApplicationRecorder`` (cases/store/overrides.py) in the same transaction as the events
themselves, after the insert has taken the write lock (PostgreSQL: the library's ``LOCK TABLE
... IN EXCLUSIVE MODE``; SQLite: the database write lock, taken by the ``INSERT`` that comes
first). So no two writers can read the same chain head, and the chain never forks, whatever
the number of processes.

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
from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID

from sqlalchemy import BigInteger, Column, Date, DateTime, Index, Integer, MetaData, String, Table
from sqlalchemy_utils.types.uuid import UUIDType

GENESIS = "0" * 64
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
