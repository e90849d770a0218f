"""Referrals sent to us (inkomna remisser): our body must answer, or decline, by a date."""

from __future__ import annotations

from datetime import date

from diarium.domain import rules
from diarium.domain.actor import Actor
from diarium.domain.aggregate import command, decides, evolves, numbered
from diarium.domain.case.part import CaseCommand, CasePart
from diarium.domain.case.terms import Direction, Document, IncomingReferral
from diarium.domain.events import case as ev
from diarium.domain.rules import not_future, require


@command
class ReceiveIncomingReferral(CaseCommand):
    sender: str
    answer_by: date
    document_number: int
    received_on: date | None = None  # default: the incoming letter's date
    sender_reference: str | None = None


@command
class IncomingReferralCommand(CaseCommand):
    """A command on the case's incoming referral ``referral_number``; its own fields follow."""

    referral_number: int


@command
class ExtendIncomingReferral(IncomingReferralCommand):
    answer_by: date
    granted_on: date | None = None


@command
class AnswerIncomingReferral(IncomingReferralCommand):
    document_number: int
    answered_on: date | None = None  # default: the outgoing answer's date


@command
class DeclineIncomingReferral(IncomingReferralCommand):
    reason: str
    declined_on: date | None = None
    document_number: int | None = None


class IncomingReferrals(CasePart):
    """Receiving referrals, their extensions (anstånd), our answers and our declines."""

    @decides(ReceiveIncomingReferral)
    def receive_incoming_referral(
        self, command: ReceiveIncomingReferral, by: Actor, today: date
    ) -> IncomingReferral:
        """Record that a referral was sent to us (the registered incoming letter
        ``document_number``, received on ``received_on``, default: the letter's date), which
        our body must answer by ``answer_by``."""
        self._require_active()
        document_number = command.document_number
        letter = self._letter(document_number, Direction.INCOMING, rules.INCOMING_REFERRAL_LETTER)
        require(
            all(r.document_number != document_number for r in self.incoming_referrals),
            rules.INCOMING_REFERRAL_LETTER,
            f"Document {document_number} is already the letter of an incoming referral",
        )
        received_on = command.received_on or letter.date
        not_future(received_on, today, "received_on")
        require(command.answer_by >= received_on, rules.INCOMING_REFERRAL_DUE_BEFORE_RECEIVED)
        return self.record_next(
            self.incoming_referrals, ev.IncomingReferralReceived, command, by,
            occurred_on=received_on,
        )

    @decides(ExtendIncomingReferral)
    def extend_incoming_referral(
        self, command: ExtendIncomingReferral, by: Actor, today: date
    ) -> None:
        """Record an extension (anstånd) the sender granted: our answer is due by
        ``answer_by``, later than before."""
        number = command.referral_number
        referral = self._open_incoming_referral(number)
        granted_on = command.granted_on or today
        _after_receipt(referral, granted_on, today, "granted_on")
        require(
            command.answer_by > referral.answer_by,
            rules.INCOMING_REFERRAL_EXTENSION,
            f"Incoming referral {number} is due by {referral.answer_by.isoformat()} already",
        )
        self.record(
            ev.IncomingReferralExtended, command, by,
            number=number,
            previous_answer_by=referral.answer_by,
            occurred_on=granted_on,
        )

    @decides(AnswerIncomingReferral)
    def answer_incoming_referral(
        self, command: AnswerIncomingReferral, by: Actor, today: date
    ) -> None:
        """Record our answer (yttrande) to an incoming referral: the registered outgoing
        document ``document_number``, sent on ``answered_on`` (default: that document's date)."""
        referral = self._open_incoming_referral(command.referral_number)
        document_number = command.document_number
        answer = self._answer_letter(document_number)
        day = command.answered_on or answer.date
        _after_receipt(referral, day, today, "answered_on")
        self.record(
            ev.IncomingReferralAnswered, command, by,
            number=command.referral_number, occurred_on=day,
        )

    @decides(DeclineIncomingReferral)
    def decline_incoming_referral(
        self, command: DeclineIncomingReferral, by: Actor, today: date
    ) -> None:
        """Record that our body declined to answer an incoming referral (avstår), with the
        outgoing letter saying so when one was sent."""
        referral = self._open_incoming_referral(command.referral_number)
        declined_on = command.declined_on or today
        _after_receipt(referral, declined_on, today, "declined_on")
        document_number = command.document_number
        if document_number is not None:
            self._answer_letter(document_number)
        self.record(
            ev.IncomingReferralDeclined, command, by,
            number=command.referral_number, occurred_on=declined_on,
        )

    def incoming_referral(self, number: int) -> IncomingReferral:
        return numbered(
            self.incoming_referrals, number, rules.INCOMING_REFERRAL_UNKNOWN,
            f"Case {self.dnr} has no incoming referral {number}",
        )

    def _open_incoming_referral(self, number: int) -> IncomingReferral:
        """The incoming referral ``number`` of an active case, neither answered nor declined."""
        self._require_active()
        referral = self.incoming_referral(number)
        require(
            referral.settled_on is None,
            rules.INCOMING_REFERRAL_SETTLED,
            f"Incoming referral {number} of case {self.dnr} was already {referral.status}",
        )
        return referral

    def _answer_letter(self, number: int) -> Document:
        """The outgoing document ``number``, which answers or declines an incoming referral."""
        return self._letter(number, Direction.OUTGOING, rules.INCOMING_REFERRAL_ANSWER_DOCUMENT)

    # -- evolution ------------------------------------------------------------------

    @evolves(ev.IncomingReferralReceived)
    def _incoming_referral_received(self, event: ev.IncomingReferralReceived) -> None:
        self.incoming_referrals.append(
            IncomingReferral(
                event.number, event.sender, event.sender_reference, event.occurred_on,
                event.answer_by, event.document_number,
            )
        )

    @evolves(ev.IncomingReferralExtended)
    def _incoming_referral_extended(self, event: ev.IncomingReferralExtended) -> None:
        referral = self.incoming_referrals[event.number - 1]
        referral.answer_by = event.answer_by
        referral.extensions.append((event.occurred_on, event.answer_by))

    @evolves(ev.IncomingReferralAnswered)
    def _incoming_referral_answered(self, event: ev.IncomingReferralAnswered) -> None:
        referral = self.incoming_referrals[event.number - 1]
        referral.answered_on = event.occurred_on
        referral.answer_document_number = event.document_number

    @evolves(ev.IncomingReferralDeclined)
    def _incoming_referral_declined(self, event: ev.IncomingReferralDeclined) -> None:
        referral = self.incoming_referrals[event.number - 1]
        referral.declined_on = event.occurred_on
        referral.decline_reason = event.reason
        referral.decline_document_number = event.document_number


def _after_receipt(referral: IncomingReferral, day: date, today: date, field_name: str) -> None:
    """Refuse a ``day`` recorded on ``referral`` in the future or before it was received."""
    not_future(day, today, field_name)
    require(day >= referral.received_on, rules.INCOMING_REFERRAL_BEFORE_RECEIVED)
