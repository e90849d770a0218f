"""Secrecy markings (OSL 5:5) on cases and documents, and the log of secret reads."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from marshmallow import Schema, fields

from diarium.domain.roles import AUDITOR
from diarium.web.auth import case_body, requires
from diarium.web.routes.cases import REGISTRAR_OR_OWN
from diarium.web.routes.common import command_routes, diarium, query
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


@api.get("/cases/<path:dnr>/secret-reads")
@requires(AUDITOR, body=case_body)
@query(
    "The log of reads of the case's secret content",
    "{type: array, items: SecretReadSchema}", "Every logged read",
)
def secret_reads(dnr: str) -> Response:
    """Who read the case's secret content, what and when (oldest first)."""
    return jsonify(SecretReadSchema(many=True).dump(diarium().secret_reads.of(dnr)))


# the command routes: method, URL rule, policy, schema, status, summary[, endpoint]
command_routes(api, [
    ("post", "/cases/<path:dnr>/secrecy",
     REGISTRAR_OR_OWN, s.MarkSecretSchema, 201,
     "Mark the case secret (OSL 5:5)", "mark_case_secret"),
    ("post", "/cases/<path:dnr>/secrecy/lift",
     REGISTRAR_OR_OWN, s.LiftSecrecySchema, 200,
     "Lift the case's secrecy marking", "lift_case_secrecy"),
    ("post", "/cases/<path:dnr>/documents/<int:document_number>/secrecy",
     REGISTRAR_OR_OWN, s.MarkDocumentSecretSchema, 201,
     "Mark a document secret (OSL 5:5)"),
    ("post", "/cases/<path:dnr>/documents/<int:document_number>/secrecy/lift",
     REGISTRAR_OR_OWN, s.LiftDocumentSecrecySchema, 200,
     "Lift a document's secrecy marking"),
], minimal=True)
