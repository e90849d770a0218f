"""My work (Mitt arbete): the signed-in person's start page on the desk.

Four small tables, each read from the registers as the API's listings read them (the same
withholding for the reader, disclosures logged): my open cases (the diary, officer = me),
the open deadlines of those cases (overdue first), their referrals awaiting answers (sent
ones with recipients yet to answer, incoming ones we must answer), and for secretaries the
protocol extracts not yet sent by the bodies in their scope."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from flask import Response

from diarium.domain.roles import SECRETARY, STAFF
from diarium.projections.filters import Filter
from diarium.projections.listings import LISTINGS, Listing
from diarium.projections.queries import Page, Query
from diarium.web.auth import current_actor, requires
from diarium.web.desk.common import PREFIX, desk_blueprint, page
from diarium.web.desk.forms import form_links
from diarium.web.desk.registers import read, read_query, value_label
from diarium.web.register_csv import swedish_label

desk = desk_blueprint("desk_work")
MY_CASES = 100  # the open cases whose deadlines and referrals are read
SHOWN_CASES = 50  # of those, the newest listed


def by_dnrs(listing: Listing) -> Listing:
    """``listing`` (its columns, withholding and access) also filtered by several dnrs."""
    return replace(listing, filters=(*listing.filters, Filter(
        "dnrs", "string", "Diarienummer (several)", lambda t, v, _: t.c.dnr.in_(v))))


DEADLINES = by_dnrs(LISTINGS["deadlines"])
REFERRALS = by_dnrs(LISTINGS["referrals"])


def my_cases(name: str) -> Page:
    """The open cases whose officer is ``name``, newest first."""
    return read(LISTINGS["diary"], {"officer": name, "status": "open", "limit": str(MY_CASES)})


def of_cases(listing: Listing, dnrs: tuple[str, ...], status: str, sort: str) -> list[Any]:
    """The rows of ``listing`` with ``status`` for these cases, oldest due first."""
    if not dnrs:
        return []
    query = Query(listing, {"dnrs": dnrs, "status": status}, sort, "asc", 200, None)
    return read_query(query).items


def unsent_extracts(bodies: tuple[str, ...]) -> list[Any]:
    """The protocol extracts not yet sent, of ``bodies`` (none given: every body)."""
    found: list[Any] = []
    for body in bodies or (None,):
        args = {"status": "outstanding", "limit": "100", **({"body": body} if body else {})}
        found.extend(read(LISTINGS["extracts"], args).items)
    return found


def _labels_of(register: str) -> Any:
    """The Swedish column headers of ``register``, for the tables."""
    return lambda column: swedish_label(register, column)


@desk.get(f"{PREFIX}/")
@requires(*STAFF)
def my_work() -> Response:
    """My open cases, my deadlines, referrals awaiting answers, unsent extracts."""
    actor = current_actor()
    assert actor is not None  # the policy let a person through
    cases = my_cases(actor.name)
    dnrs = tuple(item["dnr"] for item in cases.items)
    extracts = (unsent_extracts(tuple(sorted(actor.bodies)))
                if actor.has_role(SECRETARY) else None)
    return page(
        "work.html", heading="Mitt arbete", cases=cases.items[:SHOWN_CASES],
        more_cases=len(cases.items) > SHOWN_CASES or cases.next_cursor is not None,
        deadlines=of_cases(DEADLINES, dnrs, "open", "due"),
        referrals=of_cases(REFERRALS, dnrs, "outstanding", "answer_by"),
        extracts=extracts, actions=form_links("cases.register_case"),
        labels_of=_labels_of, value_label=value_label,
        all_cases=f"{PREFIX}/cases?{urlencode({'officer': actor.name, 'status': 'open'})}",
    )
