"""Shared helpers for benchmarks: stores to run on, percentiles, machine facts, reports."""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy


def percentile(samples: list[float], q: float) -> float:
    """The q-th percentile (0-100) of ``samples``."""
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[int(q) - 1]


def argument_parser(doc: str, *, repeat: int) -> argparse.ArgumentParser:
    """The options of a script that times queries: described by the first line of its
    ``doc``, with ``--repeat`` (how many times each is timed; default ``repeat``)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=repeat)
    return parser


def machine() -> str:
    """One line about the machine the figures came from."""
    with open("/proc/meminfo") as meminfo:
        total_kb = int(meminfo.readline().split()[1])
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"{total_kb / 1024 / 1024:.0f} GiB, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


@contextmanager
def store(backend: str) -> Iterator[str]:
    """An empty store URL: a temporary SQLite file, or a fresh PostgreSQL database on
    ``DIARIUM_TEST_POSTGRES_URL``."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{directory}/bench.sqlite"
        return
    with fresh_database(os.environ["DIARIUM_TEST_POSTGRES_URL"], "diarium_bench") as url:
        yield url


@contextmanager
def fresh_database(admin_url: str, prefix: str) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database named ``prefix`` and a random suffix on
    the server of ``admin_url``; dropped afterwards (the benchmarks' and the tests')."""
    admin = sqlalchemy.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            sqlalchemy.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def set_up_bodies(target: Any) -> None:
    """Set up RF and RS, the bodies the benchmarks register cases for (a case's responsible
    body must be set up): on ``target``, a ``Diarium`` or the URL of an initialised store."""
    from datetime import date

    from diarium.cases.application import Diarium
    from diarium.domain.actor import Actor
    from diarium.domain.meeting.commands import EstablishBody
    from diarium.domain.meeting.terms import BodyKind

    diarium = target if isinstance(target, Diarium) else Diarium(target)
    by, since = Actor("bench"), date(2000, 1, 1)
    for code, name, kind, parent in (
        ("RF", "Regionfullmäktige", BodyKind.COUNCIL, None),
        ("RS", "Regionstyrelsen", BodyKind.BOARD, "RF"),
    ):
        diarium.handle(EstablishBody(code, name, kind, parent, established_on=since), by)
    if diarium is not target:
        diarium.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
