"""Run every benchmark at one size and write one report.

    python -m bench --size small|medium|large [--backend sqlite --backend postgres]
        [--output var/bench-report.md] [--only command,http,workload,growth]

PostgreSQL needs ``DIARIUM_TEST_POSTGRES_URL`` (``eval "$(bash .ci/postgres.sh)"``); each
benchmark makes and drops databases of its own there. The HTTP benchmark needs ``wrk``; the
growth plot needs the ``bench`` extra (matplotlib; without it the table is still written).

| size | command path (best of 2, interleaved) | HTTP (per request kind) | workload | growth |
|---|---|---|---|---|
| small | 100 lifecycles | 5 s | 15 s, 2 writers, 300 seed cases | 2k, 5k, 10k cases |
| medium | 300 lifecycles | 10 s | 30 s, 3 writers, 2,000 seed cases | 10k, 30k, 100k cases |
| large | 1,000 lifecycles | 30 s | 120 s, 4 writers, 10,000 seed cases | 10k, 100k, 1M cases |

Figures are reported, never asserted; on a shared machine compare the ratios, which are
measured against baselines in the same run.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import command_path, growth, http_path, workload
from bench.common import machine, store

SIZES = {
    "small": {"lifecycles": 100, "http": 5, "workload": (15, 2, 300), "growth": (2_000, 5_000,
                                                                               10_000)},
    "medium": {"lifecycles": 300, "http": 10, "workload": (30, 3, 2_000),
               "growth": (10_000, 30_000, 100_000)},
    "large": {"lifecycles": 1_000, "http": 30, "workload": (120, 4, 10_000),
              "growth": (10_000, 100_000, 1_000_000)},
}
PARTS = ("command", "http", "workload", "growth")


def command_section(backends: list[str], lifecycles: int) -> str:
    lines = ["| backend | diarium lifecycles/s | raw library lifecycles/s | ratio (goal ≥ 0.7) |",
             "|---|---:|---:|---:|"]
    for backend in backends:
        raws, ours = [], []
        for _ in range(2):  # interleaved, best of two each: a noisy neighbour hits both
            with store(backend) as url:
                raws.append(command_path.raw_lifecycles(url, lifecycles))
                ours.append(command_path.diarium_lifecycles(url, lifecycles))
        raw, mine = max(raws), max(ours)
        lines.append(f"| {backend} | {mine:.1f} | {raw:.1f} | {mine / raw:.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=list(SIZES), default="small")
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--output", default="var/bench-report.md")
    parser.add_argument("--only", default=",".join(PARTS),
                        help=f"comma-separated parts of {', '.join(PARTS)}")
    args = parser.parse_args()
    size = SIZES[args.size]
    backends = args.backend or (["sqlite", "postgres"] if os.environ.get(
        "DIARIUM_TEST_POSTGRES_URL") else ["sqlite"])
    parts = [p for p in args.only.split(",") if p]
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    sections = [f"# Benchmark report ({args.size})", "",
                f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {machine()}; "
                f"backends: {', '.join(backends)}."]

    def emit(title: str, body: str) -> None:
        sections.extend(["", f"## {title}", "", body])
        output.write_text("\n".join(sections) + "\n")
        print(f"\n## {title}\n\n{body}", flush=True)

    started = time.monotonic()
    if "command" in parts:
        emit(f"Command path ({size['lifecycles']} lifecycles)",
             command_section(backends, size["lifecycles"]))
    if "http" in parts:
        emit(f"HTTP path (gunicorn, 2 gthread workers × 8 threads; wrk 2 threads × 8 "
             f"connections, {size['http']} s each)",
             http_path.table(http_path.run(backends, size["http"])))
    if "workload" in parts:
        duration, writers, seed = size["workload"]
        results = [workload.run(b, duration, writers, seed, 50) for b in backends]
        emit("Realistic workload", workload.report(results, writers, duration))
    if "growth" in parts:
        rows = [growth.measure(b, n, 100) for b in backends for n in size["growth"]]
        body = growth.table(rows)
        try:
            plot = output.with_suffix(".growth.png")
            growth.plot(rows, str(plot))
            body += f"\n\n![growth]({plot.name})"
        except ImportError:
            body += "\n\n(no plot: install the `bench` extra for matplotlib)"
        emit("Growth", body)
    print(f"\nreport: {output} ({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
