"""What every public page shares: the site's name and menu, and conditional answers (ETag)
by the log's head and the registers' positions, so an unchanged page costs one small query."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, current_app, make_response, render_template, request

SITE_NAME_VARIABLE = "DIARIUM_SITE_NAME"
MENU = (
    ("/", "Start"),
    ("/diarium", "Diariet"),
    ("/anslagstavla", "Anslagstavla"),
    ("/organ", "Organ och sammanträden"),
)


def site_context() -> dict[str, Any]:
    """The site's name (``DIARIUM_SITE_NAME``) and menu, for every template."""
    return {"site_name": os.environ.get(SITE_NAME_VARIABLE) or "Diariet", "site_menu": MENU}


def state_key() -> str:
    """What a public page's content depends on: the log's head, each register's position
    and today's date (the notice board changes with the day)."""
    app = current_app
    projector = app.extensions.get("diarium_projector")
    head = app.extensions["diarium"].recorder.max_notification_id() or 0
    positions = [] if projector is None else [(s.name, s.position) for s in projector.states()]
    return f"{head}:{positions}:{app.extensions['diarium'].today()}"


def public_page(view: Callable[..., Any]) -> Callable[..., Response]:
    """A public page answered conditionally: a weak ETag of :func:`state_key` and the URL;
    ``If-None-Match`` with it answers 304 without rendering."""

    @wraps(view)
    def page(**path: Any) -> Response:
        tag = hashlib.sha256(f"{state_key()}|{request.full_path}".encode()).hexdigest()[:32]
        if request.if_none_match.contains_weak(tag):
            response = Response(status=304)
            response.set_etag(tag, weak=True)
            return response
        response = make_response(view(**path))
        response.set_etag(tag, weak=True)
        response.headers.setdefault("Cache-Control", "public, no-cache")
        return response

    return page


def render(template: str, **context: Any) -> str:
    """A page of the site (``web/templates/site/``)."""
    return render_template(f"site/{template}", **context)
