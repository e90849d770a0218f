"""The public website's pages: p50 and p95 of each public page at N cases, beside the JSON
API.

    .venv/bin/python -m bench.site --cases 100000 --backend sqlite --backend postgres \
        [--repeat 200] [--store sqlite=sqlite:///var/bench.sqlite]

For each backend, a fresh store is filled with N cases made as in bench/registers.py
(≈5.5 events per case over ten years; 3 % with a public title) and RF and RS set up, or a
store bench/registers.py filled with the same ``--cases`` is reused (``--store``); the
registers are caught up and ``ANALYZE``d. Then each page of web/site/diary.py, the notice
board and the bodies' pages (web/site/board.py) and the open data (web/site/oparl.py) is requested
``--repeat`` times in-process (Flask's test client: the WSGI app, the route, the queries and
the template; no HTTP server), without ``If-None-Match`` (rendered every time), with
parameters varied (words, dnrs, days, bodies), in turns (one request of each per round, after
5 warm-up rounds), so that the machine's load falls on pages and baselines alike. The baselines are
the JSON API for the same reads in the same run: ``GET /api/registers/diary`` (the same
query, 20 rows, with a secretary's token: the same withholding and the same public-text
matching as the public) and ``GET /public/cases/<dnr>``. The page cache stays at its default
(as served). Timings are reported, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

from bench.common import machine, percentile, set_up_bodies, store

WORDS = ("samlokalisering", "politikerportal", "fordonshantering", "ambulanssjukvård",
         "tandvårdstaxa", "kulturstöd", "arkivreglemente", "miljöpolicy", "hjälpmedel",
         "investeringsbudget", "Kiruna", "Piteå", "yttrande", "upphandling", "riktlinje")


def _dnrs(cases: int, rnd: random.Random, count: int = 400) -> list[str]:
    """Random dnrs of a store filled with ``cases`` cases (as growth.py finds them)."""
    from bench import registers as filler

    per_year: dict[int, int] = {}
    for index in range(cases):
        year = (filler.EPOCH + timedelta(days=int(index * 3650 / cases))).year
        per_year[year] = per_year.get(year, 0) + 1
    years = list(per_year)
    return [f"{rnd.randint(1, per_year[y])}-{y}" for y in (rnd.choice(years)
                                                           for _ in range(count))]


def _day(rnd: random.Random) -> date:
    from bench import registers as filler

    return filler.EPOCH + timedelta(days=rnd.randint(0, 3649))


def requests_to_time(cases: int, rnd: random.Random) -> dict[str, Callable[[], str]]:
    """Each measured request: its name -> a function giving a (varied) URL."""
    dnrs = _dnrs(cases, rnd)

    def month() -> str:
        start = _day(rnd)
        return f"from={start}&to={start + timedelta(days=30)}"

    return {
        "/ (start page)": lambda: "/",
        "/diarium (newest)": lambda: "/diarium",
        "/diarium?q= (one word)": lambda: f"/diarium?q={rnd.choice(WORDS)}",
        "/diarium?body=&status=open": lambda: f"/diarium?body={rnd.choice(['RS', 'RF'])}"
                                              "&status=open",
        "/diarium?from=&to= (a month)": lambda: f"/diarium?{month()}",
        "/diarium/postlista?datum=": lambda: f"/diarium/postlista?datum={_day(rnd)}",
        "/diarium/<dnr>": lambda: f"/diarium/{rnd.choice(dnrs)}",
        "/anslagstavla": lambda: "/anslagstavla",
        "/organ": lambda: "/organ",
        "/organ/<code>": lambda: f"/organ/{rnd.choice(['RS', 'RF'])}",
        "/oparl/v1.1/system": lambda: "/oparl/v1.1/system",
        "/oparl/v1.1/body/RS/paper (a page of 20)":
            lambda: f"/oparl/v1.1/body/RS/paper?page={rnd.randint(1, 200)}",
        "/oparl/v1.1/paper/<dnr>": lambda: f"/oparl/v1.1/paper/{rnd.choice(dnrs)}",
        "API /api/registers/diary?q= (baseline)":
            lambda: f"/api/registers/diary?limit=20&q={rnd.choice(WORDS)}",
        "API /api/registers/diary (baseline)": lambda: "/api/registers/diary?limit=20",
        "API /api/registers/documents?registered_on= (baseline)":
            lambda: f"/api/registers/documents?limit=100&sort=registered&order=asc"
                    f"&registered_on={_day(rnd)}",
        "API /public/cases/<dnr> (baseline)": lambda: f"/public/cases/{rnd.choice(dnrs)}",
    }


def _timed(client: Any, measured: dict[str, tuple[Callable[[], str], dict[str, str]]],
           repeat: int) -> dict[str, tuple[float, float]]:
    """p50 and p95 ms of each request, taken in turns (one of each per round), so that a
    change in the machine's load falls on the pages and the baselines alike."""
    def once(url: Callable[[], str], headers: dict[str, str]) -> float:
        asked = url()
        started = time.perf_counter()
        response = client.get(asked, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (asked, response.status_code)
        return elapsed

    samples: dict[str, list[float]] = {name: [] for name in measured}
    for round_ in range(5 + repeat):
        for name, (url, headers) in measured.items():
            elapsed = once(url, headers)
            if round_ >= 5:  # the first 5 rounds warm up
                samples[name].append(elapsed)
    return {name: (percentile(s, 50), percentile(s, 95)) for name, s in samples.items()}


@contextlib.contextmanager
def filled_app(backend: str, cases: int, reuse: str | None) -> Iterator[tuple[Any, Any]]:
    """The application service and app on a store of ``cases`` cases (filled by
    bench/registers.py, or ``reuse``d), its bodies set up, the registers caught up and
    ``ANALYZE``d; its engine disposed of afterwards."""
    from bench import registers as filler
    from diarium.cases.application import Diarium
    from diarium.web import create_app

    filler.ARGS = argparse.Namespace(cases=cases)  # the filler spreads dates over ``cases``
    with contextlib.nullcontext(reuse) if reuse else store(backend) as url:
        diarium = Diarium(url, create_tables=True)
        if not diarium.recorder.max_notification_id():
            started = time.monotonic()
            events = filler.fill(diarium)
            set_up_bodies(diarium)
            print(f"{backend}: filled {events} events in {time.monotonic() - started:.0f} s",
                  flush=True)
        app = create_app(diarium)
        projector = app.extensions["diarium_projector"]
        projector.ensure_schema()
        started = time.monotonic()
        projector.catch_up()
        print(f"{backend}: registers caught up in {time.monotonic() - started:.0f} s",
              flush=True)
        engine = diarium.recorder.datastore.engine  # type: ignore[attr-defined]
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        yield diarium, app
        engine.dispose()


def measure(backend: str, cases: int, repeat: int,
            reuse: str | None) -> dict[str, tuple[float, float]]:
    from diarium.cases.tokens import TokenStore

    with filled_app(backend, cases, reuse) as (diarium, app):
        secret, _ = TokenStore.for_application(diarium).issue(
            name=f"bench.sekreterare.{time.time_ns()}", roles=["secretary"], by="bench")
        results = time_pages(app.test_client(), secret, requests_to_time(cases, random.Random(7)),
                             repeat)
        print_timed(backend, results, 50)
    return results


def time_pages(client: Any, api_secret: str, requests: dict[str, Callable[[], str]],
               repeat: int) -> dict[str, tuple[float, float]]:
    """p50 and p95 of each request (:func:`_timed`); the API baselines (named ``API /api…``)
    with the bearer ``api_secret``, the pages as ``client`` is (public, or signed in)."""
    bearer = {"Authorization": f"Bearer {api_secret}"}
    measured = {name: (url_of, bearer if name.startswith("API /api") else {})
                for name, url_of in requests.items()}
    return _timed(client, measured, repeat)


def print_timed(backend: str, results: dict[str, tuple[float, float]], target_ms: int) -> None:
    """Each page's p50 and p95, flagged when its p95 is over ``target_ms``."""
    for name, (p50, p95) in results.items():
        flag = "" if p95 < target_ms else f"  (over {target_ms} ms)"
        print(f"{backend:<8} {name:<58} {p50:7.2f} {p95:7.2f}{flag}", flush=True)


def pages_main(doc: str, measure: Any) -> None:
    """The command line of a page benchmark (this one and bench/desk.py): ``measure(backend,
    cases, repeat, reused store URL)`` per backend, then a Markdown table of the figures."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--store", action="append", default=[], metavar="BACKEND=URL",
                        help="reuse a store bench/registers.py filled with the same --cases")
    args = parser.parse_args()
    reuse = dict(s.split("=", 1) for s in args.store)
    backends = args.backend or ["sqlite"]
    results = {b: measure(b, args.cases, args.repeat, reuse.get(b)) for b in backends}
    print(f"\n| page (in-process, ms) | {' | '.join(f'{b} p50 / p95' for b in backends)} |")
    print(f"|---|{'---:|' * len(backends)}")
    for name in results[backends[0]]:
        cells = " | ".join(f"{results[b][name][0]:.2f} / {results[b][name][1]:.2f}"
                           for b in backends)
        print(f"| {name} | {cells} |")
    print(f"\n{args.cases:,} cases; {args.repeat} requests each; machine: {machine()}")


def main() -> None:
    pages_main(__doc__ or "", measure)


if __name__ == "__main__":
    main()
