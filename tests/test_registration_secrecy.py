"""Secrecy at registration (OSL 5:5) and no personal identity number in the public register:
a case is marked secret by the command that registers it, in the same save, so no reader,
register, feed or webhook ever sees it registered but unmarked; a personal identity number
stands only where a marking withholds it."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import pytest

from diarium.cases.application import Diarium, Written
from diarium.cases.outbound.webhook_delivery import WebhookWorker
from diarium.cases.outbound.webhook_subscriptions import WebhookStore
from diarium.cases.outbound.webhook_targets import ALLOW_NETWORKS_VARIABLE
from diarium.domain.actor import Actor
from diarium.domain.case.documents import RegisterDocument
from diarium.domain.case.lifecycle import RegisterCase
from diarium.domain.case.terms import Direction, SecrecyMarking
from diarium.domain.dnr import DEFAULT_SERIES
from diarium.domain.rules import RuleViolation
from tests.bodies_support import SETUP_EVENTS, diarium_with_bodies, establish_bodies  # noqa: F401
from tests.test_group_commit import _queued, _until
from tests.test_secrecy import _catch_up, _urls
from tests.webhook_receivers import Receiver

TODAY = date(2020, 6, 1)
REGISTRAR = Actor("anna.registrator", "req-1", ("registrar",))
PNR = "19121212-1212"  # Skatteverket's test number (Tolvan Tolvansson)
SECRET_TITLE = f"Ansökan om bistånd HEMLIGTITEL {PNR}"
PUBLIC_TITLE = "Ansökan om bistånd enligt SoL 4:1"
MARKING = SecrecyMarking(statute="OSL 26:1", fields=["title", "origin"])


@pytest.fixture
def service(database_url: str) -> Iterator[Diarium]:
    """The application service on an empty store, where today is 1 June 2020."""
    app = establish_bodies(Diarium(database_url, create_tables=True, today=lambda: TODAY))
    yield app
    app.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]


def _secret(**changes: Any) -> RegisterCase:
    fields = {
        "title": SECRET_TITLE, "public_title": PUBLIC_TITLE, "responsible_body": "SN",
        "registered_on": date(2020, 5, 4), "origin": f"Kalle {PNR}", "officer": "linda",
        "secrecy": MARKING, **changes,
    }
    return RegisterCase(**fields)


class _Saves:
    """The stored events of each write the recorder is given (one list per write)."""

    def __init__(self, service: Diarium, monkeypatch: pytest.MonkeyPatch) -> None:
        self.writes: list[list[tuple[str, int]]] = []
        insert = service.recorder.insert_events

        def spy(stored_events: Any, **kwargs: Any) -> Any:
            self.writes.append([
                (e.topic.rsplit(":", 1)[-1], e.originator_version) for e in stored_events
            ])
            return insert(stored_events, **kwargs)

        monkeypatch.setattr(service.recorder, "insert_events", spy)

    def of_cases(self) -> list[list[tuple[str, int]]]:
        """Each write's case events (the dnr counter's left out)."""
        return [[e for e in write if e[0].startswith("Case")] for write in self.writes]


def _log_types(service: Diarium) -> list[tuple[int, str, int]]:
    """The whole log: (position, event type, version), the bodies' and the dnr counter's
    events left out."""
    notifications = service.recorder.select_notifications(start=1, limit=1000)
    return [
        (n.id, n.topic.rsplit(".", 1)[-1].rsplit(":", 1)[-1], n.originator_version)
        for n in notifications if "series" not in n.topic and ".body" not in n.topic
    ]


def _assert_marked_in_one_save(service: Diarium, saves: _Saves, written: Written) -> None:
    assert saves.of_cases() == [[("CaseRegistered", 1), ("CaseMarkedSecret", 2)]]
    log = _log_types(service)
    assert [(kind, version) for _, kind, version in log] == [
        ("CaseRegistered", 1), ("CaseMarkedSecret", 2),
    ]
    assert log[1][0] == log[0][0] + 1 == written.position  # consecutive in the log
    assert written.version == 2


# -- the application: one save, both paths, who may mark -----------------------------------


def test_a_registration_with_a_marking_is_one_save_of_both_events(
    service: Diarium, monkeypatch: pytest.MonkeyPatch
) -> None:
    saves = _Saves(service, monkeypatch)
    written = service.register_case(_secret(), REGISTRAR)
    assert service._registrations.batches == 1  # through the group commit
    _assert_marked_in_one_save(service, saves, written)
    case = service.get_case(written.dnr)
    assert case.secrecy is not None
    assert (case.secrecy.statute, case.secrecy.marking_body, case.secrecy.marked_on) == (
        "OSL 26:1", "SN", date(2020, 5, 4)  # defaults: the responsible body, the day registered
    )
    assert case.secrecy.fields == ["title", "origin"]
    history = service.case_history(written.dnr)
    assert [e.actor for e in history] == [REGISTRAR.name] * 2
    assert {e.request_id for e in history} == {"req-1"}


def test_a_migrated_registration_with_a_marking_is_one_save_too(
    service: Diarium, monkeypatch: pytest.MonkeyPatch
) -> None:
    saves = _Saves(service, monkeypatch)
    marking = SecrecyMarking(statute="OSL 26:1", marking_body="IFN",
                                 marked_on=date(2019, 3, 2))
    written = service.register_case(
        _secret(dnr="1310-2019", registered_on=date(2019, 3, 1), secrecy=marking), REGISTRAR
    )
    assert written.dnr == "1310-2019" and service._registrations.batches == 0
    _assert_marked_in_one_save(service, saves, written)
    secrecy = service.get_case("1310-2019").secrecy
    assert secrecy is not None and (secrecy.marking_body, secrecy.marked_on) == (
        "IFN", date(2019, 3, 2)
    )
    assert secrecy.fields == ["title", "origin", "documents", "proposals", "decisions"]


def test_a_batch_marks_its_own_and_refuses_alone(service: Diarium) -> None:
    """Registrations queued together commit in one batch: each marked one gets its marking,
    the one with an unmarked personal identity number is refused alone and takes no number."""
    commands = [
        _secret(),
        RegisterCase(title="Öppet ärende", responsible_body="SN",
                         registered_on=date(2020, 5, 4)),
        RegisterCase(title=SECRET_TITLE, responsible_body="SN",
                         registered_on=date(2020, 5, 4)),  # no marking
        _secret(secrecy=SecrecyMarking(statute="OSL 26:1", fields=["title"]), origin=None),
    ]
    key = (DEFAULT_SERIES, 2020)
    with ThreadPoolExecutor(len(commands)) as pool:
        with service._allocation.hold(*key):
            futures = [pool.submit(service.register_case, c, REGISTRAR) for c in commands]
            _until(lambda: _queued(service) == len(commands))
        outcomes = [f.exception() or f.result() for f in futures]
    assert service._registrations.batches == 1
    refused = outcomes.pop(2)
    assert isinstance(refused, RuleViolation)
    assert (refused.rule.code, refused.field) == ("personal-identity-number-public", "title")
    assert [(o.dnr, o.version) for o in outcomes] == [("1-2020", 2), ("2-2020", 1), ("3-2020", 2)]
    log = [(kind, version) for _, kind, version in _log_types(service)]
    assert log == [("CaseRegistered", 1), ("CaseMarkedSecret", 2), ("CaseRegistered", 1),
                   ("CaseRegistered", 1), ("CaseMarkedSecret", 2)]


@pytest.mark.parametrize("dnr", [None, "1310-2019"])
def test_who_may_not_mark_may_not_register_with_a_marking(
    service: Diarium, dnr: str | None
) -> None:
    """Marking is for a registrar or the case's own officer (as POST …/secrecy): anyone
    else's registration with a marking is refused, and nothing is written."""
    for roles, name in ((("officer",), "olle"), (("secretary",), "sara"), ((), "anon")):
        with pytest.raises(RuleViolation) as refused:
            service.register_case(_secret(dnr=dnr, registered_on=date(2019, 3, 1)),
                                  Actor(name, None, roles))
        assert (refused.value.rule.code, refused.value.field) == (
            "secrecy-marking-role", "secrecy"
        )
    assert _log_types(service) == []
    assert service.recorder.max_notification_id() == SETUP_EVENTS  # nor a counter event
    own = service.register_case(
        _secret(dnr=dnr, registered_on=date(2019, 3, 1)), Actor("linda", None, ("officer",))
    )
    assert own.version == 2 and own.dnr == (dnr or "1-2019")


def test_a_webhook_never_gets_the_secret_title(
    diarium: Diarium, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ALLOW_NETWORKS_VARIABLE, "127.0.0.0/8")  # the receiver is on loopback
    receiver = Receiver()
    try:
        WebhookStore(diarium).subscribe(receiver.url, ["case.registered"], from_position=0)
        diarium.register_case(_secret(registered_on=None), REGISTRAR)
        worker = WebhookWorker(diarium, poll_interval=0.01)
        assert worker.run_once() == 1
        worker.close()
        (delivery,) = receiver.unique()
        assert delivery["event"]["payload"]["public_title"] == PUBLIC_TITLE
        assert delivery["event"]["withheld"] == ["origin", "title"]
        assert "HEMLIG" not in str(receiver.requests) and PNR not in str(receiver.requests)
    finally:
        receiver.close()


# -- the application: personal identity numbers --------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"secrecy": None, "public_title": None}, "title"),
        ({"secrecy": SecrecyMarking(statute="OSL 26:1", fields=["origin"]),
          "public_title": None}, "title"),
        ({"secrecy": None}, "origin"),  # a public title covers the title, not the origin
        ({"public_title": f"Ansökan {PNR}"}, "public_title"),  # even with a marking
        ({"title": "Ansökan", "secrecy": None}, "origin"),
        ({"secrecy": SecrecyMarking(statute="OSL 26:1", fields=["title"])}, "origin"),
        ({"title": "Ansökan 701063-2391", "origin": None, "secrecy": None, "public_title": None},
         "title"),
    ],
)
def test_a_public_personal_identity_number_is_refused_and_nothing_written(
    service: Diarium, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(RuleViolation) as refused:
        service.register_case(_secret(**changes), REGISTRAR)
    assert refused.value.rule.code == "personal-identity-number-public"
    assert refused.value.field == field
    assert PNR not in refused.value.detail  # the answer never repeats the number
    assert _log_types(service) == []
    assert service.register_case(_secret(), REGISTRAR).dnr == "1-2020"  # no number taken


def test_a_marked_title_or_origin_may_hold_a_number(service: Diarium) -> None:
    both = service.register_case(_secret(public_title=None), REGISTRAR)
    assert service.get_case(both.dnr).title == SECRET_TITLE
    origin_only = service.register_case(
        _secret(title="Ansökan om bistånd", public_title=None,
                secrecy=SecrecyMarking(statute="OSL 26:1", fields=["origin"])),
        REGISTRAR,
    )
    assert service.get_case(origin_only.dnr).origin == f"Kalle {PNR}"
    # a public title without the number replaces the title wherever the public reads it
    # (domain/secrecy.py), so the title may hold the number without a marking
    replaced = service.register_case(_secret(origin=None, secrecy=None), REGISTRAR)
    assert service.get_case(replaced.dnr).title == SECRET_TITLE


def test_a_document_holds_a_number_only_where_the_cases_marking_covers_documents(
    service: Diarium,
) -> None:
    plain = service.register_case(
        RegisterCase(title="Skrivelse", responsible_body="SN"), REGISTRAR
    ).dnr
    title_only = service.register_case(_secret(), REGISTRAR).dnr  # title and origin marked
    documents_too = service.register_case(_secret(secrecy=SecrecyMarking(
        statute="OSL 26:1", fields=["title", "origin", "documents"])), REGISTRAR).dnr
    for changes, field in (
        ({"description": f"Anmälan om {PNR}"}, "description"),
        ({"counterpart": f"Kalle Svensson {PNR}"}, "counterpart"),
    ):
        fields = {"direction": Direction.INCOMING, "date": TODAY, "description": "Anmälan",
                  **changes}
        for dnr in (plain, title_only):
            with pytest.raises(RuleViolation) as refused:
                service.handle(RegisterDocument(dnr, **fields), REGISTRAR)
            assert (refused.value.rule.code, refused.value.field) == (
                "personal-identity-number-public", field
            )
        service.handle(RegisterDocument(documents_too, **fields), REGISTRAR)
    assert service.get_case(documents_too).version == 4
    assert (service.get_case(plain).version, service.get_case(title_only).version) == (1, 2)


# -- over HTTP ------------------------------------------------------------------------------

BODY = {
    "title": SECRET_TITLE,
    "public_title": PUBLIC_TITLE,
    "responsible_body": "SN",
    "registered_on": "2025-03-01",
    "origin": f"HEMLIGAVSÄNDARE {PNR}",
    "officer": "linda",
    "secrecy": {"statute": "OSL 26:1", "fields": ["title", "origin"]},
}
ABSENT = object()  # a field left out of the body


def test_register_with_a_marking_over_http(client_as: Any) -> None:
    registrar = client_as("registrar", name="anna.registrator")
    response = registrar.post("/api/cases", json=BODY)
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    assert answer["version"] == 2
    assert answer["case"]["title"] == SECRET_TITLE  # the registrar may read it
    assert answer["case"]["secrecy"] == {
        "statute": "OSL 26:1", "marked_on": "2025-03-01", "marking_body": "SN",
        "fields": ["title", "origin"],
    }
    history = registrar.get(f"/api/cases/{answer['dnr']}/events").get_json()
    assert [(e["type"], e["version"]) for e in history] == [
        ("CaseRegistered", 1), ("CaseMarkedSecret", 2)
    ]
    defaults = registrar.post("/api/cases", json={
        **BODY, "secrecy": {"statute": "OSL 26:1", "marking_body": "IFN"}
    }).get_json()["case"]["secrecy"]
    assert (defaults["marking_body"], defaults["fields"]) == (
        "IFN", ["title", "origin", "documents", "proposals", "decisions"]
    )


def test_a_registration_with_a_marking_never_shows_the_secret_title(
    app: Any, client_as: Any
) -> None:
    """The public e-diary, the feed, the registers and a secretary's reads (the history
    among them) never hold the secret title or origin of a case registered with a marking."""
    dnr = client_as("registrar").post("/api/cases", json=BODY).get_json()["dnr"]
    _catch_up(app)
    public = client_as(None).get(f"/public/cases/{dnr}").get_json()
    assert public["title"] == PUBLIC_TITLE and public["origin"] is None
    assert public["withheld"] == ["title", "origin"]
    feed = client_as("service").get("/api/feed").get_json()
    (registered,) = [i for i in feed["items"] if i["type"] == "case.registered"]
    assert registered["payload"]["title"] is None and registered["withheld"] == [
        "origin", "title"
    ]
    secretary = client_as("secretary", name="sara")
    history = secretary.get(f"/api/cases/{dnr}/events").get_json()
    assert [e["type"] for e in history] == ["CaseRegistered", "CaseMarkedSecret"]
    assert history[0]["data"]["title"] == PUBLIC_TITLE
    for reader in (secretary, client_as(None), client_as("service", name="integration")):
        for _rule, url in _urls(app, [dnr]):
            text = reader.get(url).get_data(as_text=True)
            assert "HEMLIG" not in text and PNR not in text, url


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"secrecy": ABSENT, "public_title": ABSENT}, "title"),
        ({"public_title": f"Ansökan {PNR}"}, "public_title"),
        ({"secrecy": {"statute": "OSL 26:1", "fields": ["title"]}}, "origin"),
        ({"title": "Ansökan 121212+1212", "origin": None, "secrecy": ABSENT,
          "public_title": ABSENT}, "title"),
    ],
)
def test_a_public_personal_identity_number_is_a_409_naming_the_field(
    client_as: Any, changes: dict[str, Any], field: str
) -> None:
    registrar = client_as("registrar")
    body = {name: value for name, value in {**BODY, **changes}.items() if value is not ABSENT}
    response = registrar.post("/api/cases", json=body)
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    problem = response.get_json()
    assert problem["rule"] == "personal-identity-number-public"
    assert [p["name"] for p in problem["invalid-params"]] == [field]
    assert PNR not in response.get_data(as_text=True)
    assert registrar.get("/api/cases/1-2025").status_code == 404  # nothing written
    assert "personal-identity-number-public" in {
        r["code"] for r in registrar.get("/api/rules").get_json()
    }


def test_a_document_with_a_public_number_is_a_409_naming_the_field(client_as: Any) -> None:
    registrar = client_as("registrar")
    dnr = registrar.post("/api/cases", json={
        "title": "Skrivelse", "responsible_body": "SN", "registered_on": "2025-03-01",
    }).get_json()["dnr"]
    response = registrar.post(f"/api/cases/{dnr}/documents", json={
        "direction": "incoming", "date": "2025-03-02", "counterpart": f"Kalle {PNR}",
        "description": "Ansökan",
    })
    assert response.status_code == 409
    assert response.get_json()["rule"] == "personal-identity-number-public"
    assert response.get_json()["invalid-params"][0]["name"] == "counterpart"
    assert registrar.get(f"/api/cases/{dnr}").get_json()["documents"] == []


def test_only_a_registrar_registers_and_a_bad_marking_is_refused(client_as: Any) -> None:
    own_officer = client_as("officer", name="linda")  # may mark own cases, but not register
    refused = own_officer.post("/api/cases", json=BODY)
    assert refused.status_code == 403
    registrar = client_as("registrar")
    for secrecy, status in (
        ({"fields": ["title"]}, 422),  # no statute
        (None, 422),  # leave it out instead
        ({"statute": "OSL 26:1", "fields": ["salary"]}, 422),
        ({"statute": "OSL 26:1", "secret": True}, 422),
        ({"statute": "OSL 26:1", "fields": ["counterpart"]}, 409),  # a document's field
        ({"statute": "OSL 26:1", "marked_on": "2099-01-01"}, 409),
    ):
        response = registrar.post("/api/cases", json={**BODY, "secrecy": secrecy})
        assert response.status_code == status, (secrecy, response.get_json())
    assert registrar.get("/api/cases/1-2025").status_code == 404  # nothing written
