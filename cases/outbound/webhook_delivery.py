"""Webhook delivery: the worker that pushes the feed to subscribed URLs, at least once and
in order.

* The worker (``diarium webhooks run``) reads the feed after a subscription's position and
  POSTs one event per request, in log order; only a 2xx answer moves the position on. So
  delivery is at-least-once and in order per subscription.
* Each delivery has an id unique per (subscription, position), sent as ``Diarium-Delivery-Id``
  and stable across retries: the receiver deduplicates with it.
* The body is signed: ``Diarium-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret,
  "<t>." + body)>`` (see :func:`verify_signature`).
* A failure schedules the next attempt with exponential backoff (``base * 2**(failures-1)``,
  capped) for that subscription only; subscriptions are claimed with a lease and served by a
  thread pool, so a slow or dead endpoint holds up nobody else, and several workers can run.
* Deliveries go only to public addresses, checked again after resolving the host before each
  batch (cases/outbound/webhook_targets.py); redirects are not followed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TYPE_CHECKING

from urllib3 import HTTPConnectionPool

from diarium.cases.outbound import feed
from diarium.cases.outbound.webhook_subscriptions import (
    CONNECTION_FAILED,
    REFUSED,
    SECRET_UNREADABLE,
    Subscription,
    WebhookStore,
    delivery_id,
    failure_text,
    now_utc,
    unseal,
)
from diarium.cases.outbound.webhook_targets import (
    WEBHOOK_ADDRESS,
    Target,
    TargetRefused,
    connection_pool,
    post,
    resolve,
)

if TYPE_CHECKING:
    from diarium.cases.application import Diarium

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "Diarium-Signature"
DELIVERY_HEADER = "Diarium-Delivery-Id"


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The ``Diarium-Signature`` header value for ``body``."""
    stamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={mac}"


def verify_signature(secret: str, body: bytes, header: str, tolerance: int = 300) -> bool:
    """What a receiver does: check the HMAC and that the timestamp is recent."""
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        stamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs(time.time() - stamp) > tolerance:
        return False
    expected = sign(secret, body, stamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


class WebhookWorker:
    """Delivers due subscriptions; ``run`` loops until stopped, ``run_once`` does one round."""

    def __init__(
        self,
        app: Diarium,
        *,
        store: WebhookStore | None = None,
        batch: int = 50,
        timeout: float = 5.0,
        base_backoff: float = 1.0,
        max_backoff: float = 300.0,
        poll_interval: float = 0.2,
        concurrency: int = 4,
        lease: float = 60.0,
    ) -> None:
        self.app = app
        self.store = store or WebhookStore(app)
        self.batch = batch
        self.timeout = timeout
        self.base_backoff = base_backoff
        self.max_backoff = max_backoff
        self.poll_interval = poll_interval
        self.lease = max(lease, timeout * batch + 5)
        self.owner = f"{uuid.uuid4()}"
        self.pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="webhook")
        self.stopping = threading.Event()

    def backoff(self, failures: int) -> float:
        return min(self.max_backoff, self.base_backoff * 2 ** max(0, failures - 1))

    def run_once(self) -> int:
        """Serve every due subscription once; returns the number of deliveries made."""
        claimed = self.store.claim_due(self.owner, self.lease)
        return sum(self.pool.map(self._serve, claimed))

    def run(self, stop: threading.Event | None = None) -> None:
        stop = stop or self.stopping
        while not stop.is_set():
            try:
                delivered = self.run_once()
            except Exception:  # keep the worker alive through store hiccups; retried next round
                log.exception("webhook round failed")
                delivered = 0
            if not delivered:
                stop.wait(self.poll_interval)

    def close(self) -> None:
        self.stopping.set()
        self.pool.shutdown(wait=True)

    def _serve(self, subscription: Subscription) -> int:
        delivered = 0
        position = subscription.position
        try:
            page = feed.read_feed(self.app, position, self.batch, subscription.types)
            if page.items:
                delivered = self._deliver_all(subscription, page.items)
                position = page.items[delivered - 1].position if delivered else position
            if delivered == len(page.items):
                position = max(position, page.next_after)
            return delivered
        finally:
            self.store.release(subscription.id, self.owner, position)

    def _deliver_all(self, subscription: Subscription, items: Sequence[feed.FeedItem]) -> int:
        """Deliver ``items`` in order to the address the URL resolves to now (checked once for
        the batch); stops at the first failure. Returns how many were delivered."""
        try:
            secret = unseal(subscription.secret)
            target = resolve(subscription.url)
        except (TargetRefused, ValueError) as refused:
            log.warning("webhook %s not delivered: %s", subscription.id, refused)
            self._failed(subscription, items[0], None, _refusal_text(refused))
            return 0
        connections = connection_pool(target, self.timeout)
        try:
            for count, item in enumerate(items):
                if not self._deliver(subscription, secret, connections, target, item):
                    return count
            return len(items)
        finally:
            connections.close()

    def _deliver(self, subscription: Subscription, secret: str,
                 connections: HTTPConnectionPool, target: Target, item: feed.FeedItem) -> bool:
        key = delivery_id(subscription.id, item.position)
        body = json.dumps({
            "delivery_id": key,
            "subscription_id": subscription.id,
            "event": item.as_dict(),
        }, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            DELIVERY_HEADER: key,
            "Diarium-Event-Type": item.type,
            "Diarium-Position": str(item.position),
            SIGNATURE_HEADER: sign(secret, body),
            "User-Agent": "diarium-webhooks/1",
        }
        status: int | None = None
        try:
            status = post(connections, target, body, headers)
        except Exception as failure:  # any network failure counts as a failed attempt
            log.info("webhook %s: %s", subscription.id, type(failure).__name__)
        if status is not None and 200 <= status < 300:
            self.store.record_attempt(subscription, self.owner, item, ok=True, status=status,
                                      error=None, retry_at=None)
            return True
        self._failed(subscription, item, status, failure_text(status))
        return False

    def _failed(self, subscription: Subscription, item: feed.FeedItem, status: int | None,
                error: str) -> None:
        failures = self.store.failures(subscription.id) + 1
        retry_at = now_utc() + timedelta(seconds=self.backoff(failures))
        self.store.record_attempt(subscription, self.owner, item, ok=False, status=status,
                                  error=error, retry_at=retry_at)


def _refusal_text(refused: Exception) -> str:
    """The recorded error of a delivery that was not attempted."""
    if isinstance(refused, TargetRefused):
        return REFUSED if refused.rule is WEBHOOK_ADDRESS else CONNECTION_FAILED
    return SECRET_UNREADABLE
