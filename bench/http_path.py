"""HTTP path: requests/s and latency through gunicorn (2 workers of 8 threads, as
``diarium serve``), driven by wrk on loopback, beside a bare Flask + gunicorn app that parses
the same JSON and stores nothing, run with the very same gunicorn options.

    python -m bench.http_path --duration 10 --backend sqlite --backend postgres

Needs `wrk` (Debian package). Each server gets the machine in turn; the ratio to the bare app,
measured in the same run, is the figure that counts on a shared, noisy machine. The script
issues its own bearer token (``diarium tokens create``) for each store; reads are a case by
dnr and a register query (the diary, newest first, one page of 50). On PostgreSQL a
``diarium projections run`` worker follows the log beside the web workers, as in production
(on SQLite the web process projects), so the register query reads real pages.
``--connections`` sets wrk's concurrent connections (default 8).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from bench.common import machine, set_up_bodies, store
from diarium.web.cli.main import DEFAULT_THREADS, DEFAULT_WORKERS, gunicorn_options

LUA = """
wrk.method = "{method}"
wrk.headers["Content-Type"] = "application/json"
{headers}
local paths = {{{paths}}}
request = function()
  local path = paths[math.random(#paths)]
  return wrk.format(nil, path, nil, {body})
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %f %f %f %f\\n", summary.requests,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, summary.duration / 1e6,
    latency:percentile(50) / 1e3, latency:percentile(95) / 1e3, latency:percentile(99) / 1e3))
end
"""
BODY = json.dumps(
    {
        "title": "Förstudie av fysisk samlokalisering av verksamheter i Luleåområdet",
        "responsible_body": "RS",
        "registered_on": "2020-10-01",
    }
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(app: str, env: dict[str, str], options: tuple[str, ...] = ()) -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", *options, app],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            requests.get(f"{base}/healthz", timeout=5)
            break
        except requests.RequestException:
            time.sleep(0.1)
    try:
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def issue_token(url: str) -> str:
    """A registrar's and auditor's token on the store at ``url``, made with the CLI."""
    return subprocess.run(
        [sys.executable, "-m", "diarium.web.cli", "--database-url", url, "tokens", "create",
         "--name", "bench", "--role", "registrar", "--role", "auditor", "--quiet"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()


def run(
    backends: list[str], duration: int, options: tuple[str, ...] = tuple(gunicorn_options())
) -> list[dict[str, object]]:
    """Bare write and read, then diarium's write, case read and register read per backend;
    one row each, with the ratio to the bare app and the goal."""
    rows: list[dict[str, object]] = []
    with gunicorn("bench.bare_app:app", {}, options=options) as bare:
        bare_write = wrk(bare, "POST", ["/api/cases"], duration, {})
        bare_read = wrk(bare, "GET", ["/api/cases/1-2020"], duration, {})
    rows.append({"backend": "–", "request": "bare write", **bare_write})
    rows.append({"backend": "–", "request": "bare read", **bare_read})
    for backend in backends:
        with store(backend) as url:
            subprocess.run(
                [sys.executable, "-m", "diarium.web.cli", "--database-url", url, "db", "init"],
                check=True, capture_output=True,
            )
            set_up_bodies(url)
            headers = {"Authorization": f"Bearer {issue_token(url)}"}
            env = {"DIARIUM_DATABASE_URL": url}
            worker = subprocess.Popen(
                [sys.executable, "-m", "diarium.web.cli", "--database-url", url,
                 "projections", "run"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
            ) if backend == "postgres" else None
            with gunicorn("diarium.web.wsgi:app", env, options=options) as base:
                write = wrk(base, "POST", ["/api/cases"], duration, headers)
                count = min(int(write["rps"] * duration), 500)
                dnrs = [f"{n}-2020" for n in range(1, max(count, 2))]
                read = wrk(base, "GET", [f"/api/cases/{d}" for d in dnrs], duration, headers)
                query = wrk(base, "GET", ["/api/registers/diary?limit=50",
                                          "/api/registers/diary?status=open&limit=50"],
                            duration, headers)
            if worker is not None:
                os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(timeout=30)
        for label, result, bare, goal in (
            ("write (register)", write, bare_write, 0.4),
            ("read (case by dnr)", read, bare_read, 0.6),
            ("read (register query)", query, bare_read, 0.6),
        ):
            rows.append({"backend": backend, "request": label, **result,
                         "bare": bare["rps"], "ratio": result["rps"] / bare["rps"],
                         "goal": goal})
    return rows


def table(rows: list[dict[str, object]]) -> str:
    lines = [
        "| backend | request | req/s | bare req/s | ratio (goal) | p50 ms | p95 ms | p99 ms "
        "| errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        ratio = f"{r['ratio']:.2f} (≥ {r['goal']})" if "ratio" in r else ""
        bare = f"{r['bare']:.0f}" if "bare" in r else ""
        lines.append(
            f"| {r['backend']} | {r['request']} | {r['rps']:.0f} | {bare} | {ratio} | "
            f"{r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {r['errors']} |"
        )
    return "\n".join(lines)


CONNECTIONS = 8  # wrk's concurrent connections


def wrk(base: str, method: str, paths: list[str], duration: int, headers: dict[str, str]) -> dict:
    lua_paths = ", ".join(json.dumps(p) for p in paths)
    lua_headers = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items())
    body = json.dumps(BODY) if method == "POST" else "nil"
    script = LUA.format(method=method, paths=lua_paths, body=body, headers=lua_headers)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    output = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{duration}s", "-s", file.name, base],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    Path(file.name).unlink()
    fields = re.search(r"RESULT (.*)", output).group(1).split()  # type: ignore[union-attr]
    total, status_errors, socket_errors = (int(f) for f in fields[:3])
    seconds, p50, p95, p99 = (float(f) for f in fields[3:])
    return {
        "rps": total / seconds,
        "p50": p50,
        "p95": p95,
        "p99": p99,
        "errors": status_errors + socket_errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS,
                        help="gunicorn workers, for both apps (default: as diarium serve)")
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS,
                        help="threads per worker, for both apps (default: as diarium serve)")
    parser.add_argument("--connections", type=int, default=8,
                        help="wrk's concurrent connections (default 8)")
    args = parser.parse_args()
    global CONNECTIONS
    CONNECTIONS = args.connections
    options = tuple(gunicorn_options(args.workers, args.threads))
    print(f"gunicorn {' '.join(options)} (diarium and the bare app alike); "
          f"wrk -t2 -c{CONNECTIONS}")
    print(f"machine: {machine()}")
    print(table(run(args.backend or ["sqlite"], args.duration, options)), flush=True)


if __name__ == "__main__":
    main()
