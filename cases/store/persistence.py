"""Persistence settings: one URL picks SQLite (embedded default) or PostgreSQL."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError

DATABASE_URL_VARIABLE = "DIARIUM_DATABASE_URL"
# Encryption at rest of event payloads (issue #6): a base64 AES key (16, 24 or 32 bytes, e.g.
# from ``python -c "from eventsourcing.cipher import AESCipher; print(AESCipher.create_key(32))"``).
# Needs the ``cipher`` extra (pycryptodome). Ids, versions, topics (event types) and positions
# stay plaintext; only the state (the event's fields) is encrypted.
CIPHER_KEY_VARIABLE = "DIARIUM_CIPHER_KEY"
CIPHER_TOPIC = "eventsourcing.cipher:AESCipher"
DEFAULT_SQLITE_PATH = Path("var") / "diarium.sqlite"
# A pooled PostgreSQL connection idle for longer than this is pinged before it is used again.
IDLE_PING_SECONDS = 1.0


def database_url(url: str | None = None) -> str:
    """The SQLAlchemy URL in force: the argument, ``DIARIUM_DATABASE_URL``, or ./var SQLite."""
    url = url or os.environ.get(DATABASE_URL_VARIABLE)
    if url:
        return url
    DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE_PATH.resolve()}"


def eventsourcing_env(url: str | None = None, *, create_tables: bool = False) -> dict[str, str]:
    """The ``eventsourcing`` settings for a store at ``url`` (encrypted when
    ``DIARIUM_CIPHER_KEY`` is set)."""
    settings = {
        "PERSISTENCE_MODULE": "diarium.cases.store.overrides:DiariumFactory",
        "SQLALCHEMY_URL": database_url(url),
        "CREATE_TABLE": "y" if create_tables else "n",
    }
    if key := os.environ.get(CIPHER_KEY_VARIABLE):
        settings.update(CIPHER_TOPIC=CIPHER_TOPIC, CIPHER_KEY=key)
    return settings


def ping_when_idle(engine: Any, seconds: float) -> None:
    """Ping a pooled connection at checkout only if it sat idle for ``seconds`` or more.

    SQLAlchemy's ``pool_pre_ping`` pings at every checkout: a round trip per checkout, three
    per registration. A busy pool's connections are seconds fresh, so they are used as they
    are; one that idled (e.g. across a database restart) is pinged and, if dead, replaced
    before use. A connection that dies while in use fails its request (503), and SQLAlchemy
    then invalidates every connection the pool held, so the next requests reconnect.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection: Any, record: Any) -> None:
        record.info["diarium_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        since = record.info.pop("diarium_idle_since", None)
        if since is None or time.monotonic() - since < seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as dead:
            raise DisconnectionError() from dead  # the pool replaces it and tries again


def log_position(recordings: list[Any]) -> int | None:
    """The log position (notification id) of the last event a save recorded."""
    return recordings[-1].notification.id if recordings else None
