"""Register filters: what a query-string parameter may filter on, parsed and checked, and
the ``WHERE`` clause it adds (declared per listing in listings.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_


class InvalidQuery(ValueError):
    """A query parameter has a value the register cannot use."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


Clause = Callable[[Any, Any, date], Any]  # (table, parsed value, today) -> WHERE clause


@dataclass(frozen=True)
class Filter:
    name: str
    kind: str  # string | date | integer | boolean | enum | text
    description: str
    clause: Clause
    choices: tuple[str, ...] = ()

    def _in_range(self, value: int) -> int:
        low, high = (1, 9999) if self.name == "year" else (-(2**31), 2**31 - 1)
        if not low <= value <= high:
            raise InvalidQuery({self.name: f"must be from {low} to {high}"})
        return value

    def parse(self, raw: str) -> Any:
        try:
            if self.kind == "date":
                return date.fromisoformat(raw)
            if self.kind == "integer":
                return self._in_range(int(raw))
            if self.kind == "boolean":
                lowered = raw.lower()
                if lowered not in ("true", "false", "1", "0"):
                    raise ValueError
                return lowered in ("true", "1")
        except InvalidQuery:
            raise
        except ValueError:
            raise InvalidQuery({self.name: f"not a valid {self.kind}: {raw!r}"}) from None
        if self.kind == "enum" and raw not in self.choices:
            raise InvalidQuery({self.name: f"must be one of {', '.join(self.choices)}"})
        if len(raw) > 500:
            raise InvalidQuery({self.name: "must be at most 500 characters"})
        return raw.replace("\x00", "")


def equals(name: str, column: str, description: str) -> Filter:
    return Filter(name, "string", description, lambda t, v, _: t.c[column] == v)


def one_of(name: str, column: str, description: str, choices: tuple[str, ...]) -> Filter:
    return Filter(name, "enum", description, lambda t, v, _: t.c[column] == v, choices)


def number(name: str, column: str, description: str) -> Filter:
    return Filter(name, "integer", description, lambda t, v, _: t.c[column] == v)


def flag(name: str, column: str, description: str) -> Filter:
    return Filter(name, "boolean", description, lambda t, v, _: t.c[column].is_(v))


def date_range(prefix: str, column: str, what: str) -> tuple[Filter, Filter]:
    return (
        Filter(f"{prefix}_from", "date", f"{what} on or after", lambda t, v, _: t.c[column] >= v),
        Filter(f"{prefix}_to", "date", f"{what} on or before", lambda t, v, _: t.c[column] <= v),
    )


def year_of(column: str) -> Filter:
    return Filter(
        "year", "integer", f"Year of {column}",
        lambda t, v, _: and_(t.c[column] >= date(v, 1, 1), t.c[column] <= date(v, 12, 31)),
    )
