"""The desk's diary pages (web/desk/: My work, the diary search, the case page, its timeline
and as-of view, the registers and the deadlines) in a real browser: Debian's chromium driven
by Playwright, signed in through the sign-in page of a live gunicorn server with the demo
loaded, each page checked with axe-core (WCAG 2.1 AA): zero violations."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from diarium.cases.application import Diarium
from diarium.cases.demo.cases import load_demo
from diarium.cases.tokens import TokenStore
from diarium.projections.listings import LISTINGS
from tests.browser_support import chromium_browser, violations  # noqa: F401
from tests.live_server import serving

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


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The base URL of a server with the demo loaded, and the token of its case officer (who
    is also registrar, secretary and auditor, so that every part of every page shows)."""
    folder = tmp_path_factory.mktemp("desk")
    url = f"sqlite:///{folder / 'desk.sqlite'}"
    diarium = Diarium(url, create_tables=True)
    load_demo(diarium)
    token, _ = TokenStore.for_application(diarium).issue(
        name="Linda Ylivainio", roles=["registrar", "officer", "secretary", "auditor"])
    diarium.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
    with serving(url, Path(folder)) as base:
        yield base, token


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
