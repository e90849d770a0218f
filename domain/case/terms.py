"""The terms of a case: its statuses and kinds, and the parts its state is made of
(documents, referrals, proposals, decisions, secrecy markings)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from diarium.domain.secrecy import CASE_FIELDS, DOCUMENT_FIELDS


class Status(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Direction(StrEnum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"
    DRAWN_UP = "drawn_up"


class DecisionKind(StrEnum):
    DECIDED = "decided"
    PROPOSED_TO_HIGHER_BODY = "proposed_to_higher_body"
    NOTED = "noted"


# Fields a secrecy marking can withhold (OSL 5:2): on a case, its title and origin, and the
# content of its documents, proposals and decisions; on a document, its sender or recipient
# (counterpart) and what it concerns (description).
CASE_SECRET_FIELDS = CASE_FIELDS  # what a marking may name (domain/secrecy.py)
DOCUMENT_SECRET_FIELDS = DOCUMENT_FIELDS


@dataclass
class Secrecy:
    """A secrecy marking (OSL 5:5): statute paragraph, date, marking body, fields withheld."""

    statute: str
    marked_on: date
    marking_body: str
    fields: list[str]


@dataclass(frozen=True)
class SecrecyMarking:
    """A secrecy marking asked for with a command (e.g. in a registration); what is left
    out takes its default (marking body: the responsible body; date: the command's date;
    fields: all)."""

    statute: str
    marking_body: str | None = None
    marked_on: date | None = None
    fields: list[str] | None = None


@dataclass(frozen=True)
class StoredFile:
    """A file kept in the file store, by the SHA-256 of its bytes: what attaching it records
    (the media type detected from the content; the uploader's claim beside it)."""

    sha256: str
    size: int
    media_type: str
    claimed_media_type: str | None = None
    file_name: str | None = None
    pdfa: str | None = None  # the PDF/A conformance a PDF claims, e.g. "2b"


@dataclass
class FileVersion:
    """One version of a document's file, stored by content."""

    version: int
    sha256: str
    size: int
    media_type: str
    claimed_media_type: str | None
    file_name: str | None
    pdfa: str | None
    attached_on: date
    attached_by: str


@dataclass
class Document:
    number: int
    direction: str
    date: date
    counterpart: str | None
    description: str
    secrecy: Secrecy | None = None
    files: list[FileVersion] = field(default_factory=list)


@dataclass
class Referral:
    number: int
    recipients: list[str]
    sent_on: date
    answer_by: date
    document_number: int | None
    answers: dict[str, date] = field(default_factory=dict)

    @property
    def outstanding(self) -> list[str]:
        return [r for r in self.recipients if r not in self.answers]


@dataclass
class IncomingReferral:
    """A referral (remiss) sent to us: our body must answer (or decline) by ``answer_by``."""

    number: int
    sender: str
    sender_reference: str | None
    received_on: date
    answer_by: date
    document_number: int  # the incoming letter
    answered_on: date | None = None
    answer_document_number: int | None = None  # our outgoing answer (yttrande)
    declined_on: date | None = None
    decline_reason: str | None = None
    decline_document_number: int | None = None
    extensions: list[tuple[date, date]] = field(default_factory=list)  # (granted_on, answer_by)

    @property
    def status(self) -> str:
        if self.answered_on is not None:
            return "answered"
        if self.declined_on is not None:
            return "declined"
        return "outstanding"

    @property
    def settled_on(self) -> date | None:
        return self.answered_on or self.declined_on


@dataclass
class Proposal:
    number: int
    points: list[str]
    summary: str
    justification: str | None
    proposed_by: str | None
    proposed_on: date


@dataclass
class Decision:
    number: int
    kind: str
    text: str
    decided_on: date
    body: str | None
    paragraph: int | None
    higher_body: str | None
    delegate: str | None
    delegation_point: str | None
    extracts: dict[str, date] = field(default_factory=dict)
    historical_source: str | None = None  # migrated from an older system, not from a meeting
