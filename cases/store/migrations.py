"""Schema changes of the store's side tables (tokens, webhooks) on databases made before them.

Every process that starts may run these at the same moment: each step checks first and
tolerates another process having done it meanwhile. SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import Index, Table, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError


def _columns(engine: Engine, table: Table) -> dict[str, dict]:
    return {c["name"]: c for c in inspect(engine).get_columns(table.name)}


def add_missing_columns(engine: Engine, table: Table) -> list[str]:
    """Add the (nullable) columns of ``table`` the database lacks; the names added."""
    added = []
    present = _columns(engine, table)
    for column in table.columns:
        if column.name in present:
            continue
        kind = column.type.compile(engine.dialect)
        statement = f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}"
        try:
            with engine.begin() as connection:
                connection.execute(text(statement))
        except SQLAlchemyError:  # another process added it at the same moment
            if column.name not in _columns(engine, table):
                raise
            continue
        added.append(column.name)
    return added


def widen_to_text(engine: Engine, table: Table, name: str) -> None:
    """Make a bounded VARCHAR column TEXT (PostgreSQL; SQLite does not bound lengths)."""
    column = _columns(engine, table)[name]
    if engine.dialect.name == "postgresql" and getattr(column["type"], "length", None):
        with engine.begin() as connection:
            connection.execute(text(f"ALTER TABLE {table.name} ALTER COLUMN {name} TYPE TEXT"))


def create_index(engine: Engine, index: Index) -> None:
    """Create ``index`` unless it exists (another process may be creating it too)."""
    try:
        index.create(engine, checkfirst=True)
    except SQLAlchemyError:
        index.create(engine, checkfirst=True)
