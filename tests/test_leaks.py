"""The leak test: every GET route in the URL map (new routes included automatically) × every
role × a token in and out of the case's body, on a store with a secret case on a meeting's
agenda with a decided paragraph, a secret document, a secret referral sender and a delegated
decision, the protocol adjusted, posted and corrected and its decision's legal force recorded;
no secret text may reach a reader without access (nor a webhook's payload), and guesses at
secret text that match must answer exactly as guesses that do not (no oracle)."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from pypdf import PdfReader

from diarium.cases.legal_force import record_legal_force
from diarium.cases.outbound.webhook_delivery import WebhookWorker
from diarium.cases.outbound.webhook_targets import ALLOW_NETWORKS_VARIABLE
from diarium.web.site.oparl_objects import person_key
from tests import meetings_support as ms
from tests.files_support import attach
from tests.webhook_receivers import Receiver

MARK = "hemlig"  # in every secret text below (any case), and nowhere else
DNR, OTHER = "1310-2020", "1311-2020"
SECRET_TITLE = "Utredning HEMLIGTITEL om Kalle Svensson"
COUNTERPART = "Anna HEMLIGPERSON"
DOC_COUNTERPART = "Bolaget HEMLIGMOTPART"
SENDER = "Kommunen HEMLIGREMITTENT"
# files of the secret documents (text, so that their bytes show the mark), and one public file
SECRET_FILES = {(DNR, "HEMLIGFILNAMN.txt"): b"Anm\xc3\xa4lan HEMLIGFILTEXT om Kalle",
                (OTHER, "brev-HEMLIGBREV.txt"): b"Brev med HEMLIGBREVTEXT"}
SECRET_HASHES = [hashlib.sha256(data).hexdigest() for data in SECRET_FILES.values()]

# (roles, name, bodies): readers who may not read the secret case's content
OUTSIDERS = [
    (("secretary",), "sara", ()),  # a secretary, not this body's
    (("chair", "adjuster"), "carl", ()),
    (("admin",), "adam", ()),
    (("service",), "integration", ()),
    (("officer",), "olle", ()),  # not the case officer
    (("registrar",), "hsn.registrator", ("HSN",)),
    (("auditor",), "hsn.revisor", ("HSN",)),
    (("secretary",), "hsn.sekreterare", ("HSN",)),
    (("officer",), "linda", ("HSN",)),  # the case officer, but out of scope
    ((None,), "", ()),  # the public
]
# the same guess, once matching the secret text and once not: the answers must be the same
ORACLE_PROBES = [
    ("/api/registers/diary", "q", "HEMLIGTITEL", "HEMLIGTITXL"),
    ("/api/registers/diary", "q", "HEMLIGINNEHÅLL", "HEMLIGINNEHXLL"),
    ("/api/registers/diary", "q", "HEMLIGDELEGERAT", "HEMLIGDELEGXRAT"),  # a decision's text
    ("/api/registers/diary", "q", "HEMLIGMOTPART", "HEMLIGMOTPXRT"),  # a document's counterpart
    ("/api/registers/diary", "q", "HEMLIGREMITTENT", "HEMLIGREMITTXNT"),  # a referral's sender
    ("/api/registers/documents", "counterpart", COUNTERPART, COUNTERPART + "x"),
    ("/api/registers/documents", "counterpart", DOC_COUNTERPART, DOC_COUNTERPART + "x"),
    ("/api/registers/referrals", "sender", SENDER, SENDER + "x"),
    ("/api/registers/diary", "q", "HEMLIGFILTEXT", "HEMLIGFILTXXT"),  # a secret case's file
    ("/api/registers/diary", "q", "HEMLIGBREVTEXT", "HEMLIGBREVTXXT"),  # a secret document's
]
# the desk's tables (web/desk/): searched, filtered and downloaded as the API's registers
DESK_TABLES = ("/app/cases.csv", "/app/deadlines", "/app/registers/")
DESK_SEARCH = "/app/cases"  # the desk's diary search (exactly this path)
# what a reader without access may read of the secret cases, and so find them by
PUBLIC_PROBES = [
    ("socialtjänstlagen", DNR),  # the secret case's public title
    ("skrivelse", OTHER),  # the title of the case whose document is secret
    ("påminnelsen", OTHER),  # its public document's description
    ("Bokföringsbyrån", OTHER),  # and that document's counterpart
    ("fakturanummer", OTHER),  # and the text of its file
]


@pytest.fixture
def world(client: Any, client_as: Any, diarium: Any) -> dict[str, Any]:
    """The store of the leak test (:func:`build_world`)."""
    return build_world(client, client_as, diarium)


def build_world(client: Any, client_as: Any, diarium: Any) -> dict[str, Any]:
    """RS and HSN; a secret RS case (all fields marked) with a secret document, a proposal,
    an incoming referral from a secret sender, on a meeting's agenda with a decided
    paragraph (motion, reservation, jäv, note, attachment) and a delegated decision; a second case
    with one document marked."""
    ms.setup_bodies(client)
    ms.ok(client.post("/api/bodies", json={
        "code": "HSN", "name": "Hälso- och sjukvårdsnämnden", "kind": "nämnd", "parent": "RF",
        "established_on": "2019-01-01",
    }), 201)
    ms.ok(client.post("/api/cases", json={
        "title": SECRET_TITLE, "public_title": "Utredning enligt socialtjänstlagen",
        "responsible_body": "RS", "dnr": DNR, "registered_on": "2020-09-01", "officer": "linda",
        "origin": "HEMLIGURSPRUNG",
    }), 201)
    ms.ok(client.post(f"/api/cases/{DNR}/documents", json={
        "direction": "incoming", "date": "2020-09-02", "counterpart": COUNTERPART,
        "description": "Anmälan HEMLIGBESKRIVNING",
    }), 201)
    ms.ok(attach(client, DNR, SECRET_FILES[DNR, "HEMLIGFILNAMN.txt"], "HEMLIGFILNAMN.txt",
                 "text/plain"), 201)  # its text read before the case is marked
    ms.ok(client.post(f"/api/cases/{DNR}/incoming-referrals", json={
        "sender": SENDER, "sender_reference": "HEMLIGREF-7", "answer_by": "2020-12-30",
        "document_number": 1, "received_on": "2020-09-02",
    }), 201)
    ms.ok(client_as("officer", name="linda").post(f"/api/cases/{DNR}/proposals", json={
        "points": ["Bevilja HEMLIGPUNKT"], "summary": "HEMLIGSAMMANFATTNING",
        "justification": "HEMLIGMOTIVERING",
    }), 201)
    ms.schedule(client)
    ms.attend(client)
    number = ms.paragraph(client, "Ärende HEMLIGTITEL", DNR)
    ms.ok(ms.motion(client, number, "Anders Öberg", "HEMLIGYRKANDE"), 201)
    ms.ok(ms.decide(client, number, "Regionstyrelsen beslutar HEMLIGBESLUT"), 201)
    at = f"/api/meetings/{ms.REF}/paragraphs/{number}"
    ms.ok(client.post(f"{at}/reservations", json={
        "member": "Anders Öberg", "reason": "HEMLIGRESERVATION"}), 201)
    ms.ok(client.post(f"{at}/conflicts-of-interest", json={
        "member": "Marianne Sandström", "note": "Släkt med HEMLIGPARTEN"}), 201)
    ms.ok(client.post(f"{at}/notes", json={
        "authors": "Anders Öberg (S)", "text": "HEMLIGANTECKNING"}), 201)
    ms.ok(client.post(f"{at}/attachments", json={
        "title": "Bilaga HEMLIGBILAGA", "dnr": DNR, "document_number": 1}), 201)
    ms.ok(client.post("/api/bodies/RS/delegation-points", json={
        "number": "2.3.8", "case_type": "Beslut i enskilda ärenden", "delegate": "linda",
        "decided_on": "2020-01-01"}), 201)
    ms.ok(client.post("/api/bodies/RS/delegated-decisions", json={
        "point": "2.3.8", "delegate": "linda", "decided_on": "2020-09-20", "dnr": DNR,
        "text": "Beslutar HEMLIGDELEGERAT"}), 201)
    ms.ok(client.post(f"/api/cases/{DNR}/secrecy", json={
        "statute": "OSL 26:1", "marking_body": "RS", "marked_on": "2020-09-02"}), 201)
    ms.close_and_adjust(client)
    ms.ok(client.post(f"/api/meetings/{ms.REF}/posting", json={"posted_on": "2020-10-20"}))
    ms.ok(client.post(f"/api/meetings/{ms.REF}/corrections", json={
        "paragraph": number, "corrects": "HEMLIGFEL", "text": "HEMLIGRÄTTELSE",
        "certified_by": [ms.CHAIR, "Glenn Berggård"], "certified_on": "2020-10-22"}), 201)
    assert record_legal_force(diarium) == {ms.REF: [number]}
    ms.ok(client.post("/api/cases", json={
        "title": "Allmän skrivelse", "responsible_body": "RS", "dnr": OTHER,
        "registered_on": "2020-09-01",
    }), 201)
    ms.ok(client.post(f"/api/cases/{OTHER}/documents", json={
        "direction": "incoming", "date": "2020-09-03", "counterpart": DOC_COUNTERPART,
        "description": "Brev HEMLIGINNEHÅLL"}), 201)
    ms.ok(client.post(f"/api/cases/{OTHER}/documents/1/secrecy", json={
        "statute": "OSL 31:16", "marking_body": "RS"}), 201)
    ms.ok(attach(client, OTHER, SECRET_FILES[OTHER, "brev-HEMLIGBREV.txt"],
                 "brev-HEMLIGBREV.txt", "text/plain"), 201)
    ms.ok(client.post(f"/api/cases/{OTHER}/documents", json={
        "direction": "incoming", "date": "2020-09-04", "counterpart": "Bokföringsbyrån AB",
        "description": "Påminnelse om svar"}), 201)
    ms.ok(attach(client, OTHER, b"Se fakturanummer 1207\n", "paminnelse.txt",
                 "text/plain", document=2), 201)
    return {"paragraph": number}


TODAY = date.today().isoformat()  # a day the world's cases are known by


def urls(app: Any, paragraph_number: int) -> list[str]:
    """Every GET route of the URL map with each value of its path variables, plus the search,
    filter and CSV variants of the registers and the feed (its stream for 0.3 s)."""
    values = {
        "dnr": [DNR, OTHER], "ref": [ms.REF], "number": [str(paragraph_number), "1"],
        "code": ["RS", "HSN"], "year": ["2020"], "name": ["cases", "documents", "decisions"],
        "subscription_id": ["none"], "slug": ["not-found"], "document_number": ["1", "2"],
        "referral_number": ["1"], "decision_number": ["1"],  # the desk's forms of a row
        "version": ["1"], "person": [person_key(ms.CHAIR)], "party": ["S"],
        "paragraph": [str(paragraph_number)], "member": ["Anders Öberg"],  # the desk's forms
    }
    found: set[str] = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        if rule.rule.endswith("/stream"):  # a stream ends after its timeout
            found.add(f"{rule.rule}?timeout=0.3")
            continue
        variants = [rule.rule]
        for variable in re.findall(r"<(?:[a-z]+:)?(\w+)>", rule.rule):
            assert variable in values, f"the leak test needs values for <{variable}>"
            pattern = re.compile(rf"<(?:[a-z]+:)?{variable}>")
            variants = [pattern.sub(v, u) for u in variants for v in values[variable]]
        for url in variants:
            found.add(url)
            if url.startswith(("/api/registers/", "/api/feed", "/api/audit/events")) or (
                url == "/diarium"  # the e-diary's search (web/site/diary.py)
            ) or url.startswith(DESK_TABLES) or url == DESK_SEARCH:
                for query in ("q=HEMLIG", "format=csv", "limit=1000", f"dnr={DNR}"):
                    found.add(f"{url}?{query}")
            if url.endswith("/as-of"):  # the desk's case as of a day: with its content
                found.add(f"{url}?date={TODAY}")
            if url.startswith("/api/audit/cases/") and url.count("/") == 4:
                found.add(f"{url}?as_of={TODAY}")
    return sorted(found)


def catch_up(app: Any) -> None:
    projector = app.extensions.get("diarium_projector")
    if projector is not None:
        projector.catch_up()


def answer_text(response: Any) -> str:
    """An answer's text; a PDF's (the protocol): the text of its pages, then its bytes."""
    if response.mimetype != "application/pdf":
        return response.get_data(as_text=True)
    pages = PdfReader(io.BytesIO(response.data)).pages
    return " ".join(page.extract_text() for page in pages) + response.data.decode("latin-1")


def leaks(client: Any, targets: list[str]) -> tuple[list[str], int]:
    found, answered = [], 0
    for url in targets:
        # the protocol is also answered as PDF/A (Accept: application/pdf)
        for accept in ("*/*", "application/pdf") if url.endswith("/protocol") else ("*/*",):
            response = client.get(url, headers={"Accept": accept})
            assert response.status_code < 500, (url, response.status_code)
            answered += response.status_code == 200
            text = answer_text(response)
            for asked in parse_qs(urlsplit(url).query).get("q", []):  # a search form's echo
                text = text.replace(f'value="{asked}"', "").replace(f"q={asked}", "")
                text = text.replace(f"q%3D{asked}", "")  # and in the sign-in redirect's next
            if MARK in text.lower() or any(h in text for h in SECRET_HASHES):
                found.append(f"{url} ({response.status_code}, {accept}): {text[:200]}")
    return found, answered


@pytest.mark.parametrize(("roles", "name", "bodies"), OUTSIDERS)
def test_no_secret_reaches_a_reader_without_access(
    app: Any, client_as: Any, world: dict[str, Any], roles: tuple, name: str, bodies: tuple
) -> None:
    catch_up(app)
    client = client_as(*roles, name=name or "x", bodies=bodies)
    targets = urls(app, world["paragraph"])
    found, answered = leaks(client, targets)
    assert not found, "\n".join(found)
    assert answered >= 2  # the public case view at least
    for path, key, hit, miss in ORACLE_PROBES:
        matching = client.get(path, query_string={key: hit})
        other = client.get(path, query_string={key: miss})
        assert matching.status_code == other.status_code, (path, key)
        if matching.status_code == 200:
            assert matching.get_json()["items"] == other.get_json()["items"], (path, key, hit)
    for word, dnr in PUBLIC_PROBES:  # while what it may read finds the secret cases
        response = client.get("/api/registers/diary", query_string={"q": word})
        if response.status_code == 200:
            assert [i["dnr"] for i in response.get_json()["items"]] == [dnr], word


def test_the_probes_find_what_a_reader_with_access_may_read(
    app: Any, client_as: Any, world: dict[str, Any]
) -> None:
    """The oracle probes are real: a registrar of the body matches the secret texts."""
    catch_up(app)
    registrar = client_as("registrar", name="rs.registrator", bodies=("RS",))
    for path, key, hit, miss in ORACLE_PROBES:
        hits = registrar.get(path, query_string={key: hit}).get_json()["items"]
        misses = registrar.get(path, query_string={key: miss}).get_json()["items"]
        assert hits and not misses, (path, key)
    for word, dnr in PUBLIC_PROBES:
        items = registrar.get("/api/registers/diary", query_string={"q": word}).get_json()
        assert dnr in [i["dnr"] for i in items["items"]], word


def test_the_bodys_secretary_and_signatories_read_the_meeting_and_are_logged(
    app: Any, client_as: Any, world: dict[str, Any]
) -> None:
    """The body's own secretary (and the chair and adjusters the meeting names) need the
    text to write and sign the protocol: they get it on the meeting's routes, logged; the
    case itself stays withheld from them."""
    catch_up(app)
    auditor = client_as("auditor", name="revisor")
    before = len(ms.ok(auditor.get(f"/api/cases/{DNR}/secret-reads")))
    keepers = [
        client_as("secretary", name="rs.sekreterare", bodies=("RS",)),
        client_as("chair", name="Kenneth Backgård"),
        client_as("adjuster", name="Glenn Berggård"),
    ]
    number = world["paragraph"]
    meeting_urls = [u for u in urls(app, number)  # the API's and the desk's meeting pages
                    if u.startswith(("/api/meetings/", "/app/meetings/"))]
    for keeper in keepers:
        meeting = ms.ok(keeper.get(f"/api/meetings/{ms.REF}"))
        (shown,) = [p for p in meeting["paragraphs"] if p["number"] == number]
        assert shown["decision"]["text"] == "Regionstyrelsen beslutar HEMLIGBESLUT"
        assert shown["title"] == "Ärende HEMLIGTITEL"
        protocol = keeper.get(f"/api/meetings/{ms.REF}/protocol").get_data(as_text=True)
        assert "HEMLIGBESLUT" in protocol
        elsewhere = [u for u in urls(app, number) if u not in meeting_urls]
        found, _ = leaks(keeper, elsewhere)
        assert not found, "\n".join(found)
    reads = ms.ok(auditor.get(f"/api/cases/{DNR}/secret-reads"))[before:]
    readers = {r["actor"] for r in reads}
    assert {"rs.sekreterare", "Kenneth Backgård", "Glenn Berggård"} <= readers
    assert any(f"paragraphs.{number}.decision.text" in r["fields"] for r in reads)
    assert all(MARK not in str(r).lower() for r in reads)  # the log names fields only


def test_the_public_protocol_masks_the_secret_paragraph(
    client_as: Any, world: dict[str, Any]
) -> None:
    html = client_as("secretary", name="sara").get(f"/api/meetings/{ms.REF}/protocol")
    text = html.get_data(as_text=True)
    assert html.status_code == 200 and MARK not in text.lower()
    assert "Utredning enligt socialtjänstlagen" in text  # the public title stands in
    assert "[sekretess]" in text
    # the fact of jäv is public: the generated sentence stands in for the withheld note
    assert ("Marianne Sandström (SD) anmäler jäv och deltar inte i behandlingen av ärendet. "
            "[sekretess]") in text


@pytest.mark.parametrize("path", [
    "/api/audit/registers/cases", "/api/audit/registers/documents",
    "/api/audit/registers/decisions", "/api/audit/events?limit=1000",
    f"/api/meetings/{ms.REF}", f"/api/registers/diary?dnr={DNR}",
    f"/api/registers/decisions?dnr={DNR}",
])
def test_reads_of_secret_content_outside_the_case_routes_are_logged(
    app: Any, client_as: Any, world: dict[str, Any], path: str
) -> None:
    catch_up(app)
    auditor = client_as("auditor", name="revisor")
    before = len(ms.ok(auditor.get(f"/api/cases/{DNR}/secret-reads")))
    reader = client_as("auditor", "registrar", name="rs.revisor", bodies=("RS",))
    response = reader.get(path)
    assert response.status_code == 200 and MARK in response.get_data(as_text=True).lower()
    reads = ms.ok(auditor.get(f"/api/cases/{DNR}/secret-reads"))[before:]
    route = path.partition("?")[0]
    assert [(r["actor"], r["what"]) for r in reads][:1] == [("rs.revisor", f"GET {route}")]
    assert reads[0]["fields"]


MEETING_TYPES = ("meeting.paragraph_decided", "meeting.protocol_adjusted",
                 "meeting.protocol_posted", "meeting.correction_certified",
                 "decision.legal_force_reached", "case.marked_secret")


def test_the_crawl_reads_the_meeting_items_of_the_secret_case(
    client_as: Any, world: dict[str, Any]
) -> None:
    """The feed the outsiders crawl holds the secret case's meeting items, withheld."""
    items = ms.ok(client_as("service", name="integration").get("/api/feed?limit=1000"))["items"]
    about = {i["type"]: i for i in items if i["case"] == DNR or i["type"].startswith("meeting.")}
    assert set(MEETING_TYPES) <= set(about)
    assert about["meeting.paragraph_decided"]["withheld"] == ["text"]
    assert about["meeting.correction_certified"]["withheld"] == ["corrects", "text"]
    titles = {i["case_title"] for i in items if i["case"] == DNR}
    assert titles == {"Utredning enligt socialtjänstlagen"}


@pytest.mark.parametrize(("roles", "name", "bodies"), [
    (("service",), "integration", ()),
    (("service",), "hsn.integration", ("HSN",)),
    (("service",), "rs.integration", ("RS",)),
    (("admin",), "adam", ()),
])
def test_no_secret_reaches_a_webhook(
    monkeypatch: pytest.MonkeyPatch, diarium: Any, client_as: Any, world: dict[str, Any],
    roles: tuple, name: str, bodies: tuple,
) -> None:
    """Every item of the log, delivered to a subscription of each kind of owner, without a
    secret text; the meeting items among them."""
    monkeypatch.setenv(ALLOW_NETWORKS_VARIABLE, "127.0.0.0/8")
    receiver = Receiver()
    worker = WebhookWorker(diarium, poll_interval=0.01)
    try:
        owner = client_as(*roles, name=name, bodies=bodies)
        ms.ok(owner.post("/api/webhooks", json={"url": receiver.url, "from_position": 0}), 201)
        while worker.run_once():
            pass
        types = set()
        for request in receiver.requests:
            assert MARK not in request["body"].decode().lower(), request["body"][:300]
            types.add(request["headers"]["Diarium-Event-Type"])
        assert set(MEETING_TYPES) <= types
    finally:
        worker.close()
        receiver.close()


def test_the_metrics_hold_no_secret_nor_dnr(app: Any, world: dict[str, Any]) -> None:
    """``/metrics`` (web/metrics.py, for its own token): after the world was built and
    crawled, its labels name URL rules, command names and rule codes, never a dnr or text."""
    catch_up(app)
    assert not leaks(app.test_client(), urls(app, world["paragraph"]))[0]
    app.config["DIARIUM_METRICS_TOKEN"] = "leak-test"
    scraped = app.test_client().get("/metrics", headers={"Authorization": "Bearer leak-test"})
    assert scraped.status_code == 200
    text = scraped.get_data(as_text=True)
    assert 'command="RegisterCase"' in text
    assert MARK not in text.lower() and DNR not in text and OTHER not in text
