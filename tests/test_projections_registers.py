"""Every register's filters, sorts, keyset pages, CSV and OpenAPI, over HTTP, on SQLite and
PostgreSQL. The store holds three cases and two meetings whose every date is known."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from diarium.cases.application import Diarium
from diarium.domain.case.decisions import RecordExtractSent
from diarium.domain.case.documents import RegisterDocument
from diarium.domain.case.lifecycle import CancelCase, CloseCase, RegisterCase
from diarium.domain.case.referrals import RegisterReferralAnswer, SendReferral
from diarium.domain.case.terms import Direction
from diarium.domain.events import case as ev
from diarium.domain.events import meeting as mev
from diarium.projections.runner import Projector
from diarium.web import create_app
from tests.bodies_support import establish_bodies
from tests.projections_support import ACTOR, MeetingFixture, authorized, decide

TODAY = date(2021, 3, 1)
REGISTERED = date(2020, 9, 23)  # the day A's letter was registered in the diary
A, B, C = "1-2020", "1-2021", "2-2021"


@pytest.fixture(scope="module")
def diarium(module_database_url: str) -> Iterator[Diarium]:
    """One store per backend for the whole module: the queries only read it."""
    store = establish_bodies(Diarium(module_database_url, create_tables=True))
    yield store
    store.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def client(diarium: Diarium):  # type: ignore[no-untyped-def]
    diarium.today = lambda: TODAY
    a = diarium.register_case(RegisterCase(
        title="Förstudie av fysisk samlokalisering av verksamheter i Luleåområdet",
        responsible_body="RS", registered_on=date(2020, 9, 22), unit="Stab", officer="Linda",
    ), ACTOR).dnr
    diarium.today = lambda: REGISTERED  # registered in the diary the day after its date
    diarium.handle(
        RegisterDocument(
            a, Direction.INCOMING, date(2020, 9, 22), "Skrivelse om lokaler", "Luleå kommun"
        ),
        ACTOR,
    )
    diarium.today = lambda: TODAY
    diarium.handle(
        SendReferral(a, ["HSN", "RUN"], answer_by=date(2020, 10, 9), sent_on=date(2020, 9, 25)),
        ACTOR,
    )
    diarium.handle(RegisterReferralAnswer(a, 1, "HSN", answered_on=date(2020, 10, 5)), ACTOR)
    decide(diarium, a, "Regionstyrelsen beslutar godkänna förstudien.", date(2020, 10, 14),
           body="RS", paragraph=170)
    diarium.handle(RecordExtractSent(a, 1, "Regiondirektör", date(2020, 10, 20)), ACTOR)
    diarium.handle(CloseCase(a, date(2020, 11, 2)), ACTOR)

    b = diarium.register_case(RegisterCase(
        title="Vårdval för en namngiven patient", public_title="Vårdval (sekretess)",
        responsible_body="HSN", registered_on=date(2021, 1, 10), officer="Per",
    ), ACTOR).dnr
    diarium.handle(
        RegisterDocument(
            b,
            Direction.OUTGOING,
            date(2021, 1, 12),
            "Yttrande över kartläggning",
            "Socialstyrelsen",
        ),
        ACTOR,
    )
    diarium.handle(
        SendReferral(b, ["RS"], answer_by=date(2021, 4, 1), sent_on=date(2021, 1, 15)), ACTOR
    )
    decide(diarium, b, "Beviljas.", date(2021, 2, 1),
           delegate="Regiondirektören", delegation_point="2.3.8")
    case_b = diarium.get_case(b)  # mark the case and its document secret (OSL 25:1)
    case_b.trigger_event(ev.CaseMarkedSecret, statute="OSL 25:1", marking_body="HSN",
                         fields=["title", "documents"], occurred_on=date(2021, 1, 12), by=ACTOR)
    diarium.save(case_b)

    c = diarium.register_case(RegisterCase(
        title="Felregistrerad handling", responsible_body="RS", registered_on=date(2021, 2, 1),
    ), ACTOR).dnr
    diarium.handle(CancelCase(c, "Dubblett", date(2021, 2, 2)), ACTOR)
    assert (a, b, c) == (A, B, C)

    rs = MeetingFixture.schedule("RS-2020-10-14", "RS", date(2020, 10, 14))
    day = date(2020, 10, 14)
    rs.record(mev.AttendanceRecorded, day, chair="Anna Andersson", secretary=None, attendees=[
        {"name": "Anna Andersson", "party": "S"}, {"name": "Bo Berg", "party": "M"}])
    rs.record(mev.ParagraphRecorded, day, number=170, title="Förstudie", dnr=A,
              agenda_item=None, sections=[])
    rs.record(mev.ParagraphDecided, day, paragraph=170, kind="decided",
              text="Regionstyrelsen beslutar godkänna förstudien.", higher_body=None,
              case_decision_number=1)
    rs.record(mev.ReservationEntered, day, paragraph=170, member="Bo Berg", reason=None)
    rs.record(mev.ConflictOfInterestDeclared, day, paragraph=170, member="Anna Andersson",
              note="Styrelseledamot i bolaget")
    rs.record(mev.ExtractRecipientsListed, day, paragraph=170,
              recipients=["Regiondirektör", "Ekonomidirektör"])
    rs.record(mev.MeetingClosed, day, closed_at="16:00")
    rs.record(mev.ReservationReasonGiven, date(2020, 10, 16), paragraph=170, member="Bo Berg",
              reason="Skäl")
    rs.record(mev.ProtocolAdjusted, date(2020, 10, 20), signed_by=["Anna Andersson"], late=False)
    rs.record(mev.ProtocolPosted, date(2020, 10, 21), paragraph=None, late=False)
    hsn = MeetingFixture.schedule("HSN-2021-02-20", "HSN", date(2021, 2, 20))
    hsn.record(mev.ParagraphRecorded, date(2021, 2, 20), number=12, title="Information",
               dnr=None, agenda_item=None, sections=[])
    diarium.save(rs, hsn)

    Projector(diarium, batch_size=7).catch_up()
    return authorized(create_app(diarium), roles=("auditor",))


def listing(client: Any, register: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get(f"/api/registers/{register}", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def keys(client: Any, register: str, field: str, **params: Any) -> list[Any]:
    return [item[field] for item in listing(client, register, **params)]


@pytest.mark.parametrize(("params", "expected"), [
    ({}, {A, B, C}),
    ({"q": "samlokalisering"}, {A}),
    ({"q": "Samlokalisering Luleåområdet"}, {A}),
    ({"q": "lokaler"}, {A}),  # a document's description
    ({"q": "kartläggning"}, {B}),
    ({"q": "samlokalisering", "status": "open"}, set()),
    ({"status": "closed"}, {A}), ({"status": "open"}, {B}), ({"status": "cancelled"}, {C}),
    ({"body": "HSN"}, {B}), ({"officer": "Linda"}, {A}), ({"unit": "Stab"}, {A}),
    ({"series": "default"}, {A, B, C}), ({"series": "KS"}, set()), ({"body": ""}, {A, B, C}),
    ({"year": 2021}, {B, C}), ({"dnr": B}, {B}), ({"secret": "true"}, {B}),
    ({"secret": "false"}, {A, C}),
    ({"registered_from": "2021-01-01"}, {B, C}), ({"registered_to": "2020-12-31"}, {A}),
    ({"activity_from": "2021-02-01"}, {B, C}), ({"activity_to": "2020-12-31"}, {A}),
    ({"closed_from": "2020-11-01"}, {A}), ({"closed_to": "2020-10-01"}, set()),
])
def test_diary_filters(client: Any, params: dict[str, Any], expected: set[str]) -> None:
    assert set(keys(client, "diary", "dnr", **params)) == expected


def test_diary_rows_and_sorts(client: Any) -> None:
    (a,) = listing(client, "diary", dnr=A)
    assert a["title"] == "Förstudie av fysisk samlokalisering av verksamheter i Luleåområdet"
    assert (a["status"], a["closed_on"], a["last_activity"]) == ("closed", "2020-11-02",
                                                                 "2020-11-02")
    assert (a["documents"], a["decisions"], a["officer"]) == (1, 1, "Linda")
    assert keys(client, "diary", "dnr") == [C, B, A]  # registered, newest first
    assert keys(client, "diary", "dnr", sort="dnr", order="asc") == [A, B, C]
    assert keys(client, "diary", "dnr", sort="last_activity", order="asc") == [A, B, C]


def test_secret_fields_are_withheld_from_those_who_may_not_read_them(
    client: Any, diarium: Diarium
) -> None:
    (b,) = listing(client, "diary", dnr=B)  # an auditor reads everything
    assert (b["title"], b["withheld"]) == ("Vårdval för en namngiven patient", [])
    secretary = authorized(create_app(diarium), roles=("secretary",), name="sekreterare")
    (b,) = listing(secretary, "diary", dnr=B)
    assert (b["title"], b["withheld"]) == ("Vårdval (sekretess)", ["title"])
    (document,) = listing(secretary, "documents", dnr=B)
    assert (document["counterpart"], document["description"]) == (None, None)
    assert document["withheld"] == ["counterpart", "description"]
    assert document["date"] == "2021-01-12" and document["dnr"] == B  # still registered
    assert listing(secretary, "diary", q="patient") == []  # no match on protected text
    assert keys(secretary, "diary", "dnr", q="vårdval") == [B]  # but on its public title
    assert client.get("/api/registers/diary").status_code == 200
    assert create_app(diarium).test_client().get("/api/registers/diary").status_code == 401


@pytest.mark.parametrize(("params", "expected"), [
    ({}, {"Skrivelse om lokaler", "Yttrande över kartläggning"}),
    ({"dnr": A}, {"Skrivelse om lokaler"}),
    ({"direction": "outgoing"}, {"Yttrande över kartläggning"}),
    ({"counterpart": "Luleå kommun"}, {"Skrivelse om lokaler"}),
    ({"body": "HSN"}, {"Yttrande över kartläggning"}),
    ({"date_from": "2021-01-01"}, {"Yttrande över kartläggning"}),
    ({"date_to": "2020-12-31"}, {"Skrivelse om lokaler"}),
    ({"year": 2020}, {"Skrivelse om lokaler"}),
    ({"registered_on": "2020-09-23"}, {"Skrivelse om lokaler"}),  # the daily post list
    ({"registered_on": "2020-09-22"}, set()),  # its date is not the day it was registered
    ({"registered_on": "2021-03-01"}, {"Yttrande över kartläggning"}),
    ({"registered_from": "2021-01-01"}, {"Yttrande över kartläggning"}),
    ({"registered_to": "2020-12-31"}, {"Skrivelse om lokaler"}),
    ({"registered_from": "2020-09-23", "registered_to": "2020-09-23", "body": "RS"},
     {"Skrivelse om lokaler"}),
])
def test_document_filters(client: Any, params: dict[str, Any], expected: set[str]) -> None:
    assert set(keys(client, "documents", "description", **params)) == expected


@pytest.mark.parametrize(("params", "expected"), [
    ({}, {A, B}), ({"body": "RS"}, {A}), ({"delegated": "true"}, {B}),
    ({"delegated": "false"}, {A}), ({"delegate": "Regiondirektören"}, {B}),
    ({"point": "2.3.8"}, {B}), ({"kind": "decided"}, {A, B}), ({"kind": "noted"}, set()),
    ({"dnr": A}, {A}), ({"meeting": "RS-2020-10-14"}, {A}), ({"paragraph": 170}, {A}),
    ({"legal_force": "true"}, {A}), ({"legal_force": "false"}, {B}),
    ({"decided_from": "2021-01-01"}, {B}), ({"decided_to": "2020-12-31"}, {A}),
    ({"year": 2020}, {A}),
])
def test_decision_filters(client: Any, params: dict[str, Any], expected: set[str]) -> None:
    assert set(keys(client, "decisions", "dnr", **params)) == expected


def test_decision_rows_merge_case_and_meeting(client: Any) -> None:
    (a,) = listing(client, "decisions", dnr=A)
    assert (a["body"], a["paragraph"], a["meeting_on"], a["meeting_ref"]) == (
        "RS", 170, "2020-10-14", "RS-2020-10-14")
    assert (a["adjusted_on"], a["posted_on"]) == ("2020-10-20", "2020-10-21")
    assert a["legal_force_on"] == "2020-11-12"  # appeal period ends Wed 2020-11-11
    (b,) = listing(client, "decisions", dnr=B)
    assert (b["delegated"], b["delegate"], b["delegation_point"]) == (
        True, "Regiondirektören", "2.3.8")
    assert b["title"] == "Vårdval (sekretess)"  # registers never copy a protected title


@pytest.mark.parametrize("register", ["reservations", "conflicts"])
@pytest.mark.parametrize(("params", "found"), [
    ({}, True), ({"body": "RS"}, True), ({"body": "HSN"}, False), ({"dnr": A}, True),
    ({"meeting": "RS-2020-10-14"}, True), ({"paragraph": 170}, True),
    ({"paragraph": 171}, False), ({"meeting_from": "2021-01-01"}, False),
    ({"meeting_to": "2020-12-31"}, True), ({"year": 2020}, True),
])
def test_reservation_and_conflict_filters(
    client: Any, register: str, params: dict[str, Any], found: bool
) -> None:
    member, party = ("Bo Berg", "M") if register == "reservations" else ("Anna Andersson", "S")
    expected = [member] if found else []
    assert keys(client, register, "member", **params) == expected
    assert keys(client, register, "member", member=member, **params) == expected
    assert keys(client, register, "member", party=party, **params) == expected
    assert keys(client, register, "member", party="KD", **params) == []


def test_reservation_and_conflict_rows(client: Any) -> None:
    (reservation,) = listing(client, "reservations")
    assert (reservation["party"], reservation["reason"], reservation["reason_given_on"]) == (
        "M", "Skäl", "2020-10-16")
    (conflict,) = listing(client, "conflicts")
    assert (conflict["dnr"], conflict["note"]) == (A, "Styrelseledamot i bolaget")


@pytest.mark.parametrize(("params", "expected"), [
    ({}, {"Regiondirektör", "Ekonomidirektör"}),
    ({"status": "sent"}, {"Regiondirektör"}), ({"status": "outstanding"}, {"Ekonomidirektör"}),
    ({"recipient": "Ekonomidirektör"}, {"Ekonomidirektör"}), ({"dnr": B}, set()),
    ({"body": "RS"}, {"Regiondirektör", "Ekonomidirektör"}),
    ({"paragraph": 170}, {"Regiondirektör", "Ekonomidirektör"}),
    ({"decided_from": "2021-01-01"}, set()),
    ({"decided_to": "2020-12-31"}, {"Regiondirektör", "Ekonomidirektör"}),
])
def test_extract_filters(client: Any, params: dict[str, Any], expected: set[str]) -> None:
    assert set(keys(client, "extracts", "recipient", **params)) == expected


@pytest.mark.parametrize(("params", "expected"), [
    ({}, ["RUN", "HSN", "RS"]),  # by answer-by date, then id
    ({"status": "answered"}, ["HSN"]), ({"status": "overdue"}, ["RUN"]),
    ({"status": "outstanding"}, ["RUN", "RS"]), ({"recipient": "RS"}, ["RS"]),
    ({"dnr": B}, ["RS"]), ({"body": "RS"}, ["HSN", "RUN"]),
    ({"sent_from": "2021-01-01"}, ["RS"]), ({"sent_to": "2020-12-31"}, ["HSN", "RUN"]),
    ({"answer_by_from": "2021-01-01"}, ["RS"]), ({"answer_by_to": "2020-12-31"}, ["HSN", "RUN"]),
])
def test_referral_filters(client: Any, params: dict[str, Any], expected: list[str]) -> None:
    found = keys(client, "referrals", "recipient", **params)
    assert sorted(found) == sorted(expected)
    if not params:
        statuses = {i["recipient"]: i["status"] for i in listing(client, "referrals")}
        assert statuses == {"HSN": "answered", "RUN": "overdue", "RS": "outstanding"}


def label(item: dict[str, Any]) -> str:
    return item["subject"].split(":")[0] if item["kind"] == "referral-answer" else (
        f"{item['kind']}:{item['meeting_ref']}")


ADJUST_RS, POST_RS, APPEAL_RS = (
    "protocol-adjustment:RS-2020-10-14", "protocol-posting:RS-2020-10-14",
    "appeal-period:RS-2020-10-14")
ADJUST_HSN = "protocol-adjustment:HSN-2021-02-20"
HSN_ANSWER, RUN_ANSWER, RS_ANSWER = (
    "Remissvar från HSN", "Remissvar från RUN", "Remissvar från RS")


@pytest.mark.parametrize(("params", "expected"), [
    ({"status": "overdue"}, [RUN_ANSWER]), ({"overdue": "true"}, [RUN_ANSWER]),
    ({"status": "open"}, [RUN_ANSWER, ADJUST_HSN, RS_ANSWER]),
    ({"status": "done"}, [HSN_ANSWER, POST_RS, ADJUST_RS, APPEAL_RS]),
    ({"kind": "protocol-adjustment"}, [ADJUST_RS, ADJUST_HSN]),
    ({"kind": "appeal-period"}, [APPEAL_RS]),
    ({"dnr": A}, [HSN_ANSWER, RUN_ANSWER]), ({"body": "HSN"}, [ADJUST_HSN, RS_ANSWER]),
    ({"meeting": "RS-2020-10-14"}, [POST_RS, ADJUST_RS, APPEAL_RS]),
    ({"due_from": "2021-01-01"}, [ADJUST_HSN, RS_ANSWER]),
    ({"due_to": "2020-10-28"}, [HSN_ANSWER, RUN_ANSWER, POST_RS, ADJUST_RS]),
])
def test_deadline_filters(client: Any, params: dict[str, Any], expected: list[str]) -> None:
    assert [label(i) for i in listing(client, "deadlines", **params)] == expected


def test_deadlines_sorted_with_rule_and_date(client: Any) -> None:
    items = listing(client, "deadlines")
    assert [i["due_on"] for i in items] == sorted(i["due_on"] for i in items)
    adjust = next(i for i in items if label(i) == ADJUST_RS)
    assert (adjust["due_on"], adjust["done_on"], adjust["law"]) == ("2020-10-28", "2020-10-20",
                                                                   "KL 5:69")
    appeal = next(i for i in items if label(i) == APPEAL_RS)
    assert (appeal["due_on"], appeal["status"], appeal["overdue"]) == ("2020-11-11", "ended",
                                                                      False)
    overdue = [label(i) for i in items if i["overdue"]]
    assert overdue == [RUN_ANSWER]


def test_invalid_queries_are_problems(client: Any) -> None:
    for query in ("status=bogus", "nonsense=1", "limit=0", "limit=501", "registered_from=x",
                  "sort=title", "order=up", "min_position=-1", "format=xml", "year=abc",
                  "year=10000", "body=" + "x" * 501):
        response = client.get(f"/api/registers/diary?{query}")
        assert response.status_code == 400, query
        assert response.get_json()["type"] == "/problems/invalid-query"
        assert response.get_json()["invalid-params"]


def test_csv_export_of_a_filtered_listing(client: Any) -> None:
    for url, headers in (
        ("/api/registers/referrals?status=outstanding&format=csv", {}),
        ("/api/registers/referrals?status=outstanding", {"Accept": "text/csv"}),
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
        assert sorted(r["recipient"] for r in rows) == ["RS", "RUN"]
        assert {r["status"] for r in rows} == {"outstanding", "overdue"}
    everything = client.get("/api/registers/diary?format=csv&limit=1").data.decode("utf-8-sig")
    assert len(everything.strip().splitlines()) == 4  # header + every case, not one page
    assert "Luleåområdet" in everything


def test_documents_carry_the_day_they_were_registered(client: Any) -> None:
    (a,) = listing(client, "documents", dnr=A)
    assert (a["date"], a["registered_on"]) == ("2020-09-22", "2020-09-23")
    assert keys(client, "documents", "dnr", sort="registered", order="asc") == [A, B]


def swedish_csv(response: Any) -> list[dict[str, str]]:
    """The rows of an ``excel-sv`` CSV response (checked: BOM, semicolons, CRLF)."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff") and "\r\n" in text
    return list(csv.DictReader(io.StringIO(text[1:], newline=""), delimiter=";"))


def test_csv_for_swedish_excel(client: Any) -> None:
    """?dialect=excel-sv: semicolons, a BOM, Swedish headers, ja/nej, ISO dates."""
    response = client.get("/api/registers/documents?dialect=excel-sv&registered_on=2020-09-23")
    assert response.headers["Content-Disposition"] == 'attachment; filename="documents.csv"'
    (row,) = swedish_csv(response)
    assert row == {
        "Diarienummer": A, "Handlingsnummer": "1", "Handlingens datum": "2020-09-22",
        "Registrerad i diariet": "2020-09-23", "Riktning": "inkommen",
        "Avsändare/mottagare": "Luleå kommun", "Beskrivning": "Skrivelse om lokaler",
        "Ansvarigt organ": "RS", "Sekretessmarkerad": "nej", "Undanhållet (sekretess)": "",
    }
    (b,) = swedish_csv(client.get("/api/registers/diary?dialect=excel-sv&format=csv&dnr=" + B))
    assert (b["Sekretessmarkerad"], b["Registrerat"], b["Status"]) == ("ja", "2021-01-10",
                                                                        "öppet")
    plain = client.get("/api/registers/documents?format=csv").data.decode("utf-8-sig")
    assert plain.startswith("dnr,number,date,registered_on,")  # the default stays as it was
    refused = client.get("/api/registers/documents?dialect=excel-us")
    assert refused.status_code == 400
    assert [p["name"] for p in refused.get_json()["invalid-params"]] == ["dialect"]
    as_json = client.get("/api/registers/documents?dialect=excel-sv&format=json")
    assert as_json.content_type.startswith("application/json")  # format=json asks for JSON


def swedish_cell(name: str, value: Any) -> str:
    """What the JSON ``value`` of ``name`` is in an ``excel-sv`` cell (no text here starts a
    formula)."""
    from diarium.web.register_csv import SWEDISH_VALUES

    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, list):
        return " ".join(value)
    return "" if value is None else SWEDISH_VALUES.get(name, {}).get(value, str(value))


def test_swedish_csv_withholds_exactly_like_the_json(client: Any, diarium: Diarium) -> None:
    from diarium.web.register_csv import swedish_label

    secretary = authorized(create_app(diarium), roles=("secretary",), name="sekreterare.csv")
    for register in ("diary", "documents", "decisions", "referrals", "deadlines", "meetings",
                     "bodies"):
        items = listing(secretary, register)
        rows = swedish_csv(secretary.get(f"/api/registers/{register}?dialect=excel-sv"))
        assert len(rows) == len(items), register
        for item, row in zip(items, rows, strict=True):
            assert {swedish_label(register, name): swedish_cell(name, value)
                    for name, value in item.items()} == row, register
    (document,) = swedish_csv(secretary.get(f"/api/registers/documents?dialect=excel-sv&dnr={B}"))
    assert (document["Beskrivning"], document["Avsändare/mottagare"]) == ("", "")
    assert document["Undanhållet (sekretess)"] == "counterpart description"


def test_every_register_column_has_a_swedish_header() -> None:
    from diarium.projections.listings import LISTINGS
    from diarium.web.register_csv import swedish_label

    for listing_ in LISTINGS.values():
        headers = [swedish_label(listing_.name, f) for f in listing_.fields]
        assert len(set(headers)) == len(headers), listing_.name


def test_registers_are_in_the_openapi_document(client: Any) -> None:
    spec = client.get("/api/openapi.json").get_json()
    for name in ("diary", "documents", "decisions", "reservations", "conflicts", "extracts",
                 "referrals", "deadlines"):
        operation = spec["paths"][f"/api/registers/{name}"]["get"]
        parameters = {p["name"] for p in operation["parameters"]}
        assert {"cursor", "limit", "sort", "order", "min_position", "format",
                "dialect"} <= parameters
        assert "text/csv" in operation["responses"]["200"]["content"]
    diary = spec["paths"]["/api/registers/diary"]["get"]
    assert "q" in {p["name"] for p in diary["parameters"]}
    assert "/api/registers/status" in spec["paths"]


def test_keyset_pages_are_stable(client: Any, diarium: Diarium) -> None:
    """Last in the module: it adds a case."""
    everything = keys(client, "diary", "dnr", sort="dnr", order="asc")
    first = client.get("/api/registers/diary?sort=dnr&order=asc&limit=1").get_json()
    assert [i["dnr"] for i in first["items"]] == everything[:1]
    diarium.register_case(RegisterCase(  # a new row before the cursor: nothing shifts
        title="Nytt", responsible_body="RS", registered_on=date(2019, 5, 5),
    ), ACTOR)
    Projector(diarium).catch_up()
    seen, cursor = list(everything[:1]), first["next_cursor"]
    while cursor:
        page = client.get(f"/api/registers/diary?sort=dnr&order=asc&limit=1&cursor={cursor}")
        seen += [i["dnr"] for i in page.get_json()["items"]]
        cursor = page.get_json()["next_cursor"]
    assert seen == everything
    bad = client.get(f"/api/registers/diary?sort=registered&cursor={first['next_cursor']}")
    assert bad.status_code == 404 and bad.content_type == "application/problem+json"
    assert client.get("/api/registers/diary?cursor=garbage").status_code == 404


def test_a_document_stored_without_its_registration_day_gets_its_recording_day(
    client: Any, diarium: Diarium
) -> None:
    """After the keyset test: it adds a document, shaped as events were stored before
    ``registered_on`` was kept."""
    from diarium.cases.application import STOCKHOLM

    case = diarium.get_case(C)
    case.trigger_event(ev.DocumentRegistered, number=1, direction="incoming", counterpart=None,
                       description="Gammal handling", occurred_on=date(2021, 2, 1), by=ACTOR)
    diarium.save(case)
    event = diarium.repository.event_store.get(case.id, gt=case.version - 1)
    (recorded,) = list(event)
    assert recorded.registered_on is None
    Projector(diarium).catch_up()
    (row,) = listing(client, "documents", dnr=C)
    assert row["registered_on"] == recorded.timestamp.astimezone(STOCKHOLM).date().isoformat()
