"""Full-text search over the diary, per dialect.

SQLite: an FTS5 table per generation (``unicode61`` tokens, diacritics folded so ``forstudie``
also finds ``Förstudie``), kept in step with the case rows by the projection; every query
word is a prefix term, all must match. PostgreSQL: a stored ``tsvector`` column generated
with the ``swedish`` configuration (stemming) under a GIN index; query words become
``word:*`` prefix lexemes joined with ``&``. Either way "samlokalisering" finds
"Förstudie av fysisk samlokalisering av verksamheter i Luleåområdet".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Column, Computed, Index, Table, bindparam, func, text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.engine import Connection

SEARCH_CONFIG = "swedish"
SEARCHED = ("title", "public_title", "document_text")
_WORD = re.compile(r"\w+", re.UNICODE)


def fts_table(case_table: str) -> str:
    return f"{case_table}_fts"


def search_columns(dialect: str) -> list[Any]:
    """Extra columns of the case table: PostgreSQL's generated ``tsvector``."""
    if dialect != "postgresql":
        return []
    document = " || ' ' || ".join(f"coalesce({c}, '')" for c in SEARCHED)
    return [
        Column(
            "search_vector",
            TSVECTOR,
            Computed(f"to_tsvector('{SEARCH_CONFIG}'::regconfig, {document})", persisted=True),
        )
    ]


def search_indexes(table: Table, dialect: str) -> list[Index]:
    if dialect != "postgresql":
        return []
    return [Index(f"{table.name}_search", table.c.search_vector, postgresql_using="gin")]


def create_search(connection: Connection, case_table: Table) -> None:
    """Create the FTS5 table of a generation (SQLite; PostgreSQL needs nothing more)."""
    if connection.dialect.name == "sqlite":
        connection.execute(
            text(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts_table(case_table.name)} USING fts5("
                f"{', '.join(SEARCHED)}, tokenize = 'unicode61 remove_diacritics 2')"
            )
        )


def drop_search(connection: Connection, case_table: Table) -> None:
    if connection.dialect.name == "sqlite":
        connection.execute(text(f"DROP TABLE IF EXISTS {fts_table(case_table.name)}"))


def sync_search(
    connection: Connection, case_table: Table, rows: Iterable[dict[str, Any]],
    new: Iterable[dict[str, Any]] = (),
) -> None:
    """Re-index changed case rows, and index ``new`` ones, in the FTS5 table (SQLite only)."""
    if connection.dialect.name != "sqlite":
        return
    rows, new = list(rows), list(new)
    fts = fts_table(case_table.name)
    if rows:
        connection.exec_driver_sql(f"DELETE FROM {fts} WHERE rowid = ?", [(r["id"],) for r in rows])
    if rows or new:
        connection.exec_driver_sql(
            f"INSERT INTO {fts} (rowid, {', '.join(SEARCHED)}) "
            f"VALUES (?, {', '.join('?' for _ in SEARCHED)})",
            [(r["id"], *(r[c] or "" for c in SEARCHED)) for r in rows + new],
        )


def words(query: str) -> list[str]:
    return _WORD.findall(query.lower())[:20]


def search_clause(case_table: Table, query: str, dialect: str) -> Any:
    """A WHERE clause: the case rows matching every word of ``query`` (as prefixes)."""
    terms = words(query)
    if not terms:
        return None
    if dialect == "postgresql":
        tsquery = " & ".join(f"{t}:*" for t in terms)
        return case_table.c.search_vector.op("@@")(
            func.to_tsquery(text(f"'{SEARCH_CONFIG}'::regconfig"), bindparam("fts_q", tsquery))
        )
    match = " ".join(f'"{t}"*' for t in terms)
    subquery = text(
        f"SELECT rowid FROM {fts_table(case_table.name)} WHERE {fts_table(case_table.name)} "
        "MATCH :fts_q"
    ).bindparams(fts_q=match)
    return case_table.c.id.in_(subquery.columns(rowid=case_table.c.id.type).subquery().select())
