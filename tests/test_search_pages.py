"""Full-text search combined with filters, sorts and cursors, on SQLite and PostgreSQL.

SQLite reads a page of matches in FTS5 rowid order (projections/search.py ``ordered_page``),
which is only nearly the order of the sorts: here registration dates and dnrs are deliberately
out of rowid order (migrated cases, late registrations, several cases a day), the chunks are
made tiny so that every page takes several, and each walk through the pages is compared with
the order worked out in Python and with the plain query (ranking every match). Some cases have
a secret title (a public title given): a reader without access matches them by the public title
only, a reader scoped to one body by the full text of that body's cases."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select, update

from diarium.cases.application import Diarium
from diarium.domain.actor import Actor
from diarium.domain.case.lifecycle import CloseCase, RegisterCase
from diarium.projections import search
from diarium.projections.listings import LISTINGS
from diarium.projections.queries import Query, Registers
from diarium.projections.runner import Projector
from tests.bodies_support import establish_bodies
from tests.conftest import postgres_database

TODAY = date(2021, 6, 1)
BY = Actor("registrator", "req")
AUDITOR = Actor("revisor", "req", roles=("auditor",))
HSN_REGISTRAR = Actor("hsn.registrator", "req", roles=("registrar",), bodies=("HSN",))
PUBLIC_TITLE = "Skyddat ärende"
WORDS = ("zebra", "kobolt", "tulpan")


@dataclass(frozen=True)
class Made:
    dnr: str
    year: int
    sequence: int
    registered_on: date
    words: frozenset[str]
    body: str
    status: str
    secret: bool
    order: int  # registration order = row id order


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path_factory: Any) -> Iterator[tuple[Any, list]]:
    if request.param == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{tmp_path_factory.mktemp('q')}/d.sqlite"])
    else:
        urls = postgres_database()
    diarium = establish_bodies(Diarium(next(urls), create_tables=True, today=lambda: TODAY))
    made = []
    start = date(2020, 1, 1)
    for i in range(70):
        words = frozenset(w for n, w in enumerate(WORDS) if i % (n + 2) == 0) or {"tulpan"}
        migrated = i % 9 == 4
        if migrated:  # an old case taken over from an older system, registered late
            registered_on = date(2018, 1 + i % 12, 1 + i % 27)
        elif i % 5 == 3:  # a late entry of a letter received weeks ago
            registered_on = start + timedelta(days=i // 2 - 30)
        else:
            registered_on = start + timedelta(days=i // 2)  # two cases a day
        title = f"Ärende om {' och '.join(sorted(words))}"
        written = diarium.register_case(RegisterCase(
            title=title, responsible_body=("RS", "HSN")[i % 2], registered_on=registered_on,
            public_title=PUBLIC_TITLE if i % 6 == 1 else None,
            dnr=f"{500 + i}-2018" if migrated else None,
        ), BY)
        status = "open"
        if i % 4 == 3:
            diarium.handle(CloseCase(written.dnr, max(registered_on,
                                                              date(2020, 3, 1))), BY)
            status = "closed"
        case = written.case
        made.append(Made(written.dnr, case.year, case.sequence, registered_on, words,
                         case.responsible_body, status, i % 6 == 1, i))
    projector = Projector(diarium, batch_size=50)
    projector.catch_up()
    yield Registers(projector), made
    diarium.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
    for _ in urls:
        pass


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "FIRST_CHUNK", 2)


def walk(registers: Registers, filters: dict[str, Any], sort: str, order: str,
         actor: Any = AUDITOR, limit: int = 3) -> list[str]:
    """Every dnr of the listing, page by page through the cursors."""
    listing = LISTINGS["diary"]
    parsed = {k: listing.filter_map[k].parse(str(v)) for k, v in filters.items()}
    found: list[str] = []
    cursor = None
    for _ in range(200):
        page = registers.page(Query(listing, parsed, sort, order, limit, cursor), TODAY, actor)
        found += [item["dnr"] for item in page.items]
        assert len(page.items) <= limit
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor
    raise AssertionError("the pages never end")


def expected(made: list[Made], filters: dict[str, Any], sort: str, order: str,
             actor: Any = AUDITOR) -> list[str]:
    wanted = {w for w in filters.get("q", "").split()}
    rows = [m for m in made if wanted <= searchable(m, actor)
            and filters.get("status", m.status) == m.status
            and filters.get("body", m.body) == m.body
            and m.registered_on >= date.fromisoformat(filters.get("registered_from",
                                                                  "1900-01-01"))]
    key = {"registered": lambda m: (m.registered_on, m.order),
           "dnr": lambda m: (m.year, m.sequence, m.order)}[sort]
    return [m.dnr for m in sorted(rows, key=key, reverse=order == "desc")]


def searchable(m: Made, actor: Any) -> set[str]:
    """The words of ``m`` that ``actor`` matches (of WORDS and the public title's first)."""
    public = {PUBLIC_TITLE.split()[0].lower()} if m.secret else set()
    if actor is AUDITOR or (actor is HSN_REGISTRAR and m.body == "HSN"):
        return set(m.words) | public  # the full text: the title and the public title
    return public or set(m.words)  # the public text: the public title where there is one


COMBINATIONS = [
    {"q": "zebra"}, {"q": "kobolt"}, {"q": "tulpan"}, {"q": "zebra kobolt"},
    {"q": "zebra", "status": "closed"}, {"q": "tulpan", "body": "HSN"},
    {"q": "kobolt", "status": "open", "body": "RS"},
    {"q": "tulpan", "registered_from": "2020-01-20"},
    {"q": "saknas"},  # nothing matches
    {"q": "skyddat"},  # the public title: every reader
    {"q": "skyddat zebra", "status": "open"},  # with a secret word: readers with access only
]


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize("filters", COMBINATIONS)
@pytest.mark.parametrize(("sort", "order"), [
    ("registered", "desc"), ("registered", "asc"), ("dnr", "asc"), ("dnr", "desc"),
])
def test_search_filter_sort_and_cursor(store: Any, filters: dict[str, Any], sort: str,
                                       order: str) -> None:
    registers, made = store
    want = expected(made, filters, sort, order)
    assert walk(registers, filters, sort, order) == want
    assert walk(registers, filters, sort, order, limit=50) == want  # one page
    for reader in (None, HSN_REGISTRAR):  # no secret matches where it may not read them
        assert walk(registers, filters, sort, order, actor=reader) == expected(
            made, filters, sort, order, actor=reader)


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize("filters", COMBINATIONS[:5])
@pytest.mark.parametrize("order", ["desc", "asc"])
def test_every_sort_agrees_with_the_plain_query(
    store: Any, filters: dict[str, Any], order: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    registers, _ = store
    for sort in ("registered", "dnr", "last_activity"):
        fast = walk(registers, filters, sort, order, limit=4)
        with monkeypatch.context() as plain:
            plain.setattr(search, "ordered_page", lambda *a, **k: None)
            assert walk(registers, filters, sort, order, limit=4) == fast, sort


@pytest.mark.usefixtures("small_chunks")
def test_too_many_rows_out_of_order_fall_back_to_the_plain_query(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    registers, made = store
    monkeypatch.setattr(search, "MAX_STRAGGLERS", 0)
    filters = {"q": "tulpan"}
    assert walk(registers, filters, "registered", "desc") == expected(
        made, filters, "registered", "desc")


def test_the_rowid_order_plan_is_sqlite_only(store: Any) -> None:
    registers, _ = store
    table = registers.projector.projections["diary"].table("case", 1)
    with registers.engine.connect() as conn:
        answer = search.ordered_page(conn, table, "zebra", [], [table.c.id],
                                     [table.c.registered_on, table.c.id], True, 5)
        if registers.projector.dialect == "sqlite":
            assert answer is not None and len(answer) == 5
        else:
            assert answer is None
        assert search.ordered_page(conn, table, "!!", [], [table.c.id], [table.c.id],
                                   True, 5) is None


def _rename(registers: Registers, old: str, new: str) -> None:
    """A projection batch: rename ``old`` to ``new`` in the titles, case rows and full-text
    index together, in one transaction."""
    generation, _ = registers.projector.active_generation("diary")
    table = registers.projector.projections["diary"].table("case", generation)
    with registers.engine.begin() as conn:
        before = [r._asdict() for r in conn.execute(
            select(table.c.id, *(table.c[c] for c in search.INDEXED))
            .where(table.c.title.contains(old))
        )]
        rows = [{**row, "title": row["title"].replace(old, new)} for row in before]
        for row in rows:
            conn.execute(update(table).where(table.c.id == row["id"]).values(title=row["title"]))
        search.sync_search(conn, table, before, rows)


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize("order", ["desc", "asc"])
def test_a_page_reads_one_snapshot(store: Any, order: str) -> None:
    """A batch committed between the statements of one page (here: right after its first)
    is not seen by the rest of the page: on SQLite the page runs in one read transaction
    (the rowid-order plan takes several statements). PostgreSQL reads a page with one
    statement, consistent by itself (tests/test_read_path.py counts the statements)."""
    registers, _ = store
    if registers.projector.dialect != "sqlite":
        pytest.skip("PostgreSQL reads a full-text page with a single statement")
    query = Query(LISTINGS["diary"], {"q": "zebra"}, "registered", order, 6, None)
    before = registers.page(query, TODAY, AUDITOR).items
    assert len(before) == 6 and all("zebra" in i["title"] for i in before)
    engine = registers.engine
    seen: list[Any] = []

    def between(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if seen or "reg_case_g" not in statement:
            return
        dbapi = conn.connection.dbapi_connection
        seen.append((getattr(dbapi, "isolation_level", None), getattr(dbapi, "read_only", None)))
        _rename(registers, "zebra", "vaxholm")  # committed on another connection

    registers._pages.clear()  # _rename changes rows without moving the position, as a
    # real batch would: the page cache (keyed by position) would not notice
    event.listen(engine, "after_cursor_execute", between)
    try:
        during = registers.page(query, TODAY, AUDITOR).items
    finally:
        event.remove(engine, "after_cursor_execute", between)
        _rename(registers, "vaxholm", "zebra")
        registers._pages.clear()
    assert seen, "the page ran no statement"
    assert during == before  # not half of the batch: neither new titles nor other rows
    after = registers.page(query, TODAY, AUDITOR).items
    assert after == before
