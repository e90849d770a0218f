"""Output schemas for bodies, meetings and delegation, and the views they are dumped from
(input: web/schemas/meeting_commands.py).

Output is dumped from *views* (plain dicts) so that dates computed from today (legal force)
and from the meeting (a paragraph's adjustment and posting) appear next to recorded facts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import Schema, fields

from diarium.domain.body.aggregate import Body, DelegatedDecision
from diarium.domain.meeting.aggregate import Meeting
from diarium.domain.meeting.state import Paragraph
from diarium.domain.meeting.terms import (
    NOT_APPEALABLE,
    appeal_period_end,
    appealable,
    legal_force_from,
)
from diarium.web.schemas.cases import Text

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


class PointTermsSchema(Schema):
    """A delegation point's terms from ``valid_from``: its current ones, or earlier ones."""

    valid_from = fields.Date()
    case_type = Text()
    delegate = Text()
    conditions = Text(allow_none=True)


class PointVersionSchema(PointTermsSchema):
    decision_reference = Text(allow_none=True)


class DelegationPointSchema(PointTermsSchema):
    number = Text()
    revoked_on = fields.Date(allow_none=True)
    revocation_reason = Text(allow_none=True)
    history = fields.List(fields.Nested(PointVersionSchema))


class DelegatedDecisionFactsSchema(Schema):
    """What a delegate decided under a point, as recorded and as reported to the body."""

    number = fields.Integer()
    point = Text()
    delegate = Text()
    text = Text()
    dnr = Text(allow_none=True)


class DelegatedDecisionSchema(DelegatedDecisionFactsSchema):
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
    migrated_source = Text(allow_none=True, metadata={"description": "Taken over from"})
    version = fields.Integer()
    members = fields.List(fields.Nested(MembershipSchema))
    delegation_order = fields.List(fields.Nested(DelegationPointSchema))
    delegated_decisions = fields.List(fields.Nested(DelegatedDecisionSchema))


class CommandWrittenSchema(Schema):
    """What a command on a body or a meeting answers besides the body or meeting after it:
    the version it wrote and where in the event log."""

    version = fields.Integer()
    position = fields.Integer(allow_none=True)


class BodyWrittenSchema(CommandWrittenSchema):
    code = Text()
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


class ReportedDecisionSchema(DelegatedDecisionFactsSchema):
    decided_on = Text()


class LegalForceSchema(Schema):
    """When a paragraph or a protocol was adjusted and posted, and so when its appeal period
    ends and it has legal force (laga kraft)."""

    adjusted_on = fields.Date(allow_none=True)
    posted_on = fields.Date(allow_none=True)
    appeal_period_ends = fields.Date(allow_none=True)
    legal_force_from = fields.Date(allow_none=True)
    has_legal_force = fields.Boolean(allow_none=True, metadata={
        "description": "Null for a decision that cannot be appealed (see appealable)"
    })


class ParagraphSchema(LegalForceSchema):
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
    appealable = fields.Boolean(metadata={
        "description": "False for a preparatory decision (a proposal to a higher body), "
                       "which cannot be appealed (KL 13:2): it has no appeal period and no "
                       "legal force (appeal_period_ends, legal_force_from, has_legal_force "
                       "null)"
    })
    not_appealable_reason = Text(allow_none=True)


class ExtractRowSchema(Schema):
    """An extract of a paragraph to one listed recipient, sent or not."""

    paragraph = fields.Integer()
    dnr = Text(allow_none=True)
    recipient = Text()
    sent_on = fields.Date(allow_none=True)


class UnsentExtractSchema(Schema):
    paragraph = fields.Integer()
    recipient = Text()
    dnr = Text(allow_none=True)


class MeetingSchema(LegalForceSchema):
    ref = Text(metadata={"example": "RS-2020-10-14"})
    body = Text()
    date = fields.Date()
    session = fields.Integer()
    place = Text(allow_none=True)
    starts_at = Text(allow_none=True)
    status = Text(metadata={"description": "scheduled | closed | adjusted | posted"})
    scheduled_on = fields.Date()
    migrated_source = Text(allow_none=True, metadata={"description": "Taken over from"})
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
    adjustment_deadline = fields.Date(metadata={
        "description": "Meeting date + 14 days (KL 5:69), run on past a Saturday, Sunday, "
                       "public holiday or midsummer/Christmas/New Year's eve (lag 1930:173)"
    })
    adjusted_late = fields.Boolean()
    signed_by = fields.List(Text())
    posting_deadline = fields.Date(allow_none=True, metadata={
        "description": "Adjustment + 2 days (KL 8:12), run on as adjustment_deadline"
    })
    posted_late = fields.Boolean()
    paragraphs = fields.List(fields.Nested(ParagraphSchema))
    corrections = fields.List(fields.Nested(CorrectionSchema))
    unsent_extracts = fields.List(fields.Nested(UnsentExtractSchema))


class MeetingWrittenSchema(CommandWrittenSchema):
    ref = Text()
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
        "migrated_source": body.migrated_source,
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


def legal_force_view(
    adjusted_on: date | None, posted_on: date | None, today: date, appeals: bool = True
) -> dict[str, Any]:
    """The fields of ``LegalForceSchema``: from the posting follow the appeal period and the
    legal force; a decision that cannot be appealed (``appeals`` false) has neither."""
    force = legal_force_from(posted_on) if posted_on and appeals else None
    return {
        "adjusted_on": adjusted_on,
        "posted_on": posted_on,
        "appeal_period_ends": appeal_period_end(posted_on) if posted_on and appeals else None,
        "legal_force_from": force,
        "has_legal_force": (force is not None and today >= force) if appeals else None,
    }


def paragraph_view(meeting: Meeting, p: Paragraph, today: date) -> dict[str, Any]:
    appeals = appealable(p.decision.kind if p.decision else None)
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
        "appealable": appeals,
        "not_appealable_reason": None if appeals or p.decision is None else NOT_APPEALABLE.format(
            higher_body=p.decision.higher_body
        ),
        **legal_force_view(
            meeting.paragraph_adjusted_on(p), meeting.paragraph_posted_on(p), today, appeals
        ),
    }


def meeting_view(meeting: Meeting, today: date) -> dict[str, Any]:
    return {
        "ref": meeting.ref,
        "body": meeting.body,
        "date": meeting.meeting_date,
        "session": meeting.session,
        "place": meeting.place,
        "starts_at": meeting.starts_at,
        "status": meeting.status,
        "scheduled_on": meeting.scheduled_on,
        "migrated_source": meeting.migrated_source,
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
        "adjusted_late": meeting.adjusted_late,
        "signed_by": meeting.signed_by,
        "posting_deadline": meeting.posting_deadline,
        "posted_late": meeting.posted_late,
        **legal_force_view(meeting.adjusted_on, meeting.posted_on, today),
        "paragraphs": [paragraph_view(meeting, p, today) for p in meeting.paragraphs],
        "corrections": [vars(c) for c in meeting.corrections],
        "unsent_extracts": meeting.unsent_extracts,
    }
