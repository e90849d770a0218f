"""The HTTP front door: a Flask app factory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, jsonify, request
from werkzeug.middleware.proxy_fix import ProxyFix

from diarium.cases.application import Diarium
from diarium.web.api_docs import api as api_docs
from diarium.web.auth import init_auth, public, secure_spec
from diarium.web.desk import init_desk
from diarium.web.observability import init_observability
from diarium.web.openapi import build_spec
from diarium.web.problems import problem, register_error_handlers
from diarium.web.routes.access import api as access_api
from diarium.web.routes.audit import api as audit_api
from diarium.web.routes.bodies import api as bodies_api
from diarium.web.routes.cases import api as cases_api
from diarium.web.routes.common import BoundedJSONProvider, JSONRequest
from diarium.web.routes.feed import api as feed_api
from diarium.web.routes.files import api as files_api
from diarium.web.routes.health import api as health_api
from diarium.web.routes.meetings import api as meetings_api
from diarium.web.routes.problems import api as problems_api
from diarium.web.routes.public import api as public_api
from diarium.web.routes.query import document_input_rules, refused_parameters
from diarium.web.routes.registers import init_registers
from diarium.web.routes.secrecy import api as secrecy_api
from diarium.web.routes.webhooks import api as webhooks_api
from diarium.web.site import init_site
from diarium.web.standby import init_standby
from diarium.web.static_files import StaticFile

MAX_BODY_BYTES = 1024 * 1024
PROXY_HOPS_VARIABLE = "DIARIUM_PROXY_HOPS"  # reverse proxies in front whose X-Forwarded-* count
STATIC = Path(__file__).parent / "static"
STYLESHEETS = {p.name: StaticFile.read(p, "text/css") for p in STATIC.glob("*.css")}
# on every response (secure_headers); HTML pages load their one stylesheet from this app
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Resource-Policy": "same-origin",
}
CSP_API = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
CSP_HTML = ("default-src 'self'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
            "form-action 'self'")


def secure_headers(response: Response) -> Response:
    """Safe headers on every response; ``no-store`` on what a bearer token was served."""
    response.headers.update(SECURITY_HEADERS)
    html = response.mimetype == "text/html"
    if "Content-Security-Policy" not in response.headers:  # /api/docs sets its own
        response.headers["Content-Security-Policy"] = CSP_HTML if html else CSP_API
    if g.get("actor") is not None or "Authorization" in request.headers:
        response.headers["Cache-Control"] = "no-store"
    return response


def trust_proxies(app: Flask) -> None:
    """Behind ``DIARIUM_PROXY_HOPS`` reverse proxies (1–10), their X-Forwarded-For, -Proto,
    -Host and -Port are the request's (the client's address in logs, https for the desk's
    Secure cookie, the public address for OIDC's redirects); otherwise they are ignored."""
    try:
        hops = int(os.environ.get(PROXY_HOPS_VARIABLE) or 0)
    except ValueError:
        hops = 0
    if 1 <= hops <= 10:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)


def create_app(diarium: Diarium | None = None, **settings: Any) -> Flask:
    """Build the app around one application service (made from the environment if not given)."""
    # Paths given: `diarium` is a namespace package, in which Flask cannot find them alone
    # (an editable install maps it); the app keeps no instance files.
    here = str(Path(__file__).parent)
    app = Flask(__name__, root_path=here, instance_path=here, static_folder=None)
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY_BYTES, JSON_SORT_KEYS=False, **settings)
    app.json = BoundedJSONProvider(app)  # request bodies: bounded depth, no lone surrogates
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.request_class = JSONRequest
    app.extensions["diarium"] = diarium or Diarium()
    register_error_handlers(app)
    init_observability(app)  # request ids, metrics (/metrics), request and command logs
    app.before_request(refused_parameters)  # query and path parameters: web/text.py
    init_auth(app)  # every request authenticated; each route's declared roles enforced
    app.after_request(secure_headers)
    app.register_blueprint(access_api)
    app.register_blueprint(secrecy_api)
    app.register_blueprint(public_api)
    app.register_blueprint(cases_api)
    app.register_blueprint(files_api)
    app.register_blueprint(audit_api)
    app.register_blueprint(feed_api)
    app.register_blueprint(webhooks_api)
    app.register_blueprint(bodies_api)
    app.register_blueprint(meetings_api)
    app.register_blueprint(problems_api)
    app.register_blueprint(api_docs)  # /api/docs: Swagger UI, served by the app
    app.register_blueprint(health_api)  # /healthz, /readyz
    init_site(app)  # the public website: web/site/
    init_desk(app)  # the staff's pages under /app/ (after the API: its forms take its routes)
    init_registers(app, embedded_default=diarium is None)  # registers + projector
    init_standby(app)  # GET and HEAD read from DIARIUM_READ_DATABASE_URL: web/standby.py
    trust_proxies(app)
    spec: dict[str, Any] = {}

    @app.get("/api/openapi.json")
    @public  # the API's description, no data
    def openapi() -> Response:
        if not spec:
            spec.update(document_input_rules(secure_spec(app, build_spec(app))))
        return jsonify(spec)

    @app.get("/static/<name>")
    @public  # the pages' stylesheets (their CSP allows no inline style)
    def stylesheet(name: str) -> Response:
        if name not in STYLESHEETS:
            return problem(404, "not-found", "Not found", "No such stylesheet.")
        return STYLESHEETS[name].answer()

    return app
