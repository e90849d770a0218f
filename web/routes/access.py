"""Tokens (admin) and the caller's own identity."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify
from marshmallow import RAISE, Schema, fields, validate

from diarium.cases.tokens import (
    BODY_PATTERN,
    NAME_PATTERN,
    TOKEN_NAME_TAKEN,
    TokenError,
    TokenRefused,
    TokenStore,
)
from diarium.domain.roles import ADMIN, ROLES
from diarium.web.auth import authenticated, requires
from diarium.web.problems import problem
from diarium.web.routes.common import actor, json_body, query
from diarium.web.schemas.cases import Text

api = Blueprint("access", __name__, url_prefix="/api")


class TokenSchema(Schema):
    id = Text(metadata={"example": "3f9a0c1b2d4e"})
    name = Text()
    roles = fields.List(Text())
    bodies = fields.List(Text())
    created_at = fields.DateTime()
    created_by = Text()
    expires_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    revoked_by = Text(allow_none=True)
    active = fields.Boolean()


class IssuedTokenSchema(TokenSchema):
    token = Text(metadata={"description": "The bearer token: shown this once only"})


class IssueTokenSchema(Schema):
    class Meta:
        unknown = RAISE

    name = Text(required=True, validate=validate.Regexp(NAME_PATTERN))
    roles = fields.List(
        Text(validate=validate.OneOf(list(ROLES))),
        required=True,
        validate=validate.Length(min=1, max=len(ROLES)),
    )
    bodies = fields.List(
        Text(validate=validate.Regexp(BODY_PATTERN)),
        load_default=list,
        validate=validate.Length(max=50),
    )
    expires_at = fields.AwareDateTime(load_default=None, allow_none=True)


class WhoAmISchema(Schema):
    name = Text()
    roles = fields.List(Text())
    bodies = fields.List(Text())


def _tokens() -> TokenStore:
    return current_app.extensions["diarium_tokens"]  # type: ignore[no-any-return]


@api.get("/whoami")
@authenticated
@query("Who the bearer token belongs to", "WhoAmISchema", "The caller", missing=False)
def whoami() -> Response:
    """The caller's name (recorded as actor), roles and body scope."""
    return jsonify(WhoAmISchema().dump(actor()))


@api.get("/tokens")
@requires(ADMIN)
@query(
    "The active tokens (an admin scoped to bodies sees those within its scope)",
    "{type: array, items: TokenSchema}", "Tokens, oldest first", missing=False,
)
def list_tokens() -> Response:
    """Every active token (never its secret)."""
    return jsonify(TokenSchema(many=True).dump(_tokens().list(issuer=actor())))


@api.post("/tokens")
@requires(ADMIN)
def issue_token() -> Response:
    """Issue a token; the answer shows it once.
    ---
    post:
      summary: Issue a token
      requestBody:
        required: true
        content: {application/json: {schema: IssueTokenSchema}}
      description: >
        The name is the actor recorded for the token's commands: a live token of the same name
        refuses it (409, rule `token-name-taken`). An admin scoped to bodies issues tokens only
        within its bodies and with roles it holds (403, rule `token-beyond-issuer-scope`).
      responses:
        "201": {description: Issued, content: {application/json: {schema: IssuedTokenSchema}}}
        "409": {$ref: "#/components/responses/Conflict"}
        "422": {$ref: "#/components/responses/Invalid"}
    """
    data: dict[str, Any] = IssueTokenSchema().load(json_body())
    issuer = actor()
    try:
        secret, token = _tokens().issue(**data, by=issuer.name, issuer=issuer)
    except TokenRefused as refused:
        return _refusal(refused)
    except TokenError as refused:
        return problem(422, "invalid-body", "Invalid request", str(refused))
    body = IssuedTokenSchema().dump(token)
    body["token"] = secret
    response = jsonify(body)
    response.status_code = 201
    return response


def _refusal(refused: TokenRefused) -> Response:
    """409 for a name in use, 403 for a token beyond the issuer's scope."""
    taken = refused.rule is TOKEN_NAME_TAKEN
    return problem(
        409 if taken else 403, "rule-violation" if taken else "forbidden", refused.rule.text,
        refused.detail, rule=refused.rule.code,
        **{"invalid-params": [{"name": refused.field, "reason": refused.detail}]},
    )


@api.post("/tokens/<token_id>/revoke")
@requires(ADMIN)
def revoke_token(token_id: str) -> Response:
    """Revoke a token at once.
    ---
    post:
      summary: Revoke a token
      description: >
        An admin scoped to bodies revokes only tokens within its bodies and with roles it
        holds (403, rule `token-beyond-issuer-scope`).
      responses:
        "200": {description: Revoked, content: {application/json: {schema: TokenSchema}}}
        "404": {$ref: "#/components/responses/NotFound"}
    """
    issuer = actor()
    try:
        token = _tokens().revoke(token_id, by=issuer.name, issuer=issuer)
    except TokenRefused as refused:
        return _refusal(refused)
    except TokenError as unknown:
        return problem(404, "not-found", "Token not found", str(unknown))
    return jsonify(TokenSchema().dump(token))
