"""gunicorn's settings for ``diarium serve`` (``--config python:diarium.web.gunicorn_conf``).

The metrics run in prometheus-client's multiprocess mode: every worker writes its counts to
files in ``PROMETHEUS_MULTIPROC_DIR``, which ``/metrics`` sums. Unless the operator names that
directory, the master makes a fresh one at start and removes it at exit; a named one is emptied
at start. A worker that exits is marked dead (its live gauges dropped, its counts kept).
Nothing here imports prometheus-client before the directory is set: it reads it on import.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
accesslog = None  # one line per request comes from the app itself (web/observability.py)
_made: list[str] = []  # the directory this master made, removed at exit


def on_starting(server: Any) -> None:
    named = os.environ.get(MULTIPROCESS_VARIABLE)
    if named:
        Path(named).mkdir(parents=True, exist_ok=True)
        for left in Path(named).glob("*.db"):  # counts of an earlier run
            left.unlink()
        return
    made = tempfile.mkdtemp(prefix="diarium-metrics-")
    _made.append(made)
    os.environ[MULTIPROCESS_VARIABLE] = made


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server: Any) -> None:
    for made in _made:
        shutil.rmtree(made, ignore_errors=True)
