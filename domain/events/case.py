"""Events of a case (ärende). Field names are the integration contract: never rename one;
add a ``class_version`` and an ``upcast_vN_vN+1`` instead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from diarium.domain.events.base import (
    SAFE,
    Covered,
    DiariumCreated,
    DiariumEvent,
    Public,
    events_of,
)


class CaseRegistered(DiariumCreated):
    """A case was registered and given its diarienummer (dnr)."""

    label = "Ärende registrerat"
    secrecy = Covered("case")
    public = Public("case.registered", "A case was registered and got its dnr.", {
        "title": "string: ärendemening",
        "public_title": "string|null: title to show where the title is secret",
        "responsible_body": "string: body responsible, e.g. RS",
        "unit": "string|null: responsible unit",
        "officer": "string|null: case officer (handläggare)",
        "classification": "string|null: classification code",
        "origin": "string|null: where the case came from",
        "series": "string: dnr series",
        "year": "integer: year of the dnr",
        "sequence": "integer: sequence number of the dnr",
        "migrated": "boolean: true when the dnr was taken over from an older system",
        "migrated_source": "string|null: the older system or register it was taken from",
    })

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
    migrated_source: str | None = None  # added later: older events have none


class DocumentRegistered(DiariumEvent):
    """A document (handling) was registered to the case; ``occurred_on`` is the date
    it was received, sent or drawn up, ``registered_on`` the day it was registered in the
    diary (``None`` in events stored before it was kept: the day of their ``timestamp``)."""

    label = "Handling registrerad"
    secrecy = Covered("document")
    public = Public(
        "case.document_registered", "A document (handling) was registered to the case.", {
            "number": "integer: running number within the case",
            "direction": "string: incoming | outgoing | drawn_up",
            "counterpart": "string|null: sender (incoming) or recipient (outgoing)",
            "description": "string: what the document concerns",
            "registered_on": "date|null: the day it was registered in the diary (null in "
                             "events stored before this was kept)",
        })

    number: int
    direction: str  # incoming | outgoing | drawn_up
    counterpart: str | None  # sender (incoming) or recipient (outgoing)
    description: str
    registered_on: date | None = None


class CaseOfficerAssigned(DiariumEvent):
    """The case officer (handläggare) was assigned or reassigned."""

    label = "Handläggare utsedd"
    secrecy = SAFE
    sets = ("officer",)
    public = Public("case.officer_assigned", "The case officer was assigned or reassigned.", {
        "officer": "string: the new case officer",
        "previous_officer": "string|null: the one before",
    })

    officer: str
    previous_officer: str | None


class CaseClassified(DiariumEvent):
    """The case was classified anew: filed under another code of the body's classification
    structure (klassificeringsstruktur, the basis of its records management plan)."""

    label = "Ärende omklassificerat"
    secrecy = SAFE  # the code says what kind of matter it is, never what a document says
    sets = ("classification",)
    public = Public("case.classified", "The case was filed under another classification code.", {
        "classification": "string: the new classification code",
        "previous_classification": "string|null: the one before",
    })

    classification: str
    previous_classification: str | None


class ReferralSent(DiariumEvent):
    """The case was sent on referral (remiss) for consultation."""

    label = "Remiss skickad"
    secrecy = SAFE
    public = Public("case.referral_sent", "The case was sent on referral (remiss).", {
        "number": "integer: referral number within the case",
        "recipients": "array of string: who is asked to answer",
        "answer_by": "date: last day to answer",
        "document_number": "integer|null: the referral document",
    })

    number: int
    recipients: list[str]
    answer_by: date
    document_number: int | None


class ReferralAnswered(DiariumEvent):
    """A recipient's answer (yttrande) to a referral was registered."""

    label = "Remissvar registrerat"
    secrecy = SAFE
    public = Public(
        "case.referral_answered", "A recipient's answer (yttrande) to a referral was registered.",
        {
            "referral_number": "integer: which referral",
            "recipient": "string: who answered",
            "document_number": "integer|null: the answer document",
        })

    referral_number: int
    recipient: str
    document_number: int | None


class IncomingReferralReceived(DiariumEvent):
    """A referral (remiss) was received from someone else asking our body for its opinion
    (yttrande) by a date; ``occurred_on`` is the day it was received, ``document_number`` the
    registered incoming letter."""

    label = "Inkommen remiss registrerad"
    secrecy = Covered("incoming_referral")
    public = Public(
        "case.incoming_referral_received",
        "A referral (remiss) sent to us was registered: our body must answer by a date; "
        "business_date is the day it was received.", {
            "number": "integer: incoming referral number within the case",
            "sender": "string: who asks for our answer, e.g. a ministry",
            "sender_reference": "string|null: the sender's own reference (their dnr)",
            "answer_by": "date: last day to answer",
            "document_number": "integer: the incoming referral letter",
        })

    number: int
    sender: str
    sender_reference: str | None  # the sender's own reference (their dnr)
    answer_by: date
    document_number: int


class IncomingReferralExtended(DiariumEvent):
    """The sender granted an extension (anstånd) of an incoming referral: our answer is due by
    ``answer_by`` instead of ``previous_answer_by``; ``occurred_on`` is the day it was granted."""

    label = "Anstånd med remissvar"
    secrecy = SAFE
    public = Public(
        "case.incoming_referral_extended",
        "The sender granted an extension (anstånd) of an incoming referral; business_date is "
        "the day it was granted.", {
            "number": "integer: which incoming referral",
            "answer_by": "date: the new last day to answer",
            "previous_answer_by": "date: the last day before the extension",
        })

    number: int
    answer_by: date
    previous_answer_by: date


class IncomingReferralAnswered(DiariumEvent):
    """Our answer (yttrande) to an incoming referral was sent; ``occurred_on`` is the day it
    was sent, ``document_number`` the registered outgoing answer."""

    label = "Remissvar skickat"
    secrecy = SAFE
    public = Public(
        "case.incoming_referral_answered",
        "Our answer (yttrande) to an incoming referral was sent; business_date is the day it "
        "was sent.", {
            "number": "integer: which incoming referral",
            "document_number": "integer: our outgoing answer",
        })

    number: int
    document_number: int


class IncomingReferralDeclined(DiariumEvent):
    """Our body declined to answer an incoming referral (avstår från att yttra sig);
    ``document_number`` is the outgoing letter saying so, if one was sent."""

    label = "Avstått från att yttra sig"
    secrecy = SAFE
    public = Public(
        "case.incoming_referral_declined", "Our body declined to answer an incoming referral.", {
            "number": "integer: which incoming referral",
            "reason": "string: why",
            "document_number": "integer|null: the outgoing letter saying so",
        })

    number: int
    reason: str
    document_number: int | None


class ProposalRecorded(DiariumEvent):
    """A decision proposal (beslutsförslag) was recorded, as numbered decision points."""

    label = "Beslutsförslag registrerat"
    secrecy = Covered("proposal")
    public = Public(
        "case.proposal_recorded", "A decision proposal (beslutsförslag) was recorded.", {
            "number": "integer: proposal number within the case",
            "points": "array of string: the numbered decision points",
            "summary": "string: summary of the matter",
            "justification": "string|null: reasons",
            "proposed_by": "string|null: who proposes",
        })

    number: int
    points: list[str]
    summary: str
    justification: str | None
    proposed_by: str | None


class DecisionRecorded(DiariumEvent):
    """A decision (beslut) was taken: by a body at a meeting (``occurred_on`` is the
    meeting date) or by a delegate under a point of the delegation order."""

    label = "Beslut registrerat"
    secrecy = Covered("decision")
    public = Public(
        "case.decision_recorded",
        "A decision (beslut) was taken, by a body at a meeting or by a delegate; business_date "
        "is the day of the decision.", {
            "number": "integer: decision number within the case",
            "kind": "string: decided | proposed_to_higher_body | noted",
            "text": "string: the decision text",
            "body": "string|null: deciding body (with paragraph)",
            "paragraph": "integer|null: protocol paragraph (§)",
            "higher_body": "string|null: body the matter is proposed to",
            "delegate": "string|null: deciding delegate (with delegation_point)",
            "delegation_point": "string|null: point of the delegation order",
            "historical_source": "string|null: the source of a historical decision (migrated "
            "from an older system rather than recorded from a meeting in this one)",
        })

    number: int
    kind: str  # decided | proposed_to_higher_body | noted
    text: str
    body: str | None
    paragraph: int | None
    higher_body: str | None
    delegate: str | None
    delegation_point: str | None
    historical_source: str | None = None  # added later: older events have none


class ProtocolExtractSent(DiariumEvent):
    """An extract of the protocol (protokollsutdrag) with a decision was sent."""

    label = "Protokollsutdrag skickat"
    secrecy = SAFE
    public = Public(
        "case.extract_sent", "A protocol extract (protokollsutdrag) with a decision was sent.", {
            "decision_number": "integer: which decision",
            "recipient": "string: to whom",
        })

    decision_number: int
    recipient: str


class CaseClosed(DiariumEvent):
    """The case was closed (avslutat)."""

    label = "Ärende avslutat"
    secrecy = SAFE
    public = Public("case.closed", "The case was closed (avslutat).", {
        "reason": "string|null: why",
    })

    reason: str | None


class CaseReopened(DiariumEvent):
    """A closed case was reopened."""

    label = "Ärende återupptaget"
    secrecy = SAFE
    public = Public("case.reopened", "A closed case was reopened.", {
        "reason": "string: why",
    })

    reason: str


class CaseCancelled(DiariumEvent):
    """The case was cancelled (makulerat); it and its dnr are kept."""

    label = "Ärende makulerat"
    secrecy = SAFE
    public = Public(
        "case.cancelled", "The case was cancelled (makulerat); it and its dnr are kept.", {
            "reason": "string: why",
        })

    reason: str


# -- secrecy (OSL 5:5): a marking is a warning flag; release is decided on request -------------


@dataclass(frozen=True)
class Marking:
    """The fields of an event that marks the case or a document secret: not an event."""

    statute: str
    marking_body: str
    fields: list[str]


class CaseMarkedSecret(DiariumEvent, Marking):
    """The case was marked secret: ``statute`` is the paragraph (e.g. "OSL 25:1"),
    ``marking_body`` the body that made the marking, ``occurred_on`` its date, ``fields`` the
    case's fields withheld from those without access (title, origin, documents, proposals,
    decisions)."""

    label = "Ärende sekretessmarkerat"
    secrecy = SAFE
    public = Public(
        "case.marked_secret",
        "The case was marked secret (a warning flag, OSL 5:5); business_date is its date.", {
            "statute": "string: the secrecy provision, e.g. OSL 26:1",
            "marking_body": "string: the body that made the marking",
            "fields": "array of string: what the marking withholds (names, not content)",
        })


class CaseSecrecyLifted(DiariumEvent):
    """The case's secrecy marking (under ``statute``) was lifted."""

    label = "Sekretessmarkering av ärende hävd"
    secrecy = SAFE
    public = Public("case.secrecy_lifted", "The case's secrecy marking was lifted.", {
        "statute": "string: the provision of the marking lifted",
    })

    statute: str


class DocumentMarkedSecret(DiariumEvent, Marking):
    """A document of the case was marked secret; ``fields`` are among counterpart and
    description (the sender or recipient, and what it concerns: OSL 5:2)."""

    label = "Handling sekretessmarkerad"
    secrecy = SAFE
    public = Public(
        "case.document_marked_secret",
        "A document of the case was marked secret; business_date is the marking's date.", {
            "document_number": "integer: which document",
            "statute": "string: the secrecy provision, e.g. OSL 26:1",
            "marking_body": "string: the body that made the marking",
            "fields": "array of string: what the marking withholds (names, not content)",
        })

    document_number: int


class DocumentSecrecyLifted(DiariumEvent):
    """A document's secrecy marking (under ``statute``) was lifted."""

    label = "Sekretessmarkering av handling hävd"
    secrecy = SAFE
    public = Public(
        "case.document_secrecy_lifted", "A document's secrecy marking was lifted.", {
            "document_number": "integer: which document",
            "statute": "string: the provision of the marking lifted",
        })

    document_number: int
    statute: str


CASE_EVENTS: tuple[type[DiariumEvent], ...] = events_of(
    "case",
    CaseRegistered,
    DocumentRegistered,
    CaseOfficerAssigned,
    CaseClassified,
    ReferralSent,
    ReferralAnswered,
    IncomingReferralReceived,
    IncomingReferralExtended,
    IncomingReferralAnswered,
    IncomingReferralDeclined,
    ProposalRecorded,
    DecisionRecorded,
    ProtocolExtractSent,
    CaseClosed,
    CaseReopened,
    CaseCancelled,
    CaseMarkedSecret,
    CaseSecrecyLifted,
    DocumentMarkedSecret,
    DocumentSecrecyLifted,
)
