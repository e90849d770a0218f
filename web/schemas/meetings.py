"""Schemas for bodies, meetings and delegation: strict input, documented output.

Output is dumped from *views* (plain dicts) so that dates computed from today (legal force)
and from the meeting (a paragraph's adjustment and posting) appear next to recorded facts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import Schema, fields, validate

from diarium.domain import meeting_commands as mc
from diarium.domain.body import Body, DelegatedDecision
from diarium.domain.case.terms import DecisionKind
from diarium.domain.meeting import Meeting, Paragraph
from diarium.domain.meeting_terms import (
    BODY_CODE,
    AgendaItemKind,
    AttachmentKind,
    BodyKind,
    Capacity,
    Matter,
    MemberRole,
    Position,
    Vote,
    appeal_period_end,
    legal_force_from,
)
from diarium.web.schemas.cases import (
    CommandSchema,
    PartSchema,
    Text,
    optional_date,
    optional_number,
    optional_text,
    text,
)

NAME = 200


def body_code(**kwargs: Any) -> Text:
    return Text(
        validate=[validate.Length(min=1, max=30), validate.Regexp(BODY_CODE.pattern + r"\Z")],
        metadata={"example": "RS"},
        **kwargs,
    )


def names(**kwargs: Any) -> fields.List:
    kwargs.setdefault("validate", validate.Length(max=200))
    return fields.List(text(NAME), **kwargs)


def number(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=100000), **kwargs)


# -- input: bodies ---------------------------------------------------------------------


class EstablishBodySchema(CommandSchema):
    command = mc.EstablishBody
    code = body_code(required=True)
    name = text(300, required=True, metadata={"example": "Regionstyrelsen"})
    kind = fields.Enum(BodyKind, by_value=True, required=True)
    parent = body_code(load_default=None, allow_none=True)
    established_on = optional_date()


class AppointMemberSchema(CommandSchema):
    command = mc.AppointMember
    name = text(NAME, required=True, metadata={"example": "Glenn Berggård"})
    role = fields.Enum(MemberRole, by_value=True, required=True)
    period_from = fields.Date(required=True)
    party = optional_text(50)
    position = fields.Enum(Position, by_value=True, load_default=None, allow_none=True)
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


class AddDelegationPointSchema(CommandSchema):
    command = mc.AddDelegationPoint
    number = text(30, required=True, metadata={"example": "2.3.8"})
    case_type = text(2000, required=True, metadata={"description": "Ärendetyp"})
    delegate = text(NAME, required=True, metadata={"example": "Utskottet för Nära vård"})
    conditions = optional_text(5000)
    matter = fields.Enum(Matter, by_value=True, load_default=Matter.ORDINARY)
    decided_on = optional_date()
    decision_reference = optional_text(200)


class ReviseDelegationPointSchema(CommandSchema):
    command = mc.ReviseDelegationPoint
    case_type = text(2000, required=True)
    delegate = text(NAME, required=True)
    conditions = optional_text(5000)
    matter = fields.Enum(Matter, by_value=True, load_default=Matter.ORDINARY)
    decided_on = optional_date()
    decision_reference = optional_text(200)


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
    matter = fields.Enum(Matter, by_value=True, load_default=Matter.ORDINARY)


# -- input: meetings -------------------------------------------------------------------


class ScheduleMeetingSchema(CommandSchema):
    command = mc.ScheduleMeeting
    body = body_code(required=True)
    date = fields.Date(
        required=True, validate=validate.Range(min=date(1900, 1, 1), max=date(2999, 12, 31))
    )
    session = fields.Integer(strict=True, load_default=1, validate=validate.Range(min=1, max=9))
    place = optional_text(300)
    starts_at = Text(
        load_default=None, allow_none=True, validate=validate.Regexp(r"\A\d{2}[:.]\d{2}\Z"),
        metadata={"example": "09.00"},
    )
    scheduled_on = optional_date()


class AddAgendaItemSchema(CommandSchema):
    command = mc.AddAgendaItem
    kind = fields.Enum(AgendaItemKind, by_value=True, required=True)
    title = text(1000, required=True)
    dnr = optional_text(50)
    added_on = optional_date()


class WithdrawAgendaItemSchema(CommandSchema):
    command = mc.WithdrawAgendaItem
    reason = optional_text(2000)


class AttendeeEntrySchema(PartSchema):
    part = mc.AttendeeEntry
    name = text(NAME, required=True)
    capacity = fields.Enum(Capacity, by_value=True, required=True)
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
        keys=text(NAME), values=fields.Enum(Vote, by_value=True), load_default=None,
        allow_none=True, validate=validate.Length(min=1, max=300),
        metadata={"description": "For a vote: member → ja (first motion) | nej | avstår"},
    )


class DecideParagraphSchema(CommandSchema):
    command = mc.DecideParagraph
    kind = fields.Enum(DecisionKind, by_value=True, required=True)
    text = text(20000, required=True)
    higher_body = body_code(load_default=None, allow_none=True)


class EnterReservationSchema(CommandSchema):
    command = mc.EnterReservation
    member = text(NAME, required=True)
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
    authors = text(500, required=True, metadata={"example": "Anders Öberg (S)"})
    text = text(50000, required=True)


class AddAttachmentSchema(CommandSchema):
    command = mc.AddAttachment
    title = text(1000, required=True)
    kind = fields.Enum(AttachmentKind, by_value=True, load_default=AttachmentKind.ATTACHMENT)
    dnr = optional_text(50)
    document_number = optional_number()


class ListExtractRecipientsSchema(CommandSchema):
    command = mc.ListExtractRecipients
    recipients = fields.List(text(300), required=True, validate=validate.Length(max=100))


class ReportDelegatedDecisionsSchema(CommandSchema):
    command = mc.ReportDelegatedDecisions
    numbers = fields.List(number(), required=True, validate=validate.Length(min=1, max=500))


class CloseMeetingSchema(CommandSchema):
    command = mc.CloseMeeting
    closed_at = Text(
        load_default=None, allow_none=True, validate=validate.Regexp(r"\A\d{2}[:.]\d{2}\Z")
    )


class AdjustProtocolSchema(CommandSchema):
    command = mc.AdjustProtocol
    signed_by = names(required=True, validate=validate.Length(min=1, max=10))
    adjusted_on = optional_date()


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


class SendExtractSchema(CommandSchema):
    command = mc.SendExtract
    recipient = text(300, required=True)
    sent_on = optional_date()


# -- output ----------------------------------------------------------------------------


class MembershipSchema(Schema):
    name = Text()
    party = Text(allow_none=True)
    role = Text()
    position = Text(allow_none=True)
    period_from = fields.Date()
    period_to = fields.Date(allow_none=True)
    ended_on = fields.Date(allow_none=True)
    active = fields.Boolean()


class PointVersionSchema(Schema):
    valid_from = fields.Date()
    case_type = Text()
    delegate = Text()
    conditions = Text(allow_none=True)
    decision_reference = Text(allow_none=True)


class DelegationPointSchema(Schema):
    number = Text()
    case_type = Text()
    delegate = Text()
    conditions = Text(allow_none=True)
    valid_from = fields.Date()
    revoked_on = fields.Date(allow_none=True)
    revocation_reason = Text(allow_none=True)
    history = fields.List(fields.Nested(PointVersionSchema))


class DelegatedDecisionSchema(Schema):
    number = fields.Integer()
    point = Text()
    delegate = Text()
    text = Text()
    dnr = Text(allow_none=True)
    decided_on = fields.Date()
    case_decision_number = fields.Integer(allow_none=True)
    reported_at = Text(allow_none=True, metadata={"description": "Meeting ref"})
    reported_paragraph = fields.Integer(allow_none=True)


class BodySchema(Schema):
    code = Text()
    name = Text()
    kind = Text()
    parent = Text(allow_none=True)
    established_on = fields.Date()
    version = fields.Integer()
    members = fields.List(fields.Nested(MembershipSchema))
    delegation_order = fields.List(fields.Nested(DelegationPointSchema))
    delegated_decisions = fields.List(fields.Nested(DelegatedDecisionSchema))


class BodyWrittenSchema(Schema):
    code = Text()
    version = fields.Integer()
    position = fields.Integer(allow_none=True)
    delegated_decision = fields.Integer(allow_none=True)
    body = fields.Nested(BodySchema)


class AgendaItemSchema(Schema):
    number = fields.Integer()
    kind = Text()
    title = Text()
    dnr = Text(allow_none=True)
    withdrawn = fields.Boolean()
    withdrawal_reason = Text(allow_none=True)


class AttendeeSchema(Schema):
    name = Text()
    capacity = Text()
    party = Text(allow_none=True)
    replacing = Text(allow_none=True)
    from_paragraph = fields.Integer(allow_none=True)
    to_paragraph = fields.Integer(allow_none=True)
    title = Text(allow_none=True)


class MotionSchema(Schema):
    number = fields.Integer()
    mover = Text(allow_none=True, metadata={"description": "null: standing proposal"})
    text = Text()
    supporters = fields.List(Text())


class StepSchema(Schema):
    number = fields.Integer()
    description = Text(allow_none=True)
    proposals = fields.List(fields.Integer())
    outcome = fields.Integer(allow_none=True)
    votes = fields.Dict(keys=Text(), values=Text(), allow_none=True)
    tally = fields.Dict(keys=Text(), values=fields.Integer(), allow_none=True)
    casting_vote = fields.Boolean()


class ParagraphDecisionSchema(Schema):
    kind = Text()
    text = Text()
    higher_body = Text(allow_none=True)
    case_decision_number = fields.Integer(allow_none=True)


class ReservationSchema(Schema):
    member = Text()
    reason = Text(allow_none=True)
    reason_given_on = fields.Date(allow_none=True)


class ConflictSchema(Schema):
    member = Text()
    note = Text(allow_none=True)


class NoteSchema(Schema):
    number = fields.Integer()
    authors = Text()
    text = Text()


class AttachmentSchema(Schema):
    number = fields.Integer()
    title = Text()
    kind = Text()
    dnr = Text(allow_none=True)
    document_number = fields.Integer(allow_none=True)


class CorrectionSchema(Schema):
    number = fields.Integer()
    paragraph = fields.Integer()
    corrects = Text()
    text = Text()
    certified_by = fields.List(Text())
    certified_on = fields.Date()


class ExtractSchema(Schema):
    recipient = Text()
    sent_on = fields.Date(allow_none=True)


class ReportedDecisionSchema(Schema):
    number = fields.Integer()
    point = Text()
    delegate = Text()
    text = Text()
    dnr = Text(allow_none=True)
    decided_on = Text()


class ParagraphSchema(Schema):
    number = fields.Integer()
    title = Text()
    dnr = Text(allow_none=True)
    agenda_item = fields.Integer(allow_none=True)
    sections = fields.List(fields.Dict(keys=Text(), values=Text()))
    motions = fields.List(fields.Nested(MotionSchema))
    procedure = fields.List(fields.Nested(StepSchema))
    decision = fields.Nested(ParagraphDecisionSchema, allow_none=True)
    reservations = fields.List(fields.Nested(ReservationSchema))
    conflicts_of_interest = fields.List(fields.Nested(ConflictSchema))
    notes = fields.List(fields.Nested(NoteSchema))
    attachments = fields.List(fields.Nested(AttachmentSchema))
    delegated_decisions = fields.List(fields.Nested(ReportedDecisionSchema))
    extracts = fields.List(fields.Nested(ExtractSchema))
    corrections = fields.List(fields.Nested(CorrectionSchema))
    adjusted_immediately = fields.Boolean()
    adjusted_on = fields.Date(allow_none=True)
    posted_on = fields.Date(allow_none=True)
    appeal_period_ends = fields.Date(allow_none=True)
    legal_force_from = fields.Date(allow_none=True)
    has_legal_force = fields.Boolean()


class UnsentExtractSchema(Schema):
    paragraph = fields.Integer()
    recipient = Text()
    dnr = Text(allow_none=True)


class MeetingSchema(Schema):
    ref = Text(metadata={"example": "RS-2020-10-14"})
    body = Text()
    date = fields.Date()
    session = fields.Integer()
    place = Text(allow_none=True)
    starts_at = Text(allow_none=True)
    status = Text(metadata={"description": "scheduled | closed | adjusted | posted"})
    scheduled_on = fields.Date()
    version = fields.Integer()
    agenda = fields.List(fields.Nested(AgendaItemSchema))
    chair = Text(allow_none=True)
    secretary = Text(allow_none=True)
    attendees = fields.List(fields.Nested(AttendeeSchema))
    adjusters = fields.List(Text())
    adjustment_place = Text(allow_none=True)
    planned_adjustment_date = fields.Date(allow_none=True)
    closed = fields.Boolean()
    closed_at = Text(allow_none=True)
    adjustment_deadline = fields.Date(metadata={"description": "Meeting date + 14 days"})
    adjusted_on = fields.Date(allow_none=True)
    adjusted_late = fields.Boolean()
    signed_by = fields.List(Text())
    posting_deadline = fields.Date(allow_none=True)
    posted_on = fields.Date(allow_none=True)
    posted_late = fields.Boolean()
    appeal_period_ends = fields.Date(allow_none=True)
    legal_force_from = fields.Date(allow_none=True)
    has_legal_force = fields.Boolean()
    paragraphs = fields.List(fields.Nested(ParagraphSchema))
    corrections = fields.List(fields.Nested(CorrectionSchema))
    unsent_extracts = fields.List(fields.Nested(UnsentExtractSchema))


class MeetingWrittenSchema(Schema):
    ref = Text()
    version = fields.Integer()
    position = fields.Integer(allow_none=True)
    paragraph = fields.Integer(allow_none=True, metadata={"description": "The § just opened"})
    meeting = fields.Nested(MeetingSchema)


# -- views -----------------------------------------------------------------------------


def body_view(body: Body, today: date) -> dict[str, Any]:
    return {
        "code": body.code,
        "name": body.name,
        "kind": body.kind,
        "parent": body.parent,
        "established_on": body.established_on,
        "version": body.version,
        "members": [dict(vars(m), active=m.active_on(today)) for m in body.members],
        "delegation_order": [
            {
                "number": p.number,
                "case_type": p.current.case_type,
                "delegate": p.current.delegate,
                "conditions": p.current.conditions,
                "valid_from": p.current.valid_from,
                "revoked_on": p.revoked_on,
                "revocation_reason": p.revocation_reason,
                "history": [vars(v) for v in p.versions],
            }
            for p in body.delegation.values()
        ],
        "delegated_decisions": [delegated_view(d) for d in body.delegated_decisions],
    }


def delegated_view(decision: DelegatedDecision) -> dict[str, Any]:
    return dict(vars(decision))


def paragraph_view(meeting: Meeting, p: Paragraph, today: date) -> dict[str, Any]:
    posted_on = meeting.paragraph_posted_on(p)
    force = legal_force_from(posted_on) if posted_on else None
    return {
        "number": p.number,
        "title": p.title,
        "dnr": p.dnr,
        "agenda_item": p.agenda_item,
        "sections": p.sections,
        "motions": [vars(m) for m in p.motions],
        "procedure": [dict(vars(s), tally=s.tally) for s in p.procedure],
        "decision": vars(p.decision) if p.decision else None,
        "reservations": [vars(r) for r in p.reservations],
        "conflicts_of_interest": [vars(c) for c in p.conflicts],
        "notes": [vars(n) for n in p.notes],
        "attachments": [vars(a) for a in p.attachments],
        "delegated_decisions": p.delegated_decisions,
        "extracts": [
            {"recipient": r, "sent_on": p.extracts.get(r)} for r in p.extract_recipients
        ],
        "corrections": [vars(c) for c in p.corrections],
        "adjusted_immediately": p.immediately_adjusted_on is not None,
        "adjusted_on": meeting.paragraph_adjusted_on(p),
        "posted_on": posted_on,
        "appeal_period_ends": appeal_period_end(posted_on) if posted_on else None,
        "legal_force_from": force,
        "has_legal_force": force is not None and today >= force,
    }


def meeting_view(meeting: Meeting, today: date) -> dict[str, Any]:
    force = meeting.legal_force_from
    return {
        "ref": meeting.ref,
        "body": meeting.body,
        "date": meeting.meeting_date,
        "session": meeting.session,
        "place": meeting.place,
        "starts_at": meeting.starts_at,
        "status": meeting.status,
        "scheduled_on": meeting.scheduled_on,
        "version": meeting.version,
        "agenda": [vars(i) for i in meeting.agenda],
        "chair": meeting.chair,
        "secretary": meeting.secretary,
        "attendees": [vars(a) for a in meeting.attendees],
        "adjusters": meeting.adjusters,
        "adjustment_place": meeting.adjustment_place,
        "planned_adjustment_date": meeting.planned_adjustment_date,
        "closed": meeting.closed,
        "closed_at": meeting.closed_at,
        "adjustment_deadline": meeting.adjustment_deadline,
        "adjusted_on": meeting.adjusted_on,
        "adjusted_late": meeting.adjusted_late,
        "signed_by": meeting.signed_by,
        "posting_deadline": meeting.posting_deadline,
        "posted_on": meeting.posted_on,
        "posted_late": meeting.posted_late,
        "appeal_period_ends": meeting.appeal_period_ends,
        "legal_force_from": force,
        "has_legal_force": force is not None and today >= force,
        "paragraphs": [paragraph_view(meeting, p, today) for p in meeting.paragraphs],
        "corrections": [vars(c) for c in meeting.corrections],
        "unsent_extracts": meeting.unsent_extracts,
    }
