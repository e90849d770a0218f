"""What every route needs: the application, the actor, the JSON body, write responses."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request
from werkzeug.exceptions import BadRequest, Unauthorized

from cases.application import Diarium, Written
from domain.actor import Actor
from web.auth import REQUEST_ID_HEADER, current_actor
from web.disclosure import disclose
from web.schemas import WrittenSchema

_WRITTEN = WrittenSchema()
__all__ = ["REQUEST_ID_HEADER", "actor", "diarium", "json_body", "written"]


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
    """The request's JSON body; anything that is not JSON is a 400."""
    if not request.is_json:
        raise BadRequest("Send the body as application/json.")
    return request.get_json()


def written(result: Written, status: int = 200) -> Response:
    """The response to a command: where it landed and the case after it."""
    body = _WRITTEN.dump(result)
    if body.get("case") is not None:  # the secrecy filter, as for every case view
        body["case"] = disclose(body["case"])
    response = jsonify(body)
    response.status_code = status
    response.headers["ETag"] = f'"{result.version}"'
    if status == 201:
        response.headers["Location"] = f"/api/cases/{result.dnr}"
    return response
