"""The feed's meeting and body items (issue 15, item 8): decided paragraphs, adjustment,
posting, certified corrections, legal force once per decision, the delegation order, and
secrecy markings without content; each item about a case names its dnr and public title."""

from __future__ import annotations

import json
import threading
from datetime import date
from typing import Any

import pytest

from diarium.cases.application import Diarium
from diarium.cases.legal_force import record_legal_force
from diarium.cases.outbound.webhook_delivery import WebhookWorker
from diarium.cases.outbound.webhook_subscriptions import WebhookStore
from diarium.cases.outbound.webhook_targets import ALLOW_NETWORKS_VARIABLE
from diarium.web.cli.main import main
from tests import meetings_support as ms
from tests.webhook_receivers import Receiver

SECRET, OPEN, PROPOSAL = "1310-2020", "1311-2020", "1312-2020"
PUBLIC_TITLE = "Utredning enligt socialtjänstlagen"


def _case(client: Any, dnr: str, title: str, **more: Any) -> None:
    ms.ok(client.post("/api/cases", json={
        "title": title, "responsible_body": "RS", "dnr": dnr, "registered_on": "2020-09-01",
        **more}), 201)


@pytest.fixture
def meeting(client: Any, diarium: Diarium) -> dict[str, int]:
    """RS's meeting: a secret case decided, an open one decided, a proposal to RF; adjusted,
    posted, a correction to the secret paragraph; RS's delegation order changed."""
    ms.setup_bodies(client)
    _case(client, SECRET, "Utredning HEMLIG om Kalle", public_title=PUBLIC_TITLE)
    _case(client, OPEN, "Motion om cykelvägar")
    _case(client, PROPOSAL, "Budget 2021")
    ms.schedule(client)
    ms.attend(client)
    numbers = {}
    for dnr, title, text, kind in [
        (SECRET, "Utredning", "Beviljar HEMLIGBESLUT", "decided"),
        (OPEN, "Motion om cykelvägar", "Motionen bifalls.", "decided"),
        (PROPOSAL, "Budget 2021", "Föreslår fullmäktige att anta budgeten.",
         "proposed_to_higher_body"),
    ]:
        numbers[dnr] = ms.paragraph(client, title, dnr)
        ms.ok(ms.decide(client, numbers[dnr], text, kind=kind,
                  higher_body="RF" if kind != "decided" else None), 201)
    ms.ok(client.post(f"/api/cases/{SECRET}/secrecy", json={
        "statute": "OSL 26:1", "marking_body": "RS", "marked_on": "2020-10-15"}), 201)
    ms.close_and_adjust(client)  # 2020-10-19
    ms.ok(client.post(f"/api/meetings/{ms.REF}/posting", json={"posted_on": "2020-10-20"}))
    ms.ok(client.post(f"/api/meetings/{ms.REF}/corrections", json={
        "paragraph": numbers[SECRET], "corrects": "HEMLIGFEL", "text": "HEMLIGRÄTTELSE",
        "certified_by": [ms.CHAIR, "Glenn Berggård"], "certified_on": "2020-10-22"}), 201)
    ms.ok(client.post("/api/bodies/RS/delegation-points", json={
        "number": "2.3.8", "case_type": "Beslut i enskilda ärenden", "delegate": "linda",
        "decided_on": "2020-01-01"}), 201)
    ms.ok(client.put("/api/bodies/RS/delegation-points/2.3.8", json={
        "case_type": "Beslut i enskilda ärenden", "delegate": "Utskottet",
        "decided_on": "2020-06-01", "decision_reference": "RS § 77"}))
    ms.ok(client.post("/api/bodies/RS/delegation-points/2.3.8/revoke", json={
        "revoked_on": "2020-11-01", "reason": "Ny delegationsordning"}))
    return numbers


def _feed(client: Any, types: str = "") -> list[dict[str, Any]]:
    query = {"limit": 1000, **({"types": types} if types else {})}
    body = ms.ok(client.get("/api/feed", query_string=query))
    assert "hemlig" not in json.dumps(body, ensure_ascii=False).lower()
    return body["items"]


def test_meeting_items_name_the_case_and_its_public_title(
    client: Any, client_as: Any, diarium: Diarium, meeting: dict[str, int]
) -> None:
    service = client_as("service", name="integration")
    items = _feed(service, "meeting.paragraph_decided,meeting.protocol_adjusted,"
                  "meeting.protocol_posted,meeting.correction_certified")
    assert [i["type"] for i in items] == ["meeting.paragraph_decided"] * 3 + [
        "meeting.protocol_adjusted", "meeting.protocol_posted", "meeting.correction_certified"]
    secret, open_, proposal = items[:3]
    assert (secret["case"], secret["case_title"], secret["case_version"]) == (
        SECRET, PUBLIC_TITLE, None)
    assert secret["payload"] == {
        "meeting": ms.REF, "body": "RS", "paragraph": meeting[SECRET], "kind": "decided",
        "text": None, "higher_body": None, "case_decision_number": 1}
    assert secret["withheld"] == ["text"] and secret["business_date"] == "2020-10-14"
    assert (open_["case"], open_["case_title"]) == (OPEN, "Motion om cykelvägar")
    assert open_["payload"]["text"] == "Motionen bifalls." and open_["withheld"] == []
    assert proposal["payload"]["kind"] == "proposed_to_higher_body"
    assert proposal["payload"]["higher_body"] == "RF"
    adjusted, posted, correction = items[3:]
    cases = [
        {"paragraph": meeting[SECRET], "dnr": SECRET, "case_title": PUBLIC_TITLE},
        {"paragraph": meeting[OPEN], "dnr": OPEN, "case_title": "Motion om cykelvägar"},
        {"paragraph": meeting[PROPOSAL], "dnr": PROPOSAL, "case_title": "Budget 2021"},
    ]
    assert adjusted["case"] is None and adjusted["business_date"] == "2020-10-19"
    assert adjusted["payload"] == {"meeting": ms.REF, "body": "RS",
                                   "signed_by": [ms.CHAIR, "Glenn Berggård"], "late": False,
                                   "cases": cases}
    assert posted["business_date"] == "2020-10-20"
    assert posted["payload"] == {"meeting": ms.REF, "body": "RS", "paragraph": None,
                                 "late": False, "appeal_period_ends": "2020-11-10",
                                 "cases": cases}
    assert (correction["case"], correction["case_title"]) == (SECRET, PUBLIC_TITLE)
    assert correction["payload"]["corrects"] is None and correction["payload"]["text"] is None
    assert correction["withheld"] == ["corrects", "text"]
    assert correction["payload"]["certified_by"] == [ms.CHAIR, "Glenn Berggård"]


def test_legal_force_is_recorded_once_per_appealable_decision(
    client: Any, client_as: Any, diarium: Diarium, meeting: dict[str, int]
) -> None:
    service = client_as("service", name="integration")
    assert _feed(service, "decision.legal_force_reached") == []
    today = diarium.today
    diarium.today = lambda: date(2020, 11, 10)  # the last day of the appeal period
    try:
        assert record_legal_force(diarium) == {}
        diarium.today = lambda: date(2020, 11, 11)  # the first day of legal force
        assert record_legal_force(diarium) == {ms.REF: sorted([meeting[SECRET], meeting[OPEN]])}
    finally:
        diarium.today = today
    assert record_legal_force(diarium) == {}  # idempotent: nothing is recorded twice
    items = _feed(service, "decision.legal_force_reached")
    assert [(i["case"], i["payload"]["paragraph"]) for i in items] == [
        (SECRET, meeting[SECRET]), (OPEN, meeting[OPEN])]  # none for the proposal (KL 13:2)
    first = items[0]
    assert first["business_date"] == "2020-11-11" and first["case_title"] == PUBLIC_TITLE
    assert first["payload"] == {
        "meeting": ms.REF, "body": "RS", "paragraph": meeting[SECRET], "kind": "decided",
        "case_decision_number": 1, "posted_on": "2020-10-20",
        "appeal_period_ended": "2020-11-10"}
    history = ms.ok(client.get(f"/api/meetings/{ms.REF}/events"))
    assert sum(e.get("label") == "Laga kraft" for e in history) == 2


def test_the_daily_command_records_legal_force(
    capsys: pytest.CaptureFixture[str], database_url: str, meeting: dict[str, int]
) -> None:
    main(["--database-url", database_url, "meetings", "record-legal-force"])
    main(["--database-url", database_url, "meetings", "record-legal-force"])
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{ms.REF}: § {', '.join(map(str, sorted([meeting[SECRET], meeting[OPEN]])))}",
        "diarium: legal force recorded for 2 decision(s)",
        "diarium: legal force recorded for 0 decision(s)",
    ]


def test_sweeps_at_once_record_each_decision_once(
    client_as: Any, diarium: Diarium, meeting: dict[str, int]
) -> None:
    """Sweeps racing on one meeting collide on its version; the losers are redone from
    fresh state and find nothing left to record."""
    start = threading.Barrier(4)

    def sweep() -> None:
        start.wait()
        record_legal_force(diarium)

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    items = _feed(client_as("service", name="integration"), "decision.legal_force_reached")
    assert sorted(i["payload"]["paragraph"] for i in items) == sorted(
        [meeting[SECRET], meeting[OPEN]])


def test_a_paragraph_posted_on_its_own_runs_on_past_christmas(
    client: Any, client_as: Any, diarium: Diarium
) -> None:
    """An immediately adjusted paragraph posted on its own: its posting names its case, and
    its appeal period (three weeks, ending on Christmas Day) runs on to Monday 28 December."""
    ms.setup_bodies(client)
    _case(client, OPEN, "Motion om cykelvägar")
    ms.schedule(client)
    ms.attend(client)
    number = ms.paragraph(client, "Motion om cykelvägar", OPEN)
    ms.ok(ms.decide(client, number, "Motionen bifalls."), 201)
    ms.ok(client.post(f"/api/meetings/{ms.REF}/paragraphs/{number}/immediate-adjustment", json={
        "signed_by": [ms.CHAIR, "Glenn Berggård"], "adjusted_on": "2020-12-03"}))
    ms.ok(client.post(f"/api/meetings/{ms.REF}/posting", json={
        "posted_on": "2020-12-04", "paragraph": number}))
    assert record_legal_force(diarium) == {ms.REF: [number]}
    service = client_as("service", name="integration")
    adjusted, posted, reached = _feed(
        service, "meeting.paragraph_adjusted,meeting.protocol_posted,"
        "decision.legal_force_reached")
    assert (adjusted["case"], adjusted["payload"]["paragraph"]) == (OPEN, number)
    assert (posted["case"], posted["case_title"]) == (OPEN, "Motion om cykelvägar")
    assert posted["payload"]["appeal_period_ends"] == "2020-12-28"
    assert posted["payload"]["cases"] == [
        {"paragraph": number, "dnr": OPEN, "case_title": "Motion om cykelvägar"}]
    assert reached["business_date"] == "2020-12-29"
    assert reached["payload"]["appeal_period_ended"] == "2020-12-28"


def test_delegation_order_and_secrecy_markings_without_content(
    client_as: Any, meeting: dict[str, int]
) -> None:
    service = client_as("service", name="integration")
    points = _feed(service, "body.delegation_point_added,body.delegation_point_revised,"
                   "body.delegation_point_revoked")
    assert [(i["type"], i["case"], i["business_date"]) for i in points] == [
        ("body.delegation_point_added", None, "2020-01-01"),
        ("body.delegation_point_revised", None, "2020-06-01"),
        ("body.delegation_point_revoked", None, "2020-11-01")]
    assert points[1]["payload"] == {
        "body": "RS", "number": "2.3.8", "case_type": "Beslut i enskilda ärenden",
        "delegate": "Utskottet", "conditions": None, "decision_reference": "RS § 77"}
    assert points[2]["payload"] == {"body": "RS", "number": "2.3.8",
                                    "reason": "Ny delegationsordning",
                                    "decision_reference": None}
    (marked,) = _feed(service, "case.marked_secret")
    assert (marked["case"], marked["case_title"], marked["business_date"]) == (
        SECRET, PUBLIC_TITLE, "2020-10-15")
    assert marked["payload"] == {"statute": "OSL 26:1", "marking_body": "RS", "fields": [
        "title", "origin", "documents", "proposals", "decisions"]}
    (registered,) = [i for i in _feed(service, "case.registered") if i["case"] == OPEN]
    assert registered["case_title"] == "Motion om cykelvägar"


def test_a_service_reads_the_withheld_case_and_paragraph_it_acts_on(
    client_as: Any, meeting: dict[str, int]
) -> None:
    service = client_as("service", name="integration")
    case = service.get(f"/api/cases/{SECRET}")
    paragraph_ = service.get(f"/api/meetings/{ms.REF}/paragraphs/{meeting[SECRET]}")
    for response in (case, paragraph_):
        assert response.status_code == 200
        assert "hemlig" not in response.get_data(as_text=True).lower()
    assert case.get_json()["title"] == PUBLIC_TITLE
    assert paragraph_.get_json()["decision"]["kind"] == "decided"
    assert ms.ok(service.get(f"/api/cases/{OPEN}"))["title"] == "Motion om cykelvägar"
    assert service.get(f"/api/meetings/{ms.REF}").status_code == 403
    assert service.get(f"/api/cases/{SECRET}/events").status_code == 403


def test_webhooks_carry_the_new_types_by_the_same_filter(
    monkeypatch: pytest.MonkeyPatch, diarium: Diarium, meeting: dict[str, int]
) -> None:
    monkeypatch.setenv(ALLOW_NETWORKS_VARIABLE, "127.0.0.0/8")
    record_legal_force(diarium)
    receiver = Receiver()
    worker = WebhookWorker(diarium, poll_interval=0.01)
    try:
        store = WebhookStore(diarium)
        subscription = store.subscribe(
            receiver.url, ["decision.legal_force_reached", "meeting.paragraph_decided"],
            from_position=0)
        assert store.status(subscription["id"])["backlog"] == 5
        while worker.run_once():
            pass
        got = [json.loads(r["body"])["event"] for r in receiver.requests]
        assert [(e["type"], e["case"]) for e in got] == [
            ("meeting.paragraph_decided", SECRET), ("meeting.paragraph_decided", OPEN),
            ("meeting.paragraph_decided", PROPOSAL),
            ("decision.legal_force_reached", SECRET), ("decision.legal_force_reached", OPEN)]
        assert got[0]["payload"]["text"] is None and got[0]["case_title"] == PUBLIC_TITLE
        assert all(b"HEMLIG" not in r["body"] for r in receiver.requests)
    finally:
        worker.close()
        receiver.close()
