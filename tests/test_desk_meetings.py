"""The secretary's desk (web/desk/meetings.py): the meetings list and page, a form for every
meeting command (recorded as the signed-in person, refusals in Swedish at the field), the
bulk forms (attendance, agenda items, extracts, a vote), the protocol's preview and PDF, and
secret paragraphs withheld from a reader without access."""

from __future__ import annotations

from typing import Any

import pytest

from diarium.web.protocol_pdf import PrintingUnavailable, html_to_pdf
from tests import meetings_support as ms
from tests.desk_support import signed_in_clients, submit  # noqa: F401 (the fixture)

AT = f"/app/meetings/{ms.REF}"
SECRETARY = "rs.sekreterare"


def catch_up(app: Any) -> None:
    app.extensions["diarium_projector"].catch_up()


def actors(diarium: Any) -> list[str]:
    return [event.actor for event in diarium.meetings.meeting_history(ms.REF)]


def sent(client: Any, url: str, data: dict[str, Any], status: int = 303) -> Any:
    answer = submit(client, url, data)
    assert answer.status_code == status, answer.get_data(as_text=True)
    return answer


@pytest.fixture
def secretary(client: Any, desk_as: Any) -> Any:
    """RS with its members and a desk session of RS's secretary."""
    ms.setup_bodies(client)
    return desk_as("secretary", name=SECRETARY, bodies=("RS",))


def test_the_secretary_runs_a_meeting_from_agenda_to_extracts(
    app: Any, client: Any, diarium: Any, desk_as: Any, secretary: Any
) -> None:
    ms.register_case(client, "411-2020", "Strategisk plan 2021-2023")
    answer = sent(secretary, "/app/meetings/schedule", {
        "body": "RS", "date": ms.MEETING, "place": "Regionhuset, Luleå", "starts_at": "09.00",
        "scheduled_on": "2020-01-15", "actor": "någon annan"})
    assert answer.headers["Location"] == AT
    sent(secretary, f"{AT}/agenda/bulk", {
        "i-0-kind": "adjusters", "i-0-title": "Val av justerare",
        "i-1-kind": "case", "i-1-title": "Strategisk plan 2021-2023", "i-1-dnr": "411-2020",
        "i-2-kind": "case", "i-2-title": "", "added_on": "2020-09-30"})
    form = secretary.get(f"{AT}/attendance").get_data(as_text=True)
    assert "Kenneth Backgård" in form and "Doris Messner" in form
    members = {f"a-{i}-name": name for i, (name, *_) in enumerate(ms.RS_MEMBERS)}
    present = {f"a-{i}-capacity": "ledamot" for i, (_, _, role, _) in enumerate(ms.RS_MEMBERS)
               if role == "ledamot"}
    sent(secretary, f"{AT}/attendance", {
        **members, **present, "chair": ms.CHAIR, "secretary": "Linda Ylivainio",
        "a-20-name": "Linda Ylivainio", "a-20-capacity": "övrig", "a-20-title": "sekreterare"})
    sent(secretary, f"{AT}/adjusters", {"adjusters": "Glenn Berggård\nAnders Öberg"})
    answer = sent(secretary, f"{AT}/paragraphs", {"title": "Strategisk plan 2021-2023",
                                                  "dnr": "411-2020"})
    assert answer.headers["Location"] == f"{AT}#p160"
    at = f"{AT}/paragraphs/160"
    sent(secretary, f"{at}/motions", {"mover": "Linda Frohm", "text": "bifalla förslaget."})
    sent(secretary, f"{at}/motions", {"mover": "Glenn Berggård", "text": "avslå.",
                                      "supporters": "Anders Öberg"})
    vote = {"proposals": ["1", "2"]}
    for i, (name, vote_cast) in enumerate([(ms.CHAIR, "ja"), ("Linda Frohm", "ja"),
                                           ("Glenn Berggård", "nej"), ("Anders Öberg", "nej"),
                                           ("Marianne Sandström", "ja")]):
        vote |= {f"v-{i}-name": name, f"v-{i}-vote": vote_cast}
    sent(secretary, f"{at}/procedure", vote)
    form = secretary.get(f"{at}/decision").get_data(as_text=True)
    assert "Förslag till överordnat organ</option>" in form and "§ 160" in form  # in Swedish
    sent(secretary, f"{at}/decision", {"kind": "decided", "text": "Regionstyrelsen beslutar "
                                       "att anta planen."})
    sent(secretary, f"{at}/reservations", {"member": "Glenn Berggård"})
    sent(secretary, f"{at}/reservations/Glenn Berggård/reason",
         {"reason": "Planen saknar finansiering."})
    sent(secretary, f"{at}/conflicts-of-interest", {"member": "Nils-Olov Lindfors"})
    sent(secretary, f"{at}/notes", {"authors": "Anders Öberg (S)", "text": "Vi noterar."})
    sent(secretary, f"{at}/attachments", {"title": "Planen", "kind": "bilaga"})
    sent(secretary, f"{at}/extract-recipients", {"recipients": "Ekonomidirektören\nRF"})
    sent(secretary, f"{AT}/close", {"closed_at": "16.10"})
    chair = desk_as("chair", name=ms.CHAIR)
    sent(chair, f"{AT}/adjustment", {"signed_by": f"{ms.CHAIR}\nGlenn Berggård\nAnders Öberg",
                                     "adjusted_on": "2020-10-19"})
    sent(secretary, f"{AT}/posting", {"posted_on": "2020-10-20"})
    page = secretary.get(f"{AT}/extracts").get_data(as_text=True)
    assert "160|Ekonomidirektören" in page and "160|RF" in page
    sent(secretary, f"{AT}/extracts", {"extract": ["160|Ekonomidirektören", "160|RF"],
                                       "sent_on": "2020-10-21"})

    meeting = diarium.meetings.get_meeting(ms.REF)
    assert meeting.status == "posted" and meeting.place == "Regionhuset, Luleå"
    assert [i.title for i in meeting.agenda] == ["Val av justerare", "Strategisk plan 2021-2023"]
    assert meeting.chair == ms.CHAIR and len(meeting.attendees) == len(ms.SERVING) + 1
    (paragraph,) = meeting.paragraphs
    assert [m.supporters for m in paragraph.motions] == [[], ["Anders Öberg"]]
    assert paragraph.procedure[0].votes["Glenn Berggård"] == "nej"
    assert [(r.member, r.reason) for r in paragraph.reservations] == [
        ("Glenn Berggård", "Planen saknar finansiering.")]
    assert [c.member for c in paragraph.conflicts] == ["Nils-Olov Lindfors"]
    assert set(paragraph.extracts) == {"Ekonomidirektören", "RF"}
    assert meeting.signed_by == [ms.CHAIR, "Glenn Berggård", "Anders Öberg"]
    assert set(actors(diarium)) == {SECRETARY, ms.CHAIR}  # never a form field's name

    shown = secretary.get(AT).get_data(as_text=True)
    for text in ("Justeringen anslagen", "§ 160 Strategisk plan 2021-2023", "Planen saknar "
                 "finansiering.", "Nils-Olov Lindfors", "Val av justerare"):
        assert text in shown, text
    catch_up(app)
    listed = secretary.get("/app/meetings?body=RS").get_data(as_text=True)
    assert f'href="{AT}"' in listed and "Justeringen anslagen" in listed
    preview = secretary.get(f"{AT}/protocol")
    assert preview.status_code == 200
    assert "reserverar sig mot beslutet" in preview.get_data(as_text=True)


def test_the_pages_and_forms_follow_the_apis_policy(
    app: Any, client: Any, desk_as: Any, secretary: Any
) -> None:
    ms.schedule(client)
    ms.schedule(client, day="2020-11-14")
    catch_up(app)
    assert secretary.get(AT).status_code == 200
    for form in ("agenda", "agenda/bulk", "attendance", "adjusters", "close", "paragraphs",
                 "extracts", "notice", "posting"):
        assert secretary.get(f"{AT}/{form}").status_code == 200, form
    links = secretary.get(AT).get_data(as_text=True)
    assert f'href="{AT}/attendance"' in links and f'href="{AT}/close"' in links
    other = desk_as("secretary", name="hsn.sekreterare", bodies=("HSN",))
    for form in ("agenda", "agenda/bulk", "attendance", "close", "extracts"):
        answer = other.get(f"{AT}/{form}")
        assert answer.status_code == 403 and "behörighet" in answer.get_data(as_text=True)
    assert ms.REF not in other.get("/app/meetings").get_data(as_text=True)
    assert ms.REF in secretary.get("/app/meetings").get_data(as_text=True)
    later = secretary.get("/app/meetings?meeting_from=2020-11-01").get_data(as_text=True)
    assert "RS-2020-11-14" in later and ms.REF not in later
    wrong = secretary.get("/app/meetings?meeting_from=igår")
    assert wrong.status_code == 422 and "Ange ett datum som ÅÅÅÅ-MM-DD." in wrong.get_data(
        as_text=True)
    officer = desk_as("officer", name="olle")
    assert officer.get(AT).status_code == 200  # a staff reader reads the meeting ...
    page = officer.get(AT).get_data(as_text=True)
    assert f'href="{AT}/attendance"' not in page  # ... and is offered no secretary's form
    assert officer.get(f"{AT}/attendance").status_code == 403
    assert officer.get("/app/meetings/schedule").status_code == 403
    assert secretary.get("/app/meetings/RS-2020-01-01").status_code == 404


def test_refusals_are_in_swedish_at_the_field_and_keep_what_was_typed(
    client: Any, diarium: Any, secretary: Any
) -> None:
    answer = submit(secretary, "/app/meetings/schedule",
                    {"body": "RS", "date": "onsdag", "place": "Kommunhuset"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "Ange ett datum som ÅÅÅÅ-MM-DD." in text
    assert 'value="Kommunhuset"' in text
    ms.schedule(client)
    before = diarium.recorder.max_notification_id()
    answer = submit(secretary, f"{AT}/adjustment", {"signed_by": ms.CHAIR})
    assert answer.status_code == 409 and "regel:" in answer.get_data(as_text=True)
    answer = submit(secretary, f"{AT}/attendance", {"chair": ms.CHAIR, "secretary": "Lisa"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "<li>Närvarande: " in text  # at the field
    assert 'value="Lisa"' in text
    answer = submit(secretary, f"{AT}/agenda/bulk", {"i-0-kind": "case", "i-0-title": "x" * 1001})
    assert answer.status_code == 422 and "Rubrik" in answer.get_data(as_text=True)
    assert diarium.recorder.max_notification_id() == before


def test_a_secret_paragraph_is_withheld_from_a_reader_without_access(
    client: Any, desk_as: Any, secretary: Any
) -> None:
    ms.ok(client.post("/api/cases", json={
        "title": "Utredning HEMLIGTITEL", "public_title": "Utredning enligt socialtjänstlagen",
        "responsible_body": "RS", "dnr": "1310-2020", "registered_on": "2020-09-01"}), 201)
    ms.schedule(client)
    ms.attend(client)
    number = ms.paragraph(client, "Utredning HEMLIGTITEL", "1310-2020")
    ms.ok(ms.decide(client, number, "Regionstyrelsen beslutar HEMLIGBESLUT"), 201)
    ms.ok(client.put(f"/api/meetings/{ms.REF}/paragraphs/{number}/extract-recipients",
                      json={"recipients": ["Socialchefen"]}))
    ms.ok(client.post("/api/cases/1310-2020/secrecy", json={
        "statute": "OSL 26:1", "marking_body": "RS", "marked_on": "2020-09-02"}), 201)
    outsiders = [desk_as("secretary", name="sara"), desk_as("officer", name="olle"),
                 desk_as("secretary", name="hsn.sek", bodies=("HSN",))]
    pages = (AT, f"{AT}/protocol", f"{AT}/extracts", f"{AT}/paragraphs/{number}/procedure")
    for reader in outsiders:
        for url in pages:
            answer = reader.get(url)
            assert answer.status_code in (200, 403), url
            assert "hemlig" not in answer.get_data(as_text=True).lower(), url
    shown = secretary.get(AT).get_data(as_text=True)
    assert "HEMLIGBESLUT" in shown and "Utredning HEMLIGTITEL" in shown
    withheld = outsiders[0].get(AT).get_data(as_text=True)
    assert "Utredning enligt socialtjänstlagen" in withheld and "[sekretess]" in withheld


def test_the_protocol_pdf_is_the_apis(client: Any, secretary: Any, desk_as: Any) -> None:
    try:
        html_to_pdf("<html lang='sv'><title>t</title><p>t</p></html>")
    except PrintingUnavailable:
        pytest.skip("WeasyPrint cannot print here")
    ms.register_case(client, "411-2020", "Strategisk plan 2021-2023")
    ms.schedule(client)
    ms.attend(client)
    ms.paragraph(client, "Strategisk plan 2021-2023", "411-2020")
    answer = secretary.get(f"{AT}/protocol.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.data.startswith(b"%PDF")
    assert f"protokoll-{ms.REF}.pdf" in answer.headers["Content-Disposition"]
    assert desk_as("officer", name="olle").get(f"{AT}/protocol.pdf").status_code == 200


def test_the_other_forms_record_their_commands(
    client: Any, diarium: Any, desk_as: Any, secretary: Any
) -> None:
    """Notice, a single agenda item and its withdrawal, immediate adjustment, a single
    extract, delegated decisions reported and a certified correction."""
    ms.register_case(client, "411-2020", "Strategisk plan 2021-2023")
    ms.ok(client.post("/api/bodies/RS/delegation-points", json={
        "number": "2.3.8", "case_type": "Beslut i enskilda ärenden", "delegate": "linda",
        "decided_on": "2020-01-01"}), 201)
    ms.ok(client.post("/api/bodies/RS/delegated-decisions", json={
        "point": "2.3.8", "delegate": "linda", "decided_on": "2020-09-20",
        "text": "Beslutar om bidrag"}), 201)
    ms.schedule(client)
    sent(secretary, f"{AT}/agenda", {"kind": "notices", "title": "Meddelanden",
                                     "added_on": "2020-09-30"})
    sent(secretary, f"{AT}/agenda", {"kind": "case", "title": "Strategisk plan 2021-2023",
                                     "dnr": "411-2020", "added_on": "2020-09-30"})
    sent(secretary, f"{AT}/notice", {"published_on": "2020-10-07"})
    assert "Lyft ut punkten" in secretary.get(AT).get_data(as_text=True)
    sent(secretary, f"{AT}/agenda/1/withdraw", {"reason": "Inga meddelanden."})
    ms.attend(client)
    number = ms.paragraph(client, "Strategisk plan 2021-2023", "411-2020")
    ms.ok(ms.decide(client, number), 201)
    at = f"{AT}/paragraphs/{number}"
    form = secretary.get(f"{at}/delegated-decisions").get_data(as_text=True)
    assert "Nr 1, punkt 2.3.8" in form and "Beslutar om bidrag" not in form
    sent(secretary, f"{at}/delegated-decisions", {"numbers": "1"})
    sent(secretary, f"{at}/extract-recipients", {"recipients": "Regiondirektören"})
    chair = desk_as("chair", name=ms.CHAIR)
    sent(chair, f"{at}/immediate-adjustment", {"signed_by": f"{ms.CHAIR}\nGlenn Berggård",
                                               "adjusted_on": "2020-10-14"})
    sent(secretary, f"{at}/extracts", {"recipient": "Regiondirektören", "sent_on": "2020-10-15"})
    sent(chair, f"{AT}/corrections", {
        "paragraph": str(number), "corrects": "Fel år", "text": "Rätt år",
        "certified_by": f"{ms.CHAIR}\nGlenn Berggård", "certified_on": "2020-10-16"})
    meeting = diarium.meetings.get_meeting(ms.REF)
    assert meeting.notice_published_on.isoformat() == "2020-10-07"
    assert [i.withdrawn for i in meeting.agenda] == [True, False]
    (paragraph,) = meeting.paragraphs
    assert paragraph.immediately_adjusted_on is not None
    assert set(paragraph.extracts) == {"Regiondirektören"}
    assert [d["number"] for d in paragraph.delegated_decisions] == [1]
    assert [c.text for c in meeting.corrections] == ["Rätt år"]
    assert set(actors(diarium)) - {"tester"} == {SECRETARY, ms.CHAIR}
