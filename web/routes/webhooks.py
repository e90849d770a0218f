"""Subscribing services: webhook subscriptions and their delivery status.

A subscription belongs to the token that made it: a service token sees and removes only its
own (another's id answers 404, like a missing one); admins see and manage all.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify
from marshmallow import RAISE, Schema, fields, validate

from diarium.cases.outbound import feed
from diarium.cases.outbound.webhook_subscriptions import (
    InvalidSubscription,
    SubscriptionNotFound,
    WebhookStore,
)
from diarium.domain.actor import Actor
from diarium.domain.roles import ADMIN, SERVICE
from diarium.web.auth import requires
from diarium.web.problems import problem
from diarium.web.routes.common import actor, diarium, json_body, query
from diarium.web.routes.query import InvalidQuery, Query, invalid_query_response
from diarium.web.schemas.cases import Text

api = Blueprint("webhooks", __name__, url_prefix="/api/webhooks")
api.register_error_handler(InvalidQuery, invalid_query_response)


@api.errorhandler(InvalidSubscription)
def _invalid(error: InvalidSubscription) -> Response:
    rules = [p["rule"] for p in error.params if "rule" in p]
    extra = {"rule": rules[0]} if rules else {}
    return problem(422, "invalid-body", "Invalid request", "The request has invalid fields.",
                   **{"invalid-params": error.params}, **extra)


@api.errorhandler(SubscriptionNotFound)
def _missing(error: SubscriptionNotFound) -> Response:
    return problem(404, "not-found", "Subscription not found", str(error))


class SubscribeSchema(Schema):
    """A webhook subscription request."""

    class Meta:
        unknown = RAISE

    url = Text(
        required=True,
        validate=validate.Length(min=8, max=2000),
        metadata={"example": "https://example.org/diarium-hook",
                  "description": "http(s), no credentials, a public address (checked again "
                                 "after resolving the host, before each delivery)"},
    )
    types = fields.List(Text(validate=validate.OneOf(sorted(feed.BY_NAME))),
                        load_default=list, metadata={"description": "Public types; [] = all"})
    from_position = fields.Integer(strict=True, load_default=None, allow_none=True,
                                   validate=validate.Range(min=0, max=2**62),
                                   metadata={"description": "Deliver events after this "
                                             "position (default: from now on)"})


def owner_of(who: Actor) -> str:
    """Whose a subscription is: the token that made it (or the OIDC user)."""
    return f"token:{who.token_id}" if who.token_id else f"oidc:{who.name}"


def visible_to() -> str | None:
    """The owner whose subscriptions the caller sees; ``None`` (all) for admins."""
    who = actor()
    return None if who.has_role(ADMIN) else owner_of(who)


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
        shown only once. Deliveries are made by the `diarium webhooks run` worker. A URL
        that is not http(s), carries credentials, or names an address that is not public is
        refused (422, rules `webhook-url`, `webhook-address-not-allowed`).
      requestBody:
        required: true
        content: {application/json: {schema: SubscribeSchema}}
      responses:
        "201": {description: Registered, content: {application/json: {schema: {type: object}}}}
        "422": {$ref: "#/components/responses/Invalid"}
    """
    data: dict[str, Any] = SubscribeSchema().load(json_body())
    who = actor()
    view = store().subscribe(data["url"], data["types"], by=who.name, owner=owner_of(who),
                             from_position=data["from_position"])
    response = jsonify(view)
    response.status_code = 201
    response.headers["Location"] = f"/api/webhooks/{view['id']}"
    return response


@api.get("")
@requires(SERVICE, ADMIN)
@query(
    "The caller's active subscriptions (every one for an admin) and their state",
    "{type: array, items: {type: object}}", "Subscriptions", missing=False,
)
def list_subscriptions() -> Response:
    """List webhooks."""
    return jsonify(store().list(visible_to()))


@api.get("/<subscription_id>")
@requires(SERVICE, ADMIN)
@query(
    "A subscription's position, failures, last error, next attempt and backlog",
    "{type: object}", "Found",
)
def status(subscription_id: str) -> Response:
    """One webhook's state."""
    return jsonify(store().status(subscription_id, visible_to()))


@api.get("/<subscription_id>/deliveries")
@requires(SERVICE, ADMIN)
@query(
    "The latest deliveries of a subscription, newest first",
    "{type: array, items: {type: object}}", "Deliveries with attempts and outcome",
    parameters="{in: query, name: limit, schema: {type: integer, minimum: 1, maximum: 1000}}",
    bad_query=True,
)
def deliveries(subscription_id: str) -> Response:
    """Recent deliveries of a webhook."""
    query = Query({"limit"})
    limit = query.integer("limit", 100, minimum=1, maximum=1000) or 100
    query.check()
    return jsonify(store().deliveries(subscription_id, limit, visible_to()))


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
    store().unsubscribe(subscription_id, visible_to())
    return Response(status=204)
