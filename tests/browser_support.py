"""The HTML pages in a real browser: Debian's chromium driven by Playwright (launched by
``executable_path``; no browser is downloaded), each page checked with axe-core for WCAG 2.1
A and AA. A test module takes the fixture as::

    from tests.browser_support import chromium_browser, violations, visit  # noqa: F401
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture(scope="module", name="browser")
def chromium_browser() -> Iterator[Any]:
    """Debian's chromium (CI installs it with apt-get; no browser is downloaded)."""
    if CHROMIUM is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but no chromium (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def visit(browser: Any, url: str, token: str | None = None, *, javascript: bool = True) -> Any:
    """The page at ``url`` (with the token's bearer header), its answer checked 200."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    page = browser.new_context(extra_http_headers=headers,
                               java_script_enabled=javascript).new_page()
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    return page


def violations(page: Any) -> list[str]:
    """The WCAG 2.1 A and AA rules axe-core finds broken on ``page``."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page, options=WCAG_AA).response["violations"]
    return [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in found]
