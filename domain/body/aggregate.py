"""Bodies (organ): members, the delegation order, delegated decisions (the paragraph
counter that numbers a body's paragraphs on through the year: domain/body/paragraph_year.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from diarium.domain import rules
from diarium.domain.actor import Actor
from diarium.domain.aggregate import DiariumAggregate, decides, evolves, numbered
from diarium.domain.body.paragraph_year import ParagraphYear  # also stored under this module's name
from diarium.domain.events import body as ev
from diarium.domain.meeting import commands as mc
from diarium.domain.meeting.terms import Matter, MemberNotFound, body_id
from diarium.domain.migration import source_of
from diarium.domain.rules import happened_on, not_future, require


@dataclass
class Membership:
    name: str
    party: str | None
    role: str
    position: str | None
    period_from: date
    period_to: date | None
    ended_on: date | None = None

    @property
    def last_day(self) -> date | None:
        ends = [d for d in (self.period_to, self.ended_on) if d is not None]
        return min(ends) if ends else None

    def active_on(self, day: date) -> bool:
        return self.period_from <= day and (self.last_day is None or day <= self.last_day)

    def overlaps(self, start: date, end: date | None) -> bool:
        last = self.last_day
        return (last is None or start <= last) and (end is None or self.period_from <= end)


@dataclass
class PointVersion:
    valid_from: date
    case_type: str
    delegate: str
    conditions: str | None
    decision_reference: str | None


@dataclass
class DelegationPoint:
    number: str
    versions: list[PointVersion]
    revoked_on: date | None = None
    revocation_reason: str | None = None

    @property
    def current(self) -> PointVersion:
        return self.versions[-1]

    def version_on(self, day: date) -> PointVersion | None:
        valid = [v for v in self.versions if v.valid_from <= day]
        return valid[-1] if valid else None


@dataclass
class DelegatedDecision:
    number: int
    point: str
    delegate: str
    text: str
    dnr: str | None
    decided_on: date
    case_decision_number: int | None
    reported_at: str | None = None  # meeting ref
    reported_paragraph: int | None = None


class Body(DiariumAggregate):
    """A body that decides at meetings and delegates between them."""

    if TYPE_CHECKING:  # set from ``BodyEstablished`` (annotations here would make a dataclass)
        code: str
        name: str
        kind: str
        parent: str | None
        migrated_source: str | None

    @classmethod
    def establish(cls, command: mc.EstablishBody, by: Actor, today: date) -> Body:
        migrated = command.migrated is not None
        established_on = happened_on(
            command.established_on, today, "established_on", migrated=migrated
        )
        require(
            command.parent != command.code, rules.BODY_PARENT, "A body cannot sit under itself"
        )
        return cls._create_by(
            ev.BodyEstablished,
            id=body_id(command.code),
            code=command.code,
            name=command.name,
            kind=str(command.kind),
            parent=command.parent,
            migrated_source=source_of(command.migrated),
            occurred_on=established_on,
            by=by,
        )

    # -- members ----------------------------------------------------------------------

    @decides(mc.AppointMember)
    def appoint_member(self, command: mc.AppointMember, by: Actor, today: date) -> None:
        """Appoint a ledamot or ersättare for a period (which may lie ahead: elected ahead)."""
        name, period_from, period_to = command.name, command.period_from, command.period_to
        self.require_established(period_from, "period_from")
        require(
            period_to is None or period_to >= period_from,
            rules.MEMBERSHIP_PERIOD,
            f"period_to {period_to} precedes period_from {period_from}",
        )
        require(
            not any(
                m.name == name and m.overlaps(period_from, period_to) for m in self.members
            ),
            rules.MEMBER_ALREADY_APPOINTED,
            f"{name} already holds a membership of {self.code} in that period",
        )
        self.record(
            ev.MemberAppointed, command, by,
            role=str(command.role),
            position=str(command.position) if command.position else None,
            occurred_on=period_from,
        )

    @decides(mc.EndMembership)
    def end_membership(self, command: mc.EndMembership, by: Actor, today: date) -> None:
        """End a current membership early (entledigande, avsägelse)."""
        name = command.name
        ended_on = happened_on(command.ended_on, today, "ended_on")
        if not any(m.name == name for m in self.members):
            raise MemberNotFound(f"{name} in {self.code}")
        require(
            self.membership(name, ended_on) is not None,
            rules.MEMBER_NOT_ACTIVE,
            f"{name} is not a member of {self.code} on {ended_on}",
        )
        self.record(ev.MembershipEnded, command, by, occurred_on=ended_on)

    def membership(self, name: str, day: date) -> Membership | None:
        """The membership ``name`` holds on ``day``, if any."""
        return next((m for m in self.members if m.name == name and m.active_on(day)), None)

    def members_on(self, day: date) -> list[Membership]:
        return [m for m in self.members if m.active_on(day)]

    def require_established(self, day: date, field: str) -> None:
        """Refuse what would date from ``day`` (``field``) if the body did not exist then."""
        require(
            day >= self.established_on,
            rules.BEFORE_ESTABLISHED,
            f"{self.code} was established on {self.established_on}, after {field} {day}",
            field,
        )

    # -- delegation order -----------------------------------------------------------

    @decides(mc.AddDelegationPoint)
    def add_delegation_point(
        self, command: mc.AddDelegationPoint, by: Actor, today: date
    ) -> None:
        """Add a point to the delegation order, from ``decided_on``."""
        decided_on = happened_on(command.decided_on, today, "decided_on")
        self.require_established(decided_on, "decided_on")
        _require_delegable(command.matter, command.case_type)
        existing = self.delegation.get(command.number)
        require(
            existing is None or existing.revoked_on is not None,
            rules.DELEGATION_POINT_EXISTS,
            f"{self.code} already has delegation point {command.number}",
        )
        self._set_delegation_point(ev.DelegationPointAdded, command, decided_on, by)

    @decides(mc.ReviseDelegationPoint)
    def revise_delegation_point(
        self, command: mc.ReviseDelegationPoint, by: Actor, today: date
    ) -> None:
        """Give a point a new content from ``decided_on``; earlier decisions keep the old."""
        decided_on = happened_on(command.decided_on, today, "decided_on")
        self._require_changeable(command.number, decided_on, "revise")
        _require_delegable(command.matter, command.case_type)
        self._set_delegation_point(ev.DelegationPointRevised, command, decided_on, by)

    @decides(mc.RevokeDelegationPoint)
    def revoke_delegation_point(
        self, command: mc.RevokeDelegationPoint, by: Actor, today: date
    ) -> None:
        """Revoke a point from ``revoked_on``."""
        revoked_on = happened_on(command.revoked_on, today, "revoked_on")
        self._require_changeable(command.number, revoked_on, "revoke")
        self.record(ev.DelegationPointRevoked, command, by, occurred_on=revoked_on)

    def _set_delegation_point(
        self,
        event_class: type[ev.DelegationPointAdded | ev.DelegationPointRevised],
        command: mc.DelegationPointTerms,
        decided_on: date,
        by: Actor,
    ) -> None:
        """Record the point's terms as of ``decided_on`` (added or revised)."""
        self.record(event_class, command, by, occurred_on=decided_on)

    def _require_changeable(self, number: str, day: date, verb: str) -> None:
        """Refuse to ``verb`` (revise, revoke) point ``number`` from ``day`` unless the point
        is live and its current content took effect by then."""
        point = self.delegation.get(number)
        require(
            point is not None, rules.DELEGATION_POINT_UNKNOWN, f"{self.code} has no point {number}"
        )
        assert point is not None
        require(
            point.revoked_on is None,
            rules.DELEGATION_POINT_REVOKED,
            f"Point {number} was revoked on {point.revoked_on}",
        )
        require(
            day >= point.current.valid_from,
            rules.DELEGATION_POINT_UNKNOWN,
            f"Point {number} is valid from {point.current.valid_from}; {verb} it after that",
        )

    # -- delegated decisions --------------------------------------------------------

    def check_delegated_decision(self, command: mc.RecordDelegatedDecision, today: date) -> None:
        """Refuse a delegated decision that the delegation order does not allow."""
        point, decided_on = command.point, command.decided_on
        not_future(decided_on, today, "decided_on")
        require(
            command.matter.delegable,
            rules.NON_DELEGABLE,
            f"The decision concerns {command.matter} (KL 6:38)",
        )
        found = self.delegation.get(point)
        version = found.version_on(decided_on) if found else None
        require(
            found is not None and version is not None,
            rules.DELEGATION_POINT_UNKNOWN,
            f"{self.code} had no delegation point {point} on {decided_on}",
        )
        assert found is not None and version is not None
        require(
            found.revoked_on is None or decided_on < found.revoked_on,
            rules.DELEGATION_POINT_REVOKED,
            f"Point {point} was revoked on {found.revoked_on}",
        )
        require(
            version.delegate == command.delegate,
            rules.DELEGATE_MISMATCH,
            f"Point {point} delegates to {version.delegate}, not {command.delegate}",
        )

    def record_delegated_decision(
        self,
        command: mc.RecordDelegatedDecision,
        case_decision_number: int | None,
        by: Actor,
        today: date,
    ) -> DelegatedDecision:
        """Record a decision a delegate took under a point of the delegation order (with the
        number of the decision it recorded on the case ``command.dnr``, if any)."""
        self.check_delegated_decision(command, today)
        return self.record_next(
            self.delegated_decisions, ev.DelegatedDecisionRecorded, command, by,
            case_decision_number=case_decision_number,
            occurred_on=command.decided_on,
        )

    def report_delegated_decisions(
        self, command: mc.ReportDelegatedDecisions, meeting_date: date, by: Actor
    ) -> list[DelegatedDecision]:
        """Mark delegated decisions as reported (anmälda) to the body at the meeting
        ``command.ref`` (held on ``meeting_date``), under its paragraph."""
        found = []
        for number in command.numbers:
            decision = numbered(
                self.delegated_decisions, number, rules.DELEGATED_DECISION_UNKNOWN,
                f"{self.code} has no delegated decision {number}",
            )
            require(
                decision.reported_at is None,
                rules.DELEGATED_DECISION_REPORTED,
                f"Delegated decision {number} was reported at {decision.reported_at} "
                f"§ {decision.reported_paragraph}",
            )
            require(
                decision.decided_on <= meeting_date,
                rules.DELEGATED_DECISION_UNKNOWN,
                f"Delegated decision {number} was taken after the meeting",
            )
            found.append(decision)
        self.record(
            ev.DelegatedDecisionsReported, command, by,
            meeting=command.ref,
            numbers=list(command.numbers),
            occurred_on=meeting_date,
        )
        return found

    # -- evolution ------------------------------------------------------------------

    @evolves(ev.BodyEstablished)
    def _established(self, event: ev.BodyEstablished) -> None:
        self.copy_fields(event)  # code, name, kind, parent, migrated_source
        self.established_on = event.occurred_on
        self.members: list[Membership] = []
        self.delegation: dict[str, DelegationPoint] = {}
        self.delegated_decisions: list[DelegatedDecision] = []

    @evolves(ev.MemberAppointed)
    def _member_appointed(self, event: ev.MemberAppointed) -> None:
        self.members.append(
            Membership(
                event.name, event.party, event.role, event.position, event.period_from,
                event.period_to,
            )
        )

    @evolves(ev.MembershipEnded)
    def _membership_ended(self, event: ev.MembershipEnded) -> None:
        membership = self.membership(event.name, event.occurred_on)
        if membership is not None:
            membership.ended_on = event.occurred_on

    @evolves(ev.DelegationPointAdded)
    def _point_added(self, event: ev.DelegationPointAdded) -> None:
        self.delegation[event.number] = DelegationPoint(
            event.number,
            [
                PointVersion(
                    event.occurred_on, event.case_type, event.delegate, event.conditions,
                    event.decision_reference,
                )
            ],
        )

    @evolves(ev.DelegationPointRevised)
    def _point_revised(self, event: ev.DelegationPointRevised) -> None:
        self.delegation[event.number].versions.append(
            PointVersion(
                event.occurred_on, event.case_type, event.delegate, event.conditions,
                event.decision_reference,
            )
        )

    @evolves(ev.DelegationPointRevoked)
    def _point_revoked(self, event: ev.DelegationPointRevoked) -> None:
        point = self.delegation[event.number]
        point.revoked_on = event.occurred_on
        point.revocation_reason = event.reason

    @evolves(ev.DelegatedDecisionRecorded)
    def _delegated_decision_recorded(self, event: ev.DelegatedDecisionRecorded) -> None:
        self.delegated_decisions.append(
            DelegatedDecision(
                event.number, event.point, event.delegate, event.text, event.dnr,
                event.occurred_on, event.case_decision_number,
            )
        )

    @evolves(ev.DelegatedDecisionsReported)
    def _delegated_decisions_reported(self, event: ev.DelegatedDecisionsReported) -> None:
        for number in event.numbers:
            decision = self.delegated_decisions[number - 1]
            decision.reported_at = event.meeting
            decision.reported_paragraph = event.paragraph


def _require_delegable(matter: Matter, case_type: str) -> None:
    require(matter.delegable, rules.NON_DELEGABLE, f"{case_type}: {matter} (KL 6:38)")


__all__ = ["Body", "DelegatedDecision", "DelegationPoint", "Membership", "ParagraphYear"]
