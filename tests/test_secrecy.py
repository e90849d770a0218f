"""Secrecy (OSL 5:2, 5:5): markings are events; secret fields never reach those without
access, through any route; every read of secret content by those with access is logged."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from diarium.cases.secrecy import redact_case, withheld_paths
from diarium.domain.actor import Actor
from diarium.domain.case.aggregate import Case
from diarium.domain.case.documents import RegisterDocument
from diarium.domain.case.secrecy import (
    LiftDocumentSecrecy,
    LiftSecrecy,
    MarkDocumentSecret,
    MarkSecret,
)
from diarium.domain.case.terms import Direction
from diarium.domain.rules import RuleViolation
from diarium.web.schemas import cases as s
from tests.bodies_support import diarium_with_bodies  # noqa: F401 (the fixture)

TODAY = date(2026, 1, 15)
BY = Actor("registrator", "req", ("registrar",))
MARK = "HEMLIG"  # in every secret text below, and nowhere else
SECRET_CASE = {
    "title": "Utredning HEMLIGTITEL om Kalle Svensson",
    "public_title": "Utredning enligt socialtjänstlagen",
    "responsible_body": "SN",
    "registered_on": "2025-03-01",
    "origin": "HEMLIGAVSÄNDARE Svensson",
    "officer": "linda",
}
SECRET_DOC = {
    "direction": "incoming", "date": "2025-03-02",
    "counterpart": "Anna HEMLIGPERSON", "description": "Anmälan HEMLIGBESKRIVNING om oro",
}
SECRET_REFERRAL = {  # sent to us by the sender of a secret letter
    "sender": "Kommunen HEMLIGREMITTENT", "sender_reference": "HEMLIGREF-2025/7",
    "answer_by": "2025-04-30",
}
PUBLIC_DOC = {
    "direction": "drawn_up", "date": "2025-03-03", "description": "Tjänsteskrivelse HEMLIGPM",
}


def new_case() -> Case:
    return Case.register(
        dnr="1-2025", series="default", year=2025, sequence=1, title="Titel",
        responsible_body="SN", registered_on=date(2025, 3, 1), by=BY, today=TODAY,
    )


# -- the aggregate -------------------------------------------------------------------------


def test_markings_are_events_with_statute_date_and_body() -> None:
    case = new_case()
    case.register_document(
        RegisterDocument(case.dnr, Direction.INCOMING, date(2025, 3, 2), "d", "c"), BY, TODAY
    )
    case.mark_secret(
        MarkSecret(
            case.dnr,
            statute="OSL 26:1",
            marking_body="SN",
            marked_on=date(2025, 3, 3),
            fields=["title", "documents"],
        ),
        BY,
        TODAY,
    )
    assert case.secrecy is not None
    assert (case.secrecy.statute, case.secrecy.marking_body, case.secrecy.marked_on) == (
        "OSL 26:1", "SN", date(2025, 3, 3)
    )
    assert case.secrecy.fields == ["title", "documents"]
    with pytest.raises(RuleViolation) as refused:
        case.mark_secret(
            MarkSecret(case.dnr, statute="OSL 26:1", marking_body="SN", marked_on=TODAY), BY, TODAY
        )
    assert refused.value.rule.code == "secrecy-marked"
    case.lift_secrecy(LiftSecrecy(case.dnr, lifted_on=TODAY), BY, TODAY)
    assert case.secrecy is None
    with pytest.raises(RuleViolation, match="marking that is in force"):
        case.lift_secrecy(LiftSecrecy(case.dnr, lifted_on=TODAY), BY, TODAY)

    case.mark_document_secret(
        MarkDocumentSecret(
            case.dnr, document_number=1, statute="OSL 26:1", marking_body="SN", marked_on=TODAY
        ),
        BY,
        TODAY,
    )
    assert case.documents[0].secrecy.fields == ["counterpart", "description"]  # type: ignore[union-attr]
    for bad in (
        {"document_number": 2},
        {"document_number": 1},  # already marked
        {"document_number": 1, "fields": ["title"]},
    ):
        before = vars(case).copy()
        with pytest.raises(RuleViolation):
            case.mark_document_secret(MarkDocumentSecret(**{
                "dnr": case.dnr, "statute": "OSL 26:1", "marking_body": "SN", "marked_on": TODAY,
                **bad,
            }), BY, TODAY)
        assert vars(case) == before
    with pytest.raises(RuleViolation, match="Choose among title"):
        case.mark_secret(
            MarkSecret(case.dnr, statute="x", marking_body="SN", marked_on=TODAY, fields=[]),
            BY,
            TODAY,
        )
    case.lift_document_secrecy(
        LiftDocumentSecrecy(case.dnr, document_number=1, lifted_on=TODAY), BY, TODAY
    )
    assert case.documents[0].secrecy is None
    types = [type(e).__name__ for e in case.collect_events()]
    assert types[-5:] == [
        "DocumentRegistered", "CaseMarkedSecret", "CaseSecrecyLifted", "DocumentMarkedSecret",
        "DocumentSecrecyLifted",
    ]


def test_the_filter_on_plain_views() -> None:
    case = new_case()
    case.register_document(RegisterDocument(
        case.dnr, Direction.INCOMING, date(2025, 3, 2), "Hemligt", "Person"), BY, TODAY)
    case.mark_document_secret(
        MarkDocumentSecret(
            case.dnr,
            document_number=1,
            statute="OSL 26:1",
            marking_body="SN",
            marked_on=TODAY,
            fields=["counterpart"],
        ),
        BY,
        TODAY,
    )
    view = s.CaseSchema().dump(case)
    assert withheld_paths(view) == ["documents.1.counterpart"]
    public = redact_case(view, None)
    assert public["documents"][0]["counterpart"] is None
    assert public["documents"][0]["description"] == "Hemligt"  # only the marked field
    assert public["withheld"] == ["documents.1.counterpart"]
    assert redact_case(view, BY)["documents"][0]["counterpart"] == "Person"
    other_body = Actor("r", None, ("registrar",), ("RS",))
    assert redact_case(view, other_body)["documents"][0]["counterpart"] is None
    officer = Actor("linda", None, ("officer",))
    assert redact_case(view, officer)["documents"][0]["counterpart"] is None
    assert redact_case({**view, "officer": "linda"}, officer)["documents"][0]["counterpart"]


# -- over HTTP: leaks, logged reads ----------------------------------------------------------


@pytest.fixture
def secret_case(client_as: Any) -> dict[str, Any]:
    """A case marked secret (all fields), with a secret document, a proposal and a decision;
    and a second case where only one document is marked."""
    registrar = client_as("registrar", name="anna.registrator")
    linda = client_as("officer", name="linda")
    secretary = client_as("secretary", name="sara")
    dnr = registrar.post("/api/cases", json=SECRET_CASE).get_json()["dnr"]
    assert registrar.post(f"/api/cases/{dnr}/documents", json=SECRET_DOC).status_code == 201
    assert linda.post(f"/api/cases/{dnr}/proposals", json={
        "points": ["Bevilja HEMLIGPUNKT"], "summary": "HEMLIGSAMMANFATTNING",
        "justification": "HEMLIGMOTIVERING",
    }).status_code == 201
    assert secretary.post(f"/api/cases/{dnr}/decisions", json={
        "kind": "decided", "text": "Nämnden beslutar HEMLIGBESLUT", "decided_on": "2025-03-10",
        "body": "SN", "paragraph": 12, "historical": {"source": "W3D3"},
    }).status_code == 201
    # an incoming referral whose letter (document 1) the case's marking covers: its sender
    # is the letter's sender (referrals and deadlines registers, feed, history)
    assert registrar.post(f"/api/cases/{dnr}/incoming-referrals", json={
        **SECRET_REFERRAL, "document_number": 1,
    }).status_code == 201
    marked = linda.post(f"/api/cases/{dnr}/secrecy", json={
        "statute": "OSL 26:1", "marking_body": "SN", "marked_on": "2025-03-02",
    })
    assert marked.status_code == 201, marked.get_json()
    assert marked.get_json()["case"]["secrecy"]["fields"] == [
        "title", "origin", "documents", "proposals", "decisions"
    ]
    other = registrar.post("/api/cases", json={
        "title": "Allmän skrivelse", "responsible_body": "SN", "registered_on": "2025-03-01",
    }).get_json()["dnr"]
    registrar.post(f"/api/cases/{other}/documents", json=SECRET_DOC)
    registrar.post(f"/api/cases/{other}/documents", json={**PUBLIC_DOC, "description": "Öppen"})
    assert registrar.post(f"/api/cases/{other}/documents/1/secrecy", json={
        "statute": "OSL 21:1", "marking_body": "SN",
    }).status_code == 201
    assert registrar.post(f"/api/cases/{other}/incoming-referrals", json={  # after the marking
        **SECRET_REFERRAL, "document_number": 1,
    }).status_code == 201
    return {"dnr": dnr, "other": other}


def _urls(app: Any, dnrs: list[str]) -> list[tuple[str, str]]:
    """Every GET route, once per case; the search and CSV variants of the registers."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.endswith("/stream"):
            continue
        for dnr in dnrs:
            values = {"dnr": dnr, "number": "1", "year": "2025", "slug": "not-found"}
            url = re.sub(
                r"<(?:[a-z]+:)?(\w+)>", lambda m, v=values: v.get(m.group(1), "SN"), rule.rule
            )
            urls.append((rule.rule, url))
            if rule.rule.startswith("/api/registers/") or rule.rule.startswith("/api/feed"):
                for query in ("q=HEMLIGTITEL", "q=Svensson", "format=csv", "limit=100"):
                    urls.append((rule.rule, f"{url}?{query}"))
    return sorted(set(urls))


def _catch_up(app: Any) -> None:
    projector = app.extensions.get("diarium_projector")
    if projector is not None:
        projector.catch_up()


@pytest.mark.parametrize(
    ("roles", "name"),
    [
        (("secretary",), "sara"),
        (("chair", "adjuster"), "carl"),
        (("admin",), "adam"),
        (("service",), "integration"),
        (("officer",), "olle"),  # not the case officer
        ((None,), ""),  # the public
    ],
)
def test_no_secret_reaches_those_without_access(
    app: Any, client_as: Any, secret_case: dict[str, Any], roles: tuple, name: str
) -> None:
    _catch_up(app)
    client = client_as(*roles, name=name or "x")
    dnrs = [secret_case["dnr"], secret_case["other"]]
    seen = 0
    leaks = []
    for _rule, url in _urls(app, dnrs):
        response = client.get(url)
        text = response.get_data(as_text=True)
        if response.status_code == 200:
            seen += 1
        if MARK.lower() in text.lower():
            leaks.append(f"{url} ({response.status_code}): {text[:300]}")
    # refused commands and error messages too
    for path, body in (
        (f"/api/cases/{dnrs[0]}/decisions/7/extracts", {"recipient": "X"}),
        (f"/api/cases/{dnrs[0]}/close", {}),
        (f"/api/cases/{dnrs[0]}/documents", {"direction": "nope"}),
    ):
        response = client.post(path, json=body)
        if MARK.lower() in response.get_data(as_text=True).lower():
            leaks.append(f"POST {path}: {response.get_data(as_text=True)[:300]}")
    assert not leaks, "\n".join(leaks)
    assert seen >= 2  # the public e-diary at least

    public = client.get(f"/public/cases/{dnrs[0]}").get_json()
    assert public["title"] == SECRET_CASE["public_title"]
    assert public["secrecy"]["statute"] == "OSL 26:1"
    assert public["documents"][0]["counterpart"] is None
    assert public["documents"][0]["date"] == "2025-03-02"  # the register entry stays
    assert "documents.1.description" in public["withheld"]
    other = client.get(f"/public/cases/{dnrs[1]}").get_json()
    assert other["title"] == "Allmän skrivelse"
    assert other["documents"][1]["description"] == "Öppen"


def test_a_secretary_writing_gets_the_answer_filtered(client_as: Any, secret_case: Any) -> None:
    secretary = client_as("secretary", name="sara")
    response = secretary.post(
        f"/api/cases/{secret_case['dnr']}/decisions/1/extracts", json={"recipient": "IVO"}
    )
    assert response.status_code == 201
    case = response.get_json()["case"]
    assert MARK not in response.get_data(as_text=True)
    assert case["title"] == SECRET_CASE["public_title"]
    assert case["decisions"][0]["text"] == "[sekretess]"
    assert "decisions.1.text" in case["withheld"]


@pytest.mark.parametrize(("roles", "name"), [(("registrar",), "rut"), (("auditor",), "eva"),
                                               (("officer",), "linda")])
def test_privileged_reads_show_everything_and_are_logged(
    client_as: Any, secret_case: dict[str, Any], roles: tuple, name: str
) -> None:
    dnr = secret_case["dnr"]
    reader = client_as(*roles, name=name)
    auditor = client_as("auditor", name="revisor")
    before = len(auditor.get(f"/api/cases/{dnr}/secret-reads").get_json())
    version = reader.get(f"/api/cases/{dnr}").get_json()["version"]

    case = reader.get(f"/api/cases/{dnr}").get_json()
    assert case["title"] == SECRET_CASE["title"]
    assert case["documents"][0]["counterpart"] == SECRET_DOC["counterpart"]
    assert case["withheld"] == []
    history = reader.get(f"/api/cases/{dnr}/events").get_json()
    assert history[0]["data"]["title"] == SECRET_CASE["title"]
    assert case["version"] == version  # reading changes nothing on the case

    reads = auditor.get(f"/api/cases/{dnr}/secret-reads").get_json()
    mine = [r for r in reads[before:] if r["actor"] == name]
    assert [r["what"] for r in mine] == [
        f"GET /api/cases/{dnr}", f"GET /api/cases/{dnr}", f"GET /api/cases/{dnr}/events"
    ]
    assert "title" in mine[0]["fields"] and "documents.1.counterpart" in mine[0]["fields"]
    assert mine[0]["roles"] == list(roles)
    assert MARK not in str(reads)  # the log names fields, never their content


def test_reads_without_access_are_not_logged(client_as: Any, secret_case: Any) -> None:
    dnr = secret_case["dnr"]
    auditor = client_as("auditor", name="revisor")
    before = auditor.get(f"/api/cases/{dnr}/secret-reads").get_json()
    client_as("secretary").get(f"/api/cases/{dnr}")
    client_as(None).get(f"/public/cases/{dnr}")
    after = auditor.get(f"/api/cases/{dnr}/secret-reads").get_json()
    assert after == before  # nor is reading the log itself: it holds no secret content
    auditor.get(f"/api/cases/{dnr}/documents")
    after = auditor.get(f"/api/cases/{dnr}/secret-reads").get_json()
    assert [(r["actor"], r["what"]) for r in after[len(before):]] == [
        ("revisor", f"GET /api/cases/{dnr}/documents")
    ]


def test_lifting_the_marking_makes_it_public_again(client_as: Any, secret_case: Any) -> None:
    dnr = secret_case["dnr"]
    registrar = client_as("registrar")
    problem = registrar.post(f"/api/cases/{dnr}/secrecy", json={
        "statute": "OSL 26:1", "marking_body": "SN"})
    assert problem.status_code == 409 and problem.get_json()["rule"] == "secrecy-marked"
    assert registrar.post(f"/api/cases/{dnr}/secrecy/lift", json={}).status_code == 200
    public = client_as(None).get(f"/public/cases/{dnr}").get_json()
    # the public title given at registration still replaces the title (domain/secrecy.py);
    # everything the marking covered is public again
    assert public["title"] == SECRET_CASE["public_title"]
    assert public["withheld"] == ["title"]
    assert public["documents"][0]["counterpart"] == SECRET_DOC["counterpart"]
    history = registrar.get(f"/api/cases/{dnr}/events").get_json()
    assert [e["type"] for e in history][-2:] == ["CaseMarkedSecret", "CaseSecrecyLifted"]
    marked = history[-2]
    assert marked["occurred_on"] == "2025-03-02" and marked["actor"] == "linda"
    assert marked["data"]["statute"] == "OSL 26:1" and marked["data"]["marking_body"] == "SN"


def test_marking_is_for_registrars_and_the_own_officer(client_as: Any, secret_case: Any) -> None:
    other = secret_case["other"]
    body = {"statute": "OSL 26:1", "marking_body": "SN"}
    for roles in (("secretary",), ("auditor",), ("admin",), ("service",), ("officer",)):
        assert client_as(*roles).post(f"/api/cases/{other}/secrecy", json=body).status_code == 403
    bad = client_as("registrar").post(f"/api/cases/{other}/secrecy", json={**body,
                                                                         "fields": ["salary"]})
    assert bad.status_code == 422


def test_decision_register_withholds_secret_texts_from_all_but_the_privileged(
    app: Any, client_as: Any, secret_case: Any
) -> None:
    """The decisions register withholds the text where the case's marking covers decisions,
    and shows it to the registrar, the auditor and the case's own officer."""

    def decision_text(client: Any) -> tuple[str, list[str]]:
        _catch_up(app)
        page = client.get(f"/api/registers/decisions?dnr={secret_case['dnr']}").get_json()
        (item,) = page["items"]
        return item["text"], item["withheld"]

    privileged = (client_as("registrar"), client_as("auditor"), client_as("officer", name="linda"))
    for reader in privileged:
        assert decision_text(reader) == ("Nämnden beslutar HEMLIGBESLUT", [])
    for reader in (client_as("secretary"), client_as("officer", name="bo"), client_as("admin")):
        assert decision_text(reader) == ("[sekretess]", ["text"])
    registrar = client_as("registrar")
    lifted = registrar.post(f"/api/cases/{secret_case['dnr']}/secrecy/lift", json={})
    assert lifted.status_code == 200
    assert decision_text(client_as("secretary")) == ("Nämnden beslutar HEMLIGBESLUT", [])


def test_registers_stop_showing_a_title_once_a_marking_covers_it(
    app: Any, client_as: Any
) -> None:
    """The decisions, referrals and deadlines registers copy a case's title; once a marking
    covers the title (a case registered without a public title) they show it as withheld,
    for all (the diary shows it to those who may read it), and again once it is lifted."""
    registrar = client_as("registrar", name="anna.registrator")
    dnr = registrar.post("/api/cases", json={
        "title": "Utredning HEMLIGTITEL", "responsible_body": "SN",
        "registered_on": "2025-03-01", "officer": "linda",
    }).get_json()["dnr"]
    assert client_as("secretary", name="sara").post(f"/api/cases/{dnr}/decisions", json={
        "kind": "decided", "text": "Beslutar enligt förslaget.", "decided_on": "2025-03-10",
        "body": "SN", "paragraph": 14, "historical": {"source": "W3D3"},
    }).status_code == 201
    assert client_as("officer", name="linda").post(f"/api/cases/{dnr}/referrals", json={
        "recipients": ["HSN"], "answer_by": "2025-04-30", "sent_on": "2025-03-11",
    }).status_code == 201

    def shown(client: Any) -> list[str]:
        _catch_up(app)
        titles = []
        for register in ("decisions", "referrals"):
            (item,) = client.get(f"/api/registers/{register}?dnr={dnr}").get_json()["items"]
            titles.append(item["title"])
        (deadline,) = client.get(
            f"/api/registers/deadlines?dnr={dnr}&kind=referral-answer"
        ).get_json()["items"]
        titles.append(deadline["subject"])
        return titles

    secretary = client_as("secretary", name="sara")
    before = shown(secretary)
    assert before == ["Utredning HEMLIGTITEL", "Utredning HEMLIGTITEL",
                      "Remissvar från HSN: Utredning HEMLIGTITEL"]
    assert registrar.post(f"/api/cases/{dnr}/secrecy", json={
        "statute": "OSL 26:1", "marking_body": "SN", "marked_on": "2025-03-12",
    }).status_code == 201
    for reader in (secretary, client_as("officer", name="bo"), registrar):
        assert shown(reader) == ["(sekretess)", "(sekretess)", "Remissvar från HSN: (sekretess)"]
    assert registrar.post(f"/api/cases/{dnr}/secrecy/lift", json={}).status_code == 200
    assert shown(secretary) == before


def test_the_access_log_keeps_every_read_past_its_snapshots(
    diarium: Any, database_url: str, client_as: Any, secret_case: dict[str, Any]
) -> None:
    """The log's state is a count and its snapshot every 100 reads; every read stays listed,
    in order, also for a process that starts from the snapshot."""
    from diarium.cases.application import Diarium
    from diarium.domain.secret_reads import secret_reads_id

    dnr = secret_case["dnr"]
    before = len(diarium.secret_reads.of(dnr))
    auditor = Actor("revisor", roles=("auditor",))
    for number in range(205):
        diarium.secret_reads.record(dnr, f"read {number}", ["title"], auditor)
    later = Diarium(database_url)  # no cache: from the latest snapshot on
    later.secret_reads.record(dnr, "read 205", ["title"], auditor)
    reads = later.secret_reads.of(dnr)
    assert [r.what for r in reads[before:]] == [f"read {n}" for n in range(206)]
    log_id = secret_reads_id(dnr)
    assert later.repository.get(log_id).count == len(reads)
    assert later.snapshots is not None and list(later.snapshots.get(log_id))
    later.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
