"""Marshmallow schemas: strict input (unknown fields refused) and documented output."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate

from diarium.domain.case import (
    decisions,
    documents,
    incoming_referrals,
    lifecycle,
    referrals,
    secrecy,
)
from diarium.domain.case.terms import (
    CASE_SECRET_FIELDS,
    DOCUMENT_SECRET_FIELDS,
    DecisionKind,
    Direction,
    SecrecyMarking,
)
from diarium.domain.migration import Migration
from diarium.web.text import refusal, spec_pattern

# Some character that is not white space, the same in Python and ECMA-262 (the OpenAPI
# document): their \s differ on U+001C-U+001F, U+0085 and U+FEFF, so those are named.
NON_BLANK = r"[\s\S]*[^\s\x1c-\x1f\x85\ufeff]"
LONG_TEXT = 2000  # a text allowed this long or longer is free text: tab and line breaks allowed


class Text(fields.String):
    """Every string of every schema: refuses what web/text.py refuses (control characters,
    lone surrogates, non-characters), tab and line breaks included."""

    long = False

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        loaded = super()._deserialize(value, attr, data, **kwargs)
        reason = refusal(loaded, long=self.long)
        if reason is not None:
            raise ValidationError(reason)
        return loaded


class LongText(Text):
    """A free text (description, decision text, reason, note): tab, LF and CR allowed."""

    long = True


def text(max_length: int = 500, **kwargs: Any) -> Text:
    """A non-blank string of bounded length (free text from :data:`LONG_TEXT` characters)."""
    long = max_length >= LONG_TEXT
    metadata = {**kwargs.pop("metadata", {}), "pattern": spec_pattern(long=long, non_blank=True)}
    return (LongText if long else Text)(
        validate=[validate.Length(min=1, max=max_length), validate.Regexp(NON_BLANK)],
        metadata=metadata,
        **kwargs,
    )


def optional_text(max_length: int = 500) -> Text:
    return text(max_length, load_default=None, allow_none=True)


def enum_field(kind: Any, **kwargs: Any) -> fields.Enum:
    """One of the values of the enumeration ``kind``, by value."""
    return fields.Enum(kind, by_value=True, **kwargs)


def optional_date() -> fields.Date:
    return fields.Date(load_default=None, allow_none=True)


MAX_NUMBER = 2**31 - 1  # the registers' INTEGER columns (a larger § would not project)


def optional_number() -> fields.Integer:
    return fields.Integer(
        strict=True, load_default=None, allow_none=True,
        validate=validate.Range(min=1, max=MAX_NUMBER),
    )


class CommandSchema(Schema):
    """The wire form of a command: the fields a JSON body gives (unknown ones are refused);
    the URL gives the rest (``dnr``, a number), and :meth:`command_of` joins them."""

    command: type = object

    class Meta:
        unknown = RAISE

    def command_of(self, body: Any, **path: Any) -> Any:
        """The command asked for: ``body`` loaded, with the URL's variables ``path``."""
        return self.command(**path, **self.load(body))


class PartSchema(Schema):
    """The wire form of a part of a command (a value such as a secrecy marking), loaded
    into its class; unknown fields are refused."""

    part: type = object

    class Meta:
        unknown = RAISE

    @post_load
    def make_part(self, data: dict[str, Any], **_: Any) -> Any:
        return self.part(**data)


class MigrationSchema(PartSchema):
    """Where a record taken over from an older system comes from; such a record carries
    its own dates (none defaults to today: 422 naming the date left out)."""

    part = Migration
    source = text(500, required=True, metadata={"example": "W3D3, Region Norrbotten"})


def migration(description: str) -> fields.Nested:
    """An optional migration block (``{"source": ...}``)."""
    return fields.Nested(
        MigrationSchema, load_default=None, allow_none=True,
        metadata={"description": description},
    )


class RegisterCaseSchema(CommandSchema):
    command = lifecycle.RegisterCase
    title = text(1000, required=True, metadata={"description": "Ärendemening"})
    responsible_body = text(200, required=True, metadata={"example": "RS"})
    series = text(50, load_default="default")
    registered_on = optional_date()
    public_title = optional_text(1000)
    unit = optional_text(200)
    officer = optional_text(200)
    classification = optional_text(100)
    origin = optional_text(200)
    dnr = optional_text(50)
    migrated = migration(
        "Taken over from an older system (so is a case with a dnr): registered_on is required"
    )
    secrecy = fields.Nested(  # absent: the command's default, no marking
        "RegistrationSecrecySchema",
        metadata={"description": "Mark the case secret in the same write (OSL 5:5)"},
    )


class RegisterDocumentSchema(CommandSchema):
    command = documents.RegisterDocument
    direction = enum_field(Direction, required=True)
    date = fields.Date(required=True, metadata={"description": "Received, sent or drawn up"})
    description = text(2000, required=True)
    counterpart = optional_text(300)


class AssignOfficerSchema(CommandSchema):
    command = lifecycle.AssignOfficer
    officer = text(200, required=True)
    assigned_on = optional_date()


class ClassifyCaseSchema(CommandSchema):
    command = lifecycle.ClassifyCase
    classification = text(100, required=True, metadata={"example": "2.3.1"})
    classified_on = optional_date()


class SendReferralSchema(CommandSchema):
    command = referrals.SendReferral
    recipients = fields.List(text(300), required=True, validate=validate.Length(min=1, max=200))
    answer_by = fields.Date(required=True)
    sent_on = optional_date()
    document_number = optional_number()


class RegisterReferralAnswerSchema(CommandSchema):
    command = referrals.RegisterReferralAnswer
    recipient = text(300, required=True)
    answered_on = optional_date()
    document_number = optional_number()


class ReceiveIncomingReferralSchema(CommandSchema):
    command = incoming_referrals.ReceiveIncomingReferral
    sender = text(300, required=True, metadata={"example": "Socialdepartementet"})
    answer_by = fields.Date(required=True, metadata={"description": "Last day to answer"})
    document_number = fields.Integer(
        strict=True, required=True, validate=validate.Range(min=1, max=MAX_NUMBER),
        metadata={"description": "The registered incoming letter (remiss)"},
    )
    received_on = fields.Date(
        load_default=None, allow_none=True,
        metadata={"description": "Day received; default: the letter's date"},
    )
    sender_reference = optional_text(100)


class ExtendIncomingReferralSchema(CommandSchema):
    command = incoming_referrals.ExtendIncomingReferral
    answer_by = fields.Date(required=True, metadata={"description": "The new last day to answer"})
    granted_on = optional_date()


class AnswerIncomingReferralSchema(CommandSchema):
    command = incoming_referrals.AnswerIncomingReferral
    document_number = fields.Integer(
        strict=True, required=True, validate=validate.Range(min=1, max=MAX_NUMBER),
        metadata={"description": "Our registered outgoing answer (yttrande)"},
    )
    answered_on = fields.Date(
        load_default=None, allow_none=True,
        metadata={"description": "Day the answer was sent; default: the answer's date"},
    )


class DeclineIncomingReferralSchema(CommandSchema):
    command = incoming_referrals.DeclineIncomingReferral
    reason = text(2000, required=True)
    declined_on = optional_date()
    document_number = optional_number()


class RecordProposalSchema(CommandSchema):
    command = decisions.RecordProposal
    points = fields.List(text(5000), required=True, validate=validate.Length(min=1, max=100))
    summary = text(20000, required=True)
    proposed_on = optional_date()
    justification = optional_text(20000)
    proposed_by = optional_text(200)


class RecordDecisionSchema(CommandSchema):
    command = decisions.RecordDecision
    kind = enum_field(DecisionKind, required=True)
    text = text(20000, required=True)
    decided_on = fields.Date(required=True)
    body = optional_text(200)
    paragraph = optional_number()
    higher_body = optional_text(200)
    delegate = optional_text(200)
    delegation_point = optional_text(50)
    historical = migration(
        "A body's decision migrated from an older system, not from a meeting in this one: "
        "its § is still unique per body and year"
    )


class RecordExtractSentSchema(CommandSchema):
    command = decisions.RecordExtractSent
    recipient = text(300, required=True)
    sent_on = optional_date()


class CloseCaseSchema(CommandSchema):
    command = lifecycle.CloseCase
    closed_on = optional_date()
    reason = optional_text(2000)


class ReopenCaseSchema(CommandSchema):
    command = lifecycle.ReopenCase
    reason = text(2000, required=True)
    reopened_on = optional_date()


class CancelCaseSchema(CommandSchema):
    command = lifecycle.CancelCase
    reason = text(2000, required=True)
    cancelled_on = optional_date()


# -- output --------------------------------------------------------------------------


class FileVersionSchema(Schema):
    """One version of a document's file (its name and hash are withheld where the document's
    content is secret)."""

    version = fields.Integer()
    sha256 = Text(allow_none=True, metadata={"description": "SHA-256 of the bytes, hex"})
    size = fields.Integer(metadata={"description": "bytes"})
    media_type = Text(metadata={"description": "detected from the content"})
    claimed_media_type = Text(allow_none=True, metadata={"description": "as the uploader said"})
    file_name = Text(allow_none=True)
    pdfa = Text(allow_none=True, metadata={"description": "PDF/A conformance claimed, e.g. 2b"})
    attached_on = fields.Date()
    attached_by = Text()
    text_status = Text(allow_none=True, metadata={"description": (
        "In the listing of a document's files only: how the reading of its text for the "
        "diary's search went: indexed, pending (not read yet), unsupported (a type without "
        "text), timeout, too-large (memory), or 'failed: <why>'; null where the hash is "
        "withheld")})


class DocumentSchema(Schema):
    number = fields.Integer()
    direction = Text()
    date = fields.Date()
    counterpart = Text(allow_none=True)
    description = Text()
    secrecy = fields.Nested("SecrecySchema", allow_none=True)
    files = fields.List(fields.Nested(FileVersionSchema))


class PublicDocumentSchema(DocumentSchema):
    """A document as the public e-diary shows it (secret fields already withheld; its files
    are handed out on request, after a secrecy review, not through the register)."""

    class Meta:
        exclude = ("files",)


class AnswerSchema(Schema):
    recipient = Text()
    answered_on = fields.Date()


class ReferralSchema(Schema):
    number = fields.Integer()
    recipients = fields.List(Text())
    sent_on = fields.Date()
    answer_by = fields.Date()
    document_number = fields.Integer(allow_none=True)
    answers = fields.Method("dump_answers", metadata={"type": "array"})
    outstanding = fields.List(Text())

    def dump_answers(self, referral: Any) -> list[dict[str, str]]:
        return [
            {"recipient": who, "answered_on": day.isoformat()}
            for who, day in referral.answers.items()
        ]


class IncomingReferralSchema(Schema):
    number = fields.Integer()
    sender = Text(allow_none=True)
    sender_reference = Text(allow_none=True)
    received_on = fields.Date()
    answer_by = fields.Date()
    document_number = fields.Integer()
    status = Text(metadata={"description": "outstanding | answered | declined"})
    answered_on = fields.Date(allow_none=True)
    answer_document_number = fields.Integer(allow_none=True)
    declined_on = fields.Date(allow_none=True)
    decline_reason = Text(allow_none=True)
    decline_document_number = fields.Integer(allow_none=True)
    extensions = fields.Method("dump_extensions", metadata={"type": "array"})

    def dump_extensions(self, referral: Any) -> list[dict[str, str]]:
        return [
            {"granted_on": granted.isoformat(), "answer_by": due.isoformat()}
            for granted, due in referral.extensions
        ]


class ProposalSchema(Schema):
    number = fields.Integer()
    points = fields.List(Text())
    summary = Text()
    justification = Text(allow_none=True)
    proposed_by = Text(allow_none=True)
    proposed_on = fields.Date()


class PublicDecisionSchema(Schema):
    """A decision as the public e-diary shows it (web/routes/public.py)."""

    number = fields.Integer()
    kind = Text()
    text = Text()
    decided_on = fields.Date()
    body = Text(allow_none=True)
    paragraph = fields.Integer(allow_none=True)
    delegate = Text(allow_none=True, metadata={"description": "who decided under delegation"})
    delegation_point = Text(allow_none=True)


class DecisionSchema(PublicDecisionSchema):
    higher_body = Text(allow_none=True)
    historical_source = Text(allow_none=True)
    extracts = fields.Method("dump_extracts", metadata={"type": "array"})

    def dump_extracts(self, decision: Any) -> list[dict[str, str]]:
        return [
            {"recipient": who, "sent_on": day.isoformat()} for who, day in decision.extracts.items()
        ]


class PublicCaseSchema(Schema):
    """A case as the public e-diary shows it (web/routes/public.py; documentation of the
    answer's shape): its register entry, secret fields withheld."""

    dnr = Text()
    title = Text(metadata={"description": "The public title where the title is secret"})
    public_title = Text(allow_none=True)
    status = Text()
    responsible_body = Text()
    unit = Text(allow_none=True)
    officer = Text(allow_none=True)
    classification = Text(allow_none=True)
    origin = Text(allow_none=True)
    registered_on = fields.Date()
    closed_on = fields.Date(allow_none=True)
    cancelled_on = fields.Date(allow_none=True)
    secrecy = fields.Nested("SecrecySchema", allow_none=True)
    documents = fields.List(fields.Nested(PublicDocumentSchema))
    decisions = fields.List(fields.Nested(PublicDecisionSchema))
    withheld = fields.List(Text())


class CaseSchema(PublicCaseSchema):
    """A case: its register entry and all it holds."""

    series = Text()
    year = fields.Integer()
    sequence = fields.Integer()
    title = Text()
    migrated = fields.Boolean()
    migrated_source = Text(allow_none=True)
    registered_by = Text()
    version = fields.Integer()
    recorded_at = fields.DateTime(attribute="created_on")
    last_recorded_at = fields.DateTime(attribute="modified_on")
    documents = fields.List(fields.Nested(DocumentSchema))
    referrals = fields.List(fields.Nested(ReferralSchema))
    incoming_referrals = fields.List(
        fields.Nested(IncomingReferralSchema),
        metadata={"description": "Referrals sent to us, which we must answer by a date"},
    )
    proposals = fields.List(fields.Nested(ProposalSchema))
    decisions = fields.List(fields.Nested(DecisionSchema))
    withheld = fields.List(
        Text(),
        metadata={"description": "Secret fields withheld from this reader (OSL 5:2)"},
    )


class WrittenSchema(Schema):
    dnr = Text(metadata={"example": "1310-2020"})
    version = fields.Integer(metadata={"description": "The case's version after the write"})
    position = fields.Integer(
        allow_none=True, metadata={"description": "Position of the write in the event log"}
    )
    case = fields.Nested(CaseSchema)


class EventSchema(Schema):
    version = fields.Integer(metadata={"description": "Position in the case's own history"})
    type = Text(metadata={"example": "DecisionRecorded"})
    label = Text(allow_none=True, metadata={
        "description": "How the event shows in the history (Swedish)",
        "example": "Beslut registrerat"})
    occurred_on = fields.Date(metadata={"description": "The business date the event concerns"})
    recorded_at = fields.DateTime()
    actor = Text()
    request_id = Text(allow_none=True)
    data = fields.Dict(metadata={"description": "The event's own fields"})


class RuleSchema(Schema):
    code = Text()
    text = Text()
    source = Text(
        allow_none=True,
        metadata={"description": "The law (e.g. KL 4:27) or practice the rule comes from."},
    )
    text_sv = Text(
        allow_none=True,
        metadata={"description": "The rule in Swedish, as the staff's pages show it."},
    )


_BASE_EVENT_FIELDS = {
    "originator_id", "originator_version", "timestamp", "originator_topic",
    "actor", "request_id", "occurred_on",
}


def event_view(event: Any) -> dict[str, Any]:
    """An event as the history shows it: its common fields, its label (declared on its class,
    domain/events/) and its own data."""
    return {
        "version": event.originator_version,
        "type": type(event).__name__,
        "label": getattr(event, "label", None),
        "occurred_on": event.occurred_on,
        "recorded_at": event.timestamp,
        "actor": event.actor,
        "request_id": event.request_id,
        "data": {
            name: value.isoformat() if hasattr(value, "isoformat") else value
            for name, value in vars(event).items()
            if name not in _BASE_EVENT_FIELDS
        },
    }


# -- secrecy (issue #6) ---------------------------------------------------------------------


class SecrecySchema(Schema):
    """A secrecy marking (OSL 5:5): statute paragraph, date, marking body, fields withheld."""

    statute = Text(metadata={"example": "OSL 25:1"})
    marked_on = fields.Date()
    marking_body = Text(metadata={"example": "HSN"})
    fields_ = fields.List(Text(), data_key="fields", attribute="fields")


class MarkSecretSchema(CommandSchema):
    """Mark the case secret; ``fields`` default to all that can be withheld."""

    command = secrecy.MarkSecret
    statute = text(100, required=True, metadata={"example": "OSL 25:1"})
    marking_body = text(200, required=True, metadata={"example": "HSN"})
    marked_on = optional_date()
    fields_ = fields.List(
        Text(validate=validate.OneOf(CASE_SECRET_FIELDS + DOCUMENT_SECRET_FIELDS)),
        data_key="fields",
        attribute="fields",
        load_default=None,
        validate=validate.Length(min=1, max=10),
        metadata={"description": "case: title, origin, documents, proposals, decisions; "
                  "document: counterpart, description"},
    )


class RegistrationSecrecySchema(MarkSecretSchema, PartSchema):
    """A secrecy marking made with the registration; the marking body defaults to the
    responsible body, the date to the registration's."""

    part = SecrecyMarking
    marking_body = optional_text(200)


class MarkDocumentSecretSchema(MarkSecretSchema):
    """Mark a document secret; ``fields`` default to counterpart and description."""

    command = secrecy.MarkDocumentSecret


class LiftSecrecySchema(CommandSchema):
    command = secrecy.LiftSecrecy
    lifted_on = optional_date()


class LiftDocumentSecrecySchema(LiftSecrecySchema):
    command = secrecy.LiftDocumentSecrecy
