"""The notice board (anslagstavla, KL 8:9-12), the bodies' and the meetings' public pages
(issue 17, part B): a posted protocol with its legal dates while it is on the board and not
after; a meeting's notice (kallelse) from its publication through the meeting day; a secret
case on an agenda only by its public title; the notice command's rules and its feed item; the
pages in chromium with axe-core, readable without JavaScript (the demo's site)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from diarium.cases.application import Diarium
from diarium.cases.demo.cases import load_demo
from diarium.cases.demo.recent import load_recent
from diarium.domain.meeting.terms import (
    appeal_period_end,
    notice_on_the_board,
    on_the_board,
    taken_down_on,
)
from tests import meetings_support as ms
from tests.browser_support import chromium_browser, violations, visit  # noqa: F401
from tests.live_server import serving_store

SECRET, OPEN = "1310-2020", "1311-2020"
SECRET_TITLE = "Utredning HEMLIGTITEL om Kalle"
PUBLIC_TITLE = "Utredning enligt socialtjänstlagen"
NEXT = "RS-2020-11-11"  # the next meeting, whose notice is published on 2020-10-28


def test_a_posting_comes_down_the_day_after_the_appeal_period() -> None:
    # posted Thursday 2020-12-03: three weeks end on Christmas eve, run on to Monday the 28th
    posted = date(2020, 12, 3)
    assert appeal_period_end(posted) == date(2020, 12, 28)
    assert taken_down_on(posted) == date(2020, 12, 29)
    assert not on_the_board(posted, date(2020, 12, 2))
    assert on_the_board(posted, posted) and on_the_board(posted, date(2020, 12, 28))
    assert not on_the_board(posted, date(2020, 12, 29)) and not on_the_board(None, posted)
    meeting = date(2020, 11, 11)
    assert [notice_on_the_board(date(2020, 10, 28), meeting, d) for d in (
        date(2020, 10, 27), date(2020, 10, 28), meeting, date(2020, 11, 12))] == [
        False, True, True, False]
    assert not notice_on_the_board(None, meeting, meeting)


def _case(client: Any, dnr: str, title: str, **more: Any) -> None:
    ms.ok(client.post("/api/cases", json={
        "title": title, "responsible_body": "RS", "dnr": dnr, "registered_on": "2020-09-01",
        **more}), 201)


@pytest.fixture
def world(client: Any, diarium: Diarium, app: Any) -> dict[str, Any]:
    """RS's meeting of 2020-10-14 (notice published 2020-09-30) deciding a secret case and an
    open one, adjusted 2020-10-19 and posted 2020-10-20; the next meeting, 2020-11-11, with
    the secret case on its agenda and its notice published 2020-10-28. ``world["day"]`` sets
    the application's today."""
    ms.setup_bodies(client)
    _case(client, SECRET, SECRET_TITLE, public_title=PUBLIC_TITLE)
    _case(client, OPEN, "Motion om cykelvägar")
    ms.schedule(client)
    for dnr, title in ((SECRET, SECRET_TITLE), (OPEN, "Motion om cykelvägar")):
        ms.ok(client.post(f"/api/meetings/{ms.REF}/agenda", json={
            "kind": "case", "title": title, "dnr": dnr, "added_on": "2020-09-25"}), 201)
    ms.ok(client.post(f"/api/meetings/{ms.REF}/notice", json={"published_on": "2020-09-30"}))
    ms.attend(client)
    for dnr, title in ((SECRET, "Ärende HEMLIGTITEL"), (OPEN, "Motion om cykelvägar")):
        ms.ok(ms.decide(client, ms.paragraph(client, title, dnr)), 201)
    ms.ok(client.post(f"/api/cases/{SECRET}/secrecy", json={
        "statute": "OSL 26:1", "marking_body": "RS", "marked_on": "2020-10-15"}), 201)
    ms.close_and_adjust(client)  # 2020-10-19
    ms.ok(client.post(f"/api/meetings/{ms.REF}/posting", json={"posted_on": "2020-10-20"}))
    ms.ok(client.post("/api/meetings", json={
        "body": "RS", "date": "2020-11-11", "place": "Regionhuset, Luleå", "starts_at": "13.00",
        "scheduled_on": "2020-10-01"}), 201)
    ms.ok(client.post(f"/api/meetings/{NEXT}/agenda", json={
        "kind": "case", "title": SECRET_TITLE, "dnr": SECRET, "added_on": "2020-10-21"}), 201)
    ms.ok(client.post(f"/api/meetings/{NEXT}/notice", json={
        "published_on": "2020-10-28", "place": "Sessionssalen, Regionhuset, Luleå"}))
    app.extensions["diarium_projector"].catch_up()
    real = diarium.today

    def day(value: date | None) -> None:
        diarium.today = real if value is None else (lambda: value)  # type: ignore[method-assign]

    return {"day": day}


def _page(client: Any, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    assert response.content_type.startswith("text/html")
    return response.get_data(as_text=True)


def _posting(html: str, ref: str) -> bool:
    return f'href="/moten/{ref}">Sammanträdet och protokollet' in html


def _notice(html: str, ref: str) -> bool:
    return f'href="/moten/{ref}">Sammanträdet,' in html


def test_a_posted_protocol_is_on_the_board_for_its_period(
    client_as: Any, world: dict[str, Any]
) -> None:
    public = client_as(None)
    appeal = appeal_period_end(date(2020, 10, 20))
    down = taken_down_on(date(2020, 10, 20))
    assert (appeal, down) == (date(2020, 11, 10), date(2020, 11, 11))
    world["day"](date(2020, 10, 19))  # adjusted, not yet posted
    assert not _posting(_page(public, "/anslagstavla"), ms.REF)
    for today in (date(2020, 10, 20), appeal):
        world["day"](today)
        html = _page(public, "/anslagstavla")
        assert _posting(html, ms.REF)
        for label, value in [
            ("Organ", "Regionstyrelsen"), ("Sammanträdesdatum", "2020-10-14"),
            ("Datum för justering", "2020-10-19"), ("Anslaget", "2020-10-20"),
            ("Sista dag att överklaga", appeal.isoformat()), ("Tas ned", down.isoformat()),
            ("Protokollet förvaras", "Registraturen"),
        ]:
            assert f"<dt>{label}</dt><dd>{value}</dd>" in html, label
        assert f'href="/moten/{ms.REF}/protokoll.pdf"' in html  # the protocol, from the board
    pdf = public.get(f"/moten/{ms.REF}/protokoll.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    world["day"](down)  # the first day of legal force: off the board
    assert not _posting(_page(public, "/anslagstavla"), ms.REF)
    meeting = _page(public, f"/moten/{ms.REF}")  # still on the meeting's page
    assert f'href="/moten/{ms.REF}/protokoll.pdf"' in meeting
    assert "<dt>Togs ned</dt><dd>2020-11-11</dd>" in meeting


def test_where_the_protocol_is_kept_is_a_setting(
    client_as: Any, world: dict[str, Any], app: Any
) -> None:
    world["day"](date(2020, 10, 21))
    app.config["DIARIUM_PROTOCOL_KEPT_AT"] = "Regionarkivet, Luleå"
    html = _page(client_as(None), "/anslagstavla")
    assert "<dt>Protokollet förvaras</dt><dd>Regionarkivet, Luleå</dd>" in html


def test_a_notice_is_on_the_board_from_its_publication_through_the_meeting_day(
    client_as: Any, world: dict[str, Any]
) -> None:
    public = client_as(None)
    for today, shown in [(date(2020, 10, 27), False), (date(2020, 10, 28), True),
                         (date(2020, 11, 11), True), (date(2020, 11, 12), False)]:
        world["day"](today)
        html = _page(public, "/anslagstavla")
        assert _notice(html, NEXT) is shown, today
        if shown:
            assert "<dt>Kallelsen anslogs</dt><dd>2020-10-28</dd>" in html
            assert "Sessionssalen, Regionhuset, Luleå" in html and "13.00" in html
            assert PUBLIC_TITLE in html
    world["day"](date(2020, 10, 29))
    meeting = _page(public, f"/moten/{NEXT}")
    assert "Föredragningslista" in meeting and PUBLIC_TITLE in meeting


def test_a_secret_case_shows_only_its_public_title_on_every_page(
    client_as: Any, client: Any, world: dict[str, Any]
) -> None:
    world["day"](date(2020, 10, 29))  # the protocol posted and the next notice published
    for reader in (client_as(None), client):  # the public page is the public's, whoever asks
        pages = [_page(reader, url) for url in (
            "/anslagstavla", "/organ", "/organ/RS", f"/moten/{ms.REF}", f"/moten/{NEXT}")]
        assert all("hemlig" not in html.lower() for html in pages)
        assert PUBLIC_TITLE in pages[0] and PUBLIC_TITLE in pages[4]
        assert f'href="/diarium/{SECRET}"' in pages[3]  # its § listed, by its public title
        assert "Motion om cykelvägar" in pages[3]


def test_bodies_and_their_meetings(client_as: Any, world: dict[str, Any]) -> None:
    public = client_as(None)
    world["day"](date(2020, 10, 29))
    bodies = _page(public, "/organ")
    assert '<a href="/organ/RS">Regionstyrelsen</a>' in bodies
    assert '<a href="/organ/RF">Regionfullmäktige</a>' in bodies
    body = _page(public, "/organ/RS")
    assert "Kenneth Backgård" in body and "SJVP" in body and "ordförande" in body
    assert "Doris Messner" in body and "Ersättare" in body
    upcoming, past = body.split("<h2>Tidigare sammanträden</h2>")
    assert f'href="/moten/{NEXT}"' in upcoming and f'href="/moten/{ms.REF}"' in past
    assert "kl. 13.00, Sessionssalen, Regionhuset, Luleå" in upcoming  # as the notice says
    meeting = _page(public, f"/moten/{ms.REF}")
    assert '<a href="/organ/RS">Regionstyrelsen</a>' in meeting and "09.00" in meeting
    assert f'href="/moten/{ms.REF}/protokoll"' in meeting


def test_a_paragraph_posted_on_its_own_is_on_the_board(
    client: Any, client_as: Any, diarium: Diarium, app: Any
) -> None:
    ms.setup_bodies(client)
    _case(client, OPEN, "Motion om cykelvägar")
    ms.schedule(client)
    ms.attend(client)
    number = ms.paragraph(client, "Motion om cykelvägar", OPEN)
    ms.ok(ms.decide(client, number), 201)
    ms.ok(client.post(f"/api/meetings/{ms.REF}/paragraphs/{number}/immediate-adjustment", json={
        "signed_by": [ms.CHAIR, "Glenn Berggård"], "adjusted_on": "2020-10-14"}))
    ms.ok(client.post(f"/api/meetings/{ms.REF}/posting", json={
        "paragraph": number, "posted_on": "2020-10-15"}))
    app.extensions["diarium_projector"].catch_up()
    diarium.today = lambda: date(2020, 10, 16)  # type: ignore[method-assign]
    html = _page(client_as(None), "/anslagstavla")
    assert f"§ {number} (omedelbart justerad)" in html
    assert "<dt>Datum för justering</dt><dd>2020-10-14</dd>" in html
    assert f"<dt>Sista dag att överklaga</dt><dd>{appeal_period_end(date(2020, 10, 15))}" in html
    assert "protokoll.pdf" not in html  # the protocol itself is not adjusted yet


def test_unknown_bodies_and_meetings_answer_a_swedish_404(client_as: Any) -> None:
    public = client_as(None)
    assert "Det finns inget sammanträde RS-1999-01-01" in _page(
        public, "/moten/RS-1999-01-01", 404)
    assert "Det finns inget organ med koden XX" in _page(public, "/organ/XX", 404)


def test_a_meeting_before_its_notice_shows_no_agenda(client: Any, client_as: Any) -> None:
    ms.setup_bodies(client)
    _case(client, OPEN, "Motion om cykelvägar")
    ms.schedule(client)
    ms.ok(client.post(f"/api/meetings/{ms.REF}/agenda", json={
        "kind": "case", "title": "Motion om cykelvägar", "dnr": OPEN,
        "added_on": "2020-09-25"}), 201)
    html = _page(client_as(None), f"/moten/{ms.REF}")
    assert "Motion om cykelvägar" not in html and "inte publicerad ännu" in html


# -- the notice command -------------------------------------------------------------------


def test_the_notice_is_published_once_and_not_after_the_meeting(client: Any) -> None:
    ms.setup_bodies(client)
    ms.schedule(client)  # 2020-10-14
    ms.refused(client.post(f"/api/meetings/{ms.REF}/notice", json={
        "published_on": "2020-10-15"}), "notice-after-meeting")
    future = (date.today() + timedelta(days=3)).isoformat()
    ms.refused(client.post(f"/api/meetings/{ms.REF}/notice", json={
        "published_on": future}), "no-future-date")
    bad = client.post(f"/api/meetings/{ms.REF}/notice", json={"starts_at": "nine"})
    assert bad.status_code == 422 and "starts_at" in str(bad.get_json())
    written = ms.ok(client.post(f"/api/meetings/{ms.REF}/notice", json={
        "published_on": "2020-10-14", "starts_at": "10.00"}))
    assert written["ref"] == ms.REF
    meeting = ms.ok(client.get(f"/api/meetings/{ms.REF}"))
    assert meeting["starts_at"] == "10.00" and meeting["place"] == "Regionhuset, Luleå"
    ms.refused(client.post(f"/api/meetings/{ms.REF}/notice", json={
        "published_on": "2020-10-01"}), "notice-published")
    history = ms.ok(client.get(f"/api/meetings/{ms.REF}/events"))
    assert [e["label"] for e in history if e["type"] == "MeetingNoticePublished"] == [
        "Kallelse publicerad"]
    rules = {r["code"]: r for r in ms.ok(client.get("/api/rules"))}
    assert rules["notice-after-meeting"]["source"] == "KL 5:10-13, 6:20"


def test_only_the_bodys_secretary_publishes_the_notice(client: Any, client_as: Any) -> None:
    ms.setup_bodies(client)
    ms.schedule(client)
    url = f"/api/meetings/{ms.REF}/notice"
    assert client_as("registrar").post(url, json={}).status_code == 403
    assert client_as("secretary", bodies=["HSN"]).post(url, json={}).status_code == 403
    assert client_as("secretary", bodies=["RS"]).post(url, json={
        "published_on": "2020-10-01"}).status_code == 200


def test_the_notice_is_a_feed_item(client: Any, client_as: Any) -> None:
    ms.setup_bodies(client)
    ms.schedule(client)
    ms.ok(client.post(f"/api/meetings/{ms.REF}/notice", json={
        "published_on": "2020-10-01", "place": "Sessionssalen"}))
    items = ms.ok(client_as("service", name="integration").get(
        "/api/feed", query_string={"types": "meeting.notice_published"}))["items"]
    (item,) = items
    assert item["business_date"] == "2020-10-01" and item["case"] is None
    assert item["payload"] == {
        "meeting": ms.REF, "body": "RS", "place": "Sessionssalen", "starts_at": "09.00"}


# -- in a real browser: the demo's site -------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """A live server on the demo with its recent meetings (dates from today)."""

    def demo_and_recent(diarium: Diarium) -> dict[str, str]:
        load_demo(diarium)
        return load_recent(diarium)

    with serving_store(tmp_path_factory.mktemp("board"), demo_and_recent) as served:
        yield served


def test_the_pages_are_accessible_and_readable_without_javascript(
    browser: Any, demo: tuple[str, dict[str, str]]
) -> None:
    base, refs = demo
    pages = ["/anslagstavla", "/organ", "/organ/RS", f"/moten/{refs['held']}",
             f"/moten/{refs['upcoming']}", "/moten/RS-2020-10-14"]
    for url in pages:
        page = visit(browser, base + url)
        assert page.locator("h1").count() == 1, url
        assert violations(page) == [], url
        bare = visit(browser, base + url, javascript=False)
        assert bare.locator("h1").count() == 1, url
    board = visit(browser, base + "/anslagstavla", javascript=False)
    text = board.locator("main").inner_text()
    assert "Sista dag att överklaga" in text and "Föredragningslista" in text
    assert "RS-2020-10-14" not in board.content()  # long off the board
    board.keyboard.press("Tab")  # the skip link first, then on to the meeting by keyboard
    assert board.evaluate("document.activeElement.className") == "skip"
    link = board.locator(f'a[href="/moten/{refs["held"]}"]')
    link.focus()
    board.keyboard.press("Enter")
    board.wait_for_url(f"**/moten/{refs['held']}")
    assert "Paragrafer i protokollet" in board.content()
    missing = browser.new_context().new_page()
    response = missing.goto(base + "/moten/RS-1999-01-01")
    assert response is not None and response.status == 404
    assert violations(missing) == []
