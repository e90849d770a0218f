"""Schemathesis against /api/openapi.json: generated requests with an all-roles token, a
bounded number of examples per operation; no 500s, and every response matches the documented
schema (status code, content type, body). One test per operation."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    negative_data_rejection,
    positive_data_acceptance,
)

from cases.application import Diarium
from cases.tokens import TokenStore
from domain.roles import ALL_ROLES
from web import create_app

MAX_EXAMPLES = 10
# Gaps between what a schema checks and what the OpenAPI document can say, reported to the
# owners of these routes; only the one acceptance check is left out for them, every other
# check (no 500, documented status, content type and body) still runs.
KNOWN_GAPS: dict[str, list[Any]] = {
    # marshmallow Range on a date (1900..2999) has no JSON Schema counterpart
    "POST /api/meetings": [positive_data_acceptance],
    # Length(min=1) on a Dict is not exported as minProperties
    "POST /api/meetings/{ref}/paragraphs/{number}/procedure": [positive_data_acceptance],
    # an empty `types=` is taken as "no filter" though the enum has no empty name
    "GET /api/feed": [negative_data_rejection],
    # a webhook URL must name a public address (cases/webhook_targets.py): no JSON Schema
    "POST /api/webhooks": [positive_data_acceptance],
}

_store = Path(tempfile.mkdtemp(prefix="diarium-fuzz-"))
atexit.register(shutil.rmtree, _store, True)
_diarium = Diarium(f"sqlite:///{_store / 'fuzz.sqlite'}", create_tables=True)
_token, _ = TokenStore.for_application(_diarium).issue(name="fuzzer", roles=list(ALL_ROLES))
AUTH = {"Authorization": f"Bearer {_token}"}

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", create_app(_diarium))


@schema.exclude(path_regex=r"/stream$").parametrize()  # an SSE stream stays open for minutes
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI is repeatable
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case: Any) -> None:
    if case.query and "wait" in case.query:  # the feed's long-poll: valid, but no waiting here
        case.query["wait"] = 0
    # A dnr may hold "/" ("RS 2021/1"), so GET /api/cases/<dnr>/close reads the case
    # "<dnr>/close": the Allow header of such paths names GET too. That check is left out.
    excluded = [allow_header_conformance, *KNOWN_GAPS.get(case.operation.label, [])]
    case.call_and_validate(headers=AUTH, excluded_checks=excluded)
