"""Issue 15, items 1 and 6: a decision recorded on the case route takes the same rule path as
the meeting and the delegation order (or is an explicitly historical record whose § is still
unique per body and year); unknown bodies are refused; migrated records carry their dates."""

from __future__ import annotations

from typing import Any

from tests import meetings_support as ms

DNR = "1338-2020"
OTHER = "1359-2020"
MEETING = "2020-10-14"
HISTORICAL = {"source": "W3D3, Region Norrbotten"}


def decision(**fields: Any) -> dict[str, Any]:
    """A decision on the case route, of RS at the 14 October meeting unless changed."""
    return {"kind": "decided", "text": "Regionstyrelsen beslutar enligt förslaget.",
            "decided_on": MEETING, "body": "RS", "paragraph": 160, **fields}


def invalid(response: Any) -> list[str]:
    assert response.status_code == 422, (response.status_code, response.get_json())
    return [p["name"] for p in response.get_json()["invalid-params"]]


def decided_at_meeting(client: Any) -> None:
    """RS (numbering 2020 on from § 159) decides § 160 on DNR at its meeting; the meeting
    ends at § 160."""
    ms.setup_bodies(client)
    ms.register_case(client, DNR, "Förstudie Luleåområdet")
    ms.register_case(client, OTHER, "Förstudie Bodenområdet")
    ms.schedule(client)
    ms.attend(client)
    assert ms.paragraph(client, "Förstudie Luleåområdet", DNR) == 160
    ms.ok(ms.decide(client, 160), 201)


def test_a_body_decision_on_the_case_route_is_the_meetings_or_refused(client: Any) -> None:
    decided_at_meeting(client)
    case = f"/api/cases/{DNR}/decisions"
    # the meeting recorded § 160 on the case already
    ms.refused(client.post(case, json=decision()), "decision-already-recorded")
    # the meeting ended at § 160: no § 161 that day, nor § 160 on another day or case
    problem = ms.refused(client.post(case, json=decision(paragraph=161)), "decision-not-at-meeting")
    assert problem["invalid-params"][0]["name"] == "paragraph"
    ms.refused(client.post(case, json=decision(decided_on="2020-10-15")), "decision-not-at-meeting")
    ms.refused(client.post(f"/api/cases/{OTHER}/decisions", json=decision()),
            "decision-not-at-meeting")
    # an unknown body, deciding or higher
    problem = ms.refused(client.post(case, json=decision(body="XYZ")), "body-unknown")
    assert problem["invalid-params"] == [{"name": "body", "reason": "Body XYZ is not set up"}]
    problem = ms.refused(client.post(case, json=decision(
        kind="proposed_to_higher_body", higher_body="XX", historical=HISTORICAL,
    )), "body-unknown")
    assert problem["invalid-params"][0]["name"] == "higher_body"
    assert [d["paragraph"] for d in ms.ok(client.get(f"/api/cases/{DNR}"))["decisions"]] == [160]


def test_a_historical_decision_keeps_its_paragraph_unique_per_body_and_year(
    client: Any,
) -> None:
    decided_at_meeting(client)
    case, other = f"/api/cases/{DNR}/decisions", f"/api/cases/{OTHER}/decisions"
    # RS § 160/2020 is the meeting's, § 162 lies in the numbering this system continues
    ms.refused(client.post(other, json=decision(historical=HISTORICAL)), "paragraph-taken")
    ms.refused(client.post(other, json=decision(paragraph=162, historical=HISTORICAL)),
            "paragraph-taken")
    # a § used before this system, once per body and year
    ms.ok(client.post(other, json=decision(paragraph=100, decided_on="2020-03-04",
                                        historical=HISTORICAL)), 201)
    ms.refused(client.post(case, json=decision(paragraph=100, decided_on="2020-03-04",
                                            historical=HISTORICAL)), "paragraph-taken")
    ms.ok(client.post(case, json=decision(paragraph=100, decided_on="2019-03-04",
                                       historical=HISTORICAL)), 201)
    recorded = ms.ok(client.get(f"/api/cases/{OTHER}"))["decisions"]
    assert [(d["paragraph"], d["historical_source"]) for d in recorded] == [
        (100, "W3D3, Region Norrbotten")
    ]


def test_historical_paragraphs_of_a_year_without_meetings_move_its_numbering_on(
    client: Any,
) -> None:
    ms.setup_bodies(client, last_paragraph=0)
    ms.register_case(client, DNR, "Förstudie Luleåområdet")
    ms.ok(client.post(f"/api/cases/{DNR}/decisions", json=decision(
        paragraph=12, decided_on="2020-02-05", historical=HISTORICAL)), 201)
    year = ms.ok(client.get("/api/bodies/RS/paragraph-years/2020"))
    assert (year["last_number"], year["next_number"]) == (12, 13)
    ms.schedule(client)
    ms.attend(client)
    assert ms.paragraph(client, "Förstudie Luleåområdet", DNR) == 13


def test_a_delegated_decision_on_the_case_route_follows_the_delegation_order(
    client: Any,
) -> None:
    ms.setup_bodies(client)
    ms.register_case(client, DNR, "Förstudie Luleåområdet")
    ms.ok(client.post("/api/bodies/RS/delegation-points", json={
        "number": "2.3.8", "case_type": "Förstudier", "delegate": "Regiondirektören",
        "decided_on": "2020-01-01",
    }), 201)
    case = f"/api/cases/{DNR}/decisions"
    delegated = {"kind": "decided", "text": "Regiondirektören beslutar godkänna förstudien.",
                 "decided_on": "2020-10-01", "delegate": "Regiondirektören",
                 "delegation_point": "2.3.8"}
    ms.refused(client.post(case, json={**delegated, "delegate": "Nobody"}), "delegate-mismatch")
    ms.refused(client.post(case, json={**delegated, "delegation_point": "9.9"}),
            "delegation-point-unknown")
    ms.refused(client.post(case, json={**delegated, "decided_on": "2019-10-01"}),
            "delegation-point-unknown")
    ms.ok(client.post(case, json=delegated), 201)
    on_body = ms.ok(client.get("/api/bodies/RS/delegated-decisions"))
    assert [(d["point"], d["dnr"], d["case_decision_number"]) for d in on_body] == [
        ("2.3.8", DNR, 1)
    ]
    assert ms.ok(client.get(f"/api/cases/{DNR}"))["decisions"][0]["delegation_point"] == "2.3.8"


def test_a_case_for_an_unknown_body_is_refused(client: Any) -> None:
    ms.setup_bodies(client)
    problem = ms.refused(client.post("/api/cases", json={
        "title": "Ärende", "responsible_body": "XYZ", "registered_on": "2020-09-01",
    }), "body-unknown")
    assert problem["invalid-params"][0]["name"] == "responsible_body"
    ms.refused(client.post("/api/cases", json={
        "title": "Ärende", "responsible_body": "XYZ", "dnr": "7-2020",
        "registered_on": "2020-09-01",
    }), "body-unknown")
    problem = ms.refused(client.post("/api/cases", json={
        "title": "Ärende", "responsible_body": "RS", "registered_on": "2020-09-01",
        "secrecy": {"statute": "OSL 26:1", "marking_body": "XYZ"},
    }), "body-unknown")
    assert problem["invalid-params"][0]["name"] == "secrecy.marking_body"
    assert client.get("/api/cases/1-2020").status_code == 404
    assert client.get("/api/cases/7-2020").status_code == 404
    ms.register_case(client, DNR, "Förstudie Luleåområdet")
    problem = ms.refused(client.post(f"/api/cases/{DNR}/secrecy", json={
        "statute": "OSL 26:1", "marking_body": "XYZ"}), "body-unknown")
    assert problem["invalid-params"][0]["name"] == "marking_body"


def test_migrated_records_carry_their_dates(client: Any) -> None:
    ms.setup_bodies(client)
    migrated = {"migrated": {"source": "W3D3"}}
    # a case: with its old dnr, or flagged migrated, it gives registered_on
    assert invalid(client.post("/api/cases", json={
        "title": "Ärende", "responsible_body": "RS", "dnr": "12-2020"})) == ["registered_on"]
    assert invalid(client.post("/api/cases", json={
        "title": "Ärende", "responsible_body": "RS", **migrated})) == ["registered_on"]
    written = ms.ok(client.post("/api/cases", json={
        "title": "Ärende", "responsible_body": "RS", "registered_on": "2020-02-03", **migrated,
    }), 201)
    assert (written["case"]["registered_on"], written["case"]["migrated"],
            written["case"]["migrated_source"]) == ("2020-02-03", True, "W3D3")
    # a body and a meeting
    body = {"code": "HSN", "name": "Hälso- och sjukvårdsnämnden", "kind": "nämnd", **migrated}
    assert invalid(client.post("/api/bodies", json=body)) == ["established_on"]
    written = ms.ok(client.post("/api/bodies", json={**body, "established_on": "2015-01-01"}), 201)
    assert ms.ok(client.get("/api/bodies/HSN"))["migrated_source"] == "W3D3"
    meeting = {"body": "RS", "date": "2020-02-05", **migrated}
    assert invalid(client.post("/api/meetings", json=meeting)) == ["scheduled_on"]
    ms.ok(client.post("/api/meetings", json={**meeting, "scheduled_on": "2019-11-20"}), 201)
    scheduled = ms.ok(client.get("/api/meetings/RS-2020-02-05"))
    assert (scheduled["scheduled_on"], scheduled["migrated_source"]) == ("2019-11-20", "W3D3")
    assert client.get(f"/api/meetings/{ms.REF}").status_code == 404  # nothing else scheduled


def test_live_registrations_still_default_their_dates_to_today(client: Any) -> None:
    ms.ok(client.post("/api/bodies", json={
        "code": "RS", "name": "Regionstyrelsen", "kind": "styrelse"}), 201)
    case = ms.ok(client.post("/api/cases", json={"title": "Ärende", "responsible_body": "RS"}),
              201)["case"]
    body = ms.ok(client.get("/api/bodies/RS"))
    assert case["registered_on"] == body["established_on"]  # both today
    assert (case["migrated"], case["migrated_source"], body["migrated_source"]) == (
        False, None, None
    )


def test_a_meeting_held_before_today_carries_the_day_it_was_scheduled(client: Any) -> None:
    ms.setup_bodies(client)
    held = {"body": "RS", "date": MEETING}
    assert invalid(client.post("/api/meetings", json=held)) == ["scheduled_on"]
    problem = ms.refused(client.post("/api/meetings", json={**held, "scheduled_on": "2020-10-20"}),
                         "scheduled-after-meeting")
    assert problem["invalid-params"][0]["name"] == "scheduled_on"
    assert client.get(f"/api/meetings/{ms.REF}").status_code == 404  # nothing recorded
    ms.ok(client.post("/api/meetings", json={**held, "scheduled_on": "2020-09-30"}), 201)
    ahead = ms.ok(client.post("/api/meetings", json={"body": "RS", "date": "2099-01-13"}),
                  201)["meeting"]
    case = ms.ok(client.post("/api/cases", json={"title": "Ärende", "responsible_body": "RS"}),
                 201)["case"]
    assert ahead["scheduled_on"] == case["registered_on"]  # scheduled live: today


def test_nothing_of_a_body_dates_from_before_it_was_established(client: Any) -> None:
    ms.ok(client.post("/api/bodies", json={  # set up today: established_on defaults to today
        "code": "RS", "name": "Regionstyrelsen", "kind": "styrelse"}), 201)
    for path, body, field in [
        ("/api/bodies/RS/members", {"name": "Linda Frohm", "party": "M", "role": "ledamot",
                                    "period_from": "2019-01-01", "period_to": "2022-12-31"},
         "period_from"),
        ("/api/bodies/RS/delegation-points", {
            "number": "1.4", "case_type": "Fullmakter", "delegate": "Regiondirektören",
            "decided_on": "2019-02-13"}, "decided_on"),
        ("/api/meetings", {"body": "RS", "date": MEETING, "scheduled_on": "2020-09-30"}, "date"),
    ]:
        problem = ms.refused(client.post(path, json=body), "before-established")
        assert problem["invalid-params"][0]["name"] == field, path
    assert ms.ok(client.get("/api/bodies/RS"))["version"] == 1  # nothing recorded
