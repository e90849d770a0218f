"""The projector: follows the notification log and keeps the register tables up to date.

Exactly once. Every batch is one database transaction that (1) locks the tracking rows of
the projections it advances, (2) reads the next notifications after their position, (3)
writes the register rows and (4) moves the positions, with a compare-and-set on the old
position. A crash anywhere before the commit loses nothing and repeats nothing: rows and
position roll back together. Locking: on PostgreSQL ``SELECT ... FOR UPDATE SKIP LOCKED``
(a second worker skips a busy projection and tries again later); on SQLite the first
statement is an ``UPDATE`` of the tracking rows, which takes the database write lock, so a
second process waits and then reads the advanced position.

Ordering. Notification ids are assigned under eventsourcing-sqlalchemy's
``LOCK TABLE ... IN EXCLUSIVE MODE`` (PostgreSQL) or SQLite's single writer, so once an id
is visible every smaller id is committed or was rolled back (a gap). A batch reads only up
to the highest id it saw, and only the topics the projections handle; the position then
moves to that id.

Schema changes. Each projection has a fingerprint of its tables and handlers
(``Projection.fingerprint``), recorded on the tracking row of every generation it builds. A
process that starts following (:meth:`Projector.catch_up`) and finds an active generation built
with another fingerprint (or none: older code) rebuilds it into a fresh generation and swaps it
in (:meth:`Projector.rebuild`), so a deploy that changes a projection needs no manual step.

Waking. On SQLite the follower polls ``select_notifications`` from its position; on
PostgreSQL it also LISTENs on the events channel the recorder NOTIFYs, so it wakes at once.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import logging
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    ProgrammingError,
    Tracking,
    TrackingRecorder,
)
from sqlalchemy import (
    and_,
    create_engine,
    delete,
    event,
    exc,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, Engine

from diarium.cases.application import Diarium
from diarium.cases.store.overrides import EventDecoder, Row
from diarium.projections import failures
from diarium.projections.batch import UnitOfWork
from diarium.projections.registers import build
from diarium.projections.registers.base import Projection
from diarium.projections.tables import ACTIVE, BUILDING, RETIRED, tracking, tracking_metadata

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 1000
HISTORY_CHUNK = 500  # aggregate ids per query of their history
# a building generation whose tracking row moved this recently is another process's rebuild
BUILDING_BUSY_SECONDS = 120.0


class NotOutdated(RuntimeError):
    """An automatic rebuild was not started: the generation is current, or another process is
    rebuilding it."""


# A catch-up at least FAR_BEHIND notifications behind the head (or ``commit_every``, if less)
# commits up to ``commit_every`` notifications per transaction (several batches; see
# Projector._advance); ``commit_every`` 0: one batch per transaction.
FAR_BEHIND = 20_000
DEFAULT_COMMIT_EVERY = 100_000
COMMIT_SECONDS = 2.0  # ... but commits at least this often (the SQLite write lock is held)

# Settings of the projector's own connections to a SQLite file (:meth:`Projector._writer`).
# Register rows are keyed by random UUIDs, so every batch dirties pages all over their unique
# indexes: a page cache of up to 256 MiB (default 2 MiB; taken only as pages are read, so a
# small store uses little) keeps them in memory between batches and during index builds,
# which also sort in memory; at 1,000,000 cases those indexes are several hundred MiB.
# ``synchronous=NORMAL`` (in WAL mode) skips the fsync of the WAL at each commit; the WAL is
# still synced before every checkpoint. A commit stays atomic; a power cut (not a process
# crash) can undo the last commits, and as the rows and the position are in the same
# transaction they are undone together and the next batch applies those events again:
# exactly-once holds. The events themselves are written by the application's connections
# with the default ``FULL``, unchanged.
SQLITE_BATCH_PRAGMAS = ("cache_size = -262144", "synchronous = NORMAL", "temp_store = MEMORY")
# Far behind the head (a catch-up or rebuild in bulk) the projector's SQLite connection
# checkpoints the WAL every 256Ki pages (1 GiB) instead of SQLite's 1,000, so random-key index
# pages rewritten by several commits are copied back to the database once, not once per
# commit, and keeps up to 1 GiB of pages, so those pages stay in memory between commits
# (1M catch-up: commits 72 s -> 39 s, with commits of up to 100,000). Near the head, the
# WAL stays small for the application's connections and the cache is given back.
SQLITE_BUSY_MS = 30_000  # how long the projector's connections wait for SQLite's locks
SORTER_THREADS = 2  # helper threads of SQLite's sorter when building an index
SQLITE_BULK_PRAGMAS = {
    True: ("wal_autocheckpoint = 262144", "cache_size = -1048576"),
    False: ("wal_autocheckpoint = 1000", "cache_size = -262144"),
}


# While a catch-up or rebuild runs, the cyclic garbage collector's youngest generation is
# collected after this many allocations (Python's default: 700). A batch makes and drops
# thousands of objects (events, row dicts, value tuples) that live just long enough to be
# scanned and promoted again and again; the 100k catch-up ran 12 % faster (4 runs).
BULK_GC_THRESHOLD = 50_000
_gc_lock = threading.Lock()
_gc_users = 0
_gc_saved: tuple[int, ...] = ()


@contextlib.contextmanager
def rare_collections() -> Iterator[None]:
    """Raise the collector's first threshold to :data:`BULK_GC_THRESHOLD` inside (nested or
    in several threads at once: the last one out restores it)."""
    global _gc_users, _gc_saved
    with _gc_lock:
        if _gc_users == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(max(_gc_saved[0], BULK_GC_THRESHOLD), *_gc_saved[1:])
        _gc_users += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_users -= 1
            if _gc_users == 0:
                gc.set_threshold(*_gc_saved)


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


def _now() -> datetime:
    return datetime.now(UTC)


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


class _Careful(Exception):
    """An event failed where no savepoint isolated it: the transaction is redone with them."""


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
        self.on_failure = (
            failures.policies(on_failure, wanted) if on_failure is not None
            else failures.from_environment(wanted)
        )
        self.events_table = self.recorder.events_record_cls.__table__
        dialect = self.engine.dialect
        self._events_sql = dialect.identifier_preparer.format_table(self.events_table)
        # the record's UUID type, for what the driver gives other than bytes or a UUID
        processor = self.events_table.c.originator_id.type.dialect_impl(
            dialect
        ).result_processor(dialect, None)
        self._originator_id: Any = processor or (lambda value: value)
        self._decoder = EventDecoder(diarium.mapper)
        self.batch_size = batch_size
        self.commit_every = commit_every
        self.tracking = ProjectionTracking(self)
        self.last_error: str | None = None
        self._active: list[State] = []  # the active generations the last run_once saw
        self._indexed: set[tuple[str, int]] = set()  # (name, generation) with all indexes
        self._bulk_built: set[tuple[str, int]] = set()  # advanced far behind, by this process
        self._schema_ready = False
        self._schema_current = False  # every active generation has this code's fingerprint
        self.upgrades: dict[str, dict[str, Any]] = {}  # rebuilt for a schema change, by name
        self._schema_lock = threading.Lock()
        self._advanced = threading.Condition()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._writer_engine: Engine | None = None
        self._far_behind = False  # the last transaction of a catch-up was far behind

    def _writer(self) -> Engine:
        """The engine the batches and index builds write through: on a SQLite file its own
        connections with :data:`SQLITE_BATCH_PRAGMAS` (kept off the application's pool, whose
        writers keep the default durability); otherwise the application's engine."""
        if self._writer_engine is not None:
            return self._writer_engine
        if not getattr(self.datastore, "is_sqlite_filedb", False):
            return self.engine
        engine = create_engine(
            self.engine.url, connect_args={"timeout": SQLITE_BUSY_MS / 1000}
        )

        @event.listens_for(engine, "connect")
        def configure(dbapi_connection: Any, _record: Any) -> None:
            for pragma in SQLITE_BATCH_PRAGMAS:
                dbapi_connection.execute(f"PRAGMA {pragma}")

        self._writer_engine = engine
        return engine

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Connection]:
        """One batch's transaction (committed unless an exception leaves it)."""
        writer = self._writer()
        if writer is self.engine:
            with self.datastore.transaction(commit=True) as session:
                yield session.connection()
        else:  # the first statement (_lock) is a write: it takes SQLite's write lock
            with writer.begin() as conn:
                yield conn

    @contextlib.contextmanager
    def _index_builds(self) -> Iterator[Connection]:
        """A transaction for building indexes over whole tables: on the projector's own
        SQLite connections with a second sorter thread (``PRAGMA threads``: 7 % faster on
        three indexes of the 1M store; a 1 GiB page cache was not)."""
        with self._writer().begin() as conn:
            if conn.engine is self._writer_engine:
                self._bulk_settings(conn, False)
                conn.exec_driver_sql(f"PRAGMA threads = {SORTER_THREADS}")
            yield conn

    def _after_bulk_builds(self) -> None:
        """Once the index builds after a bulk build are done (SQLite file): a bulk catch-up
        leaves up to 1 GiB of WAL, and until a writer restarts it every page a reader reads
        is looked up in its whole index. Checkpoint it all and truncate it, waiting for
        readers (and holding off writers) at most 2 s; if readers hold on, the next writer
        restarts it. Then close the connections that built them."""
        if self._writer_engine is None:
            return
        with self._writer_engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA busy_timeout = 2000")
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")
        self._close_writer_connections()

    def _close_writer_connections(self) -> None:
        """Close the projector's idle SQLite connections (the next batch opens a new one), so
        the up to 1 GiB of page cache a bulk catch-up or index build filled is freed at once.

        Given back page by page (a smaller ``cache_size``) or kept, it leaves the process's
        heap in small holes between live blocks, and every later large allocation of any
        connection in the process is slow: the C allocator searches the holes and copies
        each growing buffer. FTS5 grows its buffers a lot: after a 1M catch-up, a full-text
        page in that process took 31 ms instead of 6 ms until these connections closed."""
        if self._writer_engine is not None:
            self._writer_engine.dispose()

    def _bulk_settings(self, conn: Connection, far_behind: bool) -> None:
        """On the projector's own SQLite connections: :data:`SQLITE_BULK_PRAGMAS`."""
        if conn.engine is self._writer_engine:
            for pragma in SQLITE_BULK_PRAGMAS[far_behind]:
                conn.exec_driver_sql(f"PRAGMA {pragma}")

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
        self._init_wal()
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
                        updated_at=_now(), fingerprint=projection.fingerprint(),
                    ))
                    projection.create(conn, 1, indexes=False)  # see _ensure_indexes

    def _add_fingerprint_column(self) -> None:
        """A tracking table made before fingerprints gets the column (its rows: NULL)."""
        with self.engine.begin() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns(tracking.name)}
            if "fingerprint" not in columns:
                if_missing = "IF NOT EXISTS " if self.dialect == "postgresql" else ""
                conn.execute(text(
                    f"ALTER TABLE {tracking.name} ADD COLUMN {if_missing}fingerprint VARCHAR(64)"
                ))

    def upgrade_outdated(self) -> list[str]:
        """Rebuild every active generation built with another schema fingerprint than this
        code's (a deploy changed the projection's tables or handlers), unless another process
        is rebuilding it already; returns the names rebuilt. Until the swap, queries are
        served from the old generation."""
        if self._schema_current:
            return []
        rebuilt, pending = [], False
        for state in self.states(ACTIVE):
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
                "at": _now().isoformat(), "seconds": round(time.monotonic() - started, 3),
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
        locked = self._lock(conn, ACTIVE, [name], wait=True)
        if not locked or locked[0].fingerprint == current:
            return False
        busy_since = _now().timestamp() - BUILDING_BUSY_SECONDS
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
            return conn.execute(select(func.max(self.events_table.c.id))).scalar() or 0

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
        self._wake.set()
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

    # -- following ----------------------------------------------------------------------------

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
                    self._ensure_indexes()  # at the head
                    break
                read += batch.read
                batches += 1
        return read

    def _ensure_indexes(self) -> None:
        """Give every caught-up active generation its secondary indexes, once per process.

        A generation made at position 0 (:meth:`_create_schema`) starts without them, so the
        catch-up from the whole log does not maintain ~20 indexes row by row; they are built
        in one pass each when it first reaches the head (a rebuilt generation gets them
        before its swap). Until then queries are answered, only more slowly."""
        bulk_built = False
        for state in self._active:
            key = (state.name, state.generation)
            if key in self._indexed:
                continue
            try:
                with self._index_builds() as conn:
                    # Hold the generation's tracking row, so no other worker's batch writes
                    # its tables meanwhile (PostgreSQL: CREATE INDEX locks one table after
                    # another in this transaction, and a batch inserting into two of them
                    # deadlocked with it); if a batch holds it, build them at the next head.
                    if not self._lock(conn, ACTIVE, [state.name], False, state.generation):
                        continue
                    projection = self.projections[state.name]
                    projection.create_indexes(conn, state.generation)
                    if key in self._bulk_built:
                        projection.after_bulk(conn, state.generation)
            except (exc.IntegrityError, exc.ProgrammingError, exc.OperationalError):
                log.warning("creating the indexes of %s failed; retrying later", key,
                            exc_info=True)  # e.g. another process creating them at once
                continue
            self._indexed.add(key)
            bulk_built = bulk_built or key in self._bulk_built
        if bulk_built:
            self._after_bulk_builds()

    def _advance(
        self, state: str, names: list[str], *, wait: bool, generation: int | None = None,
        bulk: bool = False,
    ) -> Batch:
        """:meth:`_advance_once`; redone with savepoints if an event failed without them (a
        savepoint per projection and batch costs SQLite a sub-journal copy of every page it
        changes: about 4 % of a catch-up, paid only where an event fails)."""
        try:
            return self._advance_once(state, names, wait=wait, generation=generation, bulk=bulk)
        except _Careful:
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
        with self._transaction() as conn:
            self._bulk_settings(conn, self._far_behind)  # as the last transaction found it
            held = self._hold(conn, state, names, wait, generation)
            if held is None:
                return Batch(0, None)
            held.careful = careful
            batch = self._batch(conn, held)
            read, started = batch.read, time.monotonic()
            far = min(FAR_BEHIND, self.commit_every)
            far_behind = bulk and self.commit_every > 0 and batch.behind >= far
            leaving_bulk, self._far_behind = self._far_behind and not far_behind, far_behind
            if far_behind:
                self._bulk_built.update((s.name, s.generation) for s in held.locked)
            while (
                far_behind and batch.progressed
                and batch.behind >= far and read < self.commit_every
                and time.monotonic() - started < COMMIT_SECONDS
            ):
                more = self._batch(conn, held)
                if not more.progressed:
                    break
                batch = Batch(read := read + more.read, more.position, more.behind)
            self._release(conn, held)
        if leaving_bulk:
            self._close_writer_connections()
        if batch.progressed:
            with self._advanced:
                self._advanced.notify_all()
        return batch

    def _lock(
        self, conn: Connection, state: str, names: list[str], wait: bool,
        generation: int | None = None,
    ) -> list[State]:
        condition = and_(tracking.c.state == state, tracking.c.name.in_(names))
        if generation is not None:
            condition = and_(condition, tracking.c.generation == generation)
        query = select(tracking).where(condition).order_by(tracking.c.name)
        if self.dialect == "postgresql":
            query = query.with_for_update(skip_locked=not wait)
        else:  # SQLite: a write as the first statement takes the database's write lock
            conn.execute(update(tracking).where(condition).values(state=tracking.c.state))
        return [State.of(r) for r in conn.execute(query)]

    def _hold(
        self, conn: Connection, state: str, names: list[str], wait: bool,
        generation: int | None = None,
    ) -> Held | None:
        """Lock the projections' tracking rows for this transaction (None: none free) and
        note the head its batches read up to."""
        locked = self._lock(conn, state, names, wait, generation)
        if not locked:
            return None
        head = conn.execute(select(func.max(self.events_table.c.id))).scalar() or 0
        return Held(
            locked, {s.name: s.position for s in locked}, {s.name: 0 for s in locked}, head,
            failures.stopped_in(conn, [(s.name, s.generation) for s in locked]),
        )

    def _release(self, conn: Connection, held: Held) -> None:
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
                    events=tracking.c.events + held.events[s.name], updated_at=_now(),
                )
            )
            if moved.rowcount != 1:
                raise PositionMoved(f"{s.name} moved past {s.position} under us")

    def _batch(self, conn: Connection, held: Held) -> Batch:
        """Apply the next notifications after the held positions, up to the held head."""
        locked = [s for s in held.locked if s.name not in held.stopped]
        head = held.head
        if not locked:
            return Batch(0, None)
        start = min(held.positions[s.name] for s in locked)
        if head <= start:
            return Batch(0, None)
        topics = sorted({t for s in locked for t in self.projections[s.name].topics()})
        decoded = self._decoder.decode(self._read(conn, start, head, topics))
        end = decoded[-1][0] if len(decoded) == self.batch_size else head
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
                self._apply_guarded(conn, s, position, mine, held.careful) if mine else (0, None)
            )
            held.positions[s.name] = end if stop is None else stop
            held.events[s.name] += applied
            if stop is not None:
                held.stopped.add(s.name)
        return Batch(len(decoded), end, head - end)

    def _apply(
        self, conn: Connection, s: State, before: int, events: list[tuple[int, Any]]
    ) -> None:
        """Apply ``events`` to generation ``s`` of a projection and write its rows;
        ``before``: the position up to which the log's history is the batch's past."""
        projection = self.projections[s.name]
        uow = UnitOfWork(
            conn, projection.specs(s.generation), functools.partial(self._history, conn, before)
        )
        projection.prefetch(uow, events)
        projection.apply(uow, events)
        uow.flush()
        projection.after_flush(uow, s.generation)

    def _apply_guarded(
        self, conn: Connection, s: State, position: int, events: list[tuple[int, Any]],
        careful: bool,
    ) -> tuple[int, int | None]:
        """Apply ``events``; not ``careful``: as they are, raising :class:`_Careful` if that
        fails for an event's sake (the transaction is then redone carefully). ``careful``: in
        a savepoint; if that fails, one by one, recording each that fails alone
        (projections/failures.py), skipping it or stopping before it. Returns the events
        applied and the position stopped at (None: not stopped). An error of the store itself
        is raised: the batch is retried."""
        if not careful:
            try:
                self._apply(conn, s, position, events)
            except Exception as error:
                if failures.systemic(error):
                    raise
                raise _Careful from error
            return len(events), None
        try:
            with conn.begin_nested():
                self._apply(conn, s, position, events)
            return len(events), None
        except Exception as error:
            if failures.systemic(error):
                raise
        applied = 0
        for i, one in events:
            try:
                with conn.begin_nested():
                    self._apply(conn, s, i - 1, [(i, one)])
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

    def _read(self, conn: Connection, start: int, stop: int, topics: list[str]) -> list[Row]:
        """The recorder's ``select_notifications(start, batch_size, stop, topics,
        inclusive_of_start=False)``, read in this batch's transaction with one plain select at
        the driver level, as ``(id, originator_id, originator_version, topic, state)`` (the
        library's ORM query builds an instance per row, SQLAlchemy's Core a row object)."""
        if not topics:
            return []
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        sql = (
            f"SELECT id, originator_id, originator_version, topic, state FROM {self._events_sql} "
            f"WHERE id > {mark} AND id <= {mark} AND topic IN ({', '.join(mark for _ in topics)})"
            f" ORDER BY id LIMIT {int(self.batch_size)}"
        )
        driver = conn.connection.driver_connection
        assert driver is not None
        cursor = driver.cursor()
        try:
            cursor.execute(sql, (start, stop, *topics))
            found = cursor.fetchall()
        finally:
            cursor.close()
        # one UUID per aggregate in the batch: made once, and the batch's dicts keyed by it
        # find it by identity
        to_uuid, ids = self._originator_id, {}
        rows = []
        for i, o, v, t, state in found:
            try:
                originator_id = ids[o]
            except KeyError:
                originator_id = ids[o] = (
                    o if type(o) is UUID else UUID(bytes=o) if type(o) is bytes else to_uuid(o)
                )
            rows.append((i, originator_id, v, t, state if type(state) is bytes else bytes(state)))
        return rows

    def _history(
        self, conn: Connection, before: int, ids: Sequence[Any], topics: Sequence[str]
    ) -> list[tuple[int, Any]]:
        """The events of aggregates ``ids`` with these topics up to position ``before``, in
        log order, decoded (a projection's view of cases registered before its batch)."""
        events, found = self.events_table, []
        for start in range(0, len(ids), HISTORY_CHUNK):
            found.extend(conn.execute(
                select(events.c.id, events.c.originator_id, events.c.originator_version,
                       events.c.topic, events.c.state)
                .where(events.c.originator_id.in_(ids[start:start + HISTORY_CHUNK]),
                       events.c.topic.in_(topics), events.c.id <= before)
            ).tuples())
        found.sort(key=itemgetter(0))
        return self._decoder.decode(
            (i, o, v, t, state if type(state) is bytes else bytes(state))
            for i, o, v, t, state in found
        )

    # -- rebuilding ---------------------------------------------------------------------------

    def rebuild(self, name: str, *, grace: float = 1.0, only_if_outdated: bool = False) -> State:
        """Rebuild projection ``name`` from the whole log into fresh tables, then swap them
        in atomically and drop the old ones (after ``grace`` seconds for readers in flight).
        Queries keep being served from the old tables until the swap. ``only_if_outdated``:
        raise :class:`NotOutdated` instead where the active generation has this code's
        fingerprint or another process is rebuilding it (:meth:`upgrade_outdated`)."""
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
                updated_at=_now(), fingerprint=projection.fingerprint(),
            ))
            projection.create(conn, generation, indexes=False)
        with rare_collections():
            while self._advance(
                BUILDING, [name], wait=True, generation=generation, bulk=True
            ).progressed:
                pass
        with self._index_builds() as conn:  # once, after the bulk of the rows
            projection.create_indexes(conn, generation)
            projection.after_bulk(conn, generation)
        self._after_bulk_builds()
        self._indexed.add((name, generation))
        with self._transaction() as conn:
            (old,) = self._lock(conn, ACTIVE, [name], wait=True)
            held = self._hold(conn, BUILDING, [name], True, generation)
            assert held is not None  # this process made it, and holds the write lock
            held.careful = True  # the short tail before the swap: no redo
            while self._batch(conn, held).progressed:
                pass
            self._release(conn, held)
            for gen, new_state in ((old.generation, RETIRED), (generation, ACTIVE)):
                conn.execute(
                    update(tracking)
                    .where(tracking.c.name == name, tracking.c.generation == gen)
                    .values(state=new_state, updated_at=_now())
                )
        log.info("projection %s: generation %s swapped in", name, generation)
        with self._advanced:
            self._advanced.notify_all()
        if grace:
            time.sleep(grace)
        with self.engine.begin() as conn:
            projection.drop(conn, old.generation)
            conn.execute(delete(tracking).where(
                tracking.c.name == name, tracking.c.generation == old.generation
            ))
        return next(s for s in self.states(ACTIVE) if s.name == name)

    # -- read-your-writes -----------------------------------------------------------------------

    def wait_for(self, position: int, names: Iterable[str], timeout: float) -> dict[str, int]:
        """Wait up to ``timeout`` seconds until projections ``names`` reached ``position``;
        returns their positions (reached or not)."""
        wanted = set(names)
        deadline = time.monotonic() + timeout
        pause = 0.005
        while True:
            positions = {s.name: s.position for s in self.states(ACTIVE) if s.name in wanted}
            remaining = deadline - time.monotonic()
            if all(p >= position for p in positions.values()) or remaining <= 0:
                return positions
            self._wake.set()
            with self._advanced:
                self._advanced.wait(min(pause, remaining))
            pause = min(pause * 2, 0.1)

    # -- in a thread or a process -------------------------------------------------------------

    def run_forever(self, poll_interval: float = 0.5, listen: bool = True) -> None:
        """Follow the log until :meth:`stop`; on PostgreSQL, wake on NOTIFY as well."""
        self._stopping.clear()
        backoff = poll_interval
        with self._listener(listen) as wait:
            while not self._stopping.is_set():
                try:
                    self.catch_up()
                    self.last_error = None
                    backoff = poll_interval
                except Exception as error:  # keep following; status shows the error
                    self.last_error = f"{type(error).__name__}: {error}"
                    log.exception("projection batch failed; retrying")
                    backoff = min(max(backoff, 0.1) * 2, 10.0)
                wait(backoff)

    @contextlib.contextmanager
    def _listener(self, listen: bool) -> Iterator[Any]:
        def sleep(seconds: float) -> None:
            self._wake.wait(seconds)
            self._wake.clear()

        if not (listen and self.dialect == "postgresql"):
            yield sleep
            return
        import psycopg

        url = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        try:
            conn = psycopg.connect(url, autocommit=True)
            conn.execute(f"LISTEN {self.recorder.channel_name}")
        except Exception:
            log.warning("cannot LISTEN for new events; polling only", exc_info=True)
            yield sleep
            return

        def listen_or_wake(seconds: float) -> None:
            deadline = time.monotonic() + seconds
            while not self._wake.is_set() and time.monotonic() < deadline:
                if any(True for _ in conn.notifies(timeout=0.05, stop_after=1)):
                    break
            self._wake.clear()

        try:
            yield listen_or_wake
        finally:
            conn.close()

    def _init_wal(self) -> None:
        """Switch SQLite to WAL as the library does on its first transaction, but now: the
        switch needs the database to itself, so it must not race our first writes."""
        if self.dialect == "sqlite":
            self.datastore.init_sqlite_wal_mode()

    def start(self, poll_interval: float = 0.5) -> threading.Thread:
        """Follow the log in a daemon thread (the web process's embedded projector)."""
        self._init_wal()  # before the thread exists, so no request races the switch
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(
                target=self.run_forever, args=(poll_interval,), name="diarium-projector",
                daemon=True,
            )
            self._thread.start()
        return self._thread

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()


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


__all__ = ["Batch", "Held", "ProjectionTracking", "Projector", "State"]
