"""The projector's connections: its own SQLite writer and the settings a bulk build uses.

On a SQLite file the batches and index builds write through connections of their own, with
settings the application's writers do not use (:data:`SQLITE_BATCH_PRAGMAS`, and far behind
the head :data:`SQLITE_BULK_PRAGMAS`); on PostgreSQL they use the application's engine. A
catch-up or rebuild also collects garbage rarely (:func:`rare_collections`).
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine

# Settings of the projector's own connections to a SQLite file (:meth:`WriterConnections.writer`).
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


class WriterConnections:
    """The connections one projector writes through (``own``: its SQLite engine, once made)."""

    def __init__(self, datastore: Any) -> None:
        self.datastore = datastore
        self.engine: Engine = datastore.engine
        self.own: Engine | None = None

    def init_wal(self) -> None:
        """Switch SQLite to WAL as the library does on its first transaction, but now: the
        switch needs the database to itself, so it must not race our first writes."""
        if self.engine.dialect.name == "sqlite":
            self.datastore.init_sqlite_wal_mode()

    def writer(self) -> Engine:
        """The engine the batches and index builds write through: on a SQLite file its own
        connections with :data:`SQLITE_BATCH_PRAGMAS` (kept off the application's pool, whose
        writers keep the default durability); otherwise the application's engine."""
        if self.own is not None:
            return self.own
        if not getattr(self.datastore, "is_sqlite_filedb", False):
            return self.engine
        engine = create_engine(
            self.engine.url, connect_args={"timeout": SQLITE_BUSY_MS / 1000}
        )

        @event.listens_for(engine, "connect")
        def configure(dbapi_connection: Any, _record: Any) -> None:
            for pragma in SQLITE_BATCH_PRAGMAS:
                dbapi_connection.execute(f"PRAGMA {pragma}")

        self.own = engine
        return engine

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One batch's transaction (committed unless an exception leaves it)."""
        writer = self.writer()
        if writer is self.engine:
            with self.datastore.transaction(commit=True) as session:
                yield session.connection()
        else:  # the first statement (positions.lock) is a write: it takes SQLite's write lock
            with writer.begin() as conn:
                yield conn

    @contextlib.contextmanager
    def index_builds(self) -> Iterator[Connection]:
        """A transaction for building indexes over whole tables: on the projector's own
        SQLite connections with a second sorter thread (``PRAGMA threads``: 7 % faster on
        three indexes of the 1M store; a 1 GiB page cache was not)."""
        with self.writer().begin() as conn:
            if conn.engine is self.own:
                self.bulk_settings(conn, False)
                conn.exec_driver_sql(f"PRAGMA threads = {SORTER_THREADS}")
            yield conn

    def after_bulk_builds(self) -> None:
        """Once the index builds after a bulk build are done (SQLite file): a bulk catch-up
        leaves up to 1 GiB of WAL, and until a writer restarts it every page a reader reads
        is looked up in its whole index. Checkpoint it all and truncate it, waiting for
        readers (and holding off writers) at most 2 s; if readers hold on, the next writer
        restarts it. Then close the connections that built them."""
        if self.own is None:
            return
        with self.own.connect() as conn:
            conn.exec_driver_sql("PRAGMA busy_timeout = 2000")
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")
        self.close()

    def close(self) -> None:
        """Close the projector's idle SQLite connections (the next batch opens a new one), so
        the up to 1 GiB of page cache a bulk catch-up or index build filled is freed at once.

        Given back page by page (a smaller ``cache_size``) or kept, it leaves the process's
        heap in small holes between live blocks, and every later large allocation of any
        connection in the process is slow: the C allocator searches the holes and copies
        each growing buffer. FTS5 grows its buffers a lot: after a 1M catch-up, a full-text
        page in that process took 31 ms instead of 6 ms until these connections closed."""
        if self.own is not None:
            self.own.dispose()

    def bulk_settings(self, conn: Connection, far_behind: bool) -> None:
        """On the projector's own SQLite connections: :data:`SQLITE_BULK_PRAGMAS`."""
        if conn.engine is self.own:
            for pragma in SQLITE_BULK_PRAGMAS[far_behind]:
                conn.exec_driver_sql(f"PRAGMA {pragma}")
