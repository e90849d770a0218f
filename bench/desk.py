"""The staff's desk (web/desk/): p50 and p95 of each desk page at N cases, beside the JSON API
for the same read.

    .venv/bin/python -m bench.desk --cases 100000 --backend sqlite --backend postgres \
        [--repeat 200] [--store sqlite=sqlite:///var/bench.sqlite]

The store is filled (or reused) as in bench/site.py (bench/registers.py's filler: ≈5.5
events per case over ten years), the registers caught up and ``ANALYZE``d. A person with
the roles registrar, officer and secretary, named as one of the filler's officers (so that
My work lists a few thousand open cases of theirs), signs in through the sign-in page (a
real server-side session, as in a browser); the API baselines send a bearer token of the
same roles. Each page is requested ``--repeat`` times in-process (Flask's test client: the
WSGI app, the session, the policy, the queries and the template; no HTTP server), with
parameters varied (words, dnrs, bodies; the as-of view as of today), in turns after 5
warm-up rounds (bench/site.py: ``_timed``). Timings are reported, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import re
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from bench.common import machine, set_up_bodies, store
from bench.site import WORDS, _dnrs, _timed

ROLES = ["registrar", "officer", "secretary"]


def requests_to_time(cases: int, rnd: random.Random) -> dict[str, Callable[[], str]]:
    """Each measured request: its name -> a function giving a (varied) URL."""
    from bench import registers as filler

    dnrs = _dnrs(cases, rnd)
    bodies = filler.BODIES[:2]
    return {
        "/app/ (My work)": lambda: "/app/",
        "/app/cases (newest 50)": lambda: "/app/cases",
        "/app/cases?q= (one word)": lambda: f"/app/cases?q={rnd.choice(WORDS)}",
        "/app/cases?body=&status=open": lambda: f"/app/cases?body={rnd.choice(bodies)}"
                                                "&status=open",
        "/app/cases/<dnr> (case page)": lambda: f"/app/cases/{rnd.choice(dnrs)}",
        "/app/cases/<dnr>/events (timeline)": lambda: f"/app/cases/{rnd.choice(dnrs)}/events",
        "/app/cases/<dnr>/as-of?date=": lambda: f"/app/cases/{rnd.choice(dnrs)}/as-of"
                                                f"?date={date.today()}",
        "/app/registers/decisions?body=": lambda: "/app/registers/decisions"
                                                  f"?body={rnd.choice(bodies)}",
        "/app/registers/referrals?status=outstanding":
            lambda: "/app/registers/referrals?status=outstanding",
        "/app/deadlines (open, overdue first)": lambda: "/app/deadlines",
        "API /api/registers/diary (baseline)": lambda: "/api/registers/diary",
        "API /api/registers/diary?q= (baseline)":
            lambda: f"/api/registers/diary?q={rnd.choice(WORDS)}",
        "API /api/cases/<dnr> (baseline)": lambda: f"/api/cases/{rnd.choice(dnrs)}",
        "API /api/cases/<dnr>/events (baseline)":
            lambda: f"/api/cases/{rnd.choice(dnrs)}/events",
        "API /api/audit/cases/<dnr>?as_of= (baseline)":
            lambda: f"/api/audit/cases/{rnd.choice(dnrs)}?as_of={date.today()}",
        "API /api/registers/deadlines?status=open (baseline)":
            lambda: "/api/registers/deadlines?status=open",
    }


def sign_in(client: Any, secret: str) -> None:
    """Sign ``client`` in to the desk through its sign-in page (a session cookie)."""
    form = client.get("/app/logga-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    answer = client.post("/app/logga-in", data={"token": secret, "csrf_token": token[1]})
    assert answer.status_code == 303, answer.status_code


def measure(backend: str, cases: int, repeat: int,
            reuse: str | None) -> dict[str, tuple[float, float]]:
    from bench import registers as filler
    from diarium.cases.application import Diarium
    from diarium.cases.tokens import TokenStore
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
        tokens = TokenStore.for_application(diarium)
        officer = filler.OFFICERS[0]
        for live in tokens.list():  # a reused store: the officer's token of an earlier run
            if live.name == officer:
                tokens.revoke(live.id, by="bench")
        desk_secret, _ = tokens.issue(name=officer, roles=ROLES, by="bench")
        api_secret, _ = tokens.issue(name=f"bench.api.{time.time_ns()}", roles=ROLES,
                                     by="bench")
        client = app.test_client()
        sign_in(client, desk_secret)
        bearer = {"Authorization": f"Bearer {api_secret}"}
        measured = {name: (url_of, bearer if name.startswith("API /api") else {})
                    for name, url_of in requests_to_time(cases, random.Random(7)).items()}
        results = _timed(client, measured, repeat)
        for name, (p50, p95) in results.items():
            flag = "" if p95 < 100 else "  (over 100 ms)"
            print(f"{backend:<8} {name:<52} {p50:7.2f} {p95:7.2f}{flag}", flush=True)
        engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
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


if __name__ == "__main__":
    main()
