"""What the side tables of people share (``diarium_tokens``, ``diarium_desk_sessions``): who
the person is (name, roles, bodies) in the same columns, and moments read back time-zone aware.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, String


def actor_columns() -> list[Column[Any]]:
    """The columns of who a person is (new objects for each table that takes them)."""
    return [
        Column("name", String(200), nullable=False),
        Column("roles", String(500), nullable=False),  # space-separated
        Column("bodies", String(2000), nullable=False),  # space-separated; empty: every body
    ]


def actor_values(name: str, roles: Iterable[str], bodies: Iterable[str]) -> dict[str, str]:
    """The values of :func:`actor_columns` for a row to be written."""
    return {"name": name, "roles": " ".join(roles), "bodies": " ".join(bodies)}


def actor_fields(row: Any) -> dict[str, Any]:
    """``name``, ``roles`` and ``bodies`` of a row read back (roles and bodies as tuples)."""
    return {"name": row.name, "roles": tuple(row.roles.split()),
            "bodies": tuple(row.bodies.split())}


def aware(moment: datetime) -> datetime:
    """``moment`` with its time zone (SQLite gives naive UTC moments back)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
