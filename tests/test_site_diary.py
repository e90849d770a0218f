"""The e-diary's pages (web/site/diary.py): search and browse, the daily post list, a case
page, the start page; a secret case shows only its public title and marking on every page,
and its secret words find nothing. On SQLite and PostgreSQL through the Flask client, and in
chromium (axe-core, keyboard, without JavaScript) on SQLite with the demo loaded."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import requests

from diarium.cases.application import Diarium
from diarium.cases.demo.cases import load_demo
from diarium.domain.actor import Actor
from diarium.domain.case.lifecycle import RegisterCase
from tests.bodies_support import diarium_with_bodies  # noqa: F401 (the fixture)
from tests.browser_support import chromium_browser, violations, visit  # noqa: F401
from tests.live_server import serving_store

TODAY = date(2020, 10, 1)
SECRET = "1003-2020"
SECRET_TITLE = "Utredning HEMLIGTITEL om Kalle Svensson"
PUBLIC_TITLE = "Utredning enligt socialtjänstlagen"
SECRET_WORDS = ("HEMLIGTITEL", "HEMLIGPERSON", "HEMLIGBESKRIVNING", "Kalle")
SPARE = 21  # cases beside the three, so that the diary has two pages (of 20)


# the three cases of the ``world`` (RS open, HSN closed, a secret SN case), each with a document
WORLD: list[tuple[dict[str, str], dict[str, str]]] = [
    ({"title": "Bygglov för förskola i Kalix", "responsible_body": "RS", "dnr": "1001-2020",
      "registered_on": "2020-09-01"},
     {"direction": "incoming", "date": "2020-09-30", "counterpart": "Kalix kommun",
      "description": "Ansökan om bygglov"}),
    ({"title": "Upphandling av ambulansflyg", "responsible_body": "HSN", "dnr": "1002-2020",
      "registered_on": "2020-09-10"},
     {"direction": "outgoing", "date": "2020-10-01", "counterpart": "Luftfartsverket",
      "description": "Förfrågningsunderlag"}),
    ({"title": SECRET_TITLE, "public_title": PUBLIC_TITLE, "responsible_body": "SN",
      "dnr": SECRET, "registered_on": "2020-09-20", "origin": "Anmälan från Kalle"},
     {"direction": "incoming", "date": "2020-09-30", "counterpart": "Anna HEMLIGPERSON",
      "description": "Anmälan HEMLIGBESKRIVNING"}),
]


def ok(response: Any, status: int = 201) -> Any:
    assert response.status_code == status, (response.status_code, response.get_data()[:300])
    return response.get_json()


@pytest.fixture
def world(client: Any, diarium: Diarium, app: Any) -> Any:
    """Three cases (RS open, HSN closed, a secret SN case with a public title) with
    documents registered on 2020-10-01, and spare RS cases registered in 2019; the public's
    client, the registers caught up."""
    diarium.today = lambda: TODAY  # type: ignore[method-assign]
    for number in range(SPARE):
        diarium.register_case(RegisterCase(
            title=f"Reserverat ärende {number}", responsible_body="RS", dnr=f"{number + 1}-2019",
            registered_on=date(2019, 3, 1)), Actor("tests"))
    for case, document in WORLD:
        ok(client.post("/api/cases", json=case))
        ok(client.post(f"/api/cases/{case['dnr']}/documents", json=document))
    ok(client.post("/api/cases/1002-2020/close", json={"closed_on": "2020-10-01"}), 200)
    ok(client.post(f"/api/cases/{SECRET}/secrecy", json={
        "statute": "OSL 26:1", "marking_body": "SN", "marked_on": "2020-09-20"}))
    app.extensions["diarium_projector"].catch_up()
    return app.test_client()  # no token: the public


def dnrs(html: str) -> list[str]:
    """The case links of a page, in order."""
    return re.findall(r'href="/diarium/(\d+-\d{4})"', html)


def text(response: Any, status: int = 200) -> str:
    assert response.status_code == status, (response.status_code, response.get_data()[:500])
    return response.get_data(as_text=True)


def test_search_finds_by_word_dnr_body_status_and_dates(world: Any) -> None:
    assert dnrs(text(world.get("/diarium?q=bygglov"))) == ["1001-2020"]
    assert dnrs(text(world.get("/diarium?q=ambulansflyg"))) == ["1002-2020"]
    assert dnrs(text(world.get("/diarium?q=förfrågningsunderlag"))) == ["1002-2020"]
    assert dnrs(text(world.get("/diarium?dnr=1002-2020"))) == ["1002-2020"]
    assert dnrs(text(world.get("/diarium?body=HSN"))) == ["1002-2020"]
    assert dnrs(text(world.get("/diarium?status=closed"))) == ["1002-2020"]
    dated = text(world.get("/diarium?from=2020-09-05&to=2020-09-30&status=open"))
    assert dnrs(dated) == [SECRET]
    assert dnrs(text(world.get("/diarium?from=2020-09-01&to=2020-09-15"))) == [
        "1002-2020", "1001-2020"]  # newest registration first
    page = text(world.get("/diarium?body=HSN&q="))  # a blank field filters nothing
    assert 'value="HSN" selected' in page and "Hälso- och sjukvårdsnämnden" in page
    assert "Upphandling av ambulansflyg" in page and "Avslutat" in page
    assert dnrs(text(world.get("/diarium?q=obefintligtord"))) == []


def test_the_diary_is_paged_forward_and_back(world: Any) -> None:
    first = text(world.get("/diarium"))
    assert len(dnrs(first)) == 20 and "Föregående sida" not in first
    following = re.search(r'href="(/diarium\?[^"]+)" rel="next"', first)
    assert following is not None
    second = text(world.get(following.group(1).replace("&amp;", "&")))
    assert len(dnrs(second)) == SPARE + 3 - 20 and "Nästa sida" not in second
    assert not set(dnrs(first)) & set(dnrs(second))
    back = re.search(r'href="(/diarium\?[^"]*)" rel="prev"', second)
    assert back is not None
    assert dnrs(text(world.get(back.group(1).replace("&amp;", "&")))) == dnrs(first)


@pytest.mark.parametrize(("query", "field"), [
    ("from=2020-13-01", "Registrerad från"),
    ("to=igår", "Registrerad till"),
    ("from=2020-10-01&to=2020-09-01", "Registrerad till"),
    ("status=halvklar", "Status"),
    ("cursor=inte-en-sida", "Sida"),
    ("q=" + "a" * 501, "Sökord"),
    ("q=a%00b", "Sökord"),  # refused by the app before the page runs (web/routes/query.py)
    ("dnr=" + "9" * 501, "Diarienummer"),
])
def test_bad_parameters_answer_400_in_swedish_naming_the_field(
    world: Any, query: str, field: str
) -> None:
    page = text(world.get(f"/diarium?{query}"), 400)
    assert f"Fältet <strong>{field}</strong> har ett ogiltigt värde" in page
    assert '<html lang="sv">' in page


def test_the_post_list_of_a_day(world: Any) -> None:
    page = text(world.get("/diarium/postlista"))  # today
    assert "Postlista 2020-10-01" in page
    assert dnrs(page) == ["1001-2020", "1002-2020", SECRET]
    for shown in ("Bygglov för förskola i Kalix", "Inkommande", "Utgående", "Kalix kommun",
                  "Förfrågningsunderlag", PUBLIC_TITLE, "[sekretess]"):
        assert shown in page, shown
    assert "Ansökan om bygglov" in page
    assert "datum=2020-09-30" in page and "datum=2020-10-02" in page
    assert text(world.get("/diarium/postlista?datum=2020-10-01")) == page
    assert "Inga handlingar registrerades" in text(world.get("/diarium/postlista?datum=2020-10-02"))
    assert "Datum" in text(world.get("/diarium/postlista?datum=första"), 400)
    assert "Nästa dag" not in text(world.get("/diarium/postlista?datum=9999-12-31"))


def test_a_case_page_and_an_unknown_case(world: Any) -> None:
    page = text(world.get("/diarium/1002-2020"))
    for shown in ("Ärende 1002-2020", "Upphandling av ambulansflyg", "Hälso- och sjukvårdsnämnden",
                  "Avslutat", "2020-10-01", "Utgående", "Luftfartsverket", "Förfrågningsunderlag"):
        assert shown in page, shown
    assert "/files" not in page and "download" not in page  # files are handed out on request
    missing = text(world.get("/diarium/9999-2020"), 404)
    assert "Ärendet finns inte" in missing and '<html lang="sv">' in missing
    assert "Ärendet finns inte" in text(world.get("/diarium/a%00b"), 404)


def test_the_start_page_shows_the_latest_registrations(world: Any) -> None:
    page = text(world.get("/"))
    assert dnrs(page)[:3] == [SECRET, "1002-2020", "1001-2020"] and len(dnrs(page)) == 10
    assert 'action="/diarium"' in page and 'href="/anslagstavla"' in page
    assert 'href="/organ"' in page


def test_a_secret_case_shows_only_its_public_title_and_marking(world: Any) -> None:
    pages = ["/", "/diarium", f"/diarium?dnr={SECRET}", "/diarium?body=SN",
             "/diarium/postlista", f"/diarium/{SECRET}", "/diarium?q=socialtjänstlagen"]
    for url in pages:
        page = text(world.get(url))
        for word in SECRET_WORDS:
            assert word not in page, (url, word)
        assert PUBLIC_TITLE in page, url
    case = text(world.get(f"/diarium/{SECRET}"))
    assert "OSL 26:1" in case and "[sekretess]" in case
    assert "OSL 26:1" in text(world.get("/diarium?body=SN"))
    assert dnrs(text(world.get("/diarium?q=socialtjänstlagen"))) == [SECRET]
    for word in SECRET_WORDS:  # its secret words find nothing
        assert dnrs(text(world.get(f"/diarium?q={word}"))) == [], word


def test_pages_answer_conditionally(world: Any) -> None:
    first = world.get("/diarium?q=bygglov")
    again = world.get("/diarium?q=bygglov", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


# -- in chromium, on SQLite with the demo loaded -------------------------------------------


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving_store(tmp_path_factory.mktemp("diary"), load_demo) as (served, _):
        for _ in range(200):  # the in-process projector catches up
            if "1338-2020" in requests.get(served + "/diarium?dnr=1338-2020", timeout=10).text:
                break
            time.sleep(0.1)
        yield served


DEMO_PAGES = ["/", "/diarium", "/diarium?q=samlokalisering&status=open",
              "/diarium/postlista?datum=2020-10-14", "/diarium/1338-2020", "/diarium/1310-2020"]


@pytest.mark.parametrize("path", DEMO_PAGES)
def test_each_page_has_no_accessibility_violations(browser: Any, base: str, path: str) -> None:
    page = visit(browser, base + path)
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.locator("h1").count() == 1
    assert violations(page) == []


def test_search_by_keyboard_alone(browser: Any, base: str) -> None:
    page = visit(browser, base + "/")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "sok-q":
            break
    else:
        pytest.fail("the search field is not reached with Tab")
    page.keyboard.type("samlokalisering")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/diarium?q=samlokalisering" in page.url
    assert page.locator("table.diary a", has_text="1338-2020").count() == 1
    assert page.locator("table.diary a", has_text="1359-2020").count() == 1


def test_readable_without_javascript(browser: Any, base: str) -> None:
    for path in DEMO_PAGES:
        page = visit(browser, base + path, javascript=False)
        assert page.locator("h1").inner_text()
        assert page.locator("main").inner_text().strip()
    page = visit(browser, base + "/diarium", javascript=False)
    page.fill("#sok-dnr", "1338-2020")
    with page.expect_navigation():
        page.press("#sok-dnr", "Enter")
    assert page.locator("table.diary tbody tr").count() == 1
    page.locator("table.diary a", has_text="1338-2020").click()
    assert "Förstudie av fysisk samlokalisering" in page.locator("main").inner_text()


@pytest.mark.parametrize(("path", "status"), [("/diarium?from=igår", 400),
                                              ("/diarium/9999-1999", 404)])
def test_the_error_pages_are_accessible(browser: Any, base: str, path: str, status: int) -> None:
    page = browser.new_page()
    answer = page.goto(base + path)
    assert answer is not None and answer.status == status
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.locator("h1").count() == 1
    assert violations(page) == []
    page.close()
