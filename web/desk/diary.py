"""The diary on the desk (``/app/cases``): the diary register searched with its own filters
(those ``GET /api/registers/diary`` takes: words, status, body, officer, dates, …) as a
table, page by page, and the same CSV as the API (``/app/cases.csv``)."""

from __future__ import annotations

from flask import Response, request

from diarium.domain.roles import STAFF
from diarium.projections.listings import LISTINGS
from diarium.web.auth import requires
from diarium.web.desk.common import PREFIX, desk_blueprint
from diarium.web.desk.forms import form_links
from diarium.web.desk.registers import csv_page, listing_page

desk = desk_blueprint("desk_diary")
DIARY = LISTINGS["diary"]


@desk.get(f"{PREFIX}/cases")
@requires(*STAFF)
def search(errors: dict[str, str] | None = None) -> Response:
    """Search the diary: a table of cases with the register's filters."""
    return listing_page(
        DIARY, heading="Diariet", csv_url=f"{PREFIX}/cases.csv", errors=errors,
        intro="Sök bland ärendena. Ett sökord matchar ärendemening, handlingar, beslut och "
              "filernas text; det du inte får läsa av ett sekretessärende söks inte i.",
        actions=form_links("cases.register_case"),
    )


@desk.get(f"{PREFIX}/cases.csv")
@requires(*STAFF)
def search_csv() -> Response:
    """The diary search as CSV (every matching case; the API's columns)."""
    return csv_page(DIARY, request.args.to_dict(), search)
