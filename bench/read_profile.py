"""In-process cost of the HTTP reads: the app as gunicorn runs it (``web.wsgi``: token
cache on), one request at a time through Flask's test client, no network.

    python -m bench.read_profile --backend sqlite --backend postgres [--profile case|query]

Prints ms per request (median of a few rounds) for a case by dnr and a register query, and
with ``--profile`` the top of a cProfile of that request.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import subprocess
import sys
import time

from bench.common import set_up_bodies, store


def _setup(url: str, cases: int) -> tuple[object, dict[str, str], list[str]]:
    subprocess.run([sys.executable, "-m", "diarium.web.cli", "--database-url", url, "db", "init"],
                   check=True, capture_output=True)
    set_up_bodies(url)
    os.environ["DIARIUM_DATABASE_URL"] = url
    os.environ["DIARIUM_INPROCESS_PROJECTIONS"] = "off"
    from bench.http_path import BODY, issue_token

    token = issue_token(url)
    from diarium.web.wsgi import app  # made from the environment set above

    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    dnrs = []
    for _ in range(cases):
        response = client.post("/api/cases", data=BODY, headers=headers)
        assert response.status_code == 201, response.get_data(as_text=True)
        dnrs.append(response.get_json()["dnr"])
    app.extensions["diarium_projector"].catch_up()
    return client, headers, dnrs


def _time(call, rounds: int = 5, each: int = 200) -> float:  # type: ignore[no-untyped-def]
    results = []
    for _ in range(rounds):
        start = time.perf_counter()
        for i in range(each):
            call(i)
        results.append((time.perf_counter() - start) / each * 1000)
    return statistics.median(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--profile", choices=["case", "query"])
    parser.add_argument("--cases", type=int, default=100)
    args = parser.parse_args()
    for backend in args.backend or ["sqlite"]:
        with store(backend) as url:
            _run(backend, url, args.cases, args.profile)


def _run(backend: str, url: str, cases: int, profile: str | None) -> None:
    client, headers, dnrs = _setup(url, cases)

    def case(i: int) -> None:
        r = client.get(f"/api/cases/{dnrs[i % len(dnrs)]}", headers=headers)  # type: ignore[attr-defined]
        assert r.status_code == 200, r.status_code

    def query(i: int) -> None:
        path = ("/api/registers/diary?limit=50", "/api/registers/diary?status=open&limit=50")
        r = client.get(path[i % 2], headers=headers)  # type: ignore[attr-defined]
        assert r.status_code == 200, r.status_code

    for name, call in (("case read", case), ("register query", query)):
        call(0)
        print(f"{backend}: {name}: {_time(call):.2f} ms/request", flush=True)
    if profile:
        call = case if profile == "case" else query
        profiler = cProfile.Profile()
        profiler.enable()
        for i in range(500):
            call(i)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    from diarium.web.wsgi import app

    app.extensions["diarium"].recorder.datastore.engine.dispose()
    sys.modules.pop("diarium.web.wsgi")

if __name__ == "__main__":
    main()
