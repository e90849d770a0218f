"""A decision recorded on the case route (``POST /api/cases/<dnr>/decisions``), through the
same checks as the routes that record decisions at their source (composed by ``Diarium`` as
``app.decisions``):

- a delegate's decision is checked against the delegation order of the case's responsible
  body and recorded on the body and the case in one write (``Bodies.delegated_decision``,
  as ``POST /api/bodies/<code>/delegated-decisions`` does);
- a body's decision names a decided paragraph of that body's meeting (year, §, meeting date)
  on this case whose decision the case does not hold yet (the meeting route records it on
  the case as it is decided, so this only links one it did not), or is refused;
- a historical decision (``historical``: migrated from an older system, with its source)
  takes its § in the body's numbering of the year (``ParagraphYear.record_historical``): no
  § twice per body and year, none that a meeting in this system numbered.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from diarium.cases.handlers import handles
from diarium.domain import rules
from diarium.domain.actor import Actor
from diarium.domain.body.paragraph_year import ParagraphYear
from diarium.domain.case.aggregate import Case
from diarium.domain.case.decisions import RecordDecision
from diarium.domain.meeting import commands as mc
from diarium.domain.rules import require

if TYPE_CHECKING:
    from diarium.cases.application import Diarium, Written
    from diarium.cases.bodies import Bodies
    from diarium.cases.meetings import Meetings


class CaseDecisions:
    """Decisions recorded on the case route, for the application ``app``."""

    def __init__(self, app: Diarium, bodies: Bodies, meetings: Meetings) -> None:
        self.app = app
        self.bodies = bodies
        self.meetings = meetings

    @handles(RecordDecision)
    def record_decision(self, command: RecordDecision, by: Actor) -> Written:
        """Record the decision by the path its decision maker takes; one atomic write."""
        app = self.app
        delegated = app.view_case(command.dnr).check_decision(command, app.today())
        for code, field in ((command.body, "body"), (command.higher_body, "higher_body")):
            if code is not None:
                self.bodies.require_known(code, field)

        def attempt() -> Written:
            today = app.today()
            if delegated:
                case, others = self._delegated(command, by)
            elif command.historical is not None:
                case, others = self._historical(command, by, today)
            else:
                case, others = self._from_meeting(command, by, today), []
            return app._written(case, app.save(*others, case))  # the case's event last

        return app._retrying(attempt, f"Case {command.dnr}")

    def _delegated(self, command: RecordDecision, by: Actor) -> tuple[Case, list[Any]]:
        """A delegate's decision: under the responsible body's delegation order."""
        responsible = self.app.get_case(command.dnr).responsible_body
        self.bodies.require_known(responsible, "delegation_point")
        assert command.delegate is not None and command.delegation_point is not None
        body, case, _ = self.bodies.delegated_decision(
            mc.RecordDelegatedDecision(
                responsible, point=command.delegation_point, delegate=command.delegate,
                text=command.text, decided_on=command.decided_on, dnr=command.dnr,
            ),
            by,
            on_case=command,
        )
        assert case is not None
        return case, [body]

    def _historical(
        self, command: RecordDecision, by: Actor, today: date
    ) -> tuple[Case, list[Any]]:
        """A migrated decision of a body: its § taken in the body's numbering of the year."""
        assert command.body is not None and command.paragraph is not None
        assert command.historical is not None
        year = command.decided_on.year
        counter = self.bodies.paragraph_year(command.body, year) or ParagraphYear.open(
            body=command.body, year=year, last_number=0, opened_on=today, by=by
        )
        case, _ = self.app.decided_case(command, by, today)
        counter.record_historical(
            number=command.paragraph, dnr=command.dnr, source=command.historical.source,
            decided_on=command.decided_on, by=by,
        )
        return case, [counter]

    def _from_meeting(self, command: RecordDecision, by: Actor, today: date) -> Case:
        """A body's decision from its meeting: the decided paragraph of this case, not yet
        on the case."""
        body, number, day = command.body, command.paragraph, command.decided_on
        assert body is not None and number is not None
        where = f"{body} § {number}/{day.year}"
        counter = self.bodies.paragraph_year(body, day.year)
        ref = counter.numbered.get(number) if counter is not None else None
        require(
            ref is not None,
            rules.DECISION_NOT_AT_MEETING,
            f"{where} was not numbered at a meeting in this system: record the decision at "
            "the meeting, or as historical (with its source)",
            "paragraph",
        )
        assert ref is not None
        meeting = self.meetings.get_meeting(ref)
        paragraph = meeting.paragraph(number)
        decision = paragraph.decision
        require(
            meeting.meeting_date == day,
            rules.DECISION_NOT_AT_MEETING,
            f"{where} is of the meeting {ref} on {meeting.meeting_date}, not {day}",
            "decided_on",
        )
        require(
            paragraph.dnr == command.dnr and decision is not None,
            rules.DECISION_NOT_AT_MEETING,
            f"{where} is not a decided paragraph on case {command.dnr}",
            "paragraph",
        )
        assert decision is not None
        case = self.app.get_case(command.dnr)
        require(
            decision.case_decision_number is None
            and not any(
                d.body == body and d.paragraph == number and d.decided_on == day
                for d in case.decisions
            ),
            rules.DECISION_ALREADY_RECORDED,
            f"The meeting {ref} recorded {where} on case {command.dnr} already",
            "paragraph",
        )
        require(
            str(command.kind) == decision.kind and command.higher_body == decision.higher_body,
            rules.DECISION_NOT_AT_MEETING,
            f"{where} decided {decision.kind}"
            + (f" (to {decision.higher_body})" if decision.higher_body else ""),
            "kind",
        )
        case.record_decision(command, by, today)
        return case
