"""What every route needs: the application, the actor, the JSON body, write responses."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response, current_app, jsonify, request
from werkzeug.exceptions import BadRequest

from cases.application import Diarium, Written
from domain.actor import Actor
from web.schemas import WrittenSchema

ACTOR_HEADER = "X-Diarium-Actor"
REQUEST_ID_HEADER = "X-Request-ID"


def diarium() -> Diarium:
    """The application service of this process."""
    return current_app.extensions["diarium"]


def actor() -> Actor:
    """Who makes this request (until tokens arrive: the actor header, else ``anonymous``)."""
    name = (request.headers.get(ACTOR_HEADER) or "anonymous").strip()[:200] or "anonymous"
    request_id = request.headers.get(REQUEST_ID_HEADER, "")[:100] or str(uuid.uuid4())
    return Actor(name=name, request_id=request_id)


def json_body() -> Any:
    """The request's JSON body; anything that is not JSON is a 400."""
    if not request.is_json:
        raise BadRequest("Send the body as application/json.")
    return request.get_json()


def written(result: Written, status: int = 200) -> Response:
    """The response to a command: where it landed and the case after it."""
    response = jsonify(WrittenSchema().dump(result))
    response.status_code = status
    response.headers["ETag"] = f'"{result.version}"'
    if status == 201:
        response.headers["Location"] = f"/api/cases/{result.dnr}"
    return response
