"""The web's reads from a hot standby (cases/store/standby.py, docs/deployment.md): every
``GET`` and ``HEAD`` request reads from ``DIARIUM_READ_DATABASE_URL`` when it is set, from
the primary when the request's ``min_position`` is not replayed there within
``DIARIUM_READ_WAIT_SECONDS``, or when the standby does not answer."""

from __future__ import annotations

from contextvars import Token
from typing import Any

from flask import Flask, Response, g, request

from diarium.cases.store import standby
from diarium.web.problems import invalid_query

READ_METHODS = frozenset({"GET", "HEAD"})
# the OpenAPI description of ``min_position`` on a read (web/routes/common.py: query)
MIN_POSITION = (
    '{name: min_position, in: query, required: false, schema: {type: integer, minimum: 0}, '
    'description: "Read your writes: a write\'s log position (X-Diarium-Position). With a '
    'hot standby (DIARIUM_READ_DATABASE_URL) the read waits up to DIARIUM_READ_WAIT_SECONDS '
    'for the standby to replay it, then reads the primary"}'
)


def init_standby(app: Flask) -> standby.Standby | None:
    """Route the app's reads to its standby, if one is configured."""
    diarium = app.extensions["diarium"]
    replica = standby.configured(app.config.get(standby.STANDBY_URL_VARIABLE),
                                 diarium.recorder.datastore.engine)
    app.extensions["diarium_standby"] = replica
    if replica is None:
        return None

    @app.before_request
    def read_from_standby() -> None:
        if request.method not in READ_METHODS:
            return
        g.diarium_standby = standby.enter(replica)
        if (position := _min_position()) is not None:
            standby.fresh_enough(
                lambda: (diarium.recorder.max_notification_id() or 0) >= position,
                standby.read_wait(app.config.get(standby.READ_WAIT_VARIABLE)),
            )

    @app.teardown_request
    def back_to_primary(_error: Any = None) -> None:
        token: Token[Any] | None = g.pop("diarium_standby", None)
        if token is not None:
            standby.leave(token)

    return replica


def _min_position() -> int | None:
    """The request's ``min_position`` when it is a position (a bad one is the route's to
    refuse, or to ignore)."""
    raw = request.args.get("min_position", "")
    return int(raw) if raw.isascii() and raw.isdigit() else None


def refused_min_position() -> Response | None:
    """400 ``invalid-query`` when the request's ``min_position`` is not a position."""
    if "min_position" not in request.args or _min_position() is not None:
        return None
    return invalid_query([{"name": "min_position", "reason": "Must be a non-negative integer."}])
