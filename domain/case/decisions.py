"""Decision proposals (beslutsförslag), decisions (beslut) and the protocol extracts sent."""

from __future__ import annotations

from datetime import date

from diarium.domain import rules
from diarium.domain.actor import Actor
from diarium.domain.aggregate import command, decides, evolves, numbered
from diarium.domain.case.part import CaseCommand, CasePart
from diarium.domain.case.terms import Decision, DecisionKind, Proposal, Status
from diarium.domain.events import case as ev
from diarium.domain.migration import Migration, source_of
from diarium.domain.rules import happened_on, require


@command
class RecordProposal(CaseCommand):
    points: list[str]
    summary: str
    proposed_on: date | None = None
    justification: str | None = None
    proposed_by: str | None = None


@command
class RecordDecision(CaseCommand):
    kind: DecisionKind
    text: str
    decided_on: date
    body: str | None = None
    paragraph: int | None = None
    higher_body: str | None = None
    delegate: str | None = None
    delegation_point: str | None = None
    historical: Migration | None = None  # migrated from an older system, with its source

    def by_delegate(self) -> bool:
        """Whether a delegate took it (else a body at a meeting); refused unless it names
        exactly one decision maker with its reference (§ or point)."""
        body, paragraph = self.body, self.paragraph
        delegate, delegation_point = self.delegate, self.delegation_point
        by_body = body is not None and paragraph is not None
        by_delegate = delegate is not None and delegation_point is not None
        require(
            by_body != by_delegate
            and (by_body or (body is None and paragraph is None))
            and (by_delegate or (delegate is None and delegation_point is None)),
            rules.DECISION_MAKER,
        )
        require(
            (self.kind == DecisionKind.PROPOSED_TO_HIGHER_BODY) == (self.higher_body is not None),
            rules.DECISION_MAKER,
            "A decision proposed to a higher body names that body (higher_body), "
            "and only such a decision does.",
        )
        return by_delegate


@command
class RecordExtractSent(CaseCommand):
    decision_number: int
    recipient: str
    sent_on: date | None = None


class Decisions(CasePart):
    """Recording proposals, decisions and the extracts sent of them."""

    @decides(RecordProposal)
    def record_proposal(self, command: RecordProposal, by: Actor, today: date) -> Proposal:
        """Record a decision proposal (beslutsförslag) as numbered decision points."""
        proposed_on = self._active_on(command.proposed_on, today, "proposed_on")
        return self.record_next(
            self.proposals, ev.ProposalRecorded, command, by,
            points=list(command.points),
            occurred_on=proposed_on,
        )

    @decides(RecordDecision)
    def record_decision(self, command: RecordDecision, by: Actor, today: date) -> Decision:
        """Record that a decision was taken, by a body at a meeting or by a delegate (the
        application checks it against the meeting, the delegation order or the body's
        paragraph numbering first: cases/case_decisions.py)."""
        self.check_decision(command, today)
        return self.record_next(
            self.decisions, ev.DecisionRecorded, command, by,
            kind=str(command.kind),
            historical_source=source_of(command.historical),
            occurred_on=command.decided_on,
        )

    def check_decision(self, command: RecordDecision, today: date) -> bool:
        """Refuse a decision the case cannot take (closed, cancelled, in the future, without
        exactly one decision maker); whether a delegate took it."""
        self._active_on(command.decided_on, today, "decided_on")
        return command.by_delegate()

    @decides(RecordExtractSent)
    def record_extract_sent(self, command: RecordExtractSent, by: Actor, today: date) -> None:
        """Record that a protocol extract with a decision was sent to a recipient."""
        require(self.status != Status.CANCELLED, rules.CASE_CANCELLED)
        sent_on = happened_on(command.sent_on, today, "sent_on")
        number, recipient = command.decision_number, command.recipient
        decision = self.decision(number)
        require(
            recipient not in decision.extracts,
            rules.EXTRACT_ALREADY_SENT,
            f"Extract of decision {number} already sent to {recipient!r}",
        )
        require(sent_on >= decision.decided_on, rules.EXTRACT_BEFORE_DECISION)
        self.record(ev.ProtocolExtractSent, command, by, occurred_on=sent_on)

    def decision(self, number: int) -> Decision:
        return numbered(
            self.decisions, number, rules.DECISION_UNKNOWN,
            f"Case {self.dnr} has no decision {number}",
        )

    # -- evolution ------------------------------------------------------------------

    @evolves(ev.ProposalRecorded)
    def _proposal_recorded(self, event: ev.ProposalRecorded) -> None:
        self.proposals.append(
            Proposal(
                event.number, list(event.points), event.summary, event.justification,
                event.proposed_by, event.occurred_on,
            )
        )

    @evolves(ev.DecisionRecorded)
    def _decision_recorded(self, event: ev.DecisionRecorded) -> None:
        self.decisions.append(
            Decision(
                event.number, event.kind, event.text, event.occurred_on, event.body,
                event.paragraph, event.higher_body, event.delegate, event.delegation_point,
                historical_source=event.historical_source,
            )
        )

    @evolves(ev.ProtocolExtractSent)
    def _extract_sent(self, event: ev.ProtocolExtractSent) -> None:
        self.decisions[event.decision_number - 1].extracts[event.recipient] = event.occurred_on
