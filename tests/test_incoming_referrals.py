"""Incoming referrals (inkommen remiss): a referral sent to us, which our body must answer by a
date. Every rule allowed and refused on the aggregate; then the HTTP routes, the case view with
its secrecy filter, the feed, the export, and the referrals and deadlines registers on SQLite
and PostgreSQL."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from diarium.cases.application import Diarium
from diarium.cases.outbound import export, feed
from diarium.domain.actor import Actor
from diarium.domain.case.aggregate import Case
from diarium.domain.case.documents import RegisterDocument
from diarium.domain.case.incoming_referrals import (
    AnswerIncomingReferral,
    DeclineIncomingReferral,
    ExtendIncomingReferral,
    ReceiveIncomingReferral,
)
from diarium.domain.case.lifecycle import AssignOfficer, CancelCase, CloseCase, RegisterCase
from diarium.domain.case.referrals import SendReferral
from diarium.domain.case.secrecy import (
    LiftDocumentSecrecy,
    MarkDocumentSecret,
    MarkSecret,
)
from diarium.domain.case.terms import Direction
from diarium.domain.rules import RULES, RuleViolation
from diarium.projections.runner import Projector
from diarium.web import create_app
from tests.bodies_support import diarium_with_bodies  # noqa: F401 (the fixture)
from tests.projections_support import (
    authorized,
    case_with_incoming_referral,
    register_reader,
    snapshot,
)

BY = Actor("registrator", "req")
TODAY = date(2020, 12, 31)
RECEIVED = date(2020, 10, 2)


def new_case() -> Case:
    """A case with an incoming letter (1), an outgoing answer (2) and an internal memo (3)."""
    case = Case.register(
        dnr="1338-2020", series="default", year=2020, sequence=1338,
        title="Remiss: Promemoria om vårdens lokaler", responsible_body="RS",
        registered_on=RECEIVED, by=BY, today=TODAY,
    )
    for direction, day, text in (
        (Direction.INCOMING, RECEIVED, "Remiss från Socialdepartementet"),
        (Direction.OUTGOING, date(2020, 11, 20), "Regionstyrelsens yttrande"),
        (Direction.DRAWN_UP, date(2020, 10, 5), "Tjänsteskrivelse"),
    ):
        case.register_document(
            RegisterDocument(case.dnr, direction, day, text, "Socialdepartementet"), BY, TODAY
        )
    case.collect_events()
    return case


def receive(**overrides: Any) -> Callable[[Case], object]:
    fields = {"sender": "Socialdepartementet", "sender_reference": "S2020/07890",
              "answer_by": date(2020, 11, 30), "document_number": 1, **overrides}
    return lambda c: c.receive_incoming_referral(
        ReceiveIncomingReferral(c.dnr, **fields), BY, TODAY
    )


def received(case: Case | None = None) -> Case:
    case = case or new_case()
    receive()(case)
    case.collect_events()
    return case


def answer(**overrides: Any) -> Callable[[Case], object]:
    fields = {"referral_number": 1, "document_number": 2, **overrides}
    return lambda c: c.answer_incoming_referral(AnswerIncomingReferral(c.dnr, **fields), BY, TODAY)


def decline(**overrides: Any) -> Callable[[Case], object]:
    fields = {
        "referral_number": 1,
        "reason": "Berör inte regionen",
        "declined_on": date(2020, 10, 9),
        **overrides,
    }
    return lambda c: c.decline_incoming_referral(
        DeclineIncomingReferral(c.dnr, **fields), BY, TODAY
    )


def refuse(case: Case, command: Callable[[Case], object], code: str) -> None:
    """``command`` is refused with rule ``code`` and changes nothing."""
    before = copy.deepcopy(vars(case))
    with pytest.raises(RuleViolation) as refused:
        command(case)
    assert refused.value.rule.code == code
    assert vars(case) == before
    assert case.collect_events() == []


def closed(case: Case) -> Case:
    case.close(CloseCase(case.dnr, closed_on=date(2020, 11, 1)), BY, TODAY)
    case.collect_events()
    return case


def settled_and_closed() -> Case:
    """A closed case whose incoming referral was declined first (closing needs that)."""
    case = received()
    decline()(case)
    return closed(case)


def cancelled(case: Case) -> Case:
    case.cancel(CancelCase(case.dnr, cancelled_on=date(2020, 10, 10), reason="dubblett"), BY, TODAY)
    case.collect_events()
    return case


# -- rules on the aggregate ---------------------------------------------------------------------


def test_every_new_rule_is_declared() -> None:
    assert {
        "incoming-referral-unknown", "incoming-referral-due-before-received",
        "incoming-referral-letter", "incoming-referral-settled",
        "incoming-referral-before-received", "incoming-referral-answer-document",
        "incoming-referral-extension", "close-incoming-referral-outstanding",
    } <= set(RULES)


def test_a_case_with_an_outstanding_incoming_referral_is_not_closed() -> None:
    """Our body owes the sender an answer: the case is not done until the referral is answered
    or declined (an outgoing referral does not hold a case open: others owe us). Cancelling a
    case registered in error is still allowed, and closes the deadline."""
    case = received()
    refuse(case, lambda c: c.close(CloseCase(c.dnr, closed_on=date(2020, 11, 1)), BY, TODAY),
           "close-incoming-referral-outstanding")
    extend()(case)  # an extension does not settle it
    case.collect_events()
    refuse(case, lambda c: c.close(CloseCase(c.dnr, closed_on=date(2020, 11, 1)), BY, TODAY),
           "close-incoming-referral-outstanding")
    decline()(case)
    assert closed(case).status == "closed"
    answered = received()
    answer()(answered)
    assert closed(answered).status == "closed"
    assert cancelled(received()).status == "cancelled"


def test_received_referral_defaults_to_the_letters_date() -> None:
    case = new_case()
    referral = receive()(case)
    assert (referral.number, referral.received_on, referral.status) == (1, RECEIVED,
                                                                       "outstanding")
    (event,) = case.collect_events()
    assert type(event).__name__ == "IncomingReferralReceived"
    assert (event.occurred_on, event.sender_reference, event.actor) == (RECEIVED, "S2020/07890",
                                                                        "registrator")
    explicit = receive(received_on=date(2020, 10, 3))(new_case())
    assert explicit.received_on == date(2020, 10, 3)


@pytest.mark.parametrize(("prepare", "command", "code"), [
    (new_case, receive(answer_by=date(2020, 10, 1)), "incoming-referral-due-before-received"),
    (new_case, receive(received_on=date(2020, 12, 1), answer_by=date(2020, 11, 30)),
     "incoming-referral-due-before-received"),
    (new_case, receive(document_number=9), "document-unknown"),
    (new_case, receive(document_number=2), "incoming-referral-letter"),  # outgoing
    (new_case, receive(document_number=3), "incoming-referral-letter"),  # drawn up
    (received, receive(), "incoming-referral-letter"),  # one letter, one referral
    (new_case, receive(received_on=date(2021, 1, 4), answer_by=date(2021, 2, 1)),
     "no-future-date"),
    (lambda: closed(new_case()), receive(), "case-closed"),
    (lambda: cancelled(new_case()), receive(), "case-cancelled"),
])
def test_refused_incoming_referrals(prepare, command, code) -> None:  # type: ignore[no-untyped-def]
    refuse(prepare(), command, code)


def test_answer_due_on_the_day_received_is_allowed() -> None:
    referral = receive(answer_by=RECEIVED)(new_case())
    assert referral.answer_by == referral.received_on


def test_answer_is_our_outgoing_document_and_defaults_to_its_date() -> None:
    case = received()
    answer()(case)
    (referral,) = case.incoming_referrals
    assert (referral.status, referral.answered_on, referral.answer_document_number) == (
        "answered", date(2020, 11, 20), 2)
    (event,) = case.collect_events()
    assert (type(event).__name__, event.number, event.document_number) == (
        "IncomingReferralAnswered", 1, 2)
    late = received()
    answer(answered_on=date(2020, 12, 2))(late)  # sent after the answer-by date: recorded
    assert late.incoming_referrals[0].answered_on == date(2020, 12, 2)


@pytest.mark.parametrize(("prepare", "command", "code"), [
    (new_case, answer(), "incoming-referral-unknown"),
    (received, answer(referral_number=2), "incoming-referral-unknown"),
    (received, answer(document_number=1), "incoming-referral-answer-document"),  # incoming
    (received, answer(document_number=3), "incoming-referral-answer-document"),  # drawn up
    (received, answer(document_number=9), "document-unknown"),
    (received, answer(answered_on=date(2020, 10, 1)), "incoming-referral-before-received"),
    (received, answer(answered_on=date(2021, 1, 4)), "no-future-date"),
    (lambda: settled_and_closed(), answer(), "case-closed"),
    (lambda: cancelled(received()), answer(), "case-cancelled"),
])
def test_refused_answers(prepare, command, code) -> None:  # type: ignore[no-untyped-def]
    refuse(prepare(), command, code)


def test_an_incoming_referral_is_answered_or_declined_once() -> None:
    answered = received()
    answer()(answered)
    answered.collect_events()
    refuse(answered, answer(), "incoming-referral-settled")
    refuse(answered, decline(), "incoming-referral-settled")
    declined = received()
    decline()(declined)
    declined.collect_events()
    refuse(declined, answer(), "incoming-referral-settled")
    refuse(declined, decline(), "incoming-referral-settled")


def test_declining_with_and_without_a_letter() -> None:
    case = received()
    decline()(case)
    (referral,) = case.incoming_referrals
    assert (referral.status, referral.declined_on, referral.decline_reason,
            referral.decline_document_number) == ("declined", date(2020, 10, 9),
                                                  "Berör inte regionen", None)
    with_letter = received()
    decline(document_number=2, declined_on=date(2020, 11, 20))(with_letter)
    assert with_letter.incoming_referrals[0].decline_document_number == 2


@pytest.mark.parametrize(("prepare", "command", "code"), [
    (new_case, decline(), "incoming-referral-unknown"),
    (received, decline(declined_on=date(2020, 10, 1)), "incoming-referral-before-received"),
    (received, decline(document_number=1), "incoming-referral-answer-document"),
    (received, decline(document_number=9), "document-unknown"),
    (received, decline(declined_on=date(2021, 1, 4)), "no-future-date"),
    (lambda: settled_and_closed(), decline(), "case-closed"),
])
def test_refused_declines(prepare, command, code) -> None:  # type: ignore[no-untyped-def]
    refuse(prepare(), command, code)


def extend(**overrides: Any) -> Callable[[Case], object]:
    fields = {
        "referral_number": 1,
        "answer_by": date(2020, 12, 15),
        "granted_on": date(2020, 11, 2),
        **overrides,
    }
    return lambda c: c.extend_incoming_referral(ExtendIncomingReferral(c.dnr, **fields), BY, TODAY)


def test_an_extension_moves_the_answer_by_date_later() -> None:
    case = received()
    extend()(case)
    extend(answer_by=date(2020, 12, 20), granted_on=date(2020, 12, 10))(case)
    (referral,) = case.incoming_referrals
    assert referral.answer_by == date(2020, 12, 20)
    assert referral.extensions == [(date(2020, 11, 2), date(2020, 12, 15)),
                                   (date(2020, 12, 10), date(2020, 12, 20))]
    first, _ = case.collect_events()
    assert (type(first).__name__, first.previous_answer_by, first.answer_by) == (
        "IncomingReferralExtended", date(2020, 11, 30), date(2020, 12, 15))


@pytest.mark.parametrize(("prepare", "command", "code"), [
    (new_case, extend(), "incoming-referral-unknown"),
    (received, extend(answer_by=date(2020, 11, 30)), "incoming-referral-extension"),  # same
    (received, extend(answer_by=date(2020, 11, 1)), "incoming-referral-extension"),  # earlier
    (received, extend(granted_on=date(2020, 10, 1)), "incoming-referral-before-received"),
    (received, extend(granted_on=date(2021, 1, 4)), "no-future-date"),
    (lambda: settled_and_closed(), extend(), "case-closed"),
])
def test_refused_extensions(prepare, command, code) -> None:  # type: ignore[no-untyped-def]
    refuse(prepare(), command, code)


def test_no_extension_once_answered_or_declined() -> None:
    for settle in (answer(), decline()):
        case = received()
        settle(case)
        case.collect_events()
        refuse(case, extend(), "incoming-referral-settled")


def test_incoming_and_outgoing_referrals_are_numbered_apart() -> None:
    case = received()
    sent = case.send_referral(
        SendReferral(
            case.dnr, recipients=["HSN"], sent_on=date(2020, 10, 5), answer_by=date(2020, 10, 30)
        ),
        BY,
        TODAY,
    )
    assert (sent.number, case.incoming_referrals[0].number) == (1, 1)


# -- over HTTP, on both backends --------------------------------------------------------------


def post(client: Any, path: str, body: Any, status: int) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def http_case(client: Any) -> str:
    dnr = post(client, "/api/cases", {"title": "Remiss: Promemoria om vårdens lokaler",
                                      "responsible_body": "RS",
                                      "registered_on": "2020-10-02"}, 201)["dnr"]
    for body in (
        {"direction": "incoming", "date": "2020-10-02", "description": "Remiss",
         "counterpart": "Socialdepartementet"},
        {"direction": "outgoing", "date": "2020-11-20", "description": "Yttrande",
         "counterpart": "Socialdepartementet"},
    ):
        post(client, f"/api/cases/{dnr}/documents", body, 201)
    return dnr


def test_incoming_referral_over_http(client: Any) -> None:
    dnr = http_case(client)
    base = f"/api/cases/{dnr}/incoming-referrals"
    written = post(client, base, {"sender": "Socialdepartementet", "answer_by": "2020-11-30",
                                  "document_number": 1, "sender_reference": "S2020/07890"}, 201)
    (referral,) = written["case"]["incoming_referrals"]
    assert referral == {
        "number": 1, "sender": "Socialdepartementet", "sender_reference": "S2020/07890",
        "received_on": "2020-10-02", "answer_by": "2020-11-30", "document_number": 1,
        "status": "outstanding", "answered_on": None, "answer_document_number": None,
        "declined_on": None, "decline_reason": None, "decline_document_number": None,
        "extensions": [],
    }
    assert written["position"] >= 1
    refused = client.post(f"{base}/1/answers", json={"document_number": 1})
    assert refused.status_code == 409
    assert refused.content_type == "application/problem+json"
    assert refused.get_json()["rule"] == "incoming-referral-answer-document"
    invalid = client.post(base, json={"answer_by": "2020-11-30", "document_number": 1})
    assert invalid.status_code == 422
    assert "sender" in str(invalid.get_json())
    assert client.post(base, json={"sender": "X", "answer_by": "2020-11-30",
                                   "document_number": "1"}).status_code == 422
    extended = post(client, f"{base}/1/extensions",
                    {"answer_by": "2020-12-15", "granted_on": "2020-11-02"}, 201)
    assert extended["case"]["incoming_referrals"][0]["extensions"] == [
        {"granted_on": "2020-11-02", "answer_by": "2020-12-15"}]
    assert extended["case"]["incoming_referrals"][0]["answer_by"] == "2020-12-15"
    shorter = client.post(f"{base}/1/extensions", json={"answer_by": "2020-12-01"})
    assert (shorter.status_code, shorter.get_json()["rule"]) == (409,
                                                                  "incoming-referral-extension")
    answered = post(client, f"{base}/1/answers", {"document_number": 2}, 201)
    assert answered["case"]["incoming_referrals"][0]["status"] == "answered"
    again = client.post(f"{base}/1/decline", json={"reason": "x"})
    assert (again.status_code, again.get_json()["rule"]) == (409, "incoming-referral-settled")
    unknown = client.post(f"{base}/7/decline", json={"reason": "x"})
    assert (unknown.status_code, unknown.get_json()["rule"]) == (409, "incoming-referral-unknown")
    types = [e["type"] for e in client.get(f"/api/cases/{dnr}/events").get_json()]
    assert types[-3:] == ["IncomingReferralReceived", "IncomingReferralExtended",
                          "IncomingReferralAnswered"]


def test_decline_over_http_and_the_routes_are_documented(client: Any) -> None:
    dnr = http_case(client)
    base = f"/api/cases/{dnr}/incoming-referrals"
    post(client, base, {"sender": "Socialdepartementet", "answer_by": "2020-11-30",
                        "document_number": 1}, 201)
    declined = post(client, f"{base}/1/decline",
                    {"reason": "Berör inte regionen", "declined_on": "2020-10-09"}, 201)
    assert declined["case"]["incoming_referrals"][0]["status"] == "declined"
    spec = client.get("/api/openapi.json").get_json()
    for path in ("/api/cases/{dnr}/incoming-referrals",
                 "/api/cases/{dnr}/incoming-referrals/{referral_number}/answers",
                 "/api/cases/{dnr}/incoming-referrals/{referral_number}/extensions",
                 "/api/cases/{dnr}/incoming-referrals/{referral_number}/decline"):
        assert "post" in spec["paths"][path], path
    assert "IncomingReferral" in spec["components"]["schemas"]


def test_only_registrars_and_the_own_officer_record_incoming_referrals(client_as: Any) -> None:
    registrar = client_as("registrar", name="anna")
    dnr = http_case(registrar)
    body = {"sender": "Socialdepartementet", "answer_by": "2020-11-30", "document_number": 1}
    for outsider in (client_as("secretary", name="sam"), client_as("officer", name="per")):
        response = outsider.post(f"/api/cases/{dnr}/incoming-referrals", json=body)
        assert response.status_code == 403
    assert client_as(None).post(f"/api/cases/{dnr}/incoming-referrals",
                                json=body).status_code == 401
    post(registrar, f"/api/cases/{dnr}/incoming-referrals", body, 201)


def test_a_secret_letter_withholds_the_referrals_sender(client: Any, client_as: Any) -> None:
    dnr = http_case(client)
    post(client, f"/api/cases/{dnr}/incoming-referrals",
         {"sender": "Socialdepartementet", "answer_by": "2020-11-30", "document_number": 1,
          "sender_reference": "S2020/07890"}, 201)
    post(client, f"/api/cases/{dnr}/documents/1/secrecy",
         {"statute": "OSL 21:3", "marking_body": "RS", "fields": ["counterpart"]}, 201)
    secretary = client_as("secretary", name="sam")
    case = secretary.get(f"/api/cases/{dnr}").get_json()
    (referral,) = case["incoming_referrals"]
    assert (referral["sender"], referral["sender_reference"]) == (None, None)
    assert "incoming_referrals.1.sender" in case["withheld"]
    assert referral["answer_by"] == "2020-11-30"  # the deadline itself stays visible
    history = secretary.get(f"/api/cases/{dnr}/events").get_json()
    event = next(e for e in history if e["type"] == "IncomingReferralReceived")
    assert (event["data"]["sender"], event["data"]["sender_reference"]) == (None, None)
    assert case["documents"][0]["counterpart"] is None  # withheld as the sender is
    assert "S2020/07890" not in str(case) + str(history)
    registrar = client.get(f"/api/cases/{dnr}").get_json()  # may read secrets
    assert registrar["incoming_referrals"][0]["sender"] == "Socialdepartementet"


def test_feed_and_export_carry_incoming_referrals(client: Any, diarium: Diarium) -> None:
    dnr = http_case(client)
    post(client, f"/api/cases/{dnr}/incoming-referrals",
         {"sender": "Socialdepartementet", "answer_by": "2020-11-30", "document_number": 1}, 201)
    post(client, f"/api/cases/{dnr}/incoming-referrals/1/answers", {"document_number": 2}, 201)
    items = feed.read_feed(diarium, 0, 100).items
    received, answered = (i for i in items if i.type.startswith("case.incoming_referral"))
    assert (received.type, received.payload["sender"], received.business_date) == (
        "case.incoming_referral_received", "Socialdepartementet", "2020-10-02")
    assert (answered.type, answered.payload) == (
        "case.incoming_referral_answered", {"number": 1, "document_number": 2})
    post(client, f"/api/cases/{dnr}/documents/1/secrecy",
         {"statute": "OSL 21:3", "marking_body": "RS", "fields": ["counterpart"]}, 201)
    received = next(i for i in feed.read_feed(diarium, 0, 100).items
                    if i.type == "case.incoming_referral_received")
    assert received.withheld == ["sender", "sender_reference"]
    assert received.payload["sender"] is None
    package = export.json_package(diarium, dnr)
    (exported,) = package["incoming_referrals"]
    assert (exported["status"], exported["answer_document_number"]) == ("answered", 2)
    assert "case.incoming_referral_received" in package["event_types"]
    assert "incoming_referrals" in package["package"]["sections"]


# -- registers -----------------------------------------------------------------------------------


def test_registers_list_incoming_referrals_and_their_deadlines(diarium: Diarium) -> None:
    diarium.today = lambda: date(2021, 3, 1)
    by = Actor("registrator", "req")
    dnrs = []
    for title, answer_by in (("Remiss A", date(2021, 1, 15)), ("Remiss B", date(2021, 4, 1)),
                             ("Remiss C", date(2021, 1, 20))):
        dnr = diarium.register_case(RegisterCase(title, "RS",
                                                     registered_on=date(2020, 12, 1)), by).dnr
        diarium.handle(
            RegisterDocument(
                dnr, Direction.INCOMING, date(2020, 12, 1), "Remiss", "Finansdepartementet"
            ),
            by,
        )
        diarium.handle(
            ReceiveIncomingReferral(
                dnr,
                "Finansdepartementet",
                answer_by=answer_by,
                document_number=1,
                sender_reference="Fi2020/1",
            ),
            by,
        )
        dnrs.append(dnr)
    a, b, c = dnrs
    diarium.handle(SendReferral(b, ["HSN"], answer_by=date(2021, 3, 20),
                                              sent_on=date(2020, 12, 2)), by)
    diarium.handle(ExtendIncomingReferral(c, 1,
        date(2021, 2, 1), date(2020, 12, 20)), by)  # anstånd: was due 2021-01-20
    projector, items = register_reader(diarium)

    incoming = items("deadlines", kind="incoming-referral-answer")
    assert [(d["dnr"], d["due_on"], d["status"], d["overdue"]) for d in incoming] == [
        (a, "2021-01-15", "overdue", True),
        (c, "2021-02-01", "overdue", True),
        (b, "2021-04-01", "open", False),
    ]
    assert incoming[0]["rule"].startswith("Vårt remissvar ska lämnas")
    assert incoming[0]["subject"] == "Remissvar till Finansdepartementet: Remiss A"
    referrals = items("referrals", direction="incoming")
    assert [(r["dnr"], r["recipient"], r["sender"], r["sender_reference"]) for r in referrals] == [
        (a, "RS", "Finansdepartementet", "Fi2020/1"), (c, "RS", "Finansdepartementet",
                                                       "Fi2020/1"),
        (b, "RS", "Finansdepartementet", "Fi2020/1")]
    assert [r["recipient"] for r in items("referrals", direction="outgoing")] == ["HSN"]
    assert {r["direction"] for r in items("referrals")} == {"incoming", "outgoing"}

    diarium.handle(
        RegisterDocument(
            a, Direction.OUTGOING, date(2021, 1, 20), "Yttrande", "Finansdepartementet"
        ),
        by,
    )
    diarium.handle(AnswerIncomingReferral(a, 1, 2), by)
    diarium.handle(DeclineIncomingReferral(c, 1, "Berör inte regionen", date(2021, 1, 10)), by)
    projector.catch_up()
    open_ = items("deadlines", kind="incoming-referral-answer", status="open")
    assert [d["dnr"] for d in open_] == [b]  # done when answered or declined
    done = items("deadlines", kind="incoming-referral-answer", status="done")
    assert {(d["dnr"], d["done_on"]) for d in done} == {(a, "2021-01-20"), (c, "2021-01-10")}
    diarium.handle(ExtendIncomingReferral(b, 1,
        date(2021, 5, 3), date(2021, 2, 10)), by)
    projector.catch_up()
    (moved,) = items("deadlines", kind="incoming-referral-answer", status="open")
    assert (moved["dnr"], moved["due_on"]) == (b, "2021-05-03")
    assert [r["answer_by"] for r in items("referrals", dnr=b, direction="incoming")] == [
        "2021-05-03"]
    statuses = {r["dnr"]: r["status"] for r in items("referrals", direction="incoming")}
    assert statuses == {a: "answered", b: "outstanding", c: "declined"}
    assert [r["dnr"] for r in items("referrals", status="declined")] == [c]
    assert {(r["dnr"], r["direction"]) for r in items("referrals", status="outstanding")} == {
        (b, "incoming"), (b, "outgoing")}
    assert [r["dnr"] for r in items("referrals", sender="Finansdepartementet",
                                    status="answered")] == [a]

    diarium.handle(CancelCase(b, "Felregistrerad", date(2021, 2, 1)), by)
    projector.catch_up()
    assert items("deadlines", kind="incoming-referral-answer", status="open") == []
    before = snapshot(projector)
    projector.rebuild("deadlines", grace=0)
    assert snapshot(projector)["deadlines.referral"] == before["deadlines.referral"]
    assert snapshot(projector)["deadlines.deadline"] == before["deadlines.deadline"]


def test_registers_withhold_the_sender_of_a_secret_letter(diarium: Diarium) -> None:
    """The referrals and deadlines registers withhold an incoming referral's sender where its
    letter's counterpart is secret, as the case view does; for those who may read the case's
    secrets (registrar, the case's officer) it stays; lifting the marking shows it again."""
    diarium.today = lambda: date(2021, 3, 1)
    by = Actor("registrator", "req")
    dnr = case_with_incoming_referral(diarium, "Skyddad Avsändare", date(2020, 12, 1),
                                      answer_by=date(2021, 4, 1), reference="SA-17")
    diarium.handle(MarkDocumentSecret(dnr, 1, "OSL 21:3", "RS", fields=["counterpart"]), by)
    projector = Projector(diarium, batch_size=4)
    projector.catch_up()
    app = create_app(diarium)
    registrar = authorized(app, roles=("registrar",))
    secretary = authorized(app, roles=("secretary",), name="sam")
    officer = authorized(app, roles=("officer",), name="olle")

    def items(client: Any, register: str, **params: Any) -> list[dict[str, Any]]:
        response = client.get(f"/api/registers/{register}", query_string=params)
        assert response.status_code == 200, response.get_json()
        return response.get_json()["items"]

    def sender(client: Any) -> tuple[Any, ...]:
        (referral,) = items(client, "referrals", direction="incoming")
        (deadline,) = items(client, "deadlines", kind="incoming-referral-answer")
        return (referral["sender"], referral["sender_reference"], referral["withheld"],
                deadline["subject"], deadline["withheld"])

    shown = ("Skyddad Avsändare", "SA-17", [], "Remissvar till Skyddad Avsändare: Remiss", [])
    withheld = (None, None, ["sender", "sender_reference"], "Remissvar till [sekretess]: Remiss",
                ["subject"])
    assert sender(registrar) == shown
    assert sender(secretary) == withheld
    assert sender(officer) == withheld  # not the case's officer
    csv = secretary.get("/api/registers/referrals?format=csv").get_data(as_text=True)
    assert "Skyddad" not in csv and "SA-17" not in csv
    assert items(secretary, "referrals", sender="Skyddad Avsändare") == []  # no oracle
    assert len(items(registrar, "referrals", sender="Skyddad Avsändare")) == 1

    diarium.handle(AssignOfficer(dnr, "olle"), by)
    projector.catch_up()
    assert sender(officer) == shown  # now the case's officer
    before = snapshot(projector)
    projector.rebuild("deadlines", grace=0)
    after = snapshot(projector)
    for table in ("deadlines.referral", "deadlines.deadline"):
        assert after[table] == before[table]

    diarium.handle(LiftDocumentSecrecy(dnr, 1), by)
    projector.catch_up()
    assert sender(secretary) == shown
    diarium.handle(MarkSecret(dnr, "OSL 21:3", "RS", fields=["documents"]), by)
    projector.catch_up()
    assert sender(secretary) == withheld  # the case's marking covers its documents


def test_closing_over_http_waits_for_the_answer(client: Any) -> None:
    dnr = http_case(client)
    post(client, f"/api/cases/{dnr}/incoming-referrals",
         {"sender": "Socialdepartementet", "answer_by": "2020-11-30", "document_number": 1}, 201)
    refused = post(client, f"/api/cases/{dnr}/close", {"closed_on": "2020-11-25"}, 409)
    assert refused["rule"] == "close-incoming-referral-outstanding"
    post(client, f"/api/cases/{dnr}/incoming-referrals/1/answers", {"document_number": 2}, 201)
    assert post(client, f"/api/cases/{dnr}/close", {"closed_on": "2020-11-25"},
                200)["case"]["status"] == "closed"
