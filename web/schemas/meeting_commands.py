"""Input schemas for bodies, meetings and delegation: strict input, each loaded into its
command (domain/meeting/commands.py); the URL gives the target (``code``, ``ref``, a number).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import fields, validate

from diarium.domain.case.terms import DecisionKind
from diarium.domain.meeting import commands as mc
from diarium.domain.meeting import terms
from diarium.web.schemas.cases import (
    CommandSchema,
    PartSchema,
    RecordExtractSentSchema,
    Text,
    enum_field,
    migration,
    optional_date,
    optional_number,
    optional_text,
    text,
)

NAME = 200


def body_code(**kwargs: Any) -> Text:
    return Text(
        validate=[validate.Length(min=1, max=30), validate.Regexp(terms.BODY_CODE.pattern + r"\Z")],
        metadata={"example": "RS"},
        **kwargs,
    )


def names(**kwargs: Any) -> fields.List:
    kwargs.setdefault("validate", validate.Length(max=200))
    return fields.List(text(NAME), **kwargs)


def number(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=100000), **kwargs)


def matter() -> fields.Enum:
    """Which kind of matter a delegated decision concerns (ordinary by default)."""
    return enum_field(terms.Matter, load_default=terms.Matter.ORDINARY)


def clock(**kwargs: Any) -> Text:
    """A time of day, optional (``09.00`` or ``09:00``)."""
    return Text(
        load_default=None, allow_none=True, validate=validate.Regexp(r"\A\d{2}[:.]\d{2}\Z"),
        **kwargs,
    )


# -- input: bodies ---------------------------------------------------------------------


class EstablishBodySchema(CommandSchema):
    command = mc.EstablishBody
    code = body_code(required=True)
    name = text(300, required=True, metadata={"example": "Regionstyrelsen"})
    kind = enum_field(terms.BodyKind, required=True)
    parent = body_code(load_default=None, allow_none=True)
    established_on = optional_date()
    migrated = migration("Taken over from an older system: established_on is required")


class AppointMemberSchema(CommandSchema):
    command = mc.AppointMember
    name = text(NAME, required=True, metadata={"example": "Glenn Berggård"})
    role = enum_field(terms.MemberRole, required=True)
    period_from = fields.Date(required=True)
    party = optional_text(50)
    position = enum_field(terms.Position, load_default=None, allow_none=True)
    period_to = optional_date()


class EndMembershipSchema(CommandSchema):
    command = mc.EndMembership
    ended_on = optional_date()
    reason = optional_text(2000)


class OpenParagraphYearSchema(CommandSchema):
    command = mc.OpenParagraphYear
    year = fields.Integer(strict=True, required=True, validate=validate.Range(min=1900, max=2999))
    last_paragraph = fields.Integer(
        strict=True, load_default=0, validate=validate.Range(min=0, max=100000),
        metadata={"description": "The last § already used that year (159 → next is § 160)"},
    )


class ReviseDelegationPointSchema(CommandSchema):
    """A point's terms, as revised (and as added, with its number)."""

    command = mc.ReviseDelegationPoint
    case_type = text(2000, required=True)
    delegate = text(NAME, required=True)
    conditions = optional_text(5000)
    matter = matter()
    decided_on = optional_date()
    decision_reference = optional_text(200)


class AddDelegationPointSchema(ReviseDelegationPointSchema):
    command = mc.AddDelegationPoint
    number = text(30, required=True, metadata={"example": "2.3.8"})
    case_type = text(2000, required=True, metadata={"description": "Ärendetyp"})
    delegate = text(NAME, required=True, metadata={"example": "Utskottet för Nära vård"})


class RevokeDelegationPointSchema(CommandSchema):
    command = mc.RevokeDelegationPoint
    revoked_on = optional_date()
    reason = optional_text(2000)
    decision_reference = optional_text(200)


class RecordDelegatedDecisionSchema(CommandSchema):
    command = mc.RecordDelegatedDecision
    point = text(30, required=True)
    delegate = text(NAME, required=True)
    text = text(20000, required=True)
    decided_on = fields.Date(required=True)
    dnr = optional_text(50)
    matter = matter()


# -- input: meetings -------------------------------------------------------------------


class ScheduleMeetingSchema(CommandSchema):
    command = mc.ScheduleMeeting
    body = body_code(required=True)
    date = fields.Date(
        required=True, validate=validate.Range(min=date(1900, 1, 1), max=date(2999, 12, 31))
    )
    session = fields.Integer(strict=True, load_default=1, validate=validate.Range(min=1, max=9))
    place = optional_text(300)
    starts_at = clock(metadata={"example": "09.00"})
    scheduled_on = optional_date()
    migrated = migration("Taken over from an older system: scheduled_on is required")


class AddAgendaItemSchema(CommandSchema):
    command = mc.AddAgendaItem
    kind = enum_field(terms.AgendaItemKind, required=True)
    title = text(1000, required=True)
    dnr = optional_text(50)
    added_on = optional_date()


class WithdrawAgendaItemSchema(CommandSchema):
    command = mc.WithdrawAgendaItem
    reason = optional_text(2000)


class AttendeeEntrySchema(PartSchema):
    part = mc.AttendeeEntry
    name = text(NAME, required=True)
    capacity = enum_field(terms.Capacity, required=True)
    party = optional_text(50)
    replacing = optional_text(NAME)
    from_paragraph = optional_number()
    to_paragraph = optional_number()
    title = optional_text(200)


class RecordAttendanceSchema(CommandSchema):
    command = mc.RecordAttendance
    chair = text(NAME, required=True)
    attendees = fields.List(
        fields.Nested(AttendeeEntrySchema), required=True, validate=validate.Length(min=1, max=300)
    )
    secretary = optional_text(NAME)


class ElectAdjustersSchema(CommandSchema):
    command = mc.ElectAdjusters
    adjusters = names(required=True, validate=validate.Length(min=1, max=5))
    adjustment_place = optional_text(300)
    adjustment_date = optional_date()


class SectionSchema(PartSchema):
    part = mc.Section
    heading = text(200, required=True, metadata={"example": "Ärendet"})
    text = text(100000, required=True)


class RecordParagraphSchema(CommandSchema):
    command = mc.RecordParagraph
    title = text(1000, required=True)
    dnr = optional_text(50)
    sections = fields.List(
        fields.Nested(SectionSchema), load_default=list, validate=validate.Length(max=50)
    )


class MakeMotionSchema(CommandSchema):
    command = mc.MakeMotion
    text = text(20000, required=True)
    mover = optional_text(NAME)
    supporters = names(load_default=list)


class RecordProcedureStepSchema(CommandSchema):
    command = mc.RecordProcedureStep
    proposals = fields.List(number(), required=True, validate=validate.Length(min=1, max=20))
    description = optional_text(5000)
    adopted = fields.Integer(
        strict=True, load_default=None, allow_none=True, validate=validate.Range(min=1, max=100000),
        metadata={"description": "The motion adopted (null: the one motion put was rejected)"},
    )
    votes = fields.Dict(
        keys=text(NAME), values=enum_field(terms.Vote), load_default=None,
        allow_none=True, validate=validate.Length(min=1, max=300),
        metadata={"description": "For a vote: member → ja (first motion) | nej | avstår"},
    )


class DecideParagraphSchema(CommandSchema):
    command = mc.DecideParagraph
    kind = enum_field(DecisionKind, required=True, metadata={
        "description": "The decision is refused (409 quorum) unless more than half of the "
                       "body's members are present at the paragraph (KL 6:27; the council "
                       "KL 5:42). proposed_to_higher_body is preparatory: it cannot be "
                       "appealed (KL 13:2) and gets no appeal period",
    })
    text = text(20000, required=True)
    higher_body = body_code(load_default=None, allow_none=True)


class EnterReservationSchema(CommandSchema):
    command = mc.EnterReservation
    member = text(NAME, required=True, metadata={
        "description": "A serving member present who took part in the decision and did not "
                       "support it (KL 4:27): 409 reservation-supported for one who voted "
                       "for the outcome or moved or supported only adopted motions, "
                       "reservation-abstained for one who abstained",
    })
    reason = optional_text(20000)


class GiveReservationReasonSchema(CommandSchema):
    command = mc.GiveReservationReason
    reason = text(20000, required=True)
    given_on = optional_date()


class DeclareConflictSchema(CommandSchema):
    command = mc.DeclareConflict
    member = text(NAME, required=True)
    note = optional_text(2000)


class EnterNoteSchema(CommandSchema):
    command = mc.EnterNote
    authors = text(500, required=True, metadata={
        "example": "Anders Öberg (S)",
        "description": "Who enters the note: each person named (\"Name (Party)\", joined by "
                       "commas or \"och\") must be a serving member present at the "
                       "paragraph without jäv; a group (\"Från socialdemokraternas "
                       "ledamöter\") is taken as written",
    })
    text = text(50000, required=True)


class AddAttachmentSchema(CommandSchema):
    command = mc.AddAttachment
    title = text(1000, required=True)
    kind = enum_field(terms.AttachmentKind, load_default=terms.AttachmentKind.ATTACHMENT)
    dnr = optional_text(50)
    document_number = optional_number()


class ListExtractRecipientsSchema(CommandSchema):
    command = mc.ListExtractRecipients
    recipients = fields.List(text(300), required=True, validate=validate.Length(max=100))


class ReportDelegatedDecisionsSchema(CommandSchema):
    command = mc.ReportDelegatedDecisions
    numbers = fields.List(number(), required=True, validate=validate.Length(min=1, max=500))


class PublishMeetingNoticeSchema(CommandSchema):
    command = mc.PublishMeetingNotice
    published_on = optional_date()
    place = optional_text(300)
    starts_at = clock()


class CloseMeetingSchema(CommandSchema):
    command = mc.CloseMeeting
    closed_at = clock()


class AdjustProtocolSchema(CommandSchema):
    command = mc.AdjustProtocol
    signed_by = names(required=True, validate=validate.Length(min=1, max=10))
    adjusted_on = optional_date()


class AdjustParagraphImmediatelySchema(AdjustProtocolSchema):
    command = mc.AdjustParagraphImmediately


class PostProtocolSchema(CommandSchema):
    command = mc.PostProtocol
    posted_on = optional_date()
    paragraph = optional_number()


class CertifyCorrectionSchema(CommandSchema):
    command = mc.CertifyCorrection
    paragraph = number(required=True)
    corrects = text(5000, required=True, metadata={"description": "What is corrected"})
    text = text(50000, required=True, metadata={"description": "The corrected wording"})
    certified_by = names(required=True, validate=validate.Length(min=1, max=10))
    certified_on = optional_date()


class SendExtractSchema(RecordExtractSentSchema):  # a recipient and the day it was sent
    command = mc.SendExtract


# -- input: in bulk ------------------------------------------------------------------------


class AgendaEntrySchema(PartSchema):
    part = mc.AgendaEntry
    kind = enum_field(terms.AgendaItemKind, required=True)
    title = text(1000, required=True)
    dnr = optional_text(50)


class AddAgendaItemsSchema(CommandSchema):
    command = mc.AddAgendaItems
    items = fields.List(
        fields.Nested(AgendaEntrySchema), required=True, validate=validate.Length(min=1, max=200)
    )
    added_on = optional_date()


class ExtractsOfParagraphSchema(PartSchema):
    part = mc.ExtractsOfParagraph
    paragraph = number(required=True)
    recipients = fields.List(
        text(300), required=True, validate=validate.Length(min=1, max=100)
    )
    sent_on = optional_date()


class SendExtractsSchema(CommandSchema):
    command = mc.SendExtracts
    extracts = fields.List(
        fields.Nested(ExtractsOfParagraphSchema), required=True,
        validate=validate.Length(min=1, max=500),
    )
