"""Interactive API documentation at ``/api/docs``: Swagger UI, its assets vendored by the
``flask-swagger-ui`` package and served by this app (no CDN), reading ``/api/openapi.json``.
The page loads its one script and stylesheets from here: the pages' CSP (no inline script or
style) holds, so the start-up script is a file too (web/static/api-docs.js)."""

from __future__ import annotations

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, Response, render_template, request

from diarium.web.auth import public
from diarium.web.problems import problem

SWAGGER_DIST = Path(flask_swagger_ui.__file__).parent / "dist"
INIT_SCRIPT = Path(__file__).parent / "static" / "api-docs.js"
# what the page may load: name -> (file, media type)
ASSETS = {
    "swagger-ui.css": (SWAGGER_DIST / "swagger-ui.css", "text/css"),
    "swagger-ui-bundle.js": (SWAGGER_DIST / "swagger-ui-bundle.js", "text/javascript"),
    "favicon-32x32.png": (SWAGGER_DIST / "favicon-32x32.png", "image/png"),
    "api-docs.js": (INIT_SCRIPT, "text/javascript"),
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
    path, media_type = ASSETS[name]
    response = Response(path.read_bytes(), mimetype=media_type)
    response.add_etag()
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response.make_conditional(request)
