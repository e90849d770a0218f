"""Open data: the public register as OParl 1.1 JSON (``/oparl/v1.1/...``).

The System lists the bodies; each body is an OParl Body and an Organization, with its
members (Person, Membership, parties as Organizations), meetings (Meeting with its
AgendaItems, Consultations and the adjusted protocol as a File), cases (Paper) and the mandate
periods (LegislativeTerm). Everything is what the public may read: a case through
``public_case``, a meeting with its cases' markings withheld, free texts masked; objects are
ordered and dated by the log (oparl_index.py), lists paged (oparl_lists.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, current_app, g, jsonify

from diarium.web.auth import public
from diarium.web.disclosure import public_meeting
from diarium.web.routes.common import diarium, query
from diarium.web.routes.public import public_case
from diarium.web.routes.query import InvalidQuery, invalid_query_response
from diarium.web.schemas.cases import CaseSchema
from diarium.web.site import oparl_objects as o
from diarium.web.site.common import public_page, site_context
from diarium.web.site.diary_queries import case_titles
from diarium.web.site.oparl_index import Appointment, Entry, Index, current_index
from diarium.web.site.oparl_lists import external_list

site = Blueprint("site_oparl", __name__, url_prefix="/oparl/v1.1")
site.register_error_handler(InvalidQuery, invalid_query_response)

Member = tuple[Appointment, Any]  # an appointment and the body's Membership

LIST_PARAMETERS = (
    "{in: query, name: page, schema: {type: integer, minimum: 1, maximum: 1000000000},"
    ' description: "The page, from 1"}',
    "{in: query, name: limit, schema: {type: integer, minimum: 1, maximum: 100},"
    ' description: "Objects per page (default 20)"}',
)


def route(path: str, summary: str, listing: bool = False) -> Callable[[Any], Any]:
    """An open data route: public, answered conditionally (``public_page``) and described
    in the OpenAPI document (an OParl object, or an external list with ``page`` and
    ``limit``; its filters: docs/site.md)."""
    described = query(summary, "{type: object}",
                      f"An OParl 1.1 {'external list' if listing else 'object'}",
                      parameters=LIST_PARAMETERS if listing else ())

    def decorate(view: Any) -> Any:
        return site.get(path)(public(public_page(described(view))))

    return decorate


def index() -> Index:
    return current_index(diarium(), current_app.extensions)


def entry(kind: str, key: str) -> Entry:
    found = index().entry(kind, key)
    if found is None:
        abort(404)
    return found


def _times(item: Entry) -> tuple[Any, Any]:
    return item.created, item.modified


def _members(code: str | None = None) -> list[Member]:
    """Every appointment (of one body, or of all), with the body's membership (read once
    per request)."""
    if "oparl_members" not in g:
        out = []
        for body in list(index().listed["body"]):
            members = diarium().bodies.get_body(body.key).members
            out.extend(zip(index().appointments.get(body.key, []), members, strict=False))
        g.oparl_members = sorted(out, key=lambda pair: pair[0].position)
    return [m for m in g.oparl_members if code is None or m[0].body == code]


def _persons(code: str | None = None) -> dict[str, list[Member]]:
    """The persons named in bodies (in one body, or in any): every membership they hold."""
    everyone: dict[str, list[Member]] = {}
    for held, member in _members():
        everyone.setdefault(member.name, []).append((held, member))
    if code is None:
        return everyone
    return {name: held for name, held in everyone.items()
            if any(a.body == code for a, _ in held)}


def _parties(code: str) -> dict[str, list[Appointment]]:
    parties: dict[str, list[Appointment]] = {}
    for held, member in _members(code):
        if member.party:
            parties.setdefault(member.party, []).append(held)
    return parties


def _meeting(ref: str) -> tuple[Entry, Any]:
    found = entry("meeting", ref)
    return found, public_meeting(diarium().meetings.get_meeting(ref))


def _meeting_object(found: Entry, shown: Any) -> dict[str, Any]:
    names = set(_persons())
    body = diarium().bodies.get_body(shown.body)
    return o.meeting(found, shown, body.name, names.__contains__)


def _paper(found: Entry, row: dict[str, Any] | None = None) -> dict[str, Any]:
    """A case as an OParl Paper: from its diary row (``row``, withheld as for the public:
    a list reads a page's rows in one query) or its public view."""
    case = row or public_case(CaseSchema().dump(diarium().view_case(found.key)))
    consultations = []
    for ref, number in index().consultations.get(found.key, []):
        at, shown = _meeting(ref)
        consultations.append(o.consultation(at, shown, number, paper=True))
    return o.paper(found, case, consultations)


def _body(found: Entry) -> dict[str, Any]:
    return o.body(index(), found, diarium().bodies.get_body(found.key), diarium().today())


def _organization(found: Entry) -> dict[str, Any]:
    return o.organization(found, diarium().bodies.get_body(found.key), index())


# -- the system and the bodies ----------------------------------------------------------------


@route("/system", "Open data: the OParl 1.1 System (entry point)")
def system() -> Response:
    """The OParl System: the entry point, naming the list of bodies."""
    found = index()
    return jsonify(o.base(
        "System", o.url("system"), found.first, found.last, "/",
        oparlVersion=o.SCHEMA, body=o.url("list_bodies"), name=site_context()["site_name"],
        website=o.web("/"),
    ))


@route("/body", "Open data: the bodies (OParl Body)", listing=True)
def list_bodies() -> Response:
    return external_list(list(index().listed["body"]), _times, _body)


@route("/body/<code>", "Open data: a body (OParl Body)")
def get_body(code: str) -> Response:
    return jsonify(_body(entry("body", code)))


@route("/body/<code>/organization",
       "Open data: a body's organizations (itself, bodies under it, parties)", listing=True)
def body_organization(code: str) -> Response:
    """The body as an organization, the bodies under it and the parties of its members."""
    entry("body", code)
    bodies = [b for b in index().listed["body"] if b.key == code]
    bodies += [b for b in index().listed["body"]
               if b.key != code and diarium().bodies.get_body(b.key).parent == code]
    parties = list(_parties(code).items())
    items: list[Any] = [*bodies, *parties]

    def times(item: Any) -> tuple[Any, Any]:
        if isinstance(item, Entry):
            return _times(item)
        return min(a.created for a in item[1]), max(a.modified for a in item[1])

    def render(item: Any) -> dict[str, Any]:
        return _organization(item) if isinstance(item, Entry) else o.party(code, *item)

    return external_list(items, times, render)


@route("/body/<code>/person", "Open data: the persons appointed to a body", listing=True)
def body_person(code: str) -> Response:
    entry("body", code)
    persons = list(_persons(code).items())
    return external_list(
        persons,
        lambda p: (min(a.created for a, _ in p[1]), max(a.modified for a, _ in p[1])),
        lambda p: o.person(*p),
    )


@route("/body/<code>/membership", "Open data: a body's memberships", listing=True)
def body_membership(code: str) -> Response:
    entry("body", code)
    return external_list(
        _members(code), lambda m: (m[0].created, m[0].modified), lambda m: o.membership(*m)
    )


@route("/body/<code>/meeting", "Open data: a body's meetings", listing=True)
def body_meeting(code: str) -> Response:
    entry("body", code)
    return external_list(index().of_body("meeting", code), _times,
                         lambda e: _meeting_object(*_meeting(e.key)))


@route("/body/<code>/paper", "Open data: a body's cases (OParl Paper)", listing=True)
def body_paper(code: str) -> Response:
    entry("body", code)
    rows: dict[str, dict[str, Any]] = {}

    def prefetch(page: list[Entry]) -> None:  # the page's diary rows in one query
        rows.update(case_titles([e.key for e in page]))

    return external_list(index().of_body("case", code), _times,
                         lambda e: _paper(e, rows.get(e.key)), prefetch)


@route("/body/<code>/file",
       "Open data: the adjusted protocols of a body's meetings (OParl File)", listing=True)
def body_file(code: str) -> Response:
    """The adjusted protocols of the body's meetings (documents' files are not published)."""
    entry("body", code)
    adjusted = [e for e in index().of_body("meeting", code) if e.adjusted is not None]
    return external_list(adjusted, lambda e: (e.adjusted, e.modified),
                         lambda e: o.protocol_file(*_meeting(e.key)))


@route("/body/<code>/legislativeterm",
       "Open data: the mandate periods (OParl LegislativeTerm)", listing=True)
def body_legislative_term(code: str) -> Response:
    entry("body", code)
    found = index()
    return external_list(o.terms(found, diarium().today()), lambda _: (found.first, found.first),
                         lambda year: o.legislative_term(found, year))


@route("/legislativeterm/<year>", "Open data: a mandate period (OParl LegislativeTerm)")
def legislative_term(year: str) -> Response:
    found = index()
    if not year.isdigit() or int(year) not in o.terms(found, diarium().today()):
        abort(404)
    return jsonify(o.legislative_term(found, int(year)))


# -- organizations, persons, memberships ------------------------------------------------------


@route("/organization/<code>", "Open data: a body as an OParl Organization")
def get_organization(code: str) -> Response:
    return jsonify(_organization(entry("body", code)))


@route("/body/<code>/party/<party>", "Open data: a party of a body's members (OParl Organization)")
def get_party(code: str, party: str) -> Response:
    entry("body", code)
    found = [(name, held) for name, held in _parties(code).items()
             if o.party_key(name) == party]
    if not found:
        abort(404)
    return jsonify(o.party(code, *found[0]))


@route("/person/<person>", "Open data: a person appointed to bodies (OParl Person)")
def get_person(person: str) -> Response:
    found = [(name, held) for name, held in _persons().items() if o.person_key(name) == person]
    if not found:
        abort(404)
    return jsonify(o.person(*found[0]))


@route("/body/<code>/membership/<int:number>",
       "Open data: a membership of a body (OParl Membership)")
def get_membership(code: str, number: int) -> Response:
    entry("body", code)
    found = [m for m in _members(code) if m[0].number == number]
    if not found:
        abort(404)
    return jsonify(o.membership(*found[0]))


# -- meetings and papers ---------------------------------------------------------------------


@route("/meeting/<ref>", "Open data: a meeting (OParl Meeting)")
def get_meeting(ref: str) -> Response:
    return jsonify(_meeting_object(*_meeting(ref)))


@route("/meeting/<ref>/location", "Open data: a meeting's place (OParl Location)")
def meeting_location(ref: str) -> Response:
    found, shown = _meeting(ref)
    if not shown.place:
        abort(404)
    return jsonify(o.location(found, shown))


@route("/meeting/<ref>/agendaitem/<int:number>", "Open data: an agenda item (OParl AgendaItem)")
def get_agenda_item(ref: str, number: int) -> Response:
    found, shown = _meeting(ref)
    return jsonify(o.agenda_item(found, shown, number))


@route("/meeting/<ref>/consultation/<int:number>",
       "Open data: a case on a meeting's agenda (OParl Consultation)")
def get_consultation(ref: str, number: int) -> Response:
    found, shown = _meeting(ref)
    dnr = shown.agenda_item(number).dnr
    if not dnr:
        abort(404)
    paper = index().entry("case", dnr) is not None
    return jsonify(o.consultation(found, shown, number, paper))


@route("/meeting/<ref>/protocol", "Open data: an adjusted protocol (OParl File)")
def get_protocol(ref: str) -> Response:
    """The meeting's protocol as an OParl File, once adjusted (before: 404)."""
    found, shown = _meeting(ref)
    if shown.adjusted_on is None:
        abort(404)
    return jsonify(o.protocol_file(found, shown))


@route("/paper/<path:dnr>", "Open data: a case (OParl Paper)")
def get_paper(dnr: str) -> Response:
    return jsonify(_paper(entry("case", dnr)))
