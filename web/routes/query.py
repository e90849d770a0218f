"""Query-string parameters for the audit, feed and webhook routes: parsed strictly, and every
bad value becomes one entry of a 400 ``invalid-query`` problem's ``invalid-params``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, request

from diarium.web.problems import invalid_query, problem
from diarium.web.text import refusal, spec_pattern

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# dates and times a query may name: far enough back for any archive, never near the ends of
# Python's calendar (0001-01-01 in Swedish time is before datetime.min in UTC)
FIRST_DAY, LAST_DAY = date(1600, 1, 1), date(2999, 12, 31)
_RANGE = f"Must be from {FIRST_DAY} to {LAST_DAY}."


class InvalidQuery(ValueError):
    """One or more query parameters are invalid."""

    def __init__(self, params: list[dict[str, str]]) -> None:
        super().__init__("; ".join(p["reason"] for p in params))
        self.params = params


def invalid_query_response(error: InvalidQuery) -> Response:
    return invalid_query(error.params)


def refused_parameters() -> Response | None:
    """Every query-string and path parameter of every route holds only what web/text.py
    accepts in a short text: a 400 naming each query parameter that does not, a 404 naming
    the path parameter (no resource has such a name)."""
    if request.view_args:
        for name, value in request.view_args.items():
            if isinstance(value, str) and (reason := refusal(value)) is not None:
                return problem(404, "not-found", "Not found", "No resource has this name.",
                               **{"invalid-params": [{"name": name, "reason": reason}]})
    found = [
        {"name": name, "reason": reason}
        for name, value in request.args.items(multi=True)
        if (reason := refusal(value)) is not None
    ]
    if refusal("".join(request.args)) is not None:
        found.append({"name": "query", "reason": "A parameter's name holds refused characters."})
    return invalid_query_response(InvalidQuery(found)) if found else None


def document_input_rules(spec: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document with the rules every route keeps: a free-form string query or
    path parameter gets the short-text pattern (:func:`refused_parameters`), an operation
    with query parameters its 400 (invalid-query), one with a body its 400 (malformed-body)
    and 413 (bodies over 1 MiB)."""
    pattern = spec_pattern(long=False, non_blank=False)
    too_large = {"description": "The body is over 1 MiB", "content": {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    for item in spec.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in [*item.get("parameters", []), *operation.get("parameters", [])]:
                schema = parameter.get("schema", {}) if isinstance(parameter, dict) else {}
                if schema.get("type") == "string" and not {"enum", "pattern", "format"} & set(
                    schema
                ):
                    schema["pattern"] = pattern
            responses = operation.setdefault("responses", {})
            parameters = [*item.get("parameters", []), *operation.get("parameters", [])]
            if any(isinstance(p, dict) and p.get("in") == "query" for p in parameters):
                responses.setdefault("400", {"$ref": "#/components/responses/BadQuery"})
            if "requestBody" in operation:
                responses.setdefault("400", {"$ref": "#/components/responses/Malformed"})
                responses.setdefault("413", too_large)
    return spec


class Query:
    """Collects parse errors so that all bad parameters are reported at once."""

    def __init__(self, allowed: set[str]) -> None:
        self.errors: list[dict[str, str]] = []
        unknown = sorted(set(request.args) - allowed)
        for name in unknown:
            self.errors.append({"name": name, "reason": "Unknown query parameter."})
        for name in set(request.args) & allowed:
            if len(request.args.getlist(name)) > 1:
                self.errors.append({"name": name, "reason": "Give this parameter once."})

    def fail(self, name: str, reason: str) -> None:
        self.errors.append({"name": name, "reason": reason})

    def raw(self, name: str) -> str | None:
        """The parameter as given (``None`` when absent; an empty value is a value)."""
        return request.args.get(name)

    def text(self, name: str, max_length: int = 200) -> str | None:
        value = self.raw(name)
        if value is not None and not 1 <= len(value) <= max_length:
            self.fail(name, f"Must be 1 to {max_length} characters.")
            return None
        return value  # its characters: refused_parameters, before every route

    def integer(self, name: str, default: int | None = None, *, minimum: int = 0,
                maximum: int = 2**62) -> int | None:
        return self._within(name, default, int, "Must be an integer.", minimum, maximum,
                            f"{maximum}")

    def number(self, name: str, default: float, *, maximum: float) -> float:
        return self._within(name, default, float, "Must be a number of seconds.", 0, maximum,
                            f"{maximum:g}")

    def _within(self, name: str, default: Any, convert: Callable[[str], Any], invalid: str,
                minimum: float, maximum: float, shown_maximum: str) -> Any:
        """Parameter ``name`` converted, if it converts and lies within the bounds (else
        ``default``, the failure noted)."""
        value = self.raw(name)
        if value is None:
            return default
        try:
            number = convert(value)
        except ValueError:
            self.fail(name, invalid)
            return default
        if not minimum <= number <= maximum:
            self.fail(name, f"Must be between {minimum} and {shown_maximum}.")
            return default
        return number

    def day(self, name: str) -> date | None:
        value = self.raw(name)
        if value is None:
            return None
        try:
            day = date.fromisoformat(value)
        except ValueError:
            self.fail(name, "Must be an ISO date (YYYY-MM-DD).")
            return None
        return day if self._in_range(name, day) else None

    def _in_range(self, name: str, day: date) -> bool:
        """Whether ``day`` lies from :data:`FIRST_DAY` to :data:`LAST_DAY` (else a failure)."""
        if FIRST_DAY <= day <= LAST_DAY:
            return True
        self.fail(name, _RANGE)
        return False

    def moment(self, name: str, *, end_of_day: bool = True) -> datetime | None:
        """An ISO timestamp (no offset: Swedish time), or a date meaning the end of that day."""
        value = self.raw(name)
        if value is None:
            return None
        return self.parse_moment(name, value, end_of_day=end_of_day)

    def parse_moment(self, name: str, value: str, *, end_of_day: bool = True) -> datetime | None:
        try:
            if len(value) == 10:
                day = date.fromisoformat(value)
                moment = datetime.combine(day, time.max if end_of_day else time.min,
                                          tzinfo=STOCKHOLM)
            else:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            self.fail(name, "Must be an ISO timestamp (e.g. 2020-10-31T12:00:00+01:00) "
                            "or a date.")
            return None
        if not self._in_range(name, moment.date()):
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=STOCKHOLM)

    def names(self, name: str, known: Any) -> list[str]:
        value = self.raw(name)
        if not value:
            return []
        names = [n.strip() for n in value.split(",") if n.strip()]
        unknown = [n for n in names if n not in known]
        if unknown:
            self.fail(name, f"Unknown: {', '.join(unknown)}. Known: {', '.join(sorted(known))}.")
        return names

    def check(self) -> None:
        if self.errors:
            raise InvalidQuery(self.errors)
