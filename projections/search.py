"""Full-text search over the diary, per dialect.

SQLite: an FTS5 table per generation (``unicode61`` tokens, diacritics folded so ``forstudie``
also finds ``Förstudie``), kept in step with the case rows by the projection; every query
word is a prefix term, all must match. A page of matches is read in FTS5 rowid order (row ids
are registration positions, so that is nearly the order of every diary sort) from the end the
page starts at, in growing chunks, instead of ranking every match (:func:`ordered_page`).

PostgreSQL: a stored ``tsvector`` column generated with the ``swedish`` configuration
(stemming) under a GIN index; query words become ``word:*`` prefix lexemes joined with ``&``.
Either way "samlokalisering" finds
"Förstudie av fysisk samlokalisering av verksamheter i Luleåområdet".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Column, Computed, Index, Table, bindparam, func, select, text, tuple_
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


def optimize_search(connection: Connection, case_table: Table) -> None:
    """Merge the FTS5 index's segments into one (SQLite): after a generation's bulk build,
    whose large transactions leave many (1M cases: 636 segment rows to 91, one second;
    one-word search 2.8 -> 2.3 ms)."""
    if connection.dialect.name == "sqlite":
        fts = fts_table(case_table.name)
        connection.execute(text(f"INSERT INTO {fts} ({fts}) VALUES ('optimize')"))


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


# -- one snapshot per page --------------------------------------------------------------------


def read_snapshot(connection: Connection) -> None:
    """Make the statements ``connection`` runs next read one snapshot of the database, so a
    page read with several statements (:func:`ordered_page`) never shows half of a projection
    batch committed in between. Call it on a fresh connection, before its first statement.

    SQLite (WAL): ``BEGIN`` now (the driver would otherwise run each ``SELECT`` on its own);
    the snapshot is taken at the first read and kept until the connection is closed (rolled
    back). PostgreSQL reads a page with one statement, consistent by itself."""
    if connection.dialect.name == "sqlite" and not (
        connection.connection.dbapi_connection.in_transaction  # type: ignore[union-attr]
    ):
        connection.exec_driver_sql("BEGIN")


# -- SQLite: a page of matches without ranking every match -------------------------------------

FIRST_CHUNK = 256  # FTS5 rowids read first (at least 4 pages' worth), then 4 times more each
MAX_CHUNK = 8192  # ids per statement stay well below SQLite's 32766 bound parameters
MAX_STRAGGLERS = 2000  # rows out of rowid order checked one by one before the plain query


def ordered_page(
    connection: Connection,
    case_table: Table,
    query: str,
    conditions: list[Any],
    columns: list[Any],
    sort_columns: list[Any],
    descending: bool,
    limit: int,
) -> list[dict[str, Any]] | None:
    """The first ``limit`` case rows matching ``query`` and ``conditions`` (the other filters,
    secrecy and the cursor) in the order of ``sort_columns`` (ending with ``id``), as dicts of
    ``columns``; ``None`` where this plan does not apply (PostgreSQL, no words, a sort not
    ending with the id, or too many rows out of rowid order), and the caller runs the plain
    query instead.

    FTS5 hands out matching rowids in rowid order, newest (or oldest) first, cheaply; ranking
    every match (1/27 of the cases for a common word) and keeping 50 is what is slow. Row ids
    are registration positions and the sort keys (registration date, dnr year and sequence)
    nearly follow them, but not always (a migrated case is registered late with an old date).
    So: read matches in rowid order in growing chunks, apply the conditions, until ``limit``
    rows are found (or every match was read: then the answer is exact). With ``K`` the
    ``limit``-th of those in sort order and ``edge`` the last rowid read, a match not yet read
    can only come before ``K`` if its sort values (without the id) come before ``K``'s: those
    rows are found with the sort index (``registered_on > K's`` and ``id < edge``, normally
    none), checked against the full-text index and the conditions, and merged in.

    Its statements must read one snapshot: the caller begins it (:func:`read_snapshot`).
    """
    if connection.dialect.name != "sqlite":
        return None
    terms = words(query)
    names = [c.key for c in sort_columns]
    if not terms or names[-1] != "id":
        return None
    columns = list(dict.fromkeys([*columns, *sort_columns]))  # the sort needs its values
    match = " ".join(f'"{t}"*' for t in terms)
    fts = fts_table(case_table.name)
    direction, beyond = ("DESC", "<") if descending else ("ASC", ">")

    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(row[n] for n in names)

    def rows(ids: list[int]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for start in range(0, len(ids), MAX_CHUNK):
            statement = select(*columns).where(
                case_table.c.id.in_(ids[start : start + MAX_CHUNK]), *conditions
            )
            found += [r._asdict() for r in connection.execute(statement)]
        return found

    found: list[dict[str, Any]] = []
    edge: int | None = None
    chunk = max(FIRST_CHUNK, 4 * limit)
    while True:
        after = f" AND rowid {beyond} :edge" if edge is not None else ""
        ids = [r[0] for r in connection.execute(
            text(f"SELECT rowid FROM {fts} WHERE {fts} MATCH :q{after} "
                 f"ORDER BY rowid {direction} LIMIT :n"),
            {"q": match, "edge": edge, "n": chunk},
        )]
        found += rows(ids)
        if ids:
            edge = ids[-1]
        if len(ids) < chunk:  # every match was read
            found.sort(key=key, reverse=descending)
            return found[:limit]
        if len(found) >= limit:
            break
        chunk = min(chunk * 4, MAX_CHUNK)
    found.sort(key=key, reverse=descending)
    kth = found[limit - 1]
    if any(kth[n] is None for n in names):
        return None
    leading = [case_table.c[n] for n in names[:-1]]
    if leading:  # rows not read yet whose sort values come before the k-th row's
        values = [kth[n] for n in names[:-1]]
        ahead = (
            (leading[0] > values[0] if descending else leading[0] < values[0])
            if len(leading) == 1
            else (tuple_(*leading) > tuple_(*values) if descending
                  else tuple_(*leading) < tuple_(*values))
        )
        beyond_edge = case_table.c.id < edge if descending else case_table.c.id > edge
        stragglers = [r[0] for r in connection.execute(
            select(case_table.c.id).where(ahead, beyond_edge).limit(MAX_STRAGGLERS + 1)
        )]
        if len(stragglers) > MAX_STRAGGLERS:
            return None
        if stragglers:
            matching = {r[0] for r in connection.execute(
                text(f"SELECT rowid FROM {fts} WHERE {fts} MATCH :q "
                     "AND rowid >= :low AND rowid <= :high"),
                {"q": match, "low": min(stragglers), "high": max(stragglers)},
            )}
            found += rows(sorted(set(stragglers) & matching))
            found.sort(key=key, reverse=descending)
    return found[:limit]
