"""The meeting service: meetings and their protocols (composed by ``Diarium`` as
``app.meetings``).

A command that changes the meeting alone is decided by the ``Meeting`` method marked for it
(``Meeting.deciders()``). The others have a handler here, as they load or save more than
the meeting: the case an agenda item or a decision concerns, the body whose members attend
or whose delegated decisions are reported, the body's paragraph counter. Every aggregate a
command touched is saved in one atomic write; on a concurrent write the whole command is
redone from fresh state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from eventsourcing.application import AggregateNotFoundError

from diarium.cases.handlers import handles
from diarium.cases.store.persistence import log_position
from diarium.domain import rules
from diarium.domain.actor import Actor
from diarium.domain.body.paragraph_year import ParagraphYear
from diarium.domain.case.aggregate import Case
from diarium.domain.case.decisions import RecordDecision, RecordExtractSent
from diarium.domain.case.terms import DecisionKind, Status
from diarium.domain.meeting import commands as mc
from diarium.domain.meeting.aggregate import Meeting
from diarium.domain.meeting.terms import MeetingNotFound, body_id, meeting_id, meeting_ref
from diarium.domain.rules import RuleViolation, require

if TYPE_CHECKING:
    from diarium.cases.application import Diarium
    from diarium.cases.bodies import Bodies

MEETING_DECIDERS = Meeting.deciders()  # command type → the Meeting method that decides it
DATED = {rules.EXTRACT_BEFORE_ADJUSTMENT.code: "sent_on"}  # an extract refused for its date


@dataclass(frozen=True)
class MeetingWritten:
    """The outcome of a command on a meeting."""

    ref: str
    version: int
    position: int | None
    meeting: Meeting
    paragraph: int | None = None


class Meetings:
    """Meetings, agendas and protocols, for the application ``app`` (whose bodies are
    ``bodies``)."""

    def __init__(self, app: Diarium, bodies: Bodies) -> None:
        self.app = app
        self.bodies = bodies

    # -- queries ----------------------------------------------------------------------

    def get_meeting(self, ref: str, version: int | None = None) -> Meeting:
        try:
            return self.app.repository.get(meeting_id(ref), version=version)
        except AggregateNotFoundError:
            raise MeetingNotFound(ref) from None

    def meeting_history(self, ref: str) -> list[Any]:
        events = list(self.app.events.get(meeting_id(ref)))
        if not events:
            raise MeetingNotFound(ref)
        return events

    # -- commands ---------------------------------------------------------------------

    @handles(mc.ScheduleMeeting)
    def schedule_meeting(self, command: mc.ScheduleMeeting, by: Actor) -> MeetingWritten:
        app = self.app
        self.bodies.get_body(command.body).require_established(command.date, "date")
        ref = meeting_ref(command.body, command.date, command.session)
        taken = f"Meeting {ref} is already scheduled"
        app._require_new(meeting_id(ref), rules.MEETING_EXISTS, taken)
        meeting = Meeting.schedule(command, by, app.today())
        return _written(meeting, app._save_new(meeting, rules.MEETING_EXISTS, taken))

    @handles(mc.AddAgendaItem)
    def add_agenda_item(self, command: mc.AddAgendaItem, by: Actor) -> MeetingWritten:
        """Put an item on the agenda; a case only while it is open and for this body."""

        def change(meeting: Meeting, today: date) -> list[Any]:
            self._add_item(meeting, command, by, today)
            return []

        return self._change(command.ref, change)

    @handles(mc.AddAgendaItems)
    def add_agenda_items(self, command: mc.AddAgendaItems, by: Actor) -> MeetingWritten:
        """Put several items on the agenda in one write, in order: all, or none (the
        refusal names the item at fault, ``items.<index>``)."""

        def change(meeting: Meeting, today: date) -> list[Any]:
            for index, item in enumerate(command.items):
                single = mc.AddAgendaItem(
                    command.ref, kind=item.kind, title=item.title, dnr=item.dnr,
                    added_on=command.added_on,
                )
                with at_fault(f"items.{index}", outer={"added_on": "added_on"}):
                    self._add_item(meeting, single, by, today)
            return []

        return self._change(command.ref, change)

    def _add_item(
        self, meeting: Meeting, command: mc.AddAgendaItem, by: Actor, today: date
    ) -> None:
        if command.dnr is not None:
            case = self.app.get_case(command.dnr)
            require(
                case.status == Status.OPEN,
                rules.CASE_CLOSED if case.status == Status.CLOSED else rules.CASE_CANCELLED,
                f"Case {case.dnr} is {case.status}",
            )
            _require_for_body(case, meeting.body)
        meeting.add_agenda_item(command, by, today)

    @handles(mc.RecordAttendance)
    def record_attendance(self, command: mc.RecordAttendance, by: Actor) -> MeetingWritten:
        """Record attendance, members and substitutes checked against the body."""

        def change(meeting: Meeting, today: date) -> list[Any]:
            meeting.record_attendance(command, self.bodies.get_body(meeting.body), by, today)
            return []

        return self._change(command.ref, change)

    @handles(mc.RecordParagraph)
    def record_paragraph(self, command: mc.RecordParagraph, by: Actor) -> MeetingWritten:
        """Open the next paragraph, numbered on from the body's last § of the year."""
        app = self.app

        def attempt() -> MeetingWritten:
            today = app.today()
            meeting = self.get_meeting(command.ref)
            meeting.check_paragraph(dnr=command.dnr, today=today)
            year = meeting.meeting_date.year
            counter = self.bodies.paragraph_year(meeting.body, year) or ParagraphYear.open(
                body=meeting.body, year=year, last_number=0, opened_on=today, by=by
            )
            number = counter.allocate(
                meeting=meeting.ref,
                meeting_date=meeting.meeting_date,
                meeting_last=meeting.paragraphs[-1].number if meeting.paragraphs else None,
                by=by,
            )
            meeting.record_paragraph(command, number, by, today)
            return _written(meeting, app.save(counter, meeting), number)

        return app._retrying(attempt, f"Meeting {command.ref}")

    @handles(mc.DecideParagraph)
    def decide_paragraph(self, command: mc.DecideParagraph, by: Actor) -> MeetingWritten:
        """Record the decision on the paragraph and, with a dnr, on the case (atomic)."""

        def change(meeting: Meeting, today: date) -> list[Any]:
            body = self.bodies.get_body(meeting.body)
            p = meeting.check_decision(command, body, today)
            if command.higher_body is not None:
                require(
                    self.app._exists(body_id(command.higher_body)),
                    rules.HIGHER_BODY,
                    f"Body {command.higher_body} is not set up",
                )
            touched: list[Any] = []
            case_decision = None
            if p.dnr is not None:
                case, case_decision = self.app.decided_case(RecordDecision(
                    p.dnr, kind=command.kind, text=command.text,
                    decided_on=meeting.meeting_date, body=meeting.body,
                    paragraph=command.paragraph, higher_body=command.higher_body,
                ), by, today)
                touched.append(case)
            meeting.decide(command, case_decision, body, by, today)
            return touched

        return self._change(command.ref, change)

    @handles(mc.ReportDelegatedDecisions)
    def report_delegated_decisions(
        self, command: mc.ReportDelegatedDecisions, by: Actor
    ) -> MeetingWritten:
        """Report delegated decisions to the body under a paragraph (meeting + body, atomic)."""

        def change(meeting: Meeting, today: date) -> list[Any]:
            meeting.check_report(command, today)
            body = self.bodies.get_body(meeting.body)
            reported = body.report_delegated_decisions(command, meeting.meeting_date, by)
            decisions = [
                {
                    "number": d.number, "point": d.point, "delegate": d.delegate,
                    "text": d.text, "dnr": d.dnr, "decided_on": d.decided_on.isoformat(),
                }
                for d in reported
            ]
            meeting.list_delegated_decisions(command, decisions, by, today)
            return [body]

        return self._change(command.ref, change)

    @handles(mc.SendExtract)
    def send_extract(self, command: mc.SendExtract, by: Actor) -> MeetingWritten:
        """Record an extract sent; with a decided case, on the case too (atomic)."""

        def change(meeting: Meeting, today: date) -> list[Any]:
            cases: dict[str, Case] = {}
            self._send_extract(meeting, command, cases, by, today)
            return list(cases.values())

        return self._change(command.ref, change)

    @handles(mc.SendExtracts)
    def send_extracts(self, command: mc.SendExtracts, by: Actor) -> MeetingWritten:
        """Record extracts of several paragraphs sent to several recipients in one write,
        on the meeting and the paragraphs' cases: all, or none (the refusal names the one at
        fault, ``extracts.<index>.recipients.<index>``)."""

        def change(meeting: Meeting, today: date) -> list[Any]:
            cases: dict[str, Case] = {}
            for i, entry in enumerate(command.extracts):
                for j, recipient in enumerate(entry.recipients):
                    single = mc.SendExtract(
                        command.ref, paragraph=entry.paragraph, recipient=recipient,
                        sent_on=entry.sent_on,
                    )
                    where = f"extracts.{i}"
                    with at_fault(f"{where}.recipients.{j}", {"sent_on": where}, DATED):
                        self._send_extract(meeting, single, cases, by, today)
            return list(cases.values())

        return self._change(command.ref, change)

    def _send_extract(
        self, meeting: Meeting, command: mc.SendExtract, cases: dict[str, Case], by: Actor,
        today: date,
    ) -> None:
        """Record one extract on ``meeting`` and, with a decided case, on the case (taken
        from ``cases``, the cases changed so far, or loaded and put there)."""
        sent_on = meeting.check_extract(command, today)
        p = meeting.paragraph(command.paragraph)
        number = p.decision.case_decision_number if p.decision else None
        if p.dnr is not None and number is not None:
            case = cases.get(p.dnr) or self.app.get_case(p.dnr)
            if command.recipient not in case.decision(number).extracts:
                case.record_extract_sent(RecordExtractSent(
                    p.dnr, decision_number=number, recipient=command.recipient,
                    sent_on=sent_on,
                ), by, today)
                cases[p.dnr] = case
        meeting.send_extract(command, by, today)

    # -- internals --------------------------------------------------------------------

    @handles(*MEETING_DECIDERS)
    def _decide_on_meeting(self, command: Any, by: Actor) -> MeetingWritten:
        """Load the meeting ``command.ref`` names, let it decide ``command``, save."""
        decide = MEETING_DECIDERS[type(command)]

        def change(meeting: Meeting, today: date) -> list[Any]:
            decide(meeting, command, by, today)
            return []

        return self._change(command.ref, change)

    def _change(
        self, ref: str, change: Callable[[Meeting, date], list[Any]]
    ) -> MeetingWritten:
        """Load the meeting, apply ``change`` (which returns other aggregates it changed),
        save them all at once; on a concurrent write, redo from the start."""
        app = self.app

        def attempt() -> MeetingWritten:
            meeting = self.get_meeting(ref)
            others = change(meeting, app.today())
            return _written(meeting, app.save(meeting, *others))

        return app._retrying(attempt, f"Meeting {ref}")


@contextmanager
def at_fault(
    where: str, outer: dict[str, str] | None = None, blame: dict[str, str] | None = None
) -> Iterator[None]:
    """Name the part of a bulk command at fault in a refusal raised within: the rule's
    field under ``where`` (``items.2.dnr``), or ``where`` itself. A field of the enclosing
    part (``outer``: field → the part it is in, e.g. a shared ``sent_on``) is named there;
    ``blame`` gives the field of a rule (by code) that names none."""
    try:
        yield
    except RuleViolation as refused:
        field = refused.field or (blame or {}).get(refused.rule.code)
        if field is not None and outer and field in outer:
            named = field if outer[field] == field else f"{outer[field]}.{field}"
        else:
            named = f"{where}.{field}" if field else where
        raise RuleViolation(refused.rule, refused.detail, named) from None


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


def _written(
    meeting: Meeting, recordings: list[Any], paragraph: int | None = None
) -> MeetingWritten:
    return MeetingWritten(
        meeting.ref, meeting.version, log_position(recordings), meeting, paragraph
    )
