"""Liveness and readiness: ``/healthz`` (the process answers, the store is reached) and
``/readyz`` (the store answers, its schema is current and no projection failed or lags more
than ``DIARIUM_READY_MAX_LAG`` events). Public, and without details that could leak."""

from __future__ import annotations

import os
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, jsonify

from diarium.web.auth import public
from diarium.web.problems import problem

api = Blueprint("health", __name__)
MAX_LAG_VARIABLE = "DIARIUM_READY_MAX_LAG"
DEFAULT_MAX_LAG = 1000


def max_lag() -> int:
    """The most events a projection may lag behind the log while the node is ready."""
    configured = current_app.config.get(MAX_LAG_VARIABLE, os.environ.get(MAX_LAG_VARIABLE))
    return int(configured) if configured not in (None, "") else DEFAULT_MAX_LAG


def schema_gaps(app: Any) -> list[str]:
    """What the store lacks of the tables and columns this code declares: the events' and
    tokens' tables (``diarium db init`` makes them), and the columns of every side table
    present (its migrations, applied when a process starts)."""
    from diarium.cases.outbound.webhook_subscriptions import deliveries, subscriptions
    from diarium.cases.tokens import tokens_table
    from diarium.projections.tables import tracking

    events = app.recorder.events_record_cls.__table__
    inspector = sa.inspect(app.recorder.datastore.engine)
    present = set(inspector.get_table_names(schema=events.schema))
    gaps = []
    for table in (events, tokens_table, tracking, subscriptions, deliveries):
        if table.name not in present:  # the others come with their first use
            gaps += [f"table {table.name} missing"] if table in (events, tokens_table) else []
            continue
        columns = {c["name"] for c in inspector.get_columns(table.name, schema=table.schema)}
        gaps += [f"column {table.name}.{c.name} missing" for c in table.columns
                 if c.name not in columns]
    return gaps


@api.get("/healthz")
@public
def healthz() -> Response:
    """Liveness: 200 while the process answers and reaches the store.
    ---
    get:
      summary: Liveness (the process answers and reaches the store; the projections' positions)
      responses:
        "200":
          description: Alive
          content: {application/json: {schema: {type: object}}}
        "503":
          description: The store cannot be reached (store-unavailable)
          content: {application/problem+json: {schema: {$ref: "#/components/schemas/Problem"}}}
    """
    try:
        current_app.extensions["diarium"].is_reachable()
    except Exception:  # any failure to reach the store is "unhealthy"; no details leak
        return problem(503, "store-unavailable", "Event store unavailable")
    health: dict[str, Any] = {"status": "ok", "store": "reachable"}
    try:  # the registers' projections: position and lag behind the log
        health["projections"] = current_app.extensions["diarium_projector"].status()
    except Exception:
        health["projections"] = "unavailable"
    return jsonify(health)


@api.get("/readyz")
@public
def readyz() -> Response:
    """Readiness: 200 when the store answers, its schema is current, and every projection is
    free of failures and within ``DIARIUM_READY_MAX_LAG`` events of the log's head.
    ---
    get:
      summary: Readiness (store reachable, schema current, projections within the lag)
      responses:
        "200":
          description: Ready to serve
          content: {application/json: {schema: {type: object}}}
        "503":
          description: >-
            Not ready: store-unavailable, not-ready (schema or lag; see reasons) or
            projection-failed
          content: {application/problem+json: {schema: {$ref: "#/components/schemas/Problem"}}}
    """
    app = current_app.extensions["diarium"]
    projector = current_app.extensions["diarium_projector"]
    try:
        app.is_reachable()
        gaps = schema_gaps(app)
        failures = [] if gaps else projector.open_failures()
        states = [] if gaps else projector.status()
    except Exception:  # the store (or the tracking tables) cannot be read: no details leak
        return problem(503, "store-unavailable", "Event store unavailable")
    if gaps:
        return problem(503, "not-ready", "Not ready", "The store's schema is not current.",
                       reasons=gaps)
    if failures:
        return problem(503, "projection-failed", "A projection could not apply events",
                       "See `diarium projections status`; acknowledge with `diarium "
                       "projections acknowledge NAME`.",
                       projections=sorted({f["name"] for f in failures}))
    active = [s for s in states if s.get("state") == "active"]
    outdated = sorted(s["name"] for s in active if s.get("schema") == "outdated")
    limit = max_lag()
    lagging = sorted(s["name"] for s in active if s["lag"] > limit)
    if outdated or lagging:
        reasons = [f"projection {n} built with an outdated schema" for n in outdated] + [
            f"projection {n} more than {limit} events behind the log" for n in lagging]
        return problem(503, "not-ready", "Not ready",
                       "A projection is outdated or lags behind the log.",
                       reasons=reasons, projections=sorted({*outdated, *lagging}))
    return jsonify({"status": "ready", "store": "reachable", "schema": "current",
                    "projections": "ok", "max_lag": limit,
                    "lag": max((s["lag"] for s in active), default=0)})
