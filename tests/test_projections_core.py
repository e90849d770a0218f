"""Projections: exactly-once under failure and kill, rebuild equivalence, two cooperating
workers, read-your-writes. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import date
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy import inspect

from diarium.cases.application import Diarium
from diarium.domain.case.lifecycle import RegisterCase
from diarium.projections.registers.diary import DiaryProjection
from diarium.projections.runner import Projector
from diarium.web import create_app
from tests.bodies_support import diarium_with_bodies  # noqa: F401 (the fixture)
from tests.projections_support import ACTOR, authorized, filled, handled_events, snapshot

TODAY = date(2021, 3, 1)


@pytest.fixture
def store(diarium: Diarium) -> Diarium:
    return filled(diarium, 40, TODAY)


def rebuilt(projector: Projector) -> dict[str, Any]:
    for name in projector.projections:
        projector.rebuild(name, grace=0)
    return snapshot(projector)


def test_failure_mid_batch_rolls_back_rows_and_position_together(
    store: Diarium, monkeypatch: pytest.MonkeyPatch
) -> None:
    projector = Projector(store, batch_size=25)
    projector.catch_up(max_batches=2)
    before = snapshot(projector)
    assert 0 < before["diary.position"] < projector.head()

    calls = {"n": 0}
    original = DiaryProjection.handlers[next(
        c for c in DiaryProjection.handlers if c.__name__ == "DocumentRegistered"
    )]

    def failing(self: Any, uow: Any, event: Any, position: int) -> None:
        calls["n"] += 1
        if calls["n"] == 2:  # the second document of the batch: rows half written
            # the store failing (not the event: that is recorded and skipped, see
            # tests/test_projection_failures.py)
            raise sqlalchemy.exc.OperationalError("INSERT", {}, OSError("disk I/O error"))
        original(self, uow, event, position)

    monkeypatch.setitem(DiaryProjection.handlers, type(next(
        e for e in store.case_history(store.get_case("2-2020").dnr)
        if type(e).__name__ == "DocumentRegistered"
    )), failing)
    with pytest.raises(Exception, match="disk I/O error"):  # wrapped by the library on PostgreSQL
        projector.catch_up()
    assert snapshot(projector) == before  # nothing of the failed batch, in any projection

    monkeypatch.undo()
    projector.catch_up()
    after = snapshot(projector)
    assert after["diary.position"] == projector.head()
    for name in projector.projections:
        (state,) = [s for s in projector.states() if s.name == name]
        assert state.events == handled_events(projector, name)  # each event applied once
    assert rebuilt(projector) == after


def test_killed_worker_loses_and_repeats_nothing(store: Diarium, database_url: str) -> None:
    Projector(store).ensure_schema()
    script = textwrap.dedent(f"""
        import os, signal
        from diarium.cases.application import Diarium
        from diarium.projections import batch
        from diarium.projections.runner import Projector
        flushes = {{"n": 0}}
        flush = batch.UnitOfWork.flush
        def flush_then_die(self):
            written = flush(self)
            flushes["n"] += 1
            if flushes["n"] == 7:  # rows written, transaction not committed
                os.kill(os.getpid(), signal.SIGKILL)
            return written
        batch.UnitOfWork.flush = flush_then_die
        Projector(Diarium({database_url!r}), batch_size=20).catch_up()
    """)
    worker = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
        cwd=os.getcwd(),
    )
    assert worker.returncode == -signal.SIGKILL, worker.stderr
    projector = Projector(store, batch_size=20)
    positions = {s.name: s.position for s in projector.states()}
    assert 0 < min(positions.values()) < projector.head()  # it died half-way

    projector.catch_up()
    after = snapshot(projector)
    for name in projector.projections:
        (state,) = [s for s in projector.states() if s.name == name]
        assert state.position == projector.head()
        assert state.events == handled_events(projector, name)
    assert rebuilt(projector) == after


def test_rebuild_gives_identical_tables_and_swaps_generations(store: Diarium) -> None:
    projector = Projector(store, batch_size=33)
    projector.catch_up()
    live = snapshot(projector)
    tables_before = set(inspect(projector.engine).get_table_names())
    assert rebuilt(projector) == live
    assert {s.generation for s in projector.states()} == {2}
    tables_after = set(inspect(projector.engine).get_table_names())
    assert not any(t.endswith("_g1") or "_g1_" in t for t in tables_after)
    assert any(t.endswith("_g1") for t in tables_before)


def test_rebuild_while_writes_continue_misses_nothing(store: Diarium) -> None:
    projector = Projector(store, batch_size=10)
    projector.catch_up()
    original = projector._advance
    written = []

    def advance_and_write(*args: Any, **kwargs: Any) -> Any:
        if len(written) < 3:  # writes land while the new generation is being built
            written.append(store.register_case(
                RegisterCase(title="Under ombyggnad", responsible_body="RS",
                                 registered_on=TODAY), ACTOR,
            ).position)
        return original(*args, **kwargs)

    projector._advance = advance_and_write  # type: ignore[method-assign]
    projector.rebuild("diary", grace=0)
    projector._advance = original  # type: ignore[method-assign]
    _generation, position = projector.active_generation("diary")
    assert position >= max(written)
    projector.catch_up()
    assert rebuilt(projector) == snapshot(projector)


def test_two_workers_cooperate_without_duplicates(store: Diarium, database_url: str) -> None:
    workers = [Projector(Diarium(database_url), batch_size=7) for _ in range(2)]
    workers[0].ensure_schema()
    threads = [threading.Thread(target=w.run_forever, args=(0.01,)) for w in workers]
    for thread in threads:
        thread.start()
    try:
        for i in range(30):  # writes keep coming while both follow
            store.register_case(RegisterCase(
                title=f"Parallellt ärende {i}", responsible_body="RS", registered_on=TODAY,
            ), ACTOR)
        deadline = time.monotonic() + 60
        head = workers[0].head()
        while any(s.position < head for s in workers[0].states()):
            assert time.monotonic() < deadline, workers[0].status()
            time.sleep(0.05)
    finally:
        for worker in workers:
            worker.stop()
    assert all(w.last_error is None for w in workers)
    projector = Projector(store)
    for name in projector.projections:
        (state,) = [s for s in projector.states() if s.name == name]
        assert state.events == handled_events(projector, name)
    live = snapshot(projector)
    assert len(live["diary.case"]) == 70
    assert rebuilt(projector) == live


def test_read_your_writes_with_the_embedded_projector(diarium: Diarium) -> None:
    app = create_app(diarium, DIARIUM_INPROCESS_PROJECTIONS="on",
                     DIARIUM_PROJECTION_POLL_SECONDS="5")
    client = authorized(app)
    try:
        written = client.post("/api/cases", json={
            "title": "Förstudie av fysisk samlokalisering av verksamheter i Luleåområdet",
            "responsible_body": "RS", "registered_on": "2020-09-22",
        }).get_json()
        # the poll interval is 5 s: only the wake-up from min_position makes this quick
        page = client.get(
            f"/api/registers/diary?q=samlokalisering&min_position={written['position']}"
        )
        body = page.get_json()
        assert body["consistency"]["reached"] is True
        assert body["consistency"]["position"] >= written["position"]
        assert [i["dnr"] for i in body["items"]] == [written["dnr"]]
        assert int(page.headers["X-Diarium-Position"]) >= written["position"]
        health = client.get("/healthz").get_json()
        assert {p["name"] for p in health["projections"]} == {"diary", "decisions", "deadlines"}
    finally:
        app.extensions["diarium_projector"].stop()


def test_a_lagging_register_says_how_far_behind_it_is(diarium: Diarium) -> None:
    client = authorized(create_app(diarium, DIARIUM_READ_WAIT_SECONDS="0.2"))
    written = client.post("/api/cases", json={"title": "Ärende", "responsible_body": "RS"})
    position = written.get_json()["position"]
    page = client.get(f"/api/registers/diary?min_position={position}")
    assert page.status_code == 200
    assert page.headers["X-Diarium-Consistency"] == "stale"
    body = page.get_json()
    assert body["consistency"]["reached"] is False
    assert body["consistency"]["lag"] == position - body["consistency"]["position"] > 0
    assert body["items"] == []
    status = client.get("/api/registers/status").get_json()
    assert all(s["lag"] == position for s in status)


def _indexes(projector: Projector) -> tuple[set[str], set[str]]:
    """(indexes the active generations define, indexes the database has)."""
    wanted, present = set(), set()
    inspector = inspect(projector.engine)
    for name, projection in projector.projections.items():
        generation, _ = projector.active_generation(name)
        for spec in projection.specs(generation).values():
            wanted |= {i.name for i in spec.table.indexes}
            present |= {i["name"] for i in inspector.get_indexes(spec.table.name)}
    return wanted, present


def test_a_generation_built_from_zero_gets_its_indexes_when_caught_up(store: Diarium) -> None:
    """Built from position 0 without secondary indexes (cheaper), they exist once at the head;
    a rebuilt generation has them before it is swapped in."""
    projector = Projector(store, batch_size=25)
    projector.catch_up(max_batches=1)
    wanted, present = _indexes(projector)
    assert wanted - present  # still building: only the batches' own lookup indexes
    projector.catch_up()
    wanted, present = _indexes(projector)
    assert wanted <= present
    projector.rebuild("diary", grace=0)
    wanted, present = _indexes(projector)
    assert wanted <= present
