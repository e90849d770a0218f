"""`diarium serve` (gunicorn) on a free loopback port, for the tests that drive it over HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
import requests

from diarium.cases.application import Diarium

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(database_url: str, cwd: Path, workers: int = 2, env: dict[str, str] | None = None,
            log: Path | None = None) -> Iterator[str]:
    """The base URL of gunicorn serving ``database_url`` once it answers ``/healthz``, with
    ``env`` added to the environment and its output written to ``log`` if given."""
    port = free_port()
    env = {**os.environ, "DIARIUM_DATABASE_URL": database_url, **(env or {})}
    output = log.open("wb") if log is not None else subprocess.PIPE
    process = subprocess.Popen(
        [sys.executable, "-m", "diarium.web.cli", "serve", "--port", str(port),
         "--workers", str(workers)],
        env=env,
        cwd=cwd,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # until it answers, at most ~30 s
            try:
                if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):  # not up yet, or busy booting
                pass
            if process.poll() is not None:
                said = log.read_text() if log is not None else process.stdout.read().decode()  # type: ignore[union-attr]
                pytest.fail(f"gunicorn exited: {said}")
            time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not answer /healthz")
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        if log is not None:
            output.close()  # type: ignore[union-attr]


@contextmanager
def serving_store(folder: Path, prepare: Callable[[Diarium], T]) -> Iterator[tuple[str, T]]:
    """gunicorn serving a fresh SQLite store in ``folder`` that ``prepare`` has filled (the
    demo, tokens...): the base URL and what ``prepare`` returned. The store's own engine is
    closed before the server starts (the server opens the file itself)."""
    url = f"sqlite:///{folder / 'store.sqlite'}"
    diarium = Diarium(url, create_tables=True)
    try:
        prepared = prepare(diarium)
    finally:
        diarium.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
    with serving(url, folder) as base:
        yield base, prepared
