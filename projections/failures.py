"""Events a projection could not apply: recorded, then skipped (the default) or stopped at.

One bad event (a text PostgreSQL cannot store, a number beyond a column) must not wedge a
register for good. The projector applies batches as they are; when an event fails it redoes
that transaction with each projection's share of a batch in a savepoint, and if that fails,
applies the events one by one (projections/applying.py); each event that fails alone is recorded
here (projection, generation, position, event type, aggregate, error class and the first line
of its message, never the event's content) in the batch's transaction. Then, per projection
(``DIARIUM_PROJECTION_ON_FAILURE``: ``skip``, ``stop``, or ``diary=stop,decisions=skip``;
default ``skip``), it goes on past the event or stops before it until the failure is
acknowledged (``diarium projections acknowledge NAME``). Errors of the store itself
(connection, lock, missing table: DB-API ``OperationalError``, ``InterfaceError``,
``ProgrammingError``, ``InternalError``) are not the event's fault: the batch fails and is
retried as before.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    String,
    Table,
    and_,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection

from diarium.projections.tables import ACTIVE, POSITION, tracking, tracking_metadata

SKIP, STOP = "skip", "stop"
SETTING = "DIARIUM_PROJECTION_ON_FAILURE"
SYSTEMIC = {"OperationalError", "InterfaceError", "ProgrammingError", "InternalError"}
MESSAGE_LENGTH = 160
_QUOTED = re.compile(r'"[^"]*"|\'[^\']*\'')  # a value a driver quotes in its message

failures = Table(
    "diarium_projection_failures",
    tracking_metadata,
    Column("name", String(64), primary_key=True),
    Column("generation", Integer, primary_key=True, autoincrement=False),
    Column("position", POSITION, primary_key=True, autoincrement=False),
    Column("event_type", String(200), nullable=False),
    Column("originator_id", String(36), nullable=False),
    Column("originator_version", Integer, nullable=False),
    Column("error", String(MESSAGE_LENGTH + 100), nullable=False),
    Column("action", String(16), nullable=False),  # skipped | stopped
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("acknowledged_at", DateTime(timezone=True)),
)


def policies(setting: str | None, names: Iterable[str]) -> dict[str, str]:
    """Each projection's policy from ``skip``, ``stop`` or ``name=policy,...`` (else skip)."""
    found = dict.fromkeys(names, SKIP)
    for part in (setting or "").split(","):
        name, _, policy = part.strip().rpartition("=")
        if policy.strip() not in (SKIP, STOP):
            continue
        for target in [name.strip()] if name else list(found):
            if target in found:
                found[target] = policy.strip()
    return found


def from_environment(names: Iterable[str]) -> dict[str, str]:
    return policies(os.environ.get(SETTING), names)


def systemic(error: BaseException) -> bool:
    """Whether ``error`` is the store's (retry the batch) rather than the event's."""
    underlying = getattr(error, "orig", None) or error
    return any(
        kind.__name__ in SYSTEMIC for e in (error, underlying) for kind in type(e).__mro__
    )


def describe(error: BaseException) -> str:
    """The error's class and the first line of its message, quoted values left out and cut
    short (a driver's message, not SQLAlchemy's, which carries the statement's parameters)."""
    underlying = getattr(error, "orig", None) or error
    lines = str(underlying).strip().splitlines()
    first = _QUOTED.sub("…", lines[0])[:MESSAGE_LENGTH] if lines else ""
    return f"{type(underlying).__name__}: {first}" if first else type(underlying).__name__


def record(
    conn: Connection, name: str, generation: int, position: int, event: Any,
    error: BaseException, action: str,
) -> str:
    """Note in the batch's transaction that ``event`` at ``position`` failed; returns what
    to do: ``skipped`` where an operator acknowledged it as such (``acknowledge(skip=True)``),
    else ``action`` (a failure seen again, e.g. a stopped event retried after an
    acknowledgement, is open again)."""
    key = and_(failures.c.name == name, failures.c.generation == generation,
               failures.c.position == position)
    found = conn.execute(select(failures.c.action, failures.c.acknowledged_at).where(key)).first()
    if found is not None and found.acknowledged_at is not None and found.action == "skipped":
        return "skipped"
    values = {"error": describe(error), "action": action, "recorded_at": datetime.now(UTC),
              "acknowledged_at": None}
    if found is not None:
        conn.execute(update(failures).where(key).values(**values))
        return action
    conn.execute(insert(failures).values(
        name=name, generation=generation, position=position,
        event_type=type(event).__name__, originator_id=str(event.originator_id),
        originator_version=event.originator_version, **values,
    ))
    return action


def _open_of_active(conn: Connection, names: Iterable[str]) -> Any:
    """Unacknowledged failures of the active generations of ``names``."""
    return (
        select(failures)
        .join(tracking, and_(tracking.c.name == failures.c.name,
                             tracking.c.generation == failures.c.generation))
        .where(tracking.c.state == ACTIVE, failures.c.name.in_(list(names)),
               failures.c.acknowledged_at.is_(None))
        .order_by(failures.c.name, failures.c.position)
    )


def open_failures(conn: Connection, names: Iterable[str]) -> list[dict[str, Any]]:
    """Every unacknowledged failure of the active generations, as plain dicts."""
    return [
        {**row._asdict(), "recorded_at": row.recorded_at.isoformat()
         if hasattr(row.recorded_at, "isoformat") else str(row.recorded_at)}
        for row in conn.execute(_open_of_active(conn, names))
    ]


def stopped_in(conn: Connection, generations: list[tuple[str, int]]) -> set[str]:
    """Which of these (projection, generation) stopped before an event, unacknowledged."""
    if not generations:
        return set()
    query = select(failures.c.name, failures.c.generation).where(
        failures.c.action == "stopped", failures.c.acknowledged_at.is_(None),
        failures.c.name.in_([name for name, _ in generations]),
    )
    return {name for name, generation in conn.execute(query) if (name, generation) in
            set(generations)}


def acknowledge(conn: Connection, name: str, *, skip: bool = False) -> int:
    """Acknowledge every open failure of projection ``name``. A stopped projection then
    retries its event (after a fix), or with ``skip`` goes on past it."""
    values: dict[str, Any] = {"acknowledged_at": datetime.now(UTC)}
    if skip:
        values["action"] = "skipped"
    return conn.execute(
        update(failures)
        .where(failures.c.name == name, failures.c.acknowledged_at.is_(None))
        .values(**values)
    ).rowcount
