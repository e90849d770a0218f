"""The staff's desk: every ``/app/`` route of the URL map (pages and forms, also those added
later) × every role, each signed in through the desk's SESSION (the sign-in page, not a
bearer header), as tests/test_access_matrix.py walks the API.

A role is let through (anything but 401/403, and never a 500) exactly when the route's
declared policy names it, and refused with the Swedish 403 page otherwise; without a session
a page (GET) sends the visitor to sign in (303) and a form sent (POST) is 401. A form's
policy is its API route's own policy object (web/desk/forms.py), so the desk cannot allow
what the API refuses. Forms are sent with the session's CSRF token, so the policy is what
decides. Officers' grants hold on their own case (the case here has the officer's name).
"""

from __future__ import annotations

from typing import Any

from diarium.domain.roles import ALL_ROLES
from diarium.web.auth import policy_of
from tests.bodies_support import diarium_with_bodies  # noqa: F401 (the fixture)
from tests.desk_routes import desk_routes, desk_url
from tests.desk_support import csrf_of, signed_in_clients  # noqa: F401 (the fixture)

OFFICER = "matrix.officer"
SIGN_OUT = "/app/logga-ut"  # walked last: it ends the session
PUBLIC = {"/app/logga-in", "/app/logga-in/oidc", "/app/logga-in/oidc/callback"}


def _walk(app: Any) -> list[tuple[Any, str]]:
    return sorted(desk_routes(app), key=lambda pair: pair[0].rule == SIGN_OUT)


def _call(client: Any, method: str, url: str, csrf: str | None = None) -> Any:
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": csrf} if csrf else {})


def test_every_desk_route_declares_its_policy_and_only_sign_in_is_public(app: Any) -> None:
    routes = desk_routes(app)
    assert len({rule.rule for rule, _ in routes}) >= 8
    undeclared = sorted({rule.rule for rule, _ in routes
                         if policy_of(app.view_functions[rule.endpoint]) is None})
    assert undeclared == []
    public = {rule.rule for rule, _ in routes
              if policy_of(app.view_functions[rule.endpoint]).public}
    assert public == PUBLIC


def test_a_desk_form_has_its_api_routes_own_policy(app: Any) -> None:
    forms = app.extensions["diarium_desk_forms"]
    assert "cases.register_case" in forms
    for api_endpoint, (_, desk_endpoint, _) in forms.items():
        api_policy = policy_of(app.view_functions[api_endpoint])
        desk_policy = policy_of(app.view_functions[desk_endpoint])
        assert desk_policy is api_policy, (api_endpoint, desk_endpoint)


def test_desk_role_route_matrix(app: Any, client: Any, desk_as: Any) -> None:
    dnr = client.post("/api/cases", json={
        "title": "Matris", "responsible_body": "RS", "officer": OFFICER}).get_json()["dnr"]
    clients = {role: desk_as(role, name=OFFICER if role == "officer" else f"matrix.{role}")
               for role in ALL_ROLES}
    tokens = {role: csrf_of(browser, "/app/logga-in") for role, browser in clients.items()}
    anonymous = app.test_client()
    wrong: list[str] = []
    checked = 0
    for rule, method in _walk(app):
        policy = policy_of(app.view_functions[rule.endpoint])
        url = desk_url(rule, dnr=dnr)
        if policy.public:
            continue  # the sign-in pages: tests/test_desk_sessions.py, tests/test_desk_oidc.py
        answer = _call(anonymous, method, url)
        expected = 303 if method == "GET" else 401
        if answer.status_code != expected or (
            method == "GET" and not answer.headers["Location"].startswith("/app/logga-in?next=")
        ):
            wrong.append(f"{method} {rule.rule}: {answer.status_code} without a session "
                         f"(expected {expected})")
        for role, browser in clients.items():
            status = _call(browser, method, url, tokens[role]).status_code
            checked += 1
            allowed = role in policy.roles
            if status >= 500:
                wrong.append(f"{method} {rule.rule}: {role} got {status}")
            elif allowed and status in (401, 403):
                wrong.append(f"{method} {rule.rule}: {role} is allowed, got {status}")
            elif not allowed and status != 403:
                wrong.append(f"{method} {rule.rule}: {role} is not allowed, got {status}")
    assert wrong == [], "\n".join(wrong)
    assert checked >= len(ALL_ROLES) * 8, checked
    print(f"desk matrix: {checked} role × route checks through sessions")


def test_a_refusal_is_the_swedish_page_naming_the_roles_needed(desk_as: Any) -> None:
    answer = desk_as("auditor", name="revisorn").get("/app/cases/register")
    text = answer.get_data(as_text=True)
    assert answer.status_code == 403 and answer.mimetype == "text/html"
    assert "Du har inte behörighet" in text and "registrator" in text
