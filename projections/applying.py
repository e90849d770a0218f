"""Applying a batch of notifications to the projections that hold it.

Each projection gets the events it handles after its own position and writes its rows through
a unit of work (batch.py). Events are applied as they are; where one fails for its own sake
the transaction is redone carefully: each projection's share of a batch in a savepoint and,
if that fails, the events one by one, each one that fails alone recorded (failures.py) and
skipped or stopped before.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from sqlalchemy.engine import Connection

from diarium.projections import failures
from diarium.projections.batch import UnitOfWork
from diarium.projections.notifications import NotificationReader
from diarium.projections.positions import Batch, Held, State
from diarium.projections.registers.base import Projection

log = logging.getLogger(__name__)


class ApplyCarefully(Exception):
    """An event failed where no savepoint isolated it: the transaction is redone with them."""


class BatchApplier:
    """Applies the next notifications to held projections (``on_failure``: each one's policy,
    ``skip`` or ``stop``)."""

    def __init__(
        self, projections: dict[str, Projection], reader: NotificationReader,
        on_failure: dict[str, str],
    ) -> None:
        self.projections = projections
        self.reader = reader
        self.on_failure = on_failure

    def batch(self, conn: Connection, held: Held) -> Batch:
        """Apply the next notifications after the held positions, up to the held head."""
        locked = [s for s in held.locked if s.name not in held.stopped]
        head = held.head
        if not locked:
            return Batch(0, None)
        start = min(held.positions[s.name] for s in locked)
        if head <= start:
            return Batch(0, None)
        topics = sorted({t for s in locked for t in self.projections[s.name].topics()})
        decoded = self.reader.decoder.decode(self.reader.read(conn, start, head, topics))
        end = decoded[-1][0] if len(decoded) == self.reader.batch_size else head
        kinds = {type(e) for _, e in decoded}
        for s in locked:
            position = held.positions[s.name]
            if position >= end:
                continue
            projection = self.projections[s.name]
            handled = {k for k in kinds if projection.handler_of(k) is not None}
            if position <= start and handled == kinds:  # the common case: all of them
                mine = decoded
            elif position <= start:
                mine = [(i, e) for i, e in decoded if type(e) in handled]
            else:
                mine = [(i, e) for i, e in decoded if i > position and type(e) in handled]
            applied, stop = (
                self.apply_guarded(conn, s, position, mine, held.careful) if mine else (0, None)
            )
            held.positions[s.name] = end if stop is None else stop
            held.events[s.name] += applied
            if stop is not None:
                held.stopped.add(s.name)
        return Batch(len(decoded), end, head - end)

    def apply(
        self, conn: Connection, s: State, before: int, events: list[tuple[int, Any]]
    ) -> None:
        """Apply ``events`` to generation ``s`` of a projection and write its rows;
        ``before``: the position up to which the log's history is the batch's past."""
        projection = self.projections[s.name]
        uow = UnitOfWork(
            conn, projection.specs(s.generation),
            functools.partial(self.reader.history, conn, before),
        )
        projection.prefetch(uow, events)
        projection.apply(uow, events)
        uow.flush()
        projection.after_flush(uow, s.generation)

    def apply_guarded(
        self, conn: Connection, s: State, position: int, events: list[tuple[int, Any]],
        careful: bool,
    ) -> tuple[int, int | None]:
        """Apply ``events``; not ``careful``: as they are, raising :class:`ApplyCarefully` if
        that fails for an event's sake (the transaction is then redone carefully). ``careful``:
        in a savepoint; if that fails, one by one, recording each that fails alone
        (projections/failures.py), skipping it or stopping before it. Returns the events
        applied and the position stopped at (None: not stopped). An error of the store itself
        is raised: the batch is retried."""
        if not careful:
            try:
                self.apply(conn, s, position, events)
            except Exception as error:
                if failures.systemic(error):
                    raise
                raise ApplyCarefully from error
            return len(events), None
        try:
            with conn.begin_nested():
                self.apply(conn, s, position, events)
            return len(events), None
        except Exception as error:
            if failures.systemic(error):
                raise
        applied = 0
        for i, one in events:
            try:
                with conn.begin_nested():
                    self.apply(conn, s, i - 1, [(i, one)])
                applied += 1
            except Exception as error:
                if failures.systemic(error):
                    raise
                wanted = "stopped" if self.on_failure[s.name] == failures.STOP else "skipped"
                action = failures.record(conn, s.name, s.generation, i, one, error, wanted)
                log.error("projection %s: event %s at position %s not applied (%s); %s",
                          s.name, type(one).__name__, i, failures.describe(error), action)
                if action == "stopped":
                    return applied, i - 1
        return applied, None
