"""Which events a request's command saved: the types, told to whoever watches its request id.

Every event carries the request id it came in with (``domain/events/base.py``), so a
registration saved by another thread's group commit still reaches its own request. Only
watched request ids are kept (the web tier's command log, web/observability.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any


class SavedEvents:
    """The types of the events saved for each watched request id, in the order saved."""

    def __init__(self) -> None:
        self._watched: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    @contextmanager
    def watch(self, request_id: str) -> Iterator[list[str]]:
        """The list that fills with the types of the events saved for ``request_id``."""
        seen: list[str] = []
        with self._lock:
            self._watched[request_id] = seen
        try:
            yield seen
        finally:
            with self._lock:
                if self._watched.get(request_id) is seen:
                    del self._watched[request_id]

    def saw(self, events: Iterable[Any]) -> None:
        """Note ``events`` (just saved) for the request ids watched."""
        if not self._watched:
            return
        with self._lock:
            for event in events:
                seen = self._watched.get(getattr(event, "request_id", None) or "")
                if seen is not None:
                    seen.append(type(event).__name__)
