"""The e-diary's reads: the diary and documents registers as a reader without a token gets
them (``Registers.page`` with no actor, as ``GET /api/registers/...`` answers it, so the
same withholding and the same matching on public text only), the public case
(``web/routes/public.py: public_case``), and the search form's parameters checked with
Swedish messages naming the field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from diarium.cases.application import CaseNotFound
from diarium.projections.filters import Filter, InvalidQuery
from diarium.projections.listings import LISTINGS
from diarium.projections.queries import Page, Query, Registers, UnknownCursor, parse
from diarium.web.routes.common import diarium
from diarium.web.routes.public import public_case
from diarium.web.routes.registers import projector
from diarium.web.schemas import cases as s

PAGE_SIZE = 20
POST_LIST_SIZE = 100
MAX_TRAIL = 50  # the cursors of earlier pages a link carries back ("Föregående")

# the search form's fields: name in the page's query string -> (register filter, label)
SEARCH_FIELDS: dict[str, tuple[str, str]] = {
    "q": ("q", "Sökord"),
    "dnr": ("dnr", "Diarienummer"),
    "body": ("body", "Ansvarigt organ"),
    "status": ("status", "Status"),
    "from": ("registered_from", "Registrerad från"),
    "to": ("registered_to", "Registrerad till"),
    "cursor": ("cursor", "Sida"),
}
STATUSES = {"open": "Pågående", "closed": "Avslutat", "cancelled": "Makulerat"}
DIRECTIONS = {"incoming": "Inkommande", "outgoing": "Utgående", "drawn_up": "Upprättad"}
CASE_SCHEMA = s.CaseSchema()  # made once: dumping keeps no state
# the diary listing (same columns, withholding and access) found by several dnrs at once
BY_DNRS = replace(LISTINGS["diary"], filters=(
    Filter("dnrs", "string", "Diarienummer (several)", lambda t, v, _: t.c.dnr.in_(v)),))


class BadParameter(ValueError):
    """A page's query parameter the page cannot use: its Swedish label and what is wrong."""

    def __init__(self, field: str, label: str, reason: str) -> None:
        super().__init__(f"{label}: {reason}")
        self.field, self.label, self.reason = field, label, reason


@dataclass(frozen=True)
class Search:
    """The search form as asked (blank fields dropped) and the page's trail of cursors."""

    values: dict[str, str]
    trail: list[str]

    @classmethod
    def of(cls, args: Mapping[str, str], trail: list[str]) -> Search:
        values = {k: args[k].strip() for k in SEARCH_FIELDS if args.get(k, "").strip()}
        if values.get("status") not in (None, *STATUSES):
            raise BadParameter("status", "Status", "välj pågående, avslutade eller alla")
        for name in ("from", "to"):
            if name in values:
                try:
                    date.fromisoformat(values[name])
                except ValueError:
                    raise BadParameter(name, SEARCH_FIELDS[name][1],
                                       "ange ett datum som ÅÅÅÅ-MM-DD") from None
        if "from" in values and "to" in values and values["from"] > values["to"]:
            raise BadParameter("to", "Registrerad till",
                               "får inte vara före ”Registrerad från”")
        return cls(values, trail[-MAX_TRAIL:])

    def register_args(self) -> dict[str, str]:
        return {SEARCH_FIELDS[k][0]: v for k, v in self.values.items()}

    def link(self, cursor: str | None, trail: list[str]) -> dict[str, Any]:
        """The query string of another page of the same search."""
        args: dict[str, Any] = {k: v for k, v in self.values.items() if k != "cursor"}
        if cursor:
            args["cursor"] = cursor
        if trail:
            args["prev"] = trail
        return args


def _read(name: str, args: dict[str, str], labels: Mapping[str, tuple[str, str]]) -> Page:
    """A page of register ``name`` for a reader without a token; a bad parameter or cursor
    raised as :class:`BadParameter` naming the page's field."""
    listing = LISTINGS[name]
    runner = projector()
    runner.ensure_schema()
    try:
        return Registers(runner).page(parse(listing, args), diarium().today(), None)
    except InvalidQuery as invalid:
        given = next(iter(invalid.problems))
        field, label = next(
            ((k, label) for k, (f, label) in labels.items() if f == given), (given, given))
        reason = ("högst 500 tecken" if "500 characters" in invalid.problems[given]
                  else "värdet kan inte användas")
        raise BadParameter(field, label, reason) from None
    except UnknownCursor:
        raise BadParameter("cursor", "Sida", "länken pekar inte på någon sida; börja om "
                           "sökningen") from None


def search_cases(search: Search) -> Page:
    """A page of the diary (newest registration first)."""
    return _read("diary", {**search.register_args(), "limit": str(PAGE_SIZE)}, SEARCH_FIELDS)


def latest_cases(count: int = 10) -> Page:
    """The cases registered last."""
    return _read("diary", {"limit": str(count)}, SEARCH_FIELDS)


def post_list(day: date, cursor: str | None) -> Page:
    """The documents registered in the diary on ``day``, in the order registered."""
    args = {"registered_on": day.isoformat(), "sort": "registered", "order": "asc",
            "limit": str(POST_LIST_SIZE)}
    if cursor:
        args["cursor"] = cursor
    return _read("documents", args, {"cursor": ("cursor", "Sida")})


def case_titles(dnrs: list[str]) -> dict[str, dict[str, Any]]:
    """The diary row (title withheld as for the public) of each of ``dnrs``: one page of the
    diary listing (its withholding, ``Registers.page`` with no actor) by a filter on several
    dnrs that only this module asks."""
    unique = tuple(dict.fromkeys(dnrs))
    if not unique:
        return {}
    runner = projector()
    runner.ensure_schema()
    query = Query(BY_DNRS, {"dnrs": unique}, "registered", "desc", len(unique), None)
    page = Registers(runner).page(query, diarium().today(), None)
    return {item["dnr"]: item for item in page.items}


def bodies() -> list[dict[str, Any]]:
    """The bodies set up (code, name), by code."""
    return _read("bodies", {"limit": "500"}, {}).items


def public_view(dnr: str) -> dict[str, Any] | None:
    """The case as ``GET /public/cases/<dnr>`` shows it (None: no such case)."""
    try:
        return public_case(CASE_SCHEMA.dump(diarium().view_case(dnr)))
    except CaseNotFound:
        return None


def markings(items: list[dict[str, Any]]) -> dict[str, str]:
    """The statute of the secrecy marking of each case in ``items`` whose title is withheld
    (read from the public case: the register row does not carry it)."""
    found: dict[str, str] = {}
    for item in items:
        if "title" in item.get("withheld", []) and item["dnr"] not in found:
            view = public_view(item["dnr"])
            marking = (view or {}).get("secrecy") or {}
            found[item["dnr"]] = marking.get("statute") or ""
    return found
