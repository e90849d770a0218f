"""The read path (cases/store/reads.py): the aggregate cache never serves a stale case after a
write by another process or connection, the fastforward query is skipped only when nothing
was committed, and the Core event reads return what the library's ORM query returns."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy import event
from sqlalchemy.engine import Engine

from diarium.cases.application import Diarium
from diarium.cases.store.reads import SQLiteDataVersion
from diarium.domain.actor import Actor
from diarium.domain.case.documents import RegisterDocument
from diarium.domain.case.lifecycle import RegisterCase
from diarium.domain.case.terms import Direction
from diarium.domain.dnr import case_id
from diarium.projections.listings import LISTINGS
from diarium.projections.queries import Query, Registers
from diarium.projections.runner import Projector
from diarium.web import create_app
from diarium.web.token_cache import cache_tokens
from tests.bodies_support import diarium_with_bodies  # noqa: F401 (the fixture)

BY = Actor("reader-test")


def _register(diarium: Diarium, title: str = "Läsning") -> str:
    return diarium.register_case(
        RegisterCase(title=title, responsible_body="RS", registered_on=date(2020, 6, 1)),
        BY,
    ).dnr


def _document(diarium: Diarium, dnr: str, text: str) -> int:
    return diarium.handle(RegisterDocument(dnr, Direction.INCOMING, date(2020, 6, 2), text), BY
    ).version


def _writer(url: str, dnr: str, pipe: Any) -> None:
    """Another process (as another gunicorn worker): one document per request on the pipe,
    answering with the case's version once the write is committed."""
    diarium = Diarium(url)
    while (text := pipe.recv()) is not None:
        pipe.send(_document(diarium, dnr, text))


def _counting(diarium: Diarium) -> list[int]:
    """Count the fastforward queries (``select_events``) ``diarium`` makes from now on."""
    calls: list[int] = []
    recorder = diarium.recorder
    original = recorder.select_events

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    recorder.select_events = counted  # type: ignore[method-assign]
    return calls


def test_a_write_by_another_process_is_seen_by_the_next_read(
    diarium: Diarium, database_url: str
) -> None:
    reader = Diarium(database_url)
    dnr = _register(diarium)
    assert reader.view_case(dnr).version == 1
    assert reader.view_case(dnr).version == 1  # cached (SQLite: no query at all)
    ours, theirs = multiprocessing.get_context("spawn").Pipe()
    process = multiprocessing.get_context("spawn").Process(
        target=_writer, args=(database_url, dnr, theirs)
    )
    process.start()
    try:
        for n in range(1, 6):
            ours.send(f"Skrivelse {n}")
            assert ours.poll(60), "the writer process did not answer"
            written = ours.recv()
            case = reader.view_case(dnr)  # at once, no waiting: read-your-writes
            assert case.version == written == 1 + n
            assert [d.description for d in case.documents][-1] == f"Skrivelse {n}"
            assert reader.get_case(dnr).version == written  # the commands' path too
    finally:
        ours.send(None)
        process.join(30)
        reader.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
    assert process.exitcode == 0


def test_a_write_through_another_connection_is_seen_and_an_idle_read_skips_the_query(
    diarium: Diarium, database_url: str
) -> None:
    reader = Diarium(database_url)
    dnr = _register(diarium)
    reader.view_case(dnr)
    calls = _counting(reader)
    for _ in range(3):
        assert reader.view_case(dnr).version == 1
    sqlite = database_url.startswith("sqlite")
    assert len(calls) == (0 if sqlite else 3)  # PostgreSQL: one exact query per read
    version = _document(diarium, dnr, "Från en annan anslutning")
    assert reader.view_case(dnr).version == version == 2
    assert len(calls) == (1 if sqlite else 4)
    # the reader's own write: also seen, by views and by commands
    assert _document(reader, dnr, "Egen skrivelse") == 3
    assert reader.view_case(dnr).version == 3
    assert len(reader.get_case(dnr).documents) == 2
    reader.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]


def test_a_write_to_another_case_or_table_costs_one_query_not_staleness(
    diarium: Diarium, database_url: str
) -> None:
    reader = Diarium(database_url)
    one, two = _register(diarium, "Ett"), _register(diarium, "Två")
    reader.view_case(one)
    reader.view_case(two)
    _document(diarium, two, "Bara till två")
    assert reader.view_case(one).version == 1
    assert reader.view_case(two).version == 2
    reader.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]


def test_a_case_handed_out_from_the_cache_never_changes_afterwards(
    diarium: Diarium, database_url: str
) -> None:
    """Copy on write: request threads of one gthread worker share cached cases, so bringing
    one up to date must not change the object another thread is reading."""
    reader = Diarium(database_url)
    dnr = _register(diarium)
    first = reader.view_case(dnr)
    assert reader.view_case(dnr) is first  # from the cache
    _document(diarium, dnr, "Efter den första läsningen")
    second = reader.view_case(dnr)
    assert second is not first and second.version == 2 and len(second.documents) == 1
    assert first.version == 1 and first.documents == []  # left as it was handed out
    assert reader.view_case(dnr) is second  # the copy took its place in the cache
    reader.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]


def test_history_reads_are_not_served_from_the_cache(diarium: Diarium) -> None:
    dnr = _register(diarium)
    _document(diarium, dnr, "Första")
    diarium.view_case(dnr)
    assert diarium.get_case(dnr, version=1).version == 1
    assert diarium.view_case(dnr).version == 2


# -- Core select_events == the library's ORM select_events --------------------------------------


def _library_select(recorder: Any, *args: Any, **kwargs: Any) -> list[StoredEvent]:
    return SQLAlchemyApplicationRecorder.select_events(recorder, *args, **kwargs)


def test_core_select_events_returns_what_the_library_returns(diarium: Diarium) -> None:
    dnr = _register(diarium)
    for n in range(4):
        _document(diarium, dnr, f"Skrivelse {n}")
    recorder: Any = diarium.recorder
    aggregate = case_id(dnr)
    shapes = [
        {}, {"gt": 2}, {"lte": 3}, {"gt": 1, "lte": 4}, {"desc": True}, {"limit": 1},
        {"desc": True, "limit": 2}, {"gt": 5}, {"gt": 0, "lte": 5, "desc": True, "limit": 3},
    ]
    for shape in shapes:
        for originator in (aggregate, str(aggregate)):
            core = recorder.select_events(originator, **shape)
            assert core == _library_select(recorder, aggregate, **shape), shape
            assert all(isinstance(e.state, bytes) for e in core)
    assert recorder.select_events(uuid4()) == []
    assert len(recorder.select_events(aggregate)) == 5
    assert recorder.max_notification_id() == (
        SQLAlchemyApplicationRecorder.max_notification_id(recorder)
    ) == recorder.select_notifications(1, 1000)[-1].id
    # inside a transaction the library opened, in that transaction (sees its own insert)
    with recorder.transaction(commit=False) as session:
        extra = StoredEvent(aggregate, 6, "x:y", b"{}")
        recorder._insert_stored_events(session, [extra])
        assert recorder.select_events(aggregate, gt=5) == [extra]
        assert recorder.max_notification_id() == SQLAlchemyApplicationRecorder.max_notification_id(
            recorder
        )
    assert recorder.select_events(aggregate, gt=5) == []  # rolled back


def test_snapshots_are_read_with_core_too(diarium: Diarium) -> None:
    for _ in range(3):
        _register(diarium)
    snapshots: Any = diarium.snapshots
    if snapshots is None:
        pytest.skip("no snapshot store")
    assert type(snapshots.recorder).__name__ == "DiariumAggregateRecorder"


# -- statements per request, and the register query across a rebuild's swap ---------------------


@contextmanager
def _statements() -> Iterator[list[str]]:
    """Every SQL statement any engine of this process executes meanwhile."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def _client(diarium: Diarium, bearer: Any) -> Any:
    app = create_app(diarium)
    cache_tokens(app)  # as web.wsgi does
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = bearer()["Authorization"]
    return client


def test_a_case_read_and_a_register_query_cost_what_they_should(
    diarium: Diarium, bearer: Any
) -> None:
    client = _client(diarium, bearer)
    dnr = _register(diarium)
    Projector(diarium).catch_up()
    assert client.get(f"/api/cases/{dnr}").status_code == 200  # token verified, case cached
    assert client.get("/api/registers/diary?limit=50").status_code == 200
    with _statements() as seen:
        assert client.get(f"/api/cases/{dnr}").get_json()["version"] == 1
    sqlite = diarium.recorder.datastore.engine.dialect.name == "sqlite"  # type: ignore[attr-defined]
    assert len(seen) == (0 if sqlite else 1), seen
    with _statements() as seen:
        body = client.get("/api/registers/diary?limit=50").get_json()
    assert len(seen) == 1, seen  # the state (generation, position, head); the page is cached
    assert [i["dnr"] for i in body["items"]] == [dnr]
    assert body["consistency"]["position"] == body["consistency"]["head"] > 0
    other = _register(diarium, "Nytt")
    Projector(diarium).catch_up()  # the position moves: the cached page is not that page
    with _statements() as seen:
        body = client.get("/api/registers/diary?limit=50").get_json()
    assert len(seen) == 2, seen  # the state and the page
    assert [i["dnr"] for i in body["items"]] == [other, dnr]
    assert body["consistency"]["position"] == body["consistency"]["head"]


def test_cached_pages_are_per_reader_access_and_withheld_per_request(
    diarium: Diarium,
) -> None:
    """A page cached for a reader with a secret-reading role is not served to one without,
    and withholding runs on every request (the cached rows stay whole)."""
    diarium.register_case(RegisterCase(
        title="Hemlig titel om vattenskydd", public_title="Ärende med sekretess",
        responsible_body="RS", registered_on=date(2020, 6, 1)), BY)
    projector = Projector(diarium)
    projector.catch_up()
    registers = Registers(projector)
    query = Query(LISTINGS["diary"], {}, "registered", "desc", 50, None)
    secretary, registrar = Actor("s", roles=("secretary",)), Actor("r", roles=("registrar",))
    for _ in range(2):  # the second round is served from the cache
        assert registers.page(query, date.today(), registrar).items[0]["title"] == (
            "Hemlig titel om vattenskydd")
        assert "vattenskydd" not in str(registers.page(query, date.today(), secretary).items)


def test_a_rebuild_swapped_in_by_another_process_is_followed(
    diarium: Diarium, database_url: str, bearer: Any
) -> None:
    client = _client(diarium, bearer)
    dnrs = [_register(diarium, f"Ärende {n}") for n in range(3)]
    projector = Projector(diarium)
    projector.catch_up()
    registers = Registers(projector)
    generation, position, head = registers.state("diary")
    assert (generation, position) == (1, head)
    before = client.get("/api/registers/diary").get_json()
    assert sorted(i["dnr"] for i in before["items"]) == sorted(dnrs)

    other = Diarium(database_url)  # as another process: its own engine and projector
    Projector(other).rebuild("diary", grace=0)  # swaps in generation 2, drops generation 1
    other.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]

    assert registers.state("diary")[0] == 2
    listing = LISTINGS["diary"]
    stale = registers.page(  # the state read before the swap: its tables are gone
        Query(listing, {}, "registered", "desc", 50, None), date.today(), None,
        (generation, position),
    )
    assert sorted(i["dnr"] for i in stale.items) == sorted(dnrs)
    after = client.get("/api/registers/diary").get_json()
    assert after["items"] == before["items"]
    assert after["consistency"]["position"] == position


def test_the_sqlite_token_follows_commits_and_a_replaced_file(tmp_path: Any) -> None:
    path = tmp_path / "watched.sqlite"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("CREATE TABLE t (x)")
    watch = SQLiteDataVersion(str(path))
    first = watch.token()
    assert first is not None and watch.token() == first  # nothing committed
    writer.execute("INSERT INTO t VALUES (1)")
    second = watch.token()
    assert second != first
    writer.close()
    os.replace(path, tmp_path / "old.sqlite")
    sqlite3.connect(path).close()  # a new file under the same name
    assert watch.token() not in (None, second)
    os.remove(path)
    assert watch.token() is None  # cannot tell: the repository asks the store
