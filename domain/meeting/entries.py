"""What else is entered in a paragraph: reservations, conflicts of interest (jäv), protocol
notes, attachments, who gets an extract, and the delegated decisions reported under it."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from diarium.domain import rules
from diarium.domain.actor import Actor
from diarium.domain.aggregate import decides, evolves
from diarium.domain.events import meeting as ev
from diarium.domain.meeting import commands as mc
from diarium.domain.meeting.state import (
    Attachment,
    Conflict,
    MeetingState,
    Note,
    Paragraph,
    Reservation,
    Stance,
)
from diarium.domain.meeting.terms import Capacity
from diarium.domain.rules import not_future, require


class Entries(MeetingState):
    """The part of a meeting that records what members and the keeper enter in a paragraph."""

    @decides(mc.EnterReservation)
    def enter_reservation(self, command: mc.EnterReservation, by: Actor, today: date) -> None:
        """A member reserves against the decision (before the meeting closes, KL 4:27)."""
        paragraph, member = command.paragraph, command.member
        p = self._editable(paragraph)
        require(not self.closed, rules.RESERVATION_AFTER_CLOSE, f"{self.ref} is closed")
        require(p.decision is not None, rules.PARAGRAPH_UNDECIDED, f"§ {paragraph} is undecided")
        self._require_participant(p, member)
        require(
            all(r.member != member for r in p.reservations),
            rules.RESERVATION_ENTERED,
            f"{member} already reserved in § {paragraph}",
        )
        stance = p.stance(member)
        require(
            stance != Stance.ABSTAINED,
            rules.RESERVATION_ABSTAINED,
            f"{member} abstained from voting in § {paragraph}",
        )
        require(
            stance != Stance.FOR,
            rules.RESERVATION_SUPPORTED,
            f"{member} supported the decision in § {paragraph} (voted for the outcome, or "
            "moved or supported only motions adopted)",
        )
        self._at_meeting(ev.ReservationEntered, command, by)

    @decides(mc.GiveReservationReason)
    def give_reservation_reason(
        self, command: mc.GiveReservationReason, by: Actor, today: date
    ) -> None:
        """The written reason for a reservation, handed in before adjustment."""
        paragraph, member = command.paragraph, command.member
        given_on = command.given_on or today
        p = self._editable(paragraph)
        not_future(given_on, today, "given_on")
        require(
            any(r.member == member for r in p.reservations),
            rules.RESERVATION_UNKNOWN,
            f"{member} did not reserve in § {paragraph}",
        )
        self.record(
            ev.ReservationReasonGiven, command, by,
            occurred_on=max(given_on, self.meeting_date),
        )

    @decides(mc.DeclareConflict)
    def declare_conflict(self, command: mc.DeclareConflict, by: Actor, today: date) -> None:
        """A member declares a conflict of interest (jäv) and takes no part (KL 6:28-32)."""
        paragraph, member = command.paragraph, command.member
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
        self._at_meeting(ev.ConflictOfInterestDeclared, command, by)

    @decides(mc.EnterNote)
    def enter_note(self, command: mc.EnterNote, by: Actor, today: date) -> None:
        """Enter a protocol note (protokollsanteckning): the members its ``authors`` name
        (``note_authors``) must be serving and present at the paragraph, without jäv; a
        group ("Från socialdemokraternas ledamöter") is taken as written."""
        p = self._editable(command.paragraph)
        for name in note_authors(command.authors):
            self._require_participant(p, name)
        self._at_meeting(ev.ProtocolNoteEntered, command, by, number=len(p.notes) + 1)

    @decides(mc.AddAttachment)
    def add_attachment(self, command: mc.AddAttachment, by: Actor, today: date) -> None:
        """Attach a document (bilaga) or list a decision basis (beslutsunderlag)."""
        p = self._editable(command.paragraph)
        self._at_meeting(
            ev.AttachmentAdded, command, by,
            number=len(p.attachments) + 1,
            kind=str(command.kind),
        )

    @decides(mc.ListExtractRecipients)
    def list_extract_recipients(
        self, command: mc.ListExtractRecipients, by: Actor, today: date
    ) -> None:
        """Set who gets an extract of the paragraph."""
        self._editable(command.paragraph)
        self._at_meeting(
            ev.ExtractRecipientsListed, command, by,
            recipients=list(dict.fromkeys(command.recipients)),
        )

    def check_report(self, command: mc.ReportDelegatedDecisions, today: date) -> Paragraph:
        """Refuse a report of delegated decisions before the body marks them reported."""
        return self._editable(command.paragraph)

    def list_delegated_decisions(
        self,
        command: mc.ReportDelegatedDecisions,
        decisions: list[dict[str, Any]],
        by: Actor,
        today: date,
    ) -> None:
        """Record the delegated decisions reported to the body under the paragraph
        (``decisions``: as the body marked them reported)."""
        self._editable(command.paragraph)
        self._at_meeting(ev.DelegatedDecisionsListed, command, by, decisions=decisions)

    # -- evolution --------------------------------------------------------------------

    @evolves(ev.ReservationEntered)
    def _reservation_entered(self, event: ev.ReservationEntered) -> None:
        self.paragraph(event.paragraph).reservations.append(
            Reservation(event.member, event.reason, event.occurred_on if event.reason else None)
        )

    @evolves(ev.ReservationReasonGiven)
    def _reservation_reason_given(self, event: ev.ReservationReasonGiven) -> None:
        for reservation in self.paragraph(event.paragraph).reservations:
            if reservation.member == event.member:
                reservation.reason = event.reason
                reservation.reason_given_on = event.occurred_on

    @evolves(ev.ConflictOfInterestDeclared)
    def _conflict_declared(self, event: ev.ConflictOfInterestDeclared) -> None:
        self.paragraph(event.paragraph).conflicts.append(Conflict(event.member, event.note))

    @evolves(ev.ProtocolNoteEntered)
    def _note_entered(self, event: ev.ProtocolNoteEntered) -> None:
        self.paragraph(event.paragraph).notes.append(
            Note(event.number, event.authors, event.text)
        )

    @evolves(ev.AttachmentAdded)
    def _attachment_added(self, event: ev.AttachmentAdded) -> None:
        self.paragraph(event.paragraph).attachments.append(
            Attachment(event.number, event.title, event.kind, event.dnr, event.document_number)
        )

    @evolves(ev.ExtractRecipientsListed)
    def _extract_recipients_listed(self, event: ev.ExtractRecipientsListed) -> None:
        self.paragraph(event.paragraph).extract_recipients = list(event.recipients)

    @evolves(ev.DelegatedDecisionsListed)
    def _delegated_decisions_listed(self, event: ev.DelegatedDecisionsListed) -> None:
        self.paragraph(event.paragraph).delegated_decisions.extend(
            dict(d) for d in event.decisions
        )


_AUTHOR_SEPARATOR = re.compile(r"\s*,\s*|\s+(?:och|samt)\s+")
_PARTY = re.compile(r"\s*\([^)]*\)\s*$")


def note_authors(authors: str) -> list[str]:
    """The persons a protocol note's ``authors`` names: "Anders Öberg (S)", "A (S) och B
    (V)"; a part of two or more capitalised words (the party in brackets dropped) is a
    person's name, anything else ("Från socialdemokraternas ledamöter", "S") a group."""
    names = [_PARTY.sub("", part).strip() for part in _AUTHOR_SEPARATOR.split(authors.strip())]
    return [
        name for name in names
        if len(words := name.split()) >= 2 and all(w[:1].isupper() for w in words)
    ]
