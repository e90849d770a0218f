"""Schemathesis against /api/openapi.json: generated requests (valid and invalid) to EVERY
operation, a bounded number of examples each; no 500s, and every response matches the
documented schema (status code, content type, body).

One test walks every operation to the end: a failing operation does not stop the others;
every failure is collected and reported together. The token has every role (so every
operation is exercised past its access check), but never revokes itself: a generated token id
equal to its own is replaced. The figures (operations, requests, failures) are printed and
written to ``schemathesis-summary.json`` in pytest's temporary directory.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    negative_data_rejection,
    positive_data_acceptance,
)

from diarium.cases.application import Diarium
from diarium.cases.tokens import TokenStore
from diarium.domain.roles import ALL_ROLES
from diarium.web import create_app
from tests.bodies_support import establish_bodies

MAX_EXAMPLES = 10  # per operation (valid and invalid mixed): the run stays within ~3 minutes
# Gaps between what a schema checks and what the OpenAPI document can say, reported to the
# owners of these routes; only the one acceptance check is left out for them, every other
# check (no 500, documented status, content type and body) still runs.
KNOWN_GAPS: dict[str, list[Any]] = {
    # marshmallow Range on a date (1900..2999) has no JSON Schema counterpart; a migrated
    # meeting needs its scheduled_on (a dependency OpenAPI 3.0 cannot state: 422)
    "POST /api/meetings": [positive_data_acceptance],
    # a migrated body, or case (with `migrated` or its old `dnr`), carries its date
    # (established_on, registered_on): a dependency OpenAPI 3.0 cannot state (422)
    "POST /api/bodies": [positive_data_acceptance],
    "POST /api/cases": [positive_data_acceptance],
    # Length(min=1) on a Dict is not exported as minProperties
    "POST /api/meetings/{ref}/paragraphs/{paragraph}/procedure": [positive_data_acceptance],
    # an empty `types=` is taken as "no filter" though the enum has no empty name
    "GET /api/feed": [negative_data_rejection],
    # a webhook URL must name a public address (cases/outbound/webhook_targets.py): no JSON Schema
    "POST /api/webhooks": [positive_data_acceptance],
    # query dates lie from 1600-01-01 to 2999-12-31 (web/routes/query.py): OpenAPI 3.0 has
    # no bounds for a date
    "GET /api/audit/cases/{dnr}": [positive_data_acceptance],
    "GET /api/audit/events": [positive_data_acceptance],
    "GET /api/audit/registers/{name}": [positive_data_acceptance],
    # a file is checked by its content (empty, cut short, mislabelled: 422), which a schema
    # of a binary string cannot say
    "POST /api/cases/{dnr}/documents": [positive_data_acceptance],
    "POST /api/cases/{dnr}/documents/{document_number}/files": [positive_data_acceptance],
}
# A dnr may hold "/" ("RS 2021/1"), so GET /api/cases/<dnr>/close reads the case
# "<dnr>/close": the Allow header of such paths names GET too. That check is left out.
EXCLUDED = [allow_header_conformance]


@pytest.fixture(scope="module")
def fuzzed() -> Iterator[tuple[Any, dict[str, str], str]]:
    """The schema of an app on a fresh SQLite store, an all-roles token and its id."""
    store = Path(tempfile.mkdtemp(prefix="diarium-fuzz-"))
    diarium = establish_bodies(Diarium(f"sqlite:///{store / 'fuzz.sqlite'}", create_tables=True))
    token, issued = TokenStore.for_application(diarium).issue(
        name="fuzzer", roles=list(ALL_ROLES)
    )
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", create_app(diarium))
    yield schema, {"Authorization": f"Bearer {token}"}, issued.id
    diarium.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
    shutil.rmtree(store, ignore_errors=True)


def _tame(case: Any, own_token: str) -> None:
    """Keep a generated request from waiting or revoking the fuzzer's own token."""
    if case.query and "wait" in case.query:  # the feed's long poll: valid, no waiting here
        case.query["wait"] = 0
    if case.operation.path.endswith("/stream"):  # the SSE stream ends at once
        case.query = {**(case.query or {}), "timeout": 0}
    if case.path_parameters and case.path_parameters.get("token_id") == own_token:
        case.path_parameters["token_id"] = "0" * 12


def _strategy(operation: Any) -> Any:
    """Valid and invalid requests of ``operation`` (the modes the operation allows)."""
    modes = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        try:
            modes.append(operation.as_strategy(generation_mode=mode))
        except Exception:  # e.g. nothing to make invalid
            continue
    return st.one_of(*modes)


def _fuzz(operation: Any, auth: dict[str, str], own_token: str, counts: dict[str, int]) -> None:
    """Run the generated requests of one operation; raises its failure(s)."""
    excluded = EXCLUDED + KNOWN_GAPS.get(operation.label, [])

    @given(_strategy(operation))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck), report_multiple_bugs=True)
    def run(case: Any) -> None:
        _tame(case, own_token)
        counts["requests"] += 1
        case.call_and_validate(headers=auth, excluded_checks=excluded)

    run()


def test_every_operation_conforms_to_its_schema(
    fuzzed: tuple[Any, dict[str, str], str], tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str],
) -> None:
    schema, auth, own_token = fuzzed
    counts, failures, started = {"requests": 0}, {}, time.monotonic()
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        try:
            _fuzz(operation, auth, own_token, counts)
        except (Exception, BaseExceptionGroup) as error:  # collected: the others still run
            failures[operation.label] = f"{type(error).__name__}: {str(error)[:2000]}"
    summary = {
        "operations": len(operations), "requests": counts["requests"],
        "failures": len(failures), "failed_operations": sorted(failures),
        "seconds": round(time.monotonic() - started, 1),
    }
    path = tmp_path_factory.getbasetemp() / "schemathesis-summary.json"
    path.write_text(json.dumps(summary, indent=2))
    line = (f"schemathesis: {summary['operations']} operations, {summary['requests']} requests, "
            f"{summary['failures']} failing operations in {summary['seconds']} s ({path})")
    with capsys.disabled():  # printed whether the test passes or not
        print(f"\n{line}")
    request.node.user_properties.append(("schemathesis", summary))
    assert len(operations) > 80
    assert not failures, line + "\n\n" + "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
