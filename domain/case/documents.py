"""The documents (handlingar) registered to a case, numbered on within the case, and the
versions of their files."""

from __future__ import annotations

from datetime import date

from diarium.domain import rules
from diarium.domain.actor import Actor
from diarium.domain.aggregate import command, decides, evolves
from diarium.domain.case.part import CaseCommand, CasePart, DocumentCommand
from diarium.domain.case.terms import Direction, Document, FileVersion, StoredFile
from diarium.domain.events import case as ev
from diarium.domain.rules import require
from diarium.domain.secrecy import DOCUMENT_MARKING, covered


@command
class RegisterDocument(CaseCommand):
    """Register a document; with ``file``, its file is attached as version 1 in the same
    write."""

    direction: Direction
    date: date
    description: str
    counterpart: str | None = None
    file: StoredFile | None = None


@command
class AttachFile(DocumentCommand):
    """Attach a stored file to document ``document_number`` as its next version."""

    file: StoredFile


class Documents(CasePart):
    """Registering documents and attaching their files."""

    @decides(RegisterDocument)
    def register_document(self, command: RegisterDocument, by: Actor, today: date) -> None:
        """Register a document to the case, numbered on within the case (and its file)."""
        self._active_on(command.date, today, "date")
        self._require_unpublished("description", command.description, "document")
        self._require_unpublished("counterpart", command.counterpart, "document")
        number = len(self.documents) + 1
        self.record(
            ev.DocumentRegistered, command, by,
            number=number,
            direction=str(command.direction),
            occurred_on=command.date,
            registered_on=today,
        )
        if command.file is not None:
            self._attach(number, command.file, by, today)

    @evolves(ev.DocumentRegistered)
    def _document_registered(self, event: ev.DocumentRegistered) -> None:
        self.documents.append(
            Document(
                event.number, event.direction, event.occurred_on, event.counterpart,
                event.description,
            )
        )

    @decides(AttachFile)
    def attach_file(self, command: AttachFile, by: Actor, today: date) -> None:
        """Attach a file to a registered document as its next version (the case must be
        active); the same bytes as the current version are refused."""
        self._require_active()
        self._require_document(command.document_number)
        self._attach(command.document_number, command.file, by, today)

    def _attach(self, number: int, file: StoredFile, by: Actor, today: date) -> None:
        files = self.documents[number - 1].files
        require(
            not files or files[-1].sha256 != file.sha256,
            rules.FILE_UNCHANGED,
            f"Document {number} of case {self.dnr} already has this file as version "
            f"{len(files)}",
            "file",
        )
        marking = self.documents[number - 1].secrecy
        if "file_name" not in covered(marking.fields if marking else [], "file", DOCUMENT_MARKING):
            self._require_unpublished("file_name", file.file_name, "file")
        self.record(ev.DocumentFileAttached, file, by, document_number=number,
                    version=len(files) + 1, occurred_on=today)

    @evolves(ev.DocumentFileAttached)
    def _document_file_attached(self, event: ev.DocumentFileAttached) -> None:
        self.documents[event.document_number - 1].files.append(
            FileVersion(
                event.version, event.sha256, event.size, event.media_type,
                event.claimed_media_type, event.file_name, event.pdfa, event.occurred_on,
                event.actor,
            )
        )
