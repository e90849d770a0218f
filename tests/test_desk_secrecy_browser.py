"""No secret content on any page of the staff's desk, in a real browser: the leak test's
store (tests/test_leaks.py: a secret case on a meeting's agenda, a secret document, a secret
referral sender…) served by gunicorn; readers without access sign in on the sign-in page and
follow every link of the desk from My work, the diary's searches for the secret words, the
secret cases' pages and the meeting's (GET only; forms are opened, not sent), and no page
they reach shows the secret mark. A reader with access, crawled the same way, does see it
(the crawl reaches the secret content)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest

from diarium.cases.application import Diarium
from diarium.cases.tokens import TokenStore
from diarium.web import create_app
from tests import meetings_support as ms
from tests.browser_support import chromium_browser  # noqa: F401
from tests.live_server import serving_store
from tests.test_leaks import DNR, MARK, OTHER, build_world

MAX_PAGES = 120  # per reader: every kind of desk page, several of each
READERS = {  # name: (roles, bodies); the first may read the secret content
    "registrator": (("registrar",), ()),
    "olle": (("officer",), ()),  # an officer, not the case's
    "hsn.registrator": (("registrar",), ("HSN",)),  # a registrar of another body
    "sara": (("secretary",), ("HSN",)),  # a secretary of another body
}


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """The leak test's store served by gunicorn, and a token for each reader."""

    def world_and_readers(diarium: Diarium) -> dict[str, str]:
        tokens = TokenStore.for_application(diarium)
        app = create_app(diarium)

        def client_as(*roles: str, name: str = "tester", bodies: tuple[str, ...] = ()) -> Any:
            secret, _ = tokens.issue(name=name, roles=list(roles or (
                "registrar", "officer", "secretary", "chair", "adjuster", "admin")),
                bodies=list(bodies))
            client = app.test_client()
            client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
            return client

        build_world(client_as(), client_as, diarium)
        return {name: tokens.issue(name=name, roles=list(roles), bodies=list(bodies))[0]
                for name, (roles, bodies) in READERS.items()}

    with serving_store(tmp_path_factory.mktemp("desk-secrecy"), world_and_readers) as served:
        yield served


def crawl(browser: Any, base: str, secret: str) -> tuple[dict[str, str], int]:
    """Sign in with ``secret`` and follow the desk's links; the pages showing the secret mark
    (URL: an excerpt) and how many pages were read."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "/app/logga-in")
    page.fill("#token", secret)
    page.click("button[type=submit]")
    start = ["/app/", f"/app/cases/{DNR}", f"/app/cases/{OTHER}", f"/app/meetings/{ms.REF}",
             "/app/cases?q=HEMLIGTITEL", "/app/registers", "/app/deadlines", "/app/meetings"]
    queue, seen, found = deque(start), set(start), {}
    read = 0
    while queue and read < MAX_PAGES:
        path = queue.popleft()
        response = context.request.get(base + path)  # the session's cookie goes along
        read += 1
        text = response.text() if "text" in response.headers.get("content-type", "") else ""
        for name, asked in parse_qsl(urlsplit(path).query):  # a search form's echo
            text = text.replace(f'value="{asked}"', "").replace(f"{name}={asked}", "")
        if MARK in text.lower():
            at = text.lower().index(MARK)
            found[path] = text[max(0, at - 80):at + 40]
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        page.set_content(text)  # the links as the browser parses them
        hrefs = page.eval_on_selector_all("a[href]", "all => all.map(a => a.getAttribute('href'))")
        for href in hrefs:
            target = urlsplit(urljoin(base + path, href))
            link = target.path + (f"?{target.query}" if target.query else "")
            if target.netloc == urlsplit(base).netloc and target.path.startswith("/app/") and (
                link not in seen
            ):
                seen.add(link)
                queue.append(link)
    context.close()
    return found, read


@pytest.mark.parametrize("reader", [name for name in READERS if name != "registrator"])
def test_no_desk_page_shows_secret_content_to_a_reader_without_access(
    browser: Any, desk: tuple[str, dict[str, str]], reader: str
) -> None:
    base, secrets = desk
    found, read = crawl(browser, base, secrets[reader])
    assert found == {}, found
    assert read >= 30  # every desk page reachable from the start pages (about 50 here)


def test_the_crawl_reaches_the_secret_content_for_a_reader_with_access(
    browser: Any, desk: tuple[str, dict[str, str]]
) -> None:
    base, secrets = desk
    found, _ = crawl(browser, base, secrets["registrator"])
    assert f"/app/cases/{DNR}" in found, sorted(found)
