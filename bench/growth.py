"""Growth: how register queries, case reads and a rebuild grow with the number of cases.

    python -m bench.growth --sizes 10000,30000,100000 --backend sqlite --backend postgres \
        [--plot docs/growth.png]

For each size, a fresh store is filled with that many cases made as in bench/registers.py
(≈5.5 events per case, dates spread over ten years, written with the application recorder
in batches of 1,000 cases), then:

* rebuild: every projection rebuilt from the whole log into fresh tables (``Projector.rebuild``,
  as ``diarium projections rebuild`` does), seconds;
* register queries (``Registers.page``, 50 rows): p50 and p95 over ``--repeat`` runs of four
  typical ones (newest cases; open cases of a body; one-word full text; one dnr);
* case read: ``Diarium.view_case`` of random cases, each read once (so never from the
  aggregate cache: the case's events are selected and replayed), p50 and p95.

With ``--plot`` (needs the ``bench`` extra: matplotlib) a log-log plot of the medians is
written. Timings are reported, never asserted.

Large sizes take long to fill (1,000,000 cases ≈ 30 min per backend here), so a size can reuse
a store filled by ``bench/registers.py`` with the same ``--cases`` (same dnrs and dates):
``--store sqlite:1000000=sqlite:///var/bench-1m.sqlite``. Its log is left as it is; its
registers are rebuilt into a new generation, as for a fresh store. ``--results FILE`` keeps
each row in a JSON file, so rows measured in separate runs make one table and one plot
(``--table-only`` prints the table and draws the plot from that file without measuring).
``bench/registers.py --growth-results FILE`` adds the row of its own store to such a file:
its catch-up from position 0 into empty tables is the work of a rebuild (without the swap),
so a 1,000,000-case row costs no second projection of the whole log.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import time
from pathlib import Path
from typing import Any

from bench.common import machine, percentile, store

QUERIES = ("diary: newest cases", "diary: status=open, body", "diary: full text (one word)",
           "diary: one dnr")


def _timed(call: Any, repeat: int) -> tuple[float, float]:
    for _ in range(5):
        call()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return percentile(samples, 50), percentile(samples, 95)


def measure(backend: str, cases: int, repeat: int, reuse: str | None = None) -> dict[str, Any]:
    from bench import registers as filler
    from diarium.cases.application import Diarium
    from diarium.projections.queries import Registers
    from diarium.projections.runner import Projector

    os.environ["DIARIUM_PAGE_CACHE"] = "0"  # time the queries, not the page cache
    filler.ARGS = argparse.Namespace(cases=cases)  # the filler spreads dates over ``cases``
    with contextlib.nullcontext(reuse) if reuse else store(backend) as url:
        diarium = Diarium(url, create_tables=True)
        started = time.monotonic()
        events = diarium.recorder.max_notification_id() or filler.fill(diarium)
        fill_seconds = None if reuse else time.monotonic() - started
        projector = Projector(diarium, batch_size=2000)
        projector.ensure_schema()
        started = time.monotonic()
        for name in projector.projections:
            projector.rebuild(name, grace=0)
        rebuild_seconds = time.monotonic() - started
        engine = diarium.recorder.datastore.engine  # type: ignore[attr-defined]
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        rnd = random.Random(7)
        available = filler.queries(Registers(projector), rnd)
        query_times = {name: _timed(available[name], repeat) for name in QUERIES}
        read = case_reads(url, cases, rnd, repeat)
        engine.dispose()
    return {"backend": backend, "cases": cases, "events": events,
            "fill": events / fill_seconds if fill_seconds else None, "rebuild": rebuild_seconds,
            "queries": query_times, "read": read}


def case_reads(url: str, cases: int, rnd: random.Random, repeat: int) -> tuple[float, float]:
    """p50 and p95 ms of ``Diarium.view_case`` of random cases of a store filled with
    ``cases`` cases by bench/registers.py, each read once (never from the aggregate cache)."""
    from bench import registers as filler
    from diarium.cases.application import Diarium

    per_year: dict[int, int] = {}
    for index in range(cases):  # the dnrs the filler gave, without reading them back
        year = filler.EPOCH.year + int(index * 3650 / cases) // 365
        per_year[year] = per_year.get(year, 0) + 1
    dnrs = [f"{rnd.randint(1, count)}-{year}" for year, count in per_year.items()
            for _ in range(50)]
    unique = list(dict.fromkeys(dnrs))
    rnd.shuffle(unique)
    cold = Diarium(url)
    order = iter(unique)
    read = _timed(lambda: _read(cold, order), min(repeat, len(unique) - 10))
    cold.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
    return read


def add_row(path: str, row: dict[str, Any]) -> None:
    """Add (or replace) ``row`` in the JSON results file at ``path``."""
    rows = json.loads(Path(path).read_text()) if Path(path).exists() else []
    rows = [r for r in rows if (r["backend"], r["cases"]) != (row["backend"], row["cases"])]
    Path(path).write_text(json.dumps([*rows, row], indent=1))


def _read(diarium: Any, dnrs: Any) -> None:
    """Read the next case of ``dnrs`` that exists (a dnr drawn past a year's last is skipped)."""
    for dnr in dnrs:
        try:
            diarium.view_case(dnr)
            return
        except LookupError:
            continue


def table(rows: list[dict[str, Any]]) -> str:
    head = " | ".join(f"{q} p50/p95 ms" for q in QUERIES)
    lines = [f"| backend | cases | events | rebuild s | rebuild ev/s | case read p50/p95 ms | "
             f"{head} |", "|---|---:|---:|---:|---:|---|" + "---|" * len(QUERIES)]
    for r in rows:
        cells = " | ".join(f"{p50:.1f} / {p95:.1f}" for p50, p95 in
                           (r["queries"][q] for q in QUERIES))
        lines.append(
            f"| {r['backend']} | {r['cases']:,} | {r['events']:,} | {r['rebuild']:.0f} | "
            f"{r['events'] / r['rebuild']:,.0f} | {r['read'][0]:.1f} / {r['read'][1]:.1f} | "
            f"{cells} |")
    return "\n".join(lines)


def plot(rows: list[dict[str, Any]], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for backend in sorted({r["backend"] for r in rows}):
        mine = sorted((r for r in rows if r["backend"] == backend), key=lambda r: r["cases"])
        sizes = [r["cases"] for r in mine]
        left.plot(sizes, [r["read"][0] for r in mine], marker="o", label=f"{backend}: case read")
        for name in QUERIES:
            left.plot(sizes, [r["queries"][name][0] for r in mine], marker=".",
                      linestyle="--", label=f"{backend}: {name}")
        right.plot(sizes, [r["rebuild"] for r in mine], marker="o", label=backend)
    left.set(xscale="log", yscale="log", xlabel="cases", ylabel="p50 ms",
             title="Reads and register queries")
    right.set(xscale="log", yscale="log", xlabel="cases", ylabel="seconds",
              title="Rebuild of every register")
    left.legend(fontsize=6)
    right.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,30000,100000")
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--plot", default=None, help="write a PNG plot here")
    parser.add_argument("--store", action="append", default=[], metavar="BACKEND:CASES=URL",
                        help="reuse a store filled by bench/registers.py for this size")
    parser.add_argument("--results", default=None,
                        help="JSON file of rows: read, this run's rows added, written back")
    parser.add_argument("--table-only", action="store_true",
                        help="print the table (and plot) of --results without measuring")
    args = parser.parse_args()
    print(f"machine: {machine()}", flush=True)
    if args.table_only:
        args.sizes = ""
    reuse = {key: url for key, _, url in (s.partition("=") for s in args.store)}
    rows = json.loads(Path(args.results).read_text()) if args.results and Path(
        args.results).exists() else []
    for backend in args.backend or ["sqlite"]:
        for cases in (int(s) for s in args.sizes.split(",") if s):
            row = measure(backend, cases, args.repeat, reuse.get(f"{backend}:{cases}"))
            rows = [r for r in rows if (r["backend"], r["cases"]) != (backend, cases)] + [row]
            print(f"  {backend} {cases}: rebuild {row['rebuild']:.0f} s", flush=True)
            if args.results:
                add_row(args.results, row)
    rows.sort(key=lambda r: (r["backend"], r["cases"]))
    print(table(rows), flush=True)
    if args.plot:
        plot(rows, args.plot)
        print(f"plot: {args.plot}")


if __name__ == "__main__":
    main()
