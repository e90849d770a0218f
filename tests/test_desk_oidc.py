"""Signing in to the desk with the organisation's identity provider (web/desk/oidc_signin.py),
against a real provider on loopback (tests/oidc_provider.py): the code flow with PKCE, state
and nonce; the ID token verified; roles and bodies read from the claims as the API reads a
bearer JWT; every failure a Swedish page, never a 500."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from werkzeug.serving import make_server

from diarium.cases.application import Diarium
from diarium.web import create_app
from tests.bodies_support import diarium_with_bodies  # noqa: F401 (the fixture)
from tests.browser_support import chromium_browser, violations  # noqa: F401
from tests.oidc_provider import CLIENT_ID, Provider, live_identity_provider  # noqa: F401


@pytest.fixture
def oidc_app(diarium: Any, identity_provider: Provider) -> Any:
    return create_app(diarium, DIARIUM_OIDC_ISSUER=identity_provider.issuer,
                      DIARIUM_OIDC_AUDIENCE=CLIENT_ID, DIARIUM_OIDC_CLIENT_ID=CLIENT_ID,
                      DIARIUM_OIDC_JWKS_URL=f"{identity_provider.issuer}/jwks",
                      DIARIUM_OIDC_BODIES_CLAIM="org.bodies")


def _to_provider(client: Any, next_page: str = "/app/") -> str:
    """Start the sign-in; the provider's answer (the callback URL on the desk)."""
    answer = client.get("/app/logga-in/oidc", query_string={"next": next_page})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    back = requests.get(answer.headers["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302
    location = urlsplit(back.headers["Location"])
    assert location.path == "/app/logga-in/oidc/callback"
    return f"{location.path}?{location.query}"


def test_signing_in_through_the_provider_opens_a_session(
    oidc_app: Any, identity_provider: Provider
) -> None:
    client = oidc_app.test_client()
    page = client.get("/app/logga-in").get_data(as_text=True)
    assert "Logga in med organisationens inloggning" in page
    identity_provider.user = {"preferred_username": "hanna.hsn", "sub": "u-2",
                              "roles": ["officer", "offline_access"],
                              "org": {"bodies": ["HSN"]}}
    identity_provider.token_extra = {"refresh_expires_in": 3600}
    answer = client.get(_to_provider(client, "/app/cases/register"))
    assert answer.status_code == 303, answer.get_data(as_text=True)
    assert answer.headers["Location"] == "/app/cases/register"
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/app" in cookie
    asked = identity_provider.authorizations[-1]  # the code flow, with PKCE S256 and a nonce
    assert asked["response_type"] == "code" and asked["client_id"] == CLIENT_ID
    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) >= 43
    assert asked["nonce"] and asked["state"] and "openid" in asked["scope"].split()
    assert len(identity_provider.exchanges[-1]["code_verifier"]) >= 43
    home = client.get("/app/")
    text = home.get_data(as_text=True)
    assert home.status_code == 200 and "hanna.hsn" in text and "handläggare" in text
    assert client.get("/app/cases/register").status_code == 403  # an officer registers nothing
    row = _session_rows(oidc_app)[-1]  # the claims' roles and bodies, as the API reads them
    assert (row.name, row.roles, row.bodies, row.token_id) == ("hanna.hsn", "officer", "HSN",
                                                               None)
    lifetime = row.ends_at - row.began_at  # not beyond the provider's own session
    assert 3590 <= lifetime.total_seconds() <= 3610


def _session_rows(app: Any) -> list[Any]:
    from sqlalchemy import select

    from diarium.cases.sessions import sessions_table

    engine = app.extensions["diarium_desk_sessions"].engine
    with engine.connect() as connection:
        return list(connection.execute(select(sessions_table).order_by(
            sessions_table.c.began_at)))


def test_an_answer_with_another_state_is_refused(
    oidc_app: Any, identity_provider: Provider
) -> None:
    client = oidc_app.test_client()
    callback = _to_provider(client)
    path, _, query = callback.partition("?")
    code = parse_qs(query)["code"][0]
    forged = client.get(path, query_string={"code": code, "state": "somebody-elses"})
    assert forged.status_code == 400
    assert "Börja om" in forged.get_data(as_text=True)
    stranger = oidc_app.test_client()  # an answer meant for another browser
    assert stranger.get(callback).status_code == 400
    assert client.get("/app/").status_code == 303  # nobody is signed in
    assert _session_rows(oidc_app) == []


def test_a_tampered_or_foreign_id_token_is_refused(
    oidc_app: Any, identity_provider: Provider
) -> None:
    for tamper, overrides in (
        ({"roles": ["admin"]}, {}),  # the claims changed after signing
        (None, {"aud": "another-app"}),
        (None, {"iss": "https://evil.example.test"}),
        (None, {"nonce": "replayed"}),
        (None, {"exp": 1_000_000_000}),  # long expired
    ):
        identity_provider.tamper, identity_provider.overrides = tamper, overrides
        client = oidc_app.test_client()
        answer = client.get(_to_provider(client))
        assert answer.status_code == 401, (tamper, overrides, answer.status_code)
        assert "kunde inte godtas" in answer.get_data(as_text=True)
        assert client.get("/app/").status_code == 303
    assert _session_rows(oidc_app) == []


def test_the_pkce_verifier_is_checked(oidc_app: Any, identity_provider: Provider) -> None:
    client = oidc_app.test_client()
    callback = _to_provider(client)
    asked = identity_provider.authorizations[-1]
    code = parse_qs(urlsplit(callback).query)["code"][0]
    stolen = requests.post(f"{identity_provider.issuer}/token", timeout=10, data={
        "grant_type": "authorization_code", "code": code, "client_id": CLIENT_ID,
        "redirect_uri": asked["redirect_uri"], "code_verifier": "x" * 43})
    assert stolen.status_code == 400  # a stolen code is useless without the verifier
    assert client.get(callback).status_code == 401  # and the code is spent
    assert _session_rows(oidc_app) == []


def test_a_person_without_diarium_roles_gets_a_swedish_page(
    oidc_app: Any, identity_provider: Provider
) -> None:
    identity_provider.user = {"preferred_username": "olle", "sub": "u-3",
                              "roles": ["offline_access"]}
    client = oidc_app.test_client()
    answer = client.get(_to_provider(client))
    assert answer.status_code == 403
    assert "ingen roll i diariet" in answer.get_data(as_text=True)
    assert client.get("/app/").status_code == 303


def test_a_denied_sign_in_and_an_unknown_provider_are_swedish_pages(
    oidc_app: Any, identity_provider: Provider, app: Any
) -> None:
    identity_provider.deny = True
    client = oidc_app.test_client()
    answer = client.get(_to_provider(client))
    assert answer.status_code == 401 and "avbröts" in answer.get_data(as_text=True)
    assert client.get("/app/logga-in/oidc/callback").status_code == 400  # no state at all
    plain = app.test_client()  # without OIDC configured: no such sign-in
    assert "organisationens inloggning" not in plain.get("/app/logga-in").get_data(as_text=True)
    assert plain.get("/app/logga-in/oidc").status_code == 404
    assert plain.get("/app/logga-in/oidc/callback?code=x&state=y").status_code == 404


def test_an_unreachable_provider_is_a_swedish_page(diarium: Any) -> None:
    app = create_app(diarium, DIARIUM_OIDC_ISSUER="http://127.0.0.1:9",
                     DIARIUM_OIDC_AUDIENCE=CLIENT_ID, DIARIUM_OIDC_CLIENT_ID=CLIENT_ID,
                     DIARIUM_OIDC_JWKS_URL="http://127.0.0.1:9/jwks")
    answer = app.test_client().get("/app/logga-in/oidc")
    assert answer.status_code == 502 and "svarar inte" in answer.get_data(as_text=True)


@pytest.fixture
def served_desk(identity_provider: Provider, tmp_path: Any) -> Iterator[str]:
    """The desk with OIDC, served on 127.0.0.1 in a thread (for a real browser)."""
    store = Diarium(f"sqlite:///{tmp_path / 'desk.sqlite'}", create_tables=True)
    app = create_app(store, DIARIUM_OIDC_ISSUER=identity_provider.issuer,
                     DIARIUM_OIDC_AUDIENCE=CLIENT_ID, DIARIUM_OIDC_CLIENT_ID=CLIENT_ID,
                     DIARIUM_OIDC_JWKS_URL=f"{identity_provider.issuer}/jwks")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        store.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]


def test_in_a_browser_the_sign_in_pages_are_accessible_and_lead_in(
    browser: Any, served_desk: str, identity_provider: Provider
) -> None:
    page = browser.new_context().new_page()
    page.goto(f"{served_desk}/app/cases/register")
    assert page.locator("h1").inner_text() == "Logga in"
    assert violations(page) == []
    page.click("text=Logga in med organisationens inloggning")
    page.wait_for_url(f"{served_desk}/app/cases/register")
    assert "anna.idp" in page.content()
    identity_provider.user = {"preferred_username": "olle", "sub": "u-9", "roles": ["staff"]}
    other = browser.new_context().new_page()
    other.goto(f"{served_desk}/app/logga-in")
    other.click("text=Logga in med organisationens inloggning")
    other.wait_for_url(f"{served_desk}/app/logga-in/oidc/callback*")
    assert other.locator("h1").inner_text() == "Ingen behörighet i diariet"
    assert violations(other) == []
