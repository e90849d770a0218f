"""Webhooks under attack: no request forgery to internal addresses (at registration and after
resolving the host, with no rebinding window), no redirects, failures said by class only;
subscriptions seen and removed by their own token (and admins) only; secrets encrypted at rest
with DIARIUM_CIPHER_KEY. Real HTTP receivers on loopback, allowed per test."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
import sqlalchemy
from eventsourcing.cipher import AESCipher

from diarium.cases.application import Diarium
from diarium.cases.outbound.webhook_delivery import WebhookWorker, verify_signature
from diarium.cases.outbound.webhook_subscriptions import WebhookStore, subscriptions
from diarium.cases.outbound.webhook_targets import ALLOW_NETWORKS_VARIABLE
from diarium.cases.store.persistence import CIPHER_KEY_VARIABLE
from tests.audit_helpers import decide, execute, register
from tests.bodies_support import SETUP_EVENTS, diarium_with_bodies  # noqa: F401 (the fixture)
from tests.test_webhooks_delivery import _dead_url
from tests.webhook_receivers import Receiver

ADDRESS_RULE = "webhook-address-not-allowed"
URL_RULE = "webhook-url"
REFUSED_URLS = [
    "http://127.0.0.1:8000/api/cases", "http://localhost/x", "http://LOCALHOST./x",
    "http://api.localhost/x", "http://0x7f000001/", "http://2130706433/", "http://127.1/",
    "http://0177.0.0.1/", "http://127.0.0.1./", "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]:8000/",
    "http://[::127.0.0.1]/", "http://[2002:7f00:1::]/", "http://[64:ff9b::a9fe:a9fe]/",
    "http://10.0.0.1/", "http://172.16.5.4/", "http://192.168.1.1/", "http://100.64.0.1/",
    "http://0.0.0.0/", "http://0/", "http://224.0.0.1/", "http://239.255.255.250/",
    "http://255.255.255.255/", "http://240.0.0.1/", "http://[fe80::1]/", "http://[fc00::1]/",
    "http://[::]/", "http://[ff02::1]/", "https://198.18.0.1/",
]
MALFORMED_URLS = [
    "ftp://example.org/x", "http://user:pw@example.org/", "http://token@example.org/",
    "javascript:alert(1)", "http:///nohost", "http://exa mple.org/", "http://example.org:99999/",
    "http://[fe80::1%25eth0]/", "gopher://127.0.0.1:6379/_INFO",
    "https://example.org/a b", "http://[::1/", "http://[zz:1]/",
]


@pytest.fixture
def service(client_as: Any) -> Any:
    return client_as("service", name="integration.a")


def _refused(response: Any, rule: str) -> None:
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["rule"] == rule
    assert [(p["name"], p["rule"]) for p in body["invalid-params"]] == [("url", rule)]


def test_internal_addresses_are_refused_at_registration(service: Any) -> None:
    for url in REFUSED_URLS:
        _refused(service.post("/api/webhooks", json={"url": url}), ADDRESS_RULE)
    for url in MALFORMED_URLS:
        _refused(service.post("/api/webhooks", json={"url": url}), URL_RULE)
    broken = service.post("/api/webhooks", json={"url": "http://exa\nmple.org/"})
    assert broken.status_code == 422  # the text rule of every field refuses it first
    assert [p["name"] for p in broken.get_json()["invalid-params"]] == ["url"]
    for url in ("https://example.org/hook", "http://93.184.216.34:8080/h?x=1",
                "https://[2606:4700::1111]/hook"):
        assert service.post("/api/webhooks", json={"url": url}).status_code == 201, url
    assert len(service.get("/api/webhooks").get_json()) == 3


def test_an_operator_allows_networks_by_configuration(service: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv(ALLOW_NETWORKS_VARIABLE, "127.0.0.0/8, ::1/128, not-a-network")
    for url in ("http://127.0.0.1:9/x", "http://localhost:9/x", "http://[::1]:9/x",
                "http://[::ffff:127.0.0.1]:9/x"):
        assert service.post("/api/webhooks", json={"url": url}).status_code == 201, url
    _refused(service.post("/api/webhooks", json={"url": "http://10.0.0.1/"}), ADDRESS_RULE)


@pytest.fixture
def worker(diarium: Diarium) -> Iterator[WebhookWorker]:
    found = WebhookWorker(diarium, base_backoff=0.01, max_backoff=0.01, timeout=2.0)
    yield found
    found.close()


def _run(worker: WebhookWorker, rounds: int = 1) -> None:
    for _ in range(rounds):
        time.sleep(0.05)  # past the backoff
        worker.run_once()


def _events(diarium: Diarium, count: int = 2) -> None:
    dnr = register(diarium)
    first = 100 * int(dnr.split("-")[0])  # a § of its own per case (unique per body and year)
    for n in range(count - 1):
        decide(diarium, dnr, date(2020, 10, 14), first + n)


def test_a_name_resolving_to_a_private_address_is_refused_when_delivering(
    service: Any, diarium: Diarium, worker: WebhookWorker, monkeypatch: Any
) -> None:
    receiver = Receiver()
    try:
        monkeypatch.setenv(ALLOW_NETWORKS_VARIABLE, "127.0.0.0/8,::1/128")
        made = service.post("/api/webhooks", json={
            "url": f"http://localhost:{receiver.port}/hook", "from_position": SETUP_EVENTS,
        }).get_json()
        monkeypatch.delenv(ALLOW_NETWORKS_VARIABLE)  # no longer allowed: checked again
        _events(diarium)
        _run(worker, 2)
        assert receiver.requests == []
        status = service.get(f"/api/webhooks/{made['id']}").get_json()
        assert status["last_error"] == "refused: address not allowed"
        assert status["failures"] == 2 and status["last_status"] is None
        (attempt,) = service.get(f"/api/webhooks/{made['id']}/deliveries").get_json()
        assert attempt["last_error"] == "refused: address not allowed"
    finally:
        receiver.close()


def test_the_connection_goes_to_the_address_checked(
    service: Any, diarium: Diarium, worker: WebhookWorker, monkeypatch: Any
) -> None:
    """DNS rebinding: the name answers an allowed address first, then an internal one; the
    worker resolves once per batch and connects to what it checked, sending the name as
    Host. (socket.getaddrinfo is the system resolver, replaced for one made-up name.)"""
    public = Receiver()
    internal = Receiver(host="127.0.0.2", port=public.port)
    real = socket.getaddrinfo
    answers = iter(["127.0.0.1"])
    asked: list[str] = []

    def resolver(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "hooks.example" or kwargs.get("flags", 0) & socket.AI_NUMERICHOST:
            return real(host, port, *args, **kwargs)
        asked.append(host)
        return real(next(answers, "127.0.0.2"), port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    monkeypatch.setenv(ALLOW_NETWORKS_VARIABLE, "127.0.0.1/32")
    try:
        url = f"http://hooks.example:{public.port}/hook?via=dns"
        made = service.post("/api/webhooks", json={"url": url, "from_position": SETUP_EVENTS})
        assert made.status_code == 201
        _events(diarium, 3)
        _run(worker)
        assert len(public.requests) == 3 and internal.requests == []
        assert asked == ["hooks.example"]  # once for the batch
        assert {r["headers"]["Host"] for r in public.requests} == {
            f"hooks.example:{public.port}"}
        _events(diarium)
        _run(worker)  # the next batch resolves again: now an internal address
        assert len(public.requests) == 3 and internal.requests == []
        status = service.get(f"/api/webhooks/{made.get_json()['id']}").get_json()
        assert status["last_error"] == "refused: address not allowed"
    finally:
        public.close()
        internal.close()


def test_redirects_are_not_followed_and_failures_say_only_their_class(
    service: Any, diarium: Diarium, worker: WebhookWorker, monkeypatch: Any
) -> None:
    monkeypatch.setenv(ALLOW_NETWORKS_VARIABLE, "127.0.0.0/8")
    target = Receiver()
    redirecting = Receiver(answer=(302, {"Location": target.url}, b""))
    failing = Receiver(answer=(502, {}, b"upstream SQLHOST.internal:5432 refused"))
    try:
        made = {url: service.post("/api/webhooks", json={"url": url, "from_position": SETUP_EVENTS})
                .get_json()["id"] for url in (redirecting.url, failing.url, _dead_url())}
        _events(diarium, 1)
        _run(worker)
        assert len(redirecting.requests) == 1 and target.requests == []
        errors = {url: service.get(f"/api/webhooks/{i}").get_json()["last_error"]
                  for url, i in made.items()}
        assert list(errors.values()) == [
            "HTTP 3xx (redirects are not followed)", "HTTP 5xx", "connection failed"]
        shown = json.dumps([service.get(f"/api/webhooks/{i}/deliveries").get_json()
                            for i in made.values()] + service.get("/api/webhooks").get_json())
        for leak in ("SQLHOST", "Errno", "refused)", "Connection", "Location"):  # no hex: ids
            assert leak not in shown
        texts = list(errors.values()) + [
            d["last_error"] for i in made.values()
            for d in service.get(f"/api/webhooks/{i}/deliveries").get_json()
        ]
        assert not any(str(target.port) in text for text in texts)  # the redirect's target
        # what an older worker recorded is not shown either
        execute(diarium, f"UPDATE {subscriptions.name} SET last_error = "
                "'ConnectionError: Max retries exceeded with url port=6379'")
        assert {s["last_error"] for s in service.get("/api/webhooks").get_json()} == {
            "HTTP 3xx (redirects are not followed)", "HTTP 5xx", "connection failed"}
    finally:
        for receiver in (target, redirecting, failing):
            receiver.close()


def test_subscriptions_belong_to_the_token_that_made_them(client_as: Any) -> None:
    mine = client_as("service", name="integration.a")
    other = client_as("service", name="integration.b")
    admin = client_as("admin", name="root.admin")
    made = mine.post("/api/webhooks", json={"url": "https://a.example.org/hook"}).get_json()
    theirs = other.post("/api/webhooks", json={"url": "https://b.example.org/hook"}).get_json()
    assert [s["id"] for s in mine.get("/api/webhooks").get_json()] == [made["id"]]
    assert [s["id"] for s in other.get("/api/webhooks").get_json()] == [theirs["id"]]
    missing = other.get("/api/webhooks/00000000-0000-0000-0000-000000000000")
    for response in (other.get(f"/api/webhooks/{made['id']}"),
                     other.get(f"/api/webhooks/{made['id']}/deliveries"),
                     other.delete(f"/api/webhooks/{made['id']}")):
        assert response.status_code == missing.status_code == 404
        assert response.get_json().keys() == missing.get_json().keys()
    assert mine.get(f"/api/webhooks/{made['id']}").status_code == 200  # still there
    assert {s["id"] for s in admin.get("/api/webhooks").get_json()} == {made["id"], theirs["id"]}
    assert admin.get(f"/api/webhooks/{theirs['id']}/deliveries").status_code == 200
    assert admin.delete(f"/api/webhooks/{theirs['id']}").status_code == 204
    assert mine.delete(f"/api/webhooks/{made['id']}").status_code == 204
    assert admin.get("/api/webhooks").get_json() == []


def test_subscriptions_from_before_owners_are_the_admins(
    database_url: str, client_as: Any, diarium: Diarium, monkeypatch: Any
) -> None:
    """A table made before subscriptions had owners gets the column; its rows are shown to
    admins only. On PostgreSQL its secret column is widened for encrypted secrets."""
    engine = diarium.recorder.datastore.engine  # type: ignore[attr-defined]
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text(f"DROP TABLE IF EXISTS {subscriptions.name}"))
    old = sqlalchemy.Table(subscriptions.name, sqlalchemy.MetaData(), *(
        sqlalchemy.Column(c.name, sqlalchemy.String(100) if c.name == "secret" else c.type,
                          primary_key=c.primary_key, nullable=c.nullable)
        for c in subscriptions.columns if c.name != "owner"))
    old.create(engine)
    with engine.begin() as connection:
        connection.execute(old.insert().values(
            id="legacy", url="https://old.example.org/", types="[]", secret="s" * 64,
            position=0, active=True, created_at=datetime(2026, 1, 1), created_by="integration.a",
            delivered=0, failures=0, total_failures=0))
    monkeypatch.setenv(CIPHER_KEY_VARIABLE, AESCipher.create_key(32))
    WebhookStore(diarium)  # brings the table up to date
    service = client_as("service", name="integration.a")
    admin = client_as("admin", name="root.admin")
    assert service.get("/api/webhooks").get_json() == []
    assert service.get("/api/webhooks/legacy").status_code == 404
    assert [s["id"] for s in admin.get("/api/webhooks").get_json()] == ["legacy"]
    made = service.post("/api/webhooks", json={"url": "https://new.example.org/"})
    assert made.status_code == 201  # an encrypted secret fits
    assert [s["id"] for s in service.get("/api/webhooks").get_json()] == [made.get_json()["id"]]


def test_secrets_are_encrypted_at_rest_and_deliveries_still_sign(
    service: Any, diarium: Diarium, worker: WebhookWorker, monkeypatch: Any
) -> None:
    monkeypatch.setenv(CIPHER_KEY_VARIABLE, AESCipher.create_key(32))
    monkeypatch.setenv(ALLOW_NETWORKS_VARIABLE, "127.0.0.0/8")
    receiver = Receiver()
    try:
        made = service.post(
            "/api/webhooks", json={"url": receiver.url, "from_position": SETUP_EVENTS}
        )
        secret = made.get_json()["secret"]
        with diarium.recorder.datastore.engine.connect() as connection:  # type: ignore[attr-defined]
            stored = connection.execute(sqlalchemy.select(subscriptions.c.secret)).scalar_one()
        assert secret not in stored and stored.startswith("aes1:")
        shown = service.get("/api/webhooks").get_json()
        assert secret not in json.dumps(shown) and "secret" not in shown[0]
        _events(diarium, 1)
        _run(worker)
        (request,) = receiver.requests
        assert verify_signature(secret, request["body"], request["headers"]["Diarium-Signature"])

        # a row written before, in plaintext, still signs
        execute(diarium, f"UPDATE {subscriptions.name} SET secret = '{'p' * 64}'")
        _events(diarium, 1)
        _run(worker)
        assert verify_signature("p" * 64, receiver.requests[-1]["body"],
                                receiver.requests[-1]["headers"]["Diarium-Signature"])
        # without the key, an encrypted secret cannot sign: nothing is sent
        execute(diarium, f"UPDATE {subscriptions.name} SET secret = '{stored}'")
        monkeypatch.delenv(CIPHER_KEY_VARIABLE)
        _events(diarium, 1)
        _run(worker)
        assert len(receiver.requests) == 2
        status = service.get(f"/api/webhooks/{made.get_json()['id']}").get_json()
        assert status["last_error"] == "secret cannot be decrypted (DIARIUM_CIPHER_KEY)"
    finally:
        receiver.close()
