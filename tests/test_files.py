"""Files of documents: attach versions, list them, download them (Range, ETag), on SQLite with
its file directory and on PostgreSQL storing the files in the database; secrecy on download;
bad files refused; verify finds a changed or missing file; orphans collected, never a
referenced file."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from typing import Any

import pytest

from diarium.cases.files.stores import DirectoryStore
from tests.bodies_support import diarium_with_bodies  # noqa: F401 (the fixture)
from tests.files_support import attach, case_with_document, docx_bytes, pdf_bytes

LETTER = pdf_bytes("Remissvar om kollektivtrafiken i Norrbotten")


def test_attach_list_and_download_versions(client: Any) -> None:
    dnr = case_with_document(client)
    first = attach(client, dnr, LETTER, "remiss.pdf")
    assert first.status_code == 201, first.get_json()
    assert first.headers["Location"] == f"/api/cases/{dnr}/documents/1/files/1"
    body = first.get_json()
    assert body["version"] == 1
    assert body["sha256"] == hashlib.sha256(LETTER).hexdigest()
    assert body["size"] == len(LETTER)
    assert body["media_type"] == "application/pdf"
    assert body["file_name"] == "remiss.pdf"
    second_bytes = docx_bytes("Rättad version")
    second = attach(client, dnr, second_bytes, "remiss.docx",
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert second.status_code == 201, second.get_json()
    assert second.get_json()["version"] == 2

    listed = client.get(f"/api/cases/{dnr}/documents/1/files").get_json()
    assert [v["version"] for v in listed] == [1, 2]
    assert listed[1]["sha256"] == hashlib.sha256(second_bytes).hexdigest()
    assert all(v["attached_by"] == "tester" for v in listed)
    old = client.get(f"/api/cases/{dnr}/documents/1/files/1")
    assert old.status_code == 200
    assert old.data == LETTER  # the old version stays readable
    assert old.headers["Content-Type"] == "application/pdf"
    assert old.headers["ETag"] == f'"{hashlib.sha256(LETTER).hexdigest()}"'
    assert "remiss.pdf" in old.headers["Content-Disposition"]
    assert client.get(f"/api/cases/{dnr}/documents/1/files/2").data == second_bytes
    case = client.get(f"/api/cases/{dnr}").get_json()
    assert [f["version"] for f in case["documents"][0]["files"]] == [1, 2]


def test_range_and_conditional_requests(client: Any) -> None:
    dnr = case_with_document(client)
    attach(client, dnr, LETTER)
    url = f"/api/cases/{dnr}/documents/1/files/1"
    part = client.get(url, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206
    assert part.data == LETTER[10:20]
    assert part.headers["Content-Range"] == f"bytes 10-19/{len(LETTER)}"
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    beyond = client.get(url, headers={"Range": f"bytes={len(LETTER) + 5}-"})
    assert beyond.status_code == 416


def test_raw_body_upload_with_its_name(client: Any) -> None:
    dnr = case_with_document(client)
    answer = client.post(
        f"/api/cases/{dnr}/documents/1/files", data=LETTER,
        headers={"Content-Type": "application/pdf",
                 "Content-Disposition": "attachment; filename*=UTF-8''yttrande%20%C3%A5r.pdf"})
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["file_name"] == "yttrande år.pdf"
    got = client.get(f"/api/cases/{dnr}/documents/1/files/1")
    assert "filename*=UTF-8''yttrande%20%C3%A5r.pdf" in got.headers["Content-Disposition"]


def test_pdfa_claim_recorded(client: Any) -> None:
    dnr = case_with_document(client)
    answer = attach(client, dnr, pdf_bytes("Protokoll", pdfa="2b"))
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["pdfa"] == "2b"
    assert attach(client, dnr, LETTER).get_json()["pdfa"] is None


@pytest.mark.parametrize(("data", "name", "media_type", "says"), [
    (b"", "tom.pdf", "application/pdf", "empty"),
    (LETTER[: len(LETTER) // 2], "halv.pdf", "application/pdf", "cut short"),
    (docx_bytes("x")[:900], "halv.docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "cut short"),
    (LETTER, "brev.pdf", "image/png", "Content-Type says image/png"),
    (docx_bytes("x"), "brev.pdf", "application/octet-stream", "name says application/pdf"),
])
def test_bad_files_refused_naming_the_field(
    client: Any, data: bytes, name: str, media_type: str, says: str
) -> None:
    dnr = case_with_document(client)
    answer = attach(client, dnr, data, name, media_type)
    assert answer.status_code == 422, answer.get_json()
    problem = answer.get_json()
    assert problem["invalid-params"][0]["name"] == "file"
    assert says in problem["invalid-params"][0]["reason"]
    assert client.get(f"/api/cases/{dnr}/documents/1/files").get_json() == []


def test_missing_field_unknown_document_and_same_bytes_again(client: Any) -> None:
    dnr = case_with_document(client)
    missing = client.post(f"/api/cases/{dnr}/documents/1/files", data={"other": "x"},
                          content_type="multipart/form-data")
    assert missing.status_code == 422
    assert missing.get_json()["invalid-params"][0]["name"] == "file"
    unknown = attach(client, dnr, LETTER, document=7)
    assert unknown.status_code == 409
    assert unknown.get_json()["rule"] == "document-unknown"
    assert attach(client, dnr, LETTER).status_code == 201
    again = attach(client, dnr, LETTER)
    assert again.status_code == 409
    assert again.get_json()["rule"] == "file-unchanged"
    assert client.get(f"/api/cases/{dnr}/documents/1/files/9").status_code == 404
    assert client.get("/api/cases/KS-1-2020/documents/1/files").status_code == 404


def test_size_limit_answers_413(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIARIUM_MAX_FILE_BYTES", "1000")
    dnr = case_with_document(client)
    for answer in (
        attach(client, dnr, LETTER),
        client.post(f"/api/cases/{dnr}/documents/1/files", data=LETTER,
                    headers={"Content-Type": "application/pdf"}),
    ):
        assert answer.status_code == 413
        assert answer.get_json()["type"].endswith("/problems/file-too-large")
        assert answer.get_json()["limit"] == 1000
    assert client.get(f"/api/cases/{dnr}/documents/1/files").get_json() == []


def _secret_case(client: Any) -> str:
    dnr = case_with_document(client)
    assert attach(client, dnr, LETTER, "anmälan Anna.pdf").status_code == 201
    marked = client.post(f"/api/cases/{dnr}/documents/1/secrecy", json={
        "statute": "OSL 26:1", "marking_body": "RS", "fields": ["counterpart"]})
    assert marked.status_code in (200, 201), marked.get_json()
    return dnr


@pytest.mark.parametrize(("roles", "name", "may"), [
    (("registrar",), "reg", True),
    (("auditor",), "aud", True),
    (("officer",), "linda", True),  # the case's officer
    (("officer",), "other", False),
    (("secretary",), "sec", False),
    (("chair",), "chair", False),
    (("adjuster",), "adj", False),
    (("admin",), "adm", False),
    (("service",), "svc", False),
])
def test_secret_document_file_only_to_those_who_may_read(
    client: Any, client_as: Any, roles: tuple[str, ...], name: str, may: bool
) -> None:
    dnr = _secret_case(client)
    reader = client_as(*roles, name=name)
    got = reader.get(f"/api/cases/{dnr}/documents/1/files/1")
    listed = reader.get(f"/api/cases/{dnr}/documents/1/files").get_json()
    reads = client_as("auditor", name="aud").get(f"/api/cases/{dnr}/secret-reads").get_json()
    downloads = [r for r in reads if r["what"] == "documents/1/files/1"]
    if may:
        assert got.status_code == 200
        assert got.data == LETTER
        assert listed[0]["file_name"] == "anmälan Anna.pdf"
        assert [r["actor"] for r in downloads] == [name]
    else:
        assert got.status_code == 403
        assert got.get_json()["type"].endswith("/problems/secret-content")
        assert LETTER not in got.data
        assert listed[0]["file_name"] is None and listed[0]["sha256"] is None
        assert "anmälan" not in reader.get(f"/api/cases/{dnr}").get_data(as_text=True)
        assert "anmälan" not in reader.get(f"/api/cases/{dnr}/events").get_data(as_text=True)
        assert downloads == []


def test_the_public_gets_nothing_through_the_file_routes(client: Any, client_as: Any) -> None:
    dnr = case_with_document(client)
    attach(client, dnr, LETTER)
    public = client_as(None)
    for url in (f"/api/cases/{dnr}/documents/1/files", f"/api/cases/{dnr}/documents/1/files/1"):
        answer = public.get(url)
        assert answer.status_code == 401
        assert LETTER not in answer.data
    assert public.post(f"/api/cases/{dnr}/documents/1/files", data=LETTER,
                       headers={"Content-Type": "application/pdf"}).status_code == 401


def test_a_case_marking_of_documents_covers_their_files(client: Any, client_as: Any) -> None:
    dnr = case_with_document(client)
    attach(client, dnr, LETTER)
    marked = client.post(f"/api/cases/{dnr}/secrecy", json={
        "statute": "OSL 25:1", "marking_body": "RS", "fields": ["documents"]})
    assert marked.status_code in (200, 201), marked.get_json()
    assert client_as("secretary", name="s").get(
        f"/api/cases/{dnr}/documents/1/files/1").status_code == 403


def test_verify_finds_altered_and_missing_files(diarium: Any, client: Any) -> None:
    dnr = case_with_document(client)
    attach(client, dnr, LETTER)
    attach(client, dnr, pdf_bytes("Andra versionen"))
    assert diarium.files.verify() == (2, [])
    store = diarium.files.store
    if not isinstance(store, DirectoryStore):
        pytest.skip("altering a file on disk: the directory store")
    path = store._path(hashlib.sha256(LETTER).hexdigest())
    path.chmod(0o640)
    altered = bytearray(LETTER)
    altered[len(altered) // 2] ^= 0x01  # one bit
    path.write_bytes(bytes(altered))
    checked, findings = diarium.files.verify()
    assert checked == 2
    assert [(f.kind, f.dnr, f.document, f.version) for f in findings] == [
        ("file-altered", dnr, 1, 1)]
    path.unlink()
    assert [f.kind for f in diarium.files.verify()[1]] == ["file-missing"]


def test_orphans_collected_never_a_referenced_file(diarium: Any, client: Any) -> None:
    dnr = case_with_document(client)
    attach(client, dnr, LETTER)
    orphan = pdf_bytes("Uppladdad, men kommandot nekades")
    refused = attach(client, dnr, orphan, document=5)  # stored, then refused
    assert refused.status_code == 409
    orphan_key = hashlib.sha256(orphan).hexdigest()
    assert diarium.files.store.exists(orphan_key)
    assert diarium.files.collect_orphans() == []  # within the grace period
    assert diarium.files.collect_orphans(timedelta(0)) == [orphan_key]
    assert not diarium.files.store.exists(orphan_key)
    assert client.get(f"/api/cases/{dnr}/documents/1/files/1").data == LETTER


def test_register_a_document_with_its_file_in_one_write(client: Any) -> None:
    dnr = case_with_document(client)
    form = {"direction": "incoming", "date": "2020-03-05", "counterpart": "Piteå kommun",
            "description": "Yttrande", "file": (io.BytesIO(LETTER), "yttrande.pdf",
                                                "application/pdf")}
    made = client.post(f"/api/cases/{dnr}/documents", data=form,
                       content_type="multipart/form-data")
    assert made.status_code == 201, made.get_json()
    (document,) = [d for d in made.get_json()["case"]["documents"] if d["number"] == 2]
    assert document["counterpart"] == "Piteå kommun"
    assert [(f["version"], f["file_name"]) for f in document["files"]] == [(1, "yttrande.pdf")]
    events = client.get(f"/api/cases/{dnr}/events").get_json()
    assert [e["type"] for e in events[-2:]] == ["DocumentRegistered", "DocumentFileAttached"]
    assert events[-1]["version"] == events[-2]["version"] + 1
    assert client.get(f"/api/cases/{dnr}/documents/2/files/1").data == LETTER


@pytest.mark.parametrize(("fields", "data", "field"), [
    ({"direction": "incoming", "description": "Tom"}, b"", "file"),
    ({"direction": "sideways", "description": "Fel"}, LETTER, "direction"),
    ({"direction": "incoming", "description": "Utan fil"}, None, "file"),
])
def test_a_refused_form_registers_nothing(
    client: Any, fields: dict[str, str], data: bytes | None, field: str
) -> None:
    dnr = case_with_document(client)
    version = client.get(f"/api/cases/{dnr}").get_json()["version"]
    form: dict[str, Any] = {**fields, "date": "2020-03-05"}
    if data is not None:
        form["file"] = (io.BytesIO(data), "brev.pdf", "application/pdf")
    refused = client.post(f"/api/cases/{dnr}/documents", data=form,
                          content_type="multipart/form-data")
    assert refused.status_code == 422, refused.get_json()
    assert refused.get_json()["invalid-params"][0]["name"] == field
    assert client.get(f"/api/cases/{dnr}").get_json()["version"] == version


def test_a_personal_identity_number_in_a_file_name_only_where_it_is_withheld(
    client: Any,
) -> None:
    dnr = case_with_document(client)
    named = "ansökan 19121212-1212.pdf"
    refused = attach(client, dnr, LETTER, named)
    assert refused.status_code == 409
    assert refused.get_json()["rule"] == "personal-identity-number-public"
    assert "1212" not in refused.get_data(as_text=True)
    marked = client.post(f"/api/cases/{dnr}/documents/1/secrecy", json={
        "statute": "OSL 26:1", "marking_body": "RS", "fields": ["description"]})
    assert marked.status_code == 201, marked.get_json()
    assert attach(client, dnr, LETTER, named).status_code == 201
