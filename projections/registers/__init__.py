"""The projections behind the registers, one module each."""

from __future__ import annotations

from diarium.projections.registers.base import Projection
from diarium.projections.registers.deadlines import DeadlinesProjection
from diarium.projections.registers.decisions import DecisionsProjection
from diarium.projections.registers.diary import DiaryProjection

PROJECTIONS: tuple[type[Projection], ...] = (
    DiaryProjection,
    DecisionsProjection,
    DeadlinesProjection,
)
NAMES = tuple(p.name for p in PROJECTIONS)


def build(dialect: str) -> dict[str, Projection]:
    """One instance of every projection, for a database of ``dialect``."""
    return {p.name: p(dialect) for p in PROJECTIONS}
