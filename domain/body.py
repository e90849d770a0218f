"""Bodies (organ): members, the delegation order, delegated decisions; and the paragraph
counter that numbers a body's paragraphs on through the year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import singledispatchmethod
from typing import Any

from diarium.domain import rules
from diarium.domain.actor import Actor
from diarium.domain.aggregate import DiariumAggregate
from diarium.domain.events import body as ev
from diarium.domain.meeting_terms import (
    BodyKind,
    Matter,
    MemberNotFound,
    MemberRole,
    Position,
    body_id,
    paragraph_year_id,
)
from diarium.domain.rules import require


def not_future(day: date, today: date, field_name: str) -> None:
    """Refuse a business date after today for something that has happened."""
    require(
        day <= today,
        rules.NO_FUTURE_DATES,
        f"{field_name} {day.isoformat()} lies after today ({today.isoformat()})",
    )


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

    @classmethod
    def establish(
        cls,
        *,
        code: str,
        name: str,
        kind: BodyKind,
        parent: str | None,
        established_on: date,
        by: Actor,
        today: date,
    ) -> Body:
        not_future(established_on, today, "established_on")
        require(parent != code, rules.BODY_PARENT, "A body cannot sit under itself")
        return cls._create_by(
            ev.BodyEstablished,
            id=body_id(code),
            code=code,
            name=name,
            kind=str(kind),
            parent=parent,
            occurred_on=established_on,
            by=by,
        )

    # -- members ----------------------------------------------------------------------

    def appoint_member(
        self,
        *,
        name: str,
        party: str | None,
        role: MemberRole,
        position: Position | None,
        period_from: date,
        period_to: date | None,
        by: Actor,
    ) -> None:
        """Appoint a ledamot or ersättare for a period (which may lie ahead: elected ahead)."""
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
        self.trigger_event(
            ev.MemberAppointed,
            name=name,
            party=party,
            role=str(role),
            position=str(position) if position else None,
            period_from=period_from,
            period_to=period_to,
            occurred_on=period_from,
            by=by,
        )

    def end_membership(
        self, *, name: str, ended_on: date, reason: str | None, by: Actor, today: date
    ) -> None:
        """End a current membership early (entledigande, avsägelse)."""
        not_future(ended_on, today, "ended_on")
        if not any(m.name == name for m in self.members):
            raise MemberNotFound(f"{name} in {self.code}")
        require(
            self.membership(name, ended_on) is not None,
            rules.MEMBER_NOT_ACTIVE,
            f"{name} is not a member of {self.code} on {ended_on}",
        )
        self.trigger_event(
            ev.MembershipEnded, name=name, reason=reason, occurred_on=ended_on, by=by
        )

    def membership(self, name: str, day: date) -> Membership | None:
        """The membership ``name`` holds on ``day``, if any."""
        return next((m for m in self.members if m.name == name and m.active_on(day)), None)

    def members_on(self, day: date) -> list[Membership]:
        return [m for m in self.members if m.active_on(day)]

    # -- delegation order -----------------------------------------------------------

    def add_delegation_point(
        self,
        *,
        number: str,
        case_type: str,
        delegate: str,
        conditions: str | None,
        matter: Matter,
        decided_on: date,
        decision_reference: str | None,
        by: Actor,
        today: date,
    ) -> None:
        """Add a point to the delegation order, from ``decided_on``."""
        not_future(decided_on, today, "decided_on")
        require(matter.delegable, rules.NON_DELEGABLE, f"{case_type}: {matter} (KL 6:38)")
        existing = self.delegation.get(number)
        require(
            existing is None or existing.revoked_on is not None,
            rules.DELEGATION_POINT_EXISTS,
            f"{self.code} already has delegation point {number}",
        )
        self.trigger_event(
            ev.DelegationPointAdded,
            number=number,
            case_type=case_type,
            delegate=delegate,
            conditions=conditions,
            decision_reference=decision_reference,
            occurred_on=decided_on,
            by=by,
        )

    def revise_delegation_point(
        self,
        *,
        number: str,
        case_type: str,
        delegate: str,
        conditions: str | None,
        matter: Matter,
        decided_on: date,
        decision_reference: str | None,
        by: Actor,
        today: date,
    ) -> None:
        """Give a point a new content from ``decided_on``; earlier decisions keep the old."""
        not_future(decided_on, today, "decided_on")
        point = self._live_point(number)
        require(matter.delegable, rules.NON_DELEGABLE, f"{case_type}: {matter} (KL 6:38)")
        require(
            decided_on >= point.current.valid_from,
            rules.DELEGATION_POINT_UNKNOWN,
            f"Point {number} is valid from {point.current.valid_from}; revise it after that",
        )
        self.trigger_event(
            ev.DelegationPointRevised,
            number=number,
            case_type=case_type,
            delegate=delegate,
            conditions=conditions,
            decision_reference=decision_reference,
            occurred_on=decided_on,
            by=by,
        )

    def revoke_delegation_point(
        self,
        *,
        number: str,
        revoked_on: date,
        reason: str | None,
        decision_reference: str | None,
        by: Actor,
        today: date,
    ) -> None:
        """Revoke a point from ``revoked_on``."""
        not_future(revoked_on, today, "revoked_on")
        point = self._live_point(number)
        require(
            revoked_on >= point.current.valid_from,
            rules.DELEGATION_POINT_UNKNOWN,
            f"Point {number} is valid from {point.current.valid_from}; revoke it after that",
        )
        self.trigger_event(
            ev.DelegationPointRevoked,
            number=number,
            reason=reason,
            decision_reference=decision_reference,
            occurred_on=revoked_on,
            by=by,
        )

    def _live_point(self, number: str) -> DelegationPoint:
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
        return point

    # -- delegated decisions --------------------------------------------------------

    def check_delegated_decision(
        self, *, point: str, delegate: str, matter: Matter, decided_on: date, today: date
    ) -> None:
        """Refuse a delegated decision that the delegation order does not allow."""
        not_future(decided_on, today, "decided_on")
        require(
            matter.delegable, rules.NON_DELEGABLE, f"The decision concerns {matter} (KL 6:38)"
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
            version.delegate == delegate,
            rules.DELEGATE_MISMATCH,
            f"Point {point} delegates to {version.delegate}, not {delegate}",
        )

    def record_delegated_decision(
        self,
        *,
        point: str,
        delegate: str,
        text: str,
        matter: Matter,
        decided_on: date,
        dnr: str | None,
        case_decision_number: int | None,
        by: Actor,
        today: date,
    ) -> DelegatedDecision:
        """Record a decision a delegate took under a point of the delegation order."""
        self.check_delegated_decision(
            point=point, delegate=delegate, matter=matter, decided_on=decided_on, today=today
        )
        self.trigger_event(
            ev.DelegatedDecisionRecorded,
            number=len(self.delegated_decisions) + 1,
            point=point,
            delegate=delegate,
            text=text,
            dnr=dnr,
            case_decision_number=case_decision_number,
            occurred_on=decided_on,
            by=by,
        )
        return self.delegated_decisions[-1]

    def report_delegated_decisions(
        self,
        *,
        numbers: list[int],
        meeting: str,
        paragraph: int,
        meeting_date: date,
        by: Actor,
    ) -> list[DelegatedDecision]:
        """Mark delegated decisions as reported (anmälda) to the body at a meeting."""
        found = []
        for number in numbers:
            require(
                1 <= number <= len(self.delegated_decisions),
                rules.DELEGATED_DECISION_UNKNOWN,
                f"{self.code} has no delegated decision {number}",
            )
            decision = self.delegated_decisions[number - 1]
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
        self.trigger_event(
            ev.DelegatedDecisionsReported,
            meeting=meeting,
            paragraph=paragraph,
            numbers=list(numbers),
            occurred_on=meeting_date,
            by=by,
        )
        return found

    # -- evolution ------------------------------------------------------------------

    @singledispatchmethod
    def when(self, event: Any) -> None:
        raise TypeError(f"Body cannot apply {type(event).__name__}")

    @when.register
    def _(self, event: ev.BodyEstablished) -> None:
        self.code = event.code
        self.name = event.name
        self.kind = event.kind
        self.parent = event.parent
        self.established_on = event.occurred_on
        self.members: list[Membership] = []
        self.delegation: dict[str, DelegationPoint] = {}
        self.delegated_decisions: list[DelegatedDecision] = []

    @when.register
    def _(self, event: ev.MemberAppointed) -> None:
        self.members.append(
            Membership(
                event.name, event.party, event.role, event.position, event.period_from,
                event.period_to,
            )
        )

    @when.register
    def _(self, event: ev.MembershipEnded) -> None:
        membership = self.membership(event.name, event.occurred_on)
        if membership is not None:
            membership.ended_on = event.occurred_on

    @when.register
    def _(self, event: ev.DelegationPointAdded) -> None:
        self.delegation[event.number] = DelegationPoint(
            event.number,
            [
                PointVersion(
                    event.occurred_on, event.case_type, event.delegate, event.conditions,
                    event.decision_reference,
                )
            ],
        )

    @when.register
    def _(self, event: ev.DelegationPointRevised) -> None:
        self.delegation[event.number].versions.append(
            PointVersion(
                event.occurred_on, event.case_type, event.delegate, event.conditions,
                event.decision_reference,
            )
        )

    @when.register
    def _(self, event: ev.DelegationPointRevoked) -> None:
        point = self.delegation[event.number]
        point.revoked_on = event.occurred_on
        point.revocation_reason = event.reason

    @when.register
    def _(self, event: ev.DelegatedDecisionRecorded) -> None:
        self.delegated_decisions.append(
            DelegatedDecision(
                event.number, event.point, event.delegate, event.text, event.dnr,
                event.occurred_on, event.case_decision_number,
            )
        )

    @when.register
    def _(self, event: ev.DelegatedDecisionsReported) -> None:
        for number in event.numbers:
            decision = self.delegated_decisions[number - 1]
            decision.reported_at = event.meeting
            decision.reported_paragraph = event.paragraph


class ParagraphYear(DiariumAggregate):
    """The § numbers a body used in one year: continuous across its meetings."""

    @classmethod
    def open(
        cls, *, body: str, year: int, last_number: int, opened_on: date, by: Actor
    ) -> ParagraphYear:
        return cls._create_by(
            ev.ParagraphYearOpened,
            id=paragraph_year_id(body, year),
            body=body,
            year=year,
            last_number=last_number,
            occurred_on=opened_on,
            by=by,
        )

    def allocate(
        self, *, meeting: str, meeting_date: date, meeting_last: int | None, by: Actor
    ) -> int:
        """The next § for a paragraph of ``meeting`` (whose last § so far is ``meeting_last``)."""
        if meeting_last is not None:
            require(
                meeting_last == self.last_number,
                rules.PARAGRAPH_ORDER,
                f"{self.body} has used § {self.last_number} at a later meeting "
                f"({self.last_meeting}); {meeting} ended at § {meeting_last}",
            )
        else:
            require(
                self.last_meeting_date is None or meeting_date >= self.last_meeting_date,
                rules.PARAGRAPH_ORDER,
                f"{self.body} has paragraphs of a later meeting ({self.last_meeting})",
            )
        number = self.last_number + 1
        self.trigger_event(
            ev.ParagraphNumberAllocated,
            number=number,
            meeting=meeting,
            meeting_date=meeting_date,
            occurred_on=meeting_date,
            by=by,
        )
        return number

    @singledispatchmethod
    def when(self, event: Any) -> None:
        raise TypeError(f"ParagraphYear cannot apply {type(event).__name__}")

    @when.register
    def _(self, event: ev.ParagraphYearOpened) -> None:
        self.body = event.body
        self.year = event.year
        self.first_number = event.last_number + 1
        self.last_number = event.last_number
        self.last_meeting: str | None = None
        self.last_meeting_date: date | None = None

    @when.register
    def _(self, event: ev.ParagraphNumberAllocated) -> None:
        self.last_number = event.number
        self.last_meeting = event.meeting
        self.last_meeting_date = event.meeting_date


__all__ = ["Body", "DelegatedDecision", "DelegationPoint", "Membership", "ParagraphYear"]
