"""The HTTP front door: a Flask app factory."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify

from cases.application import Diarium
from web.openapi import build_spec
from web.problems import PROBLEM_TYPES, problem, register_error_handlers
from web.routes.cases import api as cases_api

MAX_BODY_BYTES = 1024 * 1024


def create_app(diarium: Diarium | None = None, **settings: Any) -> Flask:
    """Build the app around one application service (made from the environment if not given)."""
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY_BYTES, JSON_SORT_KEYS=False, **settings)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["diarium"] = diarium or Diarium()
    register_error_handlers(app)
    app.register_blueprint(cases_api)
    spec: dict[str, Any] = {}

    @app.get("/api/openapi.json")
    def openapi() -> Response:
        if not spec:
            spec.update(build_spec(app))
        return jsonify(spec)

    @app.get("/healthz")
    def healthz() -> Response:
        try:
            app.extensions["diarium"].is_reachable()
        except Exception:  # any failure to reach the store is "unhealthy"; no details leak
            return problem(503, "store-unavailable", "Event store unavailable")
        return jsonify({"status": "ok", "store": "reachable"})

    @app.get("/problems/<slug>")
    def problem_type(slug: str) -> Response:
        if slug not in PROBLEM_TYPES:
            return problem(404, None, "Not Found", f"No problem type {slug!r}")
        return jsonify({"type": f"/problems/{slug}", "description": PROBLEM_TYPES[slug]})

    return app
