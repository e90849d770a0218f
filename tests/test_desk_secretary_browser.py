"""The secretary's desk end to end in chromium (Playwright, Debian's chromium) against gunicorn
over loopback: a secretary signs in, schedules a meeting, puts items on the agenda, records
attendance and paragraphs (one with a vote and a reservation, one with jäv), closes the
meeting; the chair adjusts it; the secretary posts the protocol, records the extracts sent,
previews the protocol and downloads its PDF. Once with the mouse, every page checked with
axe-core (WCAG 2.1 AA); once with the keyboard alone (Tab, Enter, Space, typing), focus
always visible."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from diarium.cases.application import Diarium
from diarium.cases.tokens import TokenStore
from diarium.web import create_app
from tests import meetings_support as ms
from tests.browser_support import chromium_browser, violations  # noqa: F401 (the fixture)
from tests.live_server import serving_store

SECRETARY, CHAIR = "rs.sekreterare", ms.CHAIR
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  return {id: e.id, tag: e.tagName,
          visible: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0};
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """gunicorn on a store with RS, its members and two cases; the secretary's and the
    chair's personal tokens."""

    def bodies_cases_and_people(diarium: Diarium) -> dict[str, str]:
        tokens = TokenStore.for_application(diarium)
        admin, _ = tokens.issue(name="setup", roles=["admin", "registrar", "secretary"])
        client = create_app(diarium).test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {admin}"
        ms.setup_bodies(client)
        ms.register_case(client, "411-2020", "Strategisk plan 2021-2023")
        ms.register_case(client, "412-2020", "Bidrag till föreningen Norrsken")
        ms.register_case(client, "413-2020", "Strategisk plan, uppföljning")
        ms.register_case(client, "414-2020", "Bidrag till föreningen Polstjärnan")
        return {
            "secretary": tokens.issue(name=SECRETARY, roles=["secretary"], bodies=["RS"])[0],
            "chair": tokens.issue(name=CHAIR, roles=["chair"])[0],
        }

    folder = tmp_path_factory.mktemp("secretary")
    with serving_store(folder, bodies_cases_and_people) as (base, people):
        yield {"base": base, **people}


class Mouse:
    """Drives a page with the mouse and checks every page it lands on with axe-core."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.checked: list[str] = []

    def landed(self) -> None:
        self.page.wait_for_load_state()
        found = violations(self.page)
        assert found == [], (self.page.url, found)
        self.checked.append(self.page.url)

    def fill(self, selector: str, text: str) -> None:
        self.page.fill(selector, text)

    def date(self, selector: str, iso: str) -> None:
        self.page.fill(selector, iso)

    def choose(self, selector: str, value: str, label: str) -> None:
        self.page.select_option(selector, value)

    def tick(self, selector: str) -> None:
        self.page.check(selector)

    def follow(self, selector: str) -> None:
        self.page.click(selector)
        self.landed()

    def submit(self, selector: str = "main form button[type=submit]") -> None:
        self.page.click(selector)
        self.landed()

    def download(self, selector: str) -> Any:
        with self.page.expect_download() as download:
            self.page.click(selector)
        return download.value


class Keyboard(Mouse):
    """Drives a page with the keyboard alone: Tab to a control, then type, Space or Enter;
    every control reached shows its focus."""

    def landed(self) -> None:
        self.page.wait_for_load_state()
        self.checked.append(self.page.url)

    def tab_to(self, selector: str) -> None:
        for _ in range(400):
            if self.page.evaluate("s => !!document.activeElement?.matches(s)", selector):
                return
            self.page.keyboard.press("Tab")
            focused = self.page.evaluate(FOCUSED)
            assert focused is None or focused["visible"], (self.page.url, focused)
        raise AssertionError(f"Tab never reaches {selector} on {self.page.url}")

    def fill(self, selector: str, text: str) -> None:
        self.tab_to(selector)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(text)

    def date(self, selector: str, iso: str) -> None:
        """Typed as chromium's date field takes it here (month, day, year)."""
        year, month, day = iso.split("-")
        self.tab_to(selector)
        self.page.keyboard.type(month + day + year)
        assert self.page.input_value(selector) == iso

    def choose(self, selector: str, value: str, label: str) -> None:
        self.tab_to(selector)
        self.page.keyboard.type(label)  # the option by its first letters
        for key in ("ArrowDown",) * 20 + ("ArrowUp",) * 40:
            if self.page.input_value(selector) == value:
                return
            self.page.keyboard.press(key)
        assert self.page.input_value(selector) == value, (selector, value)

    def tick(self, selector: str) -> None:
        self.tab_to(selector)
        self.page.keyboard.press("Space")
        assert self.page.is_checked(selector)

    def follow(self, selector: str) -> None:
        self.tab_to(selector)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")
        self.landed()

    def submit(self, selector: str = "main form button[type=submit]") -> None:
        self.follow(selector)

    def download(self, selector: str) -> Any:
        self.tab_to(selector)
        with self.page.expect_download() as download:
            self.page.keyboard.press("Enter")
        return download.value


def sign_in(driver: Mouse, base: str, token: str, target: str) -> None:
    """Open ``target`` (a bookmark) and sign in on the page the desk sends us to."""
    driver.page.goto(base + target)
    driver.landed()
    assert "/app/logga-in" in driver.page.url
    driver.fill("#token", token)
    driver.submit("main form button[type=submit]")
    assert driver.page.url == base + target, driver.page.url


def sign_out(driver: Mouse) -> None:
    driver.submit("header form button[type=submit]")
    assert "/app/logga-in" in driver.page.url


def receipt(driver: Mouse, text: str) -> None:
    assert text in driver.page.inner_text("[role=status]"), driver.page.url


def run_meeting(driver: Mouse, server: dict[str, str], day: str, cases: tuple[str, str]) -> None:
    base = server["base"]
    ref = f"RS-{day}"
    at = f"/app/meetings/{ref}"
    sign_in(driver, base, server["secretary"], "/app/meetings")
    driver.follow('a[href="/app/meetings/schedule"]')
    driver.fill("#f-body", "RS")
    driver.date("#f-date", day)
    driver.fill("#f-place", "Regionhuset, Luleå")
    driver.fill("#f-starts_at", "09.00")
    driver.date("#f-scheduled_on", f"{day[:4]}-01-15")
    driver.submit()
    assert driver.page.url == base + at
    receipt(driver, "Sammanträdet är planerat.")

    driver.follow(f'a[href="{at}/agenda/bulk"]')
    driver.choose("#i-0-kind", "adjusters", "Val av justerare")
    driver.fill("#i-0-title", "Val av justerare")
    for row, dnr in enumerate(cases, start=1):
        driver.fill(f"#i-{row}-title", f"Ärende {dnr}")
        driver.fill(f"#i-{row}-dnr", dnr)
    driver.date("#f-added_on", f"{day[:4]}-09-30")
    driver.submit()
    receipt(driver, "Punkterna är tillagda.")

    driver.follow(f'a[href="{at}/attendance"]')  # the members serve unless told otherwise
    driver.fill("#f-chair", CHAIR)
    driver.fill("#f-secretary", "Linda Ylivainio")
    driver.choose("#a-11-capacity", "ersättare", "ersättare")  # Doris Messner, present
    driver.submit()
    receipt(driver, "Närvaron är antecknad.")

    driver.follow(f'a[href="{at}/adjusters"]')
    driver.fill("#f-adjusters", "Glenn Berggård")
    driver.submit()

    voted = paragraph(driver, at, cases[0])  # with a vote and a reservation
    p = f"{at}/paragraphs/{voted}"
    motion(driver, p, "Linda Frohm", "bifalla förslaget.")
    motion(driver, p, "Glenn Berggård", "avslå förslaget.")
    driver.follow(f'a[href="{p}/procedure"]')
    driver.tick('input[name=proposals][value="1"]')
    driver.tick('input[name=proposals][value="2"]')
    for row, vote in enumerate(["ja", "ja", "ja", "nej", "ja", "ja", "nej"]):
        driver.choose(f"#v-{row}-vote", vote, vote)
    driver.submit()
    receipt(driver, "Beslutsgången är antecknad.")
    decide(driver, p, "Regionstyrelsen beslutar att anta planen.")
    driver.follow(f'a[href="{p}/reservations"]')
    driver.fill("#f-member", "Glenn Berggård")
    driver.fill("#f-reason", "Planen saknar finansiering.")
    driver.submit()
    receipt(driver, "Reservationen är antecknad.")
    recipients(driver, p)

    conflicted = paragraph(driver, at, cases[1])  # with jäv
    p = f"{at}/paragraphs/{conflicted}"
    driver.follow(f'a[href="{p}/conflicts-of-interest"]')
    driver.fill("#f-member", "Nils-Olov Lindfors")
    driver.submit()
    receipt(driver, "Jävet är antecknat.")
    decide(driver, p, "Regionstyrelsen beviljar bidraget.")
    recipients(driver, p)

    driver.follow(f'a[href="{at}/close"]')
    driver.fill("#f-closed_at", "16.10")
    driver.submit()
    receipt(driver, "Sammanträdet är avslutat.")
    sign_out(driver)

    sign_in(driver, base, server["chair"], at)  # the chair adjusts with the adjuster
    driver.follow(f'a[href="{at}/adjustment"]')
    driver.fill("#f-signed_by", f"{CHAIR}\nGlenn Berggård")
    driver.date("#f-adjusted_on", f"{day[:4]}-{day[5:7]}-28")
    driver.submit()
    receipt(driver, "Protokollet är justerat.")
    sign_out(driver)

    sign_in(driver, base, server["secretary"], at)
    driver.follow(f'a[href="{at}/posting"]')
    driver.date("#f-posted_on", f"{day[:4]}-{day[5:7]}-29")
    driver.submit()
    receipt(driver, "Justeringen är anslagen.")
    driver.follow(f'a[href="{at}/extracts"]')
    for number in (voted, conflicted):
        driver.tick(f'input[name=extract][value="{number}|Ekonomidirektören"]')
    driver.submit()
    receipt(driver, "Utdragen är antecknade.")
    assert "Inga." in driver.page.inner_text("#utdrag + table")
    text = driver.page.inner_text("main")
    assert "Justeringen anslagen" in text and "Glenn Berggård: Planen saknar" in text

    driver.follow(f'a[href="{at}/protocol"]')
    text = driver.page.inner_text("main")
    assert "reserverar sig mot beslutet" in text and "Nils-Olov Lindfors (C) anmäler jäv" in text
    assert "UTKAST" not in text
    pdf = driver.download(f'a[href="{at}/protocol.pdf"]')
    assert Path(pdf.path()).read_bytes().startswith(b"%PDF")
    assert pdf.suggested_filename == f"protokoll-{ref}.pdf"


def paragraph(driver: Mouse, at: str, dnr: str) -> int:
    driver.follow(f'a[href="{at}/paragraphs"]')
    driver.fill("#f-title", f"Ärende {dnr}")
    driver.fill("#f-dnr", dnr)
    driver.submit()
    receipt(driver, "Paragrafen är upprättad.")
    found = re.search(r"#p(\d+)$", driver.page.url)
    assert found, driver.page.url
    return int(found[1])


def motion(driver: Mouse, p: str, mover: str, text: str) -> None:
    driver.follow(f'a[href="{p}/motions"]')
    driver.fill("#f-text", text)
    driver.fill("#f-mover", mover)
    driver.submit()
    receipt(driver, "Yrkandet är antecknat.")


def decide(driver: Mouse, p: str, text: str) -> None:
    driver.follow(f'a[href="{p}/decision"]')
    driver.choose("#f-kind", "decided", "Beslut")
    driver.fill("#f-text", text)
    driver.submit()
    receipt(driver, "Beslutet är antecknat.")


def recipients(driver: Mouse, p: str) -> None:
    driver.follow(f'a[href="{p}/extract-recipients"]')
    driver.fill("#f-recipients", "Ekonomidirektören")
    driver.submit()
    receipt(driver, "Mottagarna är antecknade.")


def test_a_secretary_runs_a_meeting_to_a_posted_protocol(
    browser: Any, server: dict[str, str]
) -> None:
    context = browser.new_context(accept_downloads=True)
    driver = Mouse(context.new_page())
    run_meeting(driver, server, "2020-10-14", ("411-2020", "412-2020"))
    assert len(driver.checked) >= 30  # every page on the way had no axe violation
    context.close()


def test_the_same_with_the_keyboard_alone(browser: Any, server: dict[str, str]) -> None:
    context = browser.new_context(accept_downloads=True)
    driver = Keyboard(context.new_page())
    run_meeting(driver, server, "2020-11-18", ("413-2020", "414-2020"))
    context.close()
