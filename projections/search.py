"""Full-text search over the diary in Swedish, the same on SQLite and PostgreSQL.

What is searched (:data:`SEARCHED`): a case's title and public title, its documents'
descriptions, its decisions' texts, its counterparts (documents' senders and recipients,
incoming referrals' senders) and the text of its documents' files (projections/file_texts.py).
They are indexed folded into one text (:func:`indexed`): lower case, diacritics removed
(``forstudie`` finds ``Förstudie``), the words between single spaces. Beside it, the case's
public text (:func:`public_indexed`): only what a reader who may not read the case's secrets
may read (the public title where the title is withheld, and the row's ``public_text``: the
descriptions, counterparts, files' texts and decision texts no marking covers, kept by the
diary projection). Such a reader matches the public text only, a reader with access the full
text (projections/queries.py), so a case is found by its public words but never by a secret
one.

A query word is reduced to its stem by the Snowball Swedish stemmer (PyStemmer:
``remissen`` → ``remiss``, ``sjukvården`` → ``sjukvård``). That stemmer only strips suffixes,
so a stem is a prefix of its word, and a stem found *inside* a stored word finds every
inflection and every compound ending in it (``sjukvård`` in ``ambulanssjukvård``, ``remiss``
in ``remissvar``). Stems of at least :data:`INFIX_MIN` letters are matched anywhere in a word
(compounds); shorter ones only at a word's start (``lag`` finds ``lagen``, not ``förslag``),
which keeps precision (docs/search.md measures both). Every query word must match.

SQLite: a contentless FTS5 table per generation and text (full, public) with the
``trigram`` tokenizer over that text, kept in step by the projection (the case row does not
keep it: a smaller row reads faster); a term is a quoted substring (a word-start term begins
with a space). A page of matches is read in FTS5 rowid order (row ids are registration
positions, so that is nearly the order of every diary sort) from the end the page starts at,
in growing chunks, instead of ranking every match (:func:`ordered_page`).

PostgreSQL: the case row's ``search_text`` column holds the full text, ``public_search`` the
public text; ``search_text LIKE '%term%'`` for every term under a GIN ``gin_trgm_ops`` index
on each (the ``pg_trgm`` extension, created with the generation's tables).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from typing import Any

import Stemmer
from sqlalchemy import (
    Column,
    Index,
    Table,
    Text,
    and_,
    bindparam,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.engine import Connection

from diarium.domain.secrecy import covered

# the case row's columns searched (the full text: for readers with access to its secrets)
SEARCHED = (
    "title", "public_title", "document_text", "decision_text", "counterpart_text", "file_text"
)
# the columns the texts are made of: a change to one of them indexes the row again
INDEXED = (*SEARCHED, "public_text", "secret_fields")
TEXTS = {False: "search_text", True: "public_search"}  # public? -> the text's column
INFIX_MIN = 4  # stems at least this long match inside words (compounds); shorter ones at starts
MAX_TERMS = 20
_WORD = re.compile(r"[^\W_]+", re.UNICODE)  # no "_": a LIKE wildcard
_STEMMERS = threading.local()  # a PyStemmer stemmer is not thread-safe: one per thread


def fts_table(case_table: str, public: bool = False) -> str:
    """The FTS5 table of the case table's full text, or of its ``public`` text."""
    return f"{case_table}_public_fts" if public else f"{case_table}_fts"


def _fold(word: str) -> str:
    """``word`` without diacritics (å → a, ö → o, é → e)."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def indexed(row: dict[str, Any]) -> str:
    """The searched text of a case row: its :data:`SEARCHED` words, folded, each between
    spaces (so a term starting with a space matches at a word's start)."""
    return _folded(row[c] for c in SEARCHED)


def title_withheld(row: dict[str, Any]) -> bool:
    """Whether the case row's title is withheld from a reader without access (a public title
    is given, or the marking covers it)."""
    marked = [f for f in row["secret_fields"].split(",") if f]
    return row["public_title"] is not None or "title" in covered(marked, "case")


def public_indexed(row: dict[str, Any]) -> str:
    """The public text of a case row, folded as :func:`indexed`: the public title where the
    title is withheld (else the title), and the row's ``public_text``."""
    title = row["public_title"] if title_withheld(row) else row["title"]
    return _folded((title, row["public_text"]))


def _folded(texts: Iterable[str | None]) -> str:
    found = _WORD.findall(" ".join(t or "" for t in texts).lower())
    return f" {_fold(' '.join(found))} " if found else ""


def stem(word: str) -> str:
    stemmer = getattr(_STEMMERS, "swedish", None)
    if stemmer is None:
        stemmer = _STEMMERS.swedish = Stemmer.Stemmer("swedish")
    return str(stemmer.stemWord(word))


def terms(query: str) -> list[tuple[str, ...]]:
    """What ``query`` asks of ``search_text``: per word, substrings of which one must be
    found. A word's folded stem, with a leading space (at a word's start) if shorter than
    :data:`INFIX_MIN`; then also the whole word anywhere if that is long enough (``lager``:
    `` lag`` at a start, or ``lager`` anywhere, as in ``beredskapslager``). Words of one
    letter are left out."""
    found: list[tuple[str, ...]] = []
    for word in _WORD.findall(query.lower())[:MAX_TERMS]:
        if len(word) < 2:
            continue
        stemmed = _fold(stem(word))
        if len(stemmed) < 2:  # folded away (a letter that is only a mark)
            continue
        if len(stemmed) >= INFIX_MIN:
            term: tuple[str, ...] = (stemmed,)
        elif len(word) >= INFIX_MIN:
            term = (f" {stemmed}", _fold(word))
        else:
            term = (f" {stemmed}",)
        if term not in found:
            found.append(term)
    return found


def fts_query(query: str) -> str | None:  # the same for the full and the public table
    """The FTS5 ``MATCH`` string of ``query`` (SQLite), or None if it has no terms."""
    found = terms(query)
    if not found:
        return None
    quoted = [[f'"{a}"' for a in alternatives] for alternatives in found]
    return " AND ".join(q[0] if len(q) == 1 else f"({' OR '.join(q)})" for q in quoted)


def search_columns(dialect: str) -> list[Any]:
    """Extra columns of the case table: PostgreSQL's folded searched texts (full:
    :func:`indexed`, public: :func:`public_indexed`)."""
    if dialect != "postgresql":
        return []
    return [Column(name, Text, nullable=False) for name in TEXTS.values()]


def reindex(case: dict[str, Any], dialect: str) -> None:
    """Bring the case row's ``search_text`` up to date after its searched columns changed
    (PostgreSQL; SQLite's FTS5 table is synchronised after the batch: :func:`sync_search`)."""
    if dialect == "postgresql":
        case["search_text"] = indexed(case)
        case["public_search"] = public_indexed(case)


def search_indexes(table: Table, dialect: str) -> list[Index]:
    if dialect != "postgresql":
        return []
    return [
        Index(
            f"{table.name}_{'public_search' if public else 'search'}", table.c[name],
            postgresql_using="gin", postgresql_ops={name: "gin_trgm_ops"},
        )
        for public, name in TEXTS.items()
    ]


def create_search(connection: Connection, case_table: Table) -> None:
    """What a generation's search needs beside its case table: the FTS5 table (SQLite), the
    ``pg_trgm`` extension (PostgreSQL). Called before the tables are made."""
    if connection.dialect.name == "postgresql":
        # asked first: where a superuser made it, an owner without the right needs nothing
        if connection.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
                              ).first() is None:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        return
    for public in TEXTS:
        connection.execute(
            text(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts_table(case_table.name, public)} "
                "USING fts5(search_text, content = '', tokenize = 'trigram')"
            )
        )


def optimize_search(connection: Connection, case_table: Table) -> None:
    """Merge the FTS5 index's segments into one (SQLite): after a generation's bulk build,
    whose large transactions leave many (1M cases: 636 segment rows to 91, one second;
    one-word search 2.8 -> 2.3 ms)."""
    if connection.dialect.name == "sqlite":
        for public in TEXTS:
            fts = fts_table(case_table.name, public)
            connection.execute(text(f"INSERT INTO {fts} ({fts}) VALUES ('optimize')"))


def drop_search(connection: Connection, case_table: Table) -> None:
    if connection.dialect.name == "sqlite":
        for public in TEXTS:
            connection.execute(text(f"DROP TABLE IF EXISTS {fts_table(case_table.name, public)}"))


def sync_search(
    connection: Connection, case_table: Table, old: Iterable[dict[str, Any]],
    rows: Iterable[dict[str, Any]],
) -> None:
    """Index the case ``rows`` (new, or with :data:`INDEXED` columns changed) in the FTS5
    tables (SQLite only); ``old`` are the changed rows as they were before. The tables keep no
    content, so a row is forgotten given the text it was indexed with, made again from the
    row as it was (:func:`indexed`, :func:`public_indexed`; a change to them changes the
    diary's version, which rebuilds the index)."""
    if connection.dialect.name != "sqlite":
        return
    old, rows = list(old), list(rows)
    for public in TEXTS:
        fts = fts_table(case_table.name, public)
        made = public_indexed if public else indexed
        if old:
            connection.exec_driver_sql(
                f"INSERT INTO {fts} ({fts}, rowid, search_text) VALUES ('delete', ?, ?)",
                [(r["id"], made(r)) for r in old],
            )
        if rows:
            connection.exec_driver_sql(
                f"INSERT INTO {fts} (rowid, search_text) VALUES (?, ?)",
                [(r["id"], made(r)) for r in rows],
            )


def search_clause(case_table: Table, query: str, dialect: str, public: bool = False) -> Any:
    """A WHERE clause: the case rows whose full (or ``public``) text matches every term of
    ``query``; None without terms."""
    found = terms(query)
    if not found:
        return None
    if dialect == "postgresql":
        column = case_table.c[TEXTS[public]]
        # each pattern inlined when the statement runs (its compiled form stays cached): a
        # bound pattern let PostgreSQL's generic plan of a prepared statement (psycopg
        # prepares after five runs) walk the sort index and test every row's text (100+ ms
        # at 10k documents' files' texts), not ask the trigram index
        return and_(*(or_(*(column.like(bindparam(None, f"%{a}%", literal_execute=True))
                            for a in t)) for t in found))
    fts = fts_table(case_table.name, public)
    subquery = text(f"SELECT rowid FROM {fts} WHERE {fts} MATCH :fts_q").bindparams(
        fts_q=fts_query(query)
    )
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
    public: bool = False,
) -> list[dict[str, Any]] | None:
    """The first ``limit`` case rows whose full (or ``public``) text matches ``query``, and
    matching ``conditions`` (the other filters, secrecy and the cursor) in the order of
    ``sort_columns`` (ending with ``id``), as dicts of ``columns``; ``None`` where this plan
    does not apply (PostgreSQL, no words, a sort not ending with the id, or too many rows out
    of rowid order), and the caller runs the plain query instead.

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
    match = fts_query(query)
    names = [c.key for c in sort_columns]
    if match is None or names[-1] != "id":
        return None
    columns = list(dict.fromkeys([*columns, *sort_columns]))  # the sort needs its values
    fts = fts_table(case_table.name, public)
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
