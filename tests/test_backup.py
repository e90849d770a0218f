"""``diarium backup`` and ``diarium restore`` (cases/store/backup.py), on SQLite and PostgreSQL:
a store backed up while cases are being registered restores into a fresh store whose hash
chain is intact, whose files are all there, whose events are the original's up to the
backup's position, and whose registers rebuild to the rows the backup carried."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from diarium.cases.application import Diarium
from diarium.cases.demo.cases import load_demo
from diarium.cases.store.backup import EVENTS_TABLE, BackupError, backup, restore
from diarium.domain.actor import Actor
from diarium.domain.case.lifecycle import RegisterCase
from diarium.projections.runner import Projector
from tests.conftest import postgres_database
from tests.projections_support import snapshot


@pytest.fixture
def target_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty store of the same backend to restore into."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored' / 'diarium.sqlite'}"
    else:
        yield from postgres_database()


def cli(url: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "diarium.web.cli", "--database-url", url, *args],
        cwd=cwd, capture_output=True, text=True, timeout=300,
    )


def events(url: str, upto: int) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(
                f"SELECT id, originator_id, originator_version, topic, state FROM {EVENTS_TABLE}"
                " WHERE id <= :upto ORDER BY id"), {"upto": upto})]
    finally:
        engine.dispose()


def test_a_backup_taken_while_cases_are_registered_restores_intact(
    database_url: str, target_url: str, tmp_path: Path
) -> None:
    original = Diarium(database_url, create_tables=True)
    load_demo(original)  # bodies, cases, meetings, and files of documents
    Projector(original).catch_up()
    stop, registered = threading.Event(), []

    def register() -> None:
        by = Actor("backup.test", "req-backup")
        while not stop.is_set():
            written = original.register_case(
                RegisterCase(f"Ärende {len(registered)}", "RS", registered_on=date(2020, 5, 4)),
                by)
            registered.append(written.dnr)

    writer = threading.Thread(target=register)
    writer.start()
    try:
        while len(registered) < 5:
            stop.wait(0.01)
        manifest = backup(database_url, tmp_path / "backup")
        before = len(registered)
        while len(registered) < before + 5:  # writes went on after the copy too
            stop.wait(0.01)
    finally:
        stop.set()
        writer.join()
    assert len(events(database_url, 10**9)) > manifest.position > 0

    with pytest.raises(BackupError, match="never written over"):
        backup(database_url, tmp_path / "backup")

    restored = cli(target_url, "restore", str(tmp_path / "backup"), cwd=tmp_path)
    assert restored.returncode == 0, restored.stderr
    assert f"up to position {manifest.position}; chain intact" in restored.stdout
    verified = cli(target_url, "audit", "verify", "--files", cwd=tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"head {manifest.position} " in verified.stdout
    assert "checked 0 stored files" not in verified.stdout  # the demo's files came along
    assert events(target_url, 10**9) == events(database_url, manifest.position)

    # the registers in the copy, brought up to its head, are what a rebuild makes of its log
    copy = Diarium(target_url)
    projector = Projector(copy)
    projector.catch_up()
    carried = snapshot(projector)
    for name in list(projector.projections):
        projector.rebuild(name, grace=0)
    rebuilt = snapshot(projector)
    assert rebuilt == carried
    assert {carried[f"{name}.position"] for name in projector.projections} == {manifest.position}
    copy.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
    original.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]


def test_restore_refuses_a_store_that_is_not_empty_or_of_the_other_backend(
    tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'd.sqlite'}"
    Diarium(url, create_tables=True)
    manifest = backup(url, tmp_path / "b")
    assert manifest.backend == "sqlite" and manifest.position == 0
    with pytest.raises(BackupError, match="exists"):
        restore(tmp_path / "b", url)
    with pytest.raises(BackupError, match="sqlite only"):
        restore(tmp_path / "b", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    with pytest.raises(BackupError, match="not a diarium backup"):
        restore(tmp_path, f"sqlite:///{tmp_path / 'new.sqlite'}")
