"""Following the log: the projector's loop in a thread or a process, and read-your-writes.

Waking. On SQLite the follower polls ``select_notifications`` from its position; on
PostgreSQL it also LISTENs on the events channel the recorder NOTIFYs, so it wakes at once.
A failed catch-up is retried with a growing pause (``status`` shows the error meanwhile).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from diarium.projections.tables import ACTIVE

if TYPE_CHECKING:
    from diarium.projections.runner import Projector

log = logging.getLogger(__name__)


class Follower:
    """Runs one projector's catch-ups until stopped, and lets readers wait for positions."""

    def __init__(self, projector: Projector) -> None:
        self.projector = projector
        self._advanced = threading.Condition()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def advanced(self) -> None:
        """A batch moved positions: wake those waiting for them."""
        with self._advanced:
            self._advanced.notify_all()

    def wake(self) -> None:
        """Run the next catch-up now (a failure acknowledged, a reader waiting)."""
        self._wake.set()

    def wait_for(self, position: int, names: Iterable[str], timeout: float) -> dict[str, int]:
        """Wait up to ``timeout`` seconds until projections ``names`` reached ``position``;
        returns their positions (reached or not)."""
        wanted = set(names)
        deadline = time.monotonic() + timeout
        pause = 0.005
        while True:
            positions = {
                s.name: s.position for s in self.projector.states(ACTIVE) if s.name in wanted
            }
            remaining = deadline - time.monotonic()
            if all(p >= position for p in positions.values()) or remaining <= 0:
                return positions
            self._wake.set()
            with self._advanced:
                self._advanced.wait(min(pause, remaining))
            pause = min(pause * 2, 0.1)

    def run_forever(self, poll_interval: float = 0.5, listen: bool = True) -> None:
        """Follow the log until :meth:`stop`; on PostgreSQL, wake on NOTIFY as well."""
        projector = self.projector
        self._stopping.clear()
        backoff = poll_interval
        with self._listener(listen) as wait:
            while not self._stopping.is_set():
                try:
                    projector.catch_up()
                    projector.last_error = None
                    backoff = poll_interval
                except Exception as error:  # keep following; status shows the error
                    projector.last_error = f"{type(error).__name__}: {error}"
                    log.exception("projection batch failed; retrying")
                    backoff = min(max(backoff, 0.1) * 2, 10.0)
                wait(backoff)

    @contextlib.contextmanager
    def _listener(self, listen: bool) -> Iterator[Any]:
        def sleep(seconds: float) -> None:
            self._wake.wait(seconds)
            self._wake.clear()

        if not (listen and self.projector.dialect == "postgresql"):
            yield sleep
            return
        import psycopg

        engine = self.projector.engine
        url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        try:
            conn = psycopg.connect(url, autocommit=True)
            conn.execute(f"LISTEN {self.projector.recorder.channel_name}")
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

    def start(self, poll_interval: float = 0.5) -> threading.Thread:
        """Follow the log in a daemon thread (the web process's embedded projector)."""
        self.projector.connections.init_wal()  # before the thread: no request races the switch
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(
                target=self.projector.run_forever, args=(poll_interval,),
                name="diarium-projector", daemon=True,
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
