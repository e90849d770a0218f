"""The desk's frame: signing in and out, sessions, CSRF, and a command's form (its errors in
Swedish next to the field, what was typed kept, the command recorded as the signed-in person)."""

from __future__ import annotations

from typing import Any

from tests.bodies_support import diarium_with_bodies  # noqa: F401 (the fixture)
from tests.desk_support import csrf_of, sign_in, signed_in_clients, submit  # noqa: F401


def test_an_anonymous_visitor_is_sent_to_sign_in_and_back(app: Any) -> None:
    client = app.test_client()
    answer = client.get("/app/cases/register")
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/app/logga-in?next=%2Fapp%2Fcases%2Fregister"
    assert client.post("/app/cases/register", data={}).status_code == 401


def test_signing_in_with_a_token_opens_a_session_and_signing_out_ends_it(
    app: Any, tokens: Any
) -> None:
    secret, _ = tokens.issue(name="anna", roles=["registrar"])
    client = app.test_client()
    wrong = sign_in(client, "dia_000000000000_" + "x" * 43)
    assert wrong.status_code == 401 and "ogiltig" in wrong.get_data(as_text=True)
    answer = sign_in(client, secret)
    assert answer.status_code == 303 and answer.headers["Location"] == "/app/"
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/app" in cookie
    assert "Secure" not in cookie  # plain http here; https: tests/test_desk_sessions.py
    page = client.get("/app/").get_data(as_text=True)
    assert "anna" in page and "registrator" in page
    stolen = client.get_cookie("diarium_session", path="/app").value
    token = csrf_of(client, "/app/")
    assert client.post("/app/logga-ut", data={"csrf_token": token}).status_code == 303
    assert client.get("/app/").status_code == 303
    replay = app.test_client()  # the old cookie is dead on the server too
    replay.set_cookie("diarium_session", stolen, path="/app")
    assert replay.get("/app/").status_code == 303


def test_a_form_without_its_csrf_token_changes_nothing(
    diarium: Any, desk_as: Any
) -> None:
    client = desk_as("registrar", name="anna")
    before = diarium.recorder.max_notification_id()
    answer = client.post("/app/cases/register", data={"title": "Ärende", "responsible_body": "RS"})
    assert answer.status_code == 400
    assert "säkerhetskod" in answer.get_data(as_text=True)
    other = desk_as("registrar", name="berit")  # another session's token is no good either
    answer = client.post("/app/cases/register", data={
        "title": "Ärende", "responsible_body": "RS", "csrf_token": csrf_of(other, "/app/")})
    assert answer.status_code == 400
    assert diarium.recorder.max_notification_id() == before


def test_a_refused_form_shows_the_errors_in_swedish_and_keeps_what_was_typed(
    diarium: Any, desk_as: Any
) -> None:
    client = desk_as("registrar", name="anna")
    before = diarium.recorder.max_notification_id()
    answer = submit(client, "/app/cases/register",
                    {"title": "Bygglov för förråd", "responsible_body": "RS",
                     "registered_on": "igår"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Ange ett datum som ÅÅÅÅ-MM-DD." in text
    assert 'value="Bygglov för förråd"' in text and 'aria-invalid="true"' in text
    future = submit(client, "/app/cases/register",
                    {"title": "Bygglov", "responsible_body": "RS", "registered_on": "2999-01-01"})
    assert future.status_code == 409 and "regel: no-future-date" in future.get_data(as_text=True)
    assert diarium.recorder.max_notification_id() == before


def test_a_form_records_the_command_as_the_signed_in_person(
    diarium: Any, desk_as: Any
) -> None:
    client = desk_as("registrar", name="anna")
    answer = submit(client, "/app/cases/register", {  # a form field "actor" changes nothing
        "title": "Bygglov för förråd", "responsible_body": "RS", "actor": "mallory",
        "secrecy.statute": "OSL 21:1", "secrecy.marking_body": "RS", "secrecy.fields": "title",
        "public_title": "Bygglov",
    })
    assert answer.status_code == 303, answer.get_data(as_text=True)
    dnr = answer.headers["Location"].removeprefix("/app/cases/")
    events = diarium.case_history(dnr)
    assert {e.actor for e in events} == {"anna"}
    assert diarium.get_case(dnr).secrecy is not None
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Ärendet är registrerat." in page


def test_a_role_the_api_refuses_is_refused_on_the_page_in_swedish(
    diarium: Any, desk_as: Any
) -> None:
    client = desk_as("secretary", name="sara")
    answer = client.get("/app/cases/register")
    assert answer.status_code == 403
    assert "registrator" in answer.get_data(as_text=True)
    scoped = desk_as("registrar", name="hsn.reg", bodies=("HSN",))
    refused = submit(scoped, "/app/cases/register", {"title": "X", "responsible_body": "RS"})
    assert refused.status_code == 403


def test_a_case_page_links_the_forms_its_reader_may_use(diarium: Any, desk_as: Any) -> None:
    registrar = desk_as("registrar", name="anna")
    answer = submit(registrar, "/app/cases/register",
                    {"title": "Bygglov", "responsible_body": "RS"})
    url = answer.headers["Location"]
    page = registrar.get(url).get_data(as_text=True)
    assert f'href="{url}/officer"' in page and f'href="{url}/close"' in page
    auditor = desk_as("auditor", name="revisorn")
    assert "/officer" not in auditor.get(url).get_data(as_text=True)
    assert auditor.get(f"{url}/officer").status_code == 403


def test_a_case_page_offers_only_what_the_case_takes_in_its_status(
    diarium: Any, desk_as: Any
) -> None:
    registrar = desk_as("registrar", name="anna")
    url = submit(registrar, "/app/cases/register",
                 {"title": "Bygglov", "responsible_body": "RS"}).headers["Location"]
    open_page = registrar.get(url).get_data(as_text=True)
    assert f'href="{url}/close"' in open_page and f'href="{url}/reopen"' not in open_page
    assert submit(registrar, f"{url}/close", {}).status_code == 303
    closed_page = registrar.get(url).get_data(as_text=True)
    assert f'href="{url}/reopen"' in closed_page and f'href="{url}/secrecy"' in closed_page
    assert f'href="{url}/close"' not in closed_page
    assert f'href="{url}/documents"' not in closed_page
