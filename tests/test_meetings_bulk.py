"""Bulk (issue 15, item 10): agenda items and extracts in one write each, all or none;
``Prefer: return=minimal`` on meeting and body writes."""

from __future__ import annotations

from typing import Any

import pytest

from tests import meetings_support as ms

MINIMAL = {"Prefer": "return=minimal"}


def meeting(client: Any) -> dict[str, Any]:
    return ms.ok(client.get(f"/api/meetings/{ms.REF}"))


def at_fault(problem: dict[str, Any]) -> list[str]:
    return [p["name"] for p in problem.get("invalid-params", [])]


def test_agenda_items_are_added_in_one_write_all_or_none(client: Any) -> None:
    ms.setup_bodies(client)
    ms.register_case(client, "411-2020", "Strategisk plan 2021-2023")
    ms.register_case(client, "412-2020", "Avslutat ärende")
    ms.ok(client.post("/api/cases/412-2020/close", json={"closed_on": "2020-09-10"}))
    ms.schedule(client)
    url = f"/api/meetings/{ms.REF}/agenda/bulk"
    items = [
        {"kind": "adjusters", "title": "Val av protokolljusterare"},
        {"kind": "agenda", "title": "Fastställande av föredragningslista"},
        {"kind": "case", "title": "Strategisk plan 2021-2023", "dnr": "411-2020"},
    ]
    before = meeting(client)["version"]
    # one item at fault refuses the whole write, naming it
    problem = ms.refused(client.post(url, json={"items": [
        *items, {"kind": "case", "title": "Avslutat", "dnr": "412-2020"}],
        "added_on": "2020-09-30"}), "case-closed")
    assert at_fault(problem) == ["items.3"]
    problem = ms.refused(client.post(url, json={"items": [*items, items[2]]}),
                      "agenda-case-listed")
    assert at_fault(problem) == ["items.3"]
    problem = ms.refused(client.post(url, json={"items": items, "added_on": "2030-01-01"}),
                      "no-future-date")
    assert at_fault(problem) == ["added_on"]
    assert meeting(client)["version"] == before
    assert meeting(client)["agenda"] == []
    # all of them, in order, in one write (one version per item)
    written = ms.ok(client.post(url, json={"items": items, "added_on": "2020-09-30"}), 201)
    assert written["version"] == before + 3
    agenda = meeting(client)["agenda"]
    assert [(i["number"], i["kind"], i["dnr"]) for i in agenda] == [
        (1, "adjusters", None), (2, "agenda", None), (3, "case", "411-2020")]
    empty = client.post(url, json={"items": []})
    assert empty.status_code == 422
    assert at_fault(empty.get_json()) == ["items"]


@pytest.fixture
def adjusted(client: Any) -> Any:
    """§ 160 (411-2020) and § 161 (412-2020) decided and adjusted, two recipients each;
    § 162 without a case, one recipient."""
    ms.setup_bodies(client)
    ms.schedule(client)
    ms.attend(client)
    for dnr, number in [("411-2020", 160), ("412-2020", 161)]:
        ms.register_case(client, dnr, f"Ärende {dnr}")
        assert ms.paragraph(client, f"Ärende {dnr}", dnr) == number
    assert ms.paragraph(client, "Information") == 162
    for number in (160, 161, 162):
        ms.ok(ms.decide(client, number), 201)
        recipients = ["Regiondirektör", "Ekonomidirektör"] if number < 162 else ["Ekonomidirektör"]
        ms.ok(client.put(f"/api/meetings/{ms.REF}/paragraphs/{number}/extract-recipients",
                      json={"recipients": recipients}))
    ms.close_and_adjust(client)
    return client


def case_extracts(client: Any, dnr: str) -> list[str]:
    case = ms.ok(client.get(f"/api/cases/{dnr}"))
    return [e["recipient"] for e in case["decisions"][0]["extracts"]]


def test_extracts_of_several_paragraphs_are_sent_in_one_write_all_or_none(
    adjusted: Any,
) -> None:
    client = adjusted
    url = f"/api/meetings/{ms.REF}/extracts"
    extracts = [
        {"paragraph": 160, "recipients": ["Regiondirektör", "Ekonomidirektör"],
         "sent_on": "2020-10-21"},
        {"paragraph": 161, "recipients": ["Regiondirektör", "Ekonomidirektör"]},
        {"paragraph": 162, "recipients": ["Ekonomidirektör"], "sent_on": "2020-10-20"},
    ]
    before = meeting(client)["version"]
    cases_before = [
        ms.ok(client.get(f"/api/cases/{d}"))["version"] for d in ("411-2020", "412-2020")
    ]
    # one recipient at fault: nothing is recorded, on the meeting or on either case
    wrong = [extracts[0], {**extracts[1], "recipients": ["Regiondirektör", "Fastighetschef"]}]
    problem = ms.refused(client.post(url, json={"extracts": wrong}), "extract-recipient")
    assert at_fault(problem) == ["extracts.1.recipients.1"]
    early = [extracts[0], {**extracts[2], "sent_on": "2020-10-18"}]
    problem = ms.refused(client.post(url, json={"extracts": early}), "extract-before-adjustment")
    assert at_fault(problem) == ["extracts.1.sent_on"]
    twice = [extracts[0], {"paragraph": 160, "recipients": ["Regiondirektör"]}]
    problem = ms.refused(client.post(url, json={"extracts": twice}), "extract-already-sent")
    assert at_fault(problem) == ["extracts.1.recipients.0"]
    assert client.post(url, json={"extracts": [{**extracts[0], "paragraph": 170}]}
                       ).status_code == 404
    assert meeting(client)["version"] == before
    assert [ms.ok(client.get(f"/api/cases/{d}"))["version"] for d in ("411-2020", "412-2020")
            ] == cases_before
    assert case_extracts(client, "411-2020") == []
    # all of them in one write, on the meeting and on both cases
    written = ms.ok(client.post(url, json={"extracts": extracts}), 201)
    assert written["version"] == before + 5
    assert written["meeting"]["unsent_extracts"] == []
    assert case_extracts(client, "411-2020") == ["Regiondirektör", "Ekonomidirektör"]
    assert case_extracts(client, "412-2020") == ["Regiondirektör", "Ekonomidirektör"]
    sent = {(e["paragraph"], e["recipient"]): e["sent_on"]
            for e in ms.ok(client.get(f"/api/meetings/{ms.REF}/extracts"))}
    assert sent[(160, "Ekonomidirektör")] == "2020-10-21"
    assert sent[(162, "Ekonomidirektör")] == "2020-10-20"
    assert sent[(161, "Regiondirektör")] is not None  # today


def test_meeting_and_body_writes_answer_minimally_when_asked(client: Any) -> None:
    ms.setup_bodies(client)
    created = client.post("/api/meetings", json={
        "body": "RS", "date": "2020-10-14", "scheduled_on": "2020-09-30"}, headers=MINIMAL)
    assert created.status_code == 201
    assert created.data == b""
    assert created.headers["Preference-Applied"] == "return=minimal"
    assert created.headers["Location"] == f"/api/meetings/{ms.REF}"
    assert created.headers["ETag"] == '"1"'
    position = int(created.headers["X-Diarium-Position"])
    # a 200 becomes 204 No Content, with the version and the log position
    attendance = client.put(f"/api/meetings/{ms.REF}/attendance", json={
        "chair": "Kenneth Backgård", "attendees": [
            {"name": "Kenneth Backgård", "capacity": "ledamot"},
            {"name": "Linda Frohm", "capacity": "ledamot"}]},
        headers={"Prefer": "handling=lenient, return=minimal"})
    assert attendance.status_code == 204
    assert attendance.data == b""
    assert attendance.headers["ETag"] == '"2"'
    assert int(attendance.headers["X-Diarium-Position"]) > position
    assert "Location" not in attendance.headers
    # the representation by default, and when asked for
    full = client.put(f"/api/meetings/{ms.REF}/adjusters", json={"adjusters": ["Linda Frohm"]},
                      headers={"Prefer": "return=representation"})
    assert full.status_code == 200
    assert full.get_json()["meeting"]["adjusters"] == ["Linda Frohm"]
    assert "Preference-Applied" not in full.headers
    # body writes too
    body = client.post("/api/bodies/RS/delegation-points", json={
        "number": "1.1", "case_type": "Yttranden", "delegate": "Regiondirektören",
        "decided_on": "2019-02-13"}, headers=MINIMAL)
    assert (body.status_code, body.data) == (201, b"")
    assert body.headers["Location"] == "/api/bodies/RS"
    # a refusal is a problem as ever
    refusal = client.post(f"/api/meetings/{ms.REF}/agenda/bulk", json={"items": [
        {"kind": "case", "title": "Okänt", "dnr": "999-2020"}]}, headers=MINIMAL)
    assert refusal.status_code == 404
    assert refusal.content_type == "application/problem+json"


def test_case_writes_answer_minimally_when_asked(client: Any) -> None:
    ms.setup_bodies(client)
    made = client.post("/api/cases", json={"title": "Skrivelse", "responsible_body": "RS"},
                       headers=MINIMAL)
    assert (made.status_code, made.data) == (201, b"")
    assert made.headers["Preference-Applied"] == "return=minimal"
    dnr = made.headers["Location"].removeprefix("/api/cases/")
    assert client.get(f"/api/cases/{dnr}").get_json()["title"] == "Skrivelse"
    officer = client.put(f"/api/cases/{dnr}/officer", json={"officer": "linda"},
                         headers=MINIMAL)
    assert (officer.status_code, officer.data) == (204, b"")
    assert officer.headers["ETag"] == '"2"'
    assert int(officer.headers["X-Diarium-Position"]) > 0
    full = client.put(f"/api/cases/{dnr}/officer", json={"officer": "olle"})
    assert full.status_code == 200
    assert full.get_json()["case"]["officer"] == "olle"
    assert full.headers["X-Diarium-Position"] == str(full.get_json()["position"])
