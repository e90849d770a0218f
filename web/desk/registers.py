"""The registers on the desk: each listing the API offers (projections/listings.py) as a
table with its filters, pages (keyset cursor) and CSV, and the deadlines, overdue first.

Every read goes the API's way: the query string is parsed by the listing's own ``parse``,
the page read by ``Registers.page`` for the signed-in person (the same withholding of
secret fields and the same matching on public text only), the disclosures logged
(``read_logger``), and the CSV streamed by the API's own writer (web/routes/registers.py,
web/register_csv.py). Nothing here decides what a reader may see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, request

from diarium.domain.roles import STAFF
from diarium.projections.filters import InvalidQuery
from diarium.projections.listings import LISTINGS, Listing
from diarium.projections.queries import Page, Query, Registers, UnknownCursor, parse
from diarium.projections.registers.deadlines import RULES as deadline_rules
from diarium.web.auth import current_actor, requires
from diarium.web.desk.common import PREFIX, desk_blueprint, page
from diarium.web.disclosure import read_logger
from diarium.web.register_csv import (
    DEFAULT_DIALECT,
    DIALECTS,
    SWEDISH_LABELS,
    SWEDISH_VALUES,
    swedish_label,
)
from diarium.web.routes.common import diarium
from diarium.web.routes.registers import _csv as csv_stream
from diarium.web.routes.registers import projector

desk = desk_blueprint("desk_registers")

TITLES = {
    "diary": "Diariet", "documents": "Handlingar", "decisions": "Beslut",
    "reservations": "Reservationer", "conflicts": "Jäv", "extracts": "Protokollsutdrag",
    "meetings": "Sammanträden", "bodies": "Organ", "referrals": "Remisser",
    "deadlines": "Frister och bevakningar",
}
assert set(TITLES) == set(LISTINGS), "a Swedish title for every register"
# the columns each table shows (the CSV has them all); default: every field
SHOWN = {
    "diary": ("dnr", "title", "status", "responsible_body", "officer", "registered_on",
              "last_activity"),
    "documents": ("dnr", "number", "date", "direction", "counterpart", "description"),
    "decisions": ("dnr", "title", "body", "paragraph", "kind", "text", "decided_on",
                  "delegate", "legal_force_on"),
    "referrals": ("dnr", "title", "direction", "recipient", "sender", "sent_on", "answer_by",
                  "answered_on", "status"),
    "deadlines": ("due_on", "status", "rule", "subject", "dnr", "body", "meeting_ref", "law"),
    "extracts": ("dnr", "meeting_ref", "paragraph", "recipient", "decided_on", "sent_on",
                 "status"),
}
FILTER_LABELS = {
    "q": "Sökord", "status": "Status", "body": "Organ", "unit": "Enhet",
    "officer": "Handläggare", "series": "Diarieserie", "year": "År", "dnr": "Diarienummer",
    "secret": "Sekretessmarkerad", "direction": "Riktning", "counterpart":
    "Avsändare/mottagare", "registered_on": "Registrerad dagen", "kind": "Typ",
    "delegated": "Delegationsbeslut", "delegate": "Delegat", "point": "Delegationspunkt",
    "meeting": "Sammanträde", "paragraph": "Paragraf", "legal_force": "Har vunnit laga kraft",
    "member": "Ledamot", "party": "Parti", "recipient": "Mottagare", "sender": "Avsändare",
    "overdue": "Försenad", "parent": "Under organ",
}
RANGE_LABELS = {
    "registered": "Registrerad", "activity": "Senaste händelse", "closed": "Avslutad",
    "date": "Handlingens datum", "decided": "Beslutad", "meeting": "Sammanträdesdag",
    "sent": "Skickad", "answer_by": "Svar senast", "due": "Sista dag",
}
KIND_REASONS = {
    "date": "Ange ett datum som ÅÅÅÅ-MM-DD.", "integer": "Ange ett heltal (1–9999 för år).",
    "boolean": "Välj ja eller nej.", "enum": "Välj ett av alternativen.",
}
OTHER_REASONS = {
    "sort": "Välj en av sorteringarna.", "order": "Välj stigande eller fallande.",
    "limit": "Ange ett antal från 1 till 500.",
    "cursor": "Sidan finns inte längre. Börja om från första sidan.",
}
# the Swedish words of values the CSV leaves as they are
DESK_VALUES = {
    "kind": {**{kind: text for kind, (text, _) in deadline_rules.items()},
             "decided": "beslut", "proposed_to_higher_body": "förslag till högre organ",
             "noted": "anmält"},
}
PAGE_ROWS = "50"


def filter_label(name: str) -> str:
    """A filter's Swedish label (``registered_from`` → "Registrerad från")."""
    for suffix, word in (("_from", "från"), ("_to", "till")):
        if name.endswith(suffix) and name.removesuffix(suffix) in RANGE_LABELS:
            return f"{RANGE_LABELS[name.removesuffix(suffix)]} {word}"
    return FILTER_LABELS.get(name) or SWEDISH_LABELS.get(name, name)


def value_label(column: str, value: Any) -> str:
    """A cell as the desk shows it: booleans as ja/nej, enumerations in Swedish."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nej"
    words = SWEDISH_VALUES.get(column, {}) or DESK_VALUES.get(column, {})
    return words.get(value, str(value))


def swedish_problems(listing: Listing, problems: dict[str, str]) -> dict[str, str]:
    """The register's refusal of a query, per field in Swedish."""
    found = {}
    for name in problems:
        spec = listing.filter_map.get(name)
        if spec is not None:
            found[name] = KIND_REASONS.get(spec.kind, "Högst 500 tecken.")
        else:
            found[name] = OTHER_REASONS.get(name, "Okänt filter.")
    return found


def given(args: dict[str, str]) -> dict[str, str]:
    """The query string as a form sends it: blank fields filter nothing."""
    return {k: v for k, v in args.items() if v.strip()}


def read(listing: Listing, args: dict[str, str]) -> Page:
    """A page of ``listing`` for the signed-in person, as ``GET /api/registers/<name>``
    reads it: parsed (:class:`InvalidQuery`), withheld, disclosures logged."""
    return read_query(parse(listing, args))


def read_query(query: Query) -> Page:
    """A page of an already parsed query (a listing of the desk's own: :data:`by_dnrs`)."""
    runner = projector()
    runner.ensure_schema()
    found = Registers(runner).page(query, diarium().today(), current_actor())
    read_logger()(found.disclosed)
    return found


def csv_answer(listing: Listing, args: dict[str, str]) -> Response | dict[str, str]:
    """The whole listing as the API's CSV (``dialect``: excel or excel-sv), or the problems
    of the query in Swedish."""
    runner = projector()
    runner.ensure_schema()
    dialect = DIALECTS.get(args.get("dialect") or DEFAULT_DIALECT)
    if dialect is None:
        return {"dialect": "Välj excel eller excel-sv."}
    try:
        query = parse(listing, args)
        registers = Registers(runner)
        today, actor = diarium().today(), current_actor()
        registers.page(Query(listing, query.filters, query.sort, query.order, 1, query.cursor),
                       today, actor)  # a bad cursor is refused before the stream starts
    except InvalidQuery as invalid:
        return swedish_problems(listing, invalid.problems)
    except UnknownCursor:
        return {"cursor": OTHER_REASONS["cursor"]}
    return csv_stream(listing, registers, query, today, actor, dialect)


def listing_page(
    listing: Listing, *, heading: str, template: str = "register.html",
    defaults: dict[str, str] | None = None, csv_url: str, errors: dict[str, str] | None = None,
    **context: Any,
) -> Response:
    """The table page of ``listing`` with its filter form (400 with the problems in Swedish
    next to their fields for a query it cannot use)."""
    args = {**(defaults or {}), **request.args.to_dict()}
    args = given({"limit": PAGE_ROWS, **args})
    errors = dict(errors or {})
    found = None
    if not errors:
        try:
            found = read(listing, args)
        except InvalidQuery as invalid:
            errors = swedish_problems(listing, invalid.problems)
        except UnknownCursor:
            errors = {"cursor": OTHER_REASONS["cursor"]}
    filters = {k: v for k, v in args.items()  # what the links carry on (a page size asked)
               if k != "cursor" and (k != "limit" or "limit" in request.args)}
    return page(
        template, 400 if errors else 200, heading=heading, listing=listing, found=found,
        errors=errors, values=args, filters=filters, csv_url=csv_url,
        columns=SHOWN.get(listing.name, tuple(f for f in listing.fields if f != "withheld")),
        filter_label=filter_label, column_label=lambda c: swedish_label(listing.name, c),
        value_label=value_label, **context,
    )


def csv_page(listing: Listing, args: dict[str, str], table: Callable[..., Response]) -> Response:
    """The CSV download of a desk table, or (400) its ``table`` page with the problems in
    Swedish next to their filters."""
    answer = csv_answer(listing, given(args))
    if isinstance(answer, Response):
        return answer
    return table(errors=answer)


def _register_views(listing: Listing) -> None:
    """``/app/registers/<name>`` (the table) and ``/app/registers/<name>.csv``, with the
    policy of the API's listing."""
    url = f"{PREFIX}/registers/{listing.name}"

    def view(errors: dict[str, str] | None = None) -> Response:
        return listing_page(listing, heading=TITLES[listing.name], csv_url=f"{url}.csv",
                            errors=errors)

    def download() -> Response:
        return csv_page(listing, request.args.to_dict(), view)

    view.__name__, download.__name__ = listing.name, f"{listing.name}_csv"
    view.__doc__ = f"The register {listing.name} as a table with its filters."
    download.__doc__ = f"The register {listing.name} as CSV."
    desk.add_url_rule(url, view.__name__, requires(*STAFF)(view))
    desk.add_url_rule(f"{url}.csv", download.__name__, requires(*STAFF)(download))


for _listing in LISTINGS.values():
    _register_views(_listing)


@desk.get(f"{PREFIX}/registers")
@requires(*STAFF)
def index() -> Response:
    """The registers, each with its Swedish title."""
    return page("registers.html", heading="Register",
                registers=[(TITLES[name], f"{PREFIX}/registers/{name}", name)
                           for name in LISTINGS])


def _open_by_default() -> dict[str, str]:
    """The deadlines' status unless one is asked (a blank one: all)."""
    return {} if "status" in request.args else {"status": "open"}


@desk.get(f"{PREFIX}/deadlines")
@requires(*STAFF)
def open_deadlines(errors: dict[str, str] | None = None) -> Response:
    """The deadlines register: open ones (overdue first) unless another status is asked."""
    return listing_page(LISTINGS["deadlines"], heading="Frister", defaults=_open_by_default(),
                        csv_url=f"{PREFIX}/deadlines.csv", errors=errors,
                        intro="Frister och bevakningar; utan annat val de öppna, med de "
                              "försenade först.")


@desk.get(f"{PREFIX}/deadlines.csv")
@requires(*STAFF)
def open_deadlines_csv() -> Response:
    """The deadlines register as CSV (the same filters as the page)."""
    return csv_page(LISTINGS["deadlines"], {**_open_by_default(), **request.args.to_dict()},
                    open_deadlines)
