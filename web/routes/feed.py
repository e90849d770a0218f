"""Subscribing services: the public event feed (pull, long poll, Server-Sent Events)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

from flask import Blueprint, Response, jsonify, request, stream_with_context

from diarium.cases.outbound import feed
from diarium.domain.roles import ADMIN, AUDITOR, SERVICE
from diarium.web.auth import requires
from diarium.web.routes.common import diarium
from diarium.web.routes.query import InvalidQuery, Query, invalid_query_response

api = Blueprint("feed", __name__, url_prefix="/api/feed")
api.register_error_handler(InvalidQuery, invalid_query_response)

MAX_WAIT = 30.0
MAX_STREAM = 3600.0
HEARTBEAT = 15.0
_PARAMS = {"after", "limit", "types", "wait"}


def _common(query: Query) -> tuple[int, int, list[str]]:
    after = query.integer("after", 0) or 0
    limit = query.integer("limit", 100, minimum=1, maximum=feed.MAX_LIMIT) or 100
    types = query.names("types", feed.BY_NAME)
    return after, limit, types


@api.get("")
@requires(SERVICE, AUDITOR, ADMIN)
def read() -> Response:
    """Read the feed from a position.
    ---
    get:
      summary: Contract events after a log position, oldest first
      description: >
        Items carry `position`, `type`, `case` (dnr), `business_date` and a documented
        `payload` (docs/feed.md). Resume with `after=next_after`: a follower that always does
        so never skips an event. `wait` (seconds, up to 30) long-polls until an item arrives.
        With `Accept: text/event-stream` the same query opens a Server-Sent Events stream.
      parameters:
        - in: query
          name: after
          schema: {type: integer, minimum: 0, maximum: 4611686018427387904}
        - {in: query, name: limit, schema: {type: integer, minimum: 1, maximum: 1000}}
        - in: query
          name: types
          style: form
          explode: false
          schema: {type: array, items: {type: string, enum: TYPES}}
          example: [case.decision_recorded]
        - {in: query, name: wait, schema: {type: number, minimum: 0, maximum: 30}}
      responses:
        "200":
          description: "{items, next_after, head}"
          content: {application/json: {schema: {type: object}}}
        "422": {$ref: "#/components/responses/Invalid"}
    """
    if request.accept_mimetypes.best == "text/event-stream":
        return stream()
    query = Query(_PARAMS)
    after, limit, types = _common(query)
    wait = query.number("wait", 0.0, maximum=MAX_WAIT)
    query.check()
    app = diarium()
    if wait:
        page = feed.wait_for_feed(app, after, limit, types, wait)
    else:
        page = feed.read_feed(app, after, limit, types)
    body = page.as_dict()
    body["head"] = app.recorder.max_notification_id() or 0
    return jsonify(body)


@api.get("/stream")
@requires(SERVICE, AUDITOR, ADMIN)
def stream() -> Response:
    """Follow the feed as Server-Sent Events.
    ---
    get:
      summary: Follow the feed as Server-Sent Events (text/event-stream)
      description: >
        Each event has `id:` = position (reconnect with `Last-Event-ID` to resume), `event:` =
        type and `data:` = the feed item as JSON. A `: keepalive` comment is sent every 15 s.
        The stream ends after `timeout` seconds (default 300); clients reconnect.
      parameters:
        - in: query
          name: after
          schema: {type: integer, minimum: 0, maximum: 4611686018427387904}
        - in: query
          name: types
          style: form
          explode: false
          schema: {type: array, items: {type: string, enum: TYPES}}
        - {in: query, name: timeout, schema: {type: number, minimum: 0, maximum: 3600}}
      responses:
        "200": {description: Events, content: {text/event-stream: {schema: {type: string}}}}
        "422": {$ref: "#/components/responses/Invalid"}
    """
    query = Query(_PARAMS | {"timeout"})
    after, limit, types = _common(query)
    timeout = query.number("timeout", 300.0, maximum=MAX_STREAM)
    last_event = request.headers.get("Last-Event-ID")
    if last_event is not None:
        if last_event.isdigit():
            after = max(after, int(last_event))
        else:
            query.fail("Last-Event-ID", "Must be a position (integer).")
    query.check()
    app = diarium()

    def events() -> Iterator[str]:
        cursor = after
        deadline = time.monotonic() + timeout
        beat = time.monotonic() + HEARTBEAT
        yield "retry: 1000\n\n"
        while time.monotonic() < deadline:
            page = feed.wait_for_feed(app, cursor, limit, types,
                                      min(HEARTBEAT, max(0.0, deadline - time.monotonic())))
            for item in page.items:
                data = json.dumps(item.as_dict(), ensure_ascii=False, separators=(",", ":"))
                yield f"id: {item.position}\nevent: {item.type}\ndata: {data}\n\n"
            cursor = page.next_after
            if time.monotonic() >= beat:
                beat = time.monotonic() + HEARTBEAT
                yield f": keepalive {cursor}\n\n"

    response = Response(stream_with_context(events()), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"
    return response


for _view in (read, stream):
    _view.__doc__ = (_view.__doc__ or "").replace("TYPES", "[" + ", ".join(feed.BY_NAME) + "]")


@api.get("/types")
@requires(SERVICE, AUDITOR, ADMIN)
def types() -> Response:
    """The event types of the feed contract.
    ---
    get:
      summary: The public event types and the fields of their payloads
      responses:
        "200":
          description: Types with description and fields
          content: {application/json: {schema: {type: array, items: {type: object}}}}
    """
    return jsonify([
        {"type": t.name, "description": t.description, "fields": t.fields}
        for t in feed.PUBLIC_TYPES
    ])
