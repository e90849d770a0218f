"""Queue the writers that allocate numbers in one dnr series-year, instead of letting them race.

Numbering stays guaranteed by the store (the counter's version and the case id's unique
index, cases/application.py): this lock only keeps writers from wasting work. Without it, two
web workers registering at the same moment both read the counter, both build a case, and one
of them loses at commit, backs off and starts again. With it they take turns:

* threads of one process: a ``threading.Lock`` per series-year;
* processes on PostgreSQL: a session advisory lock (``pg_advisory_lock``) per series-year,
  held on a pooled connection for the allocation and released after it (or when the
  connection dies with its process);
* processes on SQLite (a file database): an exclusive ``flock`` on ``<database>.dnr-lock``,
  released by the kernel if the process dies. ``flock`` belongs to an open file description,
  not to a thread or a process, so each series-year has its own descriptor in each process
  (one shared descriptor would let a second thread "take" the lock its neighbour holds, and
  release it under that neighbour); a forked child opens its own.

It is best-effort: if the lock cannot be taken (e.g. the database is unreachable), allocation
goes on without it and the store still refuses any duplicate.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import threading
from collections.abc import Iterator
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)


class AllocationLock:
    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._guard = threading.Lock()
        self._threads: dict[tuple[str, int], threading.Lock] = {}
        self._files: dict[tuple[str, int], int] = {}  # series-year -> descriptor (see _flock)
        self._pid = os.getpid()
        database = engine.url.database or ""
        if self.dialect == "sqlite" and database and database != ":memory:" \
                and not database.startswith("file:") and os.path.isdir(
                    os.path.dirname(os.path.abspath(database))):
            self._path: str | None = f"{database}.dnr-lock"
        else:
            self._path = None

    def _thread_lock(self, key: tuple[str, int]) -> threading.Lock:
        with self._guard:
            return self._threads.setdefault(key, threading.Lock())

    @contextlib.contextmanager
    def hold(self, series: str, year: int) -> Iterator[None]:
        """Hold the series-year's allocation for the duration of the ``with`` block."""
        with self._thread_lock((series, year)):
            if self.dialect == "postgresql":
                with self._advisory(series, year):
                    yield
            elif self._path is not None:
                with self._flock((series, year)):
                    yield
            else:
                yield

    @contextlib.contextmanager
    def _advisory(self, series: str, year: int) -> Iterator[None]:
        key = int.from_bytes(hashlib.sha256(f"dnr:{series}:{year}".encode()).digest()[:8],
                             "big", signed=True)
        try:
            conn = self.engine.connect()
        except SQLAlchemyError:
            yield  # unreachable store: the save will say so
            return
        locked = False
        try:
            conn.execute(text("SELECT set_config('lock_timeout', '10s', true)"))
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            conn.commit()  # a session lock: it outlives this transaction
            locked = True
        except SQLAlchemyError:
            log.warning("dnr allocation lock not taken; allocating without it")
            conn.invalidate()
        try:
            yield
        finally:
            if locked:
                try:
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    conn.commit()
                except SQLAlchemyError:
                    conn.invalidate()  # the session, and its lock, are gone
            conn.close()

    def _descriptor(self, key: tuple[str, int]) -> int:
        """This process's own descriptor of the lock file for ``key`` (called under the
        key's thread lock)."""
        if self._pid != os.getpid():  # a forked child: the inherited ones are the parent's
            with self._guard:
                if self._pid != os.getpid():
                    self._files = {}
                    self._pid = os.getpid()
        descriptor = self._files.get(key)
        if descriptor is None:
            descriptor = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)  # type: ignore[arg-type]
            with self._guard:
                self._files[key] = descriptor
        return descriptor

    @contextlib.contextmanager
    def _flock(self, key: tuple[str, int]) -> Iterator[None]:
        try:
            descriptor = self._descriptor(key)
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        except OSError:  # e.g. a read-only directory: go on without it
            yield
            return
        try:
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)

    def close(self) -> None:
        """Close this process's lock-file descriptors."""
        with self._guard:
            files, self._files = self._files, {}
        if self._pid == os.getpid():
            for descriptor in files.values():
                with contextlib.suppress(OSError):
                    os.close(descriptor)
