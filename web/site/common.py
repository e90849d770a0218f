"""What every public page shares: the site's name and menu, and conditional answers (ETag and
Last-Modified) by the log's head and the registers' positions, so an unchanged page costs two
small queries."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from functools import wraps
from typing import Any

from flask import Response, current_app, make_response, render_template, request

from diarium.cases.application import STOCKHOLM

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


@dataclass(frozen=True)
class State:
    """What a public page's content depends on: the log's head, each register's position,
    and today's date (the notice board changes with the day); ``changed``: when the
    registers last changed, or today's start if later (for ``Last-Modified``)."""

    key: str
    changed: datetime


def _time(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def state() -> State:
    """The store's state as the public pages read it."""
    app = current_app
    projector = app.extensions.get("diarium_projector")
    today = app.extensions["diarium"].today()
    head = app.extensions["diarium"].recorder.max_notification_id() or 0
    states = [] if projector is None else projector.states()
    positions = [(s.name, s.position) for s in states]
    day_began = datetime.combine(today, time(), STOCKHOLM)
    changed = max([day_began, *(_time(s.updated_at) for s in states if s.updated_at)])
    return State(f"{head}:{positions}:{today}", changed.astimezone(UTC).replace(microsecond=0))


def public_page(view: Callable[..., Any]) -> Callable[..., Response]:
    """A public page answered conditionally: a weak ETag of the store's :func:`state` and
    the URL, and ``Last-Modified`` when the registers last changed; ``If-None-Match`` (or,
    without it, ``If-Modified-Since``) answers 304 without rendering."""

    @wraps(view)
    def page(**path: Any) -> Response:
        now = state()
        tag = hashlib.sha256(f"{now.key}|{request.full_path}".encode()).hexdigest()[:32]
        since = request.if_modified_since
        if request.if_none_match.contains_weak(tag) or (
            not request.if_none_match and since is not None and now.changed <= since
        ):
            response = Response(status=304)
        else:
            response = make_response(view(**path))
            response.headers.setdefault("Cache-Control", "public, no-cache")
        response.set_etag(tag, weak=True)
        response.last_modified = now.changed
        return response

    return page


def render(template: str, **context: Any) -> str:
    """A page of the site (``web/templates/site/``)."""
    return render_template(f"site/{template}", **context)
