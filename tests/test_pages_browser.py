"""The HTML pages in a real browser (Debian's chromium driven by Playwright, launched by
``executable_path``), served by gunicorn over loopback, each checked with axe-core (WCAG 2.1
AA): the problem types (``/problems``, ``/problems/<type>``) and a meeting's protocol."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from diarium.cases.application import Diarium
from diarium.cases.demo.cases import load_demo
from diarium.cases.tokens import TokenStore
from tests.browser_support import chromium_browser, violations, visit  # noqa: F401
from tests.live_server import serving_store

PROTOCOL = "/api/meetings/RS-2020-10-14/protocol"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The base URL of a server with the demo loaded, and a secretary's token."""

    def demo_and_secretary(diarium: Diarium) -> str:
        load_demo(diarium)
        return TokenStore.for_application(diarium).issue(name="sekreterare",
                                                         roles=["secretary"])[0]

    with serving_store(tmp_path_factory.mktemp("pages"), demo_and_secretary) as served:
        yield served


@pytest.mark.parametrize("path", ["/problems", "/problems/invalid-query"])
def test_the_problem_pages_are_accessible(
    browser: Any, site: tuple[str, str], path: str
) -> None:
    base, _ = site
    page = visit(browser, base + path)
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.locator("h1").count() == 1
    assert "invalid-query" in page.content()
    assert violations(page) == []


def test_the_protocol_page_is_accessible(browser: Any, site: tuple[str, str]) -> None:
    base, token = site
    page = visit(browser, base + PROTOCOL, token)
    assert page.locator("html").get_attribute("lang") == "sv"
    assert "§ 160" in page.content()
    assert violations(page) == []


def test_a_page_without_its_token_is_refused(browser: Any, site: tuple[str, str]) -> None:
    base, _ = site
    page = browser.new_page()
    response = page.goto(base + PROTOCOL)
    assert response is not None and response.status == 401
    assert "§ 160" not in page.content()


def test_axe_finds_what_is_broken(browser: Any) -> None:
    """The check itself can fail: a page without a language or an image's text is refused."""
    page = browser.new_page()
    page.set_content("<html><head><title>x</title></head><body><img src='x.png'></body></html>")
    assert {v.split(":")[0] for v in violations(page)} >= {"html-has-lang", "image-alt"}
