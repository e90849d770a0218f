"""Bodies, members, the delegation order and delegated decisions, over HTTP on both backends.

Seed 000: Regionstyrelsen adds points 2.3.8 and 5.10 for its new utskott för Nära vård.
"""

from __future__ import annotations

from typing import Any

from tests import meetings_support as ms

POINT_238 = {
    "number": "2.3.8",
    "case_type": "Beslut om inriktning för hur medel från nationella överenskommelser som "
    "stärker en god och nära vård och psykisk hälsa ska fördelas.",
    "delegate": "Utskottet för Nära vård",
    "conditions": "Gäller övergripande beslut om inriktning och inte beslut om fördelning av "
    "specifika belopp på specifika satsningar.",
    "decided_on": "2022-05-11",
    "decision_reference": "RS 2022-05-11",
}
POINT_510 = {
    "number": "5.10",
    "case_type": "Beslut om strategiska satsningar inom fullmäktiges målbild för Nära vård.",
    "delegate": "Utskottet för Nära vård",
    "decided_on": "2022-05-11",
}


def body(client: Any, code: str = "RS") -> Any:
    return ms.ok(client.get(f"/api/bodies/{code}"))


def unchanged(client: Any, response: Any, rule: str, code: str = "RS") -> None:
    """Refused with ``rule``, and the body kept its version."""
    before = body(client, code)["version"]
    ms.refused(response(), rule)
    assert body(client, code)["version"] == before


def delegated(client: Any, **fields: Any) -> Any:
    decision = {
        "point": "2.3.8", "delegate": "Utskottet för Nära vård", "decided_on": "2022-09-01",
        "text": "Inriktning för medel 2022: nära vård i Norrbottens inland.",
    } | fields
    return client.post("/api/bodies/RS/delegated-decisions", json=decision)


def test_bodies_and_members_with_their_periods(client) -> None:  # type: ignore[no-untyped-def]
    ms.setup_bodies(client)
    ms.ok(client.post("/api/bodies", json={
        "code": "RS-NV", "name": "Utskottet för Nära vård", "kind": "utskott", "parent": "RS",
        "established_on": "2022-05-11"}), 201)
    for name, party, role in [("Kenneth Backgård", "SJVP", "ledamot"),
                              ("Doris Messner", "SJVP", "ersättare")]:
        ms.ok(client.post("/api/bodies/RS-NV/members", json={
            "name": name, "party": party, "role": role, "period_from": "2022-05-11",
            "period_to": "2022-12-31",
            "position": "ordförande" if name == "Kenneth Backgård" else None}), 201)
    nv = body(client, "RS-NV")
    assert (nv["kind"], nv["parent"]) == ("utskott", "RS")
    assert [(m["name"], m["role"], m["position"]) for m in nv["members"]] == [
        ("Kenneth Backgård", "ledamot", "ordförande"), ("Doris Messner", "ersättare", None)]

    rs = body(client)
    assert len(rs["members"]) == 13
    glenn = next(m for m in rs["members"] if m["name"] == "Glenn Berggård")
    assert (glenn["party"], glenn["period_to"], glenn["active"]) == ("V", "2022-12-31", False)
    # one membership at a time; a period ends after it starts
    unchanged(client, lambda: client.post("/api/bodies/RS/members", json={
        "name": "Glenn Berggård", "role": "ersättare", "period_from": "2022-01-01"}),
        "member-already-appointed")
    unchanged(client, lambda: client.post("/api/bodies/RS/members", json={
        "name": "Eva Ek", "role": "ledamot", "period_from": "2023-01-01",
        "period_to": "2022-12-31"}), "membership-period")
    ms.ok(client.post("/api/bodies/RS/members", json={
        "name": "Glenn Berggård", "party": "V", "role": "ledamot", "period_from": "2023-01-01",
        "period_to": "2026-12-31"}), 201)
    # ending a membership
    unchanged(client, lambda: client.post("/api/bodies/RS/members/Glenn Berggård/end", json={
        "ended_on": "2018-06-30"}), "member-not-active")
    ms.ok(client.post("/api/bodies/RS/members/Glenn Berggård/end", json={
        "ended_on": "2020-06-30", "reason": "Avsägelse"}))
    ended = [m for m in body(client)["members"] if m["name"] == "Glenn Berggård"]
    assert [m["ended_on"] for m in ended] == ["2020-06-30", None]


def test_the_delegation_order_is_added_revised_and_revoked(client) -> None:  # type: ignore[no-untyped-def]
    ms.setup_bodies(client)
    ms.ok(client.post("/api/bodies/RS/delegation-points", json=POINT_238), 201)
    ms.ok(client.post("/api/bodies/RS/delegation-points", json=POINT_510), 201)
    unchanged(client, lambda: client.post("/api/bodies/RS/delegation-points", json=POINT_238),
              "delegation-point-exists")
    # KL 6:38: some things are never delegated
    for matter in ("budget", "goals_and_direction", "statement_to_council", "principle"):
        unchanged(client, lambda m=matter: client.post("/api/bodies/RS/delegation-points", json={
            "number": "9.1", "case_type": "Budget", "delegate": "Regiondirektören",
            "matter": m}), "non-delegable")
    ms.ok(client.put("/api/bodies/RS/delegation-points/5.10", json={
        "case_type": POINT_510["case_type"], "delegate": "Regiondirektören",
        "conditions": "Efter samråd med utskottet", "decided_on": "2022-10-01"}))
    unchanged(client, lambda: client.put("/api/bodies/RS/delegation-points/7.7", json={
        "case_type": "x", "delegate": "y"}), "delegation-point-unknown")
    ms.ok(client.post("/api/bodies/RS/delegation-points/2.3.8/revoke", json={
        "revoked_on": "2023-01-01", "reason": "Utskottet avvecklas"}))
    unchanged(client, lambda: client.post("/api/bodies/RS/delegation-points/2.3.8/revoke",
                                          json={}), "delegation-point-revoked")
    unchanged(client, lambda: client.put("/api/bodies/RS/delegation-points/2.3.8", json={
        "case_type": "x", "delegate": "y"}), "delegation-point-revoked")
    order = {p["number"]: p for p in body(client)["delegation_order"]}
    assert order["2.3.8"]["conditions"] == POINT_238["conditions"]
    assert (order["2.3.8"]["revoked_on"], order["2.3.8"]["revocation_reason"]) == (
        "2023-01-01", "Utskottet avvecklas")
    assert [v["delegate"] for v in order["5.10"]["history"]] == [
        "Utskottet för Nära vård", "Regiondirektören"]
    assert (order["5.10"]["delegate"], order["5.10"]["valid_from"]) == (
        "Regiondirektören", "2022-10-01")


def test_a_delegated_decision_needs_a_live_point_naming_its_delegate(client) -> None:  # type: ignore[no-untyped-def]
    ms.setup_bodies(client)
    ms.register_case(client, "1501-2022", "Medel för nära vård 2022")
    ms.ok(client.post("/api/bodies/RS/delegation-points", json=POINT_238), 201)
    ms.ok(client.post("/api/bodies/RS/delegation-points", json=POINT_510), 201)
    ms.ok(client.put("/api/bodies/RS/delegation-points/5.10", json={
        "case_type": POINT_510["case_type"], "delegate": "Regiondirektören",
        "decided_on": "2022-10-01"}))
    ms.ok(client.post("/api/bodies/RS/delegation-points/2.3.8/revoke", json={
        "revoked_on": "2023-01-01"}))

    unchanged(client, lambda: delegated(client, point="4.4"), "delegation-point-unknown")
    unchanged(client, lambda: delegated(client, decided_on="2022-05-10"),
              "delegation-point-unknown")
    unchanged(client, lambda: delegated(client, decided_on="2023-01-02"),
              "delegation-point-revoked")
    unchanged(client, lambda: delegated(client, delegate="Regiondirektören"), "delegate-mismatch")
    unchanged(client, lambda: delegated(client, matter="budget"), "non-delegable")
    unchanged(client, lambda: delegated(client, matter="principle"), "non-delegable")
    # the point as it read on the day of the decision
    unchanged(client, lambda: delegated(client, point="5.10", decided_on="2022-10-02"),
              "delegate-mismatch")
    ms.ok(delegated(client, point="5.10", decided_on="2022-09-30"), 201)
    ms.ok(delegated(client, point="5.10", delegate="Regiondirektören", decided_on="2022-10-02"),
       201)
    written = ms.ok(delegated(client, dnr="1501-2022", decided_on="2022-12-31"), 201)
    assert written["delegated_decision"] == 3
    # nothing was recorded on the case by the refusals; the decision is on it now
    decisions = ms.ok(client.get("/api/cases/1501-2022"))["decisions"]
    assert [(d["delegate"], d["delegation_point"], d["body"]) for d in decisions] == [
        ("Utskottet för Nära vård", "2.3.8", None)]
    assert client.post("/api/bodies/RS/delegated-decisions", json={
        "point": "2.3.8", "delegate": "Utskottet för Nära vård", "decided_on": "2022-09-01",
        "text": "x", "dnr": "9999-2022"}).status_code == 404
    assert len(body(client)["delegated_decisions"]) == 3


def test_delegated_decisions_are_reported_to_the_body_once(client) -> None:  # type: ignore[no-untyped-def]
    ms.setup_bodies(client)
    ms.register_case(client, "1310-2020", "Delegationsbeslut anmälda till regionstyrelsen")
    ms.ok(client.post("/api/bodies/RS/delegation-points", json={
        "number": "1.4", "case_type": "Fullmakter", "delegate": "Regiondirektören",
        "decided_on": "2019-02-13"}), 201)
    for day in ("2020-09-25", "2020-09-28", "2020-10-20"):
        ms.ok(client.post("/api/bodies/RS/delegated-decisions", json={
            "point": "1.4", "delegate": "Regiondirektören", "decided_on": day,
            "text": f"Fullmakt {day}"}), 201)
    ms.schedule(client)
    ms.attend(client)
    assert ms.paragraph(client, "Delegationsbeslut anmälda", "1310-2020") == 160
    report = f"/api/meetings/{ms.REF}/paragraphs/160/delegated-decisions"
    ms.refused(client.post(report, json={"numbers": [9]}), "delegated-decision-unknown")
    ms.refused(client.post(report, json={"numbers": [3]}), "delegated-decision-unknown")  # later
    ms.ok(client.post(report, json={"numbers": [1, 2]}), 201)
    ms.refused(client.post(report, json={"numbers": [2]}), "delegated-decision-reported")
    unreported = ms.ok(client.get("/api/bodies/RS/delegated-decisions?unreported=true"))
    assert [d["number"] for d in unreported] == [3]
    everything = ms.ok(client.get("/api/bodies/RS/delegated-decisions"))
    assert [(d["reported_at"], d["reported_paragraph"]) for d in everything] == [
        (ms.REF, 160), (ms.REF, 160), (None, None)]
    listed = ms.ok(client.get(f"/api/meetings/{ms.REF}/paragraphs/160"))["delegated_decisions"]
    assert [(d["number"], d["decided_on"]) for d in listed] == [
        (1, "2020-09-25"), (2, "2020-09-28")]
    ms.ok(ms.decide(client, 160, "Regionstyrelsen beslutar lägga informationen till handlingarna.",
              "noted"), 201)
