"""Fault: a real ``diarium webhooks run`` process is killed with SIGKILL in the middle of a
batch (after the receiver got a delivery, before the worker heard back), then restarted.
After deduplication by ``Diarium-Delivery-Id`` every event arrives exactly once, in log order;
nothing is lost. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from typing import Any

from diarium.cases.application import Diarium
from diarium.cases.outbound import feed
from diarium.cases.outbound.webhook_subscriptions import WebhookStore, subscriptions
from diarium.cases.outbound.webhook_targets import ALLOW_NETWORKS_VARIABLE
from tests.audit_helpers import decide, document, execute, register
from tests.bodies_support import SETUP_EVENTS, diarium_with_bodies  # noqa: F401 (the fixture)
from tests.webhook_receivers import Answer, Receiver

KILL_AT = 9  # the receiver kills the worker while handling this request (of ~36)


class KillingReceiver(Receiver):
    """Records every request; at request ``KILL_AT`` it SIGKILLs the worker before answering,
    so that delivery reached the receiver but was never acknowledged."""

    def __init__(self) -> None:
        self.victim: int | None = None
        super().__init__()

    def reply(self, count: int) -> Answer | None:
        if count == KILL_AT and self.victim is not None:
            os.kill(self.victim, signal.SIGKILL)
            return None  # no answer: the worker is gone
        return super().reply(count)

    def ids(self) -> list[str]:
        with self.lock:
            return [r["headers"]["Diarium-Delivery-Id"] for r in self.requests]


def _worker(database_url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "diarium.web.cli", "--database-url", database_url, "webhooks", "run",
         "--poll-interval", "0.05", "--timeout", "5"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=os.getcwd(),
    )


def _wait_for(condition: Any, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_killed_webhook_worker_loses_and_duplicates_nothing(
    diarium: Diarium, database_url: str, monkeypatch: Any
) -> None:
    monkeypatch.setenv(ALLOW_NETWORKS_VARIABLE, "127.0.0.0/8")  # the workers inherit it
    store = WebhookStore(diarium)
    receiver = KillingReceiver()
    subscription = store.subscribe(receiver.url, from_position=SETUP_EVENTS)
    for n in range(12):  # 36 public events, fewer than one batch (50): the kill is mid-batch
        dnr = register(diarium, f"Ärende {n}")
        document(diarium, dnr, date(2020, 9, 2))
        decide(diarium, dnr, date(2020, 10, 14), 160 + n)
    expected = [item.position for item in feed.read_feed(diarium, SETUP_EVENTS, 1000).items]
    assert len(expected) == 36

    first = _worker(database_url)
    receiver.victim = first.pid
    try:
        assert first.wait(timeout=60) == -signal.SIGKILL, first.stderr.read()  # type: ignore[union-attr]
    finally:
        if first.poll() is None:
            first.kill()
    assert len(receiver.requests) == KILL_AT
    acknowledged = store.status(subscription["id"])
    assert acknowledged["position"] == expected[KILL_AT - 2]  # the unanswered one is not counted
    assert acknowledged["backlog"] == len(expected) - (KILL_AT - 1)

    # A killed worker cannot release its lease; it runs out (60 s by default). Let it run out
    # now rather than wait, as the clock would.
    execute(diarium, f"UPDATE {subscriptions.name} SET lease_until = NULL")
    second = _worker(database_url)
    try:
        _wait_for(lambda: len(receiver.unique()) == len(expected), "every delivery")
        _wait_for(lambda: store.status(subscription["id"])["backlog"] == 0, "the position")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)

    ids = receiver.ids()
    assert len(ids) == len(expected) + 1  # only the unacknowledged delivery came twice
    assert ids[KILL_AT - 1] == ids[KILL_AT]  # ...straight after the restart, same id
    got = [d["event"]["position"] for d in receiver.unique()]
    assert got == expected  # nothing lost, in log order
    status = store.status(subscription["id"])
    assert status["position"] == expected[-1] and status["delivered"] == len(expected)
    delivered = store.deliveries(subscription["id"], limit=1000)
    assert sorted(d["position"] for d in delivered) == expected
    assert all(d["delivered"] for d in delivered)
    receiver.server.shutdown()
    receiver.server.server_close()
