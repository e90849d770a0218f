"""The desk's forms for every case command (web/desk/case_forms.py): each renders for a role
its API route allows and is refused (in Swedish) for one it refuses; a good form records the
command as the signed-in person; a bad one shows the Swedish error next to its field, keeps
what was typed and records nothing; a rule broken is shown in Swedish; a document is
registered with its file, and a refused file is named next to the file field."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

from diarium.web.auth import policy_of
from diarium.web.desk.case_forms import FORMS, WITHOUT_FORM
from tests.bodies_support import diarium_with_bodies  # noqa: F401 (the fixture)
from tests.desk_support import csrf_of, signed_in_clients, submit  # noqa: F401
from tests.files_support import pdf_bytes

OFFICER = "olle"
# a value for each variable of a form's URL
VALUES = {"dnr": None, "referral_number": "1", "decision_number": "1", "document_number": "1",
          "code": "RS"}


def _register(client: Any, **fields: str) -> str:
    """Register a case through the desk's form; its dnr."""
    answer = submit(client, "/app/cases/register", {
        "title": "Bygglov för förråd", "responsible_body": "RS", "officer": OFFICER, **fields})
    assert answer.status_code == 303, answer.get_data(as_text=True)
    return str(answer.headers["Location"].removeprefix("/app/cases/"))


def _with_file(client: Any, url: str, data: dict[str, Any], content: bytes,
               name: str = "brev.pdf", media_type: str = "application/pdf") -> Any:
    """Send the file form at ``url`` as a browser does (multipart, with its CSRF token)."""
    token = csrf_of(client, url)
    return client.post(url, content_type="multipart/form-data", data={
        **data, "csrf_token": token, "file": (io.BytesIO(content), name, media_type)})


def _url(rule: str, dnr: str) -> str:
    values = {**VALUES, "dnr": dnr}
    return re.sub(r"<(?:[a-z]+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule)


def _form_rules(app: Any) -> dict[str, str]:
    """Each case form's API endpoint and its desk URL rule (the meetings' have their own
    tests: tests/test_desk_meetings.py)."""
    registered = app.extensions["diarium_desk_forms"]
    rules = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    return {form.endpoint: rules[registered[form.endpoint][1]] for form in FORMS}


def test_every_command_route_a_registrar_or_officer_may_call_has_a_form(app: Any) -> None:
    """Walk the URL map: each API command route whose policy grants a registrar or an officer
    has a desk form, or is a documented exception (case_forms.WITHOUT_FORM)."""
    forms = app.extensions["diarium_desk_forms"]
    missing = sorted(
        rule.endpoint for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/") and rule.methods & {"POST", "PUT", "PATCH", "DELETE"}
        and policy_of(app.view_functions[rule.endpoint]).roles & {"registrar", "officer"}
        and rule.endpoint not in forms and rule.endpoint not in WITHOUT_FORM
    )
    assert missing == [], f"give these a desk form (web/desk/case_forms.py): {missing}"
    assert len(FORMS) >= 21
    assert not set(WITHOUT_FORM) & set(forms)


def test_every_form_renders_for_an_allowed_role_and_is_refused_for_another(
    app: Any, diarium: Any, desk_as: Any
) -> None:
    registrar = desk_as("registrar", name="anna")
    dnr = _register(registrar)
    people = {"registrar": registrar, "officer": desk_as("officer", name=OFFICER),
              "secretary": desk_as("secretary", name="sara")}
    auditor = desk_as("auditor", name="revisorn")
    rules = _form_rules(app)
    assert len(rules) == len(FORMS)
    for endpoint, rule in rules.items():
        roles = policy_of(app.view_functions[endpoint]).roles
        role = next(r for r in ("registrar", "officer", "secretary") if r in roles)
        url = _url(rule, dnr)
        answer = people[role].get(url)
        text = answer.get_data(as_text=True)
        assert answer.status_code == 200, (endpoint, role, answer.status_code)
        assert "<h1>" in text and 'name="csrf_token"' in text, endpoint
        assert re.search(r'<html lang="sv"', text), endpoint
        refused = auditor.get(url)
        assert refused.status_code == 403, (endpoint, refused.status_code)
        assert "behörighet" in refused.get_data(as_text=True)


def test_every_field_has_a_swedish_label(app: Any, diarium: Any, desk_as: Any) -> None:
    """No label falls back to the wire name: each field's label is in web/desk/swedish.py
    or, worded as the registers word it, in web/register_csv.py."""
    from diarium.web.desk.swedish import LABELS
    from diarium.web.register_csv import SWEDISH_LABELS

    client = desk_as("registrar", "officer", "secretary", name=OFFICER)
    dnr = _register(client)
    for endpoint, rule in _form_rules(app).items():
        text = client.get(_url(rule, dnr)).get_data(as_text=True)
        for name in re.findall(r'<label for="f-([\w-]+)"', text):
            leaf = name.split("-")[-1]  # a nested part's field: after its part's name
            assert leaf in LABELS or leaf in SWEDISH_LABELS, (endpoint, name)


def test_a_document_is_registered_with_its_file_as_the_signed_in_person(
    diarium: Any, desk_as: Any
) -> None:
    client = desk_as("registrar", name="anna")
    dnr = _register(client)
    url = f"/app/cases/{dnr}/documents"
    form = client.get(url).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form and 'type="file"' in form
    unfiled = submit(client, url, {  # sent without its file (not as multipart)
        "direction": "incoming", "date": "2020-03-02", "description": "Ansökan om bygglov"})
    assert unfiled.status_code == 422 and "Ingen fil valdes" in unfiled.get_data(as_text=True)
    assert f'value="{diarium.today().isoformat()}"' in form  # the date: today, to change
    answer = _with_file(client, url, {
        "direction": "incoming", "date": "2020-03-02", "description": "Ansökan om bygglov",
        "counterpart": "Luleå kommun", "actor": "mallory"}, pdf_bytes("Ansökan"))
    assert answer.status_code == 303, answer.get_data(as_text=True)
    assert answer.headers["Location"] == f"/app/cases/{dnr}"
    case = diarium.get_case(dnr)
    (document,) = case.documents
    assert document.description == "Ansökan om bygglov"
    (version,) = document.files
    assert version.media_type == "application/pdf" and version.file_name == "brev.pdf"
    assert {e.actor for e in diarium.case_history(dnr)} == {"anna"}
    assert "Handlingen är registrerad med sin fil." in client.get(
        answer.headers["Location"]).get_data(as_text=True)
    again = _with_file(client, f"/app/cases/{dnr}/documents/1/files", {},
                       pdf_bytes("Ansökan, kompletterad"), name="komplettering.pdf")
    assert again.status_code == 303, again.get_data(as_text=True)
    assert [f.file_name for f in diarium.get_case(dnr).documents[0].files] == [
        "brev.pdf", "komplettering.pdf"]


@pytest.mark.parametrize(("content", "name", "media_type", "status", "said"), [
    (b"", "tom.pdf", "application/pdf", 422, "filen tom (0 byte)"),
    (b"", "", "application/octet-stream", 422, "Ingen fil valdes"),  # none chosen
    (b"Bara text\n", "brev.pdf", "application/pdf", 422, "Filens innehåll är text/plain"),
    (b"x" * 3000, "stor.txt", "text/plain", 413, "Filen är för stor"),
])
def test_a_refused_file_is_named_next_to_the_file_field_and_records_nothing(
    diarium: Any, desk_as: Any, monkeypatch: pytest.MonkeyPatch,
    content: bytes, name: str, media_type: str, status: int, said: str,
) -> None:
    monkeypatch.setenv("DIARIUM_MAX_FILE_BYTES", "2000")
    client = desk_as("registrar", name="anna")
    dnr = _register(client)
    before = diarium.recorder.max_notification_id()
    answer = _with_file(client, f"/app/cases/{dnr}/documents", {
        "direction": "incoming", "date": "2020-03-02", "description": "Ansökan om bygglov"},
        content, name=name, media_type=media_type)
    text = answer.get_data(as_text=True)
    assert answer.status_code == status, text
    error = re.search(r'<label for="f-file">.*?<p class="error" id="f-file-error">([^<]*)</p>',
                      text, re.S)
    assert error and said in error.group(1), text
    assert 'aria-invalid="true"' in text
    if status == 422:  # the fields typed are kept (a form past the limit is not read)
        assert 'value="Ansökan om bygglov"' not in text  # a textarea keeps it as its content
        assert ">Ansökan om bygglov</textarea>" in text
    assert diarium.recorder.max_notification_id() == before
    assert not diarium.get_case(dnr).documents


def test_a_referral_is_sent_and_answered_by_the_officer(diarium: Any, desk_as: Any) -> None:
    registrar = desk_as("registrar", name="anna")
    dnr = _register(registrar)
    officer = desk_as("officer", name=OFFICER)
    sent = submit(officer, f"/app/cases/{dnr}/referrals", {
        "recipients": "Miljönämnden\nByggnadsnämnden\n", "answer_by": "2030-01-31"})
    assert sent.status_code == 303, sent.get_data(as_text=True)
    (referral,) = diarium.get_case(dnr).referrals
    assert list(referral.recipients) == ["Miljönämnden", "Byggnadsnämnden"]
    answered = submit(registrar, f"/app/cases/{dnr}/referrals/1/answers",
                      {"recipient": "Miljönämnden"})
    assert answered.status_code == 303, answered.get_data(as_text=True)
    assert list(diarium.get_case(dnr).referrals[0].answers) == ["Miljönämnden"]
    closed = submit(officer, f"/app/cases/{dnr}/close", {"reason": "Klart"})
    assert closed.status_code == 303
    assert str(diarium.get_case(dnr).status) == "closed"
    events = diarium.case_history(dnr)
    assert [e.actor for e in events][-3:] == [OFFICER, "anna", OFFICER]


def test_a_bad_form_shows_swedish_errors_next_to_the_fields_and_keeps_the_values(
    diarium: Any, desk_as: Any
) -> None:
    registrar = desk_as("registrar", name="anna")
    dnr = _register(registrar)
    officer = desk_as("officer", name=OFFICER)
    before = diarium.recorder.max_notification_id()
    answer = submit(officer, f"/app/cases/{dnr}/referrals", {
        "recipients": "", "answer_by": "31/1", "document_number": "ett"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 422
    for field, said in (("recipients", "Fältet måste fyllas i."),
                        ("answer_by", "Ange ett datum som ÅÅÅÅ-MM-DD."),
                        ("document_number", "Ange ett heltal.")):
        assert re.search(rf'<p class="error" id="f-{field}-error">{re.escape(said)}</p>', text), (
            field, text)
    assert 'value="31/1"' in text and 'value="ett"' in text
    assert "Det gick inte att spara" in text and 'href="#f-answer_by"' in text
    assert diarium.recorder.max_notification_id() == before


def test_a_broken_rule_is_shown_in_swedish(diarium: Any, desk_as: Any) -> None:
    registrar = desk_as("registrar", name="anna")
    dnr = _register(registrar)
    before = diarium.recorder.max_notification_id()
    answer = submit(registrar, f"/app/cases/{dnr}/reopen", {"reason": "Nya uppgifter"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "[regel: " in text and 'role="alert"' in text
    assert ">Nya uppgifter</textarea>" in text
    unchanged = submit(registrar, f"/app/cases/{dnr}/classification",
                       {"classification": "2.3.1"})
    assert unchanged.status_code == 303
    again = submit(registrar, f"/app/cases/{dnr}/classification", {"classification": "2.3.1"})
    text = again.get_data(as_text=True)
    assert again.status_code == 409  # a rule about one field: next to that field
    error = re.search(r'<p class="error" id="f-classification-error">([^<]*)</p>', text)
    assert error and "[regel: classification-unchanged]" in error.group(1), text
    assert 'value="2.3.1"' in text
    assert diarium.recorder.max_notification_id() == before + 1


def test_secrecy_is_marked_and_lifted_on_a_document(diarium: Any, desk_as: Any) -> None:
    client = desk_as("registrar", name="anna")
    dnr = _register(client)
    _with_file(client, f"/app/cases/{dnr}/documents", {
        "direction": "incoming", "date": "2020-03-02", "description": "Läkarintyg"},
        pdf_bytes("Intyg"))
    marked = submit(client, f"/app/cases/{dnr}/documents/1/secrecy", {
        "statute": "OSL 25:1", "marking_body": "RS", "fields": "description"})
    assert marked.status_code == 303, marked.get_data(as_text=True)
    assert diarium.get_case(dnr).documents[0].secrecy.statute == "OSL 25:1"
    lifted = submit(client, f"/app/cases/{dnr}/documents/1/secrecy/lift", {})
    assert lifted.status_code == 303, lifted.get_data(as_text=True)
    assert diarium.get_case(dnr).documents[0].secrecy is None


def test_the_forms_of_a_row_are_linked_by_the_readers_policy(
    app: Any, diarium: Any, desk_as: Any
) -> None:
    """What the case page lists for a row (web/desk/forms.py: form_links): the forms of that
    row its reader may send, by the API route's policy."""
    from flask import g

    from diarium.domain.actor import Actor
    from diarium.web.desk.forms import form_links

    dnr = _register(desk_as("registrar", name="anna"))
    row = ("cases.register_referral_answer", "cases.extend_incoming_referral",
           "secrecy.mark_document_secret")
    readers = {"anna": ("registrar",), OFFICER: ("officer",), "otto": ("officer",),
               "revisorn": ("auditor",)}
    found = {}
    for name, roles in readers.items():
        with app.test_request_context():
            g.actor = Actor(name, "test", roles)
            found[name] = form_links(*row, dnr=dnr, referral_number=1)
    expected = [("Registrera remissvar", f"/app/cases/{dnr}/referrals/1/answers"),
                ("Registrera anstånd", f"/app/cases/{dnr}/incoming-referrals/1/extensions")]
    assert found["anna"] == expected and found[OFFICER] == expected
    assert found["otto"] == [] and found["revisorn"] == []  # not his case; reads only


def test_a_concurrent_modification_is_said_clearly_and_nothing_typed_is_lost(
    diarium: Any, desk_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Others kept changing the case (here: no attempt left to save): a clear message, the
    form as typed, nothing recorded."""
    registrar = desk_as("registrar", name="anna")
    dnr = _register(registrar)
    before = diarium.recorder.max_notification_id()
    monkeypatch.setattr(diarium, "attempts", 0)
    answer = submit(registrar, f"/app/cases/{dnr}/cancel", {"reason": "Registrerat två gånger"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "Någon annan ändrade ärendet samtidigt, så inget sparades." in text
    assert ">Registrerat två gånger</textarea>" in text
    assert diarium.recorder.max_notification_id() == before


def test_a_form_past_the_body_limit_is_shown_again_in_swedish(
    diarium: Any, desk_as: Any
) -> None:
    client = desk_as("registrar", name="anna")
    token = csrf_of(client, "/app/cases/register")
    answer = client.post("/app/cases/register", data={
        "csrf_token": token, "title": "x" * (2 * 2**20), "responsible_body": "RS"})
    assert answer.status_code == 413
    assert "Formuläret är för stort för att tas emot." in answer.get_data(as_text=True)


def test_a_delegated_decision_is_recorded_on_the_body_and_the_case(
    diarium: Any, desk_as: Any
) -> None:
    dnr = _register(desk_as("registrar", name="anna"))
    officer = desk_as("officer", name=OFFICER, bodies=("RS",))
    form = officer.get("/app/bodies/RS/delegated-decisions").get_data(as_text=True)
    assert f'value="{diarium.today().isoformat()}"' in form  # decided_on: today, to change
    answer = submit(officer, "/app/bodies/RS/delegated-decisions", {
        "point": "2.3.8", "delegate": "Regiondirektören", "text": "Yttrande lämnas.",
        "decided_on": "2020-04-01", "dnr": dnr})
    assert answer.status_code == 303, answer.get_data(as_text=True)
    assert answer.headers["Location"] == f"/app/cases/{dnr}"
    (decision,) = diarium.get_case(dnr).decisions
    assert decision.delegation_point == "2.3.8"
    wrong = submit(officer, "/app/bodies/RS/delegated-decisions", {
        "point": "9.9", "delegate": "Regiondirektören", "text": "Yttrande lämnas.",
        "decided_on": "2020-04-01"})
    assert wrong.status_code == 409 and "[regel: " in wrong.get_data(as_text=True)
    assert submit(officer, "/app/bodies/HSN/delegated-decisions", {
        "point": "2.3.8", "delegate": "Regiondirektören", "text": "X",
        "decided_on": "2020-04-01"}, form_url="/app/").status_code == 403  # another body
