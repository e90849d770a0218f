"""``/healthz`` (liveness) and ``/readyz`` (store reachable, schema current, projections free
of failures and within ``DIARIUM_READY_MAX_LAG`` events), and who may read ``/metrics``.
The store down: tests/test_faults.py; a projection's failure: tests/test_projection_failures.py."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from diarium.cases.application import Diarium
from diarium.cases.outbound.webhook_subscriptions import WebhookStore
from diarium.domain.actor import Actor
from diarium.domain.case.lifecycle import RegisterCase
from diarium.web import create_app
from tests.bodies_support import diarium_with_bodies  # noqa: F401 (the fixture: diarium)


def _register(diarium: Diarium) -> None:
    diarium.handle(RegisterCase(title="Ärende", responsible_body="RS",
                                registered_on=date(2020, 10, 1)), Actor("tests", "r-1"))


def _execute(diarium: Diarium, statement: str) -> None:
    with diarium.recorder.datastore.engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(sa.text(statement))


def test_healthz_answers_while_the_store_does(diarium: Diarium) -> None:
    response = create_app(diarium).test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json()["status"] == "ok"


def test_readyz_while_projections_lag_more_than_the_threshold(diarium: Diarium) -> None:
    app = create_app(diarium, DIARIUM_READY_MAX_LAG=2)
    client = app.test_client()
    projector = app.extensions["diarium_projector"]
    projector.catch_up()
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.get_json()
    assert ready.get_json() | {"lag": 0} == {
        "status": "ready", "store": "reachable", "schema": "current", "projections": "ok",
        "max_lag": 2, "lag": 0}
    for _ in range(3):  # three events the projections have not applied
        _register(diarium)
    lagging = client.get("/readyz")
    assert lagging.status_code == 503
    body = lagging.get_json()
    assert body["type"] == "/problems/not-ready"
    assert body["projections"] == ["deadlines", "decisions", "diary"]
    assert "projection diary more than 2 events behind the log" in body["reasons"]
    assert create_app(diarium).test_client().get("/readyz").status_code == 200
    projector.catch_up()
    assert client.get("/readyz").status_code == 200


def test_readyz_while_a_side_tables_migration_is_not_applied(diarium: Diarium) -> None:
    WebhookStore(diarium)  # the webhooks' tables, made on first use
    client = create_app(diarium).test_client()
    client.application.extensions["diarium_projector"].catch_up()
    assert client.get("/readyz").status_code == 200
    _execute(diarium, "ALTER TABLE diarium_webhook_subscriptions DROP COLUMN owner")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["type"] == "/problems/not-ready"
    assert response.get_json()["reasons"] == ["column diarium_webhook_subscriptions.owner missing"]


def test_readyz_while_a_table_is_missing(diarium: Diarium) -> None:
    client = create_app(diarium).test_client()
    _execute(diarium, "DROP TABLE diarium_tokens")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["reasons"] == ["table diarium_tokens missing"]
    assert client.get("/healthz").status_code == 200  # alive all the same


def test_metrics_are_never_public(diarium: Diarium, monkeypatch: Any) -> None:
    monkeypatch.delenv("DIARIUM_METRICS_TOKEN", raising=False)
    unset = create_app(diarium).test_client()
    assert unset.get("/metrics").status_code == 404
    assert unset.get("/metrics", headers={"Authorization": "Bearer x"}).status_code == 404
    client = create_app(diarium, DIARIUM_METRICS_TOKEN="sesam").test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer sesa"}).status_code == 401
    scraped = client.get("/metrics", headers={"Authorization": "Bearer sesam"})
    assert scraped.status_code == 200 and scraped.mimetype == "text/plain"
    assert "diarium_projection_lag_events" in scraped.get_data(as_text=True)
