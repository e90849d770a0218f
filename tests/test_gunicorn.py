"""The real thing: `diarium serve` (gunicorn, two workers) driven over loopback HTTP."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from bench.common import set_up_bodies
from tests.live_server import serving


@pytest.fixture
def token(database_url: str, tmp_path) -> str:  # type: ignore[no-untyped-def]
    """A registrar token made with the CLI, as an operator would, against the server's store."""
    made = subprocess.run(
        [sys.executable, "-m", "diarium.web.cli", "--database-url", database_url,
         "tokens", "create",
         "--role", "registrar", "--name", "gunicorn-test", "--quiet"],
        cwd=tmp_path, capture_output=True, text=True, check=True, timeout=120,
    )
    set_up_bodies(database_url)  # RS, which the cases are registered for
    return made.stdout.strip()


@pytest.fixture
def server(database_url: str, token: str, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with serving(database_url, tmp_path) as base:
        yield base


def test_registrations_through_two_workers(server: str, token: str) -> None:
    def register(i: int) -> str:
        response = requests.post(
            f"{server}/api/cases",
            json={"title": f"Ärende {i}", "responsible_body": "RS", "registered_on": "2020-10-01"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert response.status_code == 201, response.text
        return response.json()["dnr"]

    with ThreadPoolExecutor(8) as pool:
        dnrs = list(pool.map(register, range(40)))
    assert sorted(int(d.split("-")[0]) for d in dnrs) == list(range(1, 41))

    case = requests.get(
        f"{server}/api/cases/{dnrs[0]}", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert case.status_code == 200
    assert case.json()["registered_by"] == "gunicorn-test"


def test_error_contract_over_http(server: str, token: str) -> None:
    anonymous = requests.post(f"{server}/api/cases", json={"title": ""}, timeout=10)
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    invalid = session.post(f"{server}/api/cases", json={"title": ""}, timeout=10)
    assert invalid.status_code == 422
    assert invalid.headers["Content-Type"] == "application/problem+json"
    assert {p["name"] for p in invalid.json()["invalid-params"]} == {"title", "responsible_body"}

    missing = session.get(f"{server}/api/cases/77-1999", timeout=10)
    assert missing.status_code == 404
    assert missing.json()["type"] == "/problems/not-found"

    dnr = session.post(
        f"{server}/api/cases", json={"title": "T", "responsible_body": "RS"}, timeout=10
    ).json()["dnr"]
    assert session.post(f"{server}/api/cases/{dnr}/close", json={}, timeout=10).status_code == 200
    refused = session.post(f"{server}/api/cases/{dnr}/close", json={}, timeout=10)
    assert refused.status_code == 409
    assert refused.json()["rule"] == "close-only-open"

    spec = session.get(f"{server}/api/openapi.json", timeout=10)
    assert "/api/cases" in spec.json()["paths"]
