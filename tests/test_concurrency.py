"""Several processes writing at once, as several gunicorn workers do, on both backends."""

from __future__ import annotations

import multiprocessing
from datetime import date

from diarium.cases.application import Diarium
from diarium.domain.actor import Actor
from diarium.domain.case.documents import RegisterDocument
from diarium.domain.case.lifecycle import RegisterCase
from diarium.domain.case.terms import Direction
from tests.bodies_support import diarium_with_bodies  # noqa: F401 (the fixture)

PROCESSES = 4
EACH = 12


def _register_many(url: str, worker: int, count: int) -> list[str]:
    diarium = Diarium(url)
    by = Actor(f"worker-{worker}")
    return [
        diarium.register_case(
            RegisterCase(
                title=f"Ärende {worker}/{i}", responsible_body="RS", registered_on=date(2020, 6, 1)
            ),
            by,
        ).dnr
        for i in range(count)
    ]


def _add_documents(url: str, dnr: str, worker: int, count: int) -> list[int]:
    diarium = Diarium(url)
    by = Actor(f"worker-{worker}")
    return [
        diarium.handle(
            RegisterDocument(
                dnr, Direction.INCOMING, date(2020, 6, 2), f"Skrivelse {worker}/{i}"
            ),
            by,
        )
        .case.documents[-1]
        .number
        for i in range(count)
    ]


def _in_processes(function, args_list):  # type: ignore[no-untyped-def]
    with multiprocessing.get_context("spawn").Pool(len(args_list)) as pool:
        return pool.starmap(function, args_list)


def test_concurrent_registration_gives_unique_gapless_numbers(
    diarium: Diarium, database_url: str
) -> None:
    results = _in_processes(
        _register_many, [(database_url, worker, EACH) for worker in range(PROCESSES)]
    )
    dnrs = [dnr for result in results for dnr in result]
    assert len(dnrs) == len(set(dnrs)) == PROCESSES * EACH
    sequences = sorted(int(dnr.split("-")[0]) for dnr in dnrs)
    assert sequences == list(range(1, PROCESSES * EACH + 1))
    for result in results:  # each worker saw its own numbers rise
        assert result == sorted(result, key=lambda d: int(d.split("-")[0]))
    assert {diarium.get_case(d).title.split("/")[0] for d in dnrs} == {
        f"Ärende {w}" for w in range(PROCESSES)
    }


def test_concurrent_writes_to_one_case_are_all_kept_in_sequence(
    diarium: Diarium, database_url: str
) -> None:
    dnr = diarium.register_case(
        RegisterCase(
            title="Delat ärende", responsible_body="RS", registered_on=date(2020, 6, 1)
        ),
        Actor("registrator"),
    ).dnr
    results = _in_processes(
        _add_documents, [(database_url, dnr, worker, EACH) for worker in range(PROCESSES)]
    )
    numbers = sorted(n for result in results for n in result)
    assert numbers == list(range(1, PROCESSES * EACH + 1))
    case = diarium.get_case(dnr)
    assert [d.number for d in case.documents] == numbers
    history = diarium.case_history(dnr)
    assert [e.originator_version for e in history] == list(range(1, PROCESSES * EACH + 2))
    assert sorted(d.description for d in case.documents) == sorted(
        f"Skrivelse {w}/{i}" for w in range(PROCESSES) for i in range(EACH)
    )
