"""The role × endpoint matrix, built by walking the app's URL map.

Every route must declare its policy (web/auth.py: ``public``, ``requires``, ``authenticated``):
a route added without one fails :func:`test_every_route_declares_its_policy`. For every route,
method and role, a token with only that role is let through (anything but 401/403) exactly
when the policy names the role, and refused with 403 otherwise; without a token every
non-public route is 401. Officers' grants hold on their own case (the case used here has the
token's name as officer); other officers, body scopes: tests/test_auth.py.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from diarium.domain.roles import ALL_ROLES
from diarium.web.auth import policy_of
from tests.bodies_support import diarium_with_bodies  # noqa: F401 (the fixture)

NAME = "matrix.user"
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
SIGN_OUT = "/app/logga-ut"  # every signed-in person may end their own session


@pytest.fixture
def database_url(tmp_path: Any) -> str:  # the policy does not depend on the backend
    return f"sqlite:///{tmp_path / 'matrix.sqlite'}"


def _routes(app: Any) -> list[tuple[Any, str]]:
    return sorted(
        ((rule, method) for rule in app.url_map.iter_rules() for method in rule.methods
         if method in METHODS),
        key=lambda pair: (pair[0].rule, pair[1]),
    )


def test_every_route_declares_its_policy(app: Any) -> None:
    undeclared = sorted(
        rule.rule for rule in app.url_map.iter_rules()
        if policy_of(app.view_functions[rule.endpoint]) is None
    )
    assert undeclared == [], f"Declare who may call these routes (web/auth.py): {undeclared}"


def _url(rule: Any, dnr: str) -> str:
    values = {"dnr": dnr, "number": "1", "referral_number": "1", "decision_number": "1",
              "document_number": "1", "paragraph": "1", "year": "2020", "slug": "forbidden"}
    return re.sub(r"<(?:[a-z]+:)?(\w+)>", lambda m: values.get(m.group(1), "x1"), rule.rule)


def _call(client: Any, method: str, url: str) -> int:
    kwargs: dict[str, Any] = {"buffered": False}
    if method in ("POST", "PUT", "PATCH"):
        kwargs["json"] = {}
    response = client.open(url, method=method, **kwargs)
    status = int(response.status_code)
    response.close()  # streams (feed) are not read
    return status


def test_role_endpoint_matrix(app: Any, client_as: Any) -> None:
    registrar = client_as("registrar", name="matrix.registrar")
    dnr = registrar.post(
        "/api/cases", json={"title": "Matris", "responsible_body": "RS", "officer": NAME}
    ).get_json()["dnr"]
    # names are unique among live tokens: only the officer's needs to be the case's officer
    clients = {role: client_as(role, name=NAME if role == "officer" else f"matrix.{role}")
               for role in ALL_ROLES}
    anonymous = client_as(None)
    wrong: list[str] = []
    checked = 0
    for rule, method in _routes(app):
        policy = policy_of(app.view_functions[rule.endpoint])
        assert policy is not None, rule.rule
        url = _url(rule, dnr)
        status = _call(anonymous, method, url)
        if policy.public:
            if status in (401, 403):
                wrong.append(f"{method} {rule.rule}: public, but {status} without a token")
            continue
        # the desk's pages (web/desk/) send an anonymous visitor to sign in; a form sent is 401
        expected = 303 if rule.rule.startswith("/app/") and method == "GET" else 401
        if status != expected:
            wrong.append(f"{method} {rule.rule}: {status} without a token (expected {expected})")
        for role, client in clients.items():
            status = _call(client, method, url)
            checked += 1
            allowed = role in policy.roles
            if allowed and status in (401, 403):
                wrong.append(f"{method} {rule.rule}: {role} is allowed, got {status}")
            if not allowed and status != 403:
                wrong.append(f"{method} {rule.rule}: {role} is not allowed, got {status}")
    assert wrong == [], "\n".join(wrong)
    assert checked >= 8 * 30, checked
    print(f"matrix: {checked} role × route checks")


def test_the_auditor_writes_nothing(app: Any) -> None:
    writable = [
        f"{method} {rule.rule}" for rule, method in _routes(app)
        if method != "GET" and "auditor" in (policy_of(app.view_functions[rule.endpoint]).roles)
        and rule.rule != SIGN_OUT
    ]
    assert writable == []


def test_a_service_reads_only_the_feed_its_webhooks_and_what_it_acts_on(app: Any) -> None:
    """An integration (``service``) follows the feed, manages its webhooks and reads the case,
    the paragraph and the document's file an item names (withheld: tests/test_leaks.py);
    nothing else."""
    reads = {
        f"{method} {rule.rule}" for rule, method in _routes(app)
        if "service" in policy_of(app.view_functions[rule.endpoint]).roles
        and rule.rule != SIGN_OUT
    }
    assert reads == {
        "GET /api/feed", "GET /api/feed/stream", "GET /api/feed/types",
        "GET /api/webhooks", "POST /api/webhooks", "GET /api/webhooks/<subscription_id>",
        "DELETE /api/webhooks/<subscription_id>",
        "GET /api/webhooks/<subscription_id>/deliveries",
        "GET /api/registers/status",
        "GET /api/cases/<path:dnr>", "GET /api/meetings/<ref>/paragraphs/<int:number>",
        # the file a case.document_file_attached item names (a secret one: 403)
        "GET /api/cases/<path:dnr>/documents/<int:document_number>/files",
        "GET /api/cases/<path:dnr>/documents/<int:document_number>/files/<int:version>",
        "GET /api/rules", "GET /api/series", "GET /api/whoami",  # any token
    }
