"""API tokens: issued and revoked by the CLI (or an admin), stored only as hashes.

A token reads ``dia_<id>_<secret>``: ``id`` (12 hex digits) names the row, ``secret`` (43
URL-safe characters, 256 random bits) is shown once when the token is issued and never stored;
the table ``diarium_tokens`` keeps ``sha256(id ":" secret)``, compared in constant time. Each
token carries the name recorded as actor of every command made with it, its roles, and
optionally the bodies it is scoped to. Revoking sets ``revoked_at``; the row stays, so the
names behind old events remain explained.

A token's name is unique among live (not revoked, not expired) tokens: ``live_name`` holds the
name while the token lives, under a unique index, so two issues of one name at the same moment
cannot both succeed. An admin scoped to bodies issues, lists and revokes only tokens within its
bodies and with roles it holds itself.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Index,
    MetaData,
    String,
    Table,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from diarium.cases.store.migrations import add_missing_columns, create_index
from diarium.cases.store.side_tables import actor_columns, actor_fields, actor_values, aware
from diarium.domain.actor import Actor
from diarium.domain.roles import unknown_roles
from diarium.domain.rules import Rule, rule

PREFIX = "dia"
TOKEN_PATTERN = re.compile(r"^dia_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
# The same in Python and in ECMA-262 (the OpenAPI document): letters are spelled out.
NAME_PATTERN = re.compile(r"^[0-9A-Za-zÀ-ÖØ-öø-ÿ_.@ -]{1,200}$")
BODY_PATTERN = re.compile(r"^[0-9A-Za-zÀ-ÖØ-öø-ÿ_-]{1,50}$")

metadata = MetaData()
tokens_table = Table(
    "diarium_tokens",
    metadata,
    Column("id", String(12), primary_key=True),
    *actor_columns(),
    Column("secret_hash", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Column("revoked_by", String(200), nullable=True),
    Column("live_name", String(200), nullable=True),  # the name while live, else NULL
)
LIVE_NAME_INDEX = Index("diarium_tokens_live_name_idx", tokens_table.c.live_name, unique=True)

TOKEN_NAME_TAKEN = rule(
    "token-name-taken",
    "A token's name is the actor it records: no two live tokens have the same name.",
    sv="En nyckels namn är den aktör som registreras: två giltiga nycklar kan inte ha samma namn.",
)
TOKEN_BEYOND_SCOPE = rule(
    "token-beyond-issuer-scope",
    "An admin scoped to bodies issues tokens only within its bodies, with roles it holds.",
    sv=(
        "En administratör som är begränsad till vissa organ utfärdar nycklar bara för sina organ "
        "och med roller som den själv har."
    ),
)


class TokenError(ValueError):
    """A token cannot be issued or revoked as asked."""


class TokenRefused(TokenError):
    """Issuing breaks ``rule``; ``field`` is the request field at fault."""

    def __init__(self, broken: Rule, field: str, detail: str) -> None:
        super().__init__(f"{detail} ({broken.code})")
        self.rule = broken
        self.field = field
        self.detail = detail


def _beyond_scope(
    issuer: Actor | None, roles: tuple[str, ...] | list[str], bodies: tuple[str, ...] | list[str]
) -> TokenRefused | None:
    """Why a scoped issuer may not issue (or revoke) a token of ``roles`` and ``bodies``:
    bodies not all its own (or none: every body), or roles it does not hold."""
    if issuer is None or not issuer.bodies:
        return None
    if not bodies or not set(bodies) <= set(issuer.bodies):
        return TokenRefused(TOKEN_BEYOND_SCOPE, "bodies",
                            f"Only bodies among your own: {', '.join(issuer.bodies)}.")
    if beyond := sorted(set(roles) - set(issuer.roles)):
        return TokenRefused(TOKEN_BEYOND_SCOPE, "roles",
                            f"Roles you do not hold: {', '.join(beyond)}.")
    return None


@dataclass(frozen=True)
class Token:
    """A token's record (never its secret)."""

    id: str
    name: str
    roles: tuple[str, ...]
    bodies: tuple[str, ...]
    created_at: datetime
    created_by: str
    expires_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None and (
            self.expires_at is None or aware(self.expires_at) > datetime.now(UTC)
        )


def _digest(token_id: str, secret: str) -> str:
    return hashlib.sha256(f"{token_id}:{secret}".encode()).hexdigest()


def _row(row: Any) -> Token:
    return Token(
        id=row.id,
        **actor_fields(row),
        created_at=aware(row.created_at),
        created_by=row.created_by,
        expires_at=aware(row.expires_at) if row.expires_at else None,
        revoked_at=aware(row.revoked_at) if row.revoked_at else None,
        revoked_by=row.revoked_by,
    )


def _release_expired(connection: Connection, name: str, now: datetime) -> None:
    """An expired token no longer holds its name."""
    connection.execute(update(tokens_table).where(
        tokens_table.c.live_name == name, tokens_table.c.expires_at <= now,
    ).values(live_name=None))


class TokenStore:
    """The token table in the store's database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def for_application(cls, app: Any) -> TokenStore:
        """The token store beside ``app``'s event store (same database)."""
        return cls(app.recorder.datastore.engine)

    def create_table(self) -> None:
        """Create the table, or bring an older one up to date (``live_name``)."""
        metadata.create_all(self.engine, tables=[tokens_table], checkfirst=True)
        if "live_name" in add_missing_columns(self.engine, tokens_table):
            self._mark_live_names()
        create_index(self.engine, LIVE_NAME_INDEX)

    def _mark_live_names(self) -> None:
        """Tokens issued before names were unique: the newest live one of a name holds it."""
        newest: dict[str, str] = {}
        for token in self.list():  # oldest first
            if token.active:
                newest[token.name] = token.id
        with self.engine.begin() as connection:
            for name, token_id in newest.items():
                connection.execute(update(tokens_table).where(tokens_table.c.id == token_id)
                                   .values(live_name=name))

    def issue(
        self,
        *,
        name: str,
        roles: list[str] | tuple[str, ...],
        bodies: list[str] | tuple[str, ...] = (),
        expires_at: datetime | None = None,
        by: str = "cli",
        issuer: Actor | None = None,
    ) -> tuple[str, Token]:
        """Issue a token; returns the token itself (shown once) and its record.

        ``issuer`` is the admin asking over the API (scoped ones stay within their scope);
        a live token of the same name refuses it (:data:`TOKEN_NAME_TAKEN`).
        """
        name = name.strip()
        if not NAME_PATTERN.match(name):
            raise TokenError("A token's name is 1-200 letters, digits, spaces or . _ - @")
        roles = list(dict.fromkeys(roles))
        if not roles:
            raise TokenError("A token has at least one role")
        if unknown := unknown_roles(roles):
            raise TokenError(f"Unknown roles: {', '.join(unknown)}")
        bodies = list(dict.fromkeys(bodies))
        if bad := [b for b in bodies if not BODY_PATTERN.match(b)]:
            raise TokenError(f"Invalid body codes: {', '.join(bad)}")
        if refusal := _beyond_scope(issuer, roles, bodies):
            raise refusal
        token_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        try:
            with self.engine.begin() as connection:
                _release_expired(connection, name, now)
                connection.execute(
                    insert(tokens_table).values(
                        id=token_id,
                        **actor_values(name, roles, bodies),
                        secret_hash=_digest(token_id, secret),
                        created_at=now,
                        created_by=by[:200],
                        expires_at=expires_at,
                        live_name=name,
                    )
                )
        except IntegrityError:
            raise TokenRefused(TOKEN_NAME_TAKEN, "name", f"A live token is named {name!r}: "
                               "revoke it first, or choose another name.") from None
        return f"{PREFIX}_{token_id}_{secret}", self.get(token_id)

    def get(self, token_id: str) -> Token:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(tokens_table).where(tokens_table.c.id == token_id)
            ).first()
        if row is None:
            raise TokenError(f"No token {token_id!r}")
        return _row(row)

    def revoke(self, token_id: str, *, by: str = "cli", issuer: Actor | None = None) -> Token:
        """Revoke a token at once; revoking a revoked token changes nothing. A scoped
        ``issuer`` revokes only tokens it could issue."""
        token = self.get(token_id)
        if refusal := _beyond_scope(issuer, token.roles, token.bodies):
            raise refusal
        with self.engine.begin() as connection:
            connection.execute(
                update(tokens_table)
                .where(tokens_table.c.id == token_id, tokens_table.c.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC), revoked_by=by[:200], live_name=None)
            )
        return self.get(token_id)

    def list(self, *, include_revoked: bool = False, issuer: Actor | None = None) -> list[Token]:
        """Tokens, oldest first; for a scoped ``issuer``, those within its scope."""
        query = select(tokens_table).order_by(tokens_table.c.created_at, tokens_table.c.id)
        if not include_revoked:
            query = query.where(tokens_table.c.revoked_at.is_(None))
        with self.engine.connect() as connection:
            found = [_row(r) for r in connection.execute(query)]
        return [t for t in found if _beyond_scope(issuer, t.roles, t.bodies) is None]

    def authenticate(self, presented: str) -> Token | None:
        """The active token ``presented`` is, or ``None``."""
        match = TOKEN_PATTERN.match(presented)
        if not match:
            return None
        token_id, secret = match.groups()
        with self.engine.connect() as connection:
            row = connection.execute(
                select(tokens_table).where(tokens_table.c.id == token_id)
            ).first()
        expected = row.secret_hash if row is not None else "0" * 64
        if not hmac.compare_digest(_digest(token_id, secret), expected) or row is None:
            return None
        token = _row(row)
        return token if token.active else None
