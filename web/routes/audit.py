"""Auditors (revisorer): chain verification, point in time, full history, registers, export."""

from __future__ import annotations

import re

from flask import Blueprint, Response, jsonify, request

from diarium.cases import secrecy
from diarium.cases.outbound import audit, chain_verification, erms, export
from diarium.domain.roles import ADMIN, AUDITOR, REGISTRAR
from diarium.web.auth import case_body, current_actor, requires
from diarium.web.disclosure import disclose, disclose_events, disclose_history, disclose_rows
from diarium.web.problems import problem
from diarium.web.routes.common import diarium, query
from diarium.web.routes.query import InvalidQuery, Query, invalid_query_response
from diarium.web.schemas import cases as s

api = Blueprint("audit", __name__, url_prefix="/api/audit")
api.register_error_handler(InvalidQuery, invalid_query_response)

HEAD_PATTERN = re.compile(r"^([1-9][0-9]{0,17}):([0-9a-f]{64})$")
MOMENT = "{anyOf: [{type: string, format: date-time}, {type: string, format: date}]}"


@api.get("/verify")
@requires(AUDITOR, ADMIN)
def verify() -> Response:
    """Verify the hash chain of the whole log.
    ---
    get:
      summary: Verify the tamper-evident hash chain of the whole log
      description: >
        Walks every event in log order and reports each one that was altered, removed, or
        inserted out of order since it was recorded. `ok` is false when anything was found.
        Give `expect_head=<position>:<log_hash>` (a head printed by an earlier run and kept
        outside the database) to also detect events cut off at the end.
      parameters:
        - in: query
          name: expect_head
          schema: {type: string, pattern: "^[1-9][0-9]{0,17}:[0-9a-f]{64}$"}
      responses:
        "200":
          description: The verification report
          content: {application/json: {schema: {type: object}}}
        "400": {$ref: "#/components/responses/BadQuery"}
    """
    query = Query({"expect_head"})
    raw = query.raw("expect_head")
    head = None
    if raw is not None:
        match = HEAD_PATTERN.match(raw)
        if match is None:
            query.fail("expect_head", "Must be <position>:<64 hex digits of the log hash>.")
        else:
            head = (int(match[1]), match[2])
    query.check()
    return jsonify(chain_verification.verify_chain(diarium(), expect_head=head).as_dict())


@api.get("/cases/<path:dnr>/events")
@requires(AUDITOR, REGISTRAR, body=case_body)
@query(
    "Every event of a case with position, actor, both clocks, request and hashes",
    "{type: array, items: {type: object}}", "Oldest first",
)
def case_events(dnr: str) -> Response:
    """Every event of a case for auditors."""
    history = audit.case_audit_history(diarium(), dnr)
    view = s.CaseSchema().dump(diarium().get_case(dnr))
    return jsonify(disclose_history(history, view))


@api.get("/cases/<path:dnr>/export")
@requires(AUDITOR, REGISTRAR, body=case_body)
def export_case(dnr: str) -> Response:
    """Export a case as an archive package.
    ---
    get:
      summary: A case with its documents, decisions and history as a self-describing package
      description: >
        `format=json` (default) or `format=xml` (E-ARK CITS ERMS v3, valid against the official
        ERMS_v3.xsd, vendored in cases/outbound/xsd/). An `Accept: application/xml` header also
        selects XML.
      parameters:
        - {in: query, name: format, schema: {type: string, enum: [json, xml]}}
      responses:
        "200":
          description: The package
          content:
            application/json: {schema: {type: object}}
            application/xml: {schema: {type: string}}
        "404": {$ref: "#/components/responses/NotFound"}
        "400": {$ref: "#/components/responses/BadQuery"}
    """
    query = Query({"format"})
    kind = query.raw("format")
    if kind is None:
        best = request.accept_mimetypes.best_match(["application/json", "application/xml"])
        kind = "xml" if best == "application/xml" else "json"
    if kind not in ("json", "xml"):
        query.fail("format", "Must be json or xml.")
    query.check()
    view = s.CaseSchema().dump(diarium().get_case(dnr))
    if secrecy.withheld_paths(view):  # an archive copy is complete, so only for those allowed
        if not secrecy.may_read_case_secrets(current_actor(), view):
            return problem(403, "forbidden", "Forbidden",
                           "The case has secret content this token may not read.")
        disclose(view)  # logs the read of the secret content
    filename = dnr.replace("/", "_").replace(" ", "_")
    if kind == "xml":
        response = Response(erms.xml_package(diarium(), dnr), mimetype="application/xml")
    else:
        response = jsonify(export.json_package(diarium(), dnr))
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{kind}"'
    return response


@api.get("/cases/<path:dnr>")
@requires(AUDITOR, REGISTRAR, body=case_body)
def case_as_of(dnr: str) -> Response:
    """A case as it was.
    ---
    get:
      summary: A case as it was at a version or time, or as of a business date
      description: >
        `as_of` is a version number or an ISO timestamp / date (recording time: what the
        diarium knew then; a date means the end of that day, Swedish time). `occurred_by` is
        a business date: only what had happened by that day. Both can be combined.
      parameters:
        - in: query
          name: as_of
          schema:
            anyOf:
              - {type: integer, minimum: 1, maximum: 4611686018427387904}
              - {type: string, format: date-time}
              - {type: string, format: date}
          example: "2020-10-31"
        - {in: query, name: occurred_by, schema: {type: string, format: date}}
      responses:
        "200":
          description: The case then
          content: {application/json: {schema: {type: object}}}
        "404": {$ref: "#/components/responses/NotFound"}
        "400": {$ref: "#/components/responses/BadQuery"}
    """
    query = Query({"as_of", "occurred_by"})
    raw = query.raw("as_of")
    version = at = None
    if raw is not None and raw.isdigit() and len(raw) <= 19:
        version = query.integer("as_of", minimum=1)
    elif raw is not None:
        at = query.parse_moment("as_of", raw)
    occurred_by = query.day("occurred_by")
    query.check()
    case = audit.case_as_of(diarium(), dnr, version=version, at=at, occurred_by=occurred_by)
    return jsonify({
        "as_of": {"version": version, "known_at": at.isoformat() if at else None,
                  "occurred_by": occurred_by.isoformat() if occurred_by else None},
        "case": disclose(s.CaseSchema().dump(case)),
    })


@api.get("/events")
@requires(AUDITOR)
@query(
    "Events across all cases, by one actor and/or in a time window", "{type: object}",
    "Items in log order and next_after (null at the end)", missing=False, bad_query=True,
    parameters=(
        "{in: query, name: actor, schema: {type: string, minLength: 1, maxLength: 200}}",
        f"{{in: query, name: recorded_from, schema: {MOMENT}}}",
        f"{{in: query, name: recorded_to, schema: {MOMENT}}}",
        "{in: query, name: occurred_from, schema: {type: string, format: date}}",
        "{in: query, name: occurred_to, schema: {type: string, format: date}}",
        "{in: query, name: after, schema: {type: integer, minimum: 0, maximum: "
        "4611686018427387904}}",
        "{in: query, name: limit, schema: {type: integer, minimum: 1, maximum: 1000}}",
    ),
)
def events() -> Response:
    """Events across cases by actor or time window."""
    query = Query({"actor", "recorded_from", "recorded_to", "occurred_from", "occurred_to",
                   "after", "limit"})
    wanted = audit.EventFilter(
        actor=query.text("actor"),
        recorded_from=query.moment("recorded_from", end_of_day=False),
        recorded_to=query.moment("recorded_to"),
        occurred_from=query.day("occurred_from"),
        occurred_to=query.day("occurred_to"),
    )
    after = query.integer("after", 0) or 0
    limit = query.integer("limit", 100, minimum=1, maximum=1000) or 100
    query.check()
    items, next_after = audit.audit_events(diarium(), wanted, after=after, limit=limit)
    return jsonify({"items": disclose_events(items), "next_after": next_after})


@api.get("/registers/<name>")
@requires(AUDITOR, REGISTRAR)
def register(name: str) -> Response:
    """A register as it stood on a date.
    ---
    get:
      summary: The case, document or decision register as it stood, computed from the log
      description: >
        `on` is a business date (what had happened by that day); `known_at` a recording time
        or date (what the diarium knew then). Without either: now.
      parameters:
        - {in: query, name: on, schema: {type: string, format: date}, example: "2020-10-31"}
        - in: query
          name: known_at
          schema: {anyOf: [{type: string, format: date-time}, {type: string, format: date}]}
      responses:
        "200":
          description: The register (name is cases, documents or decisions)
          content: {application/json: {schema: {type: object}}}
        "404": {$ref: "#/components/responses/NotFound"}
        "400": {$ref: "#/components/responses/BadQuery"}
    """
    if name not in audit.REGISTERS:
        return problem(404, "not-found", "Register not found",
                       f"No register {name!r}; known: {', '.join(audit.REGISTERS)}")
    query = Query({"on", "known_at"})
    on = query.day("on")
    known_at = query.moment("known_at")
    query.check()
    rows = audit.register_as_of(
        diarium(), name, on=on, known_at=known_at, bodies=current_actor().bodies  # type: ignore[union-attr]
    )
    entity = {"cases": "case", "documents": "document", "decisions": "decision"}[name]
    return jsonify({
        "register": name,
        "on": on.isoformat() if on else None,
        "known_at": known_at.isoformat() if known_at else None,
        "rows": disclose_rows(rows, entity),
    })
