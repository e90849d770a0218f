"""The application methods for bodies, meetings and delegation (mixed into ``Diarium``).

Each command loads what it needs, applies the change and saves every aggregate it touched
in one atomic write (the meeting with the case its decision concerns, the meeting with the
body's paragraph counter, the body with the case of a delegated decision). On a concurrent
write the whole command is redone from fresh state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from diarium.cases.store.persistence import log_position
from diarium.domain import meeting_commands as mc
from diarium.domain import rules
from diarium.domain.actor import Actor
from diarium.domain.body import Body, DelegatedDecision, ParagraphYear
from diarium.domain.case.aggregate import Case
from diarium.domain.case.decisions import RecordDecision, RecordExtractSent
from diarium.domain.case.terms import DecisionKind, Status
from diarium.domain.meeting import Attendee, Meeting
from diarium.domain.meeting_terms import (
    BodyNotFound,
    MeetingNotFound,
    body_id,
    meeting_id,
    meeting_ref,
    paragraph_year_id,
)
from diarium.domain.rules import RuleViolation, require

if TYPE_CHECKING:
    from eventsourcing.application import Repository


@dataclass(frozen=True)
class BodyWritten:
    """The outcome of a command on a body."""

    code: str
    version: int
    position: int | None
    body: Body
    delegated_decision: int | None = None


@dataclass(frozen=True)
class MeetingWritten:
    """The outcome of a command on a meeting."""

    ref: str
    version: int
    position: int | None
    meeting: Meeting
    paragraph: int | None = None


class MeetingCommands:
    """Bodies, members, delegation order, meetings and protocols."""

    # provided by the application class
    repository: Repository
    attempts: int
    today: Callable[[], date]
    save: Callable[..., list[Any]]
    get_case: Callable[..., Case]
    _exists: Callable[[UUID], bool]

    # -- bodies -----------------------------------------------------------------------

    def establish_body(self, command: mc.EstablishBody, by: Actor) -> BodyWritten:
        today = self.today()
        if self._exists(body_id(command.code)):
            raise RuleViolation(rules.BODY_EXISTS, f"Body {command.code} is already set up")
        if command.parent is not None and command.parent != command.code:
            require(
                self._exists(body_id(command.parent)),
                rules.BODY_PARENT,
                f"Body {command.parent} is not set up",
            )
        body = Body.establish(
            code=command.code,
            name=command.name,
            kind=command.kind,
            parent=command.parent,
            established_on=command.established_on or today,
            by=by,
            today=today,
        )
        try:
            return self._body_written(body, self.save(body))
        except IntegrityError:
            raise RuleViolation(
                rules.BODY_EXISTS, f"Body {command.code} is already set up"
            ) from None

    def get_body(self, code: str) -> Body:
        try:
            return self.repository.get(body_id(code))
        except AggregateNotFoundError:
            raise BodyNotFound(code) from None

    def appoint_member(self, code: str, command: mc.AppointMember, by: Actor) -> BodyWritten:
        return self._change_body(
            code,
            lambda body, today: body.appoint_member(
                name=command.name,
                party=command.party,
                role=command.role,
                position=command.position,
                period_from=command.period_from,
                period_to=command.period_to,
                by=by,
            ),
        )

    def end_membership(
        self, code: str, name: str, command: mc.EndMembership, by: Actor
    ) -> BodyWritten:
        return self._change_body(
            code,
            lambda body, today: body.end_membership(
                name=name, ended_on=command.ended_on or today, reason=command.reason, by=by,
                today=today,
            ),
        )

    def open_paragraph_year(
        self, code: str, command: mc.OpenParagraphYear, by: Actor
    ) -> BodyWritten:
        """Continue a year's numbering from a § used before this system (e.g. 159)."""
        body = self.get_body(code)
        counter_id = paragraph_year_id(code, command.year)
        require(
            not self._exists(counter_id),
            rules.PARAGRAPH_NUMBERING_STARTED,
            f"{code} numbers its paragraphs of {command.year} already",
        )
        counter = ParagraphYear.open(
            body=code, year=command.year, last_number=command.last_paragraph,
            opened_on=self.today(), by=by,
        )
        try:
            self.save(counter)
        except IntegrityError:
            raise RuleViolation(rules.PARAGRAPH_NUMBERING_STARTED) from None
        return BodyWritten(body.code, body.version, None, body)

    def paragraph_year(self, code: str, year: int) -> ParagraphYear | None:
        try:
            return self.repository.get(paragraph_year_id(code, year))
        except AggregateNotFoundError:
            return None

    # -- delegation -----------------------------------------------------------------

    def add_delegation_point(
        self, code: str, command: mc.AddDelegationPoint, by: Actor
    ) -> BodyWritten:
        return self._change_body(
            code,
            lambda body, today: body.add_delegation_point(
                number=command.number,
                case_type=command.case_type,
                delegate=command.delegate,
                conditions=command.conditions,
                matter=command.matter,
                decided_on=command.decided_on or today,
                decision_reference=command.decision_reference,
                by=by,
                today=today,
            ),
        )

    def revise_delegation_point(
        self, code: str, number: str, command: mc.ReviseDelegationPoint, by: Actor
    ) -> BodyWritten:
        return self._change_body(
            code,
            lambda body, today: body.revise_delegation_point(
                number=number,
                case_type=command.case_type,
                delegate=command.delegate,
                conditions=command.conditions,
                matter=command.matter,
                decided_on=command.decided_on or today,
                decision_reference=command.decision_reference,
                by=by,
                today=today,
            ),
        )

    def revoke_delegation_point(
        self, code: str, number: str, command: mc.RevokeDelegationPoint, by: Actor
    ) -> BodyWritten:
        return self._change_body(
            code,
            lambda body, today: body.revoke_delegation_point(
                number=number,
                revoked_on=command.revoked_on or today,
                reason=command.reason,
                decision_reference=command.decision_reference,
                by=by,
                today=today,
            ),
        )

    def record_delegated_decision(
        self, code: str, command: mc.RecordDelegatedDecision, by: Actor
    ) -> BodyWritten:
        """Record a delegate's decision on the body and, with a dnr, on the case (atomic)."""

        def attempt() -> BodyWritten:
            today = self.today()
            body = self.get_body(code)
            body.check_delegated_decision(
                point=command.point, delegate=command.delegate, matter=command.matter,
                decided_on=command.decided_on, today=today,
            )
            touched: list[Any] = [body]
            case_decision = None
            if command.dnr is not None:
                case = self.get_case(command.dnr)
                case_decision = case.record_decision(RecordDecision(
                    command.dnr,
                    kind=DecisionKind.DECIDED,
                    text=command.text,
                    decided_on=command.decided_on,
                    delegate=command.delegate,
                    delegation_point=command.point,
                ), by, today).number
                touched.append(case)
            decision = body.record_delegated_decision(
                point=command.point, delegate=command.delegate, text=command.text,
                matter=command.matter, decided_on=command.decided_on, dnr=command.dnr,
                case_decision_number=case_decision, by=by, today=today,
            )
            return self._body_written(body, self.save(*touched), decision.number)

        return self._retrying(attempt, f"Body {code}")

    def delegated_decisions(
        self, code: str, *, unreported: bool = False
    ) -> list[DelegatedDecision]:
        decisions = self.get_body(code).delegated_decisions
        return [d for d in decisions if d.reported_at is None] if unreported else decisions

    # -- meetings ---------------------------------------------------------------------

    def schedule_meeting(self, command: mc.ScheduleMeeting, by: Actor) -> MeetingWritten:
        today = self.today()
        self.get_body(command.body)
        ref = meeting_ref(command.body, command.date, command.session)
        if self._exists(meeting_id(ref)):
            raise RuleViolation(rules.MEETING_EXISTS, f"Meeting {ref} is already scheduled")
        meeting = Meeting.schedule(
            ref=ref,
            body=command.body,
            meeting_date=command.date,
            session=command.session,
            place=command.place,
            starts_at=command.starts_at,
            scheduled_on=command.scheduled_on or today,
            by=by,
            today=today,
        )
        try:
            return self._meeting_written(meeting, self.save(meeting))
        except IntegrityError:
            raise RuleViolation(
                rules.MEETING_EXISTS, f"Meeting {ref} is already scheduled"
            ) from None

    def get_meeting(self, ref: str, version: int | None = None) -> Meeting:
        try:
            return self.repository.get(meeting_id(ref), version=version)
        except AggregateNotFoundError:
            raise MeetingNotFound(ref) from None

    def meeting_history(self, ref: str) -> list[Any]:
        events = list(self.events.get(meeting_id(ref)))  # type: ignore[attr-defined]
        if not events:
            raise MeetingNotFound(ref)
        return events

    def add_agenda_item(self, ref: str, command: mc.AddAgendaItem, by: Actor) -> MeetingWritten:
        def change(meeting: Meeting, today: date) -> list[Any]:
            title = command.title
            if command.dnr is not None:
                case = self.get_case(command.dnr)
                require(
                    case.status == Status.OPEN,
                    rules.CASE_CLOSED if case.status == Status.CLOSED else rules.CASE_CANCELLED,
                    f"Case {case.dnr} is {case.status}",
                )
                self._require_for_body(case, meeting.body)
            meeting.add_agenda_item(
                kind=command.kind, title=title, dnr=command.dnr,
                added_on=command.added_on or today, by=by, today=today,
            )
            return []

        return self._change_meeting(ref, change)

    @staticmethod
    def _require_for_body(case: Case, body: str) -> None:
        """A case goes on a body's agenda when the body is responsible for it or a decision
        in it was proposed to the body ("RS föreslår RF besluta")."""
        proposed = any(
            d.kind == DecisionKind.PROPOSED_TO_HIGHER_BODY and d.higher_body == body
            for d in case.decisions
        )
        require(
            case.responsible_body == body or proposed,
            rules.AGENDA_CASE_NOT_FOR_BODY,
            f"Case {case.dnr} belongs to {case.responsible_body} and was not proposed to {body}",
        )

    def withdraw_agenda_item(
        self, ref: str, number: int, command: mc.WithdrawAgendaItem, by: Actor
    ) -> MeetingWritten:
        return self._change_meeting(
            ref,
            lambda m, today: m.withdraw_agenda_item(
                number=number, reason=command.reason, by=by, today=today
            ),
        )

    def record_attendance(
        self, ref: str, command: mc.RecordAttendance, by: Actor
    ) -> MeetingWritten:
        def change(meeting: Meeting, today: date) -> list[Any]:
            meeting.record_attendance(
                body=self.get_body(meeting.body),
                chair=command.chair,
                secretary=command.secretary,
                attendees=[
                    Attendee(
                        a.name, str(a.capacity), a.party, a.replacing, a.from_paragraph,
                        a.to_paragraph, a.title,
                    )
                    for a in command.attendees
                ],
                by=by,
                today=today,
            )
            return []

        return self._change_meeting(ref, change)

    def elect_adjusters(self, ref: str, command: mc.ElectAdjusters, by: Actor) -> MeetingWritten:
        return self._change_meeting(
            ref,
            lambda m, today: m.elect_adjusters(
                adjusters=command.adjusters,
                adjustment_place=command.adjustment_place,
                adjustment_date=command.adjustment_date,
                by=by,
                today=today,
            ),
        )

    def record_paragraph(self, ref: str, command: mc.RecordParagraph, by: Actor) -> MeetingWritten:
        """Open the next paragraph, numbered on from the body's last § of the year."""

        def attempt() -> MeetingWritten:
            today = self.today()
            meeting = self.get_meeting(ref)
            meeting.check_paragraph(dnr=command.dnr, today=today)
            year = meeting.meeting_date.year
            counter = self.paragraph_year(meeting.body, year) or ParagraphYear.open(
                body=meeting.body, year=year, last_number=0, opened_on=today, by=by
            )
            number = counter.allocate(
                meeting=meeting.ref,
                meeting_date=meeting.meeting_date,
                meeting_last=meeting.paragraphs[-1].number if meeting.paragraphs else None,
                by=by,
            )
            meeting.record_paragraph(
                number=number,
                title=command.title,
                dnr=command.dnr,
                sections=[{"heading": s.heading, "text": s.text} for s in command.sections],
                by=by,
                today=today,
            )
            return self._meeting_written(meeting, self.save(counter, meeting), number)

        return self._retrying(attempt, f"Meeting {ref}")

    def make_motion(
        self, ref: str, paragraph: int, command: mc.MakeMotion, by: Actor
    ) -> MeetingWritten:
        return self._change_meeting(
            ref,
            lambda m, today: m.make_motion(
                paragraph=paragraph, mover=command.mover, text=command.text,
                supporters=command.supporters, by=by, today=today,
            ),
        )

    def record_procedure_step(
        self, ref: str, paragraph: int, command: mc.RecordProcedureStep, by: Actor
    ) -> MeetingWritten:
        return self._change_meeting(
            ref,
            lambda m, today: m.record_procedure_step(
                paragraph=paragraph, description=command.description,
                proposals=command.proposals, adopted=command.adopted, votes=command.votes,
                by=by, today=today,
            ),
        )

    def decide_paragraph(
        self, ref: str, paragraph: int, command: mc.DecideParagraph, by: Actor
    ) -> MeetingWritten:
        """Record the decision on the paragraph and, with a dnr, on the case (atomic)."""

        def change(meeting: Meeting, today: date) -> list[Any]:
            p = meeting.check_decision(
                paragraph=paragraph, kind=command.kind, higher_body=command.higher_body,
                today=today,
            )
            if command.higher_body is not None:
                require(
                    self._exists(body_id(command.higher_body)),
                    rules.HIGHER_BODY,
                    f"Body {command.higher_body} is not set up",
                )
            touched: list[Any] = []
            case_decision = None
            if p.dnr is not None:
                case = self.get_case(p.dnr)
                case_decision = case.record_decision(RecordDecision(
                    p.dnr,
                    kind=command.kind,
                    text=command.text,
                    decided_on=meeting.meeting_date,
                    body=meeting.body,
                    paragraph=paragraph,
                    higher_body=command.higher_body,
                ), by, today).number
                touched.append(case)
            meeting.decide(
                paragraph=paragraph, kind=command.kind, text=command.text,
                higher_body=command.higher_body, case_decision_number=case_decision,
                by=by, today=today,
            )
            return touched

        return self._change_meeting(ref, change)

    def enter_reservation(
        self, ref: str, paragraph: int, command: mc.EnterReservation, by: Actor
    ) -> MeetingWritten:
        return self._change_meeting(
            ref,
            lambda m, today: m.enter_reservation(
                paragraph=paragraph, member=command.member, reason=command.reason, by=by,
                today=today,
            ),
        )

    def give_reservation_reason(
        self, ref: str, paragraph: int, member: str, command: mc.GiveReservationReason,
        by: Actor,
    ) -> MeetingWritten:
        return self._change_meeting(
            ref,
            lambda m, today: m.give_reservation_reason(
                paragraph=paragraph, member=member, reason=command.reason,
                given_on=command.given_on or today, by=by, today=today,
            ),
        )

    def declare_conflict(
        self, ref: str, paragraph: int, command: mc.DeclareConflict, by: Actor
    ) -> MeetingWritten:
        return self._change_meeting(
            ref,
            lambda m, today: m.declare_conflict(
                paragraph=paragraph, member=command.member, note=command.note, by=by,
                today=today,
            ),
        )

    def enter_note(
        self, ref: str, paragraph: int, command: mc.EnterNote, by: Actor
    ) -> MeetingWritten:
        return self._change_meeting(
            ref,
            lambda m, today: m.enter_note(
                paragraph=paragraph, authors=command.authors, text=command.text, by=by,
                today=today,
            ),
        )

    def add_attachment(
        self, ref: str, paragraph: int, command: mc.AddAttachment, by: Actor
    ) -> MeetingWritten:
        return self._change_meeting(
            ref,
            lambda m, today: m.add_attachment(
                paragraph=paragraph, title=command.title, kind=command.kind, dnr=command.dnr,
                document_number=command.document_number, by=by, today=today,
            ),
        )

    def list_extract_recipients(
        self, ref: str, paragraph: int, command: mc.ListExtractRecipients, by: Actor
    ) -> MeetingWritten:
        return self._change_meeting(
            ref,
            lambda m, today: m.list_extract_recipients(
                paragraph=paragraph, recipients=command.recipients, by=by, today=today
            ),
        )

    def report_delegated_decisions(
        self, ref: str, paragraph: int, command: mc.ReportDelegatedDecisions, by: Actor
    ) -> MeetingWritten:
        """Report delegated decisions to the body under a paragraph (meeting + body, atomic)."""

        def change(meeting: Meeting, today: date) -> list[Any]:
            meeting.check_report(paragraph=paragraph, today=today)
            body = self.get_body(meeting.body)
            reported = body.report_delegated_decisions(
                numbers=command.numbers, meeting=meeting.ref, paragraph=paragraph,
                meeting_date=meeting.meeting_date, by=by,
            )
            meeting.list_delegated_decisions(
                paragraph=paragraph,
                decisions=[
                    {
                        "number": d.number, "point": d.point, "delegate": d.delegate,
                        "text": d.text, "dnr": d.dnr, "decided_on": d.decided_on.isoformat(),
                    }
                    for d in reported
                ],
                by=by,
                today=today,
            )
            return [body]

        return self._change_meeting(ref, change)

    def close_meeting(self, ref: str, command: mc.CloseMeeting, by: Actor) -> MeetingWritten:
        return self._change_meeting(
            ref, lambda m, today: m.close(closed_at=command.closed_at, by=by, today=today)
        )

    def adjust_paragraph_immediately(
        self, ref: str, paragraph: int, command: mc.AdjustProtocol, by: Actor
    ) -> MeetingWritten:
        return self._change_meeting(
            ref,
            lambda m, today: m.adjust_immediately(
                paragraph=paragraph, signed_by=command.signed_by,
                adjusted_on=command.adjusted_on or today, by=by, today=today,
            ),
        )

    def adjust_protocol(self, ref: str, command: mc.AdjustProtocol, by: Actor) -> MeetingWritten:
        return self._change_meeting(
            ref,
            lambda m, today: m.adjust(
                signed_by=command.signed_by, adjusted_on=command.adjusted_on or today, by=by,
                today=today,
            ),
        )

    def post_protocol(self, ref: str, command: mc.PostProtocol, by: Actor) -> MeetingWritten:
        return self._change_meeting(
            ref,
            lambda m, today: m.post(
                posted_on=command.posted_on or today, paragraph=command.paragraph, by=by,
                today=today,
            ),
        )

    def certify_correction(
        self, ref: str, command: mc.CertifyCorrection, by: Actor
    ) -> MeetingWritten:
        return self._change_meeting(
            ref,
            lambda m, today: m.certify_correction(
                paragraph=command.paragraph, corrects=command.corrects, text=command.text,
                certified_by=command.certified_by, certified_on=command.certified_on or today,
                by=by, today=today,
            ),
        )

    def send_extract(
        self, ref: str, paragraph: int, command: mc.SendExtract, by: Actor
    ) -> MeetingWritten:
        """Record an extract sent; with a decided case, on the case too (atomic)."""

        def change(meeting: Meeting, today: date) -> list[Any]:
            sent_on = command.sent_on or today
            meeting.check_extract(
                paragraph=paragraph, recipient=command.recipient, sent_on=sent_on, today=today
            )
            p = meeting.paragraph(paragraph)
            touched: list[Any] = []
            number = p.decision.case_decision_number if p.decision else None
            if p.dnr is not None and number is not None:
                case = self.get_case(p.dnr)
                if command.recipient not in case.decision(number).extracts:
                    case.record_extract_sent(RecordExtractSent(
                        p.dnr, decision_number=number, recipient=command.recipient,
                        sent_on=sent_on,
                    ), by, today)
                    touched.append(case)
            meeting.send_extract(
                paragraph=paragraph, recipient=command.recipient, sent_on=sent_on, by=by,
                today=today,
            )
            return touched

        return self._change_meeting(ref, change)

    # -- internals --------------------------------------------------------------------

    def _change_meeting(
        self, ref: str, command: Callable[[Meeting, date], Any]
    ) -> MeetingWritten:
        """Load the meeting, apply ``command`` (which returns other aggregates it changed),
        save them all at once; on a concurrent write, redo from the start."""

        def attempt() -> MeetingWritten:
            meeting = self.get_meeting(ref)
            others = command(meeting, self.today())
            recordings = self.save(meeting, *(others if isinstance(others, list) else []))
            return self._meeting_written(meeting, recordings)

        return self._retrying(attempt, f"Meeting {ref}")

    def _change_body(self, code: str, command: Callable[[Body, date], Any]) -> BodyWritten:
        def attempt() -> BodyWritten:
            body = self.get_body(code)
            command(body, self.today())
            return self._body_written(body, self.save(body))

        return self._retrying(attempt, f"Body {code}")

    @staticmethod
    def _meeting_written(
        meeting: Meeting, recordings: list[Any], paragraph: int | None = None
    ) -> MeetingWritten:
        return MeetingWritten(
            meeting.ref, meeting.version, log_position(recordings), meeting, paragraph
        )

    @staticmethod
    def _body_written(
        body: Body, recordings: list[Any], decision: int | None = None
    ) -> BodyWritten:
        return BodyWritten(body.code, body.version, log_position(recordings), body, decision)

