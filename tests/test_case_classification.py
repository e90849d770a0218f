"""Filing a case under another classification code (CaseClassified), end to end: the rule, the
case view and history, the feed, the diary register and bad input, on both backends."""

from __future__ import annotations

from typing import Any

from diarium.cases.application import Diarium
from diarium.projections.runner import Projector
from tests.bodies_support import diarium_with_bodies  # noqa: F401 (the fixture)

CASE = {"title": "Upphandling av färdtjänst", "responsible_body": "RS",
        "classification": "2.3.1", "registered_on": "2020-03-02"}


def _classify(client: Any, dnr: str, body: dict[str, Any]) -> Any:
    return client.put(f"/api/cases/{dnr}/classification", json=body)


def test_a_case_is_filed_under_another_code(client: Any, diarium: Diarium) -> None:
    dnr = client.post("/api/cases", json=CASE).get_json()["dnr"]
    answer = _classify(client, dnr, {"classification": "4.1.2", "classified_on": "2020-03-05"})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["case"]["classification"] == "4.1.2"
    assert client.get(f"/api/cases/{dnr}").get_json()["classification"] == "4.1.2"

    [event] = [e for e in client.get(f"/api/cases/{dnr}/events").get_json()
               if e["type"] == "CaseClassified"]
    assert event["label"] == "Ärende omklassificerat"
    assert event["occurred_on"] == "2020-03-05"
    assert event["data"] == {"classification": "4.1.2", "previous_classification": "2.3.1"}

    feed = client.get("/api/feed?types=case.classified").get_json()["items"]
    assert [(i["case"], i["payload"]) for i in feed] == [
        (dnr, {"classification": "4.1.2", "previous_classification": "2.3.1"})
    ]

    Projector(diarium).catch_up()
    [row] = client.get(f"/api/registers/diary?q={CASE['title'].split()[0]}").get_json()["items"]
    assert (row["dnr"], row["classification"]) == (dnr, "4.1.2")


def test_the_same_code_again_is_refused_and_changes_nothing(client: Any) -> None:
    dnr = client.post("/api/cases", json=CASE).get_json()["dnr"]
    before = client.get(f"/api/cases/{dnr}/events").get_json()
    refused = _classify(client, dnr, {"classification": "2.3.1"})
    assert refused.status_code == 409
    assert refused.get_json()["rule"] == "classification-unchanged"
    assert client.get(f"/api/cases/{dnr}/events").get_json() == before


def test_a_closed_case_is_not_reclassified(client: Any) -> None:
    dnr = client.post("/api/cases", json=CASE).get_json()["dnr"]
    assert client.post(f"/api/cases/{dnr}/close", json={}).status_code == 200
    refused = _classify(client, dnr, {"classification": "4.1.2"})
    assert (refused.status_code, refused.get_json()["rule"]) == (409, "case-closed")


def test_bad_input_names_the_field_and_changes_nothing(client: Any) -> None:
    dnr = client.post("/api/cases", json=CASE).get_json()["dnr"]
    before = client.get(f"/api/cases/{dnr}/events").get_json()
    for body, field in (({}, "classification"), ({"classification": "  "}, "classification"),
                        ({"classification": "x" * 101}, "classification"),
                        ({"classification": "4.1", "classified_on": "i morgon"}, "classified_on"),
                        ({"classification": "4.1", "classified_on": "2999-01-01"},
                         "classified_on")):
        answer = _classify(client, dnr, body)
        assert answer.status_code in (409, 422), body
        assert answer.content_type == "application/problem+json"
        problem = answer.get_json()
        named = [p["name"] for p in problem.get("invalid-params", [])] or [problem.get("field")]
        assert named == [field], (body, problem)
    assert client.get(f"/api/cases/{dnr}/events").get_json() == before


def test_only_registrars_classify(client_as: Any) -> None:
    dnr = client_as("registrar").post("/api/cases", json=CASE).get_json()["dnr"]
    for role in ("officer", "secretary", "auditor"):
        assert _classify(client_as(role), dnr, {"classification": "4.1"}).status_code == 403
