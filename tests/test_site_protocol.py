"""Issue 17, part C: the protocol as HTML and as PDF/A-2b. The staff route answers the PDF
with ``Accept: application/pdf`` (a draft before adjustment, with the same secrecy as its HTML
for that reader); the public pages (``/moten/<ref>/protokoll``, ``…/protokoll.pdf``) only
after adjustment, through the one secrecy filter with no reader, personal identity numbers
masked. In chromium: the public page has no axe violations, reads without JavaScript, and its
link downloads a PDF/A."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from pypdf import PdfReader

from diarium.cases.demo.cases import load_demo
from diarium.domain.identity_numbers import MASK
from diarium.web.protocol_pdf import BASE_URL, ExternalResource, _fetch
from tests import meetings_support as ms
from tests.browser_support import chromium_browser, violations, visit  # noqa: F401
from tests.live_server import serving_store

SECRET_DNR, PUBLIC_DNR = "1310-2020", "1311-2020"
SECRET_WORDS = ("HEMLIGTITEL", "HEMLIGBESLUT", "HEMLIGYRKANDE")
PUBLIC_TITLE = "Utredning enligt socialtjänstlagen"
IDENTITY_NUMBER = "19121212-1212"
PUBLIC_DECISION = f"Regionstyrelsen beslutar bevilja ansökan från {IDENTITY_NUMBER}."
DRAFT = "UTKAST – ej justerat"
PDF = {"Accept": "application/pdf"}
PROTOCOL = f"/api/meetings/{ms.REF}/protocol"
PAGE, PUBLIC_PDF = f"/moten/{ms.REF}/protokoll", f"/moten/{ms.REF}/protokoll.pdf"


# -- reading a PDF -------------------------------------------------------------------------------


def pdf_reader(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF-"), data[:40]
    return PdfReader(io.BytesIO(data))


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page."""
    return [page.extract_text() for page in pdf_reader(data).pages]


def pdf_text(data: bytes) -> str:
    """The text of every page, lines joined (a heading may wrap)."""
    return re.sub(r"\s+", " ", " ".join(pdf_pages(data)))


def pdfa_identification(data: bytes) -> tuple[str, str]:
    """``pdfaid:part`` and ``pdfaid:conformance`` of the XMP metadata stream."""
    reader = pdf_reader(data)
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    found = {key: re.search(rf'pdfaid:{key}(?:="|>)([^"<]+)', xmp) for key in
             ("part", "conformance")}
    assert all(found.values()), xmp
    return found["part"].group(1), found["conformance"].group(1)  # type: ignore[union-attr]


def assert_pdfa_2b(data: bytes, title: str) -> None:
    """PDF/A-2b by its XMP, its title and language set, its fonts embedded."""
    assert pdfa_identification(data) == ("2", "B")
    reader = pdf_reader(data)
    assert reader.metadata is not None and reader.metadata.title == title
    assert reader.trailer["/Root"]["/Lang"] == "sv"
    assert "/OutputIntents" in reader.trailer["/Root"]
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descendant = font.get_object().get("/DescendantFonts")
            described = (descendant[0].get_object() if descendant else font.get_object())
            descriptor = described["/FontDescriptor"].get_object()
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), descriptor
            assert "DejaVu" in str(described["/BaseFont"])


def streams(data: bytes) -> bytes:
    """Every stream of the PDF decoded (its content, fonts, metadata), joined."""
    reader = pdf_reader(data)
    out = []
    for number in range(1, int(reader.trailer["/Size"])):
        obj = reader.get_object(number)
        if obj is not None and hasattr(obj, "get_data"):
            out.append(obj.get_data())
    return b"\n".join(out)


# -- the world: a public paragraph with a personal identity number, a secret one --------------


def record_meeting(client: Any) -> dict[str, int]:
    """RS's meeting with § 160 on a public case (its decision naming a personal identity
    number) and § 161 on a case marked secret (OSL 26:1), decided, not yet adjusted."""
    ms.setup_bodies(client)
    ms.ok(client.post("/api/cases", json={
        "title": "Utredning HEMLIGTITEL om Kalle", "public_title": PUBLIC_TITLE,
        "responsible_body": "RS", "dnr": SECRET_DNR, "registered_on": "2020-09-01",
    }), 201)
    ms.register_case(client, PUBLIC_DNR, "Ansökan om bidrag")
    ms.schedule(client)
    ms.attend(client)
    public = ms.paragraph(client, "Ansökan om bidrag", PUBLIC_DNR)
    ms.ok(ms.decide(client, public, PUBLIC_DECISION), 201)
    secret = ms.paragraph(client, "Ärende HEMLIGTITEL", SECRET_DNR)
    ms.ok(ms.motion(client, secret, "Anders Öberg", "HEMLIGYRKANDE"), 201)
    ms.ok(ms.decide(client, secret, "Regionstyrelsen beslutar HEMLIGBESLUT"), 201)
    ms.ok(client.post(f"/api/cases/{SECRET_DNR}/secrecy", json={
        "statute": "OSL 26:1", "marking_body": "RS", "marked_on": "2020-09-02"}), 201)
    return {"public": public, "secret": secret}


def adjust_and_post(client: Any) -> None:
    ms.close_and_adjust(client)
    ms.ok(client.post(f"/api/meetings/{ms.REF}/posting", json={"posted_on": "2020-10-20"}))


def secretary(client_as: Any) -> Any:
    """The body's own secretary: reads the secret paragraph to write the protocol."""
    return client_as("secretary", name="rs.sekreterare", bodies=("RS",))


# -- the staff PDF ---------------------------------------------------------------------------------


def test_the_staff_pdf_is_a_draft_before_adjustment_and_pdfa_after(
    client: Any, client_as: Any
) -> None:
    numbers = record_meeting(client)
    keeper = secretary(client_as)
    draft = keeper.get(PROTOCOL, headers=PDF)
    assert draft.status_code == 200 and draft.mimetype == "application/pdf"
    assert draft.headers["Content-Disposition"] == (
        f'inline; filename="protokoll-{ms.REF}.pdf"')
    assert "Accept" in draft.headers["Vary"]
    assert_pdfa_2b(draft.data, f"Protokoll Regionstyrelsen {ms.MEETING}")
    pages = pdf_pages(draft.data)
    assert all(DRAFT in page for page in pages)
    assert all(f"Sida {n} av {len(pages)}" in page for n, page in enumerate(pages, 1))
    assert all("Justerandes signaturer" in page for page in pages)
    text = pdf_text(draft.data)
    for number in numbers.values():
        assert f"§ {number}" in text
    assert PUBLIC_DECISION in text  # staff read the protocol as written
    for word in SECRET_WORDS:  # the body's secretary reads the secret paragraph
        assert word in text, word
    assert "Anslagsbevis" not in text  # not yet posted

    adjust_and_post(client)
    final = keeper.get(PROTOCOL, headers=PDF)
    assert_pdfa_2b(final.data, f"Protokoll Regionstyrelsen {ms.MEETING}")
    pages = pdf_pages(final.data)
    assert not any(DRAFT in page for page in pages)
    assert all(f"Sida {n} av {len(pages)}" in page for n, page in enumerate(pages, 1))
    text = pdf_text(final.data)
    for expected in ("Protokoll", "Regionstyrelsen", "14 oktober 2020", "Regionhuset, Luleå",
                     "Beslutande ledamöter", "Ej tjänstgörande ersättare",
                     "Övriga närvarande", "Linda Ylivainio, sekreterare",
                     "Justerare: Glenn Berggård (V)", "Sekreterare", "Ordförande",
                     f"Paragrafer §§ {numbers['public']}–{numbers['secret']}",
                     "Anslagsbevis", "Datum för justering 19 oktober 2020",
                     "Datum då anslaget sätts upp 20 oktober 2020",
                     "Datum då anslaget tas ned 11 november 2020",
                     "Förvaringsplats för protokollet Registraturen"):
        assert expected in text, expected
    # HTML stays the default, with the same content
    html = keeper.get(PROTOCOL)
    assert html.mimetype == "text/html" and "HEMLIGBESLUT" in html.get_data(as_text=True)


def test_the_staff_pdf_withholds_what_the_reader_may_not_read(
    client: Any, client_as: Any
) -> None:
    """A secretary of another body reads the protocol as its HTML shows it: the public title
    for the secret paragraph, the secret words nowhere in the PDF's text or streams."""
    record_meeting(client)
    outsider = client_as("secretary", name="sara")
    answer = outsider.get(PROTOCOL, headers=PDF)
    assert answer.status_code == 200
    text = pdf_text(answer.data)
    assert PUBLIC_TITLE in text and "[sekretess]" in text
    decoded = streams(answer.data)
    for word in SECRET_WORDS:
        assert word not in text and word.encode() not in answer.data + decoded, word
    assert client_as(None).get(PROTOCOL, headers=PDF).status_code == 401


# -- the public protocol ---------------------------------------------------------------------------


def test_the_public_protocol_is_not_there_before_adjustment(client: Any, client_as: Any) -> None:
    record_meeting(client)
    public = client_as(None)
    for path in (PAGE, PUBLIC_PDF, "/moten/RS-2020-01-01/protokoll",
                 "/moten/RS-2020-01-01/protokoll.pdf"):
        answer = public.get(path)
        assert answer.status_code == 404, path
        assert answer.mimetype == "text/html"
        page = answer.get_data(as_text=True)
        assert "Det finns inget justerat protokoll" in page and 'lang="sv"' in page
        assert not any(word in page for word in SECRET_WORDS)


def test_the_public_protocol_withholds_secrets_and_masks_identity_numbers(
    client: Any, client_as: Any
) -> None:
    numbers = record_meeting(client)
    adjust_and_post(client)
    public = client_as(None)

    page = public.get(PAGE)
    assert page.status_code == 200 and page.headers["ETag"].startswith('W/"')
    html = page.get_data(as_text=True)
    assert f'href="{PUBLIC_PDF}"' in html and "<h1>Protokoll</h1>" in html
    assert PUBLIC_TITLE in html and MASK in html
    assert IDENTITY_NUMBER not in html
    assert not any(word in html for word in SECRET_WORDS)
    again = public.get(PAGE, headers={"If-None-Match": page.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""

    answer = public.get(PUBLIC_PDF)
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.headers["Content-Disposition"] == (
        f'inline; filename="protokoll-{ms.REF}.pdf"')
    assert_pdfa_2b(answer.data, f"Protokoll Regionstyrelsen {ms.MEETING}")
    text = pdf_text(answer.data)
    assert f"§ {numbers['secret']} {PUBLIC_TITLE}" in text  # only its public title
    assert "[sekretess]" in text
    assert f"Regionstyrelsen beslutar bevilja ansökan från {MASK}." in text
    decoded = streams(answer.data)
    for secret in (*SECRET_WORDS, IDENTITY_NUMBER):
        assert secret not in text and secret.encode() not in answer.data + decoded, secret
    assert DRAFT not in text and "Anslagsbevis" in text
    cached = public.get(PUBLIC_PDF, headers={"If-None-Match": answer.headers["ETag"]})
    assert cached.status_code == 304

    # while the body's secretary's staff PDF has the secret paragraph
    keeper = secretary(client_as)
    staff = pdf_text(keeper.get(PROTOCOL, headers=PDF).data)
    assert all(word in staff for word in SECRET_WORDS) and IDENTITY_NUMBER in staff
    # the public pages are the public's view whoever asks, with a token too
    assert pdf_text(keeper.get(PUBLIC_PDF).data) == text
    assert keeper.get(PAGE).get_data(as_text=True) == html


def test_the_pdf_fetches_nothing_but_the_apps_own_stylesheets() -> None:
    """No external fonts, stylesheets or images: WeasyPrint's fetcher reads the app's CSS."""
    assert b"@page" in _fetch(BASE_URL + "static/protocol-print.css")["string"]
    for url in ("https://fonts.example/static/font.css", "file:///etc/passwd",
                BASE_URL + "static/../__init__.py", BASE_URL + "logo.png",
                BASE_URL + "static/nothing.css"):
        with pytest.raises(ExternalResource):
            _fetch(url)


# -- in a real browser: the demo's seed protocol ---------------------------------------------------

SEED = "/moten/RS-2020-10-14/protokoll"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """gunicorn serving the demo (the seed protocol RS-2020-10-14, adjusted and posted)."""
    with serving_store(tmp_path_factory.mktemp("protocol"), load_demo) as (base, _):
        yield base


def test_the_public_protocol_page_is_accessible_and_downloads_a_pdfa(
    browser: Any, demo: str, tmp_path: Path
) -> None:
    page = visit(browser, demo + SEED)
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.locator("h1").count() == 1
    assert "§ 160" in page.content() and "Anslagsbevis" in page.content()
    assert violations(page) == []
    link = page.get_by_role("link", name=re.compile("Ladda ned protokollet som PDF"))
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "protokoll-RS-2020-10-14.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    data = saved.read_bytes()
    assert_pdfa_2b(data, "Protokoll Regionstyrelsen 2020-10-14")
    text = pdf_text(data)
    for number in range(160, 180):
        assert f"§ {number} " in text, number


def test_the_public_protocol_reads_without_javascript_and_by_keyboard(
    browser: Any, demo: str
) -> None:
    page = visit(browser, demo + SEED, javascript=False)
    assert "§ 179" in page.inner_text("main")
    page.keyboard.press("Tab")  # the skip link first
    assert page.evaluate("document.activeElement.className") == "skip"
    for _ in range(12):  # on to the PDF's link by the keyboard alone
        page.keyboard.press("Tab")
        if "PDF" in page.evaluate("document.activeElement.textContent"):
            break
    assert page.evaluate("document.activeElement.getAttribute('href')") == SEED + ".pdf"
    answer = requests.get(demo + SEED + ".pdf", timeout=30)
    assert answer.status_code == 200 and pdfa_identification(answer.content) == ("2", "B")
    css = requests.get(demo + "/static/protocol-print.css", timeout=10)
    assert css.status_code == 200 and "@page" in css.text  # the print stylesheet, served


def test_the_page_for_a_protocol_not_yet_adjusted_is_accessible(browser: Any, demo: str) -> None:
    page = browser.new_page()
    response = page.goto(demo + "/moten/RS-2099-01-01/protokoll")
    assert response is not None and response.status == 404
    assert page.locator("h1").inner_text() == "Protokollet finns inte"
    assert violations(page) == []


def test_without_the_pdf_printer_the_pdf_is_a_503_problem(
    client: Any, client_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server without Pango (WeasyPrint cannot load) answers 503 pdf-unavailable, never a
    500; the HTML protocol is still served."""
    import sys

    from diarium.web import protocol_pdf

    record_meeting(client)
    protocol_pdf.html_to_pdf.cache_clear()
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # its import fails
    answer = secretary(client_as).get(PROTOCOL, headers=PDF)
    assert answer.status_code == 503
    assert answer.get_json()["type"].endswith("/problems/pdf-unavailable")
    assert secretary(client_as).get(PROTOCOL).status_code == 200
