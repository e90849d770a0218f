"""The `diarium` command: db init and demo, on both backends."""

from __future__ import annotations

import re
import subprocess
import sys

from diarium.cases.application import Diarium
from diarium.cases.demo.cases import CASES
from tests.bodies_support import diarium_with_bodies  # noqa: F401 (the fixture)


def run(database_url: str, *args: str, cwd: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "diarium.web.cli", "--database-url", database_url, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        check=False,
    )


def test_db_init_then_demo_loads_once(database_url: str) -> None:
    init = run(database_url, "db", "init")
    assert init.returncode == 0, init.stderr
    demo = run(database_url, "demo")
    assert demo.returncode == 0, demo.stderr
    assert f"loaded {len(CASES)} demo cases" in demo.stdout
    again = run(database_url, "demo")
    assert again.returncode == 0
    assert "already loaded" in again.stdout
    assert_demo_tokens_sign_in(database_url, again.stdout, stale=demo.stdout)

    diarium = Diarium(database_url)
    assert diarium.get_case("411-2020").decisions[0].higher_body == "RF"
    assert diarium.get_case("1338-2020").status == "closed"
    assert diarium.get_case("1400-2020").status == "cancelled"
    assert diarium.get_case("1355-2020").decisions[0].delegation_point == "1.4"
    assert diarium.get_case("1320-2020").referrals[0].outstanding == [
        "Hälso- och sjukvårdsnämnden",
        "Regionala utvecklingsnämnden",
    ]
    diarium.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]


def assert_demo_tokens_sign_in(database_url: str, printed: str, stale: str) -> None:
    """Every run prints working tokens (the run before's are revoked): the registrar's and
    the secretary's sign in to the desk with their roles."""
    from diarium.web import create_app
    from tests.desk_support import sign_in

    secrets = dict(re.findall(r"^\s{4}(\S.*?)\s+(dia_[\w-]+)$", printed, re.MULTILINE))
    assert "/app/" in printed and len(secrets) == 6, printed
    service = Diarium(database_url)
    app = create_app(service)
    for label, role in (("registrator", "registrator"), ("sekreterare och ordförande",
                                                          "sekreterare")):
        client = app.test_client()
        assert sign_in(client, secrets[label]).status_code == 303
        assert role in client.get("/app/").get_data(as_text=True)
    old = re.search(r"dia_[\w-]+", stale)
    assert old and sign_in(app.test_client(), old.group(0)).status_code == 401
    service.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]


def test_default_store_is_a_sqlite_file_under_var(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = subprocess.run(
        [sys.executable, "-m", "diarium.web.cli", "db", "init"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "var" / "diarium.sqlite").stat().st_size > 0


def test_unknown_command_is_refused(database_url: str) -> None:
    assert run(database_url, "nonsense").returncode == 2
