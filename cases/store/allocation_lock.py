"""Queue the writers that allocate numbers in one dnr series-year, instead of letting them race.

Numbering stays guaranteed by the store (the counter's version and the case id's unique
index, cases/application.py): this lock only keeps writers from wasting work. Without it, two
web workers registering at the same moment both read the counter, both build a case, and one
of them loses at commit, backs off and starts again. With it they take turns:

* threads of one process: a ``threading.Lock`` per series-year;
* processes on PostgreSQL: the lock every write takes anyway before it inserts (the
  library's ``LOCK TABLE <events> IN EXCLUSIVE MODE``, which keeps notification ids gapless
  and in commit order; plain reads go on), taken as the *first* statement of the one
  transaction that loads the counter and saves it with the new cases
  (:meth:`AllocationLock.transaction`), and released by its commit or rollback, or when the
  connection dies. It costs no connection, round trip or timeout of its own, and cannot
  deadlock (it is the only lock the transaction takes before it writes). Other writers wait
  for it a little longer than they would for the insert alone (the counter's read);
* processes on SQLite (a file database): an exclusive ``flock`` on ``<database>.dnr-lock``,
  released by the kernel if the process dies. ``flock`` belongs to an open file description,
  not to a thread or a process, so each series-year has its own descriptor in each process
  (one shared descriptor would let a second thread "take" the lock its neighbour holds, and
  release it under that neighbour); a forked child opens its own.

On SQLite it is best-effort: if the lock file cannot be opened (e.g. a read-only directory),
allocation goes on without it and the store still refuses any duplicate.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator
from typing import Any


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
        """Hold the series-year's allocation, among this process's threads and (SQLite) other
        processes, for the duration of the ``with`` block. On PostgreSQL, other processes are
        kept out by :meth:`transaction`."""
        with self._thread_lock((series, year)):
            if self._path is not None:
                with self._flock((series, year)):
                    yield
            else:
                yield

    @contextlib.contextmanager
    def transaction(self, recorder: Any, series: str, year: int) -> Iterator[None]:
        """The transaction an allocation reads and writes in: on PostgreSQL one transaction
        that first takes the events table's write lock (see above); elsewhere each read and
        the save keep their own (on SQLite a read transaction must not turn into a write:
        another process may have written meanwhile, and that upgrade fails instead of
        waiting)."""
        if self.dialect != "postgresql":
            yield
            return
        with recorder.transaction(commit=True) as session:
            recorder.lock_events_table(session)
            yield

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
