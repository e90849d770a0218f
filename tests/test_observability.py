"""Metrics, logs and request ids through the real thing: `diarium serve` (gunicorn, two
workers, prometheus-client's multiprocess mode) with JSON logs, driven over loopback."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from prometheus_client import REGISTRY

from diarium.web.observability import commands_log
from tests.bodies_support import diarium_with_bodies  # noqa: F401 (the fixture: diarium)
from tests.desk_support import signed_in_clients, submit  # noqa: F401 (desk_as)
from tests.live_server import serving
from tests.test_gunicorn import token  # noqa: F401 (the fixture)

METRICS_TOKEN = "metrics-secret-token"
TITLE = "Ärende om HEMLIGTITEL"  # a title is content: never in a log line or a label
REGISTRATIONS = 24


@pytest.fixture
def served(database_url: str, token: str, tmp_path: Path) -> Iterator[dict[str, Any]]:  # noqa: F811
    log = tmp_path / "server.log"
    metrics_dir = tmp_path / "metrics"
    env = {"DIARIUM_LOG_FORMAT": "json", "DIARIUM_METRICS_TOKEN": METRICS_TOKEN,
           "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    with serving(database_url, tmp_path, env=env, log=log) as base:
        yield {"base": base, "log": log, "metrics_dir": metrics_dir}


def _samples(text: str) -> dict[str, float]:
    """The exposition's samples: ``name{labels}`` → value."""
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
            for line in text.splitlines() if line and not line.startswith("#")}


def _lines(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]


def test_metrics_and_logs_through_two_workers(served: dict[str, Any], token: str) -> None:  # noqa: F811
    base = served["base"]
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"

    def register(i: int) -> str:
        response = requests.post(
            f"{base}/api/cases", timeout=30, headers={"Authorization": f"Bearer {token}"},
            json={"title": f"{TITLE} {i}", "responsible_body": "RS"})
        assert response.status_code == 201, response.text
        return response.json()["dnr"]

    with ThreadPoolExecutor(8) as pool:
        dnrs = list(pool.map(register, range(REGISTRATIONS)))
    closed = session.post(f"{base}/api/cases/{dnrs[0]}/close", json={},
                          headers={"X-Request-ID": "close-1"}, timeout=10)
    assert closed.status_code == 200 and closed.headers["X-Request-ID"] == "close-1"
    refused = session.post(f"{base}/api/cases/{dnrs[0]}/close", json={},
                           headers={"X-Request-ID": "close-2"}, timeout=10)
    assert refused.status_code == 409 and refused.json()["rule"] == "close-only-open"
    assert session.post(f"{base}/api/cases", json={"title": ""}, timeout=10).status_code == 422
    read = session.get(f"{base}/api/cases/{dnrs[1]}", timeout=10)
    assert read.status_code == 200
    assert re.fullmatch(r"[0-9a-f-]{36}", read.headers["X-Request-ID"])  # one made for it

    # the metrics: only for the bearer of DIARIUM_METRICS_TOKEN, summed over both workers
    assert requests.get(f"{base}/metrics", timeout=10).status_code == 401
    assert session.get(f"{base}/metrics", timeout=10).status_code == 401  # an API token
    scraped = requests.get(f"{base}/metrics", timeout=10,
                           headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert scraped.status_code == 200
    samples = _samples(scraped.text)
    workers = {p.stem.rsplit("_", 1)[1] for p in served["metrics_dir"].glob("counter_*.db")}
    assert len(workers) == 2, workers  # both workers counted, one file each
    created = 'diarium_http_requests_total{method="POST",route="/api/cases",status="201"}'
    assert samples[created] == REGISTRATIONS
    assert samples['diarium_commands_total{command="RegisterCase",outcome="recorded",rule=""}'
                   ] == REGISTRATIONS
    assert samples['diarium_commands_total{command="CloseCase",outcome="refused",'
                   'rule="close-only-open"}'] == 1
    assert samples['diarium_commands_total{command="RegisterCase",outcome="invalid",rule=""}'
                   ] == 1
    count = ('diarium_http_request_duration_seconds_count{method="GET",'
             'route="/api/cases/<path:dnr>"}')
    assert samples.get(count) == 1, [k for k in samples if "seconds_count" in k]
    assert samples["diarium_group_commit_batch_size_sum"] == REGISTRATIONS
    assert samples["diarium_log_head"] >= REGISTRATIONS + 1
    assert 'diarium_projection_lag_events{name="diary"}' in samples
    assert "diarium_webhook_backlog_events" in samples
    for dnr in dnrs:  # no dnr, nor any content, in a label
        assert f'"{dnr}"' not in scraped.text and f"/{dnr}" not in scraped.text
    assert "HEMLIG" not in scraped.text

    lines = _lines(served["log"])
    assert "HEMLIG" not in served["log"].read_text()  # titles are never logged
    access = [line for line in lines if line["logger"] == "diarium.access"]
    commands = [line for line in lines if line["logger"] == "diarium.commands"]
    assert not any('"POST /api/cases HTTP/1.1"' in line for line in
                   served["log"].read_text().splitlines())  # no bare gunicorn access lines
    close = next(line for line in access if line["request_id"] == "close-1")
    assert close["route"] == "/api/cases/<path:dnr>/close" and close["method"] == "POST"
    assert (close["status"], close["dnr"], close["actor"]) == (200, dnrs[0], "gunicorn-test")
    assert isinstance(close["duration_ms"], float)
    recorded = next(line for line in commands if line["request_id"] == "close-1")
    assert (recorded["command"], recorded["outcome"], recorded["dnr"]) == (
        "CloseCase", "recorded", dnrs[0])
    assert recorded["event_types"] == ["CaseClosed"]
    assert recorded["position"] == int(closed.headers["X-Diarium-Position"])
    refusal = next(line for line in commands if line["request_id"] == "close-2")
    assert (refusal["outcome"], refusal["rule"], refusal["event_types"]) == (
        "refused", "close-only-open", [])
    registrations = [line for line in commands if line["command"] == "RegisterCase"
                     and line["outcome"] == "recorded"]
    assert len(registrations) == REGISTRATIONS  # each its own events, batched or not
    assert all("CaseRegistered" in line["event_types"] for line in registrations)
    assert sorted(line["dnr"] for line in registrations) == sorted(dnrs)
    assert {line["route"] for line in access} >= {"/api/cases", "/api/cases/<path:dnr>", "/metrics"}


def test_the_metrics_directory_is_made_and_removed(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    """Unless named, the master makes the multiprocess directory and removes it at exit; a
    named one is emptied of an earlier run's counts."""
    from diarium.web import gunicorn_conf

    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    monkeypatch.setattr(gunicorn_conf, "_made", [])
    gunicorn_conf.on_starting(None)
    made = Path(gunicorn_conf.os.environ["PROMETHEUS_MULTIPROC_DIR"])
    assert made.is_dir()
    gunicorn_conf.on_exit(None)
    assert not made.exists()
    named = tmp_path / "named"
    named.mkdir()
    (named / "counter_1.db").write_bytes(b"old")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(named))
    gunicorn_conf.on_starting(None)
    gunicorn_conf.on_exit(None)
    assert named.is_dir() and not list(named.iterdir())


def test_the_desks_commands_are_counted_and_logged(diarium: Any, desk_as: Any) -> None:
    """A form sent on the staff's desk is a command like the API's: counted by outcome (a
    refusal with its rule) and logged with the events it saved."""
    seen: list[logging.LogRecord] = []
    catcher = logging.Handler()
    catcher.emit = seen.append  # type: ignore[method-assign]
    commands_log.addHandler(catcher)
    refused = {"command": "ClassifyCase", "outcome": "refused",
               "rule": "classification-unchanged"}
    before = REGISTRY.get_sample_value("diarium_commands_total", refused) or 0
    try:
        registrar = desk_as("registrar", name="anna")
        registered = submit(registrar, "/app/cases/register", {
            "title": TITLE, "responsible_body": "RS", "officer": "olle"})
        assert registered.status_code == 303
        dnr = registered.headers["Location"].removeprefix("/app/cases/")
        url = f"/app/cases/{dnr}/classification"
        assert submit(registrar, url, {"classification": "2.3.1"}).status_code == 303
        assert submit(registrar, url, {"classification": "2.3.1"}).status_code == 409
    finally:
        commands_log.removeHandler(catcher)
    lines = [record.fields for record in seen]  # type: ignore[attr-defined]
    assert [(f["command"], f["outcome"], f["rule"], f["dnr"]) for f in lines] == [
        ("RegisterCase", "recorded", None, dnr), ("ClassifyCase", "recorded", None, dnr),
        ("ClassifyCase", "refused", "classification-unchanged", dnr)]
    assert "CaseRegistered" in lines[0]["event_types"]
    assert lines[1]["event_types"] == ["CaseClassified"] and lines[2]["event_types"] == []
    assert REGISTRY.get_sample_value("diarium_commands_total", refused) == before + 1
