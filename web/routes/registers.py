"""Registers: the diary, documents, decisions, reservations, conflicts of interest, extracts,
meetings, bodies, referrals and deadlines, read from the projections (never by replaying events).

Every listing is JSON with a keyset cursor (``next_cursor``) or, with ``?format=csv``,
``Accept: text/csv`` or ``?dialect=excel-sv`` (web/register_csv.py), a CSV file of every
matching row. Read-your-writes: pass the
``position`` a write returned as ``min_position``; the request waits up to
``DIARIUM_READ_WAIT_SECONDS`` (default 2) for the projection to get there and otherwise
answers 200 anyway, saying how far behind it is (``consistency.reached`` false, header
``X-Diarium-Consistency: stale``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from diarium.cases.store.standby import READ_WAIT_VARIABLE, leave_standby, read_wait
from diarium.domain import roles
from diarium.projections.filters import InvalidQuery
from diarium.projections.listings import LISTINGS, Listing
from diarium.projections.queries import Page, Query, Registers, UnknownCursor, parse
from diarium.projections.runner import Projector
from diarium.web.auth import current_actor, requires
from diarium.web.disclosure import read_logger
from diarium.web.problems import invalid_query, problem
from diarium.web.register_csv import DEFAULT_DIALECT, DIALECTS, Dialect, rows_as_csv
from diarium.web.routes.common import diarium, query
from diarium.web.schemas.registers import PAGE_SCHEMAS

api = Blueprint("registers", __name__, url_prefix="/api/registers")

INPROCESS_VARIABLE = "DIARIUM_INPROCESS_PROJECTIONS"  # on | off | auto
POLL_VARIABLE = "DIARIUM_PROJECTION_POLL_SECONDS"
EXTENSION = "diarium_projector"


def projector() -> Projector:
    """The projector of this process (created with the app)."""
    return current_app.extensions[EXTENSION]


def init_registers(app: Flask, *, embedded_default: bool) -> Projector:
    """Attach the register API to ``app`` and, when configured, run the projections in a
    background thread of this process.

    ``DIARIUM_INPROCESS_PROJECTIONS`` (app config or environment): ``on``, ``off`` or
    ``auto`` (the default): on for SQLite when the app made its own store from the
    environment (``diarium serve``, ``web.wsgi``), so a newcomer needs nothing else; off for
    PostgreSQL, where ``diarium projections run`` is the worker, and off when a test hands
    the app its store. Several processes running it at once stay exactly-once (see
    :mod:`projections.runner`).
    """
    instance = Projector(app.extensions["diarium"])
    app.extensions[EXTENSION] = instance
    app.register_blueprint(api)
    app.register_error_handler(InvalidQuery, _invalid_query)
    app.register_error_handler(UnknownCursor, _unknown_cursor)
    setting = str(
        app.config.get(INPROCESS_VARIABLE) or os.environ.get(INPROCESS_VARIABLE) or "auto"
    ).lower()
    if setting == "on" or (setting == "auto" and embedded_default and instance.dialect == "sqlite"):
        poll = float(app.config.get(POLL_VARIABLE) or os.environ.get(POLL_VARIABLE) or 0.5)
        instance.start(poll_interval=poll)
    return instance


def _invalid_query(error: InvalidQuery) -> Response:
    return invalid_query([{"name": k, "reason": v} for k, v in error.problems.items()],
                         str(error))


def _unknown_cursor(error: UnknownCursor) -> Response:
    return problem(404, "not-found", "No such page", str(error))


def _min_position() -> int | None:
    raw = request.args.get("min_position")
    if raw is None:
        return None
    try:
        value = int(raw)
        if value < 0:
            raise ValueError
    except ValueError:
        raise InvalidQuery({"min_position": "must be a non-negative integer"}) from None
    return value


def _csv_dialect() -> Dialect | None:
    """The CSV dialect asked for (``None``: JSON): ``format=csv``, ``Accept: text/csv`` or a
    ``dialect`` (which implies CSV unless ``format=json`` asks for JSON)."""
    chosen, given = request.args.get("format"), request.args.get("dialect")
    if chosen is not None and chosen not in ("json", "csv"):
        raise InvalidQuery({"format": "must be json or csv"})
    if given is not None and given not in DIALECTS:
        raise InvalidQuery({"dialect": f"must be one of {', '.join(DIALECTS)}"})
    if chosen is None and given is None:
        best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
        chosen = "csv" if best == "text/csv" else "json"
    return DIALECTS[given or DEFAULT_DIALECT] if chosen != "json" else None


def _consistency(
    listing: Listing, min_position: int | None, registers: Registers
) -> tuple[dict[str, Any], tuple[int, int]]:
    """How far the listing's projection has got, and its active ``(generation, position)``
    for the page to be read from (one statement, :meth:`Registers.state`)."""
    if min_position is not None:
        wait = read_wait(current_app.config.get(READ_WAIT_VARIABLE))
        registers.projector.wait_for(min_position, [listing.projection], timeout=wait)
    generation, position, head = registers.state(listing.projection)
    if min_position is not None and position < min_position and leave_standby():
        generation, position, head = registers.state(listing.projection)  # on the primary
    return {
        "projection": listing.projection, "position": position, "head": head,
        "lag": max(head - position, 0), "min_position": min_position,
        "reached": min_position is None or position >= min_position,
    }, (generation, position)


def _headers(response: Response, consistency: dict[str, Any]) -> Response:
    response.headers["X-Diarium-Position"] = str(consistency["position"])
    response.headers["X-Diarium-Lag"] = str(consistency["lag"])
    if not consistency["reached"]:
        response.headers["X-Diarium-Consistency"] = "stale"
    return response


def listing_view(listing: Listing) -> Any:
    """The view of ``listing``: a page (or CSV) of its register, for any staff reader (also
    ``GET /api/meetings`` and ``GET /api/bodies``)."""
    def view() -> Response:
        runner = projector()
        runner.ensure_schema()
        dialect = _csv_dialect()
        query = parse(listing, request.args.to_dict())
        registers = Registers(runner)
        consistency, state = _consistency(listing, _min_position(), registers)
        today = diarium().today()
        actor = current_actor()
        if dialect is not None:  # a bad cursor is refused before the stream starts
            registers.page(Query(listing, query.filters, query.sort, query.order, 1,
                                 query.cursor), today, actor)
            return _headers(_csv(listing, registers, query, today, actor, dialect), consistency)
        page = registers.page(query, today, actor, state)
        read_logger()(page.disclosed)
        consistency["position"] = max(consistency["position"], page.position)
        return _headers(jsonify(_page_json(page, consistency)), consistency)

    view.__name__ = f"list_{listing.name}"
    view.__doc__ = _doc(listing)
    return requires(*roles.STAFF)(view)


def _page_json(page: Page, consistency: dict[str, Any]) -> dict[str, Any]:
    return {
        "register": page.listing.name, "items": page.items, "next_cursor": page.next_cursor,
        "sort": page.sort, "order": page.order, "limit": page.limit,
        "consistency": consistency,
    }


def _csv(
    listing: Listing, registers: Registers, query: Query, today: Any, actor: Any,
    dialect: Dialect,
) -> Response:
    """Every matching row (from the cursor on; ``limit`` is the page size used internally)."""
    everything = Query(query.listing, query.filters, query.sort, query.order, 1000, query.cursor)
    log = read_logger()  # the stream runs after the request

    def generate() -> Iterator[str]:
        disclosed: dict[str, list[str]] = {}
        try:
            rows = registers.rows(everything, today, actor, disclosed=disclosed)
            yield from rows_as_csv(listing, rows, dialect)
        finally:  # what was sent, even if the reader went away
            log(disclosed)

    response = Response(generate(), mimetype="text/csv")  # needs no request context
    response.headers["Content-Disposition"] = f'attachment; filename="{listing.name}.csv"'
    return response


def _doc(listing: Listing) -> str:
    """The OpenAPI description of a listing, generated from its declaration."""
    kinds = {"date": "string", "integer": "integer", "boolean": "boolean"}
    lines = [
        f"{listing.title}",
        "---",
        "get:",
        f"  summary: {json_str(listing.title)}",
        "  description: >-",
        f"    Sorts: {', '.join(listing.sorts)} (default {listing.default_sort}"
        f" {listing.default_order}). Paginated with keyset cursors; CSV with format=csv,"
        " Accept text/csv or dialect (excel-sv: for Swedish Excel).",
        "  parameters:",
    ]

    def parameter(name: str, kind: str, description: str, extra: str = "") -> None:
        lines.append(
            f"    - {{in: query, name: {name}, required: false,"
            f" description: {json_str(description)}, schema: {{type: {kind}{extra}}}}}"
        )

    for spec in listing.filters:
        extra = ", maxLength: 500"
        if spec.kind == "date":
            extra = ", format: date"
        elif spec.kind == "integer":
            extra = ", minimum: 1, maximum: 9999" if spec.name == "year" else (
                ", minimum: -2147483648, maximum: 2147483647")
        elif spec.kind == "boolean":
            extra = ""
        if spec.choices:
            extra = f", enum: [{', '.join(spec.choices)}]"
        parameter(spec.name, kinds.get(spec.kind, "string"), spec.description, extra)
    parameter("sort", "string", "Sort key", f", enum: [{', '.join(listing.sorts)}]")
    parameter("order", "string", "Sort order", ", enum: [asc, desc]")
    parameter("limit", "integer", "Page size (default 50)", ", minimum: 1, maximum: 500")
    parameter("cursor", "string", "next_cursor of the previous page (404 if it names no page)")
    parameter(
        "min_position", "integer",
        "Wait (up to 2 s) until the register includes this log position (a write's position)",
        ", minimum: 0",
    )
    parameter("format", "string", "json (default) or csv", ", enum: [json, csv]")
    parameter(
        "dialect", "string",
        "CSV dialect (implies CSV unless format=json): excel (comma, field names, "
        "true/false; the default) or excel-sv (semicolon, Swedish headers, ja/nej; opens "
        "right in Swedish Excel)",
        f", enum: [{', '.join(DIALECTS)}]",
    )
    lines += [
        "  responses:",
        "    '200':",
        "      description: A page of the register (or the whole listing as CSV)",
        "      content:",
        f"        application/json: {{schema: {PAGE_SCHEMAS[listing.name].__name__}}}",
        "        text/csv: {schema: {type: string}}",
        "    '404':",
        "      description: The cursor names no page of this listing",
        "      content:",
        "        application/problem+json: {schema: {$ref: '#/components/schemas/Problem'}}",
        "    '400':",
        "      description: An invalid query parameter",
        "      content:",
        "        application/problem+json: {schema: {$ref: '#/components/schemas/Problem'}}",
    ]
    return "\n".join(lines) + "\n"


def json_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


for _name, _listing in LISTINGS.items():
    api.add_url_rule(f"/{_name}", endpoint=_name, view_func=listing_view(_listing))


@api.get("")
@requires(*roles.STAFF)
@query(
    "The registers, with their filters and sorts", "{type: array, items: {type: object}}",
    "One entry per register", missing=False,
)
def index() -> Response:
    """The registers, with their filters and sorts."""
    return jsonify([
        {
            "name": listing.name, "title": listing.title, "href": f"/api/registers/{name}",
            "projection": listing.projection, "fields": list(listing.fields),
            "sorts": list(listing.sorts), "default_sort": listing.default_sort,
            "default_order": listing.default_order,
            "filters": [
                {"name": f.name, "type": f.kind, "description": f.description,
                 **({"choices": list(f.choices)} if f.choices else {})}
                for f in listing.filters
            ],
        }
        for name, listing in LISTINGS.items()
    ])


@api.get("/status")
@requires(*roles.STAFF, roles.SERVICE)
@query(
    "Position and lag of each projection", "{type: array, items: ProjectionStatusSchema}",
    "One entry per projection (and generation being rebuilt)", missing=False,
)
def status() -> Response:
    """Each projection's generation, position and lag behind the log."""
    return jsonify(projector().status())
