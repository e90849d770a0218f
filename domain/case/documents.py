"""The documents (handlingar) registered to a case, numbered on within the case."""

from __future__ import annotations

from datetime import date

from diarium.domain.actor import Actor
from diarium.domain.aggregate import command, decides, evolves
from diarium.domain.case.part import CaseCommand, CasePart
from diarium.domain.case.terms import Direction, Document
from diarium.domain.events import case as ev


@command
class RegisterDocument(CaseCommand):
    direction: Direction
    date: date
    description: str
    counterpart: str | None = None


class Documents(CasePart):
    """Registering documents."""

    @decides(RegisterDocument)
    def register_document(self, command: RegisterDocument, by: Actor, today: date) -> None:
        """Register a document to the case, numbered on within the case."""
        self._active_on(command.date, today, "date")
        self._require_unpublished("description", command.description, "document")
        self._require_unpublished("counterpart", command.counterpart, "document")
        self.record(
            ev.DocumentRegistered, command, by,
            number=len(self.documents) + 1,
            direction=str(command.direction),
            occurred_on=command.date,
            registered_on=today,
        )

    @evolves(ev.DocumentRegistered)
    def _document_registered(self, event: ev.DocumentRegistered) -> None:
        self.documents.append(
            Document(
                event.number, event.direction, event.occurred_on, event.counterpart,
                event.description,
            )
        )
