"""The read path: aggregates from the cache without a query when nothing was written, and
the event reads that remain as one Core ``SELECT`` each. This module holds the design and the
pieces that override nothing; the overrides of the library (``FreshRepository``,
``CoreEventReads``) are in cases/store/overrides.py.

**Skipping the fastforward.** ``Diarium`` keeps recently used aggregates in memory and, on
every ``get``, asks the store for events newer than the cached version (the library's
*fastforward*): one query per read even when nothing changed. :class:`FreshRepository`
skips it when the store says nothing was committed since the cached aggregate was last
brought up to date. The store's word must be exact and synchronous, or a client that wrote
through one web process and reads through another could miss its own write:

- SQLite: ``PRAGMA data_version`` on a connection of its own (:class:`SQLiteDataVersion`)
  changes whenever any *other* connection, in any process, committed to the database, and
  costs ~5 µs (no round trip: it reads the WAL index in shared memory). The token is read
  *before* the aggregate is brought up to date, so a commit racing the fastforward leaves
  a token that no longer matches and the next read asks again.
- PostgreSQL: every exact check is a round trip (a LISTEN/NOTIFY invalidation arrives
  asynchronously, so a read racing the notification would serve the old state). The
  fastforward query itself is that round trip and also brings the new events when there
  are any, so it stays; what goes is its cost (:class:`CoreEventReads`): one Core statement
  in autocommit on a pool without pre-ping, instead of ORM query building, pre-ping,
  ``BEGIN`` and ``ROLLBACK`` (4 round trips down to 1).

**Copy on write.** Under gunicorn's ``gthread`` workers several request threads share one
cached aggregate. The library brings a cached aggregate up to date in place, while other
threads may be serializing or deep-copying that very object; :class:`FreshRepository`
applies new events to a copy instead and puts the copy in the cache, so an aggregate handed
out from the cache never changes afterwards.

**Core reads.** :class:`CoreEventReads` replaces the library's ORM ``select_events`` (and
``max_notification_id``) with the same ``SELECT`` built once per shape and run on a plain
connection; inside a transaction already open in this context (the library's
``datastore.transaction``) it runs in that transaction, as the library's query would.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

from eventsourcing_sqlalchemy.datastore import transactions
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine, create_engine

from diarium.cases.store import standby

# -- reads on a plain connection --------------------------------------------------------------


class ReadConnections:
    """Single-statement reads outside any transaction of the library's.

    SQLite: the store's own engine (no pre-ping there; a connection starts a fresh read
    transaction per statement). PostgreSQL: an engine of its own in autocommit without
    pre-ping, so a read is one round trip; a connection found dead (the server restarted)
    is retried once on a new one, which is what the pre-ping bought."""

    def __init__(self, datastore: Any) -> None:
        self.datastore = datastore
        self._engine: Engine | None = None
        self._pid = 0
        self._lock = threading.Lock()

    @property
    def usable(self) -> bool:
        """False where the library's own path must be kept: a scoped session, or an
        in-memory SQLite database (one shared connection behind the library's lock)."""
        return (
            self.datastore.engine is not None
            and getattr(self.datastore, "scoped_session", None) is None
            and not getattr(self.datastore, "is_sqlite_in_memory_db", False)
        )

    def engine(self) -> Engine:
        engine, pid = self._engine, os.getpid()
        if engine is not None and self._pid == pid:
            return engine
        with self._lock:
            if self._engine is None or self._pid != pid:
                main: Engine = self.datastore.engine
                if main.dialect.name == "postgresql":
                    reads = self._engine = create_engine(
                        main.url, isolation_level="AUTOCOMMIT", pool_pre_ping=False,
                        connect_args={"connect_timeout": 5},
                    )
                    # closing the store's connections closes these too
                    event.listen(main, "engine_disposed", lambda _engine: reads.dispose())
                else:
                    self._engine = main
                self._pid = pid
            return self._engine

    def all(self, statement: Any, params: dict[str, Any]) -> list[Any]:
        """The rows: from a hot standby when this context reads from one and it answers
        (cases/store/standby.py), else from the primary."""
        if (replica := standby.current()) is not None:
            rows = replica.all(statement, params)
            if rows is not None:
                return rows
        for attempt in (1, 2):
            try:
                with self.engine().connect() as conn:
                    return conn.execute(statement, params).all()
            except exc.DBAPIError as error:
                if attempt == 2 or not error.connection_invalidated:
                    raise
        raise AssertionError("unreachable")


def read_connections(datastore: Any) -> ReadConnections:
    """The datastore's :class:`ReadConnections` (one per datastore)."""
    reads = getattr(datastore, "_diarium_reads", None)
    if reads is None:
        reads = datastore._diarium_reads = ReadConnections(datastore)
    return reads


def open_transaction() -> Any:
    """The library's transaction open in this context, if any."""
    try:
        return transactions.get()
    except LookupError:
        return None


# -- has anything been committed? ---------------------------------------------------------------


class SQLiteDataVersion:
    """``PRAGMA data_version`` of a SQLite file, on a connection of this process that never
    writes: a token that changes whenever anything was committed by any other connection,
    this process's included. ``None`` when it cannot tell (then the caller asks the store)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._identity: tuple[int, int, int] | None = None
        self._serial = 0  # tokens of different connections never compare equal

    def token(self) -> tuple[int, int] | None:
        with self._lock:
            try:
                stat = os.stat(self.path)
                identity = (os.getpid(), stat.st_dev, stat.st_ino)
                # a fork (the connection is the parent's) or a file replaced under the same
                # name (the connection would go on watching the old one): connect anew
                if self._conn is None or self._identity != identity:
                    if self._conn is not None:
                        self._conn.close()
                    self._conn = sqlite3.connect(
                        self.path, isolation_level=None, check_same_thread=False, timeout=30
                    )
                    self._identity = identity
                    self._serial += 1
                return self._serial, self._conn.execute("PRAGMA data_version").fetchone()[0]
            except (OSError, sqlite3.Error):
                self._conn = None
                return None


def store_version(datastore: Any) -> Callable[[], Any] | None:
    """The cheap, exact "anything committed?" token of this store, if it has one (SQLite
    files); PostgreSQL has none that needs no round trip (see the module's docstring)."""
    engine = getattr(datastore, "engine", None)
    if engine is None or engine.dialect.name != "sqlite":
        return None
    if getattr(datastore, "is_sqlite_in_memory_db", False) or not ReadConnections(datastore).usable:
        return None
    url = engine.url
    if not url.database or url.database.startswith("file:") or url.query:
        return None
    return SQLiteDataVersion(os.path.abspath(url.database)).token


__all__ = [
    "ReadConnections", "SQLiteDataVersion", "open_transaction", "read_connections",
    "store_version",
]
