"""Interactive API documentation at ``/api/docs``: Swagger UI, its assets vendored by the
``flask-swagger-ui`` package and served by this app (no CDN), reading ``/api/openapi.json``.
The page loads its one script and stylesheets from here: the pages' CSP (no inline script or
style) holds, so the start-up script is a file too (web/static/api-docs.js)."""

from __future__ import annotations

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, Response, render_template

from diarium.web.auth import public
from diarium.web.problems import problem
from diarium.web.static_files import StaticFile

SWAGGER_DIST = Path(flask_swagger_ui.__file__).parent / "dist"
INIT_SCRIPT = Path(__file__).parent / "static" / "api-docs.js"
# what the page may load, read once
ASSETS = {
    "swagger-ui.css": StaticFile.read(SWAGGER_DIST / "swagger-ui.css", "text/css"),
    "swagger-ui-bundle.js": StaticFile.read(
        SWAGGER_DIST / "swagger-ui-bundle.js", "text/javascript"),
    "favicon-32x32.png": StaticFile.read(SWAGGER_DIST / "favicon-32x32.png", "image/png"),
    "api-docs.js": StaticFile.read(INIT_SCRIPT, "text/javascript"),
}

# the pages' policy (web/__init__.py: CSP_HTML), with Swagger UI's icons (data: SVG images)
CSP = ("default-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
       "base-uri 'none'; form-action 'none'")

api = Blueprint("api_docs", __name__, url_prefix="/api")


@api.get("/docs")
@public  # the API's description, no data
def page() -> Response:
    """The Swagger UI page."""
    response = Response(render_template("api_docs.html"), mimetype="text/html")
    response.headers["Content-Security-Policy"] = CSP
    return response


@api.get("/docs/<name>")
@public
def asset(name: str) -> Response:
    """One of the page's assets (cached, answered conditionally)."""
    if name not in ASSETS:
        return problem(404, "not-found", "Not found", "No such asset of the API documentation.")
    return ASSETS[name].answer()
