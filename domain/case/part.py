"""What every part of the case aggregate shares: the state its events build (declared here,
set by ``CaseRegistered`` in domain/case/lifecycle.py) and the checks many commands make.

The case is one aggregate, one consistency boundary, written in parts: one module per topic
(lifecycle, documents, referrals, incoming referrals, decisions, secrecy), each with its
commands and a part class holding the methods that decide them (``@decides``) and the
methods that apply their events (``@evolves``). ``Case`` (domain/case/aggregate.py) is all
parts together."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from diarium.domain import rules
from diarium.domain.aggregate import DiariumAggregate, command, numbered
from diarium.domain.case.terms import (
    Decision,
    Direction,
    Document,
    IncomingReferral,
    Proposal,
    Referral,
    Secrecy,
    Status,
)
from diarium.domain.identity_numbers import personal_identity_numbers
from diarium.domain.rules import Rule, happened_on, require
from diarium.domain.secrecy import covered_by_case


@command
class CaseCommand:
    """A command on the case with the ``dnr``; each command's own fields follow."""

    dnr: str


@command
class DocumentCommand(CaseCommand):
    """A command on the case's document ``document_number``; its own fields follow."""

    document_number: int


class CasePart(DiariumAggregate):
    """The state of a case and the checks its parts share."""

    if TYPE_CHECKING:  # set by the events (annotations here would make a dataclass)
        dnr: str
        series: str
        year: int
        sequence: int
        title: str
        public_title: str | None
        responsible_body: str
        unit: str | None
        officer: str | None
        classification: str | None
        origin: str | None
        migrated: bool
        migrated_source: str | None
        registered_on: date
        registered_by: str
        status: Status
        closed_on: date | None
        cancelled_on: date | None
        documents: list[Document]
        referrals: list[Referral]
        incoming_referrals: list[IncomingReferral]
        proposals: list[Proposal]
        decisions: list[Decision]
        secrecy: Secrecy | None

    def _require_active(self) -> None:
        require(self.status != Status.CANCELLED, rules.CASE_CANCELLED)
        require(self.status != Status.CLOSED, rules.CASE_CLOSED)

    def _active_on(self, day: date | None, today: date, field_name: str) -> date:
        """The business date of what is recorded on the case, which must be active (neither
        closed nor cancelled): ``day`` (default: today), not after today."""
        self._require_active()
        return happened_on(day, today, field_name)

    def _require_document(self, number: int | None) -> None:
        if number is not None:
            numbered(
                self.documents, number, rules.DOCUMENT_UNKNOWN,
                f"Case {self.dnr} has no document {number}",
            )

    def _letter(self, number: int, direction: Direction, broken: Rule) -> Document:
        """The case's document ``number``, which must go in ``direction`` (else ``broken``)."""
        self._require_document(number)
        letter = self.documents[number - 1]
        require(
            letter.direction == direction,
            broken,
            f"Document {number} of case {self.dnr} is {letter.direction}, not {direction}",
        )
        return letter

    def _require_unpublished(self, name: str, value: str | None, entity: str | None) -> None:
        """Refuse a personal identity number in field ``name`` of ``entity`` unless what the
        case's marking covers (domain/secrecy.py), or its public title, withholds it from the
        public (``None``: a field the public always sees)."""
        marked = self.secrecy.fields if self.secrecy is not None else []
        withheld = entity is not None and name in covered_by_case(
            marked, self.public_title, entity
        )
        require(
            withheld or not personal_identity_numbers(value),
            rules.PERSONAL_IDENTITY_NUMBER_PUBLIC,
            f"{name} holds a personal identity number, which the public register would show"
            + ("" if entity is None else " unless a secrecy marking (or, for a title, a public "
               "title) withholds it"),
            name,
        )
