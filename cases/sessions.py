"""Sessions of the staff's desk (web/desk/): who signed in, kept server-side beside the events.

A browser holds only a random session id (in a signed, HttpOnly cookie); the table
``diarium_desk_sessions`` keeps its SHA-256, the person's name, roles and bodies, and the
diarium token it was opened with (checked again on every request, so a revoked token ends its
sessions at once). A session ends when its holder signs out, after ``idle`` without a request,
or ``lifetime`` after it began, whichever comes first; an ended session never comes back.

The desk's signing key (for the cookie and the CSRF tokens) is kept here too, in
``diarium_settings``, so every worker of every node signs alike unless ``DIARIUM_SECRET_KEY``
is set.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Column, DateTime, MetaData, String, Table, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from diarium.cases.store.side_tables import actor_columns, actor_fields, actor_values, aware

metadata = MetaData()
sessions_table = Table(
    "diarium_desk_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    *actor_columns(),
    Column("token_id", String(12), nullable=True),  # None: signed in with OIDC
    Column("began_at", DateTime(timezone=True), nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),  # the lifetime's end
    Column("ended_at", DateTime(timezone=True), nullable=True),
)
settings_table = Table(
    "diarium_settings",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("value", String(500), nullable=False),
)
SEEN_EVERY = timedelta(seconds=30)  # how often a request records that the session is in use


@dataclass(frozen=True)
class Session:
    """A live session: who it is."""

    name: str
    roles: tuple[str, ...]
    bodies: tuple[str, ...]
    token_id: str | None


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class DeskSessions:
    """Open, find, keep alive and end the desk's sessions."""

    def __init__(self, engine: Engine, idle: timedelta, lifetime: timedelta) -> None:
        self.engine, self.idle, self.lifetime = engine, idle, lifetime

    def create_tables(self) -> None:
        metadata.create_all(self.engine, checkfirst=True)

    def open(self, name: str, roles: tuple[str, ...], bodies: tuple[str, ...],
             token_id: str | None = None, ends_at: datetime | None = None) -> str:
        """A new session's id (for the cookie only; never stored as such)."""
        session_id = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        end = min(now + self.lifetime, ends_at or now + self.lifetime)
        with self.engine.begin() as connection:
            connection.execute(insert(sessions_table).values(
                id_hash=_hash(session_id), **actor_values(name, roles, bodies),
                token_id=token_id, began_at=now, seen_at=now, ends_at=end,
            ))
        return session_id

    def find(self, session_id: str) -> Session | None:
        """The live session of ``session_id`` (its use recorded), or ``None`` when there is
        none, it ended, or it expired (then it is ended for good)."""
        now = datetime.now(UTC)
        key = _hash(session_id)
        with self.engine.connect() as connection:
            row = connection.execute(
                select(sessions_table).where(sessions_table.c.id_hash == key)
            ).first()
        if row is None or row.ended_at is not None:
            return None
        if now >= aware(row.ends_at) or now - aware(row.seen_at) >= self.idle:
            self.end(session_id)
            return None
        if now - aware(row.seen_at) >= SEEN_EVERY:
            with self.engine.begin() as connection:
                connection.execute(update(sessions_table)
                                   .where(sessions_table.c.id_hash == key).values(seen_at=now))
        return Session(**actor_fields(row), token_id=row.token_id)

    def end(self, session_id: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(sessions_table)
                .where(sessions_table.c.id_hash == _hash(session_id),
                       sessions_table.c.ended_at.is_(None))
                .values(ended_at=datetime.now(UTC))
            )

    def signing_key(self) -> str:
        """The desk's signing key, made once for the whole store (every worker agrees)."""
        query = select(settings_table.c.value).where(settings_table.c.name == "desk-signing-key")
        with self.engine.connect() as connection:
            found: Any = connection.execute(query).scalar()
        if found is not None:
            return str(found)
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(settings_table).values(
                    name="desk-signing-key", value=secrets.token_urlsafe(48)))
        except IntegrityError:  # another worker made it first
            pass
        with self.engine.connect() as connection:
            return str(connection.execute(query).scalar_one())
