"""The public e-diary: the register as anyone may read it, without a token.

A case shows its register entry (dnr, dates, body, status, documents with direction and
date) with secret fields withheld as OSL 5:2 requires: the public title in place of a secret
title, no sender/recipient or description of secret documents. Nothing here is logged as a
secret read, because nothing secret is shown.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from diarium.cases.secrecy import redact_case
from diarium.web.auth import public
from diarium.web.routes.common import diarium, query
from diarium.web.schemas import cases as s

api = Blueprint("public", __name__, url_prefix="/public")

CASE_KEYS = (
    "dnr", "title", "public_title", "responsible_body", "unit", "officer", "classification",
    "origin", "status", "registered_on", "closed_on", "cancelled_on", "secrecy", "documents",
    "decisions", "withheld",
)
DOCUMENT_KEYS = ("number", "direction", "date", "counterpart", "description", "secrecy")
DECISION_KEYS = (  # who decided is public (a delegate too); the text may be withheld
    "number", "kind", "text", "decided_on", "body", "paragraph", "delegate", "delegation_point",
)


def _pick(view: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: view.get(k) for k in keys}


def public_case(view: dict[str, Any]) -> dict[str, Any]:
    """A dumped case (``CaseSchema``) as the public sees it."""
    redacted = redact_case(view, None)
    out = _pick(redacted, CASE_KEYS)
    out["documents"] = [_pick(d, DOCUMENT_KEYS) for d in redacted.get("documents") or []]
    out["decisions"] = [_pick(d, DECISION_KEYS) for d in redacted.get("decisions") or []]
    return out


@api.get("/cases/<path:dnr>")
@public
@query("A case as the public e-diary shows it", "PublicCaseSchema", "The register entry")
def public_case_view(dnr: str) -> Response:
    """A case in the public e-diary (no token needed; secret fields withheld)."""
    return jsonify(public_case(s.CaseSchema().dump(diarium().view_case(dnr))))
