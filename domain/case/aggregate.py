"""The case aggregate: every lifecycle rule of an ärende is enforced here."""

from __future__ import annotations

from datetime import date
from functools import singledispatchmethod
from typing import Any

from diarium.domain import rules
from diarium.domain.actor import Actor
from diarium.domain.aggregate import DiariumAggregate, decides
from diarium.domain.case import commands as cmd
from diarium.domain.case.terms import (
    CASE_SECRET_FIELDS,
    DOCUMENT_SECRET_FIELDS,
    Decision,
    DecisionKind,
    Direction,
    Document,
    IncomingReferral,
    Proposal,
    Referral,
    Secrecy,
    SecrecyMarking,
    Status,
)
from diarium.domain.dnr import case_id
from diarium.domain.events import case as ev
from diarium.domain.identity_numbers import personal_identity_numbers
from diarium.domain.roles import may_mark_secret
from diarium.domain.rules import require
from diarium.domain.secrecy import covered_by_case


class Case(DiariumAggregate):
    """An ärende, identified by its dnr, whose state is rebuilt from its events."""

    # -- creation ---------------------------------------------------------------------

    @classmethod
    def register(
        cls,
        *,
        dnr: str,
        series: str,
        year: int,
        sequence: int,
        title: str,
        responsible_body: str,
        registered_on: date,
        by: Actor,
        today: date,
        public_title: str | None = None,
        unit: str | None = None,
        officer: str | None = None,
        classification: str | None = None,
        origin: str | None = None,
        migrated: bool = False,
        secrecy: SecrecyMarking | None = None,
    ) -> Case:
        """Register a new case under ``dnr``, marked secret at once when ``secrecy`` is given
        (its ``CaseMarkedSecret`` follows ``CaseRegistered`` in the same save). A personal
        identity number stands only where the marking withholds it."""
        _not_future(registered_on, today, "registered_on")
        require(
            secrecy is None or may_mark_secret(by, officer),
            rules.SECRECY_MARKING_ROLE,
            f"{by.name} may register the case but not mark it secret",
            "secrecy",
        )
        case = cls._create_by(
            ev.CaseRegistered,
            id=case_id(dnr),
            dnr=dnr,
            series=series,
            year=year,
            sequence=sequence,
            title=title,
            public_title=public_title,
            responsible_body=responsible_body,
            unit=unit,
            officer=officer,
            classification=classification,
            origin=origin,
            migrated=migrated,
            occurred_on=registered_on,
            by=by,
        )
        if secrecy is not None:
            case.mark_secret(
                statute=secrecy.statute,
                marking_body=secrecy.marking_body or responsible_body,
                marked_on=secrecy.marked_on or registered_on,
                fields=secrecy.fields,
                by=by,
                today=today,
            )
        for name, value, entity in (
            ("title", title, "case"), ("public_title", public_title, None),
            ("origin", origin, "case"),
        ):
            case._require_unpublished(name, value, entity)
        return case

    # -- commands ---------------------------------------------------------------------

    @decides(cmd.RegisterDocument)
    def register_document(self, command: cmd.RegisterDocument, by: Actor, today: date) -> None:
        """Register a document to the case, numbered on within the case."""
        self._require_active()
        _not_future(command.date, today, "date")
        self._require_unpublished("description", command.description, "document")
        self._require_unpublished("counterpart", command.counterpart, "document")
        self.trigger_event(
            ev.DocumentRegistered,
            number=len(self.documents) + 1,
            direction=str(command.direction),
            counterpart=command.counterpart,
            description=command.description,
            occurred_on=command.date,
            by=by,
        )

    def assign_officer(self, *, officer: str, assigned_on: date, by: Actor, today: date) -> None:
        """Assign or reassign the case officer (handläggare)."""
        self._require_active()
        _not_future(assigned_on, today, "assigned_on")
        require(officer != self.officer, rules.OFFICER_UNCHANGED, f"{officer} is already officer")
        self.trigger_event(
            ev.CaseOfficerAssigned,
            officer=officer,
            previous_officer=self.officer,
            occurred_on=assigned_on,
            by=by,
        )

    def send_referral(
        self,
        *,
        recipients: list[str],
        sent_on: date,
        answer_by: date,
        by: Actor,
        today: date,
        document_number: int | None = None,
    ) -> Referral:
        """Send the case on referral (remiss) to named recipients, to answer by a date."""
        self._require_active()
        _not_future(sent_on, today, "sent_on")
        require(answer_by >= sent_on, rules.REFERRAL_DUE_BEFORE_SENT)
        self._require_document(document_number)
        self.trigger_event(
            ev.ReferralSent,
            number=len(self.referrals) + 1,
            recipients=list(dict.fromkeys(recipients)),
            answer_by=answer_by,
            document_number=document_number,
            occurred_on=sent_on,
            by=by,
        )
        return self.referrals[-1]

    def register_referral_answer(
        self,
        *,
        referral_number: int,
        recipient: str,
        answered_on: date,
        by: Actor,
        today: date,
        document_number: int | None = None,
    ) -> None:
        """Register a recipient's answer (yttrande) to a referral that was sent."""
        self._require_active()
        _not_future(answered_on, today, "answered_on")
        referral = self.referral(referral_number)
        require(
            recipient in referral.recipients,
            rules.REFERRAL_RECIPIENT,
            f"{recipient!r} is not a recipient of referral {referral_number}",
        )
        require(
            recipient not in referral.answers,
            rules.REFERRAL_ALREADY_ANSWERED,
            f"{recipient!r} already answered referral {referral_number}",
        )
        require(answered_on >= referral.sent_on, rules.REFERRAL_ANSWER_BEFORE_SENT)
        self._require_document(document_number)
        self.trigger_event(
            ev.ReferralAnswered,
            referral_number=referral_number,
            recipient=recipient,
            document_number=document_number,
            occurred_on=answered_on,
            by=by,
        )

    def receive_incoming_referral(
        self,
        *,
        sender: str,
        answer_by: date,
        document_number: int,
        by: Actor,
        today: date,
        received_on: date | None = None,
        sender_reference: str | None = None,
    ) -> IncomingReferral:
        """Record that a referral was sent to us (the registered incoming letter
        ``document_number``, received on ``received_on``, default: the letter's date), which
        our body must answer by ``answer_by``."""
        self._require_active()
        self._require_document(document_number)
        letter = self.documents[document_number - 1]
        require(
            letter.direction == Direction.INCOMING,
            rules.INCOMING_REFERRAL_LETTER,
            f"Document {document_number} of case {self.dnr} is {letter.direction}, not incoming",
        )
        require(
            all(r.document_number != document_number for r in self.incoming_referrals),
            rules.INCOMING_REFERRAL_LETTER,
            f"Document {document_number} is already the letter of an incoming referral",
        )
        received_on = received_on or letter.date
        _not_future(received_on, today, "received_on")
        require(answer_by >= received_on, rules.INCOMING_REFERRAL_DUE_BEFORE_RECEIVED)
        self.trigger_event(
            ev.IncomingReferralReceived,
            number=len(self.incoming_referrals) + 1,
            sender=sender,
            sender_reference=sender_reference,
            answer_by=answer_by,
            document_number=document_number,
            occurred_on=received_on,
            by=by,
        )
        return self.incoming_referrals[-1]

    def extend_incoming_referral(
        self, *, number: int, answer_by: date, granted_on: date, by: Actor, today: date
    ) -> None:
        """Record an extension (anstånd) the sender granted: our answer is due by
        ``answer_by``, later than before."""
        self._require_active()
        referral = self._open_incoming_referral(number)
        _not_future(granted_on, today, "granted_on")
        require(granted_on >= referral.received_on, rules.INCOMING_REFERRAL_BEFORE_RECEIVED)
        require(
            answer_by > referral.answer_by,
            rules.INCOMING_REFERRAL_EXTENSION,
            f"Incoming referral {number} is due by {referral.answer_by.isoformat()} already",
        )
        self.trigger_event(
            ev.IncomingReferralExtended,
            number=number,
            answer_by=answer_by,
            previous_answer_by=referral.answer_by,
            occurred_on=granted_on,
            by=by,
        )

    def answer_incoming_referral(
        self,
        *,
        number: int,
        document_number: int,
        by: Actor,
        today: date,
        answered_on: date | None = None,
    ) -> None:
        """Record our answer (yttrande) to an incoming referral: the registered outgoing
        document ``document_number``, sent on ``answered_on`` (default: that document's date)."""
        self._require_active()
        referral = self._open_incoming_referral(number)
        self._require_document(document_number)
        answer = self.documents[document_number - 1]
        require(
            answer.direction == Direction.OUTGOING,
            rules.INCOMING_REFERRAL_ANSWER_DOCUMENT,
            f"Document {document_number} of case {self.dnr} is {answer.direction}, not outgoing",
        )
        day = answered_on or answer.date
        _not_future(day, today, "answered_on")
        require(day >= referral.received_on, rules.INCOMING_REFERRAL_BEFORE_RECEIVED)
        self.trigger_event(
            ev.IncomingReferralAnswered,
            number=number,
            document_number=document_number,
            occurred_on=day,
            by=by,
        )

    def decline_incoming_referral(
        self,
        *,
        number: int,
        reason: str,
        declined_on: date,
        by: Actor,
        today: date,
        document_number: int | None = None,
    ) -> None:
        """Record that our body declined to answer an incoming referral (avstår), with the
        outgoing letter saying so when one was sent."""
        self._require_active()
        referral = self._open_incoming_referral(number)
        _not_future(declined_on, today, "declined_on")
        require(
            declined_on >= referral.received_on, rules.INCOMING_REFERRAL_BEFORE_RECEIVED
        )
        if document_number is not None:
            self._require_document(document_number)
            letter = self.documents[document_number - 1]
            require(
                letter.direction == Direction.OUTGOING,
                rules.INCOMING_REFERRAL_ANSWER_DOCUMENT,
                f"Document {document_number} of case {self.dnr} is {letter.direction}, "
                "not outgoing",
            )
        self.trigger_event(
            ev.IncomingReferralDeclined,
            number=number,
            reason=reason,
            document_number=document_number,
            occurred_on=declined_on,
            by=by,
        )

    def record_proposal(
        self,
        *,
        points: list[str],
        summary: str,
        proposed_on: date,
        by: Actor,
        today: date,
        justification: str | None = None,
        proposed_by: str | None = None,
    ) -> Proposal:
        """Record a decision proposal (beslutsförslag) as numbered decision points."""
        self._require_active()
        _not_future(proposed_on, today, "proposed_on")
        self.trigger_event(
            ev.ProposalRecorded,
            number=len(self.proposals) + 1,
            points=list(points),
            summary=summary,
            justification=justification,
            proposed_by=proposed_by,
            occurred_on=proposed_on,
            by=by,
        )
        return self.proposals[-1]

    def record_decision(
        self,
        *,
        kind: DecisionKind,
        text: str,
        decided_on: date,
        by: Actor,
        today: date,
        body: str | None = None,
        paragraph: int | None = None,
        higher_body: str | None = None,
        delegate: str | None = None,
        delegation_point: str | None = None,
    ) -> Decision:
        """Record that a decision was taken, by a body at a meeting or by a delegate."""
        self._require_active()
        _not_future(decided_on, today, "decided_on")
        by_body = body is not None and paragraph is not None
        by_delegate = delegate is not None and delegation_point is not None
        require(
            by_body != by_delegate
            and (by_body or (body is None and paragraph is None))
            and (by_delegate or (delegate is None and delegation_point is None)),
            rules.DECISION_MAKER,
        )
        require(
            (kind == DecisionKind.PROPOSED_TO_HIGHER_BODY) == (higher_body is not None),
            rules.DECISION_MAKER,
            "A decision proposed to a higher body names that body (higher_body), "
            "and only such a decision does.",
        )
        self.trigger_event(
            ev.DecisionRecorded,
            number=len(self.decisions) + 1,
            kind=str(kind),
            text=text,
            body=body,
            paragraph=paragraph,
            higher_body=higher_body,
            delegate=delegate,
            delegation_point=delegation_point,
            occurred_on=decided_on,
            by=by,
        )
        return self.decisions[-1]

    def record_extract_sent(
        self, *, decision_number: int, recipient: str, sent_on: date, by: Actor, today: date
    ) -> None:
        """Record that a protocol extract with a decision was sent to a recipient."""
        require(self.status != Status.CANCELLED, rules.CASE_CANCELLED)
        _not_future(sent_on, today, "sent_on")
        decision = self.decision(decision_number)
        require(
            recipient not in decision.extracts,
            rules.EXTRACT_ALREADY_SENT,
            f"Extract of decision {decision_number} already sent to {recipient!r}",
        )
        require(sent_on >= decision.decided_on, rules.EXTRACT_BEFORE_DECISION)
        self.trigger_event(
            ev.ProtocolExtractSent,
            decision_number=decision_number,
            recipient=recipient,
            occurred_on=sent_on,
            by=by,
        )

    def close(self, *, closed_on: date, by: Actor, today: date, reason: str | None = None) -> None:
        """Close the case (avsluta)."""
        require(self.status != Status.CANCELLED, rules.CASE_CANCELLED)
        require(self.status == Status.OPEN, rules.CLOSE_ONLY_OPEN)
        outstanding = [r.number for r in self.incoming_referrals if r.settled_on is None]
        require(  # our body owes the sender an answer (outgoing referrals: others owe us)
            not outstanding,
            rules.CLOSE_INCOMING_REFERRAL_OUTSTANDING,
            f"Case {self.dnr} has incoming referrals neither answered nor declined: "
            f"{', '.join(map(str, outstanding))}",
        )
        _not_future(closed_on, today, "closed_on")
        self.trigger_event(
            ev.CaseClosed, reason=reason, occurred_on=closed_on, by=by
        )

    def reopen(self, *, reopened_on: date, reason: str, by: Actor, today: date) -> None:
        """Reopen a closed case."""
        require(self.status != Status.CANCELLED, rules.CASE_CANCELLED)
        require(self.status == Status.CLOSED, rules.REOPEN_ONLY_CLOSED)
        _not_future(reopened_on, today, "reopened_on")
        self.trigger_event(
            ev.CaseReopened, reason=reason, occurred_on=reopened_on, by=by
        )

    def cancel(self, *, cancelled_on: date, reason: str, by: Actor, today: date) -> None:
        """Cancel (makulera) a case registered in error; the case and its dnr are kept."""
        self._require_active()
        require(not self.decisions, rules.CANCEL_AFTER_DECISION)
        _not_future(cancelled_on, today, "cancelled_on")
        self.trigger_event(
            ev.CaseCancelled, reason=reason, occurred_on=cancelled_on, by=by
        )

    # -- secrecy (OSL 5:5) -----------------------------------------------------------------

    def mark_secret(
        self,
        *,
        statute: str,
        marking_body: str,
        marked_on: date,
        by: Actor,
        today: date,
        fields: list[str] | None = None,
    ) -> None:
        """Mark the case secret under ``statute``; ``fields`` (default: all) are withheld."""
        chosen = _secret_fields(fields, CASE_SECRET_FIELDS)
        require(self.secrecy is None, rules.SECRECY_MARKED, f"Case {self.dnr} is already marked")
        _not_future(marked_on, today, "marked_on")
        self.trigger_event(
            ev.CaseMarkedSecret,
            statute=statute,
            marking_body=marking_body,
            fields=chosen,
            occurred_on=marked_on,
            by=by,
        )

    def lift_secrecy(self, *, lifted_on: date, by: Actor, today: date) -> None:
        """Lift the case's secrecy marking."""
        require(self.secrecy is not None, rules.SECRECY_NOT_MARKED)
        _not_future(lifted_on, today, "lifted_on")
        assert self.secrecy is not None
        self.trigger_event(
            ev.CaseSecrecyLifted, statute=self.secrecy.statute, occurred_on=lifted_on, by=by
        )

    def mark_document_secret(
        self,
        *,
        document_number: int,
        statute: str,
        marking_body: str,
        marked_on: date,
        by: Actor,
        today: date,
        fields: list[str] | None = None,
    ) -> None:
        """Mark one document secret; ``fields`` (default: counterpart and description)."""
        self._require_document(document_number)
        chosen = _secret_fields(fields, DOCUMENT_SECRET_FIELDS)
        require(
            self.documents[document_number - 1].secrecy is None,
            rules.SECRECY_MARKED,
            f"Document {document_number} of case {self.dnr} is already marked",
        )
        _not_future(marked_on, today, "marked_on")
        self.trigger_event(
            ev.DocumentMarkedSecret,
            document_number=document_number,
            statute=statute,
            marking_body=marking_body,
            fields=chosen,
            occurred_on=marked_on,
            by=by,
        )

    def lift_document_secrecy(
        self, *, document_number: int, lifted_on: date, by: Actor, today: date
    ) -> None:
        """Lift a document's secrecy marking."""
        self._require_document(document_number)
        marking = self.documents[document_number - 1].secrecy
        require(marking is not None, rules.SECRECY_NOT_MARKED)
        _not_future(lifted_on, today, "lifted_on")
        assert marking is not None
        self.trigger_event(
            ev.DocumentSecrecyLifted,
            document_number=document_number,
            statute=marking.statute,
            occurred_on=lifted_on,
            by=by,
        )

    # -- queries ----------------------------------------------------------------------

    def referral(self, number: int) -> Referral:
        require(
            1 <= number <= len(self.referrals),
            rules.REFERRAL_UNKNOWN,
            f"Referral {number} was never sent on case {self.dnr}",
        )
        return self.referrals[number - 1]

    def incoming_referral(self, number: int) -> IncomingReferral:
        require(
            1 <= number <= len(self.incoming_referrals),
            rules.INCOMING_REFERRAL_UNKNOWN,
            f"Case {self.dnr} has no incoming referral {number}",
        )
        return self.incoming_referrals[number - 1]

    def _open_incoming_referral(self, number: int) -> IncomingReferral:
        referral = self.incoming_referral(number)
        require(
            referral.settled_on is None,
            rules.INCOMING_REFERRAL_SETTLED,
            f"Incoming referral {number} of case {self.dnr} was already {referral.status}",
        )
        return referral

    def decision(self, number: int) -> Decision:
        require(
            1 <= number <= len(self.decisions),
            rules.DECISION_UNKNOWN,
            f"Case {self.dnr} has no decision {number}",
        )
        return self.decisions[number - 1]

    def _require_unpublished(self, name: str, value: str | None, entity: str | None) -> None:
        """Refuse a personal identity number in field ``name`` of ``entity`` unless what the
        case's marking covers (domain/secrecy.py), or its public title, withholds it from the
        public (``None``: a field the public always sees)."""
        marked = self.secrecy.fields if self.secrecy is not None else []
        withheld = entity is not None and name in covered_by_case(
            marked, self.public_title, entity
        )
        require(
            withheld or not personal_identity_numbers(value),
            rules.PERSONAL_IDENTITY_NUMBER_PUBLIC,
            f"{name} holds a personal identity number, which the public register would show"
            + ("" if entity is None else " unless a secrecy marking (or, for a title, a public "
               "title) withholds it"),
            name,
        )

    def _require_active(self) -> None:
        require(self.status != Status.CANCELLED, rules.CASE_CANCELLED)
        require(self.status != Status.CLOSED, rules.CASE_CLOSED)

    def _require_document(self, number: int | None) -> None:
        if number is not None:
            require(
                1 <= number <= len(self.documents),
                rules.DOCUMENT_UNKNOWN,
                f"Case {self.dnr} has no document {number}",
            )

    # -- evolution: how each event changes the state ----------------------------------

    @singledispatchmethod
    def when(self, event: Any) -> None:
        raise TypeError(f"Case cannot apply {type(event).__name__}")

    @when.register
    def _(self, event: ev.CaseRegistered) -> None:
        self.dnr = event.dnr
        self.series = event.series
        self.year = event.year
        self.sequence = event.sequence
        self.title = event.title
        self.public_title = event.public_title
        self.responsible_body = event.responsible_body
        self.unit = event.unit
        self.officer = event.officer
        self.classification = event.classification
        self.origin = event.origin
        self.migrated = event.migrated
        self.registered_on = event.occurred_on
        self.registered_by = event.actor
        self.status = Status.OPEN
        self.closed_on: date | None = None
        self.cancelled_on: date | None = None
        self.documents: list[Document] = []
        self.referrals: list[Referral] = []
        self.incoming_referrals: list[IncomingReferral] = []
        self.proposals: list[Proposal] = []
        self.decisions: list[Decision] = []
        self.secrecy: Secrecy | None = None

    @when.register
    def _(self, event: ev.DocumentRegistered) -> None:
        self.documents.append(
            Document(
                event.number, event.direction, event.occurred_on, event.counterpart,
                event.description,
            )
        )

    @when.register
    def _(self, event: ev.CaseOfficerAssigned) -> None:
        self.officer = event.officer

    @when.register
    def _(self, event: ev.ReferralSent) -> None:
        self.referrals.append(
            Referral(
                event.number, list(event.recipients), event.occurred_on, event.answer_by,
                event.document_number,
            )
        )

    @when.register
    def _(self, event: ev.ReferralAnswered) -> None:
        self.referrals[event.referral_number - 1].answers[event.recipient] = event.occurred_on

    @when.register
    def _(self, event: ev.IncomingReferralReceived) -> None:
        self.incoming_referrals.append(
            IncomingReferral(
                event.number, event.sender, event.sender_reference, event.occurred_on,
                event.answer_by, event.document_number,
            )
        )

    @when.register
    def _(self, event: ev.IncomingReferralExtended) -> None:
        referral = self.incoming_referrals[event.number - 1]
        referral.answer_by = event.answer_by
        referral.extensions.append((event.occurred_on, event.answer_by))

    @when.register
    def _(self, event: ev.IncomingReferralAnswered) -> None:
        referral = self.incoming_referrals[event.number - 1]
        referral.answered_on = event.occurred_on
        referral.answer_document_number = event.document_number

    @when.register
    def _(self, event: ev.IncomingReferralDeclined) -> None:
        referral = self.incoming_referrals[event.number - 1]
        referral.declined_on = event.occurred_on
        referral.decline_reason = event.reason
        referral.decline_document_number = event.document_number

    @when.register
    def _(self, event: ev.ProposalRecorded) -> None:
        self.proposals.append(
            Proposal(
                event.number, list(event.points), event.summary, event.justification,
                event.proposed_by, event.occurred_on,
            )
        )

    @when.register
    def _(self, event: ev.DecisionRecorded) -> None:
        self.decisions.append(
            Decision(
                event.number, event.kind, event.text, event.occurred_on, event.body,
                event.paragraph, event.higher_body, event.delegate, event.delegation_point,
            )
        )

    @when.register
    def _(self, event: ev.ProtocolExtractSent) -> None:
        self.decisions[event.decision_number - 1].extracts[event.recipient] = event.occurred_on

    @when.register
    def _(self, event: ev.CaseClosed) -> None:
        self.status = Status.CLOSED
        self.closed_on = event.occurred_on

    @when.register
    def _(self, event: ev.CaseReopened) -> None:
        self.status = Status.OPEN
        self.closed_on = None

    @when.register
    def _(self, event: ev.CaseCancelled) -> None:
        self.status = Status.CANCELLED
        self.cancelled_on = event.occurred_on

    @when.register
    def _(self, event: ev.CaseMarkedSecret) -> None:
        self.secrecy = Secrecy(
            event.statute, event.occurred_on, event.marking_body, list(event.fields)
        )

    @when.register
    def _(self, event: ev.CaseSecrecyLifted) -> None:
        self.secrecy = None

    @when.register
    def _(self, event: ev.DocumentMarkedSecret) -> None:
        self.documents[event.document_number - 1].secrecy = Secrecy(
            event.statute, event.occurred_on, event.marking_body, list(event.fields)
        )

    @when.register
    def _(self, event: ev.DocumentSecrecyLifted) -> None:
        self.documents[event.document_number - 1].secrecy = None


def _secret_fields(fields: list[str] | None, allowed: tuple[str, ...]) -> list[str]:
    """The fields a marking withholds, in canonical order (all of ``allowed`` by default)."""
    chosen = list(allowed) if fields is None else list(fields)
    require(
        bool(chosen) and set(chosen) <= set(allowed),
        rules.SECRECY_FIELDS,
        f"Choose among {', '.join(allowed)}",
    )
    return [f for f in allowed if f in chosen]


def _not_future(day: date, today: date, field_name: str) -> None:
    require(
        day <= today,
        rules.NO_FUTURE_DATES,
        f"{field_name} {day.isoformat()} lies after today ({today.isoformat()})",
    )
