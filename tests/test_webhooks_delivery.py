"""Webhooks against real HTTP receivers on loopback: failures, recovery, order, signatures,
deduplication, and a dead endpoint that blocks nobody else."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from diarium.cases.application import Diarium
from diarium.cases.outbound.webhook_delivery import WebhookWorker, verify_signature
from diarium.cases.outbound.webhook_subscriptions import WebhookStore
from diarium.cases.outbound.webhook_targets import ALLOW_NETWORKS_VARIABLE
from tests.audit_helpers import decide, document, make_client, register
from tests.bodies_support import diarium_with_bodies  # noqa: F401 (the fixture)
from tests.webhook_receivers import Receiver


@pytest.fixture(autouse=True)
def allow_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """These receivers listen on loopback, which webhooks may only reach when allowed."""
    monkeypatch.setenv(ALLOW_NETWORKS_VARIABLE, "127.0.0.0/8")


@pytest.fixture
def client(diarium: Diarium):  # type: ignore[no-untyped-def]
    """A client whose token may use the audit, feed and webhook routes."""
    return make_client(diarium)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver(fail_first=3)
    yield found
    found.close()


@pytest.fixture
def worker(diarium: Diarium) -> Iterator[WebhookWorker]:
    found = WebhookWorker(diarium, base_backoff=0.05, max_backoff=0.2, poll_interval=0.02,
                          timeout=2.0)
    stop = threading.Event()
    thread = threading.Thread(target=found.run, args=(stop,), daemon=True)
    thread.start()
    yield found
    stop.set()
    thread.join(10)
    found.close()


def _wait_for(condition: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _dead_url() -> str:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/gone"


def test_a_failing_receiver_recovers_and_gets_everything_once(
    client: Any, diarium: Diarium, receiver: Receiver, worker: WebhookWorker
) -> None:
    created = client.post("/api/webhooks", json={
        "url": receiver.url, "types": ["case.decision_recorded", "case.registered"]})
    assert created.status_code == 201
    subscription = created.get_json()
    secret = subscription["secret"]
    dead = client.post("/api/webhooks", json={"url": _dead_url()}).get_json()

    expected = []
    for n in range(4):
        dnr = register(diarium, f"Ärende {n}")
        document(diarium, dnr, date(2020, 9, 2))  # not subscribed to
        decide(diarium, dnr, date(2020, 10, 14), 160 + n)
        expected += [("case.registered", dnr), ("case.decision_recorded", dnr)]

    _wait_for(lambda: len(receiver.unique()) == len(expected))
    got = receiver.unique()
    assert [(d["event"]["type"], d["event"]["case"]) for d in got] == expected  # in order
    positions = [d["event"]["position"] for d in got]
    assert positions == sorted(positions)
    assert len(receiver.requests) > len(expected)  # the failures were retried...
    assert len({r["headers"]["Diarium-Delivery-Id"] for r in receiver.requests}) == len(expected)
    for request in receiver.requests:  # ...each signed, with the same id on every retry
        assert verify_signature(secret, request["body"], request["headers"]["Diarium-Signature"])
        assert not verify_signature("wrong", request["body"],
                                    request["headers"]["Diarium-Signature"])
        assert json.loads(request["body"])["delivery_id"] == (
            request["headers"]["Diarium-Delivery-Id"])

    status = client.get(f"/api/webhooks/{subscription['id']}").get_json()
    _wait_for(lambda: client.get(f"/api/webhooks/{subscription['id']}").get_json()[
        "position"] >= positions[-1])
    status = client.get(f"/api/webhooks/{subscription['id']}").get_json()
    assert status["backlog"] == 0 and status["failures"] == 0
    assert status["delivered"] == len(expected) and status["total_failures"] == 3
    assert "secret" not in status
    deliveries = client.get(f"/api/webhooks/{subscription['id']}/deliveries").get_json()
    assert sum(d["attempts"] for d in deliveries) == len(receiver.requests)
    assert all(d["delivered"] for d in deliveries)

    # the dead endpoint kept failing on its own, without holding the other one up
    dead_status = client.get(f"/api/webhooks/{dead['id']}").get_json()
    assert dead_status["failures"] >= 1 and dead_status["backlog"] == 12
    assert dead_status["last_error"] and dead_status["next_attempt_at"]
    listed = {s["id"] for s in client.get("/api/webhooks").get_json()}
    assert listed == {subscription["id"], dead["id"]}


def test_deliveries_resume_after_the_worker_restarts(diarium: Diarium) -> None:
    receiver = Receiver()
    try:
        store = WebhookStore(diarium)
        subscription = store.subscribe(receiver.url, ["case.decision_recorded"], from_position=0)
        dnr = register(diarium)
        decide(diarium, dnr, date(2020, 10, 14), 160)
        first = WebhookWorker(diarium, poll_interval=0.01)
        assert first.run_once() == 1
        first.close()
        decide(diarium, dnr, date(2020, 10, 15), 161)
        second = WebhookWorker(diarium, poll_interval=0.01)
        assert second.run_once() == 1 and second.run_once() == 0
        second.close()
        got = [d["event"]["payload"]["paragraph"] for d in receiver.unique()]
        assert got == [160, 161] and len(receiver.requests) == 2
        assert store.status(subscription["id"])["backlog"] == 0
    finally:
        receiver.close()


def test_backoff_grows_and_is_capped(diarium: Diarium) -> None:
    worker = WebhookWorker(diarium, base_backoff=1, max_backoff=30)
    assert [worker.backoff(n) for n in (1, 2, 3, 4, 10)] == [1, 2, 4, 8, 30]
    worker.close()


def test_subscription_requests_are_validated(client: Any) -> None:  # type: ignore[no-untyped-def]
    for body, names in [
        ({"url": "ftp://example.org/x"}, {"url"}),
        ({"url": "https://example.org/x", "types": ["case.nonsense"]}, {"types.0"}),
        ({"url": "https://example.org/x", "color": "red"}, {"color"}),
        ({}, {"url"}),
        ({"url": "https://example.org/x", "from_position": -1}, {"from_position"}),
    ]:
        response = client.post("/api/webhooks", json=body)
        assert response.status_code == 422, body
        assert response.content_type == "application/problem+json"
        assert {p["name"] for p in response.get_json()["invalid-params"]} == names, body
    assert client.post("/api/webhooks", data="x").status_code == 400
    assert client.get("/api/webhooks/nope").status_code == 404
    assert client.delete("/api/webhooks/nope").status_code == 404
    assert client.get("/api/webhooks/nope/deliveries").status_code == 404
    made = client.post("/api/webhooks", json={"url": "https://example.org/x"}).get_json()
    assert client.get(f"/api/webhooks/{made['id']}/deliveries?limit=0").status_code == 400
    assert client.delete(f"/api/webhooks/{made['id']}").status_code == 204
    assert client.get(f"/api/webhooks/{made['id']}").status_code == 404
