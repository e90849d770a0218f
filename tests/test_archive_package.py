"""The archive package (issue 16): an E-ARK CSIP folder (or zip) of one case with its CITS ERMS
XML, valid against the official ERMS_v3.xsd and its Schematron rules, and a METS.xml whose
checksums and sizes are re-computed here from the files in the package; ``diarium audit verify
--files`` names a stored file changed on disk."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from diarium.cases.application import Diarium
from diarium.cases.outbound import erms
from diarium.web.cli.main import main
from tests import meetings_support as ms
from tests.archive_support import assert_valid_erms, erms_schematron, mets_schema
from tests.files_support import attach, docx_bytes, pdf_bytes

DNR = "411-2020"
LETTER = pdf_bytes("Remissvar från Luleå kommun")
SECOND = docx_bytes("Remissvar, rättad version")
NS = {"e": erms.ERMS_NAMESPACE, "m": "http://www.loc.gov/METS/",
      "x": "http://www.w3.org/1999/xlink"}


@pytest.fixture
def diarium(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
            ) -> Iterator[Diarium]:
    """The service with its files in a directory store (on both backends), so a test can
    change a stored file on disk; the CLI in the same process finds the same store."""
    monkeypatch.setenv("DIARIUM_BLOB_URL", (tmp_path / "blobs").as_uri())
    app = Diarium(database_url, create_tables=True)
    yield app
    app.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]


def _case(client: Any) -> None:
    """411-2020 with a letter in two file versions marked secret, a referral sent and
    answered, a second document marked and lifted, and RS's decision in § 160 at its meeting
    with a reservation."""
    ms.setup_bodies(client)
    ms.register_case(client, DNR, "Strategisk plan 2021-2023")
    ms.ok(client.put(f"/api/cases/{DNR}/officer", json={"officer": "tester"}))
    ms.ok(client.post(f"/api/cases/{DNR}/documents", json={
        "direction": "incoming", "date": "2020-09-02", "description": "Yttrande om planen",
        "counterpart": "Luleå kommun"}), 201)
    ms.ok(attach(client, DNR, LETTER, "yttrande.pdf"), 201)
    ms.ok(attach(client, DNR, SECOND, "../yttrande v2.docx", media_type=(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")), 201)
    ms.ok(client.post(f"/api/cases/{DNR}/documents/1/secrecy", json={
        "statute": "OSL 21:1", "marking_body": "RS", "marked_on": "2020-09-10"}), 201)
    ms.ok(client.post(f"/api/cases/{DNR}/documents", json={
        "direction": "outgoing", "date": "2020-09-03", "description": "Remiss av planen",
        "counterpart": "Kommunerna"}), 201)
    ms.ok(client.post(f"/api/cases/{DNR}/documents/2/secrecy", json={
        "statute": "OSL 18:13", "marking_body": "RS", "marked_on": "2020-09-04"}), 201)
    ms.ok(client.post(f"/api/cases/{DNR}/documents/2/secrecy/lift", json={
        "lifted_on": "2020-09-20"}))
    ms.ok(client.post(f"/api/cases/{DNR}/referrals", json={
        "recipients": ["Luleå kommun", "Piteå kommun"], "answer_by": "2020-09-30",
        "sent_on": "2020-09-03", "document_number": 2}), 201)
    ms.ok(client.post(f"/api/cases/{DNR}/referrals/1/answers", json={
        "recipient": "Luleå kommun", "answered_on": "2020-09-12", "document_number": 1}), 201)
    ms.ok(client.post(f"/api/cases/{DNR}/documents", json={
        "direction": "incoming", "date": "2020-09-05", "description": "Remiss om regional plan",
        "counterpart": "Socialdepartementet"}), 201)
    incoming = f"/api/cases/{DNR}/incoming-referrals"
    ms.ok(client.post(incoming, json={
        "sender": "Socialdepartementet", "sender_reference": "S2020/01", "answer_by":
        "2020-10-01", "document_number": 3}), 201)
    ms.ok(client.post(f"{incoming}/1/extensions", json={
        "answer_by": "2020-10-30", "granted_on": "2020-09-25"}), 201)
    ms.ok(client.post(f"{incoming}/1/decline", json={
        "reason": "Frågan ligger utanför vårt ansvar.", "declined_on": "2020-09-28"}), 201)
    ms.ok(client.post(f"/api/cases/{DNR}/proposals", json={
        "points": ["Planen antas."], "summary": "Förslag: anta planen.",
        "justification": "Remissvaren stöder planen.", "proposed_on": "2020-09-25",
        "proposed_by": "tester"}), 201)
    ms.schedule(client)
    ms.attend(client)
    number = ms.paragraph(client, "Strategisk plan 2021-2023", DNR)
    ms.ok(ms.motion(client, number, "Linda Frohm", "bifalla förslaget."), 201)
    ms.ok(ms.motion(client, number, "Glenn Berggård", "avslå."), 201)
    ms.ok(client.post(f"/api/meetings/{ms.REF}/paragraphs/{number}/procedure", json={
        "proposals": [1, 2], "adopted": 1}), 201)
    ms.ok(ms.decide(client, number, "Regionstyrelsen antar planen."), 201)
    ms.ok(client.post(f"/api/meetings/{ms.REF}/paragraphs/{number}/reservations", json={
        "member": "Glenn Berggård", "reason": "Planen saknar finansiering."}), 201)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check_mets(root: Path) -> dict[str, str]:
    """METS.xml valid (METS 1.12 + CSIP extension); every checksum and size re-computed from
    the file its href names; every file of the package listed. The files' sha256 by href."""
    mets = etree.parse(str(root / "METS.xml"))
    assert mets_schema().validate(mets), mets_schema().error_log
    top = mets.getroot()
    assert top.get("OBJID") == root.name and top.get("PROFILE")
    assert top.get("{https://DILCIS.eu/XML/METS/CSIPExtensionMETS}CONTENTINFORMATIONTYPE") == (
        "citserms_v3_0")
    agent = top.find("m:metsHdr/m:agent[@ROLE='CREATOR']", NS)
    assert (agent.get("TYPE"), agent.get("OTHERTYPE"), agent.findtext("m:name", namespaces=NS)
            ) == ("OTHER", "SOFTWARE", "diarium")
    assert top.find("m:structMap[@LABEL='CSIP']", NS) is not None
    listed: dict[str, str] = {}
    references = [(f, f.find("m:FLocat", NS)) for f in top.iterfind(".//m:file", NS)]
    references += [(r, r) for r in top.iterfind("m:dmdSec/m:mdRef", NS)]
    for described, locator in references:
        href = locator.get(f"{{{NS['x']}}}href")
        path = root / href
        assert described.get("CHECKSUMTYPE") == "SHA-256"
        assert described.get("CHECKSUM") == _sha256(path), href
        assert int(described.get("SIZE")) == path.stat().st_size, href
        assert described.get("CREATED") and described.get("MIMETYPE")
        listed[href] = described.get("CHECKSUM")
    on_disk = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    assert on_disk - {"METS.xml"} == set(listed)
    return listed


def test_the_package_of_a_case(client: Any, diarium: Diarium, database_url: str,
                               tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _case(client)
    target = tmp_path / "arkiv-411-2020"
    main(["--database-url", database_url, "audit", "export", DNR, "--package", str(target)])
    assert str(target) in capsys.readouterr().out
    listed = _check_mets(target)

    # every version of the file is in the package, under the path the ERMS record names
    versions = ms.ok(client.get(f"/api/cases/{DNR}/documents/1/files"))
    versions = versions.get("files", versions) if isinstance(versions, dict) else versions
    assert [hashlib.sha256(b).hexdigest() for b in (LETTER, SECOND)] == [
        v["sha256"] for v in versions]
    xml_path = target / "metadata/descriptive/erms.xml"
    document = etree.parse(str(xml_path))
    assert_valid_erms(document)
    record = document.find(".//e:record[e:runningNumber='1']", NS)
    appendices = record.findall("e:additionalInformation/e:appendix", NS)
    assert appendices[0].get("fileFormat") == "application/pdf"
    for appendix, blob in zip(appendices, (LETTER, SECOND), strict=True):
        assert listed[appendix.get("path")] == hashlib.sha256(blob).hexdigest()
        assert (target / appendix.get("path")).read_bytes() == blob
    assert appendices[1].get("path").endswith("/version-2/yttrande v2.docx")  # no ../
    checksums = [o.findtext("e:value", namespaces=NS) for o in record.iterfind(
        ".//e:ownElement[@name='sha256']", NS)]
    assert checksums == [v["sha256"] for v in versions]

    # secrecy markings as restrictions: the document's in force, the other's lifted
    restriction = record.find("e:restriction", NS)
    assert restriction.get("restrictionType") == "confidential"
    assert restriction.findtext("e:regulation", namespaces=NS) == "OSL 21:1"
    assert restriction.findtext("e:agent/e:name", namespaces=NS) == "RS"
    assert restriction.findtext("e:dates/e:date[@dateType='confidentiality_assessed']",
                                namespaces=NS) == "2020-09-10T00:00:00"
    lifted = document.find(".//e:record[e:runningNumber='2']/e:restriction", NS)
    assert lifted.findtext("e:regulation", namespaces=NS) == "OSL 18:13"
    assert lifted.findtext("e:dates/e:date[@dateType='end']", namespaces=NS) == (
        "2020-09-20T00:00:00")

    # the referral, the decision with body and § and the reservation
    aggregation = document.find(".//e:aggregation", NS)
    referral = aggregation.find("e:action[e:actionType='referral']", NS)
    assert [a.findtext("e:name", namespaces=NS) for a in referral.iterfind(".//e:agent", NS)
            ] == ["Luleå kommun", "Piteå kommun"]
    assert referral.findtext(".//e:note[@noteType='answered']", namespaces=NS)
    declined = aggregation.find("e:action[e:actionType='incoming_referral']", NS)
    assert declined.findtext("e:actionDue", namespaces=NS) == "2020-10-30"
    assert declined.findtext("e:actionMotivation", namespaces=NS) == (
        "Frågan ligger utanför vårt ansvar.")
    assert declined.find("e:dates/e:actionDate[@otherDateType='declined']", NS) is not None
    proposal = aggregation.find("e:action[e:actionType='proposal']", NS)
    assert proposal.findtext("e:actionText", namespaces=NS) == "Förslag: anta planen."
    decision = aggregation.find("e:action[e:actionType='decision: decided']", NS)
    assert decision.findtext("e:actionText", namespaces=NS) == "Regionstyrelsen antar planen."
    body = decision.find("e:agents/e:agent[@otherAgentType='deciding_body']", NS)
    assert body.findtext("e:name", namespaces=NS) == "RS"
    assert body.findtext("e:notes/e:note[@noteType='paragraph']", namespaces=NS) == "§ 160"
    reservation = decision.find("e:agents/e:agent[@otherAgentType='reservation']", NS)
    assert reservation.findtext("e:name", namespaces=NS) == "Glenn Berggård"
    assert reservation.findtext(".//e:note", namespaces=NS) == "Planen saknar finansiering."

    # the case history: every event with its type, time and actor
    history = diarium.case_history(DNR)
    lines = aggregation.findall("e:archivalHistory/e:historyLine", NS)
    assert len(lines) == len(history)
    events = aggregation.findall("e:additionalInformation/e:ownElement/e:ownElement", NS)
    types = [e.findtext("e:value", namespaces=NS) for e in events]
    assert len(types) == len(history) and types[:2] == ["case.registered",
                                                         "case.officer_assigned"]
    assert types.count("case.document_file_attached") == 2
    assert all(e.find("e:ownElement[@name='actor']", NS) is not None for e in events)
    assert events[0].find("e:ownElement[@name='recordedAt']/e:value", NS).text.startswith(
        history[0].timestamp.date().isoformat())

    # the same XML over HTTP, for those who may read the secret content
    response = client.get(f"/api/audit/cases/{DNR}/export?format=xml")
    assert response.status_code == 200 and b"OSL 21:1" in response.data
    assert_valid_erms(response.data)

    # the schemas the XML uses are in the package
    assert (target / "schemas/ERMS_v3.xsd").read_bytes() == erms.SCHEMA_PATH.read_bytes()
    with pytest.raises(SystemExit, match="never written over"):
        main(["--database-url", database_url, "audit", "export", DNR, "--package",
              str(target)])
    with pytest.raises(SystemExit, match="no case 9-2020"):
        main(["--database-url", database_url, "audit", "export", "9-2020", "--package",
              str(tmp_path / "other")])


def test_the_package_as_a_zip(client: Any, database_url: str, tmp_path: Path) -> None:
    _case(client)
    main(["--database-url", database_url, "audit", "export", DNR, "--package",
          str(tmp_path / "paket.zip")])
    with zipfile.ZipFile(tmp_path / "paket.zip") as archive:
        assert {n.split("/")[0] for n in archive.namelist()} == {"paket"}
        archive.extractall(tmp_path / "unpacked")
    _check_mets(tmp_path / "unpacked" / "paket")


def test_the_schematron_rules_run() -> None:
    """The official rules catch what the XSD lets through: an ``other`` agent type with no
    ``otherAgentType``."""
    rules = erms_schematron()
    agent = f'<agent xmlns="{erms.ERMS_NAMESPACE}" agentType="other"><name>x</name></agent>'
    assert not rules.validate(etree.fromstring(agent))
    named = agent.replace('agentType="other"', 'agentType="other" otherAgentType="y"')
    assert rules.validate(etree.fromstring(named))


def test_verify_files_names_a_changed_or_missing_file(
    client: Any, diarium: Diarium, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _case(client)
    main(["--database-url", database_url, "audit", "verify", "--files"])
    assert "checked 2 stored files; intact" in capsys.readouterr().out
    path = diarium.files.store._path(hashlib.sha256(LETTER).hexdigest())  # type: ignore[attr-defined]
    path.chmod(0o640)
    path.write_bytes(LETTER[:-1] + b"\x00")
    with pytest.raises(SystemExit) as stopped:
        main(["--database-url", database_url, "audit", "verify", "--files"])
    assert stopped.value.code == 1
    out = capsys.readouterr().out
    key = hashlib.sha256(LETTER).hexdigest()
    assert f"file-altered: case {DNR} document 1 version 1 sha256 {key}" in out
    path.unlink()
    with pytest.raises(SystemExit):
        main(["--database-url", database_url, "audit", "verify", "--files", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert [(f["kind"], f["dnr"], f["document"], f["version"]) for f in
            report["files"]["findings"]] == [("file-missing", DNR, 1, 1)]
