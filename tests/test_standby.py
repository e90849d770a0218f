"""Reads from a hot standby (``DIARIUM_READ_DATABASE_URL``, cases/store/standby.py): a primary
and a streaming-replication standby started on loopback (initdb, pg_basebackup -R), with
the standby's replay paused to make its answers visibly stale.

Skipped when PostgreSQL's server binaries are not installed (CI installs them)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import create_engine, text

from diarium.cases.application import Diarium
from diarium.cases.tokens import TokenStore
from diarium.domain.actor import Actor
from diarium.domain.case.lifecycle import RegisterCase
from diarium.projections.runner import Projector
from diarium.web import create_app
from diarium.web.cli.main import init_db
from tests.bodies_support import establish_bodies
from tests.live_server import free_port

BIN = next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)), None)
WAIT = 0.3  # DIARIUM_READ_WAIT_SECONDS in these tests


def as_postgres(*command: str) -> None:
    """Run a server command as postgres (initdb and postgres refuse to run as root)."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)


@dataclass
class Cluster:
    primary: str
    standby: str
    standby_data: str

    def sql(self, url: str, statement: str) -> object:
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                result = conn.execute(text(statement))
                return result.scalar() if result.returns_rows else None
        finally:
            engine.dispose()

    def caught_up(self, position: int) -> None:
        deadline = time.monotonic() + 30
        while (self.sql(self.standby, "SELECT coalesce(max(id), 0) FROM diarium_events")
               or 0) < position:
            assert time.monotonic() < deadline, "the standby did not catch up"
            time.sleep(0.05)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    root = tempfile.mkdtemp(prefix="diarium-standby-")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    primary, standby = f"{root}/primary", f"{root}/standby"
    p_port, s_port = free_port(), free_port()
    options = "-c fsync=off -c max_connections=100 -c unix_socket_directories="
    started = []
    try:
        as_postgres(f"{BIN}/initdb", "-D", primary, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        as_postgres(f"{BIN}/pg_ctl", "-D", primary, "-l", f"{root}/primary.log", "-w",
                    "-o", f"-h 127.0.0.1 -p {p_port} {options}", "start")
        started.append(primary)
        base = f"postgresql+psycopg://postgres@127.0.0.1:{p_port}/postgres"
        Cluster(base, base, "").sql(base, "CREATE DATABASE diarium")
        as_postgres(f"{BIN}/pg_basebackup", "-h", "127.0.0.1", "-p", str(p_port), "-U",
                    "postgres", "-D", standby, "-R", "-X", "stream", "-c", "fast")
        as_postgres(f"{BIN}/pg_ctl", "-D", standby, "-l", f"{root}/standby.log", "-w",
                    "-o", f"-h 127.0.0.1 -p {s_port} {options}", "start")
        started.append(standby)
        yield Cluster(f"postgresql+psycopg://postgres@127.0.0.1:{p_port}/diarium",
                      f"postgresql+psycopg://postgres@127.0.0.1:{s_port}/diarium", standby)
    finally:
        for data in reversed(started):
            subprocess.run(["runuser", "-u", "postgres", "--"] * (os.geteuid() == 0)
                           + [f"{BIN}/pg_ctl", "-D", data, "-m", "immediate", "stop"],
                           capture_output=True, timeout=60, check=False)
        shutil.rmtree(root, ignore_errors=True)


def test_a_case_read_refuses_a_min_position_that_is_no_position(client) -> None:  # type: ignore[no-untyped-def]
    for bad in ("x", "-1", "1.5", "", "²"):
        answer = client.get("/api/cases/1-2020", query_string={"min_position": bad})
        assert answer.status_code == 400, bad
        assert answer.get_json()["invalid-params"][0]["name"] == "min_position"
    assert client.get("/api/cases/1-2020?min_position=7").status_code == 404  # no standby


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.skipif(BIN is None or not os.path.exists(f"{BIN}/pg_basebackup"),
                    reason="PostgreSQL's server binaries are not installed")
def test_reads_come_from_the_standby_and_read_your_writes_falls_back(cluster: Cluster) -> None:
    writer = init_db(cluster.primary)  # another web node, writing to the primary
    establish_bodies(writer)
    projector = Projector(writer)
    secret, _ = TokenStore.for_application(writer).issue(name="reader", roles=["registrar"])
    auth = {"Authorization": f"Bearer {secret}"}
    reader = Diarium(cluster.primary)
    client = create_app(reader, DIARIUM_READ_DATABASE_URL=cluster.standby,
                        DIARIUM_READ_WAIT_SECONDS=WAIT).test_client()
    by = Actor("standby.test", "req-standby")

    def register(title: str) -> tuple[str, int]:
        written = writer.register_case(
            RegisterCase(title, "RS", registered_on=date(2020, 5, 4)), by)
        projector.catch_up()
        return written.dnr, int(cluster.sql(cluster.primary,
                                            "SELECT max(id) FROM diarium_events"))

    def diary(**params: object) -> tuple[list[str], int]:
        answer = client.get("/api/registers/diary", query_string=params, headers=auth)
        assert answer.status_code == 200, answer.get_json()
        return ([item["dnr"] for item in answer.get_json()["items"]],
                int(answer.headers["X-Diarium-Position"]))

    first, at_first = register("Ett första ärende")
    cluster.caught_up(at_first)
    assert client.get(f"/api/cases/{first}", headers=auth).status_code == 200
    assert first in diary()[0]

    cluster.sql(cluster.standby, "SELECT pg_wal_replay_pause()")
    try:
        second, at_second = register("Ett andra ärende")
        # the standby answers, stale: it has not replayed the second registration
        assert client.get(f"/api/cases/{second}", headers=auth).status_code == 404
        dnrs, position = diary()
        assert second not in dnrs and position < at_second
        assert "Ett andra ärende" not in client.get("/diarium").get_data(as_text=True)
        # with the write's position the read waits, then the primary answers, fresh
        started = time.monotonic()
        fresh = client.get(f"/api/cases/{second}", query_string={"min_position": at_second},
                           headers=auth)
        assert fresh.status_code == 200 and fresh.get_json()["dnr"] == second
        assert time.monotonic() - started >= WAIT
        dnrs, position = diary(min_position=at_second)
        assert second in dnrs and position >= at_second
        # and a write still goes to the primary, its checks on the primary's state
        closed = client.put(f"/api/cases/{second}/officer", json={"officer": "anna"},
                             headers=auth)
        assert closed.status_code in (200, 201), closed.get_json()
    finally:
        cluster.sql(cluster.standby, "SELECT pg_wal_replay_resume()")

    # the standby down: reads fall back to the primary, no 500
    as_postgres(f"{BIN}/pg_ctl", "-D", cluster.standby_data, "-m", "fast", "stop")
    try:
        assert client.get(f"/api/cases/{second}", headers=auth).status_code == 200
        assert second in diary()[0]
        assert client.get("/diarium").status_code == 200
    finally:
        writer.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
        reader.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
