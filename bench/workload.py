"""Realistic workload: many small cases, a Zipf-skewed minority of busy ones, concurrent
writers, a catch-up projection worker and a feed follower, all at the same time.

    python -m bench.workload --backend sqlite --backend postgres --duration 30 --writers 3

* ``--writers`` processes (each its own application service, as gunicorn workers are) loop
  for ``--duration`` seconds: 40 % of their commands register a new small case, 60 % register
  a document to a case drawn from a pool of ``--busy`` cases with Zipf weights (rank ^ -1.2:
  the busiest case gets ~1/5 of those writes), so writers collide on the busy cases and on the
  dnr counter and must retry, as in a real registry.
* ``diarium projections run`` follows the log in its own process (started with the store
  already holding ``--seed`` cases, so it first catches up while the writers start).
* A feed follower (``cases.outbound.feed.read_feed``, pages of 100, as a subscriber would)
  follows in a process of its own.
* Every 0.5 s the driver samples the log head, the projection positions, the follower's
  position and the RSS of every process.

Reported: commands/s, latency p50/p95/p99 per command, retries given up (409s), projection
and follower lag (events behind the head: p50, p95, max, and at the end), and RSS (start,
max, end) per role. Nothing here asserts timings.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from datetime import date
from typing import Any

from bench.common import machine, percentile, set_up_bodies, store

DAY = date(2021, 3, 1)
TITLE = "Förstudie av fysisk samlokalisering av verksamheter i Luleåområdet {n}"


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _app(url: str) -> Any:
    from diarium.cases.application import Diarium

    diarium = Diarium(url)
    diarium.today = lambda: DAY
    return diarium


def _writer(url: str, seed: int, duration: float, busy: list[str], out: Any) -> None:
    """One writer process: small registrations and documents on Zipf-chosen busy cases."""
    from diarium.cases.application import ConcurrentModification
    from diarium.domain.actor import Actor
    from diarium.domain.case.documents import RegisterDocument
    from diarium.domain.case.lifecycle import RegisterCase
    from diarium.domain.case.terms import Direction

    diarium = _app(url)
    rnd = random.Random(seed)
    by = Actor(f"writer-{seed}")
    weights = [1 / (rank + 1) ** 1.2 for rank in range(len(busy))]
    latencies: dict[str, list[float]] = {"register": [], "document": []}
    conflicts = 0
    deadline = time.monotonic() + duration
    n = 0
    while time.monotonic() < deadline:
        n += 1
        started = time.perf_counter()
        try:
            if rnd.random() < 0.4:
                diarium.register_case(
                    RegisterCase(TITLE.format(n=n), "RS", registered_on=DAY), by)
                kind = "register"
            else:
                dnr = rnd.choices(busy, weights)[0]
                diarium.handle(
                    RegisterDocument(
                        dnr, Direction.INCOMING, DAY, f"Skrivelse {n}", "Luleå kommun"
                    ),
                    by,
                )
                kind = "document"
        except ConcurrentModification:
            conflicts += 1
            continue
        latencies[kind].append(time.perf_counter() - started)
    out.put({"latencies": latencies, "conflicts": conflicts})


def _follower(url: str, stop: Any, position: Any) -> None:
    """A feed subscriber: reads pages of 100 after its position, as fast as they come."""
    from diarium.cases.outbound import feed

    diarium = _app(url)
    after = 0
    while not stop.is_set():
        page = feed.read_feed(diarium, after, 100)
        after = page.next_after
        position.value = after
        if not page.items:
            time.sleep(0.05)


def seed_store(url: str, cases: int, busy: int) -> list[str]:
    """``cases`` small cases (registration and a document); the first ``busy`` are the pool."""
    from diarium.cases.application import Diarium
    from diarium.domain.actor import Actor
    from diarium.domain.case.documents import RegisterDocument
    from diarium.domain.case.lifecycle import RegisterCase
    from diarium.domain.case.terms import Direction

    diarium = Diarium(url, create_tables=True)
    diarium.today = lambda: DAY
    set_up_bodies(diarium)
    by = Actor("seed")
    dnrs = []
    for n in range(cases):
        dnr = diarium.register_case(
            RegisterCase(TITLE.format(n=n), "RS", registered_on=DAY), by).dnr
        diarium.handle(
            RegisterDocument(dnr, Direction.INCOMING, DAY, "Skrivelse", "Luleå kommun"), by
        )
        dnrs.append(dnr)
    diarium.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
    return dnrs[:busy]


def run(backend: str, duration: float, writers: int, seed: int, busy: int) -> dict[str, Any]:
    from diarium.cases.application import Diarium
    from diarium.projections.runner import Projector

    spawn = multiprocessing.get_context("spawn")
    with store(backend) as url:
        pool = seed_store(url, seed, busy)
        monitor = Diarium(url)
        projector = Projector(monitor)
        projector.ensure_schema()
        worker = subprocess.Popen(
            [sys.executable, "-m", "diarium.web.cli", "--database-url", url, "projections", "run",
             "--poll", "0.2"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        stop, position = spawn.Event(), spawn.Value("q", 0)
        follower = spawn.Process(target=_follower, args=(url, stop, position))
        follower.start()
        out = spawn.Queue()
        procs = [spawn.Process(target=_writer, args=(url, i, duration, pool, out))
                 for i in range(writers)]
        head0 = projector.head()
        started = time.monotonic()
        for proc in procs:
            proc.start()
        samples: list[dict[str, Any]] = []
        results = []
        while len(results) < writers:
            time.sleep(0.5)
            head = projector.head()
            projected = min(s.position for s in projector.states())
            samples.append({
                "t": time.monotonic() - started, "head": head,
                "projection_lag": max(head - projected, 0),
                "follower_lag": max(head - position.value, 0),
                "rss": {"writer": max(_rss_mb(p.pid) for p in procs if p.pid),
                        "projector": _rss_mb(worker.pid),
                        "follower": _rss_mb(follower.pid)},  # type: ignore[arg-type]
            })
            while not out.empty():
                results.append(out.get())
        elapsed = time.monotonic() - started
        head = projector.head()
        for proc in procs:
            proc.join()
        # how long until the projection and the follower have everything written
        drain_started = time.monotonic()
        while (min(s.position for s in projector.states()) < head or position.value < head) \
                and time.monotonic() - drain_started < 120:
            time.sleep(0.1)
        drained = time.monotonic() - drain_started
        stop.set()
        follower.join(10)
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
        monitor.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
    latencies = {k: [x for r in results for x in r["latencies"][k]]
                 for k in ("register", "document")}
    commands = sum(len(v) for v in latencies.values())
    return {
        "backend": backend, "elapsed": elapsed, "commands": commands,
        "rate": commands / elapsed, "events": head - head0,
        "conflicts": sum(r["conflicts"] for r in results),
        "latency": {k: [percentile(v, q) * 1000 for q in (50, 95, 99)]
                    for k, v in latencies.items() if v},
        "projection_lag": [s["projection_lag"] for s in samples],
        "follower_lag": [s["follower_lag"] for s in samples],
        "drained": drained,
        "rss": {role: (samples[0]["rss"][role], max(s["rss"][role] for s in samples),
                       samples[-1]["rss"][role]) for role in samples[0]["rss"]},
    }


def report(results: list[dict[str, Any]], writers: int, duration: float) -> str:
    lines = [
        f"{writers} writer processes, {duration:.0f} s; projection worker and feed follower "
        "running throughout.", "",
        "| backend | commands/s | events/s | register p50/p95/p99 ms | document (busy cases) "
        "p50/p95/p99 ms | gave up (409) |",
        "|---|---:|---:|---|---|---:|",
    ]
    for r in results:
        lat = {k: " / ".join(f"{x:.0f}" for x in v) for k, v in r["latency"].items()}
        lines.append(
            f"| {r['backend']} | {r['rate']:.0f} | {r['events'] / r['elapsed']:.0f} | "
            f"{lat.get('register', '–')} | {lat.get('document', '–')} | {r['conflicts']} |")
    lines += ["", "Lag in events behind the log's head, sampled every 0.5 s; the seeded "
              "store is the backlog both start with (steady state: the samples after they "
              "first got within 50 events of the head):", "",
              "| backend | reader | seeded backlog caught up after | steady p50 | p95 | max "
              "| caught up after the writers stopped |", "|---|---|---:|---:|---:|---:|---:|"]
    for r in results:
        for name in ("projection_lag", "follower_lag"):
            lag = r[name]
            first = next((i for i, x in enumerate(lag) if x < 50), len(lag) - 1)
            steady = lag[first:] or lag[-1:]
            lines.append(
                f"| {r['backend']} | {name.split('_')[0]} | {first * 0.5:.1f} s | "
                f"{percentile(steady, 50):.0f} | {percentile(steady, 95):.0f} | "
                f"{max(steady)} | {r['drained']:.1f} s |")
    lines += ["", "RSS in MiB (largest / at the end of the run):", "",
              "| backend | writer (largest) | projection worker | feed follower |",
              "|---|---|---|---|"]
    for r in results:
        cells = " | ".join(" / ".join(f"{x:.0f}" for x in r["rss"][role][1:])
                           for role in ("writer", "projector", "follower"))
        lines.append(f"| {r['backend']} | {cells} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--writers", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2000, help="cases in the store at start")
    parser.add_argument("--busy", type=int, default=50, help="size of the busy-case pool")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    results = [run(b, args.duration, args.writers, args.seed, args.busy)
               for b in args.backend or ["sqlite"]]
    print(report(results, args.writers, args.duration), flush=True)


if __name__ == "__main__":
    main()
