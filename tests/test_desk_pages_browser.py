"""The desk's diary pages (web/desk/: My work, the diary search, the case page, its timeline
and as-of view, the registers and the deadlines) in a real browser: Debian's chromium driven
by Playwright, signed in through the sign-in page of a live gunicorn server with the demo
loaded, each page checked with axe-core (WCAG 2.1 AA): zero violations."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from diarium.cases.application import Diarium
from diarium.cases.demo.cases import load_demo
from diarium.cases.tokens import TokenStore
from diarium.domain.actor import Actor
from diarium.domain.case.secrecy import MarkDocumentSecret
from diarium.projections.listings import LISTINGS
from tests.browser_support import chromium_browser, violations  # noqa: F401
from tests.live_server import serving_store

DNR = "943-2020"  # a demo case with documents, files, an incoming referral and its answer
PAGES = [
    "/app/",
    "/app/cases",
    "/app/cases?q=remiss&status=closed",
    f"/app/cases/{DNR}",
    f"/app/cases/{DNR}/events",
    f"/app/cases/{DNR}/as-of?date={date.today()}",
    "/app/cases/943-2020/as-of?date=2001-01-01",
    "/app/registers",
    *(f"/app/registers/{name}" for name in LISTINGS),
    "/app/deadlines",
]

FILED = "1338-2020"  # a demo case whose first document (the memo) has its file
OUTSIDER: list[str] = []  # the token of an officer of other cases (set by ``desk``)


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The base URL of a server with the demo loaded, and the token of its case officer (who
    is also registrar, secretary and auditor, so that every part of every page shows)."""

    def demo_and_officer(diarium: Diarium) -> str:
        load_demo(diarium)
        # a document of the case marked secret, so that a reader without access meets its
        # file's refusal (file_secret.html)
        diarium.handle(MarkDocumentSecret(FILED, 1, statute="OSL 21:1", marking_body="RS"),
                       Actor("registrator", roles=("registrar",)))
        tokens = TokenStore.for_application(diarium)
        token, _ = tokens.issue(name="Linda Ylivainio",
                                roles=["registrar", "officer", "secretary", "auditor"])
        OUTSIDER.append(tokens.issue(name="olle", roles=["officer"])[0])
        return token

    with serving_store(tmp_path_factory.mktemp("desk"), demo_and_officer) as served:
        yield served


@pytest.fixture(scope="module")
def signed_in(browser: Any, desk: tuple[str, str]) -> Any:
    """A browser page signed in through the sign-in form (a session cookie, no header)."""
    base, token = desk
    page = browser.new_context().new_page()
    page.goto(base + "/app/")  # anonymous: sent to sign in, and back afterwards
    assert "/app/logga-in" in page.url
    page.get_by_label("Personlig nyckel").fill(token)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(base + "/app/")
    deadline = time.monotonic() + 20  # the server's projections catch up in the background
    page.goto(base + "/app/cases")
    while DNR not in page.content() and time.monotonic() < deadline:
        time.sleep(0.5)
        page.reload()
    return page


@pytest.mark.parametrize("path", PAGES)
def test_each_diary_page_is_accessible(signed_in: Any, desk: tuple[str, str], path: str) -> None:
    base, _ = desk
    response = signed_in.goto(base + path)
    assert response is not None and response.status == 200, path
    assert signed_in.locator("html").get_attribute("lang") == "sv"
    assert signed_in.locator("h1").count() == 1
    assert signed_in.locator("main").count() == 1
    assert violations(signed_in) == [], path


def test_the_case_page_and_my_work_show_the_demo_case(
    signed_in: Any, desk: tuple[str, str]
) -> None:
    base, _ = desk
    signed_in.goto(f"{base}/app/cases/{DNR}")
    content = signed_in.content()
    assert "Socialdepartementet" in content and "Tidslinje" in content
    signed_in.goto(f"{base}/app/")
    assert "Öppna ärenden där du är handläggare" in signed_in.content()  # her demo cases


def test_an_invalid_filter_page_is_accessible(signed_in: Any, desk: tuple[str, str]) -> None:
    base, _ = desk
    response = signed_in.goto(f"{base}/app/cases?registered_from=igår")
    assert response is not None and response.status == 400
    assert "Ange ett datum som ÅÅÅÅ-MM-DD." in signed_in.content()
    assert violations(signed_in) == []


def _checked(page: Any, status: int, heading: str) -> None:
    """The page the browser landed on: ``status``, its one heading, no axe violations."""
    assert page.locator("h1").inner_text().strip() == heading
    assert page.locator("html").get_attribute("lang") == "sv"
    assert violations(page) == [], heading


def test_the_desks_refusals_and_errors_are_accessible(
    browser: Any, signed_in: Any, desk: tuple[str, str]
) -> None:
    """Refused by the policy (403), not found (404), a form refused at its fields (422), a
    form without its CSRF token (400) or without a session (401), a secret file (403): each a
    Swedish page, in the desk's frame, with zero axe violations."""
    base, _ = desk
    missing = signed_in.goto(f"{base}/app/cases/9999-2020")
    assert missing is not None and missing.status == 404
    _checked(signed_in, 404, "Hittades inte")
    signed_in.goto(f"{base}/app/cases/register")
    with signed_in.expect_response(lambda r: r.request.method == "POST") as sent:
        signed_in.get_by_role("button", name="Registrera ärende").click()
    assert sent.value.status == 422
    _checked(signed_in, 422, "Registrera ärende")
    assert signed_in.locator(".error-summary").count() == 1
    signed_in.goto(f"{base}/app/cases/register")
    signed_in.locator("main input[name=csrf_token]").evaluate("input => input.value = 'fel'")
    with signed_in.expect_response(lambda r: r.request.method == "POST") as sent:
        signed_in.get_by_role("button", name="Registrera ärende").click()
    assert sent.value.status == 400
    _checked(signed_in, 400, "Formuläret gick inte att ta emot")

    anonymous = browser.new_context().new_page()  # a form sent after the session ended
    anonymous.goto(f"{base}/app/logga-in")
    anonymous.locator("form.stacked").evaluate("form => form.action = '/app/cases/register'")
    anonymous.get_by_label("Personlig nyckel").fill("x")  # the field is required
    with anonymous.expect_response(lambda r: r.request.method == "POST") as sent:
        anonymous.get_by_role("button", name="Logga in").click()
    assert sent.value.status == 401
    _checked(anonymous, 401, "Logga in igen")
    anonymous.goto(f"{base}/app/logga-in")
    anonymous.get_by_label("Personlig nyckel").fill(OUTSIDER[0])
    anonymous.get_by_role("button", name="Logga in").click()
    forbidden = anonymous.goto(f"{base}/app/cases/register")  # a registrar's form
    assert forbidden is not None and forbidden.status == 403
    _checked(anonymous, 403, "Du har inte behörighet")
    refused = anonymous.goto(f"{base}/app/cases/{FILED}/documents/1/files/1")
    assert refused is not None and refused.status == 403
    _checked(anonymous, 403, "Handlingen omfattas av sekretess")
    anonymous.context.close()
