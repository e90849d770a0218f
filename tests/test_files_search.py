"""The text of documents' files in the diary's search (cases/files/text.py,
projections/file_texts.py), on SQLite and PostgreSQL: a word only inside an attached PDF,
DOCX, ODT or plain-text file finds its case; only the latest version of a document's file
counts; a reader without access never finds a case by the text of a secret document (a
marking of the document, or the case's marking of its documents), the registrar does, and
lifting the marking makes it findable; a file that cannot be read is still stored and
downloadable and says why it has no text; a file that takes too long stops neither the
projection nor the search."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from diarium.cases.files import text
from diarium.cases.files.stores import BLOB_URL_VARIABLE
from diarium.projections import file_texts
from tests.bodies_support import diarium_with_bodies  # noqa: F401 (the fixture)
from tests.files_support import attach, case_with_document, docx_bytes, odt_bytes, pdf_bytes
from tests.test_search_swedish import found

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OUTSIDER = ("secretary", "sara")  # may not read the secrets of RS's cases
REGISTRAR = ("registrar", "rs.registrator")


@pytest.fixture(autouse=True)
def _file_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The files in a directory on both backends (what is searched does not depend on
    where the bytes lie)."""
    monkeypatch.setenv(BLOB_URL_VARIABLE, f"file://{tmp_path / 'files'}")


def _project(app: Any) -> None:
    """Run the projections up to the head (the text is read there, off the request path)."""
    app.extensions["diarium_projector"].catch_up()


def _status(client: Any, dnr: str, document: int = 1) -> list[str | None]:
    listed = client.get(f"/api/cases/{dnr}/documents/{document}/files")
    assert listed.status_code == 200, listed.get_json()
    return [v["text_status"] for v in listed.get_json()]


def _reader(client_as: Any, who: tuple[str, str]) -> Any:
    return client_as(who[0], name=who[1], bodies=("RS",) if who == REGISTRAR else ())


@pytest.mark.parametrize(("data", "name", "media_type"), [
    (pdf_bytes("Yttrande om snoskoterleder i fjallvarlden"), "yttrande.pdf", "application/pdf"),
    (docx_bytes("Yttrande om snöskoterleder i fjällvärlden"), "yttrande.docx", DOCX),
    (odt_bytes("Yttrande om snöskoterleder i fjällvärlden"), "yttrande.odt", ODT),
    ("Yttrande om snöskoterleder i fjällvärlden\n".encode(), "yttrande.txt", "text/plain"),
    ("Yttrande om snöskoterleder i fjällvärlden\n".encode("latin-1"), "yttrande.txt",
     "text/plain"),
])
def test_a_word_inside_a_file_finds_its_case(
    app: Any, client: Any, data: bytes, name: str, media_type: str
) -> None:
    dnr = case_with_document(client)
    other = case_with_document(client)
    _project(app)
    assert found(client, "snöskoterled") == set()
    assert client.get(f"/api/cases/{dnr}/documents/1/files").get_json() == []
    assert attach(client, dnr, data, name, media_type).status_code == 201
    assert _status(client, dnr) == ["pending"]  # not read yet: the request does not read it
    _project(app)
    assert _status(client, dnr) == ["indexed"]
    assert found(client, "snöskoterleder") == {dnr}
    assert found(client, "fjällvärld snöskoter") == {dnr}  # stems, compounds, every word
    assert found(client, "snöskoterleder remiss") == {dnr}  # with the document's description
    assert found(client, "snöskoterleder tandvård") == set()
    assert other not in found(client, "snöskoterleder")


def test_only_the_latest_version_of_a_file_is_searched(app: Any, client: Any) -> None:
    dnr = case_with_document(client)
    attach(client, dnr, pdf_bytes("Utkast om vindkraftverk"), "utkast.pdf")
    _project(app)
    assert found(client, "vindkraftverk") == {dnr}
    attach(client, dnr, docx_bytes("Slutlig version om solceller"), "slutlig.docx", DOCX)
    _project(app)
    assert found(client, "vindkraftverk") == set()
    assert found(client, "solceller") == {dnr}
    assert _status(client, dnr) == ["indexed", "indexed"]


def test_the_text_of_a_secret_document_is_found_only_with_access(
    app: Any, client: Any, client_as: Any
) -> None:
    dnr = case_with_document(client)
    public = case_with_document(client)
    attach(client, dnr, pdf_bytes("Orosanmalan om Ville Nyqvist"), "anmalan.pdf")
    attach(client, public, pdf_bytes("Trafikplan for Nyqvist vag"), "plan.pdf")
    _project(app)
    outsider, registrar = _reader(client_as, OUTSIDER), _reader(client_as, REGISTRAR)
    assert found(outsider, "orosanmälan") == {dnr}  # not marked yet

    marked = client.post(f"/api/cases/{dnr}/documents/1/secrecy", json={
        "statute": "OSL 26:1", "marking_body": "RS", "fields": ["counterpart"]})
    assert marked.status_code == 201, marked.get_json()
    _project(app)
    # a marking of any field of the document covers its file's text (domain/secrecy.py)
    assert found(outsider, "orosanmälan") == found(outsider, "orosanmälanx") == set()
    assert found(outsider, "Nyqvist") == {public}  # the public document still found
    assert found(outsider, "remiss") >= {dnr, public}  # the case by its public words
    assert found(registrar, "orosanmälan Ville") == {dnr}
    assert found(registrar, "Nyqvist") == {dnr, public}
    # a filter beside the words does not open the secret text either
    for extra in ({"status": "open"}, {"body": "RS"}, {"secret": "true"}, {"sort": "dnr"}):
        answer = outsider.get("/api/registers/diary", query_string={"q": "Ville", **extra})
        assert answer.status_code == 200, answer.get_json()
        assert answer.get_json()["items"] == []
    assert _status(outsider, dnr) == [None]  # nothing told of a file whose hash is withheld
    assert _status(registrar, dnr) == ["indexed"]

    lifted = client.post(f"/api/cases/{dnr}/documents/1/secrecy/lift", json={})
    assert lifted.status_code == 200, lifted.get_json()
    _project(app)
    assert found(outsider, "orosanmälan") == {dnr}


def test_a_case_marking_of_documents_withholds_their_files_text(
    app: Any, client: Any, client_as: Any
) -> None:
    dnr = case_with_document(client)
    attach(client, dnr, odt_bytes("Utredning om skyddat boende i Kalix"), "utredning.odt", ODT)
    _project(app)
    outsider, registrar = _reader(client_as, OUTSIDER), _reader(client_as, REGISTRAR)
    marked = client.post(f"/api/cases/{dnr}/secrecy", json={
        "statute": "OSL 26:1", "marking_body": "RS", "fields": ["documents"]})
    assert marked.status_code == 201, marked.get_json()
    _project(app)
    assert found(outsider, "skyddat boende") == set()
    assert found(registrar, "skyddat boende") == {dnr}
    # a file attached while the marking stands is withheld from the start
    attach(client, dnr, pdf_bytes("Kompletterande utredning om Kalixbostaden"), "k.pdf")
    _project(app)
    assert found(outsider, "Kalixbostaden") == set()
    assert found(registrar, "Kalixbostaden") == {dnr}
    assert client.post(f"/api/cases/{dnr}/secrecy/lift", json={}).status_code == 200
    _project(app)
    assert found(outsider, "Kalixbostaden") == {dnr}


def test_a_file_without_text_is_stored_and_says_why(app: Any, client: Any) -> None:
    dnr = case_with_document(client)
    broken = b"%PDF-1.4\nnot a real pdf at all\n%%EOF\n"
    png = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
           b"\x00\x00\x00\x90wS\xde\x00\x00\x00\x00IEND\xaeB`\x82")
    assert attach(client, dnr, broken, "trasig.pdf").status_code == 201
    assert attach(client, dnr, png, "bild.png", "image/png").status_code == 201
    _project(app)
    first, second = _status(client, dnr)
    assert first.startswith("failed: ")
    assert second == "unsupported"
    assert client.get(f"/api/cases/{dnr}/documents/1/files/1").data == broken
    assert client.get(f"/api/cases/{dnr}/documents/1/files/2").data == png
    assert found(client, "remiss") == {dnr}  # the case is still searched by its other words


def test_a_file_that_takes_too_long_stops_neither_the_projection_nor_the_search(
    app: Any, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(text.TIMEOUT_VARIABLE, "0.001")  # no reader starts that fast
    slow = case_with_document(client)
    attach(client, slow, pdf_bytes("Ett dokument om granskogen"), "slow.pdf")
    after = case_with_document(client, title="Ansökan om bygglov för förråd")
    _project(app)
    assert _status(client, slow) == ["timeout"]
    assert found(client, "bygglov") == {after}  # the events after it were applied
    assert found(client, "granskogen") == set()


def _sheet(cell: bytes = b"", megabytes: int = 0) -> bytes:
    """An XLSX whose one shared string is ``cell``, or ``megabytes`` MiB of letters (a few
    hundred KiB packed: reading it needs that much memory and more)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("xl/workbook.xml", "<workbook/>")
        with package.open("xl/sharedStrings.xml", "w") as part:
            part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                       b"<si><t>" + cell)
            for _ in range(megabytes):
                part.write(b"a" * 1024**2)
            part.write(b"</t></si></sst>")
    return out.getvalue()


def test_spreadsheets_are_read() -> None:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    sheet = _sheet("Budget för Överkalix".encode())
    read = text.extract_stream(io.BytesIO(sheet), XLSX)
    assert (read.status, read.text) == (text.INDEXED, "Budget för Överkalix")
    document = OpenDocumentSpreadsheet()
    table, row, cell = Table(name="Blad1"), TableRow(), TableCell()
    cell.addElement(P(text="Budget för Övertorneå"))
    row.addElement(cell)
    table.addElement(row)
    document.spreadsheet.addElement(table)
    out = io.BytesIO()
    document.write(out)
    ods = "application/vnd.oasis.opendocument.spreadsheet"
    read = text.extract_stream(io.BytesIO(out.getvalue()), ods)
    assert (read.status, read.text) == (text.INDEXED, "Budget för Övertorneå")


def test_a_file_beyond_the_memory_bound_stops_neither_the_projection_nor_the_search(
    app: Any, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(text.MEMORY_VARIABLE, str(96 * 1024**2))
    bomb = case_with_document(client)
    assert attach(client, bomb, _sheet(megabytes=200), "tabell.xlsx", XLSX).status_code == 201
    after = case_with_document(client, title="Ansökan om bygglov för förråd")
    _project(app)
    assert _status(client, bomb) == ["too-large"]
    assert found(client, "bygglov") == {after}
    assert client.get(f"/api/cases/{bomb}/documents/1/files/1").status_code == 200


def test_the_text_kept_is_capped() -> None:
    read = text.extract_stream(io.BytesIO(("ord " * 10_000).encode()), "text/plain",
                               text.Limits(timeout=30, max_chars=1000))
    assert read.status == text.INDEXED
    assert len(read.text) == 1000


def test_a_rebuild_reads_no_file_again(app: Any, client: Any, diarium: Any) -> None:
    dnr = case_with_document(client)
    attach(client, dnr, pdf_bytes("Avtal om snoröjning"), "avtal.pdf")
    _project(app)
    projector = app.extensions["diarium_projector"]
    engine = diarium.recorder.datastore.engine
    with engine.connect() as connection:
        read_at = connection.execute(file_texts.file_texts.select()).one().extracted_at
    projector.rebuild("diary", grace=0)
    with engine.connect() as connection:
        assert connection.execute(file_texts.file_texts.select()).one().extracted_at == read_at
    assert found(client, "snöröjning") == {dnr}


def test_a_command_is_written_while_a_file_is_read(
    app: Any, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file is read before the projection's batch takes its locks (SQLite: the write lock
    of the whole database), so commands go on meanwhile."""
    dnr = case_with_document(client)
    attach(client, dnr, pdf_bytes("Detaljplan for hamnomradet"), "plan.pdf")
    meanwhile = []
    real = file_texts.extract

    def reading(*args: Any) -> Any:
        meanwhile.append(client.post("/api/cases", json={
            "title": "Ansökan om tillstånd", "responsible_body": "RS"}).status_code)
        return real(*args)

    monkeypatch.setattr(file_texts, "extract", reading)
    _project(app)
    assert meanwhile == [201]
    assert found(client, "hamnområdet") == {dnr}
    assert found(client, "tillstånd") != set()
