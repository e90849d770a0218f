"""Records taken over from an older system: a migrated case, meeting or body, or a
historical decision, says where it comes from and carries its own dates (only a live
registration defaults a date to today: ``domain/rules.py: happened_on``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    """Where a migrated record comes from (``{"source": "W3D3 dnr 1310-2020"}``)."""

    source: str


def source_of(migration: Migration | None) -> str | None:
    """The source a migrated record names (``None`` for a live one)."""
    return migration.source if migration is not None else None
