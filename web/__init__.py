"""The HTTP front door: a Flask app factory."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify

from cases.application import Diarium
from web.auth import init_auth, public, secure_spec
from web.openapi import build_spec
from web.problems import PROBLEM_TYPES, problem, register_error_handlers
from web.routes.access import api as access_api
from web.routes.audit import api as audit_api
from web.routes.bodies import api as bodies_api
from web.routes.cases import api as cases_api
from web.routes.feed import api as feed_api
from web.routes.meetings import api as meetings_api
from web.routes.public import api as public_api
from web.routes.registers import init_registers
from web.routes.secrecy import api as secrecy_api
from web.routes.webhooks import api as webhooks_api

MAX_BODY_BYTES = 1024 * 1024


def create_app(diarium: Diarium | None = None, **settings: Any) -> Flask:
    """Build the app around one application service (made from the environment if not given)."""
    app = Flask(__name__, static_folder=None)  # no file serving: nothing to traverse
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY_BYTES, JSON_SORT_KEYS=False, **settings)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["diarium"] = diarium or Diarium()
    register_error_handlers(app)
    init_auth(app)  # every request authenticated; each route's declared roles enforced
    app.register_blueprint(access_api)
    app.register_blueprint(secrecy_api)
    app.register_blueprint(public_api)
    app.register_blueprint(cases_api)
    app.register_blueprint(audit_api)
    app.register_blueprint(feed_api)
    app.register_blueprint(webhooks_api)
    app.register_blueprint(bodies_api)
    app.register_blueprint(meetings_api)
    init_registers(app, embedded_default=diarium is None)  # registers + projector
    spec: dict[str, Any] = {}

    @app.get("/api/openapi.json")
    @public  # the API's description, no data
    def openapi() -> Response:
        if not spec:
            spec.update(secure_spec(app, build_spec(app)))
        return jsonify(spec)

    @app.get("/healthz")
    @public
    def healthz() -> Response:
        try:
            app.extensions["diarium"].is_reachable()
        except Exception:  # any failure to reach the store is "unhealthy"; no details leak
            return problem(503, "store-unavailable", "Event store unavailable")
        health: dict[str, Any] = {"status": "ok", "store": "reachable"}
        try:  # the registers' projections: position and lag behind the log
            health["projections"] = app.extensions["diarium_projector"].status()
        except Exception:
            health["projections"] = "unavailable"
        return jsonify(health)

    @app.get("/problems/<slug>")
    @public  # documentation of the error types
    def problem_type(slug: str) -> Response:
        if slug not in PROBLEM_TYPES:
            return problem(404, None, "Not Found", f"No problem type {slug!r}")
        return jsonify({"type": f"/problems/{slug}", "description": PROBLEM_TYPES[slug]})

    return app
