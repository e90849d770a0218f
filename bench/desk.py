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

The secretary's pages are timed on a meeting of RS (2020-10-14, as the seed protocol) that
the bench records on the filled store through the API: the board's members, attendance, 25
paragraphs on RS cases of 2020 each with a decision (one with motions, a vote and a
reservation), closed, adjusted and posted.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from bench.site import WORDS, _dnrs, filled_app, pages_main, print_timed, time_pages
from tests.desk_support import sign_in

ROLES = ["registrar", "officer", "secretary"]
MEETING = "RS-2020-10-14"
PARAGRAPHS = 25


def record_meeting(app: Any, diarium: Any) -> None:
    """The meeting whose pages are timed (left as it is in a reused store)."""
    from diarium.cases.tokens import TokenStore
    from diarium.domain.meeting.terms import NotFound
    from diarium.domain.roles import ALL_ROLES
    from tests import meetings_support as ms

    try:
        diarium.meetings.get_meeting(MEETING)
        return
    except NotFound:
        pass
    secret, _ = TokenStore.for_application(diarium).issue(
        name=f"bench.setup.{time.time_ns()}", roles=list(ALL_ROLES), by="bench")
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    for name, party, role, position in ms.RS_MEMBERS:
        ms.ok(client.post("/api/bodies/RS/members", json={
            "name": name, "party": party, "role": role, "position": position,
            "period_from": "2019-01-01", "period_to": "2022-12-31"}), 201)
    assert ms.schedule(client) == MEETING
    ms.attend(client)
    generation, _ = app.extensions["diarium_projector"].active_generation("diary")
    with diarium.recorder.datastore.engine.connect() as conn:  # open RS cases of 2020
        dnrs = [row[0] for row in conn.exec_driver_sql(
            f"SELECT dnr, title FROM reg_case_g{generation} WHERE responsible_body = 'RS' "
            f"AND registered_on < '2020-09-01' AND status = 'open' ORDER BY id DESC "
            f"LIMIT {PARAGRAPHS}")]
    for dnr in dnrs:
        number = ms.paragraph(client, f"Ärende {dnr}", dnr)
        if dnr == dnrs[0]:
            ms.ok(ms.motion(client, number, "Anders Öberg", "avslå förslaget."), 201)
        ms.ok(ms.decide(client, number), 201)
    ms.close_and_adjust(client)
    ms.ok(client.post(f"/api/meetings/{MEETING}/posting", json={"posted_on": "2020-10-20"}))


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
        "/app/meetings (by body)": lambda: "/app/meetings?body=RS",
        "/app/meetings/<ref> (meeting page)": lambda: f"/app/meetings/{MEETING}",
        "/app/meetings/<ref>/protocol (preview)": lambda: f"/app/meetings/{MEETING}/protocol",
        "/app/meetings/<ref>/attendance (form)": lambda: f"/app/meetings/{MEETING}/attendance",
        "API /api/meetings/<ref> (baseline)": lambda: f"/api/meetings/{MEETING}",
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


def measure(backend: str, cases: int, repeat: int,
            reuse: str | None) -> dict[str, tuple[float, float]]:
    from bench import registers as filler
    from diarium.cases.tokens import TokenStore

    with filled_app(backend, cases, reuse) as (diarium, app):
        projector = app.extensions["diarium_projector"]
        tokens = TokenStore.for_application(diarium)
        officer = filler.OFFICERS[0]
        for live in tokens.list():  # a reused store: the officer's token of an earlier run
            if live.name == officer:
                tokens.revoke(live.id, by="bench")
        desk_secret, _ = tokens.issue(name=officer, roles=ROLES, by="bench")
        api_secret, _ = tokens.issue(name=f"bench.api.{time.time_ns()}", roles=ROLES,
                                     by="bench")
        record_meeting(app, diarium)
        projector.catch_up()
        client = app.test_client()
        assert sign_in(client, desk_secret).status_code == 303  # tests/desk_support.py
        results = time_pages(client, api_secret, requests_to_time(cases, random.Random(7)),
                             repeat)
        print_timed(backend, results, 100)
    return results


def main() -> None:
    pages_main(__doc__ or "", measure)


if __name__ == "__main__":
    main()
