"""A short-lived cache of verified bearer tokens, for the web processes.

Looking a token up costs a database round trip (and on PostgreSQL a pool pre-ping) on every
request: a quarter to a half of a case read. The web processes (``web.wsgi``) therefore keep a
token they verified for ``DIARIUM_TOKEN_CACHE_SECONDS`` (default 2 s): within that time the
same token is not looked up again. Revocation stays effective within those seconds (and at
once for a revocation made through the same process); expiry is checked on every request.
Only the SHA-256 of a presented token is kept, never the token itself. Unknown or refused
tokens are not cached (each attempt is looked up, so a new token works at once).
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from typing import Any

CACHE_SECONDS_VARIABLE = "DIARIUM_TOKEN_CACHE_SECONDS"
DEFAULT_SECONDS = 2.0
MAX_ENTRIES = 10_000


def configured_seconds() -> float:
    """The cache's lifetime from ``DIARIUM_TOKEN_CACHE_SECONDS`` (0 turns it off)."""
    raw = os.environ.get(CACHE_SECONDS_VARIABLE)
    return max(0.0, float(raw)) if raw else DEFAULT_SECONDS


class CachedTokens:
    """Wraps a ``cases.tokens.TokenStore``: ``authenticate`` answers from the cache when it
    can; everything else (issue, revoke, list, ...) goes to the store."""

    def __init__(
        self, tokens: Any, seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.tokens = tokens
        self.seconds = seconds
        self.clock = clock
        self._entries: dict[bytes, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def authenticate(self, presented: str) -> Any:
        key = hashlib.sha256(presented.encode()).digest()
        now = self.clock()
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and entry[0] > now and entry[1].active:  # expiry checked anew
            return entry[1]
        token = self.tokens.authenticate(presented)
        with self._lock:
            if token is None:
                self._entries.pop(key, None)
            else:
                if len(self._entries) >= MAX_ENTRIES:
                    self._entries.clear()
                self._entries[key] = (now + self.seconds, token)
        return token

    def revoke(self, *args: Any, **kwargs: Any) -> Any:
        """Revoke in the store and forget every cached token of this process at once."""
        revoked = self.tokens.revoke(*args, **kwargs)
        with self._lock:
            self._entries.clear()
        return revoked

    def __getattr__(self, name: str) -> Any:
        return getattr(self.tokens, name)


def cache_tokens(app: Any, seconds: float | None = None) -> None:
    """Put the cache in front of the Flask ``app``'s token store (no-op for 0 seconds)."""
    seconds = configured_seconds() if seconds is None else seconds
    if seconds > 0:
        app.extensions["diarium_tokens"] = CachedTokens(app.extensions["diarium_tokens"],
                                                        seconds)
