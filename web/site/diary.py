"""The e-diary (diariet): start page, search and browse, the daily post list, a case page.

Every page reads what a reader without a token may read (``web/site/diary_queries.py``):
the registers through ``Registers.page`` with no actor, a case through ``public_case``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, make_response, request

from diarium.web.auth import public
from diarium.web.routes.common import diarium
from diarium.web.site import diary_queries as dq
from diarium.web.site.common import public_page, render

site = Blueprint("site_diary", __name__)

Answer = str | tuple[str, int]


def _labels() -> dict[str, Any]:
    """What the templates name things by: statuses, directions, the bodies set up."""
    bodies = dq.bodies()
    return {"statuses": dq.STATUSES, "directions": dq.DIRECTIONS, "bodies": bodies,
            "body_names": {b["code"]: b["name"] for b in bodies}}


def _bad(error: dq.BadParameter) -> tuple[str, int]:
    return render("diary_error.html", heading="Felaktig sökning", error=error), 400


@site.after_request
def swedish_refusals(response: Response) -> Response:
    """A parameter the app refuses before any page runs (web/routes/query.py: control
    characters and the like, answered as problem+json) answered as a Swedish page instead:
    400 naming the field, or the 404 page of a case (the app's headers are set after)."""
    if response.mimetype != "application/problem+json" or response.status_code not in (400, 404):
        return response
    if response.status_code == 404:
        return make_response(render("diary_error.html", heading="Ärendet finns inte"), 404)
    named = [p.get("name", "") for p in (response.get_json() or {}).get("invalid-params", [])]
    name = named[0] if named else ""
    label = dq.SEARCH_FIELDS.get(name, ("", {"datum": "Datum"}.get(name, name)))[1]
    return make_response(_bad(dq.BadParameter(name, label, "otillåtna tecken")))


@site.get("/")
@public
@public_page
def start() -> Answer:
    """Startsidan: sökruta, senast registrerade ärenden, länkar till anslagstavlan och
    organen."""
    latest = dq.latest_cases()
    return render("diary_start.html", heading="Välkommen till diariet", cases=latest.items,
                  markings=dq.markings(latest.items), **_labels())


@site.get("/diarium")
@public
@public_page
def search() -> Answer:
    """Sök och bläddra i diariet: ord, diarienummer, datum, organ, status; sida för sida."""
    try:
        asked = dq.Search.of(request.args, request.args.getlist("prev"))
        page = dq.search_cases(asked)
    except dq.BadParameter as error:
        return _bad(error)
    cursor = asked.values.get("cursor")
    previous = None
    if cursor:
        previous = asked.link(asked.trail[-1] if asked.trail else None, asked.trail[:-1])
    following = None
    if page.next_cursor:
        following = asked.link(page.next_cursor, [*asked.trail, cursor] if cursor else [])
    return render("diary_search.html", heading="Sök i diariet", form=asked.values,
                  cases=page.items, markings=dq.markings(page.items), previous=previous,
                  following=following, **_labels())


@site.get("/diarium/postlista")
@public
@public_page
def post_list() -> Answer:
    """Postlistan: varje handling som registrerats en dag, inkommande och utgående."""
    raw = request.args.get("datum", "").strip()
    try:
        day = date.fromisoformat(raw) if raw else diarium().today()
    except ValueError:
        return _bad(dq.BadParameter("datum", "Datum", "ange ett datum som ÅÅÅÅ-MM-DD"))
    try:
        page = dq.post_list(day, request.args.get("cursor") or None)
    except dq.BadParameter as error:
        return _bad(error)
    return render("diary_post_list.html", heading=f"Postlista {day.isoformat()}", day=day,
                  documents=page.items, next_cursor=page.next_cursor,
                  cases=dq.case_titles([d["dnr"] for d in page.items]),
                  yesterday=_shifted(day, -1), tomorrow=_shifted(day, 1),
                  **_labels())


def _shifted(day: date, days: int) -> date | None:
    """The day ``days`` from ``day`` (None beyond the calendar's ends)."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return None


@site.get("/diarium/<path:dnr>")
@public
@public_page
def case(dnr: str) -> Answer:
    """Ett ärende: dess offentliga registeruppgifter, handlingar och beslut."""
    view = dq.public_view(dnr)
    if view is None:
        return render("diary_error.html", heading="Ärendet finns inte", dnr=dnr), 404
    withheld = set(view["withheld"])
    return render("diary_case.html", heading=f"Ärende {view['dnr']}", case=view,
                  withheld=withheld, **_labels())
