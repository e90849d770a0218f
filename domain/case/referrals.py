"""Referrals (remisser) we send: the case sent to named recipients, who answer by a date."""

from __future__ import annotations

from datetime import date

from diarium.domain import rules
from diarium.domain.actor import Actor
from diarium.domain.aggregate import command, decides, evolves, numbered
from diarium.domain.case.part import CaseCommand, CasePart
from diarium.domain.case.terms import Referral
from diarium.domain.events import case as ev
from diarium.domain.rules import require


@command
class SendReferral(CaseCommand):
    recipients: list[str]
    answer_by: date
    sent_on: date | None = None
    document_number: int | None = None


@command
class RegisterReferralAnswer(CaseCommand):
    referral_number: int
    recipient: str
    answered_on: date | None = None
    document_number: int | None = None


class Referrals(CasePart):
    """Sending referrals and registering their answers."""

    @decides(SendReferral)
    def send_referral(self, command: SendReferral, by: Actor, today: date) -> Referral:
        """Send the case on referral (remiss) to named recipients, to answer by a date."""
        sent_on = self._active_on(command.sent_on, today, "sent_on")
        require(command.answer_by >= sent_on, rules.REFERRAL_DUE_BEFORE_SENT)
        self._require_document(command.document_number)
        return self.record_next(
            self.referrals, ev.ReferralSent, command, by,
            recipients=list(dict.fromkeys(command.recipients)),
            occurred_on=sent_on,
        )

    @decides(RegisterReferralAnswer)
    def register_referral_answer(
        self, command: RegisterReferralAnswer, by: Actor, today: date
    ) -> None:
        """Register a recipient's answer (yttrande) to a referral that was sent."""
        answered_on = self._active_on(command.answered_on, today, "answered_on")
        number, recipient = command.referral_number, command.recipient
        referral = numbered(
            self.referrals, number, rules.REFERRAL_UNKNOWN,
            f"Referral {number} was never sent on case {self.dnr}",
        )
        require(
            recipient in referral.recipients,
            rules.REFERRAL_RECIPIENT,
            f"{recipient!r} is not a recipient of referral {number}",
        )
        require(
            recipient not in referral.answers,
            rules.REFERRAL_ALREADY_ANSWERED,
            f"{recipient!r} already answered referral {number}",
        )
        require(answered_on >= referral.sent_on, rules.REFERRAL_ANSWER_BEFORE_SENT)
        self._require_document(command.document_number)
        self.record(ev.ReferralAnswered, command, by, occurred_on=answered_on)

    @evolves(ev.ReferralSent)
    def _referral_sent(self, event: ev.ReferralSent) -> None:
        self.referrals.append(
            Referral(
                event.number, list(event.recipients), event.occurred_on, event.answer_by,
                event.document_number,
            )
        )

    @evolves(ev.ReferralAnswered)
    def _referral_answered(self, event: ev.ReferralAnswered) -> None:
        self.referrals[event.referral_number - 1].answers[event.recipient] = event.occurred_on
