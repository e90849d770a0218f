"""Webhook subscriptions: who wants which public events pushed to which URL, and how far
each has been delivered.

* A subscription has a URL, the public event types it wants, a secret and a **position** in the
  log; deliveries (webhook_delivery.py) start after it, and only a delivered event moves it on.
  Each attempt at an event is recorded (``deliveries``: per subscription and position).
* The URL must name a public address, checked at registration
  (cases/outbound/webhook_targets.py); what is recorded and shown of a failure is its class only
  (``HTTP 5xx``, ``connection failed``…).
* A subscription belongs to the token that made it (``owner``): the API shows it to that token
  and to admins only. Its secret is stored AES-encrypted when ``DIARIUM_CIPHER_KEY`` is set.
* The worker claims due subscriptions with a lease, so several workers can run.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from diarium.cases.outbound import feed
from diarium.cases.outbound.webhook_targets import TargetRefused, check_url
from diarium.cases.store.migrations import add_missing_columns, widen_to_text
from diarium.cases.store.persistence import CIPHER_KEY_VARIABLE

if TYPE_CHECKING:
    from diarium.cases.application import Diarium

_NAMESPACE = uuid.UUID("0f5c9a8e-7f0e-4a43-9e0b-3c1d2b6a9e51")

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # a log position, or a count
metadata = sa.MetaData()
subscriptions = sa.Table(
    "diarium_webhook_subscriptions",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("url", sa.Text(), nullable=False),
    sa.Column("types", sa.Text(), nullable=False),  # JSON list of public type names; [] = all
    sa.Column("secret", sa.Text(), nullable=False),  # SEALED prefix: AES-encrypted, else plaintext
    sa.Column("position", BIG, nullable=False),
    sa.Column("active", sa.Boolean(), nullable=False, default=True),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("created_by", sa.String(200), nullable=True),
    sa.Column("delivered", BIG, nullable=False, default=0),
    sa.Column("failures", sa.Integer(), nullable=False, default=0),  # consecutive
    sa.Column("total_failures", BIG, nullable=False, default=0),
    sa.Column("last_status", sa.Integer(), nullable=True),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("last_attempt_at", sa.DateTime(), nullable=True),
    sa.Column("last_delivered_at", sa.DateTime(), nullable=True),
    sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
    sa.Column("lease_until", sa.DateTime(), nullable=True),
    sa.Column("lease_owner", sa.String(64), nullable=True),
    # "token:<id>" or "oidc:<name>"; NULL: admins only
    sa.Column("owner", sa.Text(), nullable=True),
)
deliveries = sa.Table(
    "diarium_webhook_deliveries",
    metadata,
    sa.Column("delivery_id", sa.String(36), primary_key=True),
    sa.Column("subscription_id", sa.String(36), nullable=False),
    sa.Column("position", BIG, nullable=False),
    sa.Column("type", sa.String(100), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("first_attempt_at", sa.DateTime(), nullable=False),
    sa.Column("last_attempt_at", sa.DateTime(), nullable=False),
    sa.Column("delivered_at", sa.DateTime(), nullable=True),
    sa.Column("last_status", sa.Integer(), nullable=True),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Index("diarium_webhook_deliveries_sub_idx", "subscription_id", "position", unique=True),
)


SEALED = "aes1:"
REFUSED = "refused: address not allowed"
CONNECTION_FAILED = "connection failed"
SECRET_UNREADABLE = "secret cannot be decrypted (DIARIUM_CIPHER_KEY)"
SHOWN_ERRORS = frozenset({REFUSED, CONNECTION_FAILED, SECRET_UNREADABLE})


def failure_text(status: int | None) -> str:
    """What is recorded and shown of a failed attempt: the status class, never more."""
    if status is None:
        return CONNECTION_FAILED
    if 300 <= status < 400:
        return "HTTP 3xx (redirects are not followed)"
    return f"HTTP {status // 100}xx"


def shown_error(status: int | None, error: str | None) -> str | None:
    """A recorded error as the API shows it (rows from before keep no exception text)."""
    if error is None or error in SHOWN_ERRORS:
        return error
    return failure_text(status)


def _cipher() -> Any:
    """The AES cipher of ``DIARIUM_CIPHER_KEY``, or ``None`` when it is not set."""
    key = os.environ.get(CIPHER_KEY_VARIABLE)
    if not key:
        return None
    from eventsourcing.cipher import AESCipher
    from eventsourcing.utils import Environment

    return AESCipher(Environment(env={AESCipher.CIPHER_KEY: key}))


def seal(secret: str) -> str:
    """The secret as stored: encrypted with ``DIARIUM_CIPHER_KEY`` when it is set."""
    cipher = _cipher()
    if cipher is None:
        return secret
    return SEALED + base64.b64encode(cipher.encrypt(secret.encode())).decode()


def unseal(stored: str) -> str:
    """The secret of a stored value (plaintext rows from before pass through);
    ``ValueError`` when it is encrypted and the key is missing or another."""
    if not stored.startswith(SEALED):
        return stored
    cipher = _cipher()
    if cipher is None:
        raise ValueError("the webhook secret is encrypted and DIARIUM_CIPHER_KEY is not set")
    return cipher.decrypt(base64.b64decode(stored[len(SEALED):])).decode()


def now_utc() -> datetime:
    """Naive UTC, the form these tables store."""
    return datetime.now(UTC).replace(tzinfo=None)


def delivery_id(subscription_id: str, position: int) -> str:
    """The delivery id of ``position`` for a subscription: the same on every retry."""
    return str(uuid.uuid5(_NAMESPACE, f"{subscription_id}:{position}"))


class InvalidSubscription(ValueError):
    """A subscription request that cannot be accepted; ``params`` name the fields."""

    def __init__(self, params: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{p['name']}: {p['reason']}" for p in params))
        self.params = params


class SubscriptionNotFound(LookupError):
    def __init__(self, subscription_id: str) -> None:
        super().__init__(f"No webhook subscription {subscription_id!r}")
        self.subscription_id = subscription_id


@dataclass(frozen=True)
class Subscription:
    id: str
    url: str
    types: list[str]
    secret: str
    position: int


def _visible(owner: str | None) -> tuple[Any, ...]:
    """The conditions for the active subscriptions ``owner`` may see (``None``: all)."""
    active = subscriptions.c.active.is_(True)
    return (active,) if owner is None else (active, subscriptions.c.owner == owner)


class WebhookStore:
    """Subscriptions and their deliveries, in the event store's database."""

    def __init__(self, app: Diarium) -> None:
        self.app = app
        self.engine = app.recorder.datastore.engine  # type: ignore[attr-defined]
        self.create_tables()

    def create_tables(self) -> None:
        """Create the tables, or bring older ones up to date (owner, a TEXT secret)."""
        try:
            metadata.create_all(self.engine, checkfirst=True)
        except SQLAlchemyError:  # another process created them at the same moment
            metadata.create_all(self.engine, checkfirst=True)
        add_missing_columns(self.engine, subscriptions)
        widen_to_text(self.engine, subscriptions, "secret")

    # -- subscriptions ---------------------------------------------------------------------

    def subscribe(
        self, url: str, types: Sequence[str] = (), *, by: str | None = None,
        owner: str | None = None, from_position: int | None = None,
    ) -> dict[str, Any]:
        """Register a URL for ``owner``; deliveries start after ``from_position`` (default:
        the log's head).

        The returned view includes the ``secret``; it is never shown again.
        """
        problems = []
        try:
            check_url(url)
        except TargetRefused as refused:
            problems.append({"name": "url", "reason": refused.detail, "rule": refused.rule.code})
        unknown = [t for t in types if t not in feed.BY_NAME]
        if unknown:
            problems.append({"name": "types",
                             "reason": f"Unknown event types: {', '.join(unknown)}"})
        if from_position is not None and from_position < 0:
            problems.append({"name": "from_position", "reason": "Must be 0 or more."})
        if problems:
            raise InvalidSubscription(problems)
        start = from_position
        if start is None:
            start = self.app.recorder.max_notification_id() or 0
        subscription_id = str(uuid.uuid4())
        secret = secrets.token_hex(32)
        with self.engine.begin() as conn:
            conn.execute(sa.insert(subscriptions).values(
                id=subscription_id, url=url, types=json.dumps(sorted(set(types))),
                secret=seal(secret), position=start, active=True, created_at=now_utc(),
                created_by=by, owner=owner, delivered=0, failures=0, total_failures=0,
            ))
        view = self.status(subscription_id)
        view["secret"] = secret
        return view

    # ``owner`` below: only that owner's subscriptions; ``None``: every one (admins, worker).

    def unsubscribe(self, subscription_id: str, owner: str | None = None) -> None:
        with self.engine.begin() as conn:
            done = conn.execute(sa.update(subscriptions).where(
                subscriptions.c.id == subscription_id, *_visible(owner)
            ).values(active=False)).rowcount
        if not done:
            raise SubscriptionNotFound(subscription_id)

    def _row(self, subscription_id: str, owner: str | None = None) -> Any:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(subscriptions).where(
                subscriptions.c.id == subscription_id, *_visible(owner)
            )).first()
        if row is None:  # another owner's answers the same as a missing one
            raise SubscriptionNotFound(subscription_id)
        return row

    def status(self, subscription_id: str, owner: str | None = None) -> dict[str, Any]:
        """Position, failures and backlog of one subscription."""
        return self._view(self._row(subscription_id, owner))

    def list(self, owner: str | None = None) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(subscriptions).where(*_visible(owner))
                                .order_by(subscriptions.c.created_at)).all()
        return [self._view(r) for r in rows]

    def backlog(self, position: int, types: Sequence[str]) -> int:
        """How many contract events of ``types`` lie after ``position``."""
        events = self.app.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
        topics = feed.topics_for(types) if types else sorted(feed.BY_TOPIC)
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(events).where(
                events.c.id > position, events.c.topic.in_(topics))).scalar() or 0)

    def _view(self, row: Any) -> dict[str, Any]:
        types = json.loads(row.types)

        def iso(moment: datetime | None) -> str | None:
            return moment.replace(tzinfo=UTC).isoformat() if moment else None

        return {
            "id": row.id,
            "url": row.url,
            "types": types,
            "position": row.position,
            "backlog": self.backlog(row.position, types),
            "delivered": row.delivered,
            "failures": row.failures,
            "total_failures": row.total_failures,
            "last_status": row.last_status,
            "last_error": shown_error(row.last_status, row.last_error),
            "last_attempt_at": iso(row.last_attempt_at),
            "last_delivered_at": iso(row.last_delivered_at),
            "next_attempt_at": iso(row.next_attempt_at),
            "created_at": iso(row.created_at),
            "created_by": row.created_by,
        }

    def deliveries(
        self, subscription_id: str, limit: int = 100, owner: str | None = None
    ) -> list[dict[str, Any]]:
        self._row(subscription_id, owner)
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(deliveries).where(
                deliveries.c.subscription_id == subscription_id
            ).order_by(deliveries.c.position.desc()).limit(limit)).all()
        return [{
            "delivery_id": r.delivery_id, "position": r.position, "type": r.type,
            "attempts": r.attempts, "delivered": r.delivered_at is not None,
            "first_attempt_at": r.first_attempt_at.replace(tzinfo=UTC).isoformat(),
            "last_attempt_at": r.last_attempt_at.replace(tzinfo=UTC).isoformat(),
            "delivered_at": r.delivered_at.replace(tzinfo=UTC).isoformat()
            if r.delivered_at else None,
            "last_status": r.last_status, "last_error": shown_error(r.last_status, r.last_error),
        } for r in rows]

    # -- used by the worker -----------------------------------------------------------------

    def claim_due(self, owner: str, lease: float) -> list[Subscription]:
        """Lease the subscriptions whose next attempt is due and that no worker holds."""
        now = now_utc()
        with self.engine.connect() as conn:
            candidates = conn.execute(sa.select(subscriptions.c.id).where(
                subscriptions.c.active.is_(True),
                sa.or_(subscriptions.c.next_attempt_at.is_(None),
                    subscriptions.c.next_attempt_at <= now),
                sa.or_(subscriptions.c.lease_until.is_(None), subscriptions.c.lease_until < now),
            )).scalars().all()
        claimed = []
        for subscription_id in candidates:
            with self.engine.begin() as conn:
                won = conn.execute(sa.update(subscriptions).where(
                    subscriptions.c.id == subscription_id,
                    sa.or_(subscriptions.c.lease_until.is_(None),
                           subscriptions.c.lease_until < now),
                ).values(lease_until=now + timedelta(seconds=lease), lease_owner=owner)).rowcount
                if won:
                    row = conn.execute(sa.select(subscriptions).where(
                        subscriptions.c.id == subscription_id)).one()
                    claimed.append(Subscription(row.id, row.url, json.loads(row.types),
                                                row.secret, row.position))
        return claimed

    def release(self, subscription_id: str, owner: str, position: int | None = None) -> None:
        values: dict[str, Any] = {"lease_until": None, "lease_owner": None}
        if position is not None:
            values["position"] = position
        with self.engine.begin() as conn:
            conn.execute(sa.update(subscriptions).where(
                subscriptions.c.id == subscription_id, subscriptions.c.lease_owner == owner,
            ).values(**values))

    def record_attempt(
        self, subscription: Subscription, owner: str, item: feed.FeedItem, *,
        ok: bool, status: int | None, error: str | None, retry_at: datetime | None,
    ) -> None:
        now = now_utc()
        key = delivery_id(subscription.id, item.position)
        with self.engine.begin() as conn:
            updated = conn.execute(sa.update(deliveries).where(deliveries.c.delivery_id == key)
                                   .values(attempts=deliveries.c.attempts + 1,
                                           last_attempt_at=now, last_status=status,
                                           last_error=error,
                                           delivered_at=now if ok else None)).rowcount
            if not updated:
                conn.execute(sa.insert(deliveries).values(
                    delivery_id=key, subscription_id=subscription.id, position=item.position,
                    type=item.type, attempts=1, first_attempt_at=now, last_attempt_at=now,
                    delivered_at=now if ok else None, last_status=status, last_error=error,
                ))
            where = (subscriptions.c.id == subscription.id,
                     subscriptions.c.lease_owner == owner)
            if ok:
                conn.execute(sa.update(subscriptions).where(*where).values(
                    position=item.position, delivered=subscriptions.c.delivered + 1,
                    failures=0, last_status=status, last_error=None, last_attempt_at=now,
                    last_delivered_at=now, next_attempt_at=None,
                ))
            else:
                conn.execute(sa.update(subscriptions).where(*where).values(
                    failures=subscriptions.c.failures + 1,
                    total_failures=subscriptions.c.total_failures + 1,
                    last_status=status, last_error=error, last_attempt_at=now,
                    next_attempt_at=retry_at,
                ))

    def failures(self, subscription_id: str) -> int:
        return int(self._row(subscription_id).failures)
