"""The public website's frame: the accessibility statement in a real browser with axe-core,
the stylesheet served by the app, conditional answers (ETag) by the store's state, and
personal identity numbers masked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from diarium.domain.identity_numbers import MASK, masked
from tests.browser_support import chromium_browser, violations, visit  # noqa: F401
from tests.live_server import serving_store


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving_store(tmp_path_factory.mktemp("site"), lambda _: None) as (served, _):
        yield served


def test_the_accessibility_statement_is_accessible(browser: Any, base: str) -> None:
    page = visit(browser, base + "/tillganglighet")
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.locator("h1").inner_text() == "Tillgänglighetsredogörelse"
    assert page.locator("a.skip").get_attribute("href") == "#innehall"
    assert violations(page) == []


def test_pages_answer_conditionally_and_the_stylesheet_is_served(base: str) -> None:
    first = requests.get(base + "/tillganglighet", timeout=10)
    assert first.status_code == 200 and first.headers["ETag"].startswith('W/"')
    again = requests.get(base + "/tillganglighet", timeout=10,
                         headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""
    since = requests.get(base + "/tillganglighet", timeout=10,
                         headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    older = requests.get(base + "/tillganglighet", timeout=10,
                         headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert older.status_code == 200 and older.content
    css = requests.get(base + "/static/site.css", timeout=10)
    assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css")
    assert requests.get(base + "/static/nothing.css", timeout=10).status_code == 404
    assert "form-action 'self'" in first.headers["Content-Security-Policy"]


def test_personal_identity_numbers_are_masked() -> None:
    assert masked("Ansökan från 19121212-1212 och 121212-1212") == (
        f"Ansökan från {MASK} och {MASK}")
    assert masked("Faktura 1234567890") == "Faktura 1234567890"  # not Luhn-valid
    assert masked(None) is None
