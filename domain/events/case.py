"""Events of a case (ärende). Field names are the integration contract: never rename one;
add a ``class_version`` and an ``upcast_vN_vN+1`` instead."""

from __future__ import annotations

from datetime import date

from diarium.domain.events.base import DiariumCreated, DiariumEvent


class CaseRegistered(DiariumCreated):
    """A case was registered and given its diarienummer (dnr)."""

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


class DocumentRegistered(DiariumEvent):
    """A document (handling) was registered to the case; ``occurred_on`` is the date
    it was received, sent or drawn up."""

    number: int
    direction: str  # incoming | outgoing | drawn_up
    counterpart: str | None  # sender (incoming) or recipient (outgoing)
    description: str


class CaseOfficerAssigned(DiariumEvent):
    """The case officer (handläggare) was assigned or reassigned."""

    officer: str
    previous_officer: str | None


class ReferralSent(DiariumEvent):
    """The case was sent on referral (remiss) for consultation."""

    number: int
    recipients: list[str]
    answer_by: date
    document_number: int | None


class ReferralAnswered(DiariumEvent):
    """A recipient's answer (yttrande) to a referral was registered."""

    referral_number: int
    recipient: str
    document_number: int | None


class IncomingReferralReceived(DiariumEvent):
    """A referral (remiss) was received from someone else asking our body for its opinion
    (yttrande) by a date; ``occurred_on`` is the day it was received, ``document_number`` the
    registered incoming letter."""

    number: int
    sender: str
    sender_reference: str | None  # the sender's own reference (their dnr)
    answer_by: date
    document_number: int


class IncomingReferralExtended(DiariumEvent):
    """The sender granted an extension (anstånd) of an incoming referral: our answer is due by
    ``answer_by`` instead of ``previous_answer_by``; ``occurred_on`` is the day it was granted."""

    number: int
    answer_by: date
    previous_answer_by: date


class IncomingReferralAnswered(DiariumEvent):
    """Our answer (yttrande) to an incoming referral was sent; ``occurred_on`` is the day it
    was sent, ``document_number`` the registered outgoing answer."""

    number: int
    document_number: int


class IncomingReferralDeclined(DiariumEvent):
    """Our body declined to answer an incoming referral (avstår från att yttra sig);
    ``document_number`` is the outgoing letter saying so, if one was sent."""

    number: int
    reason: str
    document_number: int | None


class ProposalRecorded(DiariumEvent):
    """A decision proposal (beslutsförslag) was recorded, as numbered decision points."""

    number: int
    points: list[str]
    summary: str
    justification: str | None
    proposed_by: str | None


class DecisionRecorded(DiariumEvent):
    """A decision (beslut) was taken: by a body at a meeting (``occurred_on`` is the
    meeting date) or by a delegate under a point of the delegation order."""

    number: int
    kind: str  # decided | proposed_to_higher_body | noted
    text: str
    body: str | None
    paragraph: int | None
    higher_body: str | None
    delegate: str | None
    delegation_point: str | None


class ProtocolExtractSent(DiariumEvent):
    """An extract of the protocol (protokollsutdrag) with a decision was sent."""

    decision_number: int
    recipient: str


class CaseClosed(DiariumEvent):
    """The case was closed (avslutat)."""

    reason: str | None


class CaseReopened(DiariumEvent):
    """A closed case was reopened."""

    reason: str


class CaseCancelled(DiariumEvent):
    """The case was cancelled (makulerat); it and its dnr are kept."""

    reason: str


# -- secrecy (OSL 5:5): a marking is a warning flag; release is decided on request -------------


class CaseMarkedSecret(DiariumEvent):
    """The case was marked secret: ``statute`` is the paragraph (e.g. "OSL 25:1"),
    ``marking_body`` the body that made the marking, ``occurred_on`` its date, ``fields`` the
    case's fields withheld from those without access (title, origin, documents, proposals,
    decisions)."""

    statute: str
    marking_body: str
    fields: list[str]


class CaseSecrecyLifted(DiariumEvent):
    """The case's secrecy marking (under ``statute``) was lifted."""

    statute: str


class DocumentMarkedSecret(DiariumEvent):
    """A document of the case was marked secret; ``fields`` are among counterpart and
    description (the sender or recipient, and what it concerns: OSL 5:2)."""

    document_number: int
    statute: str
    marking_body: str
    fields: list[str]


class DocumentSecrecyLifted(DiariumEvent):
    """A document's secrecy marking (under ``statute``) was lifted."""

    document_number: int
    statute: str


CASE_EVENTS: tuple[type[DiariumEvent], ...] = (
    CaseRegistered,
    DocumentRegistered,
    CaseOfficerAssigned,
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
