"""Where each projection generation stands in the log: its tracking row, locked for a batch's
transaction and moved in it, together with the rows the batch wrote.

Locking: on PostgreSQL ``SELECT ... FOR UPDATE SKIP LOCKED`` (a second worker skips a busy
projection and tries again later); on SQLite the first statement is an ``UPDATE`` of the
tracking rows, which takes the database write lock, so a second process waits and then reads
the advanced position. A position moves with a compare-and-set on the one it was locked at.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.engine import Connection

from diarium.projections import failures
from diarium.projections.tables import tracking


class PositionMoved(RuntimeError):
    """Another worker advanced the projection between our lock and our write (cannot happen
    while the lock holds; kept as a guard, it rolls the batch back)."""


@dataclass(frozen=True)
class State:
    name: str
    generation: int
    state: str
    position: int
    events: int
    updated_at: datetime
    fingerprint: str | None = None

    @classmethod
    def of(cls, row: Any) -> State:
        return cls(**row._asdict())


@dataclass(frozen=True)
class Batch:
    """What one batch did: notifications read and the position reached (None: no progress)."""

    read: int
    position: int | None
    behind: int = 0  # notifications after ``position`` up to the head the batch saw

    @property
    def progressed(self) -> bool:
        return self.position is not None


@dataclass
class Held:
    """The projections one transaction locked (as they were), their positions as its batches
    moved them, the events applied since, and the head its batches read up to."""

    locked: list[State]
    positions: dict[str, int]
    events: dict[str, int]
    head: int
    stopped: set[str] = field(default_factory=set)  # before a failed event (failures.py)
    careful: bool = False  # each projection's share of a batch in a savepoint


def now() -> datetime:
    return datetime.now(UTC)


def lock(
    conn: Connection, state: str, names: list[str], wait: bool, generation: int | None = None,
) -> list[State]:
    """Lock the tracking rows of ``names`` in ``state`` (and ``generation``) for this
    transaction; ``wait``: for another worker's lock, else skip what it holds (PostgreSQL)."""
    condition = and_(tracking.c.state == state, tracking.c.name.in_(names))
    if generation is not None:
        condition = and_(condition, tracking.c.generation == generation)
    query = select(tracking).where(condition).order_by(tracking.c.name)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=not wait)
    else:  # SQLite: a write as the first statement takes the database's write lock
        conn.execute(update(tracking).where(condition).values(state=tracking.c.state))
    return [State.of(r) for r in conn.execute(query)]


def hold(
    conn: Connection, read_head: Callable[[Connection], int], state: str, names: list[str],
    wait: bool, generation: int | None = None,
) -> Held | None:
    """Lock the projections' tracking rows for this transaction (None: none free) and note
    the head its batches read up to (``read_head``, once locked)."""
    locked = lock(conn, state, names, wait, generation)
    if not locked:
        return None
    head = read_head(conn)
    return Held(
        locked, {s.name: s.position for s in locked}, {s.name: 0 for s in locked}, head,
        failures.stopped_in(conn, [(s.name, s.generation) for s in locked]),
    )


def release(conn: Connection, held: Held) -> None:
    """Move each position its batches advanced, with a compare-and-set on the position
    it was locked at, in the transaction that wrote the rows."""
    for s in held.locked:
        if held.positions[s.name] == s.position:
            continue
        moved = conn.execute(
            update(tracking)
            .where(
                tracking.c.name == s.name,
                tracking.c.generation == s.generation,
                tracking.c.position == s.position,
            )
            .values(
                position=held.positions[s.name],
                events=tracking.c.events + held.events[s.name], updated_at=now(),
            )
        )
        if moved.rowcount != 1:
            raise PositionMoved(f"{s.name} moved past {s.position} under us")
