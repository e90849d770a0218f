"""The meeting aggregate: agenda, attendance and the protocol, paragraph by paragraph.

Every rule of the decision process that concerns one meeting is enforced here: who may
take part in a paragraph, how a vote is decided, when reservations can be entered, and
that an adjusted protocol is never changed (only corrected by certified entries).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import singledispatchmethod
from typing import Any

from diarium.domain import rules
from diarium.domain.actor import Actor
from diarium.domain.aggregate import DiariumAggregate
from diarium.domain.body import Body, not_future
from diarium.domain.case.terms import DecisionKind
from diarium.domain.events import meeting as ev
from diarium.domain.meeting_terms import (
    AgendaItemKind,
    AgendaItemNotFound,
    AttachmentKind,
    Capacity,
    MemberRole,
    ParagraphNotFound,
    Vote,
    adjustment_deadline,
    appeal_period_end,
    legal_force_from,
    meeting_id,
    posting_deadline,
)
from diarium.domain.rules import require


class MeetingStatus:
    SCHEDULED = "scheduled"
    CLOSED = "closed"
    ADJUSTED = "adjusted"
    POSTED = "posted"


@dataclass
class AgendaItem:
    number: int
    kind: str
    title: str
    dnr: str | None
    withdrawn: bool = False
    withdrawal_reason: str | None = None


@dataclass
class Attendee:
    name: str
    capacity: str
    party: str | None = None
    replacing: str | None = None
    from_paragraph: int | None = None
    to_paragraph: int | None = None
    title: str | None = None

    def serving_at(self, paragraph: int) -> bool:
        return Capacity(self.capacity).serving and self.present_at(paragraph)

    def present_at(self, paragraph: int) -> bool:
        return (self.from_paragraph is None or self.from_paragraph <= paragraph) and (
            self.to_paragraph is None or paragraph <= self.to_paragraph
        )


@dataclass
class Motion:
    number: int
    mover: str | None  # None: the standing proposal (det liggande förslaget)
    text: str
    supporters: list[str]


@dataclass
class Step:
    number: int
    description: str | None
    proposals: list[int]
    outcome: int | None
    votes: dict[str, str] | None
    casting_vote: bool

    @property
    def tally(self) -> dict[str, int] | None:
        if self.votes is None:
            return None
        return {v.value: sum(1 for x in self.votes.values() if x == v.value) for v in Vote}


@dataclass
class ParagraphDecision:
    kind: str
    text: str
    higher_body: str | None
    case_decision_number: int | None


@dataclass
class Reservation:
    member: str
    reason: str | None
    reason_given_on: date | None


@dataclass
class Conflict:
    member: str
    note: str | None


@dataclass
class Note:
    number: int
    authors: str
    text: str


@dataclass
class Attachment:
    number: int
    title: str
    kind: str
    dnr: str | None
    document_number: int | None


@dataclass
class Correction:
    number: int
    paragraph: int
    corrects: str
    text: str
    certified_by: list[str]
    certified_on: date


@dataclass
class Paragraph:
    number: int
    title: str
    dnr: str | None
    agenda_item: int | None
    sections: list[dict[str, str]]
    motions: list[Motion] = field(default_factory=list)
    procedure: list[Step] = field(default_factory=list)
    decision: ParagraphDecision | None = None
    reservations: list[Reservation] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    extract_recipients: list[str] = field(default_factory=list)
    extracts: dict[str, date] = field(default_factory=dict)
    delegated_decisions: list[dict[str, Any]] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)
    immediately_adjusted_on: date | None = None
    immediately_signed_by: list[str] = field(default_factory=list)
    own_posted_on: date | None = None

    def conflicted(self, member: str) -> bool:
        return any(c.member == member for c in self.conflicts)

    def took_part(self, member: str) -> bool:
        return (
            any(m.mover == member or member in m.supporters for m in self.motions)
            or any(s.votes and member in s.votes for s in self.procedure)
            or any(r.member == member for r in self.reservations)
        )

    @property
    def unsent_extracts(self) -> list[str]:
        return [r for r in self.extract_recipients if r not in self.extracts]


class Meeting(DiariumAggregate):
    """A meeting (sammanträde) of a body, with its agenda and its protocol."""

    @classmethod
    def schedule(
        cls,
        *,
        ref: str,
        body: str,
        meeting_date: date,
        session: int,
        place: str | None,
        starts_at: str | None,
        scheduled_on: date,
        by: Actor,
        today: date,
    ) -> Meeting:
        not_future(scheduled_on, today, "scheduled_on")
        return cls._create_by(
            ev.MeetingScheduled,
            id=meeting_id(ref),
            ref=ref,
            body=body,
            meeting_date=meeting_date,
            session=session,
            place=place,
            starts_at=starts_at,
            occurred_on=scheduled_on,
            by=by,
        )

    # -- agenda -----------------------------------------------------------------------

    def add_agenda_item(
        self,
        *,
        kind: AgendaItemKind,
        title: str,
        dnr: str | None,
        added_on: date,
        by: Actor,
        today: date,
    ) -> AgendaItem:
        """Put a case or a fixed item on the agenda (before the meeting closes)."""
        not_future(added_on, today, "added_on")
        self._require_open()
        if dnr is not None:
            require(
                all(i.dnr != dnr or i.withdrawn for i in self.agenda),
                rules.AGENDA_CASE_LISTED,
                f"{dnr} is already on the agenda of {self.ref}",
            )
        self.trigger_event(
            ev.AgendaItemAdded,
            number=len(self.agenda) + 1,
            kind=str(kind),
            title=title,
            dnr=dnr,
            occurred_on=added_on,
            by=by,
        )
        return self.agenda[-1]

    def withdraw_agenda_item(
        self, *, number: int, reason: str | None, by: Actor, today: date
    ) -> None:
        """Take an item off the agenda (lyfts ut), e.g. when the agenda is approved."""
        item = self.agenda_item(number)
        self._require_not_adjusted()
        require(not item.withdrawn, rules.AGENDA_ITEM_WITHDRAWN, f"Item {number} is withdrawn")
        self.trigger_event(
            ev.AgendaItemWithdrawn,
            number=number,
            reason=reason,
            occurred_on=min(self.meeting_date, today),
            by=by,
        )

    # -- attendance and adjusters -----------------------------------------------------

    def record_attendance(
        self,
        *,
        body: Body,
        chair: str,
        secretary: str | None,
        attendees: list[Attendee],
        by: Actor,
        today: date,
    ) -> None:
        """Record who attended and in what capacity (replaces earlier attendance)."""
        self._require_held(today)
        self._require_not_adjusted()
        names = [a.name for a in attendees]
        require(
            len(names) == len(set(names)),
            rules.ATTENDANCE_MEMBERSHIP,
            "Each attendee is listed once (split presence with from/to_paragraph on one entry)",
        )
        for attendee in attendees:
            capacity = Capacity(attendee.capacity)
            if capacity is Capacity.OTHER:
                continue
            membership = body.membership(attendee.name, self.meeting_date)
            wanted = MemberRole.MEMBER if capacity is Capacity.MEMBER else MemberRole.SUBSTITUTE
            require(
                membership is not None and membership.role == wanted,
                rules.ATTENDANCE_MEMBERSHIP,
                f"{attendee.name} is not {wanted} of {self.body} on {self.meeting_date}",
            )
        require(
            any(a.name == chair and Capacity(a.capacity).serving for a in attendees),
            rules.CHAIR_NOT_SERVING,
            f"{chair} is not a serving member at the meeting",
        )
        self.trigger_event(
            ev.AttendanceRecorded,
            chair=chair,
            secretary=secretary,
            attendees=[_attendee_data(a) for a in attendees],
            occurred_on=self.meeting_date,
            by=by,
        )

    def elect_adjusters(
        self,
        *,
        adjusters: list[str],
        adjustment_place: str | None,
        adjustment_date: date | None,
        by: Actor,
        today: date,
    ) -> None:
        """Record the members elected to adjust the protocol with the chair."""
        self._require_held(today)
        self._require_not_adjusted()
        for name in adjusters:
            require(
                name != self.chair
                and any(a.name == name and Capacity(a.capacity).serving for a in self.attendees),
                rules.ADJUSTER_NOT_PRESENT,
                f"{name} is not a serving member present (other than the chair)",
            )
        self.trigger_event(
            ev.AdjustersElected,
            adjusters=list(dict.fromkeys(adjusters)),
            adjustment_place=adjustment_place,
            adjustment_date=adjustment_date,
            occurred_on=self.meeting_date,
            by=by,
        )

    # -- paragraphs -------------------------------------------------------------------

    def record_paragraph(
        self,
        *,
        number: int,
        title: str,
        dnr: str | None,
        sections: list[dict[str, str]],
        by: Actor,
        today: date,
    ) -> Paragraph:
        """Open the next paragraph (§ ``number``, allocated from the body's year)."""
        self.check_paragraph(dnr=dnr, today=today)
        item = next((i for i in self.agenda if i.dnr == dnr), None) if dnr else None
        self.trigger_event(
            ev.ParagraphRecorded,
            number=number,
            title=title,
            dnr=dnr,
            agenda_item=item.number if item else None,
            sections=[dict(s) for s in sections],
            occurred_on=self.meeting_date,
            by=by,
        )
        return self.paragraphs[-1]

    def check_paragraph(self, *, dnr: str | None, today: date) -> None:
        """Refuse a new paragraph before allocating its number."""
        self._require_held(today)
        self._require_not_adjusted()
        if dnr is not None:
            items = [i for i in self.agenda if i.dnr == dnr]
            require(bool(items), rules.CASE_NOT_ON_AGENDA, f"{dnr} is not on the agenda")
            require(
                any(not i.withdrawn for i in items),
                rules.AGENDA_ITEM_WITHDRAWN,
                f"{dnr} was withdrawn from the agenda",
            )

    def make_motion(
        self,
        *,
        paragraph: int,
        mover: str | None,
        text: str,
        supporters: list[str],
        by: Actor,
        today: date,
    ) -> Motion:
        """Record a motion (yrkande); without a mover it is the standing proposal."""
        p = self._editable(paragraph)
        for name in ([mover] if mover else []) + supporters:
            self._require_participant(p, name)
        self.trigger_event(
            ev.MotionMade,
            paragraph=paragraph,
            number=len(p.motions) + 1,
            mover=mover,
            text=text,
            supporters=list(dict.fromkeys(supporters)),
            occurred_on=self.meeting_date,
            by=by,
        )
        return p.motions[-1]

    def record_procedure_step(
        self,
        *,
        paragraph: int,
        description: str | None,
        proposals: list[int],
        adopted: int | None,
        votes: dict[str, Vote] | None,
        by: Actor,
        today: date,
    ) -> Step:
        """Record how the chair put proposals and what the body decided (by acclamation or
        by a vote, where a tie goes to the chair's casting vote)."""
        p = self._editable(paragraph)
        known = {m.number for m in p.motions}
        for number in proposals:
            require(number in known, rules.MOTION_UNKNOWN, f"§ {paragraph} has no motion {number}")
        require(
            bool(proposals) and len(set(proposals)) == len(proposals),
            rules.PROCEDURE_PROPOSALS,
            "Put one or more distinct motions",
        )
        casting = False
        if votes is None:
            require(
                adopted in proposals or (adopted is None and len(proposals) == 1),
                rules.PROCEDURE_PROPOSALS,
                "The outcome is one of the motions put (or, for one motion, its rejection)",
            )
            outcome = adopted
        else:
            require(
                len(proposals) in (1, 2),
                rules.PROCEDURE_PROPOSALS,
                "A vote puts one motion (ja/nej) or two against each other",
            )
            for name in votes:
                self._require_participant(p, name)
            yes = sum(1 for v in votes.values() if v == Vote.YES)
            no = sum(1 for v in votes.values() if v == Vote.NO)
            if yes == no:
                chair_vote = votes.get(self.chair) if self.chair else None
                require(
                    chair_vote in (Vote.YES, Vote.NO),
                    rules.CASTING_VOTE,
                    f"{yes}-{no}: the chair ({self.chair}) must have voted ja or nej",
                )
                casting = True
                yes_wins = chair_vote == Vote.YES
            else:
                yes_wins = yes > no
            outcome = proposals[0] if yes_wins else (proposals[1] if len(proposals) == 2 else None)
            require(
                adopted is None or adopted == outcome,
                rules.VOTE_OUTCOME,
                f"ja {yes}, nej {no}{' (casting vote)' if casting else ''}: "
                f"motion {outcome} was adopted, not {adopted}",
            )
        self.trigger_event(
            ev.ProcedureStepRecorded,
            paragraph=paragraph,
            number=len(p.procedure) + 1,
            description=description,
            proposals=list(proposals),
            outcome=outcome,
            votes={k: str(v) for k, v in votes.items()} if votes is not None else None,
            casting_vote=casting,
            occurred_on=self.meeting_date,
            by=by,
        )
        return p.procedure[-1]

    def check_decision(
        self, *, paragraph: int, kind: DecisionKind, higher_body: str | None, today: date
    ) -> Paragraph:
        """Refuse a decision before recording it on the case."""
        p = self._editable(paragraph)
        require(p.decision is None, rules.PARAGRAPH_DECIDED, f"§ {paragraph} is decided")
        require(
            (kind == DecisionKind.PROPOSED_TO_HIGHER_BODY) == (higher_body is not None)
            and higher_body != self.body,
            rules.HIGHER_BODY,
        )
        return p

    def decide(
        self,
        *,
        paragraph: int,
        kind: DecisionKind,
        text: str,
        higher_body: str | None,
        case_decision_number: int | None,
        by: Actor,
        today: date,
    ) -> None:
        """Record the paragraph's decision."""
        self.check_decision(paragraph=paragraph, kind=kind, higher_body=higher_body, today=today)
        self.trigger_event(
            ev.ParagraphDecided,
            paragraph=paragraph,
            kind=str(kind),
            text=text,
            higher_body=higher_body,
            case_decision_number=case_decision_number,
            occurred_on=self.meeting_date,
            by=by,
        )

    def enter_reservation(
        self, *, paragraph: int, member: str, reason: str | None, by: Actor, today: date
    ) -> None:
        """A member reserves against the decision (before the meeting closes, KL 4:27)."""
        p = self._editable(paragraph)
        require(not self.closed, rules.RESERVATION_AFTER_CLOSE, f"{self.ref} is closed")
        require(p.decision is not None, rules.PARAGRAPH_UNDECIDED, f"§ {paragraph} is undecided")
        self._require_participant(p, member)
        require(
            all(r.member != member for r in p.reservations),
            rules.RESERVATION_ENTERED,
            f"{member} already reserved in § {paragraph}",
        )
        self.trigger_event(
            ev.ReservationEntered,
            paragraph=paragraph,
            member=member,
            reason=reason,
            occurred_on=self.meeting_date,
            by=by,
        )

    def give_reservation_reason(
        self,
        *,
        paragraph: int,
        member: str,
        reason: str,
        given_on: date,
        by: Actor,
        today: date,
    ) -> None:
        """The written reason for a reservation, handed in before adjustment."""
        p = self._editable(paragraph)
        not_future(given_on, today, "given_on")
        require(
            any(r.member == member for r in p.reservations),
            rules.RESERVATION_UNKNOWN,
            f"{member} did not reserve in § {paragraph}",
        )
        self.trigger_event(
            ev.ReservationReasonGiven,
            paragraph=paragraph,
            member=member,
            reason=reason,
            occurred_on=max(given_on, self.meeting_date),
            by=by,
        )

    def declare_conflict(
        self, *, paragraph: int, member: str, note: str | None, by: Actor, today: date
    ) -> None:
        """A member declares a conflict of interest (jäv) and takes no part (KL 6:28-32)."""
        p = self._editable(paragraph)
        require(
            any(a.name == member and a.capacity != Capacity.OTHER for a in self.attendees),
            rules.MEMBER_NOT_PRESENT,
            f"{member} is not a member present at {self.ref}",
        )
        require(not p.conflicted(member), rules.CONFLICT_OF_INTEREST, f"{member} already did")
        require(
            not p.took_part(member),
            rules.CONFLICT_AFTER_PARTICIPATION,
            f"{member} already took part in § {paragraph}",
        )
        self.trigger_event(
            ev.ConflictOfInterestDeclared,
            paragraph=paragraph,
            member=member,
            note=note,
            occurred_on=self.meeting_date,
            by=by,
        )

    def enter_note(
        self, *, paragraph: int, authors: str, text: str, by: Actor, today: date
    ) -> None:
        """Enter a protocol note (protokollsanteckning)."""
        p = self._editable(paragraph)
        self.trigger_event(
            ev.ProtocolNoteEntered,
            paragraph=paragraph,
            number=len(p.notes) + 1,
            authors=authors,
            text=text,
            occurred_on=self.meeting_date,
            by=by,
        )

    def add_attachment(
        self,
        *,
        paragraph: int,
        title: str,
        kind: AttachmentKind,
        dnr: str | None,
        document_number: int | None,
        by: Actor,
        today: date,
    ) -> None:
        """Attach a document (bilaga) or list a decision basis (beslutsunderlag)."""
        p = self._editable(paragraph)
        self.trigger_event(
            ev.AttachmentAdded,
            paragraph=paragraph,
            number=len(p.attachments) + 1,
            title=title,
            kind=str(kind),
            dnr=dnr,
            document_number=document_number,
            occurred_on=self.meeting_date,
            by=by,
        )

    def list_extract_recipients(
        self, *, paragraph: int, recipients: list[str], by: Actor, today: date
    ) -> None:
        """Set who gets an extract of the paragraph."""
        self._editable(paragraph)
        self.trigger_event(
            ev.ExtractRecipientsListed,
            paragraph=paragraph,
            recipients=list(dict.fromkeys(recipients)),
            occurred_on=self.meeting_date,
            by=by,
        )

    def check_report(self, *, paragraph: int, today: date) -> Paragraph:
        return self._editable(paragraph)

    def list_delegated_decisions(
        self, *, paragraph: int, decisions: list[dict[str, Any]], by: Actor, today: date
    ) -> None:
        """Record the delegated decisions reported to the body under this paragraph."""
        self._editable(paragraph)
        self.trigger_event(
            ev.DelegatedDecisionsListed,
            paragraph=paragraph,
            decisions=decisions,
            occurred_on=self.meeting_date,
            by=by,
        )

    # -- closing, adjustment, posting -------------------------------------------------

    def close(self, *, closed_at: str | None, by: Actor, today: date) -> None:
        """The chair closes the meeting."""
        self._require_held(today)
        require(not self.closed, rules.MEETING_CLOSED, f"{self.ref} is closed")
        self.trigger_event(
            ev.MeetingClosed, closed_at=closed_at, occurred_on=self.meeting_date, by=by
        )

    def adjust_immediately(
        self, *, paragraph: int, signed_by: list[str], adjusted_on: date, by: Actor, today: date
    ) -> None:
        """Adjust one paragraph at once (omedelbar justering)."""
        p = self._editable(paragraph)
        require(p.decision is not None, rules.PARAGRAPH_UNDECIDED, f"§ {paragraph} is undecided")
        self._require_signatories(signed_by, adjusted_on, today)
        self.trigger_event(
            ev.ParagraphAdjustedImmediately,
            paragraph=paragraph,
            signed_by=list(dict.fromkeys(signed_by)),
            occurred_on=adjusted_on,
            by=by,
        )

    def adjust(self, *, signed_by: list[str], adjusted_on: date, by: Actor, today: date) -> None:
        """The chair and the adjusters sign the protocol (KL 5:69); lateness is recorded."""
        self._require_not_adjusted()
        require(self.closed, rules.MEETING_NOT_CLOSED, f"{self.ref} is not closed")
        undecided = [p.number for p in self.paragraphs if p.decision is None]
        require(
            not undecided,
            rules.PARAGRAPH_UNDECIDED,
            f"No decision in § {', '.join(map(str, undecided))}",
        )
        self._require_signatories(signed_by, adjusted_on, today)
        self.trigger_event(
            ev.ProtocolAdjusted,
            signed_by=list(dict.fromkeys(signed_by)),
            late=adjusted_on > self.adjustment_deadline,
            occurred_on=adjusted_on,
            by=by,
        )

    def post(self, *, posted_on: date, paragraph: int | None, by: Actor, today: date) -> None:
        """Post the adjustment on the notice board (KL 8:12): the appeal period starts."""
        not_future(posted_on, today, "posted_on")
        if paragraph is None:
            adjusted_on = self.adjusted_on
            require(self.posted_on is None, rules.PROTOCOL_POSTED, f"Posted {self.posted_on}")
        else:
            p = self.paragraph(paragraph)
            adjusted_on = p.immediately_adjusted_on
            require(
                p.own_posted_on is None and self.posted_on is None,
                rules.PROTOCOL_POSTED,
                f"§ {paragraph} is already posted",
            )
        require(
            adjusted_on is not None and posted_on >= adjusted_on,
            rules.POSTING_BEFORE_ADJUSTMENT,
            f"Adjusted on {adjusted_on}" if adjusted_on else "Not adjusted",
        )
        assert adjusted_on is not None
        self.trigger_event(
            ev.ProtocolPosted,
            paragraph=paragraph,
            late=posted_on > posting_deadline(adjusted_on),
            occurred_on=posted_on,
            by=by,
        )

    def certify_correction(
        self,
        *,
        paragraph: int,
        corrects: str,
        text: str,
        certified_by: list[str],
        certified_on: date,
        by: Actor,
        today: date,
    ) -> Correction:
        """Record a correction of an adjusted paragraph as a new, certified entry."""
        p = self.paragraph(paragraph)
        adjusted_on = self.paragraph_adjusted_on(p)
        require(
            adjusted_on is not None,
            rules.CORRECTION_BEFORE_ADJUSTMENT,
            f"§ {paragraph} is not adjusted; complete the draft instead",
        )
        assert adjusted_on is not None
        not_future(certified_on, today, "certified_on")
        require(certified_on >= adjusted_on, rules.CORRECTION_BEFORE_ADJUSTMENT)
        signatories = set(self.signed_by) | set(p.immediately_signed_by)
        certifiers = list(dict.fromkeys(certified_by))
        require(
            len(certifiers) >= 2 and set(certifiers) <= signatories,
            rules.CORRECTION_CERTIFIERS,
            f"Signatories of § {paragraph}: {', '.join(sorted(signatories))}",
        )
        self.trigger_event(
            ev.CorrectionCertified,
            number=len(self.corrections) + 1,
            paragraph=paragraph,
            corrects=corrects,
            text=text,
            certified_by=certifiers,
            occurred_on=certified_on,
            by=by,
        )
        return self.corrections[-1]

    def check_extract(self, *, paragraph: int, recipient: str, sent_on: date, today: date) -> None:
        """Refuse an extract before recording it on the case."""
        p = self.paragraph(paragraph)
        not_future(sent_on, today, "sent_on")
        adjusted_on = self.paragraph_adjusted_on(p)
        require(
            adjusted_on is not None and sent_on >= adjusted_on,
            rules.EXTRACT_BEFORE_ADJUSTMENT,
            f"§ {paragraph} adjusted on {adjusted_on}" if adjusted_on else "Not adjusted",
        )
        require(
            recipient in p.extract_recipients,
            rules.EXTRACT_RECIPIENT,
            f"§ {paragraph} goes to: {', '.join(p.extract_recipients) or 'nobody'}",
        )
        require(
            recipient not in p.extracts,
            rules.EXTRACT_ALREADY_SENT,
            f"Sent to {recipient} on {p.extracts.get(recipient)}",
        )

    def send_extract(
        self, *, paragraph: int, recipient: str, sent_on: date, by: Actor, today: date
    ) -> None:
        """Record an extract of an adjusted paragraph sent to a listed recipient."""
        self.check_extract(paragraph=paragraph, recipient=recipient, sent_on=sent_on, today=today)
        self.trigger_event(
            ev.ExtractSent, paragraph=paragraph, recipient=recipient, occurred_on=sent_on, by=by
        )

    # -- queries ----------------------------------------------------------------------

    def paragraph(self, number: int) -> Paragraph:
        found = next((p for p in self.paragraphs if p.number == number), None)
        if found is None:
            raise ParagraphNotFound(f"§ {number} of {self.ref}")
        return found

    def agenda_item(self, number: int) -> AgendaItem:
        if not 1 <= number <= len(self.agenda):
            raise AgendaItemNotFound(f"{number} of {self.ref}")
        return self.agenda[number - 1]

    def attendee(self, name: str) -> Attendee | None:
        return next((a for a in self.attendees if a.name == name), None)

    @property
    def status(self) -> str:
        if self.posted_on is not None:
            return MeetingStatus.POSTED
        if self.adjusted_on is not None:
            return MeetingStatus.ADJUSTED
        return MeetingStatus.CLOSED if self.closed else MeetingStatus.SCHEDULED

    @property
    def adjustment_deadline(self) -> date:
        return adjustment_deadline(self.meeting_date)

    @property
    def posting_deadline(self) -> date | None:
        return posting_deadline(self.adjusted_on) if self.adjusted_on else None

    @property
    def appeal_period_ends(self) -> date | None:
        return appeal_period_end(self.posted_on) if self.posted_on else None

    @property
    def legal_force_from(self) -> date | None:
        return legal_force_from(self.posted_on) if self.posted_on else None

    def paragraph_adjusted_on(self, p: Paragraph) -> date | None:
        return p.immediately_adjusted_on or self.adjusted_on

    def paragraph_posted_on(self, p: Paragraph) -> date | None:
        return p.own_posted_on or self.posted_on

    @property
    def unsent_extracts(self) -> list[dict[str, Any]]:
        return [
            {"paragraph": p.number, "recipient": r, "dnr": p.dnr}
            for p in self.paragraphs
            for r in p.unsent_extracts
        ]

    # -- internals --------------------------------------------------------------------

    def _require_held(self, today: date) -> None:
        not_future(self.meeting_date, today, "The meeting date")

    def _require_open(self) -> None:
        self._require_not_adjusted()
        require(not self.closed, rules.MEETING_CLOSED, f"{self.ref} is closed")

    def _require_not_adjusted(self) -> None:
        require(
            self.adjusted_on is None,
            rules.PROTOCOL_ADJUSTED,
            f"The protocol of {self.ref} was adjusted on {self.adjusted_on}",
        )

    def _editable(self, paragraph: int) -> Paragraph:
        p = self.paragraph(paragraph)
        self._require_not_adjusted()
        require(
            p.immediately_adjusted_on is None,
            rules.PROTOCOL_ADJUSTED,
            f"§ {paragraph} was adjusted immediately on {p.immediately_adjusted_on}",
        )
        return p

    def _require_participant(self, p: Paragraph, name: str) -> None:
        require(
            not p.conflicted(name),
            rules.CONFLICT_OF_INTEREST,
            f"{name} declared a conflict of interest in § {p.number}",
        )
        attendee = self.attendee(name)
        require(
            attendee is not None and attendee.serving_at(p.number),
            rules.MEMBER_NOT_PRESENT,
            f"{name} is not serving at § {p.number}",
        )

    def _require_signatories(self, signed_by: list[str], adjusted_on: date, today: date) -> None:
        not_future(adjusted_on, today, "adjusted_on")
        require(
            adjusted_on >= self.meeting_date,
            rules.ADJUSTMENT_DATE,
            f"{adjusted_on} is before the meeting ({self.meeting_date})",
        )
        needed = {self.chair, *self.adjusters} if self.chair else set()
        require(
            bool(self.chair) and bool(self.adjusters) and needed <= set(signed_by),
            rules.ADJUSTMENT_SIGNATORIES,
            "Signed by the chair and every elected adjuster: "
            + (", ".join(sorted(n for n in needed if n)) or "(no chair or adjusters recorded)"),
        )
        require(
            set(signed_by) <= needed,
            rules.ADJUSTMENT_SIGNATORIES,
            f"Only the chair and the adjusters sign: not {', '.join(set(signed_by) - needed)}",
        )

    # -- evolution --------------------------------------------------------------------

    @singledispatchmethod
    def when(self, event: Any) -> None:
        raise TypeError(f"Meeting cannot apply {type(event).__name__}")

    @when.register
    def _(self, event: ev.MeetingScheduled) -> None:
        self.ref = event.ref
        self.body = event.body
        self.meeting_date = event.meeting_date
        self.session = event.session
        self.place = event.place
        self.starts_at = event.starts_at
        self.scheduled_on = event.occurred_on
        self.agenda: list[AgendaItem] = []
        self.chair: str | None = None
        self.secretary: str | None = None
        self.attendees: list[Attendee] = []
        self.adjusters: list[str] = []
        self.adjustment_place: str | None = None
        self.planned_adjustment_date: date | None = None
        self.paragraphs: list[Paragraph] = []
        self.closed = False
        self.closed_at: str | None = None
        self.adjusted_on: date | None = None
        self.adjusted_late = False
        self.signed_by: list[str] = []
        self.posted_on: date | None = None
        self.posted_late = False
        self.corrections: list[Correction] = []

    @when.register
    def _(self, event: ev.AgendaItemAdded) -> None:
        self.agenda.append(AgendaItem(event.number, event.kind, event.title, event.dnr))

    @when.register
    def _(self, event: ev.AgendaItemWithdrawn) -> None:
        item = self.agenda[event.number - 1]
        item.withdrawn = True
        item.withdrawal_reason = event.reason

    @when.register
    def _(self, event: ev.AttendanceRecorded) -> None:
        self.chair = event.chair
        self.secretary = event.secretary
        self.attendees = [Attendee(**a) for a in event.attendees]

    @when.register
    def _(self, event: ev.AdjustersElected) -> None:
        self.adjusters = list(event.adjusters)
        self.adjustment_place = event.adjustment_place
        self.planned_adjustment_date = event.adjustment_date

    @when.register
    def _(self, event: ev.ParagraphRecorded) -> None:
        self.paragraphs.append(
            Paragraph(
                event.number, event.title, event.dnr, event.agenda_item,
                [dict(s) for s in event.sections],
            )
        )

    @when.register
    def _(self, event: ev.MotionMade) -> None:
        self.paragraph(event.paragraph).motions.append(
            Motion(event.number, event.mover, event.text, list(event.supporters))
        )

    @when.register
    def _(self, event: ev.ProcedureStepRecorded) -> None:
        self.paragraph(event.paragraph).procedure.append(
            Step(
                event.number, event.description, list(event.proposals), event.outcome,
                dict(event.votes) if event.votes is not None else None, event.casting_vote,
            )
        )

    @when.register
    def _(self, event: ev.ParagraphDecided) -> None:
        self.paragraph(event.paragraph).decision = ParagraphDecision(
            event.kind, event.text, event.higher_body, event.case_decision_number
        )

    @when.register
    def _(self, event: ev.ReservationEntered) -> None:
        self.paragraph(event.paragraph).reservations.append(
            Reservation(event.member, event.reason, event.occurred_on if event.reason else None)
        )

    @when.register
    def _(self, event: ev.ReservationReasonGiven) -> None:
        for reservation in self.paragraph(event.paragraph).reservations:
            if reservation.member == event.member:
                reservation.reason = event.reason
                reservation.reason_given_on = event.occurred_on

    @when.register
    def _(self, event: ev.ConflictOfInterestDeclared) -> None:
        self.paragraph(event.paragraph).conflicts.append(Conflict(event.member, event.note))

    @when.register
    def _(self, event: ev.ProtocolNoteEntered) -> None:
        self.paragraph(event.paragraph).notes.append(
            Note(event.number, event.authors, event.text)
        )

    @when.register
    def _(self, event: ev.AttachmentAdded) -> None:
        self.paragraph(event.paragraph).attachments.append(
            Attachment(event.number, event.title, event.kind, event.dnr, event.document_number)
        )

    @when.register
    def _(self, event: ev.ExtractRecipientsListed) -> None:
        self.paragraph(event.paragraph).extract_recipients = list(event.recipients)

    @when.register
    def _(self, event: ev.DelegatedDecisionsListed) -> None:
        self.paragraph(event.paragraph).delegated_decisions.extend(
            dict(d) for d in event.decisions
        )

    @when.register
    def _(self, event: ev.MeetingClosed) -> None:
        self.closed = True
        self.closed_at = event.closed_at

    @when.register
    def _(self, event: ev.ParagraphAdjustedImmediately) -> None:
        p = self.paragraph(event.paragraph)
        p.immediately_adjusted_on = event.occurred_on
        p.immediately_signed_by = list(event.signed_by)

    @when.register
    def _(self, event: ev.ProtocolAdjusted) -> None:
        self.adjusted_on = event.occurred_on
        self.signed_by = list(event.signed_by)
        self.adjusted_late = event.late

    @when.register
    def _(self, event: ev.ProtocolPosted) -> None:
        if event.paragraph is None:
            self.posted_on = event.occurred_on
            self.posted_late = event.late
        else:
            self.paragraph(event.paragraph).own_posted_on = event.occurred_on

    @when.register
    def _(self, event: ev.CorrectionCertified) -> None:
        correction = Correction(
            event.number, event.paragraph, event.corrects, event.text,
            list(event.certified_by), event.occurred_on,
        )
        self.corrections.append(correction)
        self.paragraph(event.paragraph).corrections.append(correction)

    @when.register
    def _(self, event: ev.ExtractSent) -> None:
        self.paragraph(event.paragraph).extracts[event.recipient] = event.occurred_on


def _attendee_data(attendee: Attendee) -> dict[str, Any]:
    return {
        "name": attendee.name,
        "capacity": str(attendee.capacity),
        "party": attendee.party,
        "replacing": attendee.replacing,
        "from_paragraph": attendee.from_paragraph,
        "to_paragraph": attendee.to_paragraph,
        "title": attendee.title,
    }
