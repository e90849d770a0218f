"""RFC 9457 problem details: every error leaves as ``application/problem+json``."""

from __future__ import annotations

import logging
from typing import Any

from eventsourcing.persistence import PersistenceError
from flask import Flask, Response, jsonify
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from diarium.cases.application import CaseNotFound, ConcurrentModification
from diarium.domain.meeting.terms import NotFound as MeetingResourceNotFound
from diarium.domain.rules import DateRequired, RuleViolation

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"

PROBLEM_TYPES = {
    "invalid-body": "The request body does not match the schema; see invalid-params.",
    "unauthenticated": "No valid bearer token: send 'Authorization: Bearer <token>'.",
    "forbidden": "The token's roles or bodies do not allow this; see required-roles.",
    "invalid-query": "Query parameters are invalid or unknown; see invalid-params.",
    "rule-violation": "The command would break a rule of the case process; nothing was recorded.",
    "not-found": "The resource does not exist.",
    "position-beyond-head": "The feed position `after` lies beyond the log's head (given in "
                            "`head`): a stored position from another database, or corrupted.",
    "concurrent-modification": "Others changed the resource at the same time; retry the request.",
    "store-unavailable": "The event store cannot be reached; retry later. Nothing was recorded.",
    "projection-failed": "A projection recorded events it could not apply, or stopped before "
                         "one; see `diarium projections status`.",
    "internal-error": "An unexpected error; it has been logged.",
}


def problem(
    status: int, slug: str | None, title: str, detail: str | None = None, **extra: Any
) -> Response:
    """A problem+json response of type ``/problems/<slug>`` (``about:blank`` without one)."""
    kind = f"/problems/{slug}" if slug else "about:blank"
    body: dict[str, Any] = {"type": kind, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.content_type = PROBLEM_JSON
    return response


def invalid_params(messages: Any, prefix: str = "") -> list[dict[str, str]]:
    """Flatten marshmallow's nested error messages into RFC 9457 ``invalid-params``."""
    if isinstance(messages, dict):
        found = []
        for name, inner in messages.items():
            path = f"{prefix}.{name}" if prefix else str(name)
            found.extend(invalid_params(inner, path))
        return found
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [{"name": prefix or "body", "reason": " ".join(messages)}]
    if isinstance(messages, list):
        return [p for m in messages for p in invalid_params(m, prefix)]
    return [{"name": prefix or "body", "reason": str(messages)}]


def register_error_handlers(app: Flask) -> None:
    """Map every exception the service can raise to its problem response."""

    @app.errorhandler(ValidationError)
    def _invalid(error: ValidationError) -> Response:
        return problem(
            422, "invalid-body", "Invalid request", "The request has invalid fields.",
            **{"invalid-params": invalid_params(error.messages)},
        )

    @app.errorhandler(DateRequired)
    def _date_required(error: DateRequired) -> Response:
        """422 naming the date a migrated record left out (only a live one defaults it)."""
        return problem(
            422, "invalid-body", "Invalid request", str(error),
            **{"invalid-params": [{"name": error.field, "reason": str(error)}]},
        )

    @app.errorhandler(RuleViolation)
    def _rule(error: RuleViolation) -> Response:
        """409 naming the rule, and in ``invalid-params`` the field at fault where the rule
        is about one (e.g. a personal identity number in the title)."""
        at_fault = {"invalid-params": [{"name": error.field, "reason": error.detail}]}
        return problem(409, "rule-violation", error.rule.text, error.detail,
                       rule=error.rule.code, **(at_fault if error.field else {}))

    @app.errorhandler(CaseNotFound)
    def _not_found(error: CaseNotFound) -> Response:
        return problem(404, "not-found", "Case not found", str(error), dnr=error.dnr)

    @app.errorhandler(MeetingResourceNotFound)
    def _meeting_not_found(error: MeetingResourceNotFound) -> Response:
        return problem(
            404, "not-found", f"{error.kind.capitalize()} not found", str(error), key=error.key
        )

    @app.errorhandler(ConcurrentModification)
    def _conflict(error: ConcurrentModification) -> Response:
        response = problem(409, "concurrent-modification", "Concurrent modification", str(error))
        response.headers["Retry-After"] = "1"
        return response

    @app.errorhandler(PersistenceError)
    def _store(error: PersistenceError) -> Response:
        log.warning("event store unavailable: %s", error)
        response = problem(503, "store-unavailable", "Event store unavailable", None)
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        response = problem(error.code or 500, None, error.name, error.description)
        for name, value in error.get_headers():  # e.g. Allow on 405 (RFC 9110)
            if name.lower() not in ("content-type", "content-length"):
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unexpected error")
        return problem(500, "internal-error", "Internal error")
