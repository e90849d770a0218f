"""Events of a case (ärende). Field names are the integration contract: never rename one;
add a ``class_version`` and an ``upcast_vN_vN+1`` instead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from diarium.domain.events.base import (
    SAFE,
    UNPUBLISHED,
    Covered,
    DiariumCreated,
    DiariumEvent,
    Public,
    events_defined,
)


class CaseRegistered(DiariumCreated):
    """A case was registered and given its diarienummer (dnr)."""

    label = "Ärende registrerat"
    secrecy = Covered("case")
    public = Public("case.registered", "A case was registered and got its dnr.")

    dnr: Annotated[str, UNPUBLISHED]  # the feed item's ``case``
    title: Annotated[str, "ärendemening"]
    public_title: Annotated[str | None, "title to show where the title is secret"]
    responsible_body: Annotated[str, "body responsible, e.g. RS"]
    unit: Annotated[str | None, "responsible unit"]
    officer: Annotated[str | None, "case officer (handläggare)"]
    classification: Annotated[str | None, "classification code"]
    origin: Annotated[str | None, "where the case came from"]
    series: Annotated[str, "dnr series"]
    year: Annotated[int, "year of the dnr"]
    sequence: Annotated[int, "sequence number of the dnr"]
    migrated: Annotated[bool, "true when the dnr was taken over from an older system"]
    migrated_source: Annotated[
        str | None, "the older system or register it was taken from"
    ] = None  # added later: older events have none


class DocumentRegistered(DiariumEvent):
    """A document (handling) was registered to the case; ``occurred_on`` is the date
    it was received, sent or drawn up, ``registered_on`` the day it was registered in the
    diary (``None`` in events stored before it was kept: the day of their ``timestamp``)."""

    label = "Handling registrerad"
    secrecy = Covered("document")
    public = Public(
        "case.document_registered", "A document (handling) was registered to the case.")

    number: Annotated[int, "running number within the case"]
    direction: Annotated[str, "incoming | outgoing | drawn_up"]
    counterpart: Annotated[str | None, "sender (incoming) or recipient (outgoing)"]
    description: Annotated[str, "what the document concerns"]
    registered_on: Annotated[
        date | None,
        "the day it was registered in the diary (null in events stored before this was kept)",
    ] = None


class DocumentFileAttached(DiariumEvent):
    """A file was attached to a registered document as its next version. The file is stored
    by content (``sha256``), so the hash chain over this event covers the bytes; the media
    type is the one detected from the content, the client's claim is kept beside it."""

    label = "Fil bifogad till handling"
    secrecy = Covered("file")
    public = Public(
        "case.document_file_attached",
        "A file was attached to a document of the case as a new version.")

    document_number: Annotated[int, "which document"]
    version: Annotated[int, "the file's version within the document, from 1"]
    sha256: Annotated[str, "SHA-256 of the file's bytes, hex"]
    size: Annotated[int, "bytes"]
    media_type: Annotated[str, "media type detected from the content"]
    claimed_media_type: Annotated[str | None, "media type the uploader claimed"]
    file_name: Annotated[str | None, "the original file name"]
    pdfa: Annotated[str | None, "PDF/A conformance the file claims, e.g. 2b"]


class CaseOfficerAssigned(DiariumEvent):
    """The case officer (handläggare) was assigned or reassigned."""

    label = "Handläggare utsedd"
    secrecy = SAFE
    sets = ("officer",)
    public = Public("case.officer_assigned", "The case officer was assigned or reassigned.")

    officer: Annotated[str, "the new case officer"]
    previous_officer: Annotated[str | None, "the one before"]


class CaseClassified(DiariumEvent):
    """The case was classified anew: filed under another code of the body's classification
    structure (klassificeringsstruktur, the basis of its records management plan)."""

    label = "Ärende omklassificerat"
    secrecy = SAFE  # the code says what kind of matter it is, never what a document says
    sets = ("classification",)
    public = Public("case.classified", "The case was filed under another classification code.")

    classification: Annotated[str, "the new classification code"]
    previous_classification: Annotated[str | None, "the one before"]


class ReferralSent(DiariumEvent):
    """The case was sent on referral (remiss) for consultation."""

    label = "Remiss skickad"
    secrecy = SAFE
    public = Public("case.referral_sent", "The case was sent on referral (remiss).")

    number: Annotated[int, "referral number within the case"]
    recipients: Annotated[list[str], "who is asked to answer"]
    answer_by: Annotated[date, "last day to answer"]
    document_number: Annotated[int | None, "the referral document"]


class ReferralAnswered(DiariumEvent):
    """A recipient's answer (yttrande) to a referral was registered."""

    label = "Remissvar registrerat"
    secrecy = SAFE
    public = Public(
        "case.referral_answered", "A recipient's answer (yttrande) to a referral was registered.")

    referral_number: Annotated[int, "which referral"]
    recipient: Annotated[str, "who answered"]
    document_number: Annotated[int | None, "the answer document"]


class IncomingReferralReceived(DiariumEvent):
    """A referral (remiss) was received from someone else asking our body for its opinion
    (yttrande) by a date; ``occurred_on`` is the day it was received, ``document_number`` the
    registered incoming letter."""

    label = "Inkommen remiss registrerad"
    secrecy = Covered("incoming_referral")
    public = Public(
        "case.incoming_referral_received",
        "A referral (remiss) sent to us was registered: our body must answer by a date; "
        "business_date is the day it was received.")

    number: Annotated[int, "incoming referral number within the case"]
    sender: Annotated[str, "who asks for our answer, e.g. a ministry"]
    sender_reference: Annotated[str | None, "the sender's own reference (their dnr)"]
    answer_by: Annotated[date, "last day to answer"]
    document_number: Annotated[int, "the incoming referral letter"]


class IncomingReferralExtended(DiariumEvent):
    """The sender granted an extension (anstånd) of an incoming referral: our answer is due by
    ``answer_by`` instead of ``previous_answer_by``; ``occurred_on`` is the day it was granted."""

    label = "Anstånd med remissvar"
    secrecy = SAFE
    public = Public(
        "case.incoming_referral_extended",
        "The sender granted an extension (anstånd) of an incoming referral; business_date is "
        "the day it was granted.")

    number: Annotated[int, "which incoming referral"]
    answer_by: Annotated[date, "the new last day to answer"]
    previous_answer_by: Annotated[date, "the last day before the extension"]


class IncomingReferralAnswered(DiariumEvent):
    """Our answer (yttrande) to an incoming referral was sent; ``occurred_on`` is the day it
    was sent, ``document_number`` the registered outgoing answer."""

    label = "Remissvar skickat"
    secrecy = SAFE
    public = Public(
        "case.incoming_referral_answered",
        "Our answer (yttrande) to an incoming referral was sent; business_date is the day it "
        "was sent.")

    number: Annotated[int, "which incoming referral"]
    document_number: Annotated[int, "our outgoing answer"]


class IncomingReferralDeclined(DiariumEvent):
    """Our body declined to answer an incoming referral (avstår från att yttra sig);
    ``document_number`` is the outgoing letter saying so, if one was sent."""

    label = "Avstått från att yttra sig"
    secrecy = SAFE
    public = Public(
        "case.incoming_referral_declined", "Our body declined to answer an incoming referral.")

    number: Annotated[int, "which incoming referral"]
    reason: Annotated[str, "why"]
    document_number: Annotated[int | None, "the outgoing letter saying so"]


class ProposalRecorded(DiariumEvent):
    """A decision proposal (beslutsförslag) was recorded, as numbered decision points."""

    label = "Beslutsförslag registrerat"
    secrecy = Covered("proposal")
    public = Public(
        "case.proposal_recorded", "A decision proposal (beslutsförslag) was recorded.")

    number: Annotated[int, "proposal number within the case"]
    points: Annotated[list[str], "the numbered decision points"]
    summary: Annotated[str, "summary of the matter"]
    justification: Annotated[str | None, "reasons"]
    proposed_by: Annotated[str | None, "who proposes"]


class DecisionRecorded(DiariumEvent):
    """A decision (beslut) was taken: by a body at a meeting (``occurred_on`` is the
    meeting date) or by a delegate under a point of the delegation order."""

    label = "Beslut registrerat"
    secrecy = Covered("decision")
    public = Public(
        "case.decision_recorded",
        "A decision (beslut) was taken, by a body at a meeting or by a delegate; business_date "
        "is the day of the decision.")

    number: Annotated[int, "decision number within the case"]
    kind: Annotated[str, "decided | proposed_to_higher_body | noted"]
    text: Annotated[str, "the decision text"]
    body: Annotated[str | None, "deciding body (with paragraph)"]
    paragraph: Annotated[int | None, "protocol paragraph (§)"]
    higher_body: Annotated[str | None, "body the matter is proposed to"]
    delegate: Annotated[str | None, "deciding delegate (with delegation_point)"]
    delegation_point: Annotated[str | None, "point of the delegation order"]
    historical_source: Annotated[
        str | None,
        "the source of a historical decision (migrated from an older system rather than "
        "recorded from a meeting in this one)",
    ] = None  # added later: older events have none


class ProtocolExtractSent(DiariumEvent):
    """An extract of the protocol (protokollsutdrag) with a decision was sent."""

    label = "Protokollsutdrag skickat"
    secrecy = SAFE
    public = Public(
        "case.extract_sent", "A protocol extract (protokollsutdrag) with a decision was sent.")

    decision_number: Annotated[int, "which decision"]
    recipient: Annotated[str, "to whom"]


class CaseClosed(DiariumEvent):
    """The case was closed (avslutat)."""

    label = "Ärende avslutat"
    secrecy = SAFE
    public = Public("case.closed", "The case was closed (avslutat).")

    reason: Annotated[str | None, "why"]


class CaseReopened(DiariumEvent):
    """A closed case was reopened."""

    label = "Ärende återupptaget"
    secrecy = SAFE
    public = Public("case.reopened", "A closed case was reopened.")

    reason: Annotated[str, "why"]


class CaseCancelled(DiariumEvent):
    """The case was cancelled (makulerat); it and its dnr are kept."""

    label = "Ärende makulerat"
    secrecy = SAFE
    public = Public(
        "case.cancelled", "The case was cancelled (makulerat); it and its dnr are kept.")

    reason: Annotated[str, "why"]


# -- secrecy (OSL 5:5): a marking is a warning flag; release is decided on request -------------


@dataclass(frozen=True)
class Marking:
    """The fields of an event that marks the case or a document secret: not an event."""

    statute: Annotated[str, "the secrecy provision, e.g. OSL 26:1"]
    marking_body: Annotated[str, "the body that made the marking"]
    fields: Annotated[list[str], "what the marking withholds (names, not content)"]


@dataclass(frozen=True)
class OfDocument:
    """The field of an event about one document of the case: not an event."""

    document_number: Annotated[int, "which document"]


class CaseMarkedSecret(DiariumEvent, Marking):
    """The case was marked secret: ``statute`` is the paragraph (e.g. "OSL 25:1"),
    ``marking_body`` the body that made the marking, ``occurred_on`` its date, ``fields`` the
    case's fields withheld from those without access (title, origin, documents, proposals,
    decisions)."""

    label = "Ärende sekretessmarkerat"
    secrecy = SAFE
    public = Public(
        "case.marked_secret",
        "The case was marked secret (a warning flag, OSL 5:5); business_date is its date.")


class CaseSecrecyLifted(DiariumEvent):
    """The case's secrecy marking (under ``statute``) was lifted."""

    label = "Sekretessmarkering av ärende hävd"
    secrecy = SAFE
    public = Public("case.secrecy_lifted", "The case's secrecy marking was lifted.")

    statute: Annotated[str, "the provision of the marking lifted"]


class DocumentMarkedSecret(DiariumEvent, Marking, OfDocument):
    """A document of the case was marked secret; ``fields`` are among counterpart and
    description (the sender or recipient, and what it concerns: OSL 5:2)."""

    label = "Handling sekretessmarkerad"
    secrecy = SAFE
    public = Public(
        "case.document_marked_secret",
        "A document of the case was marked secret; business_date is the marking's date.")


class DocumentSecrecyLifted(DiariumEvent, OfDocument):
    """A document's secrecy marking (under ``statute``) was lifted."""

    label = "Sekretessmarkering av handling hävd"
    secrecy = SAFE
    public = Public(
        "case.document_secrecy_lifted", "A document's secrecy marking was lifted.")

    statute: Annotated[str, "the provision of the marking lifted"]


CASE_EVENTS: tuple[type[DiariumEvent], ...] = events_defined("case", globals())
