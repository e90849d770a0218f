"""The desk's sessions (web/desk/common.py, cases/sessions.py): the cookie's flags (Secure over
https, also behind a proxy with ``DIARIUM_PROXY_HOPS``), idle timeout and lifetime, signing
out and a revoked token ending the session on the server, a fresh session id at every
sign-in, CSRF on every form of the desk, a ``next`` that stays on the site, and a scoped
token's scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from diarium.cases.sessions import sessions_table
from diarium.web import create_app
from tests.bodies_support import diarium_with_bodies  # noqa: F401 (the fixture)
from tests.desk_routes import desk_routes, desk_url
from tests.desk_support import csrf_of, sign_in, signed_in_clients, submit  # noqa: F401

COOKIE = "diarium_session"


def _rows(app: Any) -> list[Any]:
    engine = app.extensions["diarium_desk_sessions"].engine
    with engine.connect() as connection:
        return list(connection.execute(select(sessions_table)))


def _age(app: Any, **moved: timedelta) -> None:
    """Move every session's ``seen_at``/``ends_at`` back by the given time (no sleeping)."""
    engine = app.extensions["diarium_desk_sessions"].engine
    with engine.begin() as connection:
        for row in connection.execute(select(sessions_table)):
            values = {name: getattr(row, name) - delta for name, delta in moved.items()}
            connection.execute(update(sessions_table)
                               .where(sessions_table.c.id_hash == row.id_hash).values(**values))


@pytest.fixture
def app_with(diarium: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The app made with the given environment: ``app_with(DIARIUM_PROXY_HOPS="1")``."""

    def make(**environment: str) -> Any:
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        return create_app(diarium)

    return make


def _session_id(app: Any, client: Any) -> str:
    """The session id inside the browser's signed cookie."""
    cookie = client.get_cookie(COOKIE, path="/app")
    serializer = app.session_interface.get_signing_serializer(app)
    return str(serializer.loads(cookie.value)["desk_session"])


def test_the_cookie_is_http_only_lax_for_the_desk_and_secure_over_https(
    app: Any, tokens: Any
) -> None:
    secret, _ = tokens.issue(name="anna", roles=["registrar"])
    answer = sign_in(app.test_client(), secret, "https://localhost/app/logga-in")
    assert answer.status_code == 303
    flags = [part.strip() for part in answer.headers["Set-Cookie"].split(";")]
    assert {"HttpOnly", "SameSite=Lax", "Path=/app", "Secure"} <= set(flags)
    # a forwarded "https" counts only behind a proxy the operator declared
    answer = sign_in(app.test_client(), secret, headers={"X-Forwarded-Proto": "https"})
    assert answer.status_code == 303 and "Secure" not in answer.headers["Set-Cookie"]


def test_behind_a_declared_proxy_a_forwarded_https_makes_the_cookie_secure(
    app_with: Any, tokens: Any
) -> None:
    app = app_with(DIARIUM_PROXY_HOPS="1")
    secret, _ = tokens.issue(name="anna", roles=["registrar"])
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "diarium.example.se"}
    answer = sign_in(app.test_client(), secret, headers=forwarded)
    assert answer.status_code == 303
    assert "Secure" in answer.headers["Set-Cookie"]


def test_an_idle_session_ends_and_the_next_request_signs_in_again(
    app_with: Any, tokens: Any
) -> None:
    app = app_with(DIARIUM_SESSION_IDLE_MINUTES="5")
    secret, _ = tokens.issue(name="anna", roles=["registrar"])
    client = app.test_client()
    assert sign_in(client, secret).status_code == 303
    _age(app, seen_at=timedelta(minutes=4))
    assert client.get("/app/").status_code == 200  # within the idle time: alive, seen again
    _age(app, seen_at=timedelta(minutes=4))  # seen just now: four minutes is no idle time
    assert client.get("/app/").status_code == 200
    _age(app, seen_at=timedelta(minutes=6))
    answer = client.get("/app/")
    assert answer.status_code == 303 and answer.headers["Location"].startswith("/app/logga-in")
    assert _rows(app)[0].ended_at is not None  # ended for good
    _age(app, seen_at=-timedelta(minutes=6))  # even were it seen again, it stays ended
    assert client.get("/app/").status_code == 303


def test_a_session_ends_at_its_lifetime(app: Any, desk_as: Any) -> None:
    client = desk_as("registrar", name="anna")
    assert client.get("/app/").status_code == 200
    _age(app, ends_at=timedelta(hours=11))
    assert client.get("/app/").status_code == 303
    assert _rows(app)[0].ended_at is not None


def test_signing_out_ends_the_session_on_the_server(app: Any, desk_as: Any) -> None:
    client = desk_as("registrar", name="anna")
    copied = client.get_cookie(COOKIE, path="/app").value
    assert client.post("/app/logga-ut",
                       data={"csrf_token": csrf_of(client, "/app/")}).status_code == 303
    assert _rows(app)[0].ended_at is not None
    thief = app.test_client()
    thief.set_cookie(COOKIE, copied, path="/app")
    assert thief.get("/app/").status_code == 303


def test_a_revoked_token_ends_its_sessions_at_once(app: Any, tokens: Any) -> None:
    secret, token = tokens.issue(name="anna", roles=["registrar"])
    browsers = [app.test_client(), app.test_client()]
    for browser in browsers:
        assert sign_in(browser, secret).status_code == 303
        assert browser.get("/app/").status_code == 200
    tokens.revoke(token.id, by="admin")
    for browser in browsers:
        assert browser.get("/app/").status_code == 303
    assert all(row.ended_at is not None for row in _rows(app))


def test_the_session_id_is_new_at_every_sign_in(app: Any, tokens: Any) -> None:
    anna, _ = tokens.issue(name="anna", roles=["registrar"])
    berit, _ = tokens.issue(name="berit", roles=["officer"])
    client = app.test_client()
    client.get("/app/logga-in")
    before = client.get_cookie(COOKIE, path="/app").value  # an anonymous visitor's cookie
    assert sign_in(client, anna).status_code == 303
    first = _session_id(app, client)
    copied = client.get_cookie(COOKIE, path="/app").value
    assert copied != before
    assert sign_in(client, berit).status_code == 303
    assert _session_id(app, client) != first
    assert "berit" in client.get("/app/").get_data(as_text=True)
    old = app.test_client()  # the session signed in before has ended
    old.set_cookie(COOKIE, copied, path="/app")
    assert old.get("/app/").status_code == 303


def test_every_form_of_the_desk_needs_its_own_sessions_csrf_token(
    app: Any, diarium: Any, desk_as: Any, client: Any
) -> None:
    dnr = client.post("/api/cases", json={"title": "Ärende", "responsible_body": "RS",
                                          "officer": "anna"}).get_json()["dnr"]
    signed_in, other = desk_as(name="anna"), desk_as(name="berit")  # anna: every role, officer
    foreign = csrf_of(other, "/app/")
    before = diarium.recorder.max_notification_id()
    posts = [rule for rule, _ in desk_routes(app, ("POST",))]
    assert any(rule.rule == "/app/cases/register" for rule in posts)
    wrong = []
    for rule in posts:
        url = desk_url(rule, dnr=dnr)
        data = {"title": "X", "responsible_body": "RS", "officer": "olle", "token": "x"}
        for sent in (data, {**data, "csrf_token": foreign}, {**data, "csrf_token": "forged"}):
            status = signed_in.post(url, data=sent).status_code
            if status != 400:
                wrong.append(f"POST {rule.rule}: {status} ({sent.get('csrf_token')})")
    assert wrong == [], "\n".join(wrong)
    assert diarium.recorder.max_notification_id() == before
    assert signed_in.get("/app/").status_code == 200  # still signed in as before


@pytest.mark.parametrize("target", [
    "//evil.example", "https://evil.example/app/", "/\\evil.example", "/app/\\evil",
    "http:/app/", "/app/\r\nLocation: https://evil.example", "javascript:alert(1)",
    "/app@evil.example", "\\\\evil.example",
])
def test_the_next_page_after_signing_in_stays_on_the_desk(
    app: Any, tokens: Any, target: str
) -> None:
    secret, _ = tokens.issue(name="anna", roles=["registrar"])
    client = app.test_client()
    shown = client.get("/app/logga-in", query_string={"next": target})
    assert shown.status_code == 400 or (  # control characters: refused as a query parameter
        'name="next" value="/app/"' in shown.get_data(as_text=True))
    answer = sign_in(client, secret, next=target)
    assert answer.status_code == 303 and answer.headers["Location"] == "/app/"
    answer = sign_in(app.test_client(), secret, next="/app/cases/register")
    assert answer.headers["Location"] == "/app/cases/register"


def test_a_scoped_token_signs_in_with_its_scope(app: Any, diarium: Any, desk_as: Any) -> None:
    client = desk_as("registrar", name="hsn.reg", bodies=("HSN",))
    row = _rows(app)[0]
    assert (row.name, row.roles, row.bodies) == ("hsn.reg", "registrar", "HSN")
    refused = submit(client, "/app/cases/register", {"title": "X", "responsible_body": "RS"})
    assert refused.status_code == 403
    taken = submit(client, "/app/cases/register", {"title": "X", "responsible_body": "HSN"})
    assert taken.status_code == 303
    dnr = taken.headers["Location"].removeprefix("/app/cases/")
    assert diarium.get_case(dnr).responsible_body == "HSN"


def test_the_sessions_clock_is_the_servers(app: Any, desk_as: Any) -> None:
    desk_as("registrar", name="anna")
    row = _rows(app)[0]
    began = row.began_at if row.began_at.tzinfo else row.began_at.replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - began).total_seconds()) < 60
    assert row.ends_at - row.began_at == timedelta(hours=10)  # the default working day
