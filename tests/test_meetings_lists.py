"""Lists (issue 15, item 9): the bodies and the meetings, paged and filtered like the
registers; a paragraph's extracts still to send; the extracts register by meeting."""

from __future__ import annotations

from typing import Any

import pytest

from tests import meetings_support as ms


def catch_up(app: Any) -> None:
    app.extensions["diarium_projector"].catch_up()


def hsn(client: Any) -> None:
    ms.ok(client.post("/api/bodies", json={
        "code": "HSN", "name": "Hälso- och sjukvårdsnämnden", "kind": "nämnd", "parent": "RF",
        "established_on": "2019-01-01",
    }), 201)


def problem_names(response: Any) -> list[str]:
    assert response.status_code == 400, (response.status_code, response.get_json())
    assert response.content_type == "application/problem+json"
    return [p["name"] for p in response.get_json()["invalid-params"]]


@pytest.fixture
def meetings(app: Any, client: Any) -> Any:
    """RF, RS and HSN; RS meets in September (posted), on 14 October (adjusted), in
    November (scheduled) and twice in December (one closed); HSN once."""
    ms.setup_bodies(client)
    hsn(client)
    ms.register_case(client, "411-2020", "Strategisk plan 2021-2023")
    september = ms.schedule(client, day="2020-09-16")
    ms.attend(client, september)
    number = ms.paragraph(client, "Val av justerare", ref=september)
    ms.ok(ms.decide(client, number, ref=september), 201)
    ms.close_and_adjust(client, september, adjusted_on="2020-09-18")
    ms.ok(client.post(f"/api/meetings/{september}/posting", json={"posted_on": "2020-09-21"}))
    ms.schedule(client)  # 2020-10-14
    ms.attend(client)
    ms.ok(ms.decide(client, ms.paragraph(client, "Strategisk plan 2021-2023", "411-2020")), 201)
    ms.close_and_adjust(client)
    ms.schedule(client, day="2020-11-18")
    december = ms.schedule(client, day="2020-12-09")
    second = ms.ok(client.post("/api/meetings", json={
        "body": "RS", "date": "2020-12-09", "session": 2, "scheduled_on": "2020-01-15"}), 201)
    ms.attend(client, december)
    ms.ok(client.post(f"/api/meetings/{december}/close", json={}))
    ms.schedule(client, "HSN", "2020-10-20")
    catch_up(app)
    return {"december": december, "second": second["ref"]}


def refs(response: Any) -> list[str]:
    return [m["ref"] for m in ms.ok(response)["items"]]


def test_meetings_are_listed_by_body_date_and_state(client: Any, meetings: Any) -> None:
    page = ms.ok(client.get("/api/meetings"))
    assert page["register"] == "meetings"
    assert [(m["ref"], m["status"]) for m in page["items"]] == [
        ("RS-2020-12-09-2", "scheduled"), ("RS-2020-12-09", "closed"),
        ("RS-2020-11-18", "scheduled"), ("HSN-2020-10-20", "scheduled"),
        ("RS-2020-10-14", "adjusted"), ("RS-2020-09-16", "posted"),
    ]
    october = page["items"][4]
    assert october == {
        "ref": ms.REF, "body": "RS", "meeting_on": "2020-10-14", "session": 1,
        "place": "Regionhuset, Luleå", "starts_at": "09.00", "closed": True,
        "adjusted_on": "2020-10-19", "posted_on": None, "status": "adjusted",
    }
    assert refs(client.get("/api/meetings?body=HSN")) == ["HSN-2020-10-20"]
    assert refs(client.get(
        "/api/meetings?body=RS&meeting_from=2020-10-01&meeting_to=2020-11-30&order=asc"
    )) == ["RS-2020-10-14", "RS-2020-11-18"]
    for state, expected in [
        ("scheduled", ["RS-2020-12-09-2", "RS-2020-11-18", "HSN-2020-10-20"]),
        ("closed", ["RS-2020-12-09"]),
        ("adjusted", ["RS-2020-10-14"]),
        ("posted", ["RS-2020-09-16"]),
    ]:
        assert refs(client.get(f"/api/meetings?status={state}")) == expected, state
    # paged with keyset cursors, as the registers
    first = ms.ok(client.get("/api/meetings?limit=4"))
    rest = ms.ok(client.get(f"/api/meetings?limit=4&cursor={first['next_cursor']}"))
    assert [m["ref"] for m in first["items"] + rest["items"]] == [
        m["ref"] for m in page["items"]]
    assert rest["next_cursor"] is None


def test_bad_list_filters_are_problems_naming_the_parameter(client: Any, meetings: Any) -> None:
    assert problem_names(client.get("/api/meetings?status=held")) == ["status"]
    assert problem_names(client.get("/api/meetings?meeting_from=14/10")) == ["meeting_from"]
    assert problem_names(client.get("/api/meetings?limit=0")) == ["limit"]
    assert problem_names(client.get("/api/meetings?colour=red")) == ["colour"]
    assert problem_names(client.get("/api/bodies?kind=klubb")) == ["kind"]
    assert client.get("/api/meetings?cursor=bm9wZQ").status_code == 404


def test_a_write_is_listed_once_the_register_has_its_position(
    app: Any, client: Any, meetings: Any
) -> None:
    """The list is a projection: read your writes with the write's position (header and
    body) as ``min_position``; until the projection has it, the answer says it is stale."""
    app.config["DIARIUM_READ_WAIT_SECONDS"] = 0.05
    response = client.post("/api/meetings", json={
        "body": "HSN", "date": "2020-11-24", "scheduled_on": "2020-11-02"})
    written = ms.ok(response, 201)
    assert response.headers["X-Diarium-Position"] == str(written["position"])
    url = f"/api/meetings?body=HSN&min_position={written['position']}"
    stale = client.get(url)
    assert stale.headers["X-Diarium-Consistency"] == "stale"
    assert ms.ok(stale)["consistency"]["reached"] is False
    catch_up(app)
    listed = ms.ok(client.get(url))
    assert listed["consistency"]["reached"] is True
    assert [m["ref"] for m in listed["items"]] == ["HSN-2020-11-24", "HSN-2020-10-20"]


def test_the_lists_are_read_as_the_single_views_are(
    client_as: Any, meetings: Any
) -> None:
    """Any staff reader, in or out of the body's scope, as ``GET /api/meetings/<ref>``; the
    public and services not (every role: tests/test_access_matrix.py)."""
    outsider = client_as("registrar", name="hsn.registrator", bodies=("HSN",))
    assert ms.ok(outsider.get(f"/api/meetings/{ms.REF}"))["ref"] == ms.REF
    assert ms.REF in refs(outsider.get("/api/meetings?body=RS"))
    assert client_as(None).get("/api/meetings").status_code == 401
    assert client_as("service", name="integration").get("/api/bodies").status_code == 403


def test_bodies_are_listed(client: Any, meetings: Any) -> None:
    page = ms.ok(client.get("/api/bodies"))
    assert page["items"] == [
        {"code": "HSN", "name": "Hälso- och sjukvårdsnämnden", "kind": "nämnd",
         "parent": "RF", "established_on": "2019-01-01"},
        {"code": "RF", "name": "Regionfullmäktige", "kind": "fullmäktige", "parent": None,
         "established_on": "2019-01-01"},
        {"code": "RS", "name": "Regionstyrelsen", "kind": "styrelse", "parent": "RF",
         "established_on": "2019-01-01"},
    ]
    assert [b["code"] for b in ms.ok(client.get("/api/bodies?parent=RF"))["items"]] == [
        "HSN", "RS"]
    assert [b["code"] for b in ms.ok(client.get("/api/bodies?kind=styrelse"))["items"]] == ["RS"]
    assert [b["code"] for b in ms.ok(client.get("/api/bodies?sort=established"))["items"]] == [
        "RF", "RS", "HSN"]


@pytest.fixture
def sent(app: Any, client: Any) -> Any:
    """§ 160 of 14 October (411-2020) and § 161 of 18 November (412-2020), each decided,
    adjusted and with two recipients listed, one of them sent."""
    ms.setup_bodies(client)
    for dnr, day, number in [("411-2020", "2020-10-14", 160), ("412-2020", "2020-11-18", 161)]:
        ms.register_case(client, dnr, f"Ärende {dnr}")
        ref = ms.schedule(client, day=day)
        ms.attend(client, ref)
        assert ms.paragraph(client, f"Ärende {dnr}", dnr, ref=ref) == number
        ms.ok(ms.decide(client, number, ref=ref), 201)
        at = f"/api/meetings/{ref}/paragraphs/{number}"
        ms.ok(client.put(f"{at}/extract-recipients", json={
            "recipients": ["Regiondirektör", "Ekonomidirektör"]}))
        ms.close_and_adjust(client, ref, adjusted_on=day)
        ms.ok(client.post(f"{at}/extracts", json={"recipient": "Regiondirektör",
                                               "sent_on": day}), 201)
    catch_up(app)


def test_a_paragraph_lists_its_extracts_still_to_send(client: Any, sent: Any) -> None:
    url = f"/api/meetings/{ms.REF}/paragraphs/160/extracts"
    assert ms.ok(client.get(f"{url}?unsent=true")) == [
        {"paragraph": 160, "dnr": "411-2020", "recipient": "Ekonomidirektör", "sent_on": None}]
    assert [e["sent_on"] for e in ms.ok(client.get(url))] == ["2020-10-14", None]
    missing = client.get(f"/api/meetings/{ms.REF}/paragraphs/170/extracts")
    assert missing.status_code == 404


def test_the_extracts_register_filters_by_meeting(client: Any, sent: Any) -> None:
    everything = ms.ok(client.get("/api/registers/extracts"))["items"]
    assert {e["meeting_ref"] for e in everything} == {ms.REF, "RS-2020-11-18"}
    october = ms.ok(client.get(f"/api/registers/extracts?meeting={ms.REF}"))["items"]
    assert {(e["meeting_ref"], e["paragraph"], e["recipient"], e["status"])
            for e in october} == {
        (ms.REF, 160, "Regiondirektör", "sent"), (ms.REF, 160, "Ekonomidirektör", "outstanding")}
    outstanding = ms.ok(client.get(
        "/api/registers/extracts?meeting=RS-2020-11-18&status=outstanding"))["items"]
    assert [(e["paragraph"], e["recipient"]) for e in outstanding] == [(161, "Ekonomidirektör")]
