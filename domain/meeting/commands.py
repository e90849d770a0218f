"""Commands for bodies, meetings and delegation (validated input, not yet facts).

Each names its target: ``code`` of the body, ``ref`` of the meeting, and the number (of an
agenda item, a paragraph, a delegation point) or name the URL gives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from diarium.domain.aggregate import command
from diarium.domain.case.terms import DecisionKind
from diarium.domain.meeting.terms import (
    AgendaItemKind,
    AttachmentKind,
    BodyKind,
    Capacity,
    Matter,
    MemberRole,
    Position,
    Vote,
)
from diarium.domain.migration import Migration


@command
class BodyCommand:
    """A command on the body with the ``code``; each command's own fields follow."""

    code: str


@command
class MeetingCommand:
    """A command on the meeting with the ``ref``; each command's own fields follow."""

    ref: str


# -- bodies ----------------------------------------------------------------------------


@command
class EstablishBody(BodyCommand):
    name: str
    kind: BodyKind
    parent: str | None = None
    established_on: date | None = None
    migrated: Migration | None = None  # taken over from an older system: dated, with source


@command
class AppointMember(BodyCommand):
    name: str
    role: MemberRole
    period_from: date
    party: str | None = None
    position: Position | None = None
    period_to: date | None = None


@command
class EndMembership(BodyCommand):
    name: str
    ended_on: date | None = None
    reason: str | None = None


@command
class OpenParagraphYear(BodyCommand):
    year: int
    last_paragraph: int = 0


@command
class DelegationPointTerms(BodyCommand):
    """A point of a body's delegation order as added or revised: who decides what, on what
    conditions, and the body's decision that says so."""

    number: str
    case_type: str
    delegate: str
    conditions: str | None = None
    matter: Matter = Matter.ORDINARY
    decided_on: date | None = None
    decision_reference: str | None = None


@command
class AddDelegationPoint(DelegationPointTerms):
    """A new point of the delegation order."""


@command
class ReviseDelegationPoint(DelegationPointTerms):
    """New terms for an existing point of the delegation order."""


@command
class RevokeDelegationPoint(BodyCommand):
    number: str
    revoked_on: date | None = None
    reason: str | None = None
    decision_reference: str | None = None


@command
class RecordDelegatedDecision(BodyCommand):
    point: str
    delegate: str
    text: str
    decided_on: date
    dnr: str | None = None
    matter: Matter = Matter.ORDINARY


# -- meetings --------------------------------------------------------------------------


@command
class ScheduleMeeting:
    body: str
    date: date
    session: int = 1
    place: str | None = None
    starts_at: str | None = None
    scheduled_on: date | None = None
    migrated: Migration | None = None  # taken over from an older system: dated, with source


@command
class AddAgendaItem(MeetingCommand):
    kind: AgendaItemKind
    title: str
    dnr: str | None = None
    added_on: date | None = None


@command
class PublishMeetingNotice(MeetingCommand):
    """Publish the notice of the meeting (kallelse, with its agenda) on the notice board."""

    published_on: date | None = None
    place: str | None = None
    starts_at: str | None = None


@command
class WithdrawAgendaItem(MeetingCommand):
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


@command
class RecordAttendance(MeetingCommand):
    chair: str
    attendees: list[AttendeeEntry]
    secretary: str | None = None


@command
class ElectAdjusters(MeetingCommand):
    adjusters: list[str]
    adjustment_place: str | None = None
    adjustment_date: date | None = None


@dataclass(frozen=True)
class Section:
    heading: str
    text: str


@command
class RecordParagraph(MeetingCommand):
    title: str
    dnr: str | None = None
    sections: list[Section] = field(default_factory=list)


@command
class ParagraphCommand(MeetingCommand):
    """A command on one paragraph of a meeting's protocol (``ref``): the paragraph's number;
    each command's own fields follow."""

    paragraph: int


@command
class MakeMotion(ParagraphCommand):
    text: str
    mover: str | None = None
    supporters: list[str] = field(default_factory=list)


@command
class RecordProcedureStep(ParagraphCommand):
    proposals: list[int]
    description: str | None = None
    adopted: int | None = None
    votes: dict[str, Vote] | None = None


@command
class DecideParagraph(ParagraphCommand):
    kind: DecisionKind
    text: str
    higher_body: str | None = None


@command
class EnterReservation(ParagraphCommand):
    member: str
    reason: str | None = None


@command
class GiveReservationReason(ParagraphCommand):
    member: str
    reason: str
    given_on: date | None = None


@command
class DeclareConflict(ParagraphCommand):
    member: str
    note: str | None = None


@command
class EnterNote(ParagraphCommand):
    authors: str
    text: str


@command
class AddAttachment(ParagraphCommand):
    title: str
    kind: AttachmentKind = AttachmentKind.ATTACHMENT
    dnr: str | None = None
    document_number: int | None = None


@command
class ListExtractRecipients(ParagraphCommand):
    recipients: list[str]


@command
class ReportDelegatedDecisions(ParagraphCommand):
    numbers: list[int]


@command
class CloseMeeting(MeetingCommand):
    closed_at: str | None = None


@command
class AdjustProtocol(MeetingCommand):
    signed_by: list[str]
    adjusted_on: date | None = None


@command
class AdjustParagraphImmediately(ParagraphCommand):
    signed_by: list[str]
    adjusted_on: date | None = None


@command
class PostProtocol(MeetingCommand):
    posted_on: date | None = None
    paragraph: int | None = None


@command
class RecordLegalForce(MeetingCommand):
    """Record legal force for every decision of the meeting whose appeal period has ended
    (idempotent: a decision already recorded, or not yet due, is left)."""


@command
class CertifyCorrection(ParagraphCommand):
    corrects: str
    text: str
    certified_by: list[str]
    certified_on: date | None = None


@command
class SendExtract(ParagraphCommand):
    recipient: str
    sent_on: date | None = None


# -- in bulk: several facts in one command, recorded all or none ----------------------------


@dataclass(frozen=True)
class AgendaEntry:
    """One item of :class:`AddAgendaItems` (the fields of :class:`AddAgendaItem`)."""

    kind: AgendaItemKind
    title: str
    dnr: str | None = None


@command
class AddAgendaItems(MeetingCommand):
    items: list[AgendaEntry]
    added_on: date | None = None


@dataclass(frozen=True)
class ExtractsOfParagraph:
    """The extracts of one paragraph in :class:`SendExtracts`: to whom, and when."""

    paragraph: int
    recipients: list[str]
    sent_on: date | None = None


@command
class SendExtracts(MeetingCommand):
    extracts: list[ExtractsOfParagraph]
