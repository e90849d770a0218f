"""Events of a meeting (sammanträde) and its protocol. A paragraph's events name it by its
number (§). Field names are the integration contract: never rename one; add a
``class_version`` and an ``upcast_vN_vN+1`` instead.

``occurred_on`` is the meeting date for what happened at the meeting, and the day of the
act for what came after it (adjustment, posting, corrections, extracts, written reasons).

What the feed publishes of a meeting (``public``) is named by the meeting (``meeting``, its
ref; ``body``) and, where it concerns a case, by the case's dnr and public title: the feed
adds those (cases/outbound/feed_subjects.py), the event does not store them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from diarium.domain.events.base import (
    SAFE,
    Covered,
    DiariumCreated,
    DiariumEvent,
    Public,
    events_defined,
)

# what the feed adds to a meeting's item (the event does not store it), and to a protocol's
MEETING_ADDED = {
    "meeting": "string: the meeting, e.g. RS-2020-10-14",
    "body": "string: the body whose meeting it is, e.g. RS",
}
CASES_ADDED = {"cases": "array of object: the cases concerned: paragraph, dnr, case_title"}


class MeetingScheduled(DiariumCreated):
    """A meeting of a body was scheduled (``occurred_on`` = the day it was scheduled)."""

    label = "Sammanträde planerat"
    secrecy = SAFE

    ref: str
    body: str
    meeting_date: date
    session: int
    place: str | None
    starts_at: str | None
    migrated_source: str | None = None  # taken over from an older system (added later)


class MeetingNoticePublished(DiariumEvent):
    """The notice of the meeting (kallelse, with its agenda) was published, on the notice
    board among other places (``occurred_on`` = the day it was published); ``place`` and
    ``starts_at`` where the notice gives them (else those given when it was scheduled)."""

    label = "Kallelse publicerad"
    secrecy = SAFE
    public = Public(
        "meeting.notice_published",
        "The notice of the meeting (kallelse, with its agenda) was published on the notice "
        "board; business_date is the day it was published.",
        about=MEETING_ADDED,
    )

    place: Annotated[str | None, "where the meeting is held, as the notice gives it"]
    starts_at: Annotated[str | None, "when the meeting starts, e.g. 09.00"]


class AgendaItemAdded(DiariumEvent):
    """An item was put on the agenda (föredragningslista): a case or a fixed item."""

    label = "Punkt förd upp på föredragningslistan"
    secrecy = Covered("agenda_item")

    number: int
    kind: str
    title: str
    dnr: str | None


class AgendaItemWithdrawn(DiariumEvent):
    """An item was taken off the agenda (lyfts ut), e.g. when the agenda was approved."""

    label = "Punkt utlyft"
    secrecy = SAFE

    number: int
    reason: str | None


class AttendanceRecorded(DiariumEvent):
    """Who attended, in what capacity and for which paragraphs; who chaired and who kept
    the minutes. Replaces any attendance recorded before."""

    label = "Närvaro registrerad"
    secrecy = SAFE

    chair: str
    secretary: str | None
    attendees: list[dict[str, Any]]  # name, capacity, party, replacing, from/to_paragraph, title


class AdjustersElected(DiariumEvent):
    """The members who, with the chair, will adjust (justera) the protocol."""

    label = "Justerare valda"
    secrecy = SAFE

    adjusters: list[str]
    adjustment_place: str | None
    adjustment_date: date | None


class ParagraphRecorded(DiariumEvent):
    """A paragraph (§) was opened in the protocol, numbered on in the body's year."""

    label = "Paragraf upprättad"
    secrecy = Covered("paragraph")

    number: int
    title: str
    dnr: str | None
    agenda_item: int | None
    sections: list[dict[str, str]]  # heading, text: Ärendet, Sammanfattning, …


class MotionMade(DiariumEvent):
    """A proposal (yrkande) was made at the meeting, by a member (``mover``) or, without
    one, the standing proposal (det liggande förslaget)."""

    label = "Yrkande framställt"
    secrecy = Covered("motion")

    paragraph: int
    number: int
    mover: str | None
    text: str
    supporters: list[str]


class ProcedureStepRecorded(DiariumEvent):
    """A step of the decision procedure (beslutsgång): the proposals the chair put (against
    each other, or one under proposition), the outcome and, for a vote, how each voted."""

    label = "Beslutsgång registrerad"
    secrecy = SAFE

    paragraph: int
    number: int
    description: str | None
    proposals: list[int]
    outcome: int | None  # the adopted motion; None when the one proposal put was rejected
    votes: dict[str, str] | None  # member -> ja | nej | avstår
    casting_vote: bool


class ParagraphDecided(DiariumEvent):
    """The decision of a paragraph: its text and kind (decided, proposed to a higher body,
    noted); ``case_decision_number`` is the decision recorded on the case at the same time."""

    label = "Paragraf beslutad"
    secrecy = Covered("paragraph_decision")
    public = Public(
        "meeting.paragraph_decided",
        "A paragraph (§) of a meeting was decided; business_date is the meeting date.",
        about=MEETING_ADDED,
    )

    paragraph: Annotated[int, "the paragraph (§)"]
    kind: Annotated[str, "decided | proposed_to_higher_body | noted"]
    text: Annotated[str, "the decision text"]
    higher_body: Annotated[str | None, "body the matter is proposed to"]
    case_decision_number: Annotated[int | None, "the decision recorded on the case"]


@dataclass(frozen=True)
class MemberOnParagraph:
    """The fields of an event about one member in one paragraph: not an event."""

    paragraph: int
    member: str


class ReservationEntered(DiariumEvent, MemberOnParagraph):
    """A member announced a reservation against the decision before the meeting closed."""

    label = "Reservation anmäld"
    secrecy = Covered("reservation")

    reason: str | None


class ReservationReasonGiven(DiariumEvent, MemberOnParagraph):
    """The written reason for a reservation was handed in (before adjustment)."""

    label = "Reservation motiverad"
    secrecy = Covered("reservation")

    reason: str


class ConflictOfInterestDeclared(DiariumEvent, MemberOnParagraph):
    """A member declared a conflict of interest (jäv) and took no part in the paragraph."""

    label = "Jäv anmält"
    secrecy = Covered("conflict")

    note: str | None


class ProtocolNoteEntered(DiariumEvent):
    """A protocol note (protokollsanteckning): a statement entered in the protocol."""

    label = "Protokollsanteckning införd"
    secrecy = Covered("note")

    paragraph: int
    number: int
    authors: str
    text: str


class AttachmentAdded(DiariumEvent):
    """An attachment (bilaga) or decision basis (beslutsunderlag) of a paragraph."""

    label = "Bilaga tillagd"
    secrecy = Covered("attachment")

    paragraph: int
    number: int
    title: str
    kind: str
    dnr: str | None
    document_number: int | None


class ExtractRecipientsListed(DiariumEvent):
    """Who gets an extract of the paragraph (protokollsutdrag skickas till)."""

    label = "Utdragsmottagare angivna"
    secrecy = SAFE

    paragraph: int
    recipients: list[str]


class DelegatedDecisionsListed(DiariumEvent):
    """Delegated decisions reported to the body under this paragraph."""

    label = "Delegationsbeslut redovisade"
    secrecy = Covered("delegated_decision", within="decisions")

    paragraph: int
    decisions: list[dict[str, Any]]  # number, point, delegate, text, dnr, decided_on


class MeetingClosed(DiariumEvent):
    """The chair closed the meeting; reservations can no longer be announced."""

    label = "Sammanträde avslutat"
    secrecy = SAFE

    closed_at: str | None


class ParagraphAdjustedImmediately(DiariumEvent):
    """One paragraph was adjusted at once (omedelbar justering)."""

    label = "Paragraf omedelbart justerad"
    secrecy = SAFE
    public = Public(
        "meeting.paragraph_adjusted",
        "One paragraph was adjusted at once (omedelbar justering); business_date is the day.",
        about=MEETING_ADDED,
    )

    paragraph: Annotated[int, "the paragraph (§)"]
    signed_by: Annotated[list[str], "who signed"]


class ProtocolAdjusted(DiariumEvent):
    """The chair and the adjusters signed the protocol (``occurred_on``); ``late`` when
    after the 14 days of KL 5:69 as judged when recorded (the meeting recomputes it from
    the dates, lag 1930:173)."""

    label = "Protokoll justerat"
    secrecy = SAFE
    public = Public(
        "meeting.protocol_adjusted",
        "The protocol was adjusted (justerat); business_date is the day it was signed.",
        about=MEETING_ADDED,
        extra=CASES_ADDED,
    )

    signed_by: Annotated[list[str], "who signed"]
    late: Annotated[bool, "after the 14 days of KL 5:69"]


class ProtocolPosted(DiariumEvent):
    """The adjustment was posted on the notice board (``occurred_on``); ``paragraph`` for an
    immediately adjusted paragraph posted on its own. The appeal period starts."""

    label = "Justering anslagen"
    secrecy = SAFE
    public = Public(
        "meeting.protocol_posted",
        "The adjustment was posted on the notice board; the appeal period starts. "
        "business_date is the posting day.",
        about=MEETING_ADDED,
        extra={
            "appeal_period_ends": "date: last day to appeal (KL 13:5, lag 1930:173)",
            **CASES_ADDED,
        },
    )

    paragraph: Annotated[int | None, "an immediately adjusted paragraph posted on its own"]
    late: Annotated[bool, "after the second day after adjustment (KL 8:12)"]


class CorrectionCertified(DiariumEvent):
    """A correction of the adjusted protocol, certified (rättelse bestyrks) by signatories;
    the protocol itself is never edited."""

    label = "Rättelse bestyrkt"
    secrecy = Covered("correction")
    public = Public(
        "meeting.correction_certified",
        "A correction of the adjusted protocol was certified; business_date is the day.",
        about=MEETING_ADDED,
    )

    paragraph: Annotated[int, "the paragraph (§) corrected"]
    number: Annotated[int, "correction number within the meeting"]
    corrects: Annotated[str, "what is corrected"]
    text: Annotated[str, "the correction"]
    certified_by: Annotated[list[str], "who certified it"]


class ExtractSent(DiariumEvent):
    """An extract of a paragraph was sent to a recipient (``occurred_on``)."""

    label = "Protokollsutdrag skickat"
    secrecy = SAFE

    paragraph: int
    recipient: str


class LegalForceReached(DiariumEvent):
    """The appeal period (KL 13:5) of a paragraph's decision ended: ``occurred_on`` is the
    first day of legal force (laga kraft), the day after ``appeal_period_ended``. Recorded
    once per decision by ``RecordLegalForce``; never for a proposal to a higher body
    (KL 13:2: not appealable)."""

    label = "Laga kraft"
    secrecy = SAFE
    public = Public(
        "decision.legal_force_reached",
        "The appeal period of a meeting's decision ended: it has legal force unless an "
        "appeal reached the court in time; business_date is the first day of legal force.",
        about=MEETING_ADDED,
    )

    paragraph: Annotated[int, "the paragraph (§)"]
    kind: Annotated[str, "decided | noted"]
    case_decision_number: Annotated[int | None, "the decision recorded on the case"]
    posted_on: Annotated[date, "the day the adjustment was posted"]
    appeal_period_ended: Annotated[date, "the last day of the appeal period"]


MEETING_EVENTS: tuple[type[DiariumEvent], ...] = events_defined("meeting", globals())
