"""The protocol of Regionstyrelsen 14 October 2020 (seed 002, §§ 160-180), recorded through
the API and read back element by element; then the case goes on to the council."""

from __future__ import annotations

from typing import Any

from tests.meetings_support import (
    CHAIR,
    REF,
    SERVING,
    attend,
    decide,
    motion,
    ok,
    paragraph,
    register_case,
    schedule,
    setup_bodies,
)

NOTED = "Regionstyrelsen beslutar lägga informationen till handlingarna."
PLAN_DECISION = (
    "Regionstyrelsen föreslår fullmäktige besluta att Strategisk plan 2021-2023 antas med "
    "ändring av att tillfälligt utöka regionala utvecklingsnämndens ram för åren 2021-2023."
)
NOTE_170 = (
    "Anders Öberg (S) lämnar följande yttrande: ”Vi socialdemokrater tycker inte att "
    "förslaget kan tas på styrelsen nu den 14 oktober 2020.”"
)
EXTRACTS_174 = [
    "Verksamhetsdirektör", "Ekonomi- och planeringsdirektör", "Utvecklingsdirektör",
    "Divisionschef Service", "Divisionschefer Närsjukvård", "Divisionschef Länssjukvård",
]
# Paragraphs of the seed recorded briefly (title, dnr, kind)
BRIEF: dict[int, tuple[str, str, str]] = {
    164: ("Meddelanden till regionstyrelsen 2020-10-14", "1334-2020", "noted"),
    165: ("Återrapportering av regionstyrelsens uppdrag till regiondirektören", "1387-2020",
          "decided"),
    166: ("Regiondirektörens rapport", "119-2020", "noted"),
    167: ("Delårsrapport Region Norrbotten augusti 2020", "1326-2020", "proposed_to_higher_body"),
    168: ("Regionala utvecklingsnämndens delårsrapport augusti 2020", "1390-2020",
          "proposed_to_higher_body"),
    171: ("Förstudie av fysisk samlokalisering av verksamheter i Bodenområdet", "1359-2020",
          "decided"),
    172: ("Ny driftsorganisation i Region Norrbotten", "1351-2020", "proposed_to_higher_body"),
    173: ("Överenskommelse om Norrbottens läns landstings tidigare verksamhet", "1316-2020",
          "proposed_to_higher_body"),
    175: ("Inriktningsbeslut gällande införande av centralkassor", "1333-2020", "decided"),
    176: ("Införande av politikerportal", "972-2020", "proposed_to_higher_body"),
    177: ("Vårdval primärvård, uppföljning januari-augusti 2020", "724-2020", "noted"),
    179: ("Riktlinje för jämställdhetsintegrering", "1242-2020", "decided"),
}


def brief(client: Any, number: int) -> None:
    title, dnr, kind = BRIEF[number]
    register_case(client, dnr, title)
    assert paragraph(client, title, dnr) == number
    text = {
        "noted": NOTED,
        "decided": "Regionstyrelsen beslutar enligt förslaget.",
        "proposed_to_higher_body": "Regionstyrelsen föreslår regionfullmäktige besluta "
        "enligt förslaget.",
    }[kind]
    ok(decide(client, number, text, kind, "RF" if kind == "proposed_to_higher_body" else None),
       201)


def record_seed_meeting(client: Any) -> None:
    setup_bodies(client)
    for dnr, title in [
        ("1310-2020", "Delegationsbeslut anmälda till regionstyrelsen 2020-10-14"),
        ("411-2020", "Strategisk plan 2021-2023"),
        ("1338-2020", "Förstudie av fysisk samlokalisering av verksamheter i Luleåområdet"),
        ("1161-2020", "Kartläggning av Länsservice säljverksamhet"),
        ("3602-2019", "Bekräftelse av borgensförbindelse beträffande Kommuninvest"),
        ("266-2020", "Motion 2-2020 om den regionala kollektivtrafikmyndigheten"),
        ("1355-2020", "Fullmakt, projektet Norrbottens elnätsanalys"),
        ("1184-2020", "Yttrande till Socialstyrelsen om samverkan vid utskrivning"),
    ]:
        register_case(client, dnr, title)
    # the delegation order and two delegated decisions to report in § 163
    ok(client.post("/api/bodies/RS/delegation-points", json={
        "number": "1.4", "case_type": "Fullmakter att underteckna ansökningar om projektmedel",
        "delegate": "Regiondirektören", "decided_on": "2019-02-13",
    }), 201)
    ok(client.post("/api/bodies/RS/delegation-points", json={
        "number": "3.2", "case_type": "Yttranden över remisser från myndigheter",
        "delegate": "Verksamhetsdirektören", "conditions": "Ej av principiell beskaffenhet",
        "decided_on": "2019-02-13",
    }), 201)
    ok(client.post("/api/bodies/RS/delegated-decisions", json={
        "point": "1.4", "delegate": "Regiondirektören", "dnr": "1355-2020",
        "decided_on": "2020-09-25",
        "text": "Fullmakt till regionala utvecklingsdirektören att underteckna ansökningar "
        "om utbetalning av projektmedel för projektet Norrbottens elnätsanalys",
    }), 201)
    ok(client.post("/api/bodies/RS/delegated-decisions", json={
        "point": "3.2", "delegate": "Verksamhetsdirektören", "dnr": "1184-2020",
        "decided_on": "2020-09-28",
        "text": "Yttrande till Socialstyrelsen över förslag till upphävande av föreskrift",
    }), 201)

    assert schedule(client) == REF
    for kind, title in [
        ("adjusters", "Val av protokolljusterare"),
        ("agenda", "Fastställande av slutlig föredragningslista"),
        ("other", "Avtal om förstudie, Kiruna nya sjukhus"),
    ]:
        ok(client.post(f"/api/meetings/{REF}/agenda", json={
            "kind": kind, "title": title, "added_on": "2020-09-30"}), 201)
    ok(client.post(f"/api/meetings/{REF}/agenda", json={
        "kind": "delegated_decisions", "title": "Delegationsbeslut anmälda", "dnr": "1310-2020",
        "added_on": "2020-09-30"}), 201)
    attend(client)

    # § 160 Val av protokolljusterare
    assert paragraph(client, "Val av protokolljusterare") == 160
    ok(decide(client, 160, "Regionstyrelsen beslutar att utse ledamoten Glenn Berggård (V) att "
              "jämte ordföranden justera protokollet."), 201)
    # § 161 the agenda, with an item taken off it
    assert paragraph(client, "Fastställande av slutlig föredragningslista") == 161
    ok(client.post(f"/api/meetings/{REF}/agenda/3/withdraw", json={
        "reason": "Återkommer vid ett senare sammanträde"}))
    ok(decide(client, 161, "Regionstyrelsen beslutar att ärendet ”Avtal om förstudie, Kiruna "
              "nya sjukhus” lyfts ut, samt att i övrigt fastställa föredragningslistan."), 201)
    # § 162 no vote, two reservations
    assert paragraph(client, "Fastställande av närvarorätt på sammanträdet") == 162
    ok(motion(client, 162, "Glenn Berggård", "att sammanträdet ska vara öppet.",
              ["Anders Öberg"]), 201)
    ok(motion(client, 162, CHAIR, "att sammanträdet ska vara stängt för allmänheten."), 201)
    ok(client.post(f"/api/meetings/{REF}/paragraphs/162/procedure", json={
        "description": "Ordföranden ställer eget förslag mot Glenn Berggårds förslag och finner "
        "att regionstyrelsen bifaller ordförandens förslag.",
        "proposals": [2, 1], "adopted": 2}), 201)
    ok(decide(client, 162, "Regionstyrelsen beslutar att sammanträdet, mot bakgrund av risk för "
              "smittspridning av Covid-19, ska vara stängt för allmänheten."), 201)
    for member in ("Glenn Berggård", "Anders Öberg"):
        ok(client.post(f"/api/meetings/{REF}/paragraphs/162/reservations",
                       json={"member": member}), 201)
    # § 163 delegated decisions reported
    assert paragraph(client, "Delegationsbeslut anmälda till regionstyrelsen 2020-10-14",
                     "1310-2020") == 163
    ok(client.post(f"/api/meetings/{REF}/paragraphs/163/delegated-decisions",
                   json={"numbers": [1, 2]}), 201)
    ok(client.post(f"/api/meetings/{REF}/paragraphs/163/attachments", json={
        "title": "Delegationsbeslut upphandling 2020-08-20 – 2020-09-16"}), 201)
    ok(decide(client, 163, NOTED, "noted"), 201)
    for number in range(164, 169):
        brief(client, number)
    # § 169 proposed to the council, three reservations, proposals each put to the meeting
    assert paragraph(client, "Strategisk plan 2021-2023", "411-2020") == 169
    ok(motion(client, 169, "Glenn Berggård",
              "avslå det liggande förslaget och bifalla vänsterpartiets förslag."), 201)
    ok(motion(client, 169, "Anders Öberg",
              "avslå det liggande förslaget och bifalla socialdemokraternas förslag."), 201)
    ok(motion(client, 169, "Marianne Sandström",
              "avslå det liggande förslaget och bifalla sverigedemokraternas förslag."), 201)
    ok(motion(client, 169, CHAIR, "bifalla strategisk plan 2021-2023 med justering."), 201)
    ok(client.post(f"/api/meetings/{REF}/paragraphs/169/procedure", json={
        "description": "Ordföranden ställer eget förslag, Glenn Berggårds, Anders Öbergs och "
        "Marianne Sandströms förslag vart och ett under proposition och finner att "
        "regionstyrelsen bifaller det liggande förslaget.",
        "proposals": [4, 1, 2, 3], "adopted": 4}), 201)
    ok(decide(client, 169, PLAN_DECISION, "proposed_to_higher_body", "RF"), 201)
    for member in ("Anders Öberg", "Glenn Berggård", "Marianne Sandström"):
        ok(client.post(f"/api/meetings/{REF}/paragraphs/169/reservations",
                       json={"member": member}), 201)
    ok(client.put(f"/api/meetings/{REF}/paragraphs/169/extract-recipients", json={
        "recipients": ["Ekonomi- och planeringsdirektör", "Regional utvecklingsdirektör",
                       "Verksamhetsdirektör"]}))
    # § 170 a reservation with a protocol note
    assert paragraph(client, "Förstudie av fysisk samlokalisering av verksamheter i "
                     "Luleåområdet", "1338-2020") == 170
    ok(motion(client, 170, None, "Regiondirektören får i uppdrag att genomföra en förstudie."),
       201)
    ok(motion(client, 170, "Anders Öberg", "avslå det liggande förslaget."), 201)
    ok(motion(client, 170, "Marianne Sandström", "bifalla det liggande förslaget."), 201)
    ok(client.post(f"/api/meetings/{REF}/paragraphs/170/procedure", json={
        "proposals": [1, 2], "adopted": 1}), 201)
    ok(decide(client, 170, "Regionstyrelsen beslutar att regiondirektören får i uppdrag att "
              "genomföra en förstudie."), 201)
    ok(client.post(f"/api/meetings/{REF}/paragraphs/170/reservations", json={
        "member": "Anders Öberg"}), 201)
    ok(client.post(f"/api/meetings/{REF}/paragraphs/170/notes", json={
        "authors": "Anders Öberg (S)", "text": NOTE_170}), 201)
    ok(client.put(f"/api/meetings/{REF}/paragraphs/170/extract-recipients", json={
        "recipients": ["Regiondirektör", "Fastighetschef"]}))
    for number in range(171, 174):
        brief(client, number)
    # § 174 note, attachments, six recipients; corrected after adjustment
    assert paragraph(client, "Kartläggning av Länsservice säljverksamhet", "1161-2020") == 174
    ok(decide(client, 174, "Regionstyrelsen beslutar att 1. ge regiondirektören i uppdrag att "
              "ta fram förslag på nödvändiga åtgärder ... 3. lägga rapporten till handlingarna."),
       201)
    ok(client.post(f"/api/meetings/{REF}/paragraphs/174/notes", json={
        "authors": "Från socialdemokraternas ledamöter",
        "text": "Den 21 augusti 2020 meddelade regionen på ett samverkansmöte …"}), 201)
    for title in ("Bilaga 1: Rapport KPMG: Kartläggning av Länsservice säljverksamhet",
                  "Bilaga 2: Rapport Lindahl advokater"):
        ok(client.post(f"/api/meetings/{REF}/paragraphs/174/attachments",
                       json={"title": title}), 201)
    ok(client.put(f"/api/meetings/{REF}/paragraphs/174/extract-recipients", json={
        "recipients": EXTRACTS_174}))
    for number in range(175, 178):
        brief(client, number)
    # § 178 a conflict of interest
    assert paragraph(client, "Bekräftelse av borgensförbindelse beträffande Kommuninvest",
                     "3602-2019") == 178
    ok(client.post(f"/api/meetings/{REF}/paragraphs/178/conflicts-of-interest", json={
        "member": "Linda Frohm"}), 201)
    ok(decide(client, 178, "Regionstyrelsen föreslår regionfullmäktige besluta att bekräfta "
              "borgensförbindelsen.", "proposed_to_higher_body", "RF"), 201)
    ok(client.post(f"/api/meetings/{REF}/paragraphs/178/attachments", json={
        "title": "Skrivelse från Kommuninvest i Sverige AB", "kind": "beslutsunderlag"}), 201)
    brief(client, 179)
    # § 180 three conflicts of interest, and a vote (tied: the chair's casting vote)
    assert paragraph(client, "Motion 2-2020 om den regionala kollektivtrafikmyndigheten",
                     "266-2020") == 180
    for member in ("Anders Öberg", "Ann-Sofie Isaksson", "Johannes Sundelin"):
        ok(client.post(f"/api/meetings/{REF}/paragraphs/180/conflicts-of-interest", json={
            "member": member}), 201)
    ok(motion(client, 180, "Glenn Berggård",
              "bifalla motionens första och andra att-sats och avslå den tredje."), 201)
    ok(motion(client, 180, "Elisabeth Lindberg", "avslå det liggande förslaget.",
              ["Carina Strömbäck"]), 201)
    votes = {
        CHAIR: "ja", "Linda Frohm": "ja", "Glenn Berggård": "ja", "Nils-Olov Lindfors": "nej",
        "Elisabeth Lindberg": "nej", "Carina Strömbäck": "nej", "Marianne Sandström": "ja",
        "Anna-Stina Nordmark Nilsson": "nej",
    }
    ok(client.post(f"/api/meetings/{REF}/paragraphs/180/procedure", json={
        "proposals": [1, 2], "votes": votes}), 201)
    ok(decide(client, 180, "Regionstyrelsen föreslår regionfullmäktige bifalla motionens första "
              "och andra att-sats samt att avslå motionens tredje att-sats.",
              "proposed_to_higher_body", "RF"), 201)
    for member in ("Elisabeth Lindberg", "Carina Strömbäck"):
        ok(client.post(f"/api/meetings/{REF}/paragraphs/180/reservations", json={
            "member": member}), 201)
    ok(client.put(f"/api/meetings/{REF}/paragraphs/180/extract-recipients", json={
        "recipients": ["Regional utvecklingsdirektör"]}))

    # adjustment, a written reason before it, posting, a correction, extracts
    ok(client.post(f"/api/meetings/{REF}/close", json={"closed_at": "16.10"}))
    ok(client.put(f"/api/meetings/{REF}/paragraphs/169/reservations/Glenn Berggård/reason",
                  json={"reason": "Vänsterpartiets förslag till strategisk plan.",
                        "given_on": "2020-10-16"}))
    close_adjusted = "2020-10-19"
    ok(client.post(f"/api/meetings/{REF}/adjustment", json={
        "signed_by": [CHAIR, "Glenn Berggård"], "adjusted_on": close_adjusted}))
    ok(client.post(f"/api/meetings/{REF}/posting", json={"posted_on": "2020-10-20"}))
    ok(client.post(f"/api/meetings/{REF}/corrections", json={
        "paragraph": 174, "corrects": "Protokollsutdrag skickas till: Utvecklingsdirektör",
        "text": "Protokollsutdrag skickas till: Regional utvecklingsdirektör",
        "certified_by": [CHAIR, "Glenn Berggård"], "certified_on": "2020-10-22"}), 201)
    for recipient in EXTRACTS_174[:4]:
        ok(client.post(f"/api/meetings/{REF}/paragraphs/174/extracts", json={
            "recipient": recipient, "sent_on": "2020-10-21"}), 201)
    ok(client.post(f"/api/meetings/{REF}/paragraphs/169/extracts", json={
        "recipient": "Verksamhetsdirektör", "sent_on": "2020-10-21"}), 201)


def test_the_seed_protocol_is_recorded_and_read_back(client) -> None:  # type: ignore[no-untyped-def]
    record_seed_meeting(client)
    meeting = ok(client.get(f"/api/meetings/{REF}"))
    by_number = {p["number"]: p for p in meeting["paragraphs"]}

    assert [p["number"] for p in meeting["paragraphs"]] == list(range(160, 181))
    assert meeting["status"] == "posted"
    assert (meeting["chair"], meeting["secretary"]) == (CHAIR, "Linda Ylivainio")
    assert meeting["adjusters"] == ["Glenn Berggård"]
    serving = [a["name"] for a in meeting["attendees"] if a["capacity"] == "ledamot"]
    assert serving == SERVING
    assert meeting["agenda"][2]["withdrawn"] is True
    assert meeting["agenda"][2]["withdrawal_reason"] == "Återkommer vid ett senare sammanträde"
    # legal dates
    assert meeting["adjustment_deadline"] == "2020-10-28"
    assert (meeting["adjusted_on"], meeting["adjusted_late"]) == ("2020-10-19", False)
    assert meeting["signed_by"] == [CHAIR, "Glenn Berggård"]
    assert meeting["posting_deadline"] == "2020-10-21"
    assert (meeting["posted_on"], meeting["posted_late"]) == ("2020-10-20", False)
    assert meeting["appeal_period_ends"] == "2020-11-10"
    assert meeting["legal_force_from"] == "2020-11-11"
    assert meeting["has_legal_force"] is True
    assert by_number[170]["appeal_period_ends"] == "2020-11-10"

    # § 162: motions, procedure without a vote, two reservations
    p162 = by_number[162]
    assert [(m["mover"], m["supporters"]) for m in p162["motions"]] == [
        ("Glenn Berggård", ["Anders Öberg"]), (CHAIR, [])]
    assert p162["procedure"][0]["proposals"] == [2, 1]
    assert p162["procedure"][0]["outcome"] == 2
    assert p162["procedure"][0]["votes"] is None
    assert [r["member"] for r in p162["reservations"]] == ["Glenn Berggård", "Anders Öberg"]
    # § 163: the delegated decisions reported
    p163 = by_number[163]
    assert p163["dnr"] == "1310-2020"
    assert [(d["delegate"], d["point"], d["dnr"]) for d in p163["delegated_decisions"]] == [
        ("Regiondirektören", "1.4", "1355-2020"), ("Verksamhetsdirektören", "3.2", "1184-2020")]
    assert p163["decision"]["kind"] == "noted"
    assert p163["attachments"][0]["title"].startswith("Delegationsbeslut upphandling")
    body = ok(client.get("/api/bodies/RS"))
    assert [(d["reported_at"], d["reported_paragraph"]) for d in body["delegated_decisions"]] == [
        (REF, 163), (REF, 163)]
    assert ok(client.get("/api/bodies/RS/delegated-decisions?unreported=true")) == []
    # § 169: proposal to the council, three reservations, written reason, extracts
    p169 = by_number[169]
    assert p169["decision"] == {
        "kind": "proposed_to_higher_body", "text": PLAN_DECISION, "higher_body": "RF",
        "case_decision_number": 1}
    assert [m["mover"] for m in p169["motions"]] == [
        "Glenn Berggård", "Anders Öberg", "Marianne Sandström", CHAIR]
    assert p169["procedure"][0]["outcome"] == 4
    assert {r["member"]: (r["reason"], r["reason_given_on"]) for r in p169["reservations"]} == {
        "Anders Öberg": (None, None),
        "Glenn Berggård": ("Vänsterpartiets förslag till strategisk plan.", "2020-10-16"),
        "Marianne Sandström": (None, None),
    }
    assert p169["extracts"] == [
        {"recipient": "Ekonomi- och planeringsdirektör", "sent_on": None},
        {"recipient": "Regional utvecklingsdirektör", "sent_on": None},
        {"recipient": "Verksamhetsdirektör", "sent_on": "2020-10-21"},
    ]
    # § 170: standing proposal, reservation, protocol note
    p170 = by_number[170]
    assert p170["motions"][0]["mover"] is None
    assert p170["notes"] == [{"number": 1, "authors": "Anders Öberg (S)", "text": NOTE_170}]
    assert [r["member"] for r in p170["reservations"]] == ["Anders Öberg"]
    # § 174: note, attachments, correction after adjustment, extracts sent and unsent
    p174 = by_number[174]
    assert p174["notes"][0]["authors"] == "Från socialdemokraternas ledamöter"
    assert [a["title"][:8] for a in p174["attachments"]] == ["Bilaga 1", "Bilaga 2"]
    assert p174["corrections"] == [{
        "number": 1, "paragraph": 174,
        "corrects": "Protokollsutdrag skickas till: Utvecklingsdirektör",
        "text": "Protokollsutdrag skickas till: Regional utvecklingsdirektör",
        "certified_by": [CHAIR, "Glenn Berggård"], "certified_on": "2020-10-22"}]
    assert [e["recipient"] for e in p174["extracts"] if e["sent_on"]] == EXTRACTS_174[:4]
    # § 178 and § 180: conflicts of interest; § 180 a tied vote decided by the chair
    assert [c["member"] for c in by_number[178]["conflicts_of_interest"]] == ["Linda Frohm"]
    p180 = by_number[180]
    assert [c["member"] for c in p180["conflicts_of_interest"]] == [
        "Anders Öberg", "Ann-Sofie Isaksson", "Johannes Sundelin"]
    step = p180["procedure"][0]
    assert step["tally"] == {"ja": 4, "nej": 4, "avstår": 0}
    assert (step["casting_vote"], step["outcome"]) == (True, 1)
    assert step["votes"]["Elisabeth Lindberg"] == "nej"
    assert [r["member"] for r in p180["reservations"]] == ["Elisabeth Lindberg", "Carina Strömbäck"]
    assert p180["motions"][1]["supporters"] == ["Carina Strömbäck"]

    # the extracts still to send
    unsent = ok(client.get(f"/api/meetings/{REF}/extracts?unsent=true"))
    assert {(e["paragraph"], e["recipient"]) for e in unsent} == {
        (169, "Ekonomi- och planeringsdirektör"), (169, "Regional utvecklingsdirektör"),
        (170, "Regiondirektör"), (170, "Fastighetschef"),
        (174, "Divisionschefer Närsjukvård"), (174, "Divisionschef Länssjukvård"),
        (180, "Regional utvecklingsdirektör"),
    }
    assert len(ok(client.get(f"/api/meetings/{REF}/extracts"))) == len(unsent) + 5

    # the cases carry the decisions, delegated ones included
    plan = ok(client.get("/api/cases/411-2020"))
    assert [(d["body"], d["paragraph"], d["higher_body"]) for d in plan["decisions"]] == [
        ("RS", 169, "RF")]
    assert plan["decisions"][0]["extracts"] == [
        {"recipient": "Verksamhetsdirektör", "sent_on": "2020-10-21"}]
    delegated = ok(client.get("/api/cases/1355-2020"))["decisions"][0]
    assert (delegated["delegate"], delegated["delegation_point"]) == ("Regiondirektören", "1.4")

    # every element is in the history, as events
    types = {e["type"] for e in ok(client.get(f"/api/meetings/{REF}/events"))}
    assert {
        "MeetingScheduled", "AgendaItemAdded", "AgendaItemWithdrawn", "AttendanceRecorded",
        "AdjustersElected", "ParagraphRecorded", "MotionMade", "ProcedureStepRecorded",
        "ParagraphDecided", "ReservationEntered", "ReservationReasonGiven",
        "ConflictOfInterestDeclared", "ProtocolNoteEntered", "AttachmentAdded",
        "ExtractRecipientsListed", "DelegatedDecisionsListed", "MeetingClosed",
        "ProtocolAdjusted", "ProtocolPosted", "CorrectionCertified", "ExtractSent",
    } <= types


def test_the_protocol_reads_like_the_seed(client) -> None:  # type: ignore[no-untyped-def]
    record_seed_meeting(client)
    response = client.get(f"/api/meetings/{REF}/protocol")
    assert response.status_code == 200
    assert response.content_type.startswith("text/html")
    html = response.get_data(as_text=True)
    for expected in [
        "Regionstyrelsen", "14 oktober 2020", "§ 160", "§ 180",
        "Glenn Berggård (V) och Anders Öberg (S) reserverar sig mot beslutet.",
        "Anders Öberg (S), Glenn Berggård (V) och Marianne Sandström (SD) reserverar sig mot "
        "beslutet.",
        "Linda Frohm (M) anmäler jäv och deltar inte i behandlingen av ärendet.",
        "Protokollsanteckning", "Rättelse bestyrks", "Protokollsutdrag skickas till",
        "Divisionschef Länssjukvård", "Beslutsgång", "Ordförandens utslagsröst avgör.",
        "Regionstyrelsens beslut", "Följande delegationsbeslut redovisas",
        "Dnr 411-2020", "Överklagandetiden går ut 10 november 2020",
        "Glenn Berggård (V) föreslår att sammanträdet ska vara öppet.",
        "Anders Öberg (S) stödjer Glenn Berggårds förslag.",
    ]:
        assert expected in html, expected
    assert html.index("§ 169") < html.index("§ 170")


def test_a_proposal_to_the_council_puts_the_case_on_its_way(client) -> None:  # type: ignore[no-untyped-def]
    record_seed_meeting(client)
    rf = schedule(client, "RF", "2020-11-24")
    ok(client.post(f"/api/meetings/{rf}/agenda", json={
        "kind": "case", "title": "Strategisk plan 2021-2023", "dnr": "411-2020",
        "added_on": "2020-11-02"}), 201)
    # RF numbers its own paragraphs, from § 1
    assert paragraph(client, "Strategisk plan 2021-2023", "411-2020", ref=rf) == 1
