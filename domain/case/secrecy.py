"""Secrecy markings (OSL 5:5) on a case and on its documents."""

from __future__ import annotations

from datetime import date

from diarium.domain import rules
from diarium.domain.actor import Actor
from diarium.domain.aggregate import command, decides, evolves
from diarium.domain.case.part import CaseCommand, CasePart
from diarium.domain.case.terms import CASE_SECRET_FIELDS, DOCUMENT_SECRET_FIELDS, Secrecy
from diarium.domain.events import case as ev
from diarium.domain.rules import happened_on, require


@command
class MarkSecret(CaseCommand):
    statute: str
    marking_body: str
    marked_on: date | None = None
    fields: list[str] | None = None


@command
class LiftSecrecy(CaseCommand):
    lifted_on: date | None = None


@command
class MarkDocumentSecret(CaseCommand):
    document_number: int
    statute: str
    marking_body: str
    marked_on: date | None = None
    fields: list[str] | None = None


@command
class LiftDocumentSecrecy(CaseCommand):
    document_number: int
    lifted_on: date | None = None


class CaseSecrecy(CasePart):
    """Marking the case or a document secret, and lifting the marking."""

    @decides(MarkSecret)
    def mark_secret(self, command: MarkSecret, by: Actor, today: date) -> None:
        """Mark the case secret under ``statute``; ``fields`` (default: all) are withheld."""
        chosen = _secret_fields(command.fields, CASE_SECRET_FIELDS)
        require(self.secrecy is None, rules.SECRECY_MARKED, f"Case {self.dnr} is already marked")
        marked_on = happened_on(command.marked_on, today, "marked_on")
        self.trigger_event(
            ev.CaseMarkedSecret,
            statute=command.statute,
            marking_body=command.marking_body,
            fields=chosen,
            occurred_on=marked_on,
            by=by,
        )

    @decides(LiftSecrecy)
    def lift_secrecy(self, command: LiftSecrecy, by: Actor, today: date) -> None:
        """Lift the case's secrecy marking."""
        require(self.secrecy is not None, rules.SECRECY_NOT_MARKED)
        lifted_on = happened_on(command.lifted_on, today, "lifted_on")
        assert self.secrecy is not None
        self.trigger_event(
            ev.CaseSecrecyLifted, statute=self.secrecy.statute, occurred_on=lifted_on, by=by
        )

    @decides(MarkDocumentSecret)
    def mark_document_secret(self, command: MarkDocumentSecret, by: Actor, today: date) -> None:
        """Mark one document secret; ``fields`` (default: counterpart and description)."""
        number = command.document_number
        self._require_document(number)
        chosen = _secret_fields(command.fields, DOCUMENT_SECRET_FIELDS)
        require(
            self.documents[number - 1].secrecy is None,
            rules.SECRECY_MARKED,
            f"Document {number} of case {self.dnr} is already marked",
        )
        marked_on = happened_on(command.marked_on, today, "marked_on")
        self.trigger_event(
            ev.DocumentMarkedSecret,
            document_number=number,
            statute=command.statute,
            marking_body=command.marking_body,
            fields=chosen,
            occurred_on=marked_on,
            by=by,
        )

    @decides(LiftDocumentSecrecy)
    def lift_document_secrecy(
        self, command: LiftDocumentSecrecy, by: Actor, today: date
    ) -> None:
        """Lift a document's secrecy marking."""
        number = command.document_number
        self._require_document(number)
        marking = self.documents[number - 1].secrecy
        require(marking is not None, rules.SECRECY_NOT_MARKED)
        lifted_on = happened_on(command.lifted_on, today, "lifted_on")
        assert marking is not None
        self.trigger_event(
            ev.DocumentSecrecyLifted,
            document_number=number,
            statute=marking.statute,
            occurred_on=lifted_on,
            by=by,
        )

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
