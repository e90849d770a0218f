"""Benchmarks for issue #5: feed read rate, point-in-time latency, webhook latency, and the
hash chain's cost on the write path.

    .venv/bin/python bench/feed.py --backend sqlite --events 5000
    DIARIUM_TEST_POSTGRES_URL=... .venv/bin/python bench/feed.py --backend postgres

Prints a Markdown section for docs/benchmarks.md. No assertions: figures, not tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eventsourcing.persistence import Transcoding
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder

from bench.common import set_up_bodies, store
from diarium.cases.application import Diarium
from diarium.cases.outbound import audit, chain_verification, feed
from diarium.cases.outbound.webhook_delivery import WebhookWorker
from diarium.cases.outbound.webhook_subscriptions import WebhookStore
from diarium.cases.outbound.webhook_targets import ALLOW_NETWORKS_VARIABLE
from diarium.cases.store.overrides import DiariumFactory
from diarium.domain.actor import Actor
from diarium.domain.case import terms as case_terms
from diarium.domain.case.decisions import RecordDecision
from diarium.domain.case.documents import RegisterDocument
from diarium.domain.case.lifecycle import RegisterCase
from diarium.domain.case.terms import Direction
from diarium.domain.dnr import case_id
from diarium.domain.meeting.terms import BodyNotFound
from diarium.domain.migration import Migration

BY = Actor("bench", "bench")


class _DataclassAsDict(Transcoding):
    def __init__(self, cls: type) -> None:
        self.type = cls
        self.name = f"bench_{cls.__name__}"

    def encode(self, obj: Any) -> dict[str, Any]:
        return dict(vars(obj))

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**data)


class SnapshottingDiarium(Diarium):
    """The diarium with transcodings for the case's inner dataclasses, so that cases can be
    snapshotted (the application itself does not snapshot cases yet)."""

    name = "diarium"

    def register_transcodings(self, transcoder: Any) -> None:
        super().register_transcodings(transcoder)
        for cls in (case_terms.Document, case_terms.Referral, case_terms.Proposal,
                    case_terms.Decision):
            transcoder.register(_DataclassAsDict(cls))


def new_case(app: Diarium, title: str = "Bench") -> str:
    """A new case of RS (set up first, where it is not)."""
    try:
        app.bodies.get_body("RS")
    except BodyNotFound:
        set_up_bodies(app)
    return app.register_case(RegisterCase(title=title, responsible_body="RS",
                                               registered_on=date(2020, 1, 2)), BY).dnr


def add_documents(app: Diarium, dnr: str, count: int) -> None:
    for n in range(count):
        app.handle(
            RegisterDocument(
                dnr,
                direction=Direction.INCOMING,
                date=date(2020, 1, 2 + n % 27),
                description=f"Handling {n}",
                counterpart="Kommunen",
            ),
            BY,
        )


def timed(action: Callable[[], Any], repeat: int = 1, best_of: int = 1) -> float:
    """Mean seconds per call over ``repeat`` calls; the best of ``best_of`` such runs."""
    runs = []
    for _ in range(best_of):
        started = time.perf_counter()
        for _ in range(repeat):
            action()
        runs.append((time.perf_counter() - started) / repeat)
    return min(runs)


def write_overhead(url: str, writes: int) -> dict[str, float]:
    """Writes/s through the application, with and without the chained recorder."""
    rates: dict[str, float] = {}
    variants = (("chained", None), ("library", SQLAlchemyApplicationRecorder))
    for round_, (label, recorder_class) in enumerate(variants * 3):  # interleaved, best of 3
        with store_suffix(url, f"{label}{round_}") as target:
            original = DiariumFactory.application_recorder_class
            if recorder_class is not None:
                DiariumFactory.application_recorder_class = recorder_class
            try:
                app = Diarium(target, create_tables=True, env={"DIARIUM_BENCH": label})
                dnr = new_case(app)
                add_documents(app, dnr, 20)  # warm up
                seconds = timed(lambda app=app, dnr=dnr: add_documents(app, dnr, writes))
                rates[label] = max(rates.get(label, 0.0), writes / seconds)
                app.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
            finally:
                DiariumFactory.application_recorder_class = original
    return rates


@contextmanager
def store_suffix(url: str, label: str) -> Iterator[str]:
    if url.startswith("sqlite"):
        yield url.replace("bench.sqlite", f"bench-{label}.sqlite")
    else:
        with store("postgres") as fresh:
            yield fresh


def read_rates(app: Diarium, page: int) -> dict[str, float]:
    total = app.recorder.max_notification_id() or 0

    def raw(decode: bool = False) -> None:
        after = 0
        while True:
            batch = app.recorder.select_notifications(after, page, inclusive_of_start=False)
            if not batch:
                return
            if decode:
                for n in batch:
                    app.mapper.to_domain_event(n)
            after = batch[-1].id

    def public(types: tuple[str, ...] = ()) -> None:
        after = 0
        while True:
            result = feed.read_feed(app, after, page, types)
            if result.next_after == after:
                return
            after = result.next_after

    raw()  # warm up
    return {
        "library select_notifications (rows)": total / timed(raw, best_of=3),
        "library select_notifications + decode":
            total / timed(lambda: raw(decode=True), best_of=3),
        "feed (decoded, public payload, dnr)": total / timed(public, best_of=3),
        "feed filtered to decisions (log positions scanned)":
            total / timed(lambda: public(("case.decision_recorded",)), best_of=3),
    }


def point_in_time(url: str, sizes: list[int], repeat: int) -> list[dict[str, Any]]:
    app = SnapshottingDiarium(url)
    rows = []
    for size in sizes:
        dnr = new_case(app, f"PIT {size}")
        add_documents(app, dnr, size - 1)
        history = app.case_history(dnr)
        moment = history[-2].timestamp  # as known just before the last event
        version = size - 1
        row: dict[str, Any] = {"events": size}
        row["version, no snapshot"] = timed(
            lambda d=dnr, v=version: app.get_case(d, version=v), repeat)
        row["timestamp, no snapshot"] = timed(
            lambda d=dnr, m=moment: audit.case_as_of(app, d, at=m), repeat)
        row["business date"] = timed(
            lambda d=dnr: audit.case_as_of(app, d, occurred_by=date(2020, 1, 20)), repeat)
        for at in range(100, size, 100):  # a snapshot every 100 events
            app.take_snapshot(case_id(dnr), version=at)
        row["version, snapshots/100"] = timed(
            lambda d=dnr, v=version: app.get_case(d, version=v), repeat)
        row["timestamp, snapshots/100"] = timed(
            lambda d=dnr, m=moment: audit.case_as_of(app, d, at=m), repeat)
        rows.append(row)
    app.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
    return rows


def webhook_latency(url: str, events: int, interval: float) -> dict[str, float]:
    # the receiver listens on loopback, which webhook targets may only be when allowed
    os.environ.setdefault(ALLOW_NETWORKS_VARIABLE, "127.0.0.0/8")
    app = Diarium(url)
    received: list[float] = []
    recorded: list[float] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            now = datetime.now(UTC).timestamp()
            received.append(now)
            recorded.append(datetime.fromisoformat(body["event"]["recorded_at"]).timestamp())
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    WebhookStore(app).subscribe(f"http://127.0.0.1:{server.server_address[1]}/",
                                ["case.document_registered"])
    worker = WebhookWorker(app)  # defaults: poll every 0.2 s
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    dnr = new_case(app)
    for n in range(events):
        add_documents(app, dnr, 1)
        time.sleep(interval)
        del n
    deadline = time.monotonic() + 30
    while len(received) < events and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join()
    worker.close()
    server.shutdown()
    app.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
    latencies = sorted((r - c) * 1000 for r, c in zip(received, recorded, strict=True))
    return {
        "deliveries": len(latencies),
        "p50 ms": statistics.median(latencies),
        "p95 ms": latencies[int(0.95 * (len(latencies) - 1))],
        "max ms": latencies[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--events", type=int, default=5000, help="log size for read rates")
    parser.add_argument("--page", type=int, default=500)
    parser.add_argument("--sizes", default="10,100,1000", help="case sizes, point in time")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--writes", type=int, default=300, help="writes per recorder")
    parser.add_argument("--hooks", type=int, default=100, help="webhook events")
    args = parser.parse_args()

    print(f"### {args.backend} — {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}\n")
    with store(args.backend) as url:
        app = Diarium(url, create_tables=True)
        cases = [new_case(app, f"Case {n}") for n in range(max(1, args.events // 50))]
        per_case = max(1, args.events // len(cases)) - 2
        for number, dnr in enumerate(cases, 1):
            add_documents(app, dnr, per_case)
            app.handle(
                RecordDecision(
                    dnr,
                    kind="decided",
                    text="Beslut",
                    decided_on=date(2020, 3, 1),
                    body="RS",
                    paragraph=number,
                    historical=Migration("bench"),  # no meeting here: § unique per year
                ),
                BY,
            )
        total = app.recorder.max_notification_id() or 0
        print(f"**Feed read rate** ({total} events, pages of {args.page}):\n")
        print("| reader | events/s |\n|---|---:|")
        for label, rate in read_rates(app, args.page).items():
            print(f"| {label} | {rate:,.0f} |")
        started = time.perf_counter()
        report = chain_verification.verify_chain(app)
        print(f"\n`audit verify` over {report.checked} events: "
              f"{time.perf_counter() - started:.2f} s (ok={report.ok})\n")
        app.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]

        sizes = [int(s) for s in args.sizes.split(",")]
        print("**Point-in-time read latency** (ms, mean of "
              f"{args.repeat}; version N-1 of an N-event case):\n")
        rows = point_in_time(url, sizes, args.repeat)
        keys = [k for k in rows[0] if k != "events"]
        print("| events | " + " | ".join(keys) + " |")
        print("|---:|" + "---:|" * len(keys))
        for row in rows:
            print(f"| {row['events']} | " + " | ".join(f"{row[k] * 1000:.1f}" for k in keys)
                  + " |")

        print("\n**Webhook end-to-end latency** (event recorded → received by a loopback "
              f"endpoint; {args.hooks} events, one every 50 ms, worker polling every 0.2 s):\n")
        latency = webhook_latency(url, args.hooks, 0.05)
        print("| deliveries | p50 ms | p95 ms | max ms |\n|---:|---:|---:|---:|")
        print(f"| {latency['deliveries']} | {latency['p50 ms']:.0f} | {latency['p95 ms']:.0f} | "
              f"{latency['max ms']:.0f} |")

        print(f"\n**Write path: cost of the hash chain** ({args.writes} document writes "
              "through the application, one case; best of 3 interleaved runs):\n")
        rates = write_overhead(url, args.writes)
        print("| recorder | writes/s |\n|---|---:|")
        for label, rate in rates.items():
            print(f"| {label} | {rate:,.0f} |")
        print(f"\nOverhead: {(1 - rates['chained'] / rates['library']) * 100:.0f}% "
              "fewer writes/s with the chain.\n")


if __name__ == "__main__":
    main()
