"""Issue 15, items 3-5: quorum (KL 5:42, 6:27), who may reserve or enter a protocol note
(KL 4:27, 6:28), and preparatory decisions, which cannot be appealed (KL 13:2); over HTTP on
both backends."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests import meetings_support as ms
from tests.projections_support import register_reader


def p(number: int, what: str = "", ref: str = ms.REF) -> str:
    return f"/api/meetings/{ref}/paragraphs/{number}{what}"


def refused_unchanged(client: Any, response: Any, rule: str, ref: str = ms.REF) -> dict[str, Any]:
    """``response()`` is refused with ``rule`` and the meeting keeps its version."""
    before = ms.ok(client.get(f"/api/meetings/{ref}"))["version"]
    problem = ms.refused(response(), rule)
    assert ms.ok(client.get(f"/api/meetings/{ref}"))["version"] == before
    return problem


def member(name: str, capacity: str = "ledamot", **extra: Any) -> dict[str, Any]:
    return {"name": name, "capacity": capacity, **extra}


# -- quorum ---------------------------------------------------------------------------------


def test_a_board_decides_only_with_more_than_half_of_its_members_present(client) -> None:  # type: ignore[no-untyped-def]
    """RS has 11 ledamöter: 5 present is no quorum, 6 is; a serving substitute counts, a
    non-serving one does not, nor a member with jäv, nor one who left before the §."""
    ms.setup_bodies(client)
    ms.register_case(client, "411-2020", "Strategisk plan 2021-2023")
    ms.schedule(client)
    five = [member(n) for n in ms.SERVING[:5]]
    ms.attend(client, attendees=[
        *five,
        member("Anita Sköld", "ersättare"),
        member(ms.SERVING[5], to_paragraph=160),
        member("Doris Messner", "tjänstgörande ersättare", replacing=ms.SERVING[6],
               from_paragraph=162),
    ])
    assert ms.paragraph(client, "Strategisk plan 2021-2023", "411-2020") == 160
    assert ms.paragraph(client, "Meddelanden") == 161
    assert ms.paragraph(client, "Val av ombud") == 162
    # § 160: five ledamöter and the one who leaves after it: 6 of 11
    ms.ok(ms.decide(client, 160), 201)
    # § 161: five of 11 (the ersättare does not serve, the sixth has left)
    problem = refused_unchanged(client, lambda: ms.decide(client, 161), "quorum")
    assert "5 of the 11 members of RS" in problem["detail"]
    assert "KL 6:27" in problem["detail"]
    # § 162: the serving substitute makes six; a jäv declaration takes one away again
    ms.ok(client.post(p(162, "/conflicts-of-interest"), json={"member": ms.SERVING[1]}), 201)
    refused_unchanged(client, lambda: ms.decide(client, 162), "quorum")
    ms.ok(client.put(f"/api/meetings/{ms.REF}/attendance", json={
        "chair": ms.CHAIR, "attendees": [
            *five, member(ms.SERVING[5], to_paragraph=160),
            member("Doris Messner", "tjänstgörande ersättare", replacing=ms.SERVING[6],
                   from_paragraph=162),
            member(ms.SERVING[7], from_paragraph=162),
        ]}))
    ms.ok(ms.decide(client, 162, "Regionstyrelsen beslutar utse ombud."), 201)
    # nothing was recorded on the case by the refused decision
    assert [d["paragraph"] for d in ms.ok(client.get("/api/cases/411-2020"))["decisions"]] == [160]


def test_the_council_needs_more_than_half_of_its_members(client) -> None:  # type: ignore[no-untyped-def]
    """The issue's case: a council of four with one member present decided a paragraph."""
    ms.setup_bodies(client)
    council = ["Anna Ek", "Bo Berg", "Cecilia Lund", "David Strand"]
    for name in council:
        ms.ok(client.post("/api/bodies/RF/members", json={
            "name": name, "party": "S", "role": "ledamot", "period_from": "2019-01-01"}), 201)
    ms.ok(client.post("/api/bodies/RF/members", json={
        "name": "Erik Ås", "party": "S", "role": "ersättare", "period_from": "2019-01-01"}),
       201)
    rf = ms.schedule(client, "RF", "2020-11-24")
    ms.ok(client.put(f"/api/meetings/{rf}/attendance", json={
        "chair": "Anna Ek", "attendees": [member("Anna Ek"), member("Erik Ås", "ersättare")]}))
    assert ms.paragraph(client, "Val av justerare", ref=rf) == 1
    problem = refused_unchanged(client, lambda: ms.decide(client, 1, ref=rf), "quorum", ref=rf)
    assert "1 of the 4 members of RF" in problem["detail"]
    assert "KL 5:42" in problem["detail"]
    # two of four is half, not more than half
    ms.ok(client.put(f"/api/meetings/{rf}/attendance", json={
        "chair": "Anna Ek", "attendees": [member("Anna Ek"), member("Bo Berg")]}))
    refused_unchanged(client, lambda: ms.decide(client, 1, ref=rf), "quorum", ref=rf)
    ms.ok(client.put(f"/api/meetings/{rf}/attendance", json={
        "chair": "Anna Ek", "attendees": [
            member("Anna Ek"), member("Bo Berg"),
            member("Erik Ås", "tjänstgörande ersättare", replacing="Cecilia Lund")]}))
    ms.ok(ms.decide(client, 1, "Regionfullmäktige beslutar utse justerare.", ref=rf), 201)
    rule = {r["code"]: r for r in ms.ok(client.get("/api/rules"))}["quorum"]
    assert rule["source"] == "KL 5:42, 6:27"


# -- reservations -------------------------------------------------------------------------


def in_session(client: Any) -> None:
    ms.setup_bodies(client)
    ms.register_case(client, "411-2020", "Strategisk plan 2021-2023")
    ms.schedule(client)
    ms.attend(client)
    assert ms.paragraph(client, "Strategisk plan 2021-2023", "411-2020") == 160


def reserve(client: Any, number: int, name: str) -> Any:
    return client.post(p(number, "/reservations"), json={"member": name})


def test_only_a_member_who_did_not_support_the_decision_reserves(client) -> None:  # type: ignore[no-untyped-def]
    in_session(client)
    ms.ok(ms.motion(client, 160, "Linda Frohm", "bifalla förslaget.", ["Nils-Olov Lindfors"]), 201)
    ms.ok(ms.motion(client, 160, "Glenn Berggård", "avslå.", ["Anders Öberg"]), 201)
    ms.ok(client.post(p(160, "/procedure"), json={"proposals": [1, 2], "votes": {
        ms.CHAIR: "ja", "Linda Frohm": "ja", "Marianne Sandström": "ja",
        "Glenn Berggård": "nej", "Elisabeth Lindberg": "nej", "Carina Strömbäck": "avstår",
    }}), 201)
    ms.ok(ms.decide(client, 160), 201)
    # voted with the majority, moved or supported only the motion adopted, or abstained
    for name in (ms.CHAIR, "Marianne Sandström", "Linda Frohm", "Nils-Olov Lindfors"):
        refused_unchanged(client, lambda n=name: reserve(client, 160, n), "reservation-supported")
    refused_unchanged(client, lambda: reserve(client, 160, "Carina Strömbäck"),
                      "reservation-abstained")
    # voted on the losing side, moved or supported the motion that lost, or took part in
    # the decision without a vote
    for name in ("Elisabeth Lindberg", "Glenn Berggård", "Anders Öberg", "Johannes Sundelin"):
        ms.ok(reserve(client, 160, name), 201)
    codes = {r["code"]: r["source"] for r in ms.ok(client.get("/api/rules"))}
    assert codes["reservation-supported"] == codes["reservation-abstained"] == "KL 4:27"


def test_a_member_who_moved_the_winner_and_supported_a_loser_may_reserve(client) -> None:  # type: ignore[no-untyped-def]
    """Seed 002 § 179: Anders Öberg moved to approve the standing proposal and supported Glenn
    Berggård's addition, which was rejected; he reserved against the decision."""
    in_session(client)
    ms.ok(ms.motion(client, 160, "Glenn Berggård", "ett tillägg.", ["Anders Öberg"]), 201)
    ms.ok(ms.motion(client, 160, None, "Riktlinjen (liggande förslag)."), 201)
    ms.ok(ms.motion(client, 160, "Anders Öberg", "bifalla det liggande förslaget."), 201)
    ms.ok(ms.motion(client, 160, "Marianne Sandström", "ändra punkterna 4 och 6."), 201)
    ms.ok(client.post(p(160, "/procedure"), json={"proposals": [2, 4], "adopted": 2}), 201)
    ms.ok(client.post(p(160, "/procedure"), json={"proposals": [1], "adopted": None}), 201)
    ms.ok(ms.decide(client, 160), 201)
    for name in ("Glenn Berggård", "Anders Öberg", "Marianne Sandström"):
        ms.ok(reserve(client, 160, name), 201)


def test_a_motion_that_won_a_step_and_lost_the_next_did_not_carry(client) -> None:  # type: ignore[no-untyped-def]
    """Motion 1 beats motion 2, then loses to motion 3: who moved 1 did not support the
    decision; who moved 3 did."""
    in_session(client)
    ms.ok(ms.motion(client, 160, "Glenn Berggård", "bifalla med tillägg."), 201)
    ms.ok(ms.motion(client, 160, "Anders Öberg", "avslå."), 201)
    ms.ok(ms.motion(client, 160, "Linda Frohm", "bifalla förslaget."), 201)
    ms.ok(client.post(p(160, "/procedure"), json={"proposals": [1, 2], "adopted": 1}), 201)
    ms.ok(client.post(p(160, "/procedure"), json={"proposals": [3, 1], "adopted": 3}), 201)
    ms.ok(ms.decide(client, 160), 201)
    refused_unchanged(client, lambda: reserve(client, 160, "Linda Frohm"),
                      "reservation-supported")
    for name in ("Glenn Berggård", "Anders Öberg"):
        ms.ok(reserve(client, 160, name), 201)


# -- protocol notes -------------------------------------------------------------------------


def test_a_protocol_note_is_entered_by_serving_members_present_without_jav(client) -> None:  # type: ignore[no-untyped-def]
    in_session(client)
    ms.ok(client.post(p(160, "/conflicts-of-interest"), json={"member": "Linda Frohm"}), 201)
    notes = p(160, "/notes")
    for authors, rule in [
        ("Linda Frohm (M)", "conflict-of-interest"),
        ("Anders Öberg (S) och Linda Frohm (M)", "conflict-of-interest"),
        ("Kalle Okänd", "member-not-present"),
        ("Doris Messner (SJVP)", "member-not-present"),  # present, not serving
        ("Linda Ylivainio", "member-not-present"),  # the secretary
    ]:
        refused_unchanged(client, lambda a=authors: client.post(notes, json={
            "authors": a, "text": "Vi vill anteckna."}), rule)
    ms.ok(client.post(notes, json={"authors": "Anders Öberg (S)", "text": "Yttrande."}), 201)
    ms.ok(client.post(notes, json={
        "authors": "Från socialdemokraternas ledamöter", "text": "Yttrande."}), 201)
    assert [n["authors"] for n in ms.ok(client.get(p(160)))["notes"]] == [
        "Anders Öberg (S)", "Från socialdemokraternas ledamöter"]


# -- preparatory decisions (KL 13:2) --------------------------------------------------------


def a_proposal_and_a_decision(client: Any) -> None:
    """§ 160 proposed to RF (preparatory), § 161 decided."""
    in_session(client)
    proposal = "Regionstyrelsen föreslår regionfullmäktige besluta att anta planen."
    ms.ok(ms.decide(client, 160, proposal, "proposed_to_higher_body", "RF"), 201)
    assert ms.paragraph(client, "Meddelanden") == 161
    ms.ok(ms.decide(client, 161), 201)


def test_a_proposal_to_a_higher_body_has_no_appeal_period(client, diarium) -> None:  # type: ignore[no-untyped-def]
    a_proposal_and_a_decision(client)
    ms.close_and_adjust(client, adjusted_on="2020-10-19")
    ms.ok(client.post(f"/api/meetings/{ms.REF}/posting", json={"posted_on": "2020-10-20"}))
    diarium.today = lambda: date(2020, 12, 1)

    proposal, decided = ms.ok(client.get(p(160))), ms.ok(client.get(p(161)))
    assert proposal["appealable"] is False
    assert "13 kap. 2 § kommunallagen" in proposal["not_appealable_reason"]
    assert proposal["posted_on"] == "2020-10-20"
    assert (proposal["appeal_period_ends"], proposal["legal_force_from"],
            proposal["has_legal_force"]) == (None, None, None)
    assert (decided["appealable"], decided["not_appealable_reason"]) == (True, None)
    assert (decided["appeal_period_ends"], decided["legal_force_from"],
            decided["has_legal_force"]) == ("2020-11-10", "2020-11-11", True)
    meeting = ms.ok(client.get(f"/api/meetings/{ms.REF}"))
    assert [x["appealable"] for x in meeting["paragraphs"]] == [False, True]

    _, items = register_reader(diarium)
    rows = {r["paragraph"]: r for r in items("decisions", meeting=ms.REF)}
    assert (rows[160]["appealable"], rows[160]["legal_force_on"]) == (False, None)
    assert (rows[161]["appealable"], rows[161]["legal_force_on"]) == (True, "2020-11-11")
    assert [r["paragraph"] for r in items("decisions", meeting=ms.REF, legal_force="true")] == [161]

    html = client.get(f"/api/meetings/{ms.REF}/protocol").get_data(as_text=True)
    section_160 = html[html.index('id="p160"'):html.index('id="p161"')]
    section_161 = html[html.index('id="p161"'):]
    sentence = ("Beslutet är av beredande art (förslag till RF) och kan inte överklagas "
                "(13 kap. 2 § kommunallagen).")
    assert sentence in section_160
    assert "kan inte överklagas (13 kap" not in section_161.split("<footer")[0]
    assert "utom för beslut av beredande art" in html


def test_a_proposal_posted_on_its_own_gets_no_appeal_deadline(client, diarium) -> None:  # type: ignore[no-untyped-def]
    a_proposal_and_a_decision(client)
    signed = {"signed_by": [ms.CHAIR, "Glenn Berggård"], "adjusted_on": "2020-10-14"}
    for number, posted_on in ((160, "2020-10-15"), (161, "2020-10-16")):
        ms.ok(client.post(p(number, "/immediate-adjustment"), json=signed))
        ms.ok(client.post(f"/api/meetings/{ms.REF}/posting",
                       json={"posted_on": posted_on, "paragraph": number}))

    _, items = register_reader(diarium)
    appeals = [r["subject"] for r in items("deadlines", kind="appeal-period")]
    assert appeals == [f"Överklagandetiden för protokoll § 161 i {ms.REF} löper ut"]  # not § 160
