"""Catch-up far behind the head: several batches per transaction, the projector's own
decoding of the notifications. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from diarium.cases.application import Diarium
from diarium.projections.runner import Projector
from diarium.projections.tables import tracking
from tests.bodies_support import diarium_with_bodies  # noqa: F401 (the fixture)
from tests.projections_support import filled, handled_events, snapshot

TODAY = date(2021, 3, 1)


@pytest.fixture
def store(diarium: Diarium) -> Diarium:
    return filled(diarium, 30, TODAY)


def test_the_projector_decodes_events_as_the_library_does(store: Diarium) -> None:
    projector = Projector(store, batch_size=10_000)
    topics = sorted({t for p in projector.projections.values() for t in p.topics()})
    with projector.engine.connect() as conn:
        rows = projector.reader.read(conn, 0, projector.head(), topics)
    library = store.recorder.select_notifications(0, 10_000, topics=topics)
    assert [r[0] for r in rows] == [n.id for n in library]
    decoded = projector.reader.decoder.decode(rows)
    for (_, event), notification in zip(decoded, library, strict=True):
        expected = store.mapper.to_domain_event(notification)
        assert type(event) is type(expected)
        assert event.__dict__ == expected.__dict__
        assert [type(v) for v in event.__dict__.values()] == [
            type(v) for v in expected.__dict__.values()
        ]


def test_a_state_the_fast_decoder_does_not_take_goes_through_the_mapper(store: Diarium) -> None:
    projector = Projector(store)
    topics = sorted({t for p in projector.projections.values() for t in p.topics()})
    with projector.engine.connect() as conn:
        row = projector.reader.read(conn, 0, projector.head(), topics)[0]
    spaced = (*row[:4], b" " + row[4] + b" ")  # the library's decoder skips the whitespace
    (_, event), = projector.reader.decoder.decode([spaced])
    (_, expected), = projector.reader.decoder.decode([row])
    assert type(event) is type(expected)
    assert event.__dict__ == expected.__dict__
    with pytest.raises(Exception, match=r"(?i)json|deserial|decode|expecting"):
        projector.reader.decoder.decode([(*row[:4], row[4] + b"{}")])


def test_a_catch_up_commits_several_batches_at_once_and_applies_each_event_once(
    store: Diarium, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = Projector(store, batch_size=13, commit_every=0)
    reference.catch_up()
    expected = snapshot(reference)

    for name in reference.projections:  # start again from nothing, with grouping
        generation, _ = reference.active_generation(name)
        with reference.engine.begin() as conn:
            reference.projections[name].drop(conn, generation)
    with reference.engine.begin() as conn:
        conn.execute(tracking.delete())
    projector = Projector(store, batch_size=13, commit_every=60)
    commits: list[int] = []
    original = projector._advance

    def counting(*args: Any, **kwargs: Any) -> Any:
        batch = original(*args, **kwargs)
        commits.append(batch.read)
        return batch

    monkeypatch.setattr(projector, "_advance", counting)
    projector.catch_up()
    assert max(commits) > 13  # several batches in one transaction while far behind
    assert snapshot(projector) == expected
    for name in projector.projections:
        (state,) = [s for s in projector.states() if s.name == name]
        assert state.position == projector.head()
        assert state.events == handled_events(projector, name)


def test_a_case_registered_before_the_batch_is_folded_from_its_events_in_the_log(
    diarium: Diarium,
) -> None:
    """The decisions and deadlines projections keep no table of cases: a case registered
    in an earlier batch is folded from its events in the log. One event per batch gives the
    same rows as the whole log in one batch, and the rows copy the case as it was then."""
    from diarium.domain.case.documents import RegisterDocument
    from diarium.domain.case.incoming_referrals import ReceiveIncomingReferral
    from diarium.domain.case.lifecycle import AssignOfficer, RegisterCase
    from diarium.domain.case.secrecy import MarkDocumentSecret, MarkSecret
    from diarium.domain.case.terms import Direction
    from tests.projections_support import ACTOR, decide

    diarium.today = lambda: TODAY
    dnr = diarium.register_case(RegisterCase(
        title="Förstudie av samlokalisering", responsible_body="RS",
        registered_on=date(2021, 1, 4), officer="Anna",
    ), ACTOR).dnr
    diarium.handle(
        RegisterDocument(
            dnr, Direction.INCOMING, date(2021, 1, 5), "Remiss", counterpart="Skyddad Avsändare"
        ),
        ACTOR,
    )
    diarium.handle(AssignOfficer(dnr, "Bo", date(2021, 1, 6)), ACTOR)
    diarium.handle(MarkDocumentSecret(dnr, 1, "OSL 21:3", "RS", fields=["counterpart"]), ACTOR)
    diarium.handle(
        ReceiveIncomingReferral(
            dnr,
            "Skyddad Avsändare",
            answer_by=date(2021, 2, 1),
            document_number=1,
        ),
        ACTOR,
    )
    diarium.handle(MarkSecret(dnr, "OSL 21:3", "RS", fields=["decisions"]), ACTOR)
    decide(diarium, dnr, "Beslutar enligt förslaget.", date(2021, 1, 8),
           delegate="Regiondirektören", delegation_point="2.3.8")

    one_by_one = Projector(diarium, ["decisions", "deadlines"], batch_size=1, commit_every=0)
    histories: list[int] = []
    original = one_by_one.reader.history
    one_by_one.reader.history = lambda *a: histories.append(1) or original(*a)  # type: ignore
    one_by_one.catch_up()
    assert histories  # the later events' batches folded the case from the log
    rows = snapshot(one_by_one)
    (referral,) = rows["deadlines.referral"]
    (decision,) = rows["decisions.decision"]
    columns = one_by_one.projections["deadlines"].table("referral", 1).c.keys()
    referral = dict(zip(columns, referral, strict=True))
    assert (referral["officer"], referral["sender_secret"]) == ("Bo", True)
    columns = one_by_one.projections["decisions"].table("decision", 1).c.keys()
    decision = dict(zip(columns, decision, strict=True))
    assert (decision["officer"], decision["secret_text"]) == ("Bo", True)

    for name in ("decisions", "deadlines"):
        one_by_one.rebuild(name, grace=0)  # the whole log in one batch
    rebuilt = snapshot(one_by_one)
    for table in ("deadlines.referral", "deadlines.deadline", "decisions.decision"):
        assert rebuilt[table] == rows[table]


def test_a_bulk_catch_up_closes_the_connections_whose_page_cache_it_filled(
    store: Diarium,
) -> None:
    """Far behind the head the projector's SQLite connection keeps up to 1 GiB of pages.
    Leaving bulk mode, and after the index builds of a bulk build, it closes the connections
    it used, so that memory is freed at once rather than left as holes in the heap."""
    import sqlite3

    from diarium.domain.case.lifecycle import RegisterCase
    from tests.projections_support import ACTOR

    projector = Projector(store, batch_size=13, commit_every=60)
    if projector.connections.writer() is projector.engine:
        pytest.skip("PostgreSQL: the batches use the application's connections")
    used_in_bulk: list[sqlite3.Connection] = []
    original = projector.applier.batch

    def noting(conn: Any, held: Any) -> Any:
        batch = original(conn, held)
        if projector._far_behind:  # set by the transaction's first batch
            used_in_bulk.append(conn.connection.dbapi_connection)
        return batch

    projector.applier.batch = noting  # type: ignore[method-assign]
    builds = projector.connections.index_builds

    @contextlib.contextmanager
    def noting_builds() -> Iterator[Any]:  # every index build here follows a bulk build
        with builds() as conn:
            used_in_bulk.append(conn.connection.dbapi_connection)
            yield conn

    projector.connections.index_builds = noting_builds  # type: ignore[method-assign]

    def closed(connection: sqlite3.Connection) -> bool:
        try:
            connection.execute("SELECT 1")
        except sqlite3.ProgrammingError:
            return True
        return False

    projector.catch_up()  # from 0: bulk, then the index builds
    assert used_in_bulk and all(closed(c) for c in used_in_bulk)
    assert all(s.position == projector.head() for s in projector.states())

    used_in_bulk.clear()
    for i in range(80):  # far behind again, with the indexes already built
        store.register_case(RegisterCase(
            title=f"Ärende {i}", responsible_body="RS", registered_on=date(2021, 1, 4),
        ), ACTOR)
    projector.catch_up()
    assert used_in_bulk and all(closed(c) for c in used_in_bulk)
    assert all(s.position == projector.head() for s in projector.states())


def test_a_catch_up_collects_garbage_rarely_and_restores_the_collector(store: Diarium) -> None:
    import gc

    from diarium.projections.connections import BULK_GC_THRESHOLD, rare_collections

    before = gc.get_threshold()
    projector = Projector(store, batch_size=13)
    seen: list[int] = []
    original = projector.applier.batch
    projector.applier.batch = lambda *a: seen.append(gc.get_threshold()[0]) or original(*a)  # type: ignore
    projector.catch_up()
    assert seen and all(t >= BULK_GC_THRESHOLD for t in seen)
    assert gc.get_threshold() == before

    with rare_collections():  # nested (another thread's catch-up): the last one out restores
        with rare_collections():
            assert gc.get_threshold()[0] >= BULK_GC_THRESHOLD
        assert gc.get_threshold()[0] >= BULK_GC_THRESHOLD
    assert gc.get_threshold() == before


def test_an_event_of_a_case_the_log_never_registered_is_refused() -> None:
    """The log registers a case before anything happens to it; a batch whose event names a
    case with no registration in the log fails (and rolls back) instead of inventing one."""
    from types import SimpleNamespace
    from uuid import uuid4

    from diarium.projections.batch import UnitOfWork
    from diarium.projections.registers.deadlines import DeadlineCases
    from diarium.projections.registers.decisions import DecisionCases

    read: list[list[Any]] = []
    uow = UnitOfWork(None, {}, lambda ids, topics: read.append(list(ids)) or [])  # type: ignore[arg-type]
    event = SimpleNamespace(originator_id=uuid4())
    with pytest.raises(LookupError, match="unregistered case"):
        DecisionCases.require(uow, event)
    with pytest.raises(LookupError, match="unregistered case"):
        DeadlineCases.apply(uow, event)
    assert read == [[event.originator_id]]  # looked up in the log once, then known missing
    assert event.originator_id not in uow.cases
