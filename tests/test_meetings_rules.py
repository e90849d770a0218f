"""Every rule of meetings and protocols, allowed and refused, over HTTP on both backends.

A refused command answers 409 with the rule's code and leaves the meeting as it was.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from diarium.domain.events import meeting as ev
from tests import meetings_support as ms
from tests.projections_support import ACTOR


def version(client: Any, ref: str = ms.REF) -> int:
    return ms.ok(client.get(f"/api/meetings/{ref}"))["version"]


def refused_unchanged(client: Any, response_of: Any, rule: str, ref: str = ms.REF) -> None:
    """``response_of()`` is refused with ``rule`` and the meeting keeps its version."""
    before = version(client, ref)
    ms.refused(response_of(), rule)
    assert version(client, ref) == before


@pytest.fixture
def session(client):  # type: ignore[no-untyped-def]
    """RS in session on 2020-10-14 with a case paragraph (§ 160) open for decision."""
    ms.setup_bodies(client)
    ms.register_case(client, "411-2020", "Strategisk plan 2021-2023")
    ms.schedule(client)
    ms.attend(client)
    assert ms.paragraph(client, "Strategisk plan 2021-2023", "411-2020") == 160
    return client


def p(number: int = 160, what: str = "") -> str:
    return f"/api/meetings/{ms.REF}/paragraphs/{number}{what}"


# -- conflict of interest ---------------------------------------------------------------


def test_a_member_with_a_conflict_of_interest_takes_no_part(session) -> None:  # type: ignore[no-untyped-def]
    c = session
    ms.ok(c.post(p(what="/conflicts-of-interest"),
                 json={"member": "Linda Frohm", "note": "Styrelse"}),
       201)
    ms.ok(ms.motion(c, 160, None, "Det liggande förslaget."), 201)
    # the others may move, support and vote
    ms.ok(ms.motion(c, 160, "Glenn Berggård", "avslå.", ["Anders Öberg"]), 201)
    refused_unchanged(c, lambda: ms.motion(c, 160, "Linda Frohm", "bifalla."),
                      "conflict-of-interest")
    refused_unchanged(
        c, lambda: ms.motion(c, 160, "Anders Öberg", "återremiss.", ["Linda Frohm"]),
        "conflict-of-interest",
    )
    refused_unchanged(c, lambda: c.post(p(what="/procedure"), json={
        "proposals": [1, 2],
        "votes": {ms.CHAIR: "ja", "Linda Frohm": "ja", "Glenn Berggård": "nej"},
    }), "conflict-of-interest")
    ms.ok(c.post(p(what="/procedure"), json={
        "proposals": [1, 2], "votes": {ms.CHAIR: "ja", "Nils-Olov Lindfors": "ja",
                                       "Glenn Berggård": "nej"}}), 201)
    ms.ok(ms.decide(c, 160), 201)
    refused_unchanged(
        c, lambda: c.post(p(what="/reservations"), json={"member": "Linda Frohm"}),
        "conflict-of-interest",
    )
    ms.ok(c.post(p(what="/reservations"), json={"member": "Glenn Berggård"}), 201)
    # declared once, and only before taking part
    refused_unchanged(
        c, lambda: c.post(p(what="/conflicts-of-interest"), json={"member": "Linda Frohm"}),
        "conflict-of-interest",
    )
    refused_unchanged(
        c, lambda: c.post(p(what="/conflicts-of-interest"), json={"member": "Glenn Berggård"}),
        "conflict-after-participation",
    )
    conflicts = ms.ok(c.get(p()))["conflicts_of_interest"]
    assert conflicts == [{"member": "Linda Frohm", "note": "Styrelse"}]


def test_the_protocol_prints_the_jav_note_or_the_generated_sentence_never_both(session) -> None:  # type: ignore[no-untyped-def]
    c = session
    own = "Linda Frohm (M) anmäler jäv och lämnar sammanträdet under ärendets behandling."
    ms.ok(c.post(p(what="/conflicts-of-interest"), json={"member": "Linda Frohm", "note": own}),
       201)
    ms.ok(c.post(p(what="/conflicts-of-interest"), json={"member": "Anders Öberg"}), 201)
    html = c.get(f"/api/meetings/{ms.REF}/protocol").get_data(as_text=True)
    # the note is the protocol's own sentence: printed once, with no generated one before it
    assert html.count(own) == 1
    assert "Linda Frohm (M) anmäler jäv och deltar inte" not in html
    # without a note, the generated sentence
    assert "Anders Öberg (S) anmäler jäv och deltar inte i behandlingen av ärendet." in html
    # the note is stored as given
    assert ms.ok(c.get(p()))["conflicts_of_interest"][0] == {"member": "Linda Frohm", "note": own}


def test_a_conflict_is_declared_by_a_member_present(session) -> None:  # type: ignore[no-untyped-def]
    refused_unchanged(session, lambda: session.post(p(what="/conflicts-of-interest"), json={
        "member": "Anita Sköld"}), "member-not-present")
    ms.ok(session.post(p(what="/conflicts-of-interest"), json={"member": "Doris Messner"}), 201)


# -- presence -----------------------------------------------------------------------------


def test_only_serving_members_present_move_vote_and_reserve(client) -> None:  # type: ignore[no-untyped-def]
    ms.setup_bodies(client)
    ms.schedule(client)
    ms.attend(client, attendees=[
        {"name": ms.CHAIR, "capacity": "ledamot"},
        {"name": "Glenn Berggård", "capacity": "ledamot"},
        {"name": "Nils-Olov Lindfors", "capacity": "ledamot"},
        {"name": "Elisabeth Lindberg", "capacity": "ledamot"},
        {"name": "Carina Strömbäck", "capacity": "ledamot"},
        {"name": "Anders Öberg", "capacity": "ledamot", "to_paragraph": 160},
        {"name": "Doris Messner", "capacity": "tjänstgörande ersättare",
         "replacing": "Linda Frohm"},
        {"name": "Anita Sköld", "capacity": "ersättare"},
        {"name": "Linda Ylivainio", "capacity": "övrig", "title": "sekreterare"},
    ])
    assert ms.paragraph(client, "Val av protokolljusterare") == 160
    assert ms.paragraph(client, "Fastställande av föredragningslista") == 161
    ms.ok(ms.motion(client, 161, None, "Fastställa föredragningslistan."), 201)
    # a serving substitute moves; a member who left after § 160, an ersättare who does not
    # serve, an official and someone absent do not
    ms.ok(ms.motion(client, 161, "Doris Messner", "lyfta ut ärendet."), 201)
    ms.ok(ms.motion(client, 160, "Anders Öberg", "utse Glenn Berggård."), 201)
    for name in ("Anders Öberg", "Anita Sköld", "Linda Ylivainio", "Marianne Sandström"):
        refused_unchanged(client, lambda n=name: ms.motion(client, 161, n, "x."),
                          "member-not-present")
        refused_unchanged(client, lambda n=name: client.post(p(161, "/procedure"), json={
            "proposals": [1], "votes": {n: "nej", ms.CHAIR: "ja"}}), "member-not-present")
    ms.ok(client.post(p(161, "/procedure"), json={
        "proposals": [1, 2], "votes": {ms.CHAIR: "ja", "Glenn Berggård": "ja",
                                       "Doris Messner": "nej"}}), 201)
    ms.ok(ms.decide(client, 161), 201)
    refused_unchanged(client, lambda: client.post(p(161, "/reservations"), json={
        "member": "Anita Sköld"}), "member-not-present")
    ms.ok(client.post(p(161, "/reservations"), json={"member": "Doris Messner"}), 201)


def test_attendance_follows_membership(client) -> None:  # type: ignore[no-untyped-def]
    ms.setup_bodies(client)
    ms.schedule(client)

    def put(attendees: list[dict[str, Any]], chair: str = ms.CHAIR) -> Any:
        return client.put(f"/api/meetings/{ms.REF}/attendance", json={
            "chair": chair, "attendees": attendees})

    me = {"name": ms.CHAIR, "capacity": "ledamot"}
    refused_unchanged(client, lambda: put([me, {"name": "Doris Messner", "capacity": "ledamot"}]),
                      "attendance-membership")
    refused_unchanged(client, lambda: put([me, {"name": "Eva Ek", "capacity": "ledamot"}]),
                      "attendance-membership")
    refused_unchanged(client, lambda: put([me, {"name": "Glenn Berggård",
                                                "capacity": "tjänstgörande ersättare"}]),
                      "attendance-membership")
    refused_unchanged(client, lambda: put([me, {"name": "Anita Sköld", "capacity": "ersättare"}],
                                          chair="Anita Sköld"), "chair-not-serving")
    ms.ok(put([me, {"name": "Glenn Berggård", "capacity": "ledamot"},
            {"name": "Anita Sköld", "capacity": "ersättare"}]))
    refused_unchanged(client, lambda: client.put(f"/api/meetings/{ms.REF}/adjusters", json={
        "adjusters": ["Anita Sköld"]}), "adjuster-not-present")
    refused_unchanged(client, lambda: client.put(f"/api/meetings/{ms.REF}/adjusters", json={
        "adjusters": [ms.CHAIR]}), "adjuster-not-present")
    ms.ok(client.put(f"/api/meetings/{ms.REF}/adjusters", json={"adjusters": ["Glenn Berggård"]}))
    # a membership that ended before the meeting does not count
    ms.ok(client.post("/api/bodies/RS/members/Glenn Berggård/end", json={
        "ended_on": "2020-06-30", "reason": "Avsägelse"}))
    ms.refused(put([me, {"name": "Glenn Berggård", "capacity": "ledamot"}]),
            "attendance-membership")


# -- reservations -----------------------------------------------------------------------


def test_a_reservation_is_entered_before_the_meeting_closes(session) -> None:  # type: ignore[no-untyped-def]
    c = session
    refused_unchanged(c, lambda: c.post(p(what="/reservations"), json={
        "member": "Glenn Berggård"}), "paragraph-undecided")
    ms.ok(ms.decide(c, 160), 201)
    ms.ok(c.post(p(what="/reservations"), json={"member": "Glenn Berggård"}), 201)
    refused_unchanged(c, lambda: c.post(p(what="/reservations"), json={
        "member": "Glenn Berggård"}), "reservation-entered")
    ms.ok(c.post(f"/api/meetings/{ms.REF}/close", json={}))
    refused_unchanged(c, lambda: c.post(p(what="/reservations"), json={
        "member": "Anders Öberg"}), "reservation-after-close")
    # the written reason may follow until adjustment
    reason = f"{p()}/reservations/Glenn Berggård/reason"
    refused_unchanged(c, lambda: c.put(f"{p()}/reservations/Anders Öberg/reason", json={
        "reason": "x"}), "reservation-unknown")
    ms.ok(c.put(reason, json={"reason": "Skriftlig reservation.", "given_on": "2020-10-15"}))
    ms.ok(c.post(f"/api/meetings/{ms.REF}/adjustment", json={
        "signed_by": [ms.CHAIR, "Glenn Berggård"], "adjusted_on": "2020-10-19"}))
    refused_unchanged(c, lambda: c.put(reason, json={"reason": "Senare."}), "protocol-adjusted")
    assert ms.ok(c.get(p()))["reservations"] == [{
        "member": "Glenn Berggård", "reason": "Skriftlig reservation.",
        "reason_given_on": "2020-10-15"}]


# -- after adjustment nothing changes ---------------------------------------------------


def test_no_paragraph_changes_after_adjustment(session) -> None:  # type: ignore[no-untyped-def]
    c = session
    ms.ok(ms.motion(c, 160, "Glenn Berggård", "avslå."), 201)
    ms.ok(ms.decide(c, 160), 201)
    ms.close_and_adjust(c)
    for attempt in [
        lambda: ms.motion(c, 160, "Anders Öberg", "bifalla."),
        lambda: c.post(p(what="/procedure"), json={"proposals": [1], "adopted": 1}),
        lambda: c.post(p(what="/notes"), json={"authors": "S", "text": "Anteckning"}),
        lambda: c.post(p(what="/attachments"), json={"title": "Bilaga"}),
        lambda: c.put(p(what="/extract-recipients"), json={"recipients": ["Regiondirektör"]}),
        lambda: c.post(p(what="/conflicts-of-interest"), json={"member": "Linda Frohm"}),
        lambda: c.post(f"/api/meetings/{ms.REF}/paragraphs", json={"title": "Ny paragraf"}),
        lambda: c.put(f"/api/meetings/{ms.REF}/adjusters", json={"adjusters": ["Anders Öberg"]}),
        lambda: c.post(f"/api/meetings/{ms.REF}/adjustment", json={
            "signed_by": [ms.CHAIR, "Glenn Berggård"], "adjusted_on": "2020-10-20"}),
    ]:
        refused_unchanged(c, attempt, "protocol-adjusted")
    refused_unchanged(c, lambda: ms.decide(c, 160), "protocol-adjusted")


def test_immediate_adjustment_freezes_one_paragraph(session) -> None:  # type: ignore[no-untyped-def]
    c = session
    assert ms.paragraph(c, "Fastställande av närvarorätt") == 161
    adjust_now = p(160, "/immediate-adjustment")
    signed = {"signed_by": [ms.CHAIR, "Glenn Berggård"], "adjusted_on": "2020-10-14"}
    refused_unchanged(c, lambda: c.post(adjust_now, json=signed), "paragraph-undecided")
    ms.ok(ms.decide(c, 160), 201)
    refused_unchanged(c, lambda: c.post(adjust_now, json={"signed_by": [ms.CHAIR]}),
                      "adjustment-signatories")
    ms.ok(c.post(adjust_now, json=signed))
    refused_unchanged(c, lambda: c.post(p(160, "/notes"), json={"authors": "V", "text": "x"}),
                      "protocol-adjusted")
    refused_unchanged(c, lambda: c.post(adjust_now, json=signed), "protocol-adjusted")
    ms.ok(c.post(p(161, "/notes"), json={"authors": "V", "text": "x"}), 201)  # others still open
    ms.ok(c.put(f"/api/meetings/{ms.REF}/paragraphs/161/extract-recipients", json={
        "recipients": ["Regiondirektör"]}))
    # the paragraph is posted on its own and takes legal force before the rest
    ms.ok(c.post(f"/api/meetings/{ms.REF}/posting",
                 json={"posted_on": "2020-10-15", "paragraph": 160}))
    view = ms.ok(c.get(p(160)))
    assert (view["adjusted_immediately"], view["adjusted_on"]) == (True, "2020-10-14")
    assert (view["posted_on"], view["appeal_period_ends"]) == ("2020-10-15", "2020-11-05")
    assert ms.ok(c.get(p(161)))["adjusted_on"] is None


# -- proposals to a higher body ---------------------------------------------------------


def test_a_proposal_to_a_higher_body_makes_the_case_eligible_for_its_agenda(session) -> None:  # type: ignore[no-untyped-def]
    c = session
    rf = ms.schedule(c, "RF", "2020-11-24")
    agenda = f"/api/meetings/{rf}/agenda"
    item = {"kind": "case", "title": "Strategisk plan", "dnr": "411-2020"}
    refused_unchanged(c, lambda: c.post(agenda, json=item), "agenda-case-not-for-body", ref=rf)
    refused_unchanged(c, lambda: ms.decide(c, 160, "Föreslår RF.", "proposed_to_higher_body"),
                      "higher-body")
    refused_unchanged(c, lambda: ms.decide(c, 160, "Föreslår.", "proposed_to_higher_body", "XX"),
                      "higher-body")
    refused_unchanged(c, lambda: ms.decide(c, 160, "Föreslår.", "proposed_to_higher_body", "RS"),
                      "higher-body")
    refused_unchanged(c, lambda: ms.decide(c, 160, "Beslutar.", "decided", "RF"), "higher-body")
    ms.ok(ms.decide(c, 160, "Regionstyrelsen föreslår regionfullmäktige besluta att anta planen.",
              "proposed_to_higher_body", "RF"), 201)
    refused_unchanged(c, lambda: ms.decide(c, 160), "paragraph-decided")
    ms.ok(c.post(agenda, json=item), 201)
    refused_unchanged(c, lambda: c.post(agenda, json=item), "agenda-case-listed", ref=rf)
    decision = ms.ok(c.get("/api/cases/411-2020"))["decisions"][0]
    assert (decision["kind"], decision["higher_body"], decision["paragraph"]) == (
        "proposed_to_higher_body", "RF", 160)


def test_a_paragraph_on_a_case_needs_it_on_the_agenda(session) -> None:  # type: ignore[no-untyped-def]
    c = session
    ms.register_case(c, "1338-2020", "Förstudie Luleåområdet")
    refused_unchanged(c, lambda: c.post(f"/api/meetings/{ms.REF}/paragraphs", json={
        "title": "Förstudie", "dnr": "1338-2020"}), "case-not-on-agenda")
    ms.ok(c.post(f"/api/meetings/{ms.REF}/agenda", json={
        "kind": "case", "title": "Förstudie", "dnr": "1338-2020"}), 201)
    ms.ok(c.post(f"/api/meetings/{ms.REF}/agenda/2/withdraw", json={"reason": "Lyfts ut"}))
    refused_unchanged(c, lambda: c.post(f"/api/meetings/{ms.REF}/agenda/2/withdraw", json={}),
                      "agenda-item-withdrawn")
    refused_unchanged(c, lambda: c.post(f"/api/meetings/{ms.REF}/paragraphs", json={
        "title": "Förstudie", "dnr": "1338-2020"}), "agenda-item-withdrawn")
    ms.ok(c.post("/api/bodies", json={
        "code": "HSN", "name": "Hälso- och sjukvårdsnämnden", "kind": "nämnd", "parent": "RF",
        "established_on": "2019-01-01"}), 201)
    ms.register_case(c, "55-2020", "Hälso- och sjukvårdsnämndens ärende", body="HSN")
    refused_unchanged(c, lambda: c.post(f"/api/meetings/{ms.REF}/agenda", json={
        "kind": "case", "title": "HSN", "dnr": "55-2020"}), "agenda-case-not-for-body")


# -- decision procedure -------------------------------------------------------------------


def test_a_tie_goes_to_the_chairs_casting_vote(session) -> None:  # type: ignore[no-untyped-def]
    c = session
    ms.ok(ms.motion(c, 160, None, "Det liggande förslaget."), 201)
    ms.ok(ms.motion(c, 160, "Glenn Berggård", "återremiss."), 201)
    ms.ok(ms.motion(c, 160, "Anders Öberg", "avslag."), 201)
    step = p(what="/procedure")
    tie_without_chair = {"Linda Frohm": "ja", "Glenn Berggård": "nej"}
    refused_unchanged(c, lambda: c.post(step, json={
        "proposals": [1, 2], "votes": tie_without_chair}), "casting-vote")
    refused_unchanged(c, lambda: c.post(step, json={
        "proposals": [1, 2], "votes": {**tie_without_chair, ms.CHAIR: "avstår"}}), "casting-vote")
    refused_unchanged(c, lambda: c.post(step, json={
        "proposals": [1, 2, 3], "votes": {ms.CHAIR: "ja"}}), "procedure-proposals")
    refused_unchanged(c, lambda: c.post(step, json={"proposals": [1, 9], "adopted": 1}),
                      "motion-unknown")
    refused_unchanged(c, lambda: c.post(step, json={"proposals": [1, 2], "adopted": 3}),
                      "procedure-proposals")
    refused_unchanged(c, lambda: c.post(step, json={"proposals": [1, 2]}), "procedure-proposals")
    refused_unchanged(c, lambda: c.post(step, json={
        "proposals": [1, 2], "adopted": 1,
        "votes": {**tie_without_chair, ms.CHAIR: "nej"}}), "vote-outcome")
    # the chair votes nej: the tie goes to motion 2
    written = ms.ok(c.post(step, json={"proposals": [1, 2], "votes": {
        **tie_without_chair, ms.CHAIR: "nej", "Anders Öberg": "ja"}}), 201)
    first = written["meeting"]["paragraphs"][0]["procedure"][0]
    assert (first["outcome"], first["casting_vote"]) == (2, True)
    assert first["tally"] == {"ja": 2, "nej": 2, "avstår": 0}
    # a plain majority, and one proposal rejected under proposition
    ms.ok(c.post(step, json={"proposals": [3], "votes": {
        ms.CHAIR: "nej", "Glenn Berggård": "nej", "Anders Öberg": "ja"}}), 201)
    ms.ok(c.post(step, json={"proposals": [3], "adopted": None}), 201)
    procedure = ms.ok(c.get(p()))["procedure"]
    assert [(s["outcome"], s["casting_vote"]) for s in procedure] == [
        (2, True), (None, False), (None, False)]


# -- close, adjust, post ------------------------------------------------------------------


def test_adjustment_by_chair_and_adjusters_with_the_14_days_tracked(session) -> None:  # type: ignore[no-untyped-def]
    c = session
    adjust = f"/api/meetings/{ms.REF}/adjustment"
    signed = [ms.CHAIR, "Glenn Berggård"]
    refused_unchanged(c, lambda: c.post(adjust, json={"signed_by": signed}), "meeting-not-closed")
    ms.ok(c.post(f"/api/meetings/{ms.REF}/close", json={"closed_at": "15.00"}))
    refused_unchanged(c, lambda: c.post(f"/api/meetings/{ms.REF}/close", json={}), "meeting-closed")
    refused_unchanged(c, lambda: c.post(adjust, json={"signed_by": signed}),
                      "paragraph-undecided")
    ms.ok(ms.decide(c, 160), 201)
    refused_unchanged(c, lambda: c.post(adjust, json={"signed_by": [ms.CHAIR]}),
                      "adjustment-signatories")
    refused_unchanged(c, lambda: c.post(adjust, json={
        "signed_by": [*signed, "Anders Öberg"]}), "adjustment-signatories")
    refused_unchanged(c, lambda: c.post(adjust, json={
        "signed_by": signed, "adjusted_on": "2020-10-13"}), "adjustment-date")
    meeting = ms.ok(c.post(adjust, json={"signed_by": signed, "adjusted_on": "2020-10-29"}))
    assert meeting["meeting"]["adjustment_deadline"] == "2020-10-28"
    assert meeting["meeting"]["adjusted_late"] is True
    # the second day after Thursday 29 October is Saturday 31 October (All Saints' Day):
    # the time limit runs on to Monday 2 November (lag 1930:173)
    assert meeting["meeting"]["posting_deadline"] == "2020-11-02"


def test_a_posting_deadline_on_a_saturday_runs_on_to_monday(session) -> None:  # type: ignore[no-untyped-def]
    """Issue 15: adjusted on Thursday 22 October 2020, the second day after is Saturday 24
    October; the posting deadline is Monday 26 October and a Monday posting is not late."""
    c = session
    ms.ok(ms.decide(c, 160), 201)
    ms.close_and_adjust(c, adjusted_on="2020-10-22")
    meeting = ms.ok(c.get(f"/api/meetings/{ms.REF}"))
    assert (meeting["adjustment_deadline"], meeting["adjusted_late"]) == ("2020-10-28", False)
    assert meeting["posting_deadline"] == "2020-10-26"
    ms.ok(c.post(f"/api/meetings/{ms.REF}/posting", json={"posted_on": "2020-10-26"}))
    meeting = ms.ok(c.get(f"/api/meetings/{ms.REF}"))
    assert (meeting["posted_on"], meeting["posted_late"]) == ("2020-10-26", False)
    # three weeks after Monday 26 October: Monday 16 November
    assert meeting["appeal_period_ends"] == "2020-11-16"


def test_late_is_judged_from_the_recorded_dates_by_the_rule(session, diarium) -> None:  # type: ignore[no-untyped-def]
    """A posting recorded as late under the old count (the flag in the event) is shown by
    the rule: adjusted Thursday 22 October 2020, posted Monday 26 October, not late."""
    c = session
    ms.ok(ms.decide(c, 160), 201)
    ms.close_and_adjust(c, adjusted_on="2020-10-22")
    meeting = diarium.meetings.get_meeting(ms.REF)
    meeting.trigger_event(ev.ProtocolPosted, paragraph=None, late=True,
                          occurred_on=date(2020, 10, 26), by=ACTOR)
    diarium.save(meeting)
    view = ms.ok(c.get(f"/api/meetings/{ms.REF}"))
    assert (view["posted_on"], view["posted_late"]) == ("2020-10-26", False)


def test_a_posting_after_the_run_on_deadline_is_late(session) -> None:  # type: ignore[no-untyped-def]
    c = session
    ms.ok(ms.decide(c, 160), 201)
    ms.close_and_adjust(c, adjusted_on="2020-10-22")
    ms.ok(c.post(f"/api/meetings/{ms.REF}/posting", json={"posted_on": "2020-10-27"}))
    meeting = ms.ok(c.get(f"/api/meetings/{ms.REF}"))
    assert (meeting["posted_on"], meeting["posted_late"]) == ("2020-10-27", True)


def test_posting_starts_the_appeal_period_and_legal_force_follows(session, diarium) -> None:  # type: ignore[no-untyped-def]
    c = session
    post = f"/api/meetings/{ms.REF}/posting"
    ms.ok(ms.decide(c, 160), 201)
    refused_unchanged(c, lambda: c.post(post, json={"posted_on": "2020-10-15"}),
                      "posting-before-adjustment")
    ms.close_and_adjust(c, adjusted_on="2020-10-19")
    refused_unchanged(c, lambda: c.post(post, json={"posted_on": "2020-10-18"}),
                      "posting-before-adjustment")
    ms.ok(c.post(post, json={"posted_on": "2020-10-22"}))
    refused_unchanged(c, lambda: c.post(post, json={"posted_on": "2020-10-23"}),
                      "protocol-posted")
    diarium.today = lambda: date(2020, 11, 12)
    meeting = ms.ok(c.get(f"/api/meetings/{ms.REF}"))
    # three weeks from Thursday 22 October: Thursday 12 November; legal force on the 13th
    assert (meeting["posted_late"], meeting["appeal_period_ends"]) == (True, "2020-11-12")
    assert (meeting["legal_force_from"], meeting["has_legal_force"]) == ("2020-11-13", False)
    assert meeting["paragraphs"][0]["has_legal_force"] is False
    diarium.today = lambda: date(2020, 11, 13)
    meeting = ms.ok(c.get(f"/api/meetings/{ms.REF}"))
    assert meeting["has_legal_force"] is True
    assert meeting["paragraphs"][0]["has_legal_force"] is True


# -- corrections and extracts -------------------------------------------------------------


def test_a_correction_after_adjustment_is_a_certified_entry(session) -> None:  # type: ignore[no-untyped-def]
    c = session
    ms.ok(ms.decide(c, 160, "Regionstyrelsen beslutar att anta planen 2012-2023."), 201)
    correction = {"paragraph": 160, "corrects": "2012-2023", "text": "2021-2023",
                  "certified_by": [ms.CHAIR, "Glenn Berggård"], "certified_on": "2020-10-22"}
    url = f"/api/meetings/{ms.REF}/corrections"
    refused_unchanged(c, lambda: c.post(url, json=correction), "correction-before-adjustment")
    ms.close_and_adjust(c)
    refused_unchanged(c, lambda: c.post(url, json={**correction, "certified_by": [ms.CHAIR]}),
                      "correction-certifiers")
    refused_unchanged(c, lambda: c.post(url, json={
        **correction, "certified_by": [ms.CHAIR, "Anders Öberg"]}), "correction-certifiers")
    refused_unchanged(c, lambda: c.post(url, json={**correction, "certified_on": "2020-10-18"}),
                      "correction-before-adjustment")
    ms.ok(c.post(url, json=correction), 201)
    view = ms.ok(c.get(p()))
    assert view["decision"]["text"].endswith("2012-2023.")  # never edited
    assert view["corrections"][0]["text"] == "2021-2023"
    assert ms.ok(c.get(f"/api/meetings/{ms.REF}"))["corrections"] == view["corrections"]


def test_extracts_are_sent_of_adjusted_paragraphs_to_listed_recipients(session) -> None:  # type: ignore[no-untyped-def]
    c = session
    ms.ok(ms.decide(c, 160), 201)
    ms.ok(c.put(p(what="/extract-recipients"), json={
        "recipients": ["Ekonomi- och planeringsdirektör", "Regional utvecklingsdirektör"]}))
    send = p(what="/extracts")
    first = {"recipient": "Ekonomi- och planeringsdirektör", "sent_on": "2020-10-21"}
    refused_unchanged(c, lambda: c.post(send, json=first), "extract-before-adjustment")
    ms.close_and_adjust(c)
    refused_unchanged(c, lambda: c.post(send, json={**first, "sent_on": "2020-10-18"}),
                      "extract-before-adjustment")
    refused_unchanged(c, lambda: c.post(send, json={**first, "recipient": "Regiondirektör"}),
                      "extract-recipient")
    ms.ok(c.post(send, json=first), 201)
    refused_unchanged(c, lambda: c.post(send, json=first), "extract-already-sent")
    unsent = ms.ok(c.get(f"/api/meetings/{ms.REF}/extracts?unsent=true"))
    assert unsent == [{"paragraph": 160, "dnr": "411-2020",
                       "recipient": "Regional utvecklingsdirektör", "sent_on": None}]
    assert ms.ok(c.get("/api/cases/411-2020"))["decisions"][0]["extracts"] == [
        {"recipient": "Ekonomi- och planeringsdirektör", "sent_on": "2020-10-21"}]


# -- numbering ----------------------------------------------------------------------------


def test_paragraphs_run_on_per_body_and_year(client) -> None:  # type: ignore[no-untyped-def]
    ms.setup_bodies(client, last_paragraph=0)
    ms.ok(client.post("/api/bodies/RS/paragraph-years", json={"year": 2020, "last_paragraph": 159}),
       201)
    ms.refused(client.post("/api/bodies/RS/paragraph-years", json={
        "year": 2020, "last_paragraph": 10}), "paragraph-numbering-started")
    september = ms.schedule(client, day="2020-09-16")
    october = ms.schedule(client, day="2020-10-14")
    assert ms.paragraph(client, "Val av justerare", ref=september) == 160
    assert ms.paragraph(client, "Föredragningslista", ref=september) == 161
    assert ms.paragraph(client, "Val av justerare", ref=october) == 162
    # the September meeting cannot take numbers after October's
    refused_unchanged(client, lambda: client.post(f"/api/meetings/{september}/paragraphs",
                                                  json={"title": "Sent"}), "paragraph-order",
                      ref=september)
    # a meeting dated before one with paragraphs cannot start numbering after it
    august = ms.schedule(client, day="2020-08-19")
    refused_unchanged(client, lambda: client.post(f"/api/meetings/{august}/paragraphs",
                                                  json={"title": "Sent"}), "paragraph-order",
                      ref=august)
    assert ms.paragraph(client, "Meddelanden", ref=october) == 163
    # a new year starts from § 1
    january = ms.schedule(client, day="2021-01-20")
    assert ms.paragraph(client, "Val av justerare", ref=january) == 1
    numbering = ms.ok(client.get("/api/bodies/RS/paragraph-years/2020"))
    assert (numbering["first_number"], numbering["last_number"]) == (160, 163)
    assert numbering["last_meeting"] == october


def test_what_has_not_happened_cannot_be_recorded(client, diarium) -> None:  # type: ignore[no-untyped-def]
    diarium.today = lambda: date(2020, 10, 1)
    ms.setup_bodies(client)
    ref = ms.schedule(client, day="2020-10-14")  # scheduling ahead is fine
    refused_unchanged(client, lambda: client.post(f"/api/meetings/{ref}/paragraphs", json={
        "title": "Val av justerare"}), "no-future-date")
    refused_unchanged(client, lambda: client.put(f"/api/meetings/{ref}/attendance", json={
        "chair": ms.CHAIR, "attendees": [{"name": ms.CHAIR, "capacity": "ledamot"}]}),
        "no-future-date")
    diarium.today = lambda: date(2020, 10, 14)
    assert ms.paragraph(client, "Val av justerare", ref=ref) == 160


# -- not found, invalid input, duplicates -------------------------------------------------


def test_unknown_things_are_404_and_invalid_bodies_422(session) -> None:  # type: ignore[no-untyped-def]
    c = session
    for url in ["/api/meetings/RS-2020-01-01", p(999), "/api/bodies/XX",
                "/api/meetings/RS-2020-01-01/protocol", "/api/bodies/XX/delegated-decisions",
                "/api/meetings/RS-2020-01-01/events"]:
        response = c.get(url)
        assert response.status_code == 404, url
        assert response.content_type == "application/problem+json"
    assert c.post(p(999, "/notes"), json={"authors": "V", "text": "x"}).status_code == 404
    assert c.post(f"/api/meetings/{ms.REF}/agenda/99/withdraw", json={}).status_code == 404
    assert c.post("/api/meetings", json={"body": "XX", "date": "2020-10-14"}).status_code == 404
    assert c.post("/api/bodies/RS/members/Nobody/end", json={}).status_code == 404
    for url, body in [
        (f"/api/meetings/{ms.REF}/paragraphs", {"title": ""}),
        (f"/api/meetings/{ms.REF}/paragraphs", {"title": "x", "extra": 1}),
        (p(what="/procedure"), {"proposals": ["1"]}),
        (p(what="/procedure"), {"proposals": [1], "votes": {ms.CHAIR: "kanske"}}),
        (p(what="/decision"), {"kind": "maybe", "text": "x"}),
        ("/api/meetings", {"body": "RS", "date": "2020-13-40"}),
        ("/api/meetings", {"body": "RS", "date": "9999-12-31"}),
        ("/api/bodies", {"code": "R S", "name": "x", "kind": "styrelse"}),
        (f"/api/meetings/{ms.REF}/corrections", {"paragraph": 160}),
    ]:
        response = c.post(url, json=body)
        assert response.status_code == 422, (url, body, response.get_json())
        assert response.get_json()["invalid-params"]
    held = {"body": "RS", "date": "2020-10-14", "scheduled_on": "2020-09-30"}
    ms.refused(c.post("/api/meetings", json=held), "meeting-exists")
    ms.ok(c.post("/api/meetings", json={**held, "session": 2}), 201)
    ms.refused(c.post("/api/bodies", json={"code": "RS", "name": "x", "kind": "styrelse"}),
            "body-exists")
    ms.refused(c.post("/api/bodies", json={"code": "NV", "name": "x", "kind": "utskott",
                                        "parent": "XX"}), "body-parent")


def test_the_api_is_in_the_openapi_document(client) -> None:  # type: ignore[no-untyped-def]
    spec = ms.ok(client.get("/api/openapi.json"))
    paths = spec["paths"]
    for path in [
        "/api/bodies", "/api/bodies/{code}", "/api/bodies/{code}/members",
        "/api/bodies/{code}/delegation-points", "/api/bodies/{code}/delegation-points/{number}",
        "/api/bodies/{code}/delegated-decisions", "/api/meetings", "/api/meetings/{ref}",
        "/api/meetings/{ref}/protocol", "/api/meetings/{ref}/agenda",
        "/api/meetings/{ref}/attendance", "/api/meetings/{ref}/paragraphs",
        "/api/meetings/{ref}/paragraphs/{paragraph}/procedure",
        "/api/meetings/{ref}/paragraphs/{paragraph}/reservations",
        "/api/meetings/{ref}/paragraphs/{paragraph}/conflicts-of-interest",
        "/api/meetings/{ref}/adjustment", "/api/meetings/{ref}/posting",
        "/api/meetings/{ref}/corrections", "/api/meetings/{ref}/extracts",
    ]:
        assert path in paths, path
    assert "Meeting" in spec["components"]["schemas"]
    assert "Paragraph" in spec["components"]["schemas"]
    codes = {r["code"] for r in ms.ok(client.get("/api/rules"))}
    assert {"conflict-of-interest", "member-not-present", "reservation-after-close",
            "protocol-adjusted", "non-delegable", "delegate-mismatch"} <= codes
