"""The body service: bodies, their members, paragraph numbering, the delegation order and
delegated decisions (composed by ``Diarium`` as ``app.bodies``).

A command that changes the body alone is decided by the ``Body`` method marked for it
(``Body.deciders()``); a delegated decision with a dnr is recorded on the body and the case
in one atomic write. On a concurrent write the whole command is redone from fresh state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eventsourcing.application import AggregateNotFoundError

from diarium.cases.handlers import handles
from diarium.cases.store.persistence import log_position
from diarium.domain import rules
from diarium.domain.actor import Actor
from diarium.domain.body.aggregate import Body, DelegatedDecision
from diarium.domain.body.paragraph_year import ParagraphYear
from diarium.domain.case.aggregate import Case
from diarium.domain.case.decisions import RecordDecision
from diarium.domain.case.terms import DecisionKind
from diarium.domain.meeting import commands as mc
from diarium.domain.meeting.terms import BodyNotFound, body_id, paragraph_year_id
from diarium.domain.rules import require

if TYPE_CHECKING:
    from diarium.cases.application import Diarium

BODY_DECIDERS = Body.deciders()  # command type → the Body method that decides it


@dataclass(frozen=True)
class BodyWritten:
    """The outcome of a command on a body."""

    code: str
    version: int
    position: int | None
    body: Body
    delegated_decision: int | None = None


class Bodies:
    """Bodies, members, paragraph numbering and delegation, for the application ``app``."""

    def __init__(self, app: Diarium) -> None:
        self.app = app

    # -- queries ----------------------------------------------------------------------

    def get_body(self, code: str) -> Body:
        try:
            return self.app.repository.get(body_id(code))
        except AggregateNotFoundError:
            raise BodyNotFound(code) from None

    def require_known(self, code: str, field: str) -> None:
        """Refuse a command whose ``field`` names a body that is not set up."""
        require(
            self.app._exists(body_id(code)),
            rules.BODY_UNKNOWN,
            f"Body {code} is not set up",
            field,
        )

    def paragraph_year(self, code: str, year: int) -> ParagraphYear | None:
        """The body's paragraph counter of ``year``, if it numbered any § that year."""
        try:
            return self.app.repository.get(paragraph_year_id(code, year))
        except AggregateNotFoundError:
            return None

    def delegated_decisions(
        self, code: str, *, unreported: bool = False
    ) -> list[DelegatedDecision]:
        decisions = self.get_body(code).delegated_decisions
        return [d for d in decisions if d.reported_at is None] if unreported else decisions

    # -- commands ---------------------------------------------------------------------

    @handles(mc.EstablishBody)
    def establish_body(self, command: mc.EstablishBody, by: Actor) -> BodyWritten:
        app, taken = self.app, f"Body {command.code} is already set up"
        app._require_new(body_id(command.code), rules.BODY_EXISTS, taken)
        if command.parent is not None and command.parent != command.code:
            require(
                app._exists(body_id(command.parent)),
                rules.BODY_PARENT,
                f"Body {command.parent} is not set up",
            )
        body = Body.establish(command, by, app.today())
        return _written(body, app._save_new(body, rules.BODY_EXISTS, taken))

    @handles(mc.OpenParagraphYear)
    def open_paragraph_year(self, command: mc.OpenParagraphYear, by: Actor) -> BodyWritten:
        """Continue a year's numbering from a § used before this system (e.g. 159)."""
        app, code = self.app, command.code
        body = self.get_body(code)
        app._require_new(
            paragraph_year_id(code, command.year),
            rules.PARAGRAPH_NUMBERING_STARTED,
            f"{code} numbers its paragraphs of {command.year} already",
        )
        counter = ParagraphYear.open(
            body=code, year=command.year, last_number=command.last_paragraph,
            opened_on=app.today(), by=by,
        )
        app._save_new(counter, rules.PARAGRAPH_NUMBERING_STARTED)
        return BodyWritten(body.code, body.version, None, body)

    @handles(mc.RecordDelegatedDecision)
    def record_delegated_decision(
        self, command: mc.RecordDelegatedDecision, by: Actor
    ) -> BodyWritten:
        """Record a delegate's decision on the body and, with a dnr, on the case (atomic)."""
        app = self.app

        def attempt() -> BodyWritten:
            body, case, number = self.delegated_decision(command, by)
            return _written(body, app.save(body, *([case] if case else [])), number)

        return app._retrying(attempt, f"Body {command.code}")

    def delegated_decision(
        self, command: mc.RecordDelegatedDecision, by: Actor, on_case: RecordDecision | None = None
    ) -> tuple[Body, Case | None, int]:
        """The body with the delegated decision ``command`` recorded (checked against its
        delegation order) and, with a dnr, the case with it recorded (as ``on_case`` when
        the case route asked: kind, historical source); the delegated decision's number.
        Not saved: the caller saves both in one write."""
        app, today = self.app, self.app.today()
        body = self.get_body(command.code)
        body.check_delegated_decision(command, today)
        case = case_decision = None
        if command.dnr is not None:
            case, case_decision = app.decided_case(on_case or RecordDecision(
                command.dnr, kind=DecisionKind.DECIDED, text=command.text,
                decided_on=command.decided_on, delegate=command.delegate,
                delegation_point=command.point,
            ), by, today)
        decision = body.record_delegated_decision(command, case_decision, by, today)
        return body, case, decision.number

    @handles(*BODY_DECIDERS)
    def _decide_on_body(self, command: Any, by: Actor) -> BodyWritten:
        """Load the body ``command.code`` names, let it decide ``command``, save; on a
        concurrent write, redo from the start."""
        app, decide = self.app, BODY_DECIDERS[type(command)]

        def attempt() -> BodyWritten:
            body = self.get_body(command.code)
            decide(body, command, by, app.today())
            return _written(body, app.save(body))

        return app._retrying(attempt, f"Body {command.code}")


def _written(body: Body, recordings: list[Any], decision: int | None = None) -> BodyWritten:
    return BodyWritten(body.code, body.version, log_position(recordings), body, decision)
