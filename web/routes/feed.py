"""Subscribing services: the public event feed (pull, long poll, Server-Sent Events)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

from flask import Blueprint, Response, jsonify, request, stream_with_context

from diarium.cases.outbound import feed
from diarium.domain.roles import ADMIN, AUDITOR, SERVICE
from diarium.web.auth import requires
from diarium.web.problems import problem
from diarium.web.routes.common import diarium, query
from diarium.web.routes.query import InvalidQuery, Query, invalid_query_response

api = Blueprint("feed", __name__, url_prefix="/api/feed")
api.register_error_handler(InvalidQuery, invalid_query_response)

MAX_WAIT = 30.0
MAX_STREAM = 3600.0
HEARTBEAT = 15.0
_PARAMS = {"after", "limit", "types", "wait"}
HEAD_HEADER = "X-Diarium-Head"


def _head() -> int:
    """The log's head: the highest position written (0 for an empty log)."""
    return diarium().recorder.max_notification_id() or 0


def _beyond_head(after: int, head: int, name: str = "after") -> Response:
    """409: a position beyond the head was never handed out by this log."""
    response = problem(
        409, "position-beyond-head", "Position beyond the log's head",
        f"The log's head is at position {head}; `{name}` = {after} lies beyond it, so it was "
        "not read from this log (another database, or a corrupted stored position). Resume "
        "from a position this log gave you, or from 0 to read it all again.",
        head=head, **{"invalid-params": [
            {"name": name, "reason": f"Must be at most the head, {head}."}]},
    )
    response.headers[HEAD_HEADER] = str(head)
    return response


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
        Items carry `position`, `type`, `case` (dnr), `case_title` (the case's public title),
        `business_date` and a documented `payload` (docs/feed.md): the cases' events, the
        meetings' decided paragraphs, adjustments, postings, corrections and legal force, and
        the bodies' delegation orders. Resume with `after=next_after`: a follower that always does
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
          description: >
            `{items, next_after, head}`: `head` is the log's head position (also in the
            `X-Diarium-Head` header). `after` equal to the head gives an empty page.
          headers:
            X-Diarium-Head: {$ref: "#/components/headers/Head"}
          content: {application/json: {schema: {type: object}}}
        "409":
          description: >
            `after` lies beyond the log's head (problem type `position-beyond-head`, with
            `head` and `invalid-params` naming `after`): the stored position does not belong
            to this log.
          headers:
            X-Diarium-Head: {$ref: "#/components/headers/Head"}
          content:
            application/problem+json: {schema: {$ref: "#/components/schemas/Problem"}}
        "400": {$ref: "#/components/responses/BadQuery"}
    """
    if request.accept_mimetypes.best == "text/event-stream":
        return stream()
    query = Query(_PARAMS)
    after, limit, types = _common(query)
    wait = query.number("wait", 0.0, maximum=MAX_WAIT)
    query.check()
    app = diarium()
    if after > (head := _head()):
        return _beyond_head(after, head)
    if wait:
        page = feed.wait_for_feed(app, after, limit, types, wait)
    else:
        page = feed.read_feed(app, after, limit, types)
    body = page.as_dict()
    # the head read before the page, or the page's last position if a commit came between;
    # a wait can outlast both, so after one the head is read again
    body["head"] = _head() if wait else max(head, page.head)
    response = jsonify(body)
    response.headers[HEAD_HEADER] = str(body["head"])
    return response


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
        "200":
          description: Events
          headers:
            X-Diarium-Head:
              description: The log's head position when the stream opened
              schema: {type: integer, minimum: 0}
          content: {text/event-stream: {schema: {type: string}}}
        "409":
          description: >
            `after` (or `Last-Event-ID`) lies beyond the log's head (problem type
            `position-beyond-head`, with `head` and `invalid-params` naming it)
          headers:
            X-Diarium-Head: {$ref: "#/components/headers/Head"}
          content:
            application/problem+json: {schema: {$ref: "#/components/schemas/Problem"}}
        "400": {$ref: "#/components/responses/BadQuery"}
    """
    query = Query(_PARAMS | {"timeout"})
    after, limit, types = _common(query)
    timeout = query.number("timeout", 300.0, maximum=MAX_STREAM)
    last_event = request.headers.get("Last-Event-ID")
    source = "after"
    if last_event is not None:
        if last_event.isdigit():
            if int(last_event) > after:
                after, source = int(last_event), "Last-Event-ID"
        else:
            query.fail("Last-Event-ID", "Must be a position (integer).")
    query.check()
    app = diarium()
    if after > (head := _head()):
        return _beyond_head(after, head, source)

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
    response.headers[HEAD_HEADER] = str(head)
    return response


for _view in (read, stream):
    _view.__doc__ = (_view.__doc__ or "").replace("TYPES", "[" + ", ".join(feed.BY_NAME) + "]")


@api.get("/types")
@requires(SERVICE, AUDITOR, ADMIN)
@query(
    "The public event types and the fields of their payloads",
    "{type: array, items: {type: object}}", "Types with description and fields", missing=False,
)
def types() -> Response:
    """The event types of the feed contract."""
    return jsonify([
        {"type": t.name, "description": t.description, "fields": t.fields}
        for t in feed.PUBLIC_TYPES
    ])
