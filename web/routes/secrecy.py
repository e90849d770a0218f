"""Secrecy markings (OSL 5:5) on cases and documents, and the log of secret reads."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from marshmallow import Schema, fields

from diarium.cases.application import Written
from diarium.domain.case.secrecy import (
    LiftDocumentSecrecy,
    LiftSecrecy,
    MarkDocumentSecret,
    MarkSecret,
)
from diarium.domain.roles import AUDITOR, REGISTRAR
from diarium.web.auth import case_body, own_case, requires
from diarium.web.routes.common import actor, diarium, takes
from diarium.web.schemas import cases as s
from diarium.web.schemas.cases import Text

api = Blueprint("secrecy", __name__, url_prefix="/api")


class SecretReadSchema(Schema):
    dnr = Text()
    actor = Text()
    roles = fields.List(Text())
    request_id = Text(allow_none=True)
    what = Text(metadata={"description": "The request that read it"})
    fields_ = fields.List(
        Text(), data_key="fields", attribute="fields",
        metadata={"description": "The secret fields disclosed"},
    )
    read_on = fields.Date()
    read_at = fields.DateTime()


@api.post("/cases/<path:dnr>/secrecy")
@requires(REGISTRAR, own_case(), body=case_body)
@takes(s.MarkSecretSchema, "Mark the case secret (OSL 5:5)", 201)
def mark_case_secret(command: MarkSecret) -> Written:
    return diarium().handle(command, actor())


@api.post("/cases/<path:dnr>/secrecy/lift")
@requires(REGISTRAR, own_case(), body=case_body)
@takes(s.LiftSecrecySchema, "Lift the case's secrecy marking")
def lift_case_secrecy(command: LiftSecrecy) -> Written:
    return diarium().handle(command, actor())


@api.post("/cases/<path:dnr>/documents/<int:document_number>/secrecy")
@requires(REGISTRAR, own_case(), body=case_body)
@takes(s.MarkDocumentSecretSchema, "Mark a document secret (OSL 5:5)", 201)
def mark_document_secret(command: MarkDocumentSecret) -> Written:
    return diarium().handle(command, actor())


@api.post("/cases/<path:dnr>/documents/<int:document_number>/secrecy/lift")
@requires(REGISTRAR, own_case(), body=case_body)
@takes(s.LiftDocumentSecrecySchema, "Lift a document's secrecy marking")
def lift_document_secrecy(command: LiftDocumentSecrecy) -> Written:
    return diarium().handle(command, actor())


@api.get("/cases/<path:dnr>/secret-reads")
@requires(AUDITOR, body=case_body)
def secret_reads(dnr: str) -> Response:
    """Who read the case's secret content, what and when (oldest first).
    ---
    get:
      summary: The log of reads of the case's secret content
      responses:
        "200":
          description: Every logged read
          content: {application/json: {schema: {type: array, items: SecretReadSchema}}}
        "404": {$ref: "#/components/responses/NotFound"}
    """
    return jsonify(SecretReadSchema(many=True).dump(diarium().secret_reads.of(dnr)))
