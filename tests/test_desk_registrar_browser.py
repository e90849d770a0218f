"""The registrar's and the officer's flow on the desk in a real browser (Debian's chromium via
Playwright, against gunicorn on loopback): a registrar signs in, registers a case, registers
a document with its file (an upload) and assigns the officer; the officer signs in, sends the
case on referral, registers the answer and closes the case. Each step goes through the pages'
links and forms, the case page is checked after each (and the case through the API), and
every page visited has zero axe-core violations (WCAG 2.1 AA). The same flow runs again by
keyboard alone (Tab, Shift+Tab, Enter, Space and typing; no clicks), with the focus visible
at every stop."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from diarium.cases.application import Diarium
from diarium.cases.tokens import TokenStore
from tests.bodies_support import establish_bodies
from tests.browser_support import chromium_browser, violations  # noqa: F401 (the fixture)
from tests.files_support import pdf_bytes
from tests.live_server import serving_store

FOCUS_VISIBLE = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return true;
  const s = getComputedStyle(e);
  return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
}"""


@dataclass
class Desk:
    base: str
    registrar: str  # tokens
    officer: str
    file: Path  # a PDF to upload

    def case(self, dnr: str) -> dict[str, Any]:
        """The case as the API shows it to the registrar."""
        answer = requests.get(f"{self.base}/api/cases/{dnr}", timeout=10,
                              headers={"Authorization": f"Bearer {self.registrar}"})
        assert answer.status_code == 200, answer.text
        return dict(answer.json())


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """gunicorn serving a store with the bodies set up; a registrar's and an officer's
    tokens."""

    def bodies_and_people(diarium: Diarium) -> tuple[str, str]:
        tokens = TokenStore.for_application(establish_bodies(diarium))
        return (tokens.issue(name="anna", roles=["registrar"])[0],
                tokens.issue(name="olle", roles=["officer"])[0])

    folder = tmp_path_factory.mktemp("desk")
    upload = folder / "ansokan.pdf"
    upload.write_bytes(pdf_bytes("Ansökan om bygglov för förråd"))
    with serving_store(folder, bodies_and_people) as (base, (registrar, officer)):
        yield Desk(base, registrar, officer, upload)


def _checked(page: Any, seen: list[str]) -> None:
    """The page answered, has one <h1>, and axe-core finds nothing wrong on it."""
    assert page.locator("h1").count() == 1, page.url
    found = violations(page)
    assert found == [], (page.url, found)
    seen.append(page.url)


def _receipt(page: Any, text: str) -> None:
    assert page.locator(".receipt").inner_text().strip() == text, page.content()


# -- with the mouse: links clicked, forms filled --------------------------------------------


def _sign_in(browser: Any, base: str, token: str, seen: list[str]) -> Any:
    page = browser.new_context(locale="sv-SE").new_page()
    page.goto(f"{base}/app/")
    assert "/app/logga-in" in page.url  # an anonymous visitor is sent to sign in
    _checked(page, seen)
    page.locator("#token").fill(token)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{base}/app/")
    _checked(page, seen)
    return page


def _follow(page: Any, name: str, seen: list[str], heading: str | None = None) -> None:
    """Follow the link ``name`` (My work's, the case page's actions or a row's): the page it
    leads to is headed ``heading`` (by default the link's name)."""
    link = page.get_by_role("link", name=name, exact=True)
    assert link.count(), (page.url, name)
    link.first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().strip() == (heading or name)
    _checked(page, seen)


def _send(page: Any, button: str, seen: list[str]) -> None:
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()
    _checked(page, seen)


def test_the_registrar_and_the_officer_take_a_case_through_the_pages(
    browser: Any, desk: Desk
) -> None:
    seen: list[str] = []
    page = _sign_in(browser, desk.base, desk.registrar, seen)
    _follow(page, "Registrera ärende", seen)
    page.locator("#f-title").fill("Bygglov för förråd")
    page.locator("#f-responsible_body").fill("RS")
    _send(page, "Registrera ärende", seen)
    _receipt(page, "Ärendet är registrerat.")
    dnr = re.sub(r".*/app/cases/", "", page.url)

    _follow(page, "Registrera handling", seen)
    page.locator("#f-direction").select_option("incoming")
    page.locator("#f-description").fill("Ansökan om bygglov")
    page.locator("#f-counterpart").fill("Sökande AB")
    page.locator("#f-file").set_input_files(desk.file)
    _send(page, "Registrera handling", seen)
    _receipt(page, "Handlingen är registrerad med sin fil.")
    (document,) = desk.case(dnr)["documents"]
    assert [f["media_type"] for f in document["files"]] == ["application/pdf"]

    _follow(page, "Tilldela handläggare", seen)
    page.locator("#f-officer").fill("olle")
    _send(page, "Tilldela handläggare", seen)
    _receipt(page, "Handläggaren är tilldelad.")
    assert "olle" in page.locator("dl.facts").inner_text()

    page = _sign_in(browser, desk.base, desk.officer, seen)
    _follow(page, dnr, seen, heading=f"Ärende {dnr}")  # from My work: the officer's cases
    _follow(page, "Skicka på remiss", seen)
    page.locator("#f-recipients").fill("Miljönämnden")
    page.locator("#f-answer_by").fill("2030-01-31")
    _send(page, "Skicka på remiss", seen)
    _receipt(page, "Remissen är skickad.")
    assert desk.case(dnr)["referrals"][0]["recipients"] == ["Miljönämnden"]

    _follow(page, "Registrera remissvar", seen)
    page.locator("#f-recipient").fill("Miljönämnden")
    _send(page, "Registrera remissvar", seen)
    _receipt(page, "Remissvaret är registrerat.")
    assert desk.case(dnr)["referrals"][0]["outstanding"] == []

    _follow(page, "Avsluta ärendet", seen)
    _send(page, "Avsluta ärendet", seen)
    _receipt(page, "Ärendet är avslutat.")
    assert desk.case(dnr)["status"] == "closed"
    assert len(seen) >= 16


# -- by keyboard alone ------------------------------------------------------------------------


def _tab_to(page: Any, selector: str, *, back: bool = False, limit: int = 80) -> None:
    """Press Tab (Shift+Tab with ``back``) until ``selector`` has the focus, the focus
    visible at every stop."""
    target = page.locator(selector).first.element_handle()
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        assert page.evaluate(FOCUS_VISIBLE), (page.url, page.evaluate(
            "() => document.activeElement.outerHTML"))
        if page.evaluate("e => document.activeElement === e", target):
            return
    raise AssertionError(f"{selector} not reached by keyboard on {page.url}")


def _choose_file_by_keyboard(page: Any) -> Any:
    """Space on the focused file field opens the file chooser. A loaded machine's chromium
    now and then drops that key press (seen once in ten runs beside other tests, with the same
    page as ever): as a person would, press it once more before giving up."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for wait_ms in (10_000, 30_000):
        try:
            with page.expect_file_chooser(timeout=wait_ms) as chooser:
                page.keyboard.press("Space")
            return chooser.value
        except PlaywrightTimeout:
            continue
    raise AssertionError("Space on the file field opened no file chooser")


def _type_into(page: Any, selector: str, text: str) -> None:
    _tab_to(page, selector)
    page.keyboard.type(text)


def _type_date(page: Any, selector: str, iso: str) -> None:
    """Type a date into a date field part by part, in the order the browser's locale shows
    them (month/day/year, year-month-day or day/month/year: tried in turn)."""
    year, month, day = iso.split("-")
    _tab_to(page, selector)
    for order in (month + day + year, year + month + day, day + month + year):
        page.keyboard.type(order)
        if page.locator(selector).input_value() == iso:
            return
        page.keyboard.press("Shift+Tab")  # back to the first part
        page.keyboard.press("Shift+Tab")
    raise AssertionError(f"could not type {iso} into {selector}")


def _press(page: Any, selector: str, seen: list[str], key: str = "Enter") -> None:
    """Reach ``selector`` (a link or button), press it, and check the page it leads to."""
    _tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press(key)
    _checked(page, seen)


def _link(name: str) -> str:
    return f'main a:text-is("{name}")'


def _button(name: str) -> str:
    return f'main button:text-is("{name}")'


def _keyboard_sign_in(browser: Any, base: str, token: str, seen: list[str]) -> Any:
    page = browser.new_context(locale="sv-SE").new_page()
    page.goto(f"{base}/app/")
    _checked(page, seen)
    _type_into(page, "#token", token)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{base}/app/"
    _checked(page, seen)
    return page


def _keyboard_follow(page: Any, name: str, seen: list[str], heading: str | None = None) -> None:
    """Tab to the link ``name`` and press Enter: the page it leads to is headed ``heading``
    (by default the link's name)."""
    assert page.locator(_link(name)).count(), (page.url, name)
    _press(page, _link(name), seen)
    assert page.locator("h1").inner_text().strip() == (heading or name)


def test_the_same_flow_by_keyboard_alone(browser: Any, desk: Desk) -> None:
    seen: list[str] = []
    page = _keyboard_sign_in(browser, desk.base, desk.registrar, seen)
    _keyboard_follow(page, "Registrera ärende", seen)
    _type_into(page, "#f-title", "Tillbyggnad av garage")
    _type_into(page, "#f-responsible_body", "RS")
    _tab_to(page, "#f-title", back=True)  # back to check what was typed
    assert page.locator("#f-title").input_value() == "Tillbyggnad av garage"
    _press(page, _button("Registrera ärende"), seen)
    _receipt(page, "Ärendet är registrerat.")
    dnr = re.sub(r".*/app/cases/", "", page.url)

    _keyboard_follow(page, "Registrera handling", seen)
    _tab_to(page, "#f-direction")
    page.keyboard.press("ArrowDown")  # utgående
    page.keyboard.press("ArrowUp")  # inkommen
    assert page.locator("#f-direction").input_value() == "incoming"
    _type_into(page, "#f-description", "Ansökan om tillbyggnad")
    _tab_to(page, "#f-file")
    _choose_file_by_keyboard(page).set_files(desk.file)
    _press(page, _button("Registrera handling"), seen)
    _receipt(page, "Handlingen är registrerad med sin fil.")
    assert len(desk.case(dnr)["documents"][0]["files"]) == 1

    _keyboard_follow(page, "Tilldela handläggare", seen)
    _type_into(page, "#f-officer", "olle")
    _press(page, _button("Tilldela handläggare"), seen)
    _receipt(page, "Handläggaren är tilldelad.")

    page = _keyboard_sign_in(browser, desk.base, desk.officer, seen)
    _keyboard_follow(page, dnr, seen, heading=f"Ärende {dnr}")  # from My work
    _keyboard_follow(page, "Skicka på remiss", seen)
    _type_into(page, "#f-recipients", "Miljönämnden")
    _type_date(page, "#f-answer_by", "2030-01-31")
    _press(page, _button("Skicka på remiss"), seen)
    _receipt(page, "Remissen är skickad.")

    _keyboard_follow(page, "Registrera remissvar", seen)
    _type_into(page, "#f-recipient", "Miljönämnden")
    _press(page, _button("Registrera remissvar"), seen, key="Space")
    _receipt(page, "Remissvaret är registrerat.")

    _keyboard_follow(page, "Avsluta ärendet", seen)
    _press(page, _button("Avsluta ärendet"), seen)
    _receipt(page, "Ärendet är avslutat.")
    assert desk.case(dnr)["status"] == "closed"
