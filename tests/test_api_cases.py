"""The case API over HTTP (Flask test client) on both backends: lifecycle and error contract."""

from __future__ import annotations

from typing import Any

import pytest

from tests.bodies_support import diarium_with_bodies, establish_bodies  # noqa: F401

CASE = {
    "title": "Förstudie av fysisk samlokalisering av verksamheter i Luleåområdet",
    "responsible_body": "RS",
    "registered_on": "2020-09-22",
    "unit": "Regiondirektörens stab",
}
ACTOR = {"X-Request-ID": "req-42"}  # the actor itself comes from the bearer token


def post(client: Any, path: str, body: Any, status: int) -> dict[str, Any]:
    response = client.post(path, json=body, headers=ACTOR)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def register(client: Any, **fields: Any) -> str:
    return post(client, "/api/cases", {**CASE, **fields}, 201)["dnr"]


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status
    assert body["type"] and body["title"]
    return body


def test_full_lifecycle_over_http(client_as: Any) -> None:
    client = client_as(name="anna.registrator")  # every role
    linda = client_as("officer", name="Linda")  # the case officer works her own case
    response = client.post("/api/cases", json=CASE, headers=ACTOR)
    assert response.status_code == 201
    dnr = response.get_json()["dnr"]
    assert dnr == "1-2020"
    assert response.headers["Location"] == f"/api/cases/{dnr}"
    assert response.get_json()["position"] >= 1

    base = f"/api/cases/{dnr}"
    post(
        client,
        f"{base}/documents",
        {
            "direction": "incoming",
            "date": "2020-09-22",
            "counterpart": "Luleå kommun",
            "description": "Skrivelse om samlokalisering",
        },
        201,
    )
    client.put(f"{base}/officer", json={"officer": "Linda", "assigned_on": "2020-09-23"})
    post(
        linda,
        f"{base}/referrals",
        {
            "recipients": ["HSN", "RUN"],
            "sent_on": "2020-09-25",
            "answer_by": "2020-10-09",
            "document_number": 1,
        },
        201,
    )
    post(
        client,
        f"{base}/referrals/1/answers",
        {"recipient": "HSN", "answered_on": "2020-10-05"},
        201,
    )
    post(
        linda,
        f"{base}/proposals",
        {
            "points": ["Godkänna förstudien", "Uppdra åt regiondirektören"],
            "summary": "Förstudien visar att en samlokalisering är möjlig.",
            "proposed_on": "2020-10-01",
        },
        201,
    )
    post(
        client,
        f"{base}/decisions",
        {
            "kind": "decided",
            "text": "Regionstyrelsen beslutar godkänna förstudien.",
            "decided_on": "2020-10-14",
            "body": "RS",
            "paragraph": 170,
            "historical": {"source": "W3D3"},
        },
        201,
    )
    post(
        client,
        f"{base}/decisions/1/extracts",
        {"recipient": "Regiondirektör", "sent_on": "2020-10-20"},
        201,
    )
    written = post(client, f"{base}/close", {"closed_on": "2020-11-02"}, 200)

    case = client.get(base).get_json()
    assert case == written["case"]
    assert case["status"] == "closed"
    assert case["officer"] == "Linda"
    assert case["documents"][0]["counterpart"] == "Luleå kommun"
    assert case["referrals"][0]["answers"] == [{"recipient": "HSN", "answered_on": "2020-10-05"}]
    assert case["referrals"][0]["outstanding"] == ["RUN"]
    assert case["proposals"][0]["points"][1] == "Uppdra åt regiondirektören"
    assert case["decisions"][0]["paragraph"] == 170
    assert case["decisions"][0]["extracts"] == [
        {"recipient": "Regiondirektör", "sent_on": "2020-10-20"}
    ]
    assert case["version"] == 9

    history = client.get(f"{base}/events").get_json()
    assert [e["type"] for e in history] == [
        "CaseRegistered",
        "DocumentRegistered",
        "CaseOfficerAssigned",
        "ReferralSent",
        "ReferralAnswered",
        "ProposalRecorded",
        "DecisionRecorded",
        "ProtocolExtractSent",
        "CaseClosed",
    ]
    assert [e["version"] for e in history] == list(range(1, 10))
    assert history[0]["actor"] == "anna.registrator"
    assert history[0]["request_id"] == "req-42"
    assert history[6]["occurred_on"] == "2020-10-14"
    assert history[6]["data"]["text"] == "Regionstyrelsen beslutar godkänna förstudien."
    assert history[0]["recorded_at"] >= "2026"  # recorded now, concerning 2020


def test_reopen_and_cancel_over_http(client: Any) -> None:
    dnr = register(client)
    post(client, f"/api/cases/{dnr}/close", {}, 200)
    assert (
        post(client, f"/api/cases/{dnr}/reopen", {"reason": "Ny handling"}, 200)["case"]["status"]
        == "open"
    )
    other = register(client)
    assert (
        post(client, f"/api/cases/{other}/cancel", {"reason": "Dubblett"}, 200)["case"]["status"]
        == "cancelled"
    )


REFUSALS = [
    # (setup steps, command path suffix, body, rule)
    (
        [("close", {})],
        "documents",
        {"direction": "incoming", "date": "2020-10-01", "description": "x"},
        "case-closed",
    ),
    (
        [("close", {})],
        "decisions",
        {"kind": "decided", "text": "t", "decided_on": "2020-10-14", "body": "RS", "paragraph": 1,
         "historical": {"source": "W3D3"}},
        "case-closed",
    ),
    ([], "referrals/1/answers", {"recipient": "HSN"}, "referral-not-sent"),
    ([], "reopen", {"reason": "r"}, "reopen-only-closed"),
    ([("cancel", {"reason": "d"})], "reopen", {"reason": "r"}, "case-cancelled"),
    ([("close", {})], "close", {}, "close-only-open"),
    ([], "decisions/1/extracts", {"recipient": "R"}, "decision-unknown"),
    (
        [],
        "decisions",
        {"kind": "decided", "text": "t", "decided_on": "2020-10-14"},
        "decision-maker",
    ),
    (
        [],
        "documents",
        {"direction": "incoming", "date": "2999-01-01", "description": "x"},
        "no-future-date",
    ),
    (
        [
            (
                "decisions",
                {
                    "kind": "noted",
                    "text": "t",
                    "decided_on": "2020-10-14",
                    "body": "RS",
                    "paragraph": 1,
                    "historical": {"source": "W3D3"},
                },
            )
        ],
        "cancel",
        {"reason": "r"},
        "cancel-after-decision",
    ),
]


@pytest.mark.parametrize(("setup", "path", "body", "rule"), REFUSALS)
def test_refused_commands_name_their_rule_and_change_nothing(
    client, setup, path, body, rule
) -> None:  # type: ignore[no-untyped-def]
    dnr = register(client)
    for step, step_body in setup:
        assert client.post(f"/api/cases/{dnr}/{step}", json=step_body).status_code in (200, 201)
    before = client.get(f"/api/cases/{dnr}/events").get_json()
    problem = assert_problem(client.post(f"/api/cases/{dnr}/{path}", json=body), 409)
    assert problem["rule"] == rule
    assert problem["type"] == "/problems/rule-violation"
    assert client.get(f"/api/cases/{dnr}/events").get_json() == before


def test_officer_unchanged_is_refused(client: Any) -> None:
    dnr = register(client, officer="Linda")
    problem = assert_problem(
        client.put(f"/api/cases/{dnr}/officer", json={"officer": "Linda"}), 409
    )
    assert problem["rule"] == "officer-unchanged"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"title", "responsible_body"}),
        ({**CASE, "title": "   "}, {"title"}),
        ({**CASE, "registered_on": "14 oktober"}, {"registered_on"}),
        ({**CASE, "surprise": 1}, {"surprise"}),
        ({**CASE, "title": 7}, {"title"}),
        ({**CASE, "title": "x" * 1001}, {"title"}),
        ([CASE], {"_schema"}),
    ],
)
def test_invalid_bodies_get_422_with_the_fields_at_fault(client, body, fields) -> None:  # type: ignore[no-untyped-def]
    problem = assert_problem(client.post("/api/cases", json=body), 422)
    assert {p["name"] for p in problem["invalid-params"]} == fields
    assert all(p["reason"] for p in problem["invalid-params"])
    assert client.get("/api/cases/1-2020").status_code == 404  # nothing was registered


def test_invalid_nested_fields_are_named(client: Any) -> None:
    dnr = register(client, officer="tester")  # referrals: the officer's own case
    problem = assert_problem(
        client.post(
            f"/api/cases/{dnr}/referrals",
            json={"recipients": ["HSN", ""], "answer_by": "2020-10-01"},
        ),
        422,
    )
    assert [p["name"] for p in problem["invalid-params"]] == ["recipients.1"]


def test_not_json_is_a_400_problem(client: Any) -> None:
    assert_problem(client.post("/api/cases", data="title=x"), 400)
    assert_problem(
        client.post("/api/cases", data="{not json", content_type="application/json"), 400
    )


def test_unknown_case_and_route_are_404_problems(client: Any) -> None:
    problem = assert_problem(client.get("/api/cases/999-2020"), 404)
    assert problem["dnr"] == "999-2020"
    assert_problem(client.get("/api/cases/999-2020/events"), 404)
    assert_problem(client.post("/api/cases/999-2020/close", json={}), 404)
    assert_problem(client.get("/api/nothing-here"), 404)
    assert_problem(client.delete("/api/cases/1-2020"), 405)


def test_oversized_body_is_refused(client: Any) -> None:
    assert_problem(client.post("/api/cases", json={**CASE, "title": "x" * 2_000_000}), 413)


def test_dnr_with_slash_is_addressable(database_url: str) -> None:
    from diarium.cases.application import Diarium
    from diarium.cases.tokens import TokenStore
    from diarium.domain.dnr import DnrSeries
    from diarium.web import create_app

    diarium = Diarium(
        database_url, create_tables=True, series=DnrSeries({"RS": "RS {year}/{sequence}"})
    )
    establish_bodies(diarium)
    client = create_app(diarium).test_client()
    token, _ = TokenStore.for_application(diarium).issue(name="anna", roles=["registrar"])
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    dnr = post(client, "/api/cases", {**CASE, "series": "RS", "registered_on": "2021-03-01"}, 201)[
        "dnr"
    ]
    assert dnr == "RS 2021/1"
    assert client.get("/api/cases/RS 2021/1").get_json()["dnr"] == dnr
    assert client.get("/api/cases/RS%202021%2F1/events").status_code == 200
    post(
        client,
        "/api/cases/RS 2021/1/documents",
        {"direction": "drawn_up", "date": "2021-03-01", "description": "PM"},
        201,
    )
    diarium.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]


def test_openapi_documents_every_api_route(client: Any) -> None:
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    documented = {
        (path, method.upper())
        for path, item in spec["paths"].items()
        for method in item
        if method != "parameters"
    }
    app_routes = {
        (rule.rule.replace("<path:dnr>", "{dnr}").replace("<int:number>", "{number}"), method)
        for rule in client.application.url_map.iter_rules()
        if rule.rule.startswith("/api/") and rule.rule != "/api/openapi.json"
        and not rule.rule.startswith("/api/docs")  # the description's own page (Swagger UI)
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    missing = {
        r
        for r in app_routes
        if not any(r[1] == d[1] and _same_path(r[0], d[0]) for d in documented)
    }
    assert not missing
    schemas = spec["components"]["schemas"]
    assert {"RegisterCase", "Case", "Written", "Event", "Problem"} <= set(schemas)


def _same_path(flask_path: str, spec_path: str) -> bool:
    import re

    normal = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", flask_path)
    return normal == spec_path


def test_rules_and_series_are_listed(client: Any) -> None:
    rules = {r["code"]: r for r in client.get("/api/rules").get_json()}
    assert {"case-closed", "dnr-taken", "referral-not-sent"} <= set(rules)
    assert rules["non-delegable"]["source"] == "KL 6:38"  # each rule names its legal source
    assert rules["case-closed"]["source"] is None
    assert client.get("/api/series").get_json() == [
        {"series": "default", "pattern": "{sequence}-{year}"}
    ]


def test_healthz_reports_the_store(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["store"] == "reachable"
