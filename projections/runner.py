"""The projector: follows the notification log and keeps the register tables up to date.

Exactly once. Every batch is one database transaction that (1) locks the tracking rows of
the projections it advances (positions.py), (2) reads the next notifications after their
position (notifications.py), (3) writes the register rows (applying.py) and (4) moves the
positions, with a compare-and-set on the old position. A crash anywhere before the commit
loses nothing and repeats nothing: rows and position roll back together. A batch reads only
up to the highest id it saw; the position then moves to that id.

The projector is the entry point; its parts: its connections (connections.py), the
generations it builds and rebuilds for schema changes (generations.py), and the loop that
follows the log in a thread or a process (following.py).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from eventsourcing.persistence import (
    ProgrammingError,
    Tracking,
    TrackingRecorder,
)
from sqlalchemy import select

from diarium.cases.application import Diarium
from diarium.cases.store.topics import stored_topics
from diarium.projections import failures, positions
from diarium.projections.applying import ApplyCarefully, BatchApplier
from diarium.projections.connections import WriterConnections, rare_collections
from diarium.projections.following import Follower
from diarium.projections.generations import Generations
from diarium.projections.notifications import NotificationReader
from diarium.projections.positions import Batch, State
from diarium.projections.registers import build
from diarium.projections.registers.base import Projection
from diarium.projections.tables import ACTIVE, tracking

log = logging.getLogger(__name__)
DEFAULT_BATCH_SIZE = 1000

# A catch-up at least FAR_BEHIND notifications behind the head (or ``commit_every``, if less)
# commits up to ``commit_every`` notifications per transaction (several batches; see
# Projector._advance_once); ``commit_every`` 0: one batch per transaction.
FAR_BEHIND = 20_000
DEFAULT_COMMIT_EVERY = 100_000
COMMIT_SECONDS = 2.0  # ... but commits at least this often (the SQLite write lock is held)


class ProjectionTracking(TrackingRecorder):
    """The library's tracking-recorder interface over the projections' tracking table:
    ``max_tracking_id(name)`` is the position of the active generation, so the library's
    ``has_tracking_id`` and ``wait`` work for registers."""

    def __init__(self, projector: Projector) -> None:
        self.projector = projector

    def max_tracking_id(self, application_name: str) -> int | None:
        for state in self.projector.states(ACTIVE):
            if state.name == application_name:
                return state.position
        return None

    def insert_tracking(self, tracking: Tracking) -> None:
        raise ProgrammingError("A projection's position only moves together with its rows")


class Projector:
    """Runs the projections of one application's store (all of them, or ``names``)."""

    def __init__(
        self,
        diarium: Diarium,
        names: Iterable[str] | None = None,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        commit_every: int = DEFAULT_COMMIT_EVERY,
        on_failure: str | None = None,
    ) -> None:
        """``on_failure``: what a projection does after recording an event it cannot apply,
        ``skip`` or ``stop`` (or ``name=policy,...``; default: ``DIARIUM_PROJECTION_ON_FAILURE``,
        else skip; projections/failures.py)."""
        self.app = diarium
        self.recorder: Any = diarium.recorder
        self.datastore = self.recorder.datastore
        self.engine = self.datastore.engine
        self.dialect = self.engine.dialect.name
        everything = build(self.dialect)
        wanted = list(names) if names else list(everything)
        unknown = set(wanted) - set(everything)
        if unknown:
            raise KeyError(f"No projection {', '.join(sorted(unknown))}")
        self.projections: dict[str, Projection] = {n: everything[n] for n in wanted}
        for projection in self.projections.values():
            projection.bind(diarium)
        self.on_failure = (
            failures.policies(on_failure, wanted) if on_failure is not None
            else failures.from_environment(wanted)
        )
        self.batch_size = batch_size
        self.commit_every = commit_every
        self.reader = NotificationReader(self.recorder, diarium.mapper, batch_size)
        self.events_table = self.reader.events_table
        self.applier = BatchApplier(self.projections, self.reader, self.on_failure)
        self.connections = WriterConnections(self.datastore)
        self.generations = Generations(self)
        self.follower = Follower(self)
        self.tracking = ProjectionTracking(self)
        self.last_error: str | None = None
        self._active: list[State] = []  # the active generations the last run_once saw
        self._far_behind = False  # the last transaction of a catch-up was far behind

    @property
    def upgrades(self) -> dict[str, dict[str, Any]]:
        """The projections rebuilt for a schema change by this process, by name."""
        return self.generations.upgrades

    # -- schema and generations (generations.py) ---------------------------------------------

    def ensure_schema(self) -> None:
        """Create the tracking table and generation 1 of every projection, once."""
        self.generations.ensure_schema()

    def upgrade_outdated(self) -> list[str]:
        """Rebuild every active generation built with another schema fingerprint than this
        code's; returns the names rebuilt (:meth:`Generations.upgrade_outdated`)."""
        return self.generations.upgrade_outdated()

    def rebuild(self, name: str, *, grace: float = 1.0, only_if_outdated: bool = False,
                progress: Callable[[int], None] | None = None) -> State:
        """Rebuild projection ``name`` into a fresh generation and swap it in
        (:meth:`Generations.rebuild`)."""
        return self.generations.rebuild(name, grace=grace, only_if_outdated=only_if_outdated,
                                        progress=progress)

    # -- reading state ------------------------------------------------------------------------

    def states(self, state: str | None = None) -> list[State]:
        self.ensure_schema()
        query = select(tracking).where(tracking.c.name.in_(list(self.projections)))
        if state is not None:
            query = query.where(tracking.c.state == state)
        with self.engine.connect() as conn:
            return [State.of(r) for r in conn.execute(query.order_by(tracking.c.name))]

    def head(self) -> int:
        """The highest notification id in the log (0 when empty)."""
        with self.engine.connect() as conn:
            return self.reader.head(conn)

    def active_generation(self, name: str) -> tuple[int, int]:
        """``(generation, position)`` of the active generation of projection ``name``."""
        for state in self.states(ACTIVE):
            if state.name == name:
                return state.generation, state.position
        raise KeyError(name)

    def open_failures(self) -> list[dict[str, Any]]:
        """Unacknowledged failures of the active generations (events recorded as not applied,
        or stopped before), oldest first per projection."""
        self.ensure_schema()
        with self.engine.connect() as conn:
            return failures.open_failures(conn, self.projections)

    def acknowledge(self, name: str, *, skip: bool = False) -> int:
        """Acknowledge projection ``name``'s failures: a stopped one retries its event (or,
        with ``skip``, goes on past it)."""
        self.ensure_schema()
        with self.engine.begin() as conn:
            count = failures.acknowledge(conn, name, skip=skip)
        self.follower.wake()
        return count

    def status(self) -> list[dict[str, Any]]:
        """Every projection's generation, position and lag behind the log's head, and the
        failures it recorded (``failures``: count; ``stopped``: before which position)."""
        head = self.head()
        failed: dict[str, list[dict[str, Any]]] = {}
        for failure in self.open_failures():
            failed.setdefault(failure["name"], []).append(failure)
        return [
            {
                "name": s.name, "generation": s.generation, "state": s.state,
                "position": s.position, "head": head, "lag": max(head - s.position, 0),
                "events": s.events, "updated_at": s.updated_at.isoformat()
                if hasattr(s.updated_at, "isoformat") else str(s.updated_at),
                "fingerprint": s.fingerprint,
                "schema": "current" if s.fingerprint == self.projections[s.name].fingerprint()
                else "outdated",
                **({"upgraded": self.upgrades[s.name]}
                   if s.name in self.upgrades and s.state == ACTIVE else {}),
                **(_failure_status(failed[s.name]) if s.name in failed and s.state == ACTIVE
                   else {}),
            }
            for s in self.states()
        ] + ([{"error": self.last_error}] if self.last_error else [])

    # -- catching up -------------------------------------------------------------------------

    def run_once(self, bulk: bool = False) -> Batch:
        """Advance every active projection by one batch (if another worker is not); ``bulk``:
        see :meth:`_advance`."""
        self.ensure_schema()
        states = self._active = self.states(ACTIVE)
        head = self.head()
        if not states or all(s.position >= head for s in states):
            return Batch(0, None)
        return self._advance(ACTIVE, list(self.projections), wait=False, bulk=bulk)

    def catch_up(self, max_batches: int | None = None) -> int:
        """Run batches until every projection is at the head; returns notifications read.

        Reading and decoding stay in this thread: a second thread reading the next batch
        while this one is written made the 100k catch-up slower on both backends (SQLite
        26.3 s against 25.3 s; PostgreSQL 31.2 s against 27.3 s), its decoding contending
        for the GIL with the writes."""
        self.upgrade_outdated()  # once per process, unless another process was rebuilding
        read = batches = 0
        with rare_collections():
            while max_batches is None or batches < max_batches:
                batch = self.run_once(bulk=max_batches != 1)
                if not batch.progressed:
                    self.generations.ensure_indexes(self._active)  # at the head
                    break
                read += batch.read
                batches += 1
        return read

    def _advance(
        self, state: str, names: list[str], *, wait: bool, generation: int | None = None,
        bulk: bool = False,
    ) -> Batch:
        """:meth:`_advance_once`; redone with savepoints if an event failed without them (a
        savepoint per projection and batch costs SQLite a sub-journal copy of every page it
        changes: about 4 % of a catch-up, paid only where an event fails)."""
        try:
            return self._advance_once(state, names, wait=wait, generation=generation, bulk=bulk)
        except ApplyCarefully:
            return self._advance_once(state, names, wait=wait, generation=generation,
                                      bulk=bulk, careful=True)

    def _advance_once(
        self, state: str, names: list[str], *, wait: bool, generation: int | None = None,
        bulk: bool = False, careful: bool = False,
    ) -> Batch:
        """One transaction: one batch, or in ``bulk`` (a catch-up or a rebuild), while at
        least :data:`FAR_BEHIND` (or :attr:`commit_every`, if less) notifications behind the
        head, several batches up to :attr:`commit_every` notifications (or
        :data:`COMMIT_SECONDS`). Each batch is applied and flushed as alone; the positions
        move once, at the end, in the same transaction; committing once for several
        writes each page of the registers' random-key (UUID) indexes once rather than once
        per batch, which is most of the commit's cost far behind the head."""
        self._prepare(state, names, generation)
        connections = self.connections
        with connections.transaction() as conn:
            connections.bulk_settings(conn, self._far_behind)  # as the last one found it
            held = positions.hold(conn, self.reader.head, state, names, wait, generation)
            if held is None:
                return Batch(0, None)
            held.careful = careful
            batch = self.applier.batch(conn, held)
            read, started = batch.read, time.monotonic()
            far = min(FAR_BEHIND, self.commit_every)
            far_behind = bulk and self.commit_every > 0 and batch.behind >= far
            leaving_bulk, self._far_behind = self._far_behind and not far_behind, far_behind
            if far_behind:
                self.generations.bulk_built.update((s.name, s.generation) for s in held.locked)
            while (
                far_behind and batch.progressed
                and batch.behind >= far and read < self.commit_every
                and time.monotonic() - started < COMMIT_SECONDS
            ):
                more = self.applier.batch(conn, held)
                if not more.progressed:
                    break
                batch = Batch(read := read + more.read, more.position, more.behind)
            positions.release(conn, held)
        if leaving_bulk:
            connections.close()
        if batch.progressed:
            self.follower.advanced()
        return batch

    def _prepare(self, state: str, names: list[str], generation: int | None) -> None:
        """Let the projections do slow work for their next batch's events before its
        transaction (``Projection.prepare``: the diary reads files' texts), so that no lock
        is held meanwhile; a failure here is logged and left to the batch."""
        wanted = [n for n in names if self.projections[n].prepares]
        if not wanted:
            return
        for s in self.states(state):
            if s.name not in wanted or generation not in (None, s.generation):
                continue
            projection = self.projections[s.name]
            try:
                with self.engine.connect() as conn:  # the next batch's window of the log
                    stop = min(self.reader.head(conn), s.position + 2 * self.batch_size)
                    rows = self.reader.read(conn, s.position, stop,
                                            stored_topics(projection.prepares))
                    events = self.reader.decoder.decode(rows) if rows else []
                if events:
                    projection.prepare(self.engine, events)
            except Exception:
                log.warning("preparing %s's next batch failed; its batch does it",
                            s.name, exc_info=True)

    # -- following (following.py) -----------------------------------------------------------

    def wait_for(self, position: int, names: Iterable[str], timeout: float) -> dict[str, int]:
        """Wait up to ``timeout`` seconds until projections ``names`` reached ``position``;
        returns their positions (reached or not)."""
        return self.follower.wait_for(position, names, timeout)

    def run_forever(self, poll_interval: float = 0.5, listen: bool = True) -> None:
        """Follow the log until :meth:`stop`; on PostgreSQL, wake on NOTIFY as well."""
        self.follower.run_forever(poll_interval, listen)

    def start(self, poll_interval: float = 0.5) -> threading.Thread:
        """Follow the log in a daemon thread (the web process's embedded projector)."""
        return self.follower.start(poll_interval)

    def stop(self, timeout: float = 5.0) -> None:
        self.follower.stop(timeout)

    @property
    def running(self) -> bool:
        return self.follower.running


def _failure_status(found: list[dict[str, Any]]) -> dict[str, Any]:
    """What ``status`` shows of a projection's open failures."""
    stopped = [f["position"] for f in found if f["action"] == "stopped"]
    last = found[-1]
    return {
        "failures": len(found),
        "last_failure": {k: last[k] for k in (
            "position", "event_type", "originator_id", "originator_version", "error", "action",
            "recorded_at")},
        **({"stopped_before": min(stopped)} if stopped else {}),
    }


__all__ = ["Batch", "ProjectionTracking", "Projector", "State"]

