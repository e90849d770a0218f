"""Reads from a hot standby: ``DIARIUM_READ_DATABASE_URL`` names a PostgreSQL
streaming-replication standby of the primary (``DIARIUM_DATABASE_URL``), and the web's reads
(case views, registers, the public site, the desk's pages) are answered by it.

Writes always go to the primary: a command loads what it decides on from the primary
(:func:`on_primary`, in ``Diarium._retrying``), so its optimistic concurrency check never
meets a standby's older state. What goes to the standby is decided per context
(:func:`enter` and :func:`leave`: a context variable the web sets for ``GET`` and ``HEAD``): the
single-statement reads of ``cases/store/reads.py: ReadConnections`` (events of an aggregate, the
log's head, register pages and their state) run on the standby's engine instead of the primary's.

**Read your writes.** A write answers with its log position; a read that passes it as
``min_position`` is served by the standby only once the standby has replayed that far
(:func:`fresh_enough`, polled for up to ``DIARIUM_READ_WAIT_SECONDS``), and otherwise by
the primary. **Standby down.** A read the standby cannot answer (refused, dropped, or a
statement it fails) is run again on the primary, and the standby is left alone for
:data:`DOWN_SECONDS` before it is tried again: no reader sees an error for it.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar, Token
from typing import Any

from sqlalchemy import exc
from sqlalchemy.engine import Engine, create_engine

STANDBY_URL_VARIABLE = "DIARIUM_READ_DATABASE_URL"
READ_WAIT_VARIABLE = "DIARIUM_READ_WAIT_SECONDS"  # also the registers' wait for a projection
DEFAULT_READ_WAIT = 2.0
DOWN_SECONDS = 5.0  # a standby that failed a read is not asked again for this long
CONNECT_TIMEOUT = 2  # seconds; a standby that does not answer falls back soon
POLL_SECONDS = 0.02


class Standby:
    """A hot standby's engine (autocommit, one per process) and whether it is up."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None
        self._pid = 0
        self._lock = threading.Lock()
        self._down_until = 0.0

    def engine(self) -> Engine:
        engine = self._engine
        if engine is not None and self._pid == os.getpid():
            return engine
        with self._lock:
            if self._engine is None or self._pid != os.getpid():  # not a parent's, after fork
                self._engine = create_engine(
                    self.url, isolation_level="AUTOCOMMIT", pool_pre_ping=False,
                    connect_args={"connect_timeout": CONNECT_TIMEOUT},
                )
                self._pid = os.getpid()
            return self._engine

    @property
    def up(self) -> bool:
        return time.monotonic() >= self._down_until

    def failed(self, error: exc.DBAPIError) -> None:
        """A read failed here: leave the standby alone a while if it is unreachable."""
        if error.connection_invalidated or isinstance(error, exc.OperationalError):
            self._down_until = time.monotonic() + DOWN_SECONDS
            if self._engine is not None:
                self._engine.dispose()

    def all(self, statement: Any, params: dict[str, Any]) -> list[Any] | None:
        """The statement's rows from the standby, or None when it could not answer."""
        try:
            with self.engine().connect() as conn:
                return conn.execute(statement, params).all()
        except exc.DBAPIError as error:
            self.failed(error)
            return None


_current: ContextVar[Standby | None] = ContextVar("diarium_standby", default=None)


def current() -> Standby | None:
    """The standby this context's reads go to, if any and if it is up."""
    standby = _current.get()
    return standby if standby is not None and standby.up else None


def enter(standby: Standby) -> Token[Standby | None]:
    """From now on in this context, reads go to ``standby``; :func:`leave` undoes it."""
    return _current.set(standby)


def leave(token: Token[Standby | None]) -> None:
    try:
        _current.reset(token)
    except ValueError:  # another context (a streamed answer's end): just stop reading there
        _current.set(None)


@contextlib.contextmanager
def on_primary() -> Iterator[None]:
    """Inside, every read goes to the primary (what a write decides on)."""
    token = _current.set(None)
    try:
        yield
    finally:
        _current.reset(token)


def leave_standby() -> bool:
    """Send this context's further reads to the primary; whether they went to a standby."""
    was = current() is not None
    _current.set(None)
    return was


def fresh_enough(reached: Callable[[], bool], wait: float) -> bool:
    """On a standby: poll ``reached()`` (run on the standby) for up to ``wait`` seconds; if it
    never holds, leave the standby (:func:`leave_standby`). True when the reads stay on it."""
    if current() is None:
        return False
    deadline = time.monotonic() + wait
    while not reached():
        if current() is None or time.monotonic() >= deadline:
            leave_standby()
            return False
        time.sleep(POLL_SECONDS)
    return current() is not None


def configured(url: str | None, primary: Engine) -> Standby | None:
    """The standby ``url`` (or ``DIARIUM_READ_DATABASE_URL``) names, for a PostgreSQL
    primary; None without one."""
    url = url or os.environ.get(STANDBY_URL_VARIABLE)
    if not url or primary.dialect.name != "postgresql":
        return None
    return Standby(url)


def read_wait(setting: Any = None) -> float:
    """How long a read waits for a position: the setting, ``DIARIUM_READ_WAIT_SECONDS``, 2."""
    value = setting or os.environ.get(READ_WAIT_VARIABLE)
    return float(value) if value else DEFAULT_READ_WAIT
