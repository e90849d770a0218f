"""A projection's generations: made once at position 0, given their indexes at the head, and
rebuilt from the whole log into a fresh generation that is swapped in.

Schema changes. Each projection has a fingerprint of its tables and handlers
(``Projection.fingerprint``), recorded on the tracking row of every generation it builds. A
process that starts following (``Projector.catch_up``) and finds an active generation built
with another fingerprint (or none: older code) rebuilds it into a fresh generation and swaps it
in (:meth:`Generations.rebuild`), so a deploy that changes a projection needs no manual step.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, exc, func, insert, inspect, select, text, update
from sqlalchemy.engine import Connection

from diarium.projections import positions
from diarium.projections.connections import rare_collections
from diarium.projections.positions import State
from diarium.projections.tables import ACTIVE, BUILDING, RETIRED, tracking, tracking_metadata

if TYPE_CHECKING:
    from diarium.projections.runner import Projector

log = logging.getLogger(__name__)

# a building generation whose tracking row moved this recently is another process's rebuild
BUILDING_BUSY_SECONDS = 120.0


class NotOutdated(RuntimeError):
    """An automatic rebuild was not started: the generation is current, or another process is
    rebuilding it."""


class Generations:
    """The generations of one projector's projections: their schema, indexes and rebuilds
    (a rebuild runs the projector's own batches, :meth:`Projector._advance`)."""

    def __init__(self, projector: Projector) -> None:
        self.projector = projector
        self.projections = projector.projections
        self.engine = projector.engine
        self.upgrades: dict[str, dict[str, Any]] = {}  # rebuilt for a schema change, by name
        self._indexed: set[tuple[str, int]] = set()  # (name, generation) with all indexes
        self.bulk_built: set[tuple[str, int]] = set()  # advanced far behind, by this process
        self._schema_ready = False
        self._schema_current = False  # every active generation has this code's fingerprint
        self._schema_lock = threading.Lock()

    # -- schema -------------------------------------------------------------------------------

    def ensure_schema(self) -> None:
        """Create the tracking table and generation 1 of every projection, once."""
        if self._schema_ready:
            return
        with self._schema_lock:
            if self._schema_ready:
                return
            for attempt in range(3):  # another process may be creating them at the same time
                try:
                    self._create_schema()
                    break
                except (exc.IntegrityError, exc.ProgrammingError, exc.OperationalError):
                    if attempt == 2:
                        raise
                    time.sleep(0.2)
            self._schema_ready = True

    def _create_schema(self) -> None:
        self.projector.connections.init_wal()
        tracking_metadata.create_all(self.engine, checkfirst=True)
        self._add_fingerprint_column()
        for name, projection in self.projections.items():
            with self.engine.begin() as conn:
                exists = conn.execute(
                    select(tracking.c.generation).where(
                        tracking.c.name == name, tracking.c.state == ACTIVE
                    )
                ).first()
                if exists is None:
                    conn.execute(insert(tracking).values(
                        name=name, generation=1, state=ACTIVE, position=0, events=0,
                        updated_at=positions.now(), fingerprint=projection.fingerprint(),
                    ))
                    projection.create(conn, 1, indexes=False)  # see ensure_indexes

    def _add_fingerprint_column(self) -> None:
        """A tracking table made before fingerprints gets the column (its rows: NULL)."""
        with self.engine.begin() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns(tracking.name)}
            if "fingerprint" not in columns:
                if_missing = "IF NOT EXISTS " if self.engine.dialect.name == "postgresql" else ""
                conn.execute(text(
                    f"ALTER TABLE {tracking.name} ADD COLUMN {if_missing}fingerprint VARCHAR(64)"
                ))

    def ensure_indexes(self, active: list[State]) -> None:
        """Give every caught-up active generation its secondary indexes, once per process.

        A generation made at position 0 (:meth:`_create_schema`) starts without them, so the
        catch-up from the whole log does not maintain ~20 indexes row by row; they are built
        in one pass each when it first reaches the head (a rebuilt generation gets them
        before its swap). Until then queries are answered, only more slowly."""
        connections = self.projector.connections
        bulk_built = False
        for state in active:
            key = (state.name, state.generation)
            if key in self._indexed:
                continue
            try:
                with connections.index_builds() as conn:
                    # Hold the generation's tracking row, so no other worker's batch writes
                    # its tables meanwhile (PostgreSQL: CREATE INDEX locks one table after
                    # another in this transaction, and a batch inserting into two of them
                    # deadlocked with it); if a batch holds it, build them at the next head.
                    if not positions.lock(conn, ACTIVE, [state.name], False, state.generation):
                        continue
                    projection = self.projections[state.name]
                    projection.create_indexes(conn, state.generation)
                    if key in self.bulk_built:
                        projection.after_bulk(conn, state.generation)
            except (exc.IntegrityError, exc.ProgrammingError, exc.OperationalError):
                log.warning("creating the indexes of %s failed; retrying later", key,
                            exc_info=True)  # e.g. another process creating them at once
                continue
            self._indexed.add(key)
            bulk_built = bulk_built or key in self.bulk_built
        if bulk_built:
            connections.after_bulk_builds()

    # -- rebuilding ---------------------------------------------------------------------------

    def upgrade_outdated(self) -> list[str]:
        """Rebuild every active generation built with another schema fingerprint than this
        code's (a deploy changed the projection's tables or handlers), unless another process
        is rebuilding it already; returns the names rebuilt. Until the swap, queries are
        served from the old generation."""
        if self._schema_current:
            return []
        rebuilt, pending = [], False
        for state in self.projector.states(ACTIVE):
            current = self.projections[state.name].fingerprint()
            if state.fingerprint == current:
                continue
            log.warning(
                "projection %s: generation %s was built with schema %s, this code has %s; "
                "rebuilding it (unless another process is)",
                state.name, state.generation, state.fingerprint, current,
            )
            started = time.monotonic()
            try:
                new = self.rebuild(state.name, only_if_outdated=True)
            except NotOutdated:  # current by now, or another process is rebuilding it
                log.info("projection %s: not rebuilding here (current, or being rebuilt)",
                         state.name)
                pending = True
                continue
            self.upgrades[state.name] = {
                "from_generation": state.generation, "from_fingerprint": state.fingerprint,
                "generation": new.generation, "fingerprint": current,
                "at": positions.now().isoformat(),
                "seconds": round(time.monotonic() - started, 3),
            }
            log.warning("projection %s: rebuilt for the schema change as generation %s",
                        state.name, new.generation)
            rebuilt.append(state.name)
        self._schema_current = not pending
        return rebuilt

    def _claim_rebuild(self, conn: Connection, name: str) -> bool:
        """Whether an automatic rebuild of ``name`` should start: its active generation
        (locked here until the caller's transaction ends) is still outdated and no other
        process's rebuild to this fingerprint is under way."""
        current = self.projections[name].fingerprint()
        locked = positions.lock(conn, ACTIVE, [name], wait=True)
        if not locked or locked[0].fingerprint == current:
            return False
        busy_since = positions.now().timestamp() - BUILDING_BUSY_SECONDS
        for row in conn.execute(select(tracking).where(
            tracking.c.name == name, tracking.c.state == BUILDING,
            tracking.c.fingerprint == current,
        )):
            updated = row.updated_at
            if updated.tzinfo is None:  # SQLite gives it back naive (stored in UTC)
                updated = updated.replace(tzinfo=UTC)
            if updated.timestamp() > busy_since:
                return False
        return True

    def rebuild(self, name: str, *, grace: float = 1.0, only_if_outdated: bool = False,
                progress: Callable[[int], None] | None = None) -> State:
        """Rebuild projection ``name`` from the whole log into fresh tables, then swap them
        in atomically and drop the old ones (after ``grace`` seconds for readers in flight).
        Queries keep being served from the old tables until the swap. ``only_if_outdated``:
        raise :class:`NotOutdated` instead where the active generation has this code's
        fingerprint or another process is rebuilding it (:meth:`upgrade_outdated`).
        ``progress`` is told each position reached (web/cli/progress.py)."""
        projector = self.projector
        self.ensure_schema()
        projection = self.projections[name]
        with self.engine.begin() as conn:
            if only_if_outdated and not self._claim_rebuild(conn, name):
                raise NotOutdated(name)
            for row in conn.execute(
                select(tracking).where(tracking.c.name == name, tracking.c.state != ACTIVE)
            ).all():  # left over from an interrupted rebuild
                projection.drop(conn, row.generation)
                conn.execute(delete(tracking).where(
                    tracking.c.name == name, tracking.c.generation == row.generation
                ))
            generation = 1 + (conn.execute(
                select(func.max(tracking.c.generation)).where(tracking.c.name == name)
            ).scalar() or 0)
            conn.execute(insert(tracking).values(
                name=name, generation=generation, state=BUILDING, position=0, events=0,
                updated_at=positions.now(), fingerprint=projection.fingerprint(),
            ))
            projection.create(conn, generation, indexes=False)
        with rare_collections():
            while (batch := projector._advance(
                BUILDING, [name], wait=True, generation=generation, bulk=True
            )).progressed:
                if progress is not None and batch.position is not None:
                    progress(batch.position)
        connections = projector.connections
        with connections.index_builds() as conn:  # once, after the bulk of the rows
            projection.create_indexes(conn, generation)
            projection.after_bulk(conn, generation)
        connections.after_bulk_builds()
        self._indexed.add((name, generation))
        with connections.transaction() as conn:
            (old,) = positions.lock(conn, ACTIVE, [name], wait=True)
            held = positions.hold(
                conn, projector.reader.head, BUILDING, [name], True, generation
            )
            assert held is not None  # this process made it, and holds the write lock
            held.careful = True  # the short tail before the swap: no redo
            while projector.applier.batch(conn, held).progressed:
                pass
            positions.release(conn, held)
            for gen, new_state in ((old.generation, RETIRED), (generation, ACTIVE)):
                conn.execute(
                    update(tracking)
                    .where(tracking.c.name == name, tracking.c.generation == gen)
                    .values(state=new_state, updated_at=positions.now())
                )
        log.info("projection %s: generation %s swapped in", name, generation)
        projector.follower.advanced()
        if grace:
            time.sleep(grace)
        with self.engine.begin() as conn:
            projection.drop(conn, old.generation)
            conn.execute(delete(tracking).where(
                tracking.c.name == name, tracking.c.generation == old.generation
            ))
        return next(s for s in projector.states(ACTIVE) if s.name == name)
