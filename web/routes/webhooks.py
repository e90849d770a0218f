"""Subscribing services: webhook subscriptions and their delivery status."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify
from marshmallow import RAISE, Schema, fields, validate

from cases import feed
from cases.webhooks import InvalidSubscription, SubscriptionNotFound, WebhookStore
from domain.roles import ADMIN, SERVICE
from web.auth import current_actor, requires
from web.problems import problem
from web.routes.common import diarium, json_body
from web.routes.query import InvalidQuery, Query, invalid_query_response
from web.schemas import Text

api = Blueprint("webhooks", __name__, url_prefix="/api/webhooks")
api.register_error_handler(InvalidQuery, invalid_query_response)


@api.errorhandler(InvalidSubscription)
def _invalid(error: InvalidSubscription) -> Response:
    return problem(422, "invalid-body", "Invalid request", "The request has invalid fields.",
                   **{"invalid-params": error.params})


@api.errorhandler(SubscriptionNotFound)
def _missing(error: SubscriptionNotFound) -> Response:
    return problem(404, "not-found", "Subscription not found", str(error))


URL_PATTERN = r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^\s]*)?$"


class SubscribeSchema(Schema):
    """A webhook subscription request."""

    class Meta:
        unknown = RAISE

    url = Text(
        required=True,
        validate=[validate.Length(min=8, max=2000), validate.Regexp(URL_PATTERN)],
        metadata={"example": "https://example.org/diarium-hook",  # and Text's rule:
                  "pattern": URL_PATTERN.replace(
                      r"[^\s]", r"[^\s\x00-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")},
    )
    types = fields.List(Text(validate=validate.OneOf(sorted(feed.BY_NAME))),
                        load_default=list, metadata={"description": "Public types; [] = all"})
    from_position = fields.Integer(strict=True, load_default=None, allow_none=True,
                                   validate=validate.Range(min=0, max=2**62),
                                   metadata={"description": "Deliver events after this "
                                             "position (default: from now on)"})


def store() -> WebhookStore:
    """This app's webhook store (tables created on first use)."""
    found = current_app.extensions.get("diarium_webhooks")
    if found is None or found.app is not diarium():
        found = WebhookStore(diarium())
        current_app.extensions["diarium_webhooks"] = found
    return found


@api.post("")
@requires(SERVICE, ADMIN)
def subscribe() -> Response:
    """Register a webhook.
    ---
    post:
      summary: Register a URL to receive events of some types
      description: >
        The response holds the `secret` for verifying the `Diarium-Signature` header; it is
        shown only once. Deliveries are made by the `diarium webhooks run` worker.
      requestBody:
        required: true
        content: {application/json: {schema: SubscribeSchema}}
      responses:
        "201": {description: Registered, content: {application/json: {schema: {type: object}}}}
        "422": {$ref: "#/components/responses/Invalid"}
    """
    data: dict[str, Any] = SubscribeSchema().load(json_body())
    who = current_actor()
    view = store().subscribe(data["url"], data["types"], by=who.name if who else None,
                             from_position=data["from_position"])
    response = jsonify(view)
    response.status_code = 201
    response.headers["Location"] = f"/api/webhooks/{view['id']}"
    return response


@api.get("")
@requires(SERVICE, ADMIN)
def list_subscriptions() -> Response:
    """List webhooks.
    ---
    get:
      summary: Every active subscription with its position, failures and backlog
      responses:
        "200":
          description: Subscriptions
          content: {application/json: {schema: {type: array, items: {type: object}}}}
    """
    return jsonify(store().list())


@api.get("/<subscription_id>")
@requires(SERVICE, ADMIN)
def status(subscription_id: str) -> Response:
    """One webhook's state.
    ---
    get:
      summary: A subscription's position, failures, last error, next attempt and backlog
      responses:
        "200": {description: Found, content: {application/json: {schema: {type: object}}}}
        "404": {$ref: "#/components/responses/NotFound"}
    """
    return jsonify(store().status(subscription_id))


@api.get("/<subscription_id>/deliveries")
@requires(SERVICE, ADMIN)
def deliveries(subscription_id: str) -> Response:
    """Recent deliveries of a webhook.
    ---
    get:
      summary: The latest deliveries of a subscription, newest first
      parameters:
        - {in: query, name: limit, schema: {type: integer, minimum: 1, maximum: 1000}}
      responses:
        "200":
          description: Deliveries with attempts and outcome
          content: {application/json: {schema: {type: array, items: {type: object}}}}
        "404": {$ref: "#/components/responses/NotFound"}
        "422": {$ref: "#/components/responses/Invalid"}
    """
    query = Query({"limit"})
    limit = query.integer("limit", 100, minimum=1, maximum=1000) or 100
    query.check()
    return jsonify(store().deliveries(subscription_id, limit))


@api.delete("/<subscription_id>")
@requires(SERVICE, ADMIN)
def unsubscribe(subscription_id: str) -> Response:
    """Remove a webhook.
    ---
    delete:
      summary: Stop deliveries to a subscription
      responses:
        "204": {description: Removed}
        "404": {$ref: "#/components/responses/NotFound"}
    """
    store().unsubscribe(subscription_id)
    return Response(status=204)
