"""Search in Swedish (projections/search.py), on SQLite and PostgreSQL: a word finds its
inflections (Snowball stems) and the compounds ending in it (substrings of at least four
letters), shorter stems only at a word's start; decision texts, documents' counterparts and
incoming referrals' senders are searched, but never where they are secret for the reader: a
reader without access finds a secret-marked case by its public text only (its public title, the
descriptions, counterparts and decision texts no marking covers)."""

from __future__ import annotations

from typing import Any

import pytest

from diarium.projections import search
from tests.meetings_support import ok, setup_bodies

(AMBULANCE, REFERRAL, LAW, PROPOSAL, DECIDED, SECRET_DECISION, SECRET_SENDER, INCOMING,
 STOCK, PLACEMENT) = (f"{n}-2020" for n in range(101, 111))
OUTSIDER = ("secretary", "sara", ())  # may not read the secrets of RS's cases
REGISTRAR = ("registrar", "rs.registrator", ("RS",))
OTHER_REGISTRAR = ("registrar", "hsn.registrator", ("HSN",))  # reads the secrets of HSN's only


def _case(client: Any, dnr: str, title: str, public_title: str | None = None) -> None:
    ok(client.post("/api/cases", json={
        "title": title, "responsible_body": "RS", "dnr": dnr, "registered_on": "2020-09-01",
        "public_title": public_title,
    }), 201)


def _document(client: Any, dnr: str, description: str, counterpart: str | None) -> None:
    ok(client.post(f"/api/cases/{dnr}/documents", json={
        "direction": "incoming", "date": "2020-09-02", "counterpart": counterpart,
        "description": description,
    }), 201)


def _decision(client: Any, dnr: str, text: str) -> None:
    ok(client.post(f"/api/cases/{dnr}/decisions", json={
        "kind": "decided", "text": text, "decided_on": "2020-09-20",
        "delegate": "Regiondirektören", "delegation_point": "2.3.8",
    }), 201)


@pytest.fixture
def world(app: Any, client: Any) -> Any:
    setup_bodies(client)
    ok(client.post("/api/bodies/RS/delegation-points", json={
        "number": "2.3.8", "case_type": "Yttranden över remisser", "delegate": "Regiondirektören",
        "decided_on": "2020-01-01",
    }), 201)
    _case(client, AMBULANCE, "Avtal om ambulanssjukvård i Kiruna")
    _case(client, REFERRAL, "Remiss om tandvårdstaxa")
    _document(client, REFERRAL, "Remissen med bilagor", "Socialdepartementet")
    _case(client, LAW, "Översyn av lagstiftningen om kollektivtrafik")
    _case(client, PROPOSAL, "Förslag om ny busslinje")
    _case(client, STOCK, "Beredskapslager av skyddsutrustning")
    _case(client, DECIDED, "Hjälpmedel för förskrivning")
    _decision(client, DECIDED, "Regionstyrelsen godkänner upphandlingen av rullstolar.")
    _case(client, SECRET_DECISION, "Riktlinje för stöd till ideella föreningar")
    _decision(client, SECRET_DECISION, "Beviljar bidrag till Kvinnojouren Mälarsol.")
    ok(client.post(f"/api/cases/{SECRET_DECISION}/secrecy", json={
        "statute": "OSL 26:1", "marking_body": "RS", "fields": ["decisions"]}), 201)
    _case(client, SECRET_SENDER, "Ansökan om färdtjänst")
    _document(client, SECRET_SENDER, "Ansökan om färdtjänst", "Familjen Korpelainen")
    ok(client.post(f"/api/cases/{SECRET_SENDER}/documents/1/secrecy", json={
        "statute": "OSL 26:1", "marking_body": "RS", "fields": ["counterpart"]}), 201)
    _case(client, INCOMING, "Yttrande över nationell plan")
    _document(client, INCOMING, "Remissbrev", None)
    ok(client.post(f"/api/cases/{INCOMING}/incoming-referrals", json={
        "sender": "Trafikverket", "answer_by": "2020-12-30", "document_number": 1,
        "received_on": "2020-09-02",
    }), 201)
    _placement(client)
    projector = app.extensions.get("diarium_projector")
    if projector is not None:
        projector.catch_up()


def _placement(client: Any) -> None:
    """A case with a secret title (a public one given), its decisions marked, one public
    document and one whose counterpart and description are marked."""
    _case(client, PLACEMENT, "Placering av Tove Lindqvist", "Placering enligt LVU")
    _document(client, PLACEMENT, "Yttrande från skolkuratorn", "Malmskolan")
    _document(client, PLACEMENT, "Journal från barnpsykiatrin", "Familjen Vesterholm")
    ok(client.post(f"/api/cases/{PLACEMENT}/documents/2/secrecy", json={
        "statute": "OSL 26:1", "marking_body": "RS",
        "fields": ["counterpart", "description"]}), 201)
    _decision(client, PLACEMENT, "Beviljar placering i jourhemmet Granbacken.")
    ok(client.post(f"/api/cases/{PLACEMENT}/secrecy", json={
        "statute": "OSL 26:1", "marking_body": "RS", "fields": ["decisions"]}), 201)


def only_with_access(
    client_as: Any, outsiders: tuple[tuple[str, str, tuple[str, ...]], ...], hit: str,
    miss: str, dnr: str,
) -> None:
    """``hit`` finds ``dnr`` for RS's registrar (``miss`` nothing); for ``outsiders`` both
    find nothing, so a right guess tells them no more than a wrong one."""
    for roles, name, bodies in outsiders:
        reader = client_as(roles, name=name, bodies=bodies)
        assert found(reader, hit) == found(reader, miss) == set()  # no oracle
    roles, name, bodies = REGISTRAR
    registrar = client_as(roles, name=name, bodies=bodies)
    assert found(registrar, hit) == {dnr}
    assert found(registrar, miss) == set()


def found(client: Any, query: str) -> set[str]:
    response = client.get("/api/registers/diary", query_string={"q": query, "limit": 500})
    assert response.status_code == 200, response.get_json()
    return {item["dnr"] for item in response.get_json()["items"]}


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize(("query", "expected"), [
    ("sjukvård", {AMBULANCE}),  # the end of a compound
    ("sjukvården", {AMBULANCE}),  # its definite form, stemmed
    ("ambulanssjukvården", {AMBULANCE}),
    ("remissen", {REFERRAL, INCOMING}),  # "Remiss", "Remissen", "Remissbrev"
    ("remisser", {REFERRAL, INCOMING}),
    ("tandvård", {REFERRAL}),
    ("taxor", set()),  # "taxa" and "taxor" share no stem
    ("lag", {LAW}),  # a short stem: at a word's start only, not in "Förslag"
    ("lager", {LAW, STOCK}),  # a short stem at a start, or the word in a compound
    ("förslag", {PROPOSAL}),
    ("forslag", {PROPOSAL}),  # diacritics folded
    ("Kiruna ambulans", {AMBULANCE}),  # every word must match
    ("Kiruna tandvård", set()),
])
def test_words_find_inflections_and_compounds(client: Any, query: str,
                                              expected: set[str]) -> None:
    assert found(client, query) == expected


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize(("query", "expected"), [
    ("upphandling", {DECIDED}),  # a decision's text
    ("rullstol", {DECIDED}),
    ("socialdepartementet", {REFERRAL}),  # a document's counterpart
    ("trafikverket", {INCOMING}),  # an incoming referral's sender
])
def test_decision_texts_and_counterparts_are_searched(client: Any, query: str,
                                                      expected: set[str]) -> None:
    assert found(client, query) == expected


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize(("hit", "miss", "dnr"), [
    ("Mälarsol", "Mälarsul", SECRET_DECISION),  # a decision text the marking covers
    ("kvinnojour", "kvinnojux", SECRET_DECISION),  # even a part of a compound
    ("Korpelainen", "Korpelaxnen", SECRET_SENDER),  # a secret counterpart
])
def test_secret_decision_texts_and_counterparts_match_only_for_readers_with_access(
    client_as: Any, hit: str, miss: str, dnr: str
) -> None:
    only_with_access(client_as, (OUTSIDER,), hit, miss, dnr)


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize("query", [
    "LVU",  # its public title
    "skolkurator",  # a public document's description
    "Malmskolan",  # a public document's counterpart
    "placering",  # in the secret title too, but also in the public one
])
def test_a_reader_without_access_finds_a_secret_case_by_its_public_text(
    client_as: Any, query: str
) -> None:
    for roles, name, bodies in (OUTSIDER, OTHER_REGISTRAR, REGISTRAR):
        assert found(client_as(roles, name=name, bodies=bodies), query) == {PLACEMENT}


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize(("hit", "miss"), [
    ("Lindqvist", "Lindqvxst"),  # the secret title
    ("barnpsykiatri", "barnpsykxatri"),  # a secret description
    ("Vesterholm", "Vesterhxlm"),  # a secret counterpart
    ("Granbacken", "Granbxcken"),  # a decision text the marking covers
    ("LVU Lindqvist", "LVU Lindqvxst"),  # a public word does not open the secret ones
    ("skolkuratorn Vesterholm", "skolkuratorn Vesterhxlm"),
])
def test_a_reader_without_access_never_finds_it_by_its_secret_text(
    client_as: Any, hit: str, miss: str
) -> None:
    only_with_access(client_as, (OUTSIDER, OTHER_REGISTRAR), hit, miss, PLACEMENT)


def test_query_terms() -> None:
    assert search.terms("Remissen om sjukvården i Luleå") == [
        ("remiss",), (" om",), ("sjukvard",), ("lulea",)]
    assert search.terms("lag av") == [(" lag",), (" av",)]  # short: at a word's start
    assert search.terms("lager") == [(" lag", "lager")]  # or the long word anywhere
    assert search.fts_query("lager remiss") == '(" lag" OR "lager") AND "remiss"'
    assert search.terms("a _ ! x") == []  # one letter, no letters
    assert search.terms("remiss remissen") == [("remiss",)]
    assert search.indexed({c: None for c in search.SEARCHED} | {"title": "Förstudie, Å"}) == (
        " forstudie a ")
