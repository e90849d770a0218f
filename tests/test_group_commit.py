"""Group commit of registrations (cases/store/group_commit.py, Diarium.register_case): many request
threads of one process, and several processes, registering at once on real stores."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from diarium.cases.application import Diarium
from diarium.cases.store.allocation_lock import AllocationLock
from diarium.cases.store.group_commit import GroupCommit
from diarium.cases.tokens import TokenStore
from diarium.domain.actor import Actor
from diarium.domain.case.lifecycle import RegisterCase
from diarium.domain.dnr import DEFAULT_SERIES
from diarium.domain.rules import RuleViolation
from diarium.web import create_app
from tests.bodies_support import diarium_with_bodies, establish_bodies  # noqa: F401 (the fixture)

TODAY = date(2020, 6, 1)
KEY = (DEFAULT_SERIES, 2020)


@pytest.fixture
def service(database_url: str) -> Iterator[Diarium]:
    """The application service on an empty store, where today is 1 June 2020 (so a
    registration dated later in 2020 breaks a rule yet belongs to the same series-year)."""
    app = establish_bodies(Diarium(database_url, create_tables=True, today=lambda: TODAY))
    yield app
    app.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]


def _command(title: str, registered_on: date = date(2020, 5, 1)) -> RegisterCase:
    return RegisterCase(title=title, responsible_body="RS", registered_on=registered_on)


def _sequences(dnrs: list[str]) -> list[int]:
    return sorted(int(d.split("-")[0]) for d in dnrs)


def _until(condition: Callable[[], bool]) -> None:
    """Wait (on a condition, never on a clock) until ``condition`` holds; a generous bound
    only keeps a broken build from hanging the run."""
    done = threading.Event()
    for _ in range(60_000):
        if condition():
            return
        done.wait(0.001)
    pytest.fail("condition never held")


def _queued(service: Diarium) -> int:
    with service._registrations._condition:
        return len(service._registrations._queues.get(KEY, []))


def test_many_threads_get_unique_gapless_numbers(service: Diarium) -> None:
    threads, each = 16, 10

    def register(worker: int) -> list[str]:
        return [service.register_case(_command(f"Ärende {worker}/{i}"), Actor(f"t{worker}")).dnr
                for i in range(each)]

    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(register, range(threads)))
    dnrs = [d for result in results for d in result]
    assert _sequences(dnrs) == list(range(1, threads * each + 1))
    for worker, result in enumerate(results):  # each registration got its own case back
        assert [service.get_case(d).title for d in result] == [
            f"Ärende {worker}/{i}" for i in range(each)
        ]
        assert [service.get_case(d).registered_by for d in result] == [f"t{worker}"] * each
    counter = service._series_year(DEFAULT_SERIES, 2020, TODAY, Actor("x"))
    assert counter.last_sequence == threads * each
    assert service._registrations.written == threads * each


def test_a_batch_commits_once_and_a_broken_rule_fails_alone(service: Diarium) -> None:
    """All registrations queue behind a held allocation, then go in one batch: the one dated
    in the future fails with its rule and takes no number; the others are numbered 1..n."""
    commands = [_command(f"Ärende {i}") for i in range(7)]
    commands.insert(3, _command("Framtida", registered_on=date(2020, 12, 1)))
    with ThreadPoolExecutor(len(commands)) as pool:
        with service._allocation.hold(*KEY):  # the leader waits here with the batch queued
            futures = [pool.submit(service.register_case, c, Actor("registrator"))
                       for c in commands]
            _until(lambda: _queued(service) == len(commands))
        outcomes = [f.exception() or f.result() for f in futures]
    assert service._registrations.batches == 1
    refused = outcomes.pop(3)
    assert isinstance(refused, RuleViolation)
    assert refused.rule.code == "no-future-date"
    assert [o.dnr for o in outcomes] == [f"{n}-2020" for n in range(1, 8)]  # queue order
    assert [service.get_case(o.dnr).title for o in outcomes] == [f"Ärende {i}" for i in range(7)]
    positions = [o.position for o in outcomes]
    assert len(set(positions)) == len(positions)  # each its own place in the log
    assert service.register_case(_command("Nästa"), Actor("registrator")).dnr == "8-2020"


def test_a_failing_commit_fails_its_whole_batch_and_nothing_is_left_queued() -> None:
    calls: list[list[int]] = []

    def commit(key: str, take: Callable[[], list[int]]) -> list[object]:
        items = take()
        assert take() is not items and take() == items  # the same batch, however often
        calls.append(items)
        if 13 in items:
            raise OSError("store gone")
        return [ValueError(i) if i % 2 else i * 10 for i in items]

    group: GroupCommit[str, int, int] = GroupCommit(commit)
    assert group.submit("k", 4) == 40
    with pytest.raises(ValueError, match="3"):
        group.submit("k", 3)
    with pytest.raises(OSError, match="store gone"):
        group.submit("k", 13)
    assert group.submit("k", 8) == 80  # the failed batch left nothing behind
    assert calls == [[4], [3], [13], [8]]


def test_a_commit_that_fails_before_taking_fails_the_batch_it_would_have_taken() -> None:
    def commit(key: str, take: Callable[[], list[int]]) -> list[int]:
        raise OSError("no lock")

    group: GroupCommit[str, int, int] = GroupCommit(commit)
    with pytest.raises(OSError, match="no lock"):
        group.submit("k", 1)
    assert group._queues == {}
    with pytest.raises(RuntimeError, match="outcomes"):  # nor may it forget to take it
        GroupCommit(lambda key, take: []).submit("k", 2)


def test_each_answer_is_committed_when_it_is_given(
    service: Diarium, database_url: str
) -> None:
    """Through HTTP, from many threads: every 201 names a case that another service on the
    store (no shared cache or connection) can already read; the invalid bodies fail alone."""
    app = create_app(service)
    token, _ = TokenStore.for_application(service).issue(
        name="registrar", roles=["registrar"], by="test"
    )
    headers = {"Authorization": f"Bearer {token}"}
    reader = Diarium(database_url, today=lambda: TODAY)
    unread: list[str] = []

    def post(i: int) -> tuple[int, str | None]:
        body = {"title": f"Ärende {i}", "responsible_body": "RS", "registered_on": "2020-05-01"}
        if i % 10 == 3:
            body["registered_on"] = "2020-12-01"  # a future date: 409, no number
        if i % 10 == 7:
            body["title"] = ""  # invalid: 422
        response = app.test_client().post("/api/cases", json=body, headers=headers)
        if response.status_code != 201:
            return response.status_code, response.get_json().get("rule")
        dnr = response.get_json()["dnr"]
        try:
            reader.view_case(dnr)
        except LookupError:
            unread.append(dnr)
        return 201, dnr

    with ThreadPoolExecutor(12) as pool:
        outcomes = list(pool.map(post, range(60)))
    reader.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
    assert unread == []
    assert [o for i, o in enumerate(outcomes) if i % 10 == 3] == [(409, "no-future-date")] * 6
    assert [o[0] for i, o in enumerate(outcomes) if i % 10 == 7] == [422] * 6
    dnrs = [dnr for status, dnr in outcomes if status == 201]
    assert _sequences(dnrs) == list(range(1, 49))  # type: ignore[arg-type]


def _register_in_threads(url: str, worker: int, threads: int, each: int) -> list[str]:
    service = Diarium(url, today=lambda: TODAY)

    def register(thread: int) -> list[str]:
        by = Actor(f"p{worker}t{thread}")
        return [service.register_case(_command(f"{worker}/{thread}/{i}"), by).dnr
                for i in range(each)]

    with ThreadPoolExecutor(threads) as pool:
        return [d for result in pool.map(register, range(threads)) for d in result]


def test_processes_of_threads_get_unique_gapless_numbers(
    service: Diarium, database_url: str
) -> None:
    processes, threads, each = 3, 4, 6
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        results = pool.starmap(
            _register_in_threads,
            [(database_url, worker, threads, each) for worker in range(processes)],
        )
    dnrs = [d for result in results for d in result]
    assert len(set(dnrs)) == len(dnrs)
    assert _sequences(dnrs) == list(range(1, processes * threads * each + 1))
    assert sorted(service.get_case(d).title for d in dnrs) == sorted(
        f"{w}/{t}/{i}" for w in range(processes) for t in range(threads) for i in range(each)
    )


def _try_flock(path: str) -> bool:
    """Whether another process could take the lock file right now."""
    descriptor = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(descriptor)
    return True


def test_sqlite_allocation_lock_is_not_released_by_a_neighbouring_series_year(
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    """``flock`` belongs to an open file description: with one descriptor per process, a
    thread allocating in another series-year would "take" the held lock at once and then
    release it under its neighbour, letting other processes in."""
    service = establish_bodies(Diarium(f"sqlite:///{tmp_path / 'd.sqlite'}", create_tables=True))
    lock: AllocationLock = service._allocation
    path = f"{tmp_path / 'd.sqlite'}.dnr-lock"
    neighbour_inside = threading.Event()
    released_by_neighbour: list[bool] = []

    def neighbour() -> None:
        with lock.hold("default", 2021):
            neighbour_inside.set()
        released_by_neighbour.append(True)

    with multiprocessing.get_context("spawn").Pool(1) as other:
        with lock.hold("default", 2020):
            thread = threading.Thread(target=neighbour)
            thread.start()
            neighbour_inside.wait(2)  # with one shared descriptor it is inside at once
            held_throughout = not neighbour_inside.is_set() and not released_by_neighbour
            locked_for_others = not other.apply(_try_flock, (path,))
        thread.join()
    assert held_throughout
    assert locked_for_others
    assert released_by_neighbour == [True]  # it got its turn after us
    service.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
