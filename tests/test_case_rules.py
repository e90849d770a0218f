"""Every lifecycle rule of the case aggregate, allowed and refused, without a store.

A refused command must leave the aggregate exactly as it was (no pending event, same state).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from diarium.domain.actor import Actor
from diarium.domain.case.aggregate import Case
from diarium.domain.case.decisions import RecordDecision, RecordExtractSent, RecordProposal
from diarium.domain.case.documents import RegisterDocument
from diarium.domain.case.lifecycle import AssignOfficer, CancelCase, CloseCase, ReopenCase
from diarium.domain.case.referrals import RegisterReferralAnswer, SendReferral
from diarium.domain.case.terms import DecisionKind, Direction, Status
from diarium.domain.events import case as ev
from diarium.domain.rules import RuleViolation

BY = Actor("registrator", "req")
TODAY = date(2020, 12, 31)


REGISTRATION: dict[str, Any] = {
    "dnr": "1338-2020",
    "series": "default",
    "year": 2020,
    "sequence": 1338,
    "title": "Förstudie av fysisk samlokalisering av verksamheter i Luleåområdet",
    "responsible_body": "RS",
    "registered_on": date(2020, 9, 22),
}


def new_case(**changes: Any) -> Case:
    """The case registered (``changes``: other registration fields)."""
    case = Case.register(**{**REGISTRATION, **changes}, by=BY, today=TODAY)
    case.collect_events()
    return case


def done(case: Case, act: Callable[[Case], object]) -> Case:
    """``case`` after ``act``, its events collected."""
    act(case)
    case.collect_events()
    return case


def decided(case: Case) -> Case:
    return done(case, decision(text="Regionstyrelsen beslutar enligt förslaget."))


def closed(case: Case) -> Case:
    return done(case, lambda c: c.close(CloseCase(c.dnr, closed_on=date(2020, 11, 1)), BY, TODAY))


def cancelled(case: Case) -> Case:
    cancel = CancelCase(case.dnr, cancelled_on=date(2020, 10, 1), reason="dubblett")
    return done(case, lambda c: c.cancel(cancel, BY, TODAY))


def referred(case: Case) -> Case:
    referral = SendReferral(
        case.dnr, recipients=["HSN", "RUN"], sent_on=date(2020, 9, 25),
        answer_by=date(2020, 10, 30),
    )
    return done(case, lambda c: c.send_referral(referral, BY, TODAY))


def refuse(case: Case, command: Callable[[Case], object], code: str) -> None:
    """``command`` is refused with rule ``code`` and changes nothing."""
    before = copy.deepcopy(vars(case))
    with pytest.raises(RuleViolation) as refused:
        command(case)
    assert refused.value.rule.code == code
    assert case.collect_events() == []
    assert vars(case) == before


def document(day: date = date(2020, 10, 1)) -> Callable[[Case], object]:
    return lambda c: c.register_document(
        RegisterDocument(c.dnr, Direction.INCOMING, day, "Skrivelse", "Luleå kommun"),
        BY, TODAY,
    )


def decision(**kwargs: object) -> Callable[[Case], object]:
    fields: dict[str, object] = {
        "kind": DecisionKind.DECIDED,
        "text": "Beslut",
        "decided_on": date(2020, 10, 14),
        "body": "RS",
        "paragraph": 170,
    }
    fields.update(kwargs)
    return lambda c: c.record_decision(RecordDecision(c.dnr, **fields), BY, TODAY)  # type: ignore[arg-type]


def answer(referral: int = 1, recipient: str = "HSN", day: date = date(2020, 10, 20)):  # type: ignore[no-untyped-def]
    return lambda c: c.register_referral_answer(
        RegisterReferralAnswer(
            c.dnr, referral_number=referral, recipient=recipient, answered_on=day
        ),
        BY,
        TODAY,
    )


def extract(number: int = 1, recipient: str = "Regiondirektör", day: date = date(2020, 10, 20)):  # type: ignore[no-untyped-def]
    return lambda c: c.record_extract_sent(
        RecordExtractSent(c.dnr, decision_number=number, recipient=recipient, sent_on=day),
        BY,
        TODAY,
    )


def test_registration_records_the_case_as_open() -> None:
    case = new_case()
    assert (case.dnr, case.status, case.version) == ("1338-2020", Status.OPEN, 1)
    assert case.registered_on == date(2020, 9, 22)
    assert case.registered_by == "registrator"


def test_registration_in_the_future_is_refused() -> None:
    with pytest.raises(RuleViolation) as refused:
        new_case(dnr="1-2021", year=2021, sequence=1, title="x", registered_on=date(2021, 1, 1))
    assert refused.value.rule.code == "no-future-date"


def test_documents_get_running_numbers() -> None:
    case = new_case()
    document()(case)
    document(date(2020, 10, 2))(case)
    assert [d.number for d in case.documents] == [1, 2]
    assert case.documents[1].date == date(2020, 10, 2)


@pytest.mark.parametrize(
    ("prepare", "code"),
    [(closed, "case-closed"), (cancelled, "case-cancelled")],
)
def test_nothing_is_recorded_on_a_closed_or_cancelled_case(prepare, code) -> None:  # type: ignore[no-untyped-def]
    case = prepare(new_case())
    for command in (
        document(),
        decision(),
        lambda c: c.assign_officer(
            AssignOfficer(c.dnr, officer="Ny", assigned_on=TODAY), BY, TODAY
        ),
        lambda c: c.record_proposal(
            RecordProposal(c.dnr, points=["p"], summary="s", proposed_on=TODAY), BY, TODAY
        ),
        lambda c: c.send_referral(
            SendReferral(c.dnr, recipients=["HSN"], sent_on=TODAY, answer_by=TODAY), BY, TODAY
        ),
    ):
        refuse(case, command, code)


def test_future_document_date_is_refused() -> None:
    refuse(new_case(), document(date(2021, 1, 1)), "no-future-date")


def test_officer_assignment_and_reassignment() -> None:
    case = new_case()
    case.assign_officer(
        AssignOfficer(case.dnr, officer="Anna", assigned_on=date(2020, 9, 23)), BY, TODAY
    )
    case.assign_officer(
        AssignOfficer(case.dnr, officer="Bo", assigned_on=date(2020, 9, 24)), BY, TODAY
    )
    events = case.collect_events()
    assert case.officer == "Bo"
    assert events[-1].previous_officer == "Anna"
    refuse(
        case,
        lambda c: c.assign_officer(
            AssignOfficer(c.dnr, officer="Bo", assigned_on=TODAY), BY, TODAY
        ),
        "officer-unchanged",
    )


def test_referral_answers_are_registered_per_recipient() -> None:
    case = referred(new_case())
    answer()(case)
    assert case.referrals[0].answers == {"HSN": date(2020, 10, 20)}
    assert case.referrals[0].outstanding == ["RUN"]


@pytest.mark.parametrize(
    ("command", "code"),
    [
        (answer(referral=2), "referral-not-sent"),
        (answer(recipient="Kommunen"), "referral-recipient"),
        (answer(day=date(2020, 9, 1)), "referral-answer-before-sent"),
    ],
)
def test_refused_referral_answers(command, code) -> None:  # type: ignore[no-untyped-def]
    refuse(referred(new_case()), command, code)


def test_answer_to_a_referral_never_sent_is_refused() -> None:
    refuse(new_case(), answer(), "referral-not-sent")


def test_a_recipient_answers_once() -> None:
    case = done(referred(new_case()), answer())
    refuse(case, answer(), "referral-already-answered")


def test_referral_due_before_it_was_sent_is_refused() -> None:
    refuse(
        new_case(),
        lambda c: c.send_referral(
            SendReferral(
                c.dnr, recipients=["HSN"], sent_on=date(2020, 10, 1), answer_by=date(2020, 9, 1)
            ),
            BY,
            TODAY,
        ),
        "referral-due-before-sent",
    )


def test_referral_naming_an_unknown_document_is_refused() -> None:
    refuse(
        new_case(),
        lambda c: c.send_referral(
            SendReferral(
                c.dnr,
                recipients=["HSN"],
                sent_on=date(2020, 10, 1),
                answer_by=date(2020, 11, 1),
                document_number=3,
            ),
            BY,
            TODAY,
        ),
        "document-unknown",
    )


def test_proposal_points_are_kept_in_order() -> None:
    case = new_case()
    case.record_proposal(
        RecordProposal(
            case.dnr,
            points=["Inrätta ett utskott", "Anta reglementet"],
            summary="Sammanfattning",
            proposed_on=date(2020, 10, 1),
        ),
        BY,
        TODAY,
    )
    assert case.proposals[0].points == ["Inrätta ett utskott", "Anta reglementet"]


def test_decision_by_body_and_by_delegate() -> None:
    case = new_case()
    decision()(case)
    decision(body=None, paragraph=None, delegate="Regiondirektören", delegation_point="2.3.8")(case)
    decision(kind=DecisionKind.PROPOSED_TO_HIGHER_BODY, higher_body="RF", paragraph=171)(case)
    assert [d.number for d in case.decisions] == [1, 2, 3]
    assert case.decisions[1].delegate == "Regiondirektören"
    assert case.decisions[2].higher_body == "RF"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"body": None, "paragraph": None},  # nobody decided
        {"delegate": "Regiondirektören", "delegation_point": "2.3.8"},  # both
        {"paragraph": None},  # a body without its §
        {"body": None, "paragraph": None, "delegate": "Regiondirektören"},  # no point
        {"kind": DecisionKind.PROPOSED_TO_HIGHER_BODY},  # to which body?
        {"higher_body": "RF"},  # decided, yet sent on
    ],
)
def test_decision_must_name_one_decision_maker(kwargs) -> None:  # type: ignore[no-untyped-def]
    refuse(new_case(), decision(**kwargs), "decision-maker")


def test_extracts_are_recorded_per_recipient() -> None:
    case = decided(new_case())
    extract()(case)
    extract(recipient="Ekonomi- och planeringsdirektör")(case)
    assert set(case.decisions[0].extracts) == {"Regiondirektör", "Ekonomi- och planeringsdirektör"}


@pytest.mark.parametrize(
    ("prepare", "command", "code"),
    [
        (lambda c: c, extract(), "decision-unknown"),
        (decided, extract(number=2), "decision-unknown"),
        (decided, extract(day=date(2020, 10, 1)), "extract-before-decision"),
    ],
)
def test_refused_extracts(prepare, command, code) -> None:  # type: ignore[no-untyped-def]
    refuse(prepare(new_case()), command, code)


def test_extract_sent_twice_to_one_recipient_is_refused() -> None:
    case = done(decided(new_case()), extract())
    refuse(case, extract(), "extract-already-sent")


def test_extract_may_be_sent_after_closing() -> None:
    case = closed(decided(new_case()))
    extract(day=date(2020, 11, 2))(case)
    assert "Regiondirektör" in case.decisions[0].extracts


def test_close_reopen_close() -> None:
    case = closed(new_case())
    assert (case.status, case.closed_on) == (Status.CLOSED, date(2020, 11, 1))
    case.reopen(
        ReopenCase(case.dnr, reopened_on=date(2020, 11, 5), reason="Ny handling"), BY, TODAY
    )
    assert (case.status, case.closed_on) == (Status.OPEN, None)
    case.close(CloseCase(case.dnr, closed_on=date(2020, 11, 6)), BY, TODAY)
    assert case.status == Status.CLOSED


def test_close_only_open_and_reopen_only_closed() -> None:
    reopen = lambda c: c.reopen(ReopenCase(c.dnr, reopened_on=TODAY, reason="r"), BY, TODAY)  # noqa: E731
    close = lambda c: c.close(CloseCase(c.dnr, closed_on=TODAY), BY, TODAY)  # noqa: E731
    refuse(new_case(), reopen, "reopen-only-closed")
    refuse(closed(new_case()), close, "close-only-open")
    refuse(cancelled(new_case()), reopen, "case-cancelled")
    refuse(cancelled(new_case()), close, "case-cancelled")


def test_cancel_keeps_the_case_and_refuses_after_a_decision() -> None:
    case = cancelled(new_case())
    assert (case.status, case.dnr) == (Status.CANCELLED, "1338-2020")
    cancel = lambda c: c.cancel(CancelCase(c.dnr, cancelled_on=TODAY, reason="r"), BY, TODAY)  # noqa: E731
    refuse(decided(new_case()), cancel, "cancel-after-decision")
    refuse(case, cancel, "case-cancelled")


# -- DiariumAggregate.record: an event's fields from the command by name ---------------


def test_record_copies_the_commands_fields_by_name_and_stamps_the_rest() -> None:
    case = new_case()
    command = AssignOfficer(case.dnr, officer="Anna Handläggare")
    case.record(
        ev.CaseOfficerAssigned, command, BY,
        previous_officer="given", occurred_on=date(2020, 10, 1),
    )
    (event,) = case.collect_events()
    assert (event.officer, event.previous_officer) == ("Anna Handläggare", "given")
    assert event.occurred_on == date(2020, 10, 1)
    assert (event.actor, event.request_id) == ("registrator", "req")
    assert event.originator_id == case.id  # the library's fields are not the command's


def test_record_refuses_an_event_a_field_of_which_neither_values_nor_command_give() -> None:
    case = new_case()
    with pytest.raises(TypeError, match="previous_officer"):
        case.record(
            ev.CaseOfficerAssigned, AssignOfficer(case.dnr, officer="Anna"), BY,
            occurred_on=date(2020, 10, 1),
        )
    with pytest.raises(TypeError, match="occurred_on"):
        case.record(ev.CaseReopened, ReopenCase(case.dnr, reason="Ny handling"), BY)
    assert case.collect_events() == []
