"""What every part of the meeting aggregate shares: the records a meeting holds (agenda
items, attendees, paragraphs and what is entered in them), its state as scheduled, what can
be read from it, and the checks several parts make."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from diarium.domain import rules
from diarium.domain.actor import Actor
from diarium.domain.aggregate import DiariumAggregate, evolves
from diarium.domain.events import meeting as ev
from diarium.domain.meeting.commands import AttendeeEntry
from diarium.domain.meeting.terms import (
    AgendaItemNotFound,
    ParagraphNotFound,
    Vote,
    adjustment_deadline,
    appeal_period_end,
    legal_force_from,
    posting_deadline,
)
from diarium.domain.rules import not_future, require


class Stance(StrEnum):
    """Where a member stood on a paragraph's decision (``Paragraph.stance``)."""

    AGAINST = "against"
    ABSTAINED = "abstained"
    FOR = "for"
    NONE = "none"


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


@dataclass(frozen=True)
class Attendee(AttendeeEntry):
    """Someone at the meeting, as the attendance recorded them (one entry of it)."""

    def serving_at(self, paragraph: int) -> bool:
        return self.capacity.serving and self.present_at(paragraph)

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

    @property
    def yes_won(self) -> bool:
        """Whether *ja* (for the first motion put) carried the step."""
        return self.outcome is not None and self.outcome == self.proposals[0]


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

    def stance(self, member: str) -> Stance:
        """Where ``member`` stood on the decision, as the paragraph shows it (KL 4:27): a vote
        on the losing side, or a motion moved or supported that the last step putting it did
        not adopt, is *against*; else an abstention is *abstained*; else a vote on the winning
        side, or a motion adopted, is *for*; else (a decision by acclamation) *none*."""
        last = {n: s.outcome for s in self.procedure for n in s.proposals}  # the latest wins
        own = [m.number for m in self.motions if m.mover == member or member in m.supporters]
        votes = [(s, s.votes[member]) for s in self.procedure if s.votes and member in s.votes]
        cast = [(v == Vote.YES) == s.yes_won for s, v in votes if v != Vote.ABSTAIN]
        if any(n in last and last[n] != n for n in own) or not all(cast):
            return Stance.AGAINST
        if len(cast) < len(votes):
            return Stance.ABSTAINED
        if cast or any(last.get(n) == n for n in own):
            return Stance.FOR
        return Stance.NONE

    @property
    def unsent_extracts(self) -> list[str]:
        return [r for r in self.extract_recipients if r not in self.extracts]


class MeetingState(DiariumAggregate):
    """The meeting as scheduled, what can be read from it and the shared checks; the parts
    of :class:`~diarium.domain.meeting.aggregate.Meeting` decide commands on it."""

    @evolves(ev.MeetingScheduled)
    def _scheduled(self, event: ev.MeetingScheduled) -> None:
        self.ref = event.ref
        self.body = event.body
        self.meeting_date = event.meeting_date
        self.session = event.session
        self.place = event.place
        self.starts_at = event.starts_at
        self.scheduled_on = event.occurred_on
        self.migrated_source = event.migrated_source
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
        self.legal_force: dict[int, date] = {}  # § -> first day of legal force recorded
        self.notice_published_on: date | None = None  # the kallelse (MeetingNoticePublished)

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

    def _at_meeting(
        self, event_class: type[Any], command: object, by: Actor, **values: Any
    ) -> None:
        """Record what was done at the meeting, dated the meeting's date (the event's other
        fields as :meth:`~diarium.domain.aggregate.DiariumAggregate.record` fills them)."""
        self.record(event_class, command, by, occurred_on=self.meeting_date, **values)

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
