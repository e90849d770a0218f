"""Commands for bodies, meetings and delegation (validated input, not yet facts).

Each names its target: ``code`` of the body, ``ref`` of the meeting, and the number (of an
agenda item, a paragraph, a delegation point) or name the URL gives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from diarium.domain.case.terms import DecisionKind
from diarium.domain.meeting_terms import (
    AgendaItemKind,
    AttachmentKind,
    BodyKind,
    Capacity,
    Matter,
    MemberRole,
    Position,
    Vote,
)

# -- bodies ----------------------------------------------------------------------------


@dataclass(frozen=True)
class EstablishBody:
    code: str
    name: str
    kind: BodyKind
    parent: str | None = None
    established_on: date | None = None


@dataclass(frozen=True)
class AppointMember:
    code: str
    name: str
    role: MemberRole
    period_from: date
    party: str | None = None
    position: Position | None = None
    period_to: date | None = None


@dataclass(frozen=True)
class EndMembership:
    code: str
    name: str
    ended_on: date | None = None
    reason: str | None = None


@dataclass(frozen=True)
class OpenParagraphYear:
    code: str
    year: int
    last_paragraph: int = 0


@dataclass(frozen=True)
class DelegationPointTerms:
    """A point of a body's delegation order as added or revised: who decides what, on what
    conditions, and the body's decision that says so."""

    code: str
    number: str
    case_type: str
    delegate: str
    conditions: str | None = None
    matter: Matter = Matter.ORDINARY
    decided_on: date | None = None
    decision_reference: str | None = None


@dataclass(frozen=True)
class AddDelegationPoint(DelegationPointTerms):
    """A new point of the delegation order."""


@dataclass(frozen=True)
class ReviseDelegationPoint(DelegationPointTerms):
    """New terms for an existing point of the delegation order."""


@dataclass(frozen=True)
class RevokeDelegationPoint:
    code: str
    number: str
    revoked_on: date | None = None
    reason: str | None = None
    decision_reference: str | None = None


@dataclass(frozen=True)
class RecordDelegatedDecision:
    code: str
    point: str
    delegate: str
    text: str
    decided_on: date
    dnr: str | None = None
    matter: Matter = Matter.ORDINARY


# -- meetings --------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleMeeting:
    body: str
    date: date
    session: int = 1
    place: str | None = None
    starts_at: str | None = None
    scheduled_on: date | None = None


@dataclass(frozen=True)
class AddAgendaItem:
    ref: str
    kind: AgendaItemKind
    title: str
    dnr: str | None = None
    added_on: date | None = None


@dataclass(frozen=True)
class WithdrawAgendaItem:
    ref: str
    number: int
    reason: str | None = None


@dataclass(frozen=True)
class AttendeeEntry:
    name: str
    capacity: Capacity
    party: str | None = None
    replacing: str | None = None
    from_paragraph: int | None = None
    to_paragraph: int | None = None
    title: str | None = None


@dataclass(frozen=True)
class RecordAttendance:
    ref: str
    chair: str
    attendees: list[AttendeeEntry]
    secretary: str | None = None


@dataclass(frozen=True)
class ElectAdjusters:
    ref: str
    adjusters: list[str]
    adjustment_place: str | None = None
    adjustment_date: date | None = None


@dataclass(frozen=True)
class Section:
    heading: str
    text: str


@dataclass(frozen=True)
class RecordParagraph:
    ref: str
    title: str
    dnr: str | None = None
    sections: list[Section] = field(default_factory=list)


@dataclass(frozen=True)
class ParagraphCommand:
    """A command on one paragraph of a meeting's protocol: the meeting's ``ref`` and the
    paragraph's number; each command's own fields follow these two."""

    ref: str
    paragraph: int


@dataclass(frozen=True)
class MakeMotion(ParagraphCommand):
    text: str
    mover: str | None = None
    supporters: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RecordProcedureStep(ParagraphCommand):
    proposals: list[int]
    description: str | None = None
    adopted: int | None = None
    votes: dict[str, Vote] | None = None


@dataclass(frozen=True)
class DecideParagraph(ParagraphCommand):
    kind: DecisionKind
    text: str
    higher_body: str | None = None


@dataclass(frozen=True)
class EnterReservation(ParagraphCommand):
    member: str
    reason: str | None = None


@dataclass(frozen=True)
class GiveReservationReason(ParagraphCommand):
    member: str
    reason: str
    given_on: date | None = None


@dataclass(frozen=True)
class DeclareConflict(ParagraphCommand):
    member: str
    note: str | None = None


@dataclass(frozen=True)
class EnterNote(ParagraphCommand):
    authors: str
    text: str


@dataclass(frozen=True)
class AddAttachment(ParagraphCommand):
    title: str
    kind: AttachmentKind = AttachmentKind.ATTACHMENT
    dnr: str | None = None
    document_number: int | None = None


@dataclass(frozen=True)
class ListExtractRecipients(ParagraphCommand):
    recipients: list[str]


@dataclass(frozen=True)
class ReportDelegatedDecisions(ParagraphCommand):
    numbers: list[int]


@dataclass(frozen=True)
class CloseMeeting:
    ref: str
    closed_at: str | None = None


@dataclass(frozen=True)
class AdjustProtocol:
    ref: str
    signed_by: list[str]
    adjusted_on: date | None = None


@dataclass(frozen=True)
class AdjustParagraphImmediately(ParagraphCommand):
    signed_by: list[str]
    adjusted_on: date | None = None


@dataclass(frozen=True)
class PostProtocol:
    ref: str
    posted_on: date | None = None
    paragraph: int | None = None


@dataclass(frozen=True)
class CertifyCorrection(ParagraphCommand):
    corrects: str
    text: str
    certified_by: list[str]
    certified_on: date | None = None


@dataclass(frozen=True)
class SendExtract(ParagraphCommand):
    recipient: str
    sent_on: date | None = None
