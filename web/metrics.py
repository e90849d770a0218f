"""Prometheus metrics: what the requests, commands and group commits of this process did
(counted in prometheus-client's multiprocess mode under gunicorn, so ``/metrics`` sums every
worker), and, read from the store when scraped, the projections' positions and the webhooks'
backlog. Labels carry URL rules, command names and rule codes, never a dnr or content.

``/metrics`` answers only a bearer of ``DIARIUM_METRICS_TOKEN``; without it, 404: the metrics
are never public (docs/operations.md)."""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Iterator
from functools import cache
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from diarium.cases.store import group_commit
from diarium.web.auth import own_credentials, public
from diarium.web.problems import problem

TOKEN_VARIABLE = "DIARIUM_METRICS_TOKEN"
MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
log = logging.getLogger(__name__)

class Instruments:
    """This process's counters and histograms. Made on first use, not on import: in
    multiprocess mode each writes a file in ``PROMETHEUS_MULTIPROC_DIR`` (made by gunicorn's
    master, web/gunicorn_conf.py), which the ``diarium`` command's other processes leave
    alone."""

    def __init__(self) -> None:
        directory = os.environ.get(MULTIPROCESS_VARIABLE)
        if directory:
            os.makedirs(directory, exist_ok=True)
        self.requests = Counter("diarium_http_requests", "HTTP requests answered",
                                ["route", "method", "status"])
        self.duration = Histogram(
            "diarium_http_request_duration_seconds", "Time to answer a request",
            ["route", "method"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
        self.commands = Counter(
            "diarium_commands", "Commands by outcome: recorded, refused (with the rule), "
            "invalid, conflict, denied, not-found or failed", ["command", "outcome", "rule"])
        self.unavailable = Counter("diarium_http_unavailable", "503 answers by problem type",
                                   ["problem"])
        self.store_errors = Counter("diarium_store_errors",
                                    "Requests the event store failed (503)")
        self.batches = Histogram("diarium_group_commit_batch_size",
                                 "Registrations per group commit",
                                 buckets=(1, 2, 4, 8, 16, 32, 64, 128, 200))
        group_commit.BATCH_OBSERVERS.append(self.batches.observe)


@cache
def instruments() -> Instruments:
    """This process's instruments (made once)."""
    return Instruments()


def count_request(route: str, method: str, status: int, seconds: float,
                  problem_type: str | None) -> None:
    """Count one answered request (``route``: its URL rule)."""
    made = instruments()
    made.requests.labels(route, method, str(status)).inc()
    made.duration.labels(route, method).observe(seconds)
    if status == 503:
        made.unavailable.labels(problem_type or "unknown").inc()
        if problem_type == "store-unavailable":
            made.store_errors.inc()


def count_command(command: str, outcome: str, rule: str = "") -> None:
    """Count one command by its outcome (and the rule that refused it)."""
    instruments().commands.labels(command, outcome, rule).inc()


class StoreCollector:
    """Read when scraped: every projection's position and lag, the webhooks' backlog,
    deliveries, failures and retries (summed over subscriptions)."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        try:
            yield from self._projections()
            yield from self._webhooks()
        except Exception as error:  # a scrape never fails on the store: the gauges go missing
            log.warning("metrics: the store cannot be read: %s", type(error).__name__)

    def _projections(self) -> Iterator[Metric]:
        projector = self.app.extensions.get("diarium_projector")
        if projector is None:
            return
        head = GaugeMetricFamily("diarium_log_head", "The event log's last position")
        position = GaugeMetricFamily("diarium_projection_position",
                                     "Last log position a projection applied", labels=["name"])
        lag = GaugeMetricFamily("diarium_projection_lag_events",
                                "Events a projection is behind the log", labels=["name"])
        failed = GaugeMetricFamily("diarium_projection_failures",
                                   "Unacknowledged failures of a projection", labels=["name"])
        states = [s for s in projector.status() if s.get("state") == "active"]
        for state in states:
            position.add_metric([state["name"]], state["position"])
            lag.add_metric([state["name"]], state["lag"])
            failed.add_metric([state["name"]], state.get("failures", 0))
        head.add_metric([], states[0]["head"] if states else projector.head())
        yield from (head, position, lag, failed)

    def _webhooks(self) -> Iterator[Metric]:
        from diarium.cases.outbound.webhook_subscriptions import deliveries
        from diarium.web.routes.webhooks import store as webhook_store

        with self.app.app_context():
            store = webhook_store()
        subscriptions = store.list()
        with store.engine.connect() as conn:
            retries = conn.execute(sa.select(sa.func.coalesce(sa.func.sum(
                deliveries.c.attempts - 1), 0))).scalar() or 0
        gauges = {
            "diarium_webhook_subscriptions": ("Active webhook subscriptions",
                                              len(subscriptions)),
            "diarium_webhook_backlog_events": ("Feed events not yet delivered, summed",
                                               sum(s["backlog"] for s in subscriptions)),
            "diarium_webhook_failing_subscriptions": (
                "Subscriptions whose last delivery failed",
                sum(1 for s in subscriptions if s["failures"])),
        }
        for name, (text, value) in gauges.items():
            yield GaugeMetricFamily(name, text, value=value)
        counters = {
            "diarium_webhook_delivered": ("Webhook events delivered",
                                          sum(s["delivered"] for s in subscriptions)),
            "diarium_webhook_failures": ("Failed webhook delivery attempts",
                                         sum(s["total_failures"] for s in subscriptions)),
            "diarium_webhook_retries": ("Webhook delivery attempts after the first", retries),
        }
        for name, (text, value) in counters.items():
            yield CounterMetricFamily(name, text, value=int(value))


def exposition(app: Flask) -> bytes:
    """Every metric in the text format: the processes' (summed over gunicorn's workers in
    multiprocess mode) and the store's."""
    store = CollectorRegistry(auto_describe=False)
    store.register(StoreCollector(app))
    if os.environ.get(MULTIPROCESS_VARIABLE):
        processes = CollectorRegistry()
        MultiProcessCollector(processes)
    else:
        processes = REGISTRY
    return generate_latest(processes) + generate_latest(store)


def _allowed(expected: str) -> bool:
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        presented.strip().encode(), expected.encode())


def init_metrics(app: Flask) -> None:
    """``GET /metrics``, for a bearer of ``DIARIUM_METRICS_TOKEN`` (else 404 or 401)."""
    instruments()

    @app.get("/metrics")
    @public  # its own token, not an API token (checked here)
    @own_credentials
    def metrics() -> Response:
        """Prometheus metrics.
        ---
        get:
          summary: Prometheus metrics, for the bearer of DIARIUM_METRICS_TOKEN (not an API token)
          responses:
            "200":
              description: The metrics in Prometheus' text format
              content: {text/plain: {schema: {type: string}}}
            "401":
              description: Not the metrics token
              content: {application/problem+json: {schema: {$ref: "#/components/schemas/Problem"}}}
            "404":
              description: DIARIUM_METRICS_TOKEN is not set (metrics are not served)
              content: {application/problem+json: {schema: {$ref: "#/components/schemas/Problem"}}}
        """
        expected = current_app.config.get(TOKEN_VARIABLE) or os.environ.get(TOKEN_VARIABLE)
        if not expected:
            return problem(404, "not-found", "Not found",
                           f"Metrics are served only with {TOKEN_VARIABLE} set.")
        if not _allowed(expected):
            response = problem(401, "unauthenticated", "Authentication required",
                               f"Send 'Authorization: Bearer <{TOKEN_VARIABLE}>'.")
            response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
        return Response(exposition(app), mimetype=CONTENT_TYPE_LATEST.split(";")[0],
                        headers={"Cache-Control": "no-store"})


def problem_type_of(response: Response) -> str | None:
    """The problem type slug of a problem+json answer (``/problems/store-unavailable``)."""
    if response.mimetype != "application/problem+json":
        return None
    body: Any = response.get_json(silent=True) or {}
    kind = body.get("type") if isinstance(body, dict) else None
    return kind.rsplit("/", 1)[-1] if isinstance(kind, str) else None
