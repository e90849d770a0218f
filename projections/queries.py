"""Register queries: parsed arguments, sorts and stable keyset pagination over the
projection tables (the listings they page through: listings.py).

Pages are cut with keyset cursors: the cursor holds the sort values of the last row (always
ending with the row's unique ``id``), and the next page is ``WHERE (sort columns) > (cursor
values)`` in the sort order, so a page never shifts when rows are added before it and deep
pages cost what the first costs.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Boolean,
    Date,
    Integer,
    String,
    and_,
    bindparam,
    exc,
    false,
    func,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.engine import Engine

from diarium.cases.store.reads import read_connections
from diarium.projections import search
from diarium.projections.filters import InvalidQuery
from diarium.projections.listings import LISTINGS, Listing
from diarium.projections.page_cache import (
    CACHED_PAGE_ROWS,
    PAGE_STATEMENTS,
    page_cache,
    query_key,
)
from diarium.projections.runner import Projector
from diarium.projections.tables import ACTIVE, tracking
from diarium.projections.withholding import Access

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class UnknownCursor(LookupError):
    """The cursor names no page of this listing in this sort and order."""


# -- cursors ----------------------------------------------------------------------------------


def encode_cursor(sort: str, order: str, values: list[Any]) -> str:
    payload = json.dumps(
        {"s": sort, "o": order, "v": [v.isoformat() if isinstance(v, date) else v for v in values]},
        separators=(",", ":"),
    )
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str, order: str, columns: list[Any]) -> list[Any]:
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if payload["s"] != sort or payload["o"] != order or len(payload["v"]) != len(columns):
            raise ValueError("cursor of another sort")
        values = []
        for column, value in zip(columns, payload["v"], strict=True):
            if value is not None and isinstance(column.type, Date):
                value = date.fromisoformat(value)
            elif value is not None and isinstance(column.type, Integer):
                value = int(value)
                if not -(2**63) <= value < 2**63:
                    raise ValueError("out of range")
            elif value is not None and not isinstance(value, str):
                raise ValueError("not a value of this column")
            values.append(value)
        return values
    except (ValueError, KeyError, TypeError, binascii.Error, json.JSONDecodeError):
        raise UnknownCursor(
            "The cursor names no page of this listing, sort and order; start without it"
        ) from None


# -- running a query --------------------------------------------------------------------------


@dataclass
class Page:
    listing: Listing
    items: list[dict[str, Any]]
    next_cursor: str | None
    sort: str
    order: str
    limit: int
    projection: str
    position: int
    # secret fields shown to a reader who may read them, by dnr (a disclosure to log)
    disclosed: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Query:
    """A parsed register query."""

    listing: Listing
    filters: dict[str, Any]
    sort: str
    order: str
    limit: int
    cursor: str | None


def parse(listing: Listing, args: dict[str, str], *, max_limit: int = MAX_LIMIT) -> Query:
    """Validate query-string arguments (everything unknown is refused)."""
    problems: dict[str, str] = {}
    reserved = {"sort", "order", "limit", "cursor", "min_position", "format", "dialect",
                "wait"}
    filters: dict[str, Any] = {}
    for name, raw in args.items():
        if name in reserved:
            continue
        spec = listing.filter_map.get(name)
        if spec is not None and spec.kind in ("string", "text") and not raw.strip():
            continue  # a blank text filter (an empty form field) filters nothing
        if spec is None:
            problems[name] = f"unknown parameter; filters: {', '.join(listing.filter_map)}"
            continue
        try:
            filters[name] = spec.parse(raw)
        except InvalidQuery as invalid:
            problems.update(invalid.problems)
    sort = args.get("sort", listing.default_sort)
    if sort not in listing.sorts:
        problems["sort"] = f"must be one of {', '.join(listing.sorts)}"
    order = args.get("order", listing.default_order)
    if order not in ("asc", "desc"):
        problems["order"] = "must be asc or desc"
    limit = DEFAULT_LIMIT
    if "limit" in args:
        try:
            limit = int(args["limit"])
            if not 1 <= limit <= max_limit:
                raise ValueError
        except ValueError:
            problems["limit"] = f"must be an integer from 1 to {max_limit}"
    if problems:
        raise InvalidQuery(problems)
    return Query(listing, filters, sort, order, limit, args.get("cursor") or None)


class Registers:
    """Answers register queries from the active generation of each projection.

    A JSON page costs two statements: :meth:`state` (the active generation, its position
    and the log's head, in one) and the page itself; both are single statements outside
    any transaction (on PostgreSQL one round trip each, cases/store/reads.py). The generation is
    read with every request rather than cached: it costs nothing extra in that statement,
    and a rebuild's swap in another process is then seen at once. A swap that drops the old
    tables between the two statements fails the page, which is read again once."""

    def __init__(self, projector: Projector) -> None:
        self.projector = projector
        self.engine: Engine = projector.engine
        self.reads = read_connections(projector.datastore)
        self._pages = page_cache(projector)

    def state(self, name: str) -> tuple[int, int, int]:
        """``(generation, position, head)``: the active generation of projection ``name``,
        the log position its rows are complete up to, and the log's head."""
        self.projector.ensure_schema()
        events = self.projector.events_table
        statement = _STATE_STATEMENTS.get(events)
        if statement is None:
            statement = _STATE_STATEMENTS[events] = select(
                tracking.c.generation, tracking.c.position,
                select(func.max(events.c.id)).scalar_subquery(),
            ).where(tracking.c.name == bindparam("name"), tracking.c.state == ACTIVE)
        for generation, position, head in self.reads.all(statement, {"name": name}):
            return generation, position, head or 0
        raise KeyError(name)

    def page(
        self, query: Query, today: date, actor: Any = None,
        state: tuple[int, int] | None = None,
    ) -> Page:
        """A page from the active generation; ``state`` is its ``(generation, position)``
        when the caller has just read it (:meth:`state`)."""
        for attempt in (1, 2):
            if state is None:
                generation, position, _ = self.state(query.listing.projection)
            else:
                generation, position = state
            try:
                return self._page(query, today, generation, position, actor)
            except (exc.ProgrammingError, exc.OperationalError):
                if attempt == 2:  # a rebuild swapped generations under us: look again once
                    raise
                state = None
        raise AssertionError("unreachable")

    def rows(
        self, query: Query, today: date, actor: Any = None, page_size: int = 1000,
        disclosed: dict[str, list[str]] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every matching row from ``query.cursor`` on, page by page (for CSV export); the
        secret fields shown to the reader are added to ``disclosed``."""
        cursor = query.cursor
        while True:
            page = self.page(
                Query(query.listing, query.filters, query.sort, query.order, page_size, cursor),
                today, actor,
            )
            for dnr, fields in page.disclosed.items() if disclosed is not None else ():
                disclosed.setdefault(dnr, []).extend(fields)
            yield from page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def _page(
        self, query: Query, today: date, generation: int, position: int, actor: Any
    ) -> Page:
        listing = query.listing
        # a reader matches on secret fields (q, guarded) only where it may read them
        restricted = Access.of(actor)
        key = query_key(query, today, restricted, generation, position)
        cached = self._pages.get(key) if key is not None else None
        if cached is None:
            cached = self._read_page(query, today, generation, restricted)
            if key is not None and query.limit <= CACHED_PAGE_ROWS:  # not CSV's long pages
                self._pages.put(key, cached)
        pairs, next_cursor = cached
        items = []
        disclosed: dict[str, list[str]] = {}
        for item, row in pairs:
            item = dict(item)  # the cached one stays as it was
            if listing.withhold is not None and (secret := listing.withhold(item, row, actor)):
                disclosed.setdefault(item["dnr"], []).extend(secret)
            items.append(item)
        return Page(
            listing, items, next_cursor, query.sort, query.order, query.limit,
            listing.projection, position, disclosed,
        )

    def _read_page(
        self, query: Query, today: date, generation: int, restricted: Access
    ) -> tuple[list[tuple[dict[str, Any], dict[str, Any]]], str | None]:
        """The page's items (before withholding) with their rows, and the next cursor."""
        listing = query.listing
        projection = self.projector.projections[listing.projection]
        table = projection.table(listing.table, generation)
        statement, wanted, text_search = self._statement(query, today, table, restricted)
        found = None
        if text_search is not None and self.projector.dialect == "sqlite":
            with self.engine.connect() as conn:
                search.read_snapshot(conn)  # every statement of the page sees the same rows
                found = search.ordered_page(
                    conn, table, text_search.query, text_search.conditions,
                    text_search.columns, text_search.sort_columns, text_search.descending,
                    query.limit + 1, text_search.public,
                )
        if found is None:  # one statement: consistent by itself
            found = [dict(zip(wanted, r, strict=True)) for r in self.reads.all(statement, {})]
        more = len(found) > query.limit
        found = found[: query.limit]
        next_cursor = None
        if more and found:
            last = found[-1]
            next_cursor = encode_cursor(
                query.sort, query.order, [last[c] for c in listing.sorts[query.sort]]
            )
        items = []
        columns = listing.columns
        leading = tuple(wanted[: len(columns)]) == columns  # read first, in this order
        converted = _converted(table, columns)
        for row in found:
            item = (
                dict(zip(columns, row.values(), strict=False)) if leading
                else {c: row[c] for c in columns}
            )
            for c in converted:
                if (value := item[c]) is not None:
                    item[c] = _json(value)
            if listing.compute is not None:
                item.update(listing.compute(row, today))
            items.append((item, row))
        return items, next_cursor

    def _statement(
        self, query: Query, today: date, table: Any, restricted: Access
    ) -> tuple[Any, list[str], _TextSearch | None]:
        """The page's ``SELECT``, the columns it reads, and for a full-text query what the
        FTS5 rowid-order plan needs; built once per query, table and day (SQLAlchemy then
        also finds its compiled form without making a cache key)."""
        listing = query.listing
        key = query_key(query, today, restricted, table)
        cached = PAGE_STATEMENTS.get(key) if key is not None else None
        if cached is not None:
            return cached
        conditions = []
        text_query = matching = None
        for name, value in query.filters.items():
            if name == "q" and listing.search:  # no match on withheld text
                matching = restricted.text_match(table, listing, value, self.projector.dialect)
                text_query = value
                conditions.append(matching.clause if matching is not None else true())
            else:
                conditions.append(listing.filter_map[name].clause(table, value, today))
                if name in listing.guarded:
                    readable = restricted.clause(table, listing)
                    conditions.append(or_(table.c[listing.guarded[name]].is_(False), readable))
        sort_columns = [table.c[c] for c in listing.sorts[query.sort]]
        descending = query.order == "desc"
        if query.cursor:
            values = decode_cursor(query.cursor, query.sort, query.order, sort_columns)
            if any(v is None for v in values):
                conditions.append(false())
            elif descending:
                conditions.append(tuple_(*sort_columns) < tuple_(*values))
            else:
                conditions.append(tuple_(*sort_columns) > tuple_(*values))
        wanted = list(
            dict.fromkeys([*listing.columns, *listing.hidden, *listing.sorts[query.sort]])
        )
        statement = (
            select(*(table.c[c] for c in wanted))
            .where(and_(true(), *conditions))
            .order_by(*(c.desc() if descending else c.asc() for c in sort_columns))
            .limit(query.limit + 1)
        )
        text_search = None
        if text_query is not None and matching is not None:  # SQLite: in FTS5 rowid order
            text_search = _TextSearch(
                text_query, [c for c in conditions if c is not matching.clause] + [matching.rest],
                [table.c[c] for c in wanted], sort_columns, descending, matching.public,
            )
        if key is not None:
            PAGE_STATEMENTS.put(key, (statement, wanted, text_search))
        return statement, wanted, text_search


@dataclass(frozen=True)
class _TextSearch:
    """A full-text page's parts for :func:`projections.search.ordered_page`."""

    query: str
    conditions: list[Any]
    columns: list[Any]
    sort_columns: list[Any]
    descending: bool
    public: bool  # matches read from the public text's table


_STATE_STATEMENTS: dict[Any, Any] = {}
_CONVERTED: dict[tuple[Any, tuple[str, ...]], tuple[str, ...]] = {}


def _converted(table: Any, columns: tuple[str, ...]) -> tuple[str, ...]:
    """The columns whose values JSON needs converted (dates, UUIDs: all but text, numbers
    and booleans)."""
    key = (table, columns)
    found = _CONVERTED.get(key)
    if found is None:
        plain = (String, Integer, Boolean)
        found = _CONVERTED[key] = tuple(
            c for c in columns if not isinstance(table.c[c].type, plain)
        )
    return found


def _json(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


# LISTINGS, Listing and InvalidQuery stay importable from here, the register queries' module
__all__ = [
    "LISTINGS", "InvalidQuery", "Listing", "Page", "Query", "Registers", "UnknownCursor", "parse"
]
