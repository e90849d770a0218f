"""Faults: the database goes away or fills up; the API answers 503 and nothing is half-written."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy
from prometheus_client import REGISTRY

from diarium.cases.application import Diarium
from diarium.cases.tokens import TokenStore
from diarium.web import create_app
from tests.bodies_support import diarium_with_bodies, establish_bodies  # noqa: F401 (the fixture)

CASE = {"title": "Ärende", "responsible_body": "RS", "registered_on": "2020-10-01"}


def _token(diarium: Diarium) -> str:
    """A registrar's bearer token, issued while the store is writable."""
    token, _ = TokenStore.for_application(diarium).issue(name="fault", roles=["registrar"])
    return token


def _client(diarium: Diarium, token: str):  # type: ignore[no-untyped-def]
    client = create_app(diarium).test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


def _as_postgres(*args: str) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *args], check=True, capture_output=True, timeout=60)


@pytest.fixture
def own_postgres() -> Iterator[tuple[str, Path, Path]]:
    """A PostgreSQL server of this test's own, so it can be stopped and started."""
    bindir = _pg_bin()
    if bindir is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL binaries are missing under CI")
        pytest.skip("PostgreSQL binaries not installed")
    home = Path(tempfile.mkdtemp(prefix="diarium-pg-"))  # reachable by the postgres user
    data = home / "pg"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(home, "postgres")
        shutil.chown(data, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    _as_postgres(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust")
    options = f"-h 127.0.0.1 -p {port} -c fsync=off -k {data}"
    _as_postgres(
        str(bindir / "pg_ctl"),
        "-D",
        str(data),
        "-l",
        str(home / "log"),
        "-o",
        options,
        "-w",
        "start",
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", bindir, data
    finally:
        subprocess.run(
            [
                *(["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []),
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(home, ignore_errors=True)


def test_postgres_restart_gives_503_then_recovers(own_postgres) -> None:  # type: ignore[no-untyped-def]
    url, bindir, data = own_postgres
    diarium = establish_bodies(Diarium(url, create_tables=True))
    client = _client(diarium, _token(diarium))
    assert client.post("/api/cases", json=CASE).status_code == 201

    _as_postgres(str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
    errors = REGISTRY.get_sample_value("diarium_store_errors_total") or 0  # web/metrics.py
    for request in (
        lambda: client.post("/api/cases", json=CASE),
        lambda: client.get("/api/cases/1-2020"),
        lambda: client.post("/api/cases/1-2020/close", json={}),
        lambda: client.get("/healthz"),
        lambda: client.get("/readyz"),
    ):
        response = request()
        assert response.status_code == 503
        assert response.content_type == "application/problem+json"
        assert "postgres@" not in response.get_data(as_text=True)  # no connection details leak
    assert REGISTRY.get_sample_value("diarium_store_errors_total") == errors + 5  # counted

    port = url.rsplit(":", 1)[1].split("/")[0]
    _as_postgres(
        str(bindir / "pg_ctl"),
        "-D",
        str(data),
        "-l",
        str(data.parent / "log"),
        "-o",
        f"-h 127.0.0.1 -p {port} -c fsync=off -k {data}",
        "-w",
        "start",
    )
    assert client.get("/healthz").status_code == 200
    registered = client.post("/api/cases", json=CASE)
    assert registered.status_code == 201
    assert registered.get_json()["dnr"] == "2-2020"  # no number lost to the outage
    assert client.get("/api/cases/1-2020").get_json()["version"] == 1  # close never half-applied
    diarium.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]


def test_postgres_restart_while_idle_is_not_seen_by_the_next_request(
    own_postgres, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    """Pooled connections that sat idle (here: any idle time at all) are pinged before use,
    so after a restart the next request reconnects instead of failing."""
    import diarium.cases.store.persistence

    monkeypatch.setattr(diarium.cases.store.persistence, "IDLE_PING_SECONDS", 0.0)
    url, bindir, data = own_postgres
    diarium = establish_bodies(Diarium(url, create_tables=True))
    client = _client(diarium, _token(diarium))
    assert client.post("/api/cases", json=CASE).status_code == 201
    assert client.get("/api/cases/1-2020").status_code == 200

    port = url.rsplit(":", 1)[1].split("/")[0]
    _as_postgres(str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
    _as_postgres(
        str(bindir / "pg_ctl"), "-D", str(data), "-l", str(data.parent / "log"),
        "-o", f"-h 127.0.0.1 -p {port} -c fsync=off -k {data}", "-w", "start",
    )
    registered = client.post("/api/cases", json=CASE)
    assert registered.status_code == 201, registered.get_data(as_text=True)
    assert registered.get_json()["dnr"] == "2-2020"
    assert client.get("/api/cases/1-2020").status_code == 200
    diarium.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]


def _full_sqlite(path: Path) -> Diarium:
    """A store on an SQLite file that cannot grow any more (as on a full disk)."""
    diarium = Diarium(f"sqlite:///{path}", create_tables=True)
    engine = diarium.recorder.datastore.engine  # type: ignore[attr-defined]
    engine.dispose()

    @sqlalchemy.event.listens_for(engine, "connect")
    def _cap(connection, _record) -> None:  # type: ignore[no-untyped-def]
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count = {pages}")

    return diarium


def test_sqlite_disk_full_gives_503_and_corrupts_nothing(tmp_path: Path) -> None:
    path = tmp_path / "full.sqlite"
    seeded = establish_bodies(Diarium(f"sqlite:///{path}", create_tables=True))
    token = _token(seeded)
    client = _client(seeded, token)
    assert client.post("/api/cases", json=CASE).status_code == 201
    seeded.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]

    full = _full_sqlite(path)
    client = _client(full, token)
    big = {**CASE, "title": "x" * 1000}
    responses = [client.post("/api/cases", json=big) for _ in range(20)]
    accepted = [r.get_json()["dnr"] for r in responses if r.status_code == 201]
    refused = [r for r in responses if r.status_code != 201]
    assert refused, "the capped file never filled up"
    assert {r.status_code for r in refused} == {503}
    assert all(r.content_type == "application/problem+json" for r in refused)
    assert client.get("/api/cases/1-2020").status_code == 200  # reads still work
    full.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]

    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    after = Diarium(f"sqlite:///{path}")
    for dnr in ["1-2020", *accepted]:  # everything acknowledged is there, whole
        assert [e.originator_version for e in after.case_history(dnr)] == [1]
    client = _client(after, token)
    next_dnr = client.post("/api/cases", json=CASE).get_json()["dnr"]
    assert next_dnr == f"{len(accepted) + 2}-2020"  # no number was lost or half-taken
    after.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]


def test_sqlite_read_only_gives_503_and_reads_work(tmp_path: Path) -> None:
    path = tmp_path / "ro.sqlite"
    writable = establish_bodies(Diarium(f"sqlite:///{path}", create_tables=True))
    token = _token(writable)
    assert _client(writable, token).post("/api/cases", json=CASE).status_code == 201
    writable.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]

    read_only = Diarium(f"sqlite:///file:{path}?mode=ro&uri=true")
    client = _client(read_only, token)
    refused = client.post("/api/cases", json=CASE)
    assert refused.status_code == 503
    assert refused.content_type == "application/problem+json"
    assert client.get("/api/cases/1-2020").status_code == 200
    read_only.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
