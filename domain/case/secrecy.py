"""Secrecy markings (OSL 5:5) on a case and on its documents."""

from __future__ import annotations

from datetime import date

from diarium.domain import rules
from diarium.domain.actor import Actor
from diarium.domain.aggregate import command, decides, evolves
from diarium.domain.case.part import CaseCommand, CasePart, DocumentCommand
from diarium.domain.case.terms import CASE_SECRET_FIELDS, DOCUMENT_SECRET_FIELDS, Secrecy
from diarium.domain.events import case as ev
from diarium.domain.rules import happened_on, require


@command
class Marking:
    """The terms of a secrecy marking: the ``statute`` (OSL), the body that marked, the day
    (default: today) and the fields withheld (default: all). A marking command names it first
    among its bases, so these fields follow those naming what it marks."""

    statute: str
    marking_body: str
    marked_on: date | None = None
    fields: list[str] | None = None


@command
class MarkSecret(Marking, CaseCommand):
    """Mark the case secret."""


@command
class LiftSecrecy(CaseCommand):
    lifted_on: date | None = None


@command
class MarkDocumentSecret(Marking, DocumentCommand):
    """Mark one of the case's documents secret."""


@command
class LiftDocumentSecrecy(DocumentCommand):
    lifted_on: date | None = None


class CaseSecrecy(CasePart):
    """Marking the case or a document secret, and lifting the marking."""

    @decides(MarkSecret)
    def mark_secret(self, command: MarkSecret, by: Actor, today: date) -> None:
        """Mark the case secret under ``statute``; ``fields`` (default: all) are withheld."""
        self._mark(
            ev.CaseMarkedSecret, command, CASE_SECRET_FIELDS, self.secrecy, f"Case {self.dnr}",
            by, today,
        )

    @decides(LiftSecrecy)
    def lift_secrecy(self, command: LiftSecrecy, by: Actor, today: date) -> None:
        """Lift the case's secrecy marking."""
        self._lift(ev.CaseSecrecyLifted, self.secrecy, command.lifted_on, by, today)

    @decides(MarkDocumentSecret)
    def mark_document_secret(self, command: MarkDocumentSecret, by: Actor, today: date) -> None:
        """Mark one document secret; ``fields`` (default: counterpart and description)."""
        number = command.document_number
        self._require_document(number)
        self._mark(
            ev.DocumentMarkedSecret, command, DOCUMENT_SECRET_FIELDS,
            self.documents[number - 1].secrecy, f"Document {number} of case {self.dnr}",
            by, today,
        )

    @decides(LiftDocumentSecrecy)
    def lift_document_secrecy(
        self, command: LiftDocumentSecrecy, by: Actor, today: date
    ) -> None:
        """Lift a document's secrecy marking."""
        number = command.document_number
        self._require_document(number)
        self._lift(
            ev.DocumentSecrecyLifted, self.documents[number - 1].secrecy, command.lifted_on,
            by, today, document_number=number,
        )

    def _mark(
        self,
        event_class: type[ev.CaseMarkedSecret | ev.DocumentMarkedSecret],
        command: Marking,
        allowed: tuple[str, ...],
        marked: Secrecy | None,
        what: str,
        by: Actor,
        today: date,
    ) -> None:
        """Mark ``what`` (the case, or the document ``command`` names) secret, unless it is
        ``marked`` already; ``allowed`` are the fields a marking of it can withhold."""
        chosen = _secret_fields(command.fields, allowed)
        require(marked is None, rules.SECRECY_MARKED, f"{what} is already marked")
        self.record(
            event_class, command, by,
            fields=chosen,
            occurred_on=happened_on(command.marked_on, today, "marked_on"),
        )

    def _lift(
        self,
        event_class: type[ev.CaseSecrecyLifted | ev.DocumentSecrecyLifted],
        marking: Secrecy | None,
        lifted_on: date | None,
        by: Actor,
        today: date,
        **target: int,
    ) -> None:
        """Lift ``marking`` (of the case, or of the document ``target`` names) as of
        ``lifted_on``."""
        require(marking is not None, rules.SECRECY_NOT_MARKED)
        day = happened_on(lifted_on, today, "lifted_on")
        assert marking is not None
        self.trigger_event(event_class, **target, statute=marking.statute, occurred_on=day, by=by)

    # -- evolution ------------------------------------------------------------------

    @evolves(ev.CaseMarkedSecret)
    def _marked_secret(self, event: ev.CaseMarkedSecret) -> None:
        self.secrecy = Secrecy(
            event.statute, event.occurred_on, event.marking_body, list(event.fields)
        )

    @evolves(ev.CaseSecrecyLifted)
    def _secrecy_lifted(self, event: ev.CaseSecrecyLifted) -> None:
        self.secrecy = None

    @evolves(ev.DocumentMarkedSecret)
    def _document_marked_secret(self, event: ev.DocumentMarkedSecret) -> None:
        self.documents[event.document_number - 1].secrecy = Secrecy(
            event.statute, event.occurred_on, event.marking_body, list(event.fields)
        )

    @evolves(ev.DocumentSecrecyLifted)
    def _document_secrecy_lifted(self, event: ev.DocumentSecrecyLifted) -> None:
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
