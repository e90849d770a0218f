"""What every route needs: the application, the actor, the JSON body, write responses."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, NoReturn

from flask import Blueprint, Request, Response, current_app, jsonify, request
from flask.json.provider import DefaultJSONProvider
from marshmallow import ValidationError
from werkzeug.exceptions import BadRequest, Unauthorized

from diarium.cases.application import Diarium, Written
from diarium.domain.actor import Actor
from diarium.web.auth import REQUEST_ID_HEADER, current_actor
from diarium.web.disclosure import disclose
from diarium.web.schemas.cases import CommandSchema, WrittenSchema

_WRITTEN = WrittenSchema()
__all__ = [
    "POSITION_HEADER", "REQUEST_ID_HEADER", "BoundedJSONProvider", "JSONRequest", "actor", "answer",
    "answer_write", "command_routes", "diarium", "json_body", "prefers_minimal", "query", "takes",
    "written",
]
MAX_JSON_DEPTH = 64  # arrays and objects within each other in a request body
_SURROGATE = re.compile("[\ud800-\udfff]")


class UnacceptableJSON(ValueError):
    """A JSON body that parses but cannot be taken: nested too deep, or a lone surrogate."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name, self.reason = name, reason


def _checked(value: Any) -> Any:
    """``value`` if no array or object lies deeper than :data:`MAX_JSON_DEPTH` and no string
    or key holds a lone surrogate (walked without recursion)."""
    stack: list[tuple[Any, str, int]] = [(value, "body", 0)]
    while stack:
        item, name, depth = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise UnacceptableJSON(name, "Must not contain lone surrogates.")
            continue
        if not isinstance(item, dict | list):
            continue
        if depth >= MAX_JSON_DEPTH:
            raise UnacceptableJSON(name, f"Nested deeper than {MAX_JSON_DEPTH} levels.")
        pairs = item.items() if isinstance(item, dict) else enumerate(item)
        for key, inner in pairs:
            if isinstance(key, str) and _SURROGATE.search(key):
                raise UnacceptableJSON(name, "A key must not contain lone surrogates.")
            stack.append((inner, str(key) if name == "body" else f"{name}.{key}", depth + 1))
    return value


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, but request bodies are parsed with bounded depth and no lone
    surrogates (every ``request.get_json``: routes and the access policy alike)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return _checked(json.loads(s, **kwargs))
        except RecursionError:
            raise UnacceptableJSON("body", f"Nested deeper than {MAX_JSON_DEPTH} levels.") from None


class JSONRequest(Request):
    """A request whose unacceptable JSON is a 422 naming the field (a 400 if not JSON)."""

    def on_json_loading_failed(self, e: ValueError | None) -> NoReturn:
        if isinstance(e, UnacceptableJSON):
            raise ValidationError({e.name: [e.reason]})
        raise BadRequest("The body is not valid JSON.")


def diarium() -> Diarium:
    """The application service of this process."""
    return current_app.extensions["diarium"]


def actor() -> Actor:
    """Who makes this request: the holder of its bearer token (web/auth.py), with its roles,
    bodies and request id. Never taken from the body or another header."""
    who = current_actor()
    if who is None:
        raise Unauthorized("This needs a bearer token.")
    return who


def json_body() -> Any:
    """The request's JSON body; anything that is not JSON is a 400, JSON nested too deep or
    holding lone surrogates a 422 (:class:`BoundedJSONProvider`)."""
    if not request.is_json:
        raise BadRequest("Send the body as application/json.")
    return request.get_json()


def answer(body: Any, status: int, version: int, location: str) -> Response:
    """A command's response: ``body`` as JSON with ``status``, the written version as ETag
    and, when it created something (201), its ``location``."""
    response = jsonify(body)
    response.status_code = status
    response.headers["ETag"] = f'"{version}"'
    if status == 201:
        response.headers["Location"] = location
    return response


POSITION_HEADER = "X-Diarium-Position"  # the log position a write's events got


def prefers_minimal() -> bool:
    """Whether the request asks for no representation in the answer (``Prefer:
    return=minimal``, RFC 7240; any of its ``Prefer`` headers and preferences)."""
    return any(
        preference.split(";")[0].replace(" ", "").lower() == "return=minimal"
        for value in request.headers.getlist("Prefer")
        for preference in value.split(",")
    )


def answer_write(
    render: Callable[[], Any], status: int, version: int, location: str, position: int | None
) -> Response:
    """A write's answer, as :func:`answer` with the body ``render()`` makes and the log
    position in ``X-Diarium-Position``; with ``Prefer: return=minimal`` no body at all (204
    for a 200, 201 with its ``Location`` for a 201) and ``Preference-Applied``."""
    if prefers_minimal():
        response = Response(status=204 if status == 200 else status)
        response.headers["ETag"] = f'"{version}"'
        if status == 201:
            response.headers["Location"] = location
        response.headers["Preference-Applied"] = "return=minimal"
    else:
        response = answer(render(), status, version, location)
    if position is not None:
        response.headers[POSITION_HEADER] = str(position)
    return response


def written(result: Written, status: int = 200) -> Response:
    """The response to a command on a case: where it landed and the case after it (none
    with ``Prefer: return=minimal``)."""

    def render() -> Any:
        body = _WRITTEN.dump(result)
        if body.get("case") is not None:  # the secrecy filter, as for every case view
            body["case"] = disclose(body["case"])
        return body

    return answer_write(render, status, result.version, f"/api/cases/{result.dnr}",
                        result.position)


_PROBLEMS = """
    "404": {$ref: "#/components/responses/NotFound"}
    "409": {$ref: "#/components/responses/Conflict"}
    "422": {$ref: "#/components/responses/Invalid"}"""


_MINIMAL = """
  description: >-
    With `Prefer: return=minimal` (RFC 7240) the answer has no body: 204 instead of 200, or
    201 with only its headers (ETag, Location, X-Diarium-Position, Preference-Applied)."""


def _doc(
    summary: str, request_schema: str, status: str, method: str,
    response_schema: str = "WrittenSchema", minimal: bool = False,
) -> str:
    no_content = '\n    "204": {description: "Recorded (Prefer: return=minimal)"}' if (
        minimal and status == "200") else ""
    return f"""{summary}
---
{method}:
  summary: {summary}{_MINIMAL if minimal else ""}
  requestBody:
    required: true
    content: {{application/json: {{schema: {request_schema}}}}}
  responses:
    "{status}":
      description: Recorded
      content: {{application/json: {{schema: {response_schema}}}}}{no_content}{_PROBLEMS}
"""


def query(
    summary: str, response: str, description: str | None = None, missing: bool = True,
    parameters: str | tuple[str, ...] = (), bad_query: bool = False,
) -> Callable[[Any], Any]:
    """Give a read route its OpenAPI description: ``summary``, the 200 answer's
    ``description`` (by default the summary) and schema (``response``, a YAML schema), a
    404 unless nothing can be ``missing``, its query ``parameters`` (a YAML list's item or
    items, e.g. ``MIN_POSITION``) and a 400 if a ``bad_query`` parameter is refused. The
    view's own docstring, if any, stays its prose."""
    quoted = json.dumps(summary, ensure_ascii=False)
    described = json.dumps(description or summary, ensure_ascii=False)
    refused = ('\n    "404": {$ref: "#/components/responses/NotFound"}' if missing else "") + (
        '\n    "400": {$ref: "#/components/responses/BadQuery"}' if bad_query else "")
    items = (parameters,) if isinstance(parameters, str) else parameters
    listed = "".join(f"\n    - {item}" for item in items)
    listed = f"\n  parameters:{listed}" if listed else ""

    def decorate(view: Any) -> Any:
        view.__doc__ = f"""{view.__doc__ or summary}
---
get:
  summary: {quoted}{listed}
  responses:
    "200":
      description: {described}
      content: {{application/json: {{schema: {response}}}}}{refused}
"""
        return view

    return decorate


def takes(
    schema: type[CommandSchema],
    summary: str,
    status: int = 200,
    method: str = "post",
    render: Callable[[Any, int], Response] | None = None,
    response_schema: str = "WrittenSchema",
    minimal: bool = False,
) -> Callable[[Callable[[Any], Any]], Callable[..., Response]]:
    """What makes a command route's view (:func:`command_routes` applies it to each entry of
    a route module's table): it documents the route with ``schema``,
    ``summary`` and ``response_schema`` (what ``render`` writes), loads each request's body
    with ``schema`` into its command (with the URL's variables), hands the command to the
    view and renders what the view returns with ``status`` (by default as :func:`written`);
    ``minimal``: ``render`` honours ``Prefer: return=minimal`` (:func:`answer_write`)."""
    loader = schema()

    def decorate(view: Callable[[Any], Any]) -> Callable[..., Response]:
        @wraps(view)
        def route(**path: Any) -> Response:
            return (render or written)(view(loader.command_of(json_body(), **path)), status)

        route.__doc__ = _doc(
            summary, schema.__name__, str(status), method, response_schema, minimal
        )
        route.command_schema = schema  # type: ignore[attr-defined]
        return route

    return decorate


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def command_routes(
    api: Blueprint,
    table: Iterable[tuple[Any, ...]],
    render: Callable[[Any, int], Response] | None = None,
    response_schema: str = "WrittenSchema",
    minimal: bool = False,
) -> None:
    """Register on ``api`` the command routes of a route module's ``table``, one entry a
    route: ``(method, URL rule, policy, schema, status, summary[, endpoint])``. The policy is
    a :func:`~diarium.web.auth.requires` decorator; the view (through :func:`takes`, answered
    by ``render`` as ``response_schema``) loads the schema's command and hands it to
    ``Diarium.handle`` as the request's actor. Its endpoint is the command's name in
    snake_case (``RegisterDocument``: ``register_document``) unless the entry names one."""
    for method, rule, policy, schema, status, summary, *named in table:
        endpoint = named[0] if named else _snake(schema.command.__name__)

        def handle(command: Any) -> Any:
            return diarium().handle(command, actor())

        handle.__name__ = handle.__qualname__ = endpoint
        handle.__module__ = api.import_name
        view = takes(schema, summary, status, method, render, response_schema, minimal)(handle)
        api.add_url_rule(rule, endpoint, policy(view), methods=[method.upper()])
