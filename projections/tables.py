"""Tables of the projections: the tracking table, and the register tables of one generation.

Every projection keeps its rows in tables named ``reg_<table>_g<generation>``. A rebuild
fills the next generation while the current one keeps serving, then swaps the active
generation in the tracking table in one transaction and drops the old tables. The
tracking table holds, per projection and generation, the notification id (position) up to
which the rows are complete (written in the same transaction as the rows), and the schema
fingerprint of the code that built the generation (a process that finds another one rebuilds
it: ``Projector.upgrade_outdated``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Integer, MetaData, String, Table, Uuid

TRACKING_TABLE = "diarium_projection_tracking"
POSITION = BigInteger().with_variant(Integer(), "sqlite")  # a notification id, or a count

ACTIVE = "active"  # serving queries, followed by the runner
BUILDING = "building"  # being rebuilt from the log; not yet visible
RETIRED = "retired"  # replaced by a rebuild; its tables are about to be dropped

tracking_metadata = MetaData()

tracking = Table(
    TRACKING_TABLE,
    tracking_metadata,
    Column("name", String(64), primary_key=True),
    Column("generation", Integer, primary_key=True, autoincrement=False),
    Column("state", String(16), nullable=False),
    Column("position", POSITION, nullable=False),
    Column("events", POSITION, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # the projection's schema fingerprint (``Projection.fingerprint``) the generation was
    # built with; NULL: built by code older than fingerprints
    Column("fingerprint", String(64)),
)


def row_id() -> Column[int]:
    """A register row's key, made from the log position of the event that added it."""
    return Column("id", POSITION, primary_key=True, autoincrement=False)


def case_columns(*, required: bool) -> tuple[Column[Any], Column[str]]:
    """The case a register row belongs to: its aggregate id and dnr (``required``: every row
    has one)."""
    return (
        Column("case_id", Uuid, nullable=not required),
        Column("dnr", String(50), nullable=not required),
    )


def table_name(base: str, generation: int) -> str:
    """The physical name of register table ``base`` in ``generation``."""
    return f"reg_{base}_g{generation}"
