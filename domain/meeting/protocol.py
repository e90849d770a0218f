"""The protocol after the meeting: closing, adjustment (justering, whole or one paragraph at
once), posting on the notice board, certified corrections and extracts sent."""

from __future__ import annotations

from datetime import date
from typing import Any

from diarium.domain import rules
from diarium.domain.actor import Actor
from diarium.domain.aggregate import decides, evolves
from diarium.domain.events import meeting as ev
from diarium.domain.meeting import commands as mc
from diarium.domain.meeting.state import Correction, MeetingState
from diarium.domain.meeting.terms import posting_deadline
from diarium.domain.rules import happened_on, not_future, require


class Protocol(MeetingState):
    """The part of a meeting that closes it and adjusts, posts and corrects its protocol."""

    @decides(mc.CloseMeeting)
    def close(self, command: mc.CloseMeeting, by: Actor, today: date) -> None:
        """The chair closes the meeting."""
        self._require_held(today)
        require(not self.closed, rules.MEETING_CLOSED, f"{self.ref} is closed")
        self._at_meeting(ev.MeetingClosed, command, by)

    @decides(mc.AdjustParagraphImmediately)
    def adjust_immediately(
        self, command: mc.AdjustParagraphImmediately, by: Actor, today: date
    ) -> None:
        """Adjust one paragraph at once (omedelbar justering)."""
        paragraph, adjusted_on = command.paragraph, command.adjusted_on or today
        p = self._editable(paragraph)
        require(p.decision is not None, rules.PARAGRAPH_UNDECIDED, f"§ {paragraph} is undecided")
        self._record_adjustment(ev.ParagraphAdjustedImmediately, command, by, adjusted_on, today)

    @decides(mc.AdjustProtocol)
    def adjust(self, command: mc.AdjustProtocol, by: Actor, today: date) -> None:
        """The chair and the adjusters sign the protocol (KL 5:69); lateness is recorded."""
        adjusted_on = command.adjusted_on or today
        self._require_not_adjusted()
        require(self.closed, rules.MEETING_NOT_CLOSED, f"{self.ref} is not closed")
        undecided = [p.number for p in self.paragraphs if p.decision is None]
        require(
            not undecided,
            rules.PARAGRAPH_UNDECIDED,
            f"No decision in § {', '.join(map(str, undecided))}",
        )
        self._record_adjustment(
            ev.ProtocolAdjusted, command, by, adjusted_on, today,
            late=adjusted_on > self.adjustment_deadline,
        )

    def _record_adjustment(
        self,
        event_class: type[ev.ParagraphAdjustedImmediately | ev.ProtocolAdjusted],
        command: mc.AdjustParagraphImmediately | mc.AdjustProtocol,
        by: Actor,
        adjusted_on: date,
        today: date,
        **values: Any,
    ) -> None:
        """Record an adjustment on ``adjusted_on``, signed by the chair and the adjusters
        (each once, in the order the command names them)."""
        self._require_signatories(command.signed_by, adjusted_on, today)
        self.record(
            event_class, command, by,
            signed_by=list(dict.fromkeys(command.signed_by)),
            occurred_on=adjusted_on,
            **values,
        )

    @decides(mc.PostProtocol)
    def post(self, command: mc.PostProtocol, by: Actor, today: date) -> None:
        """Post the adjustment on the notice board (KL 8:12): the appeal period starts."""
        paragraph = command.paragraph
        posted_on = happened_on(command.posted_on, today, "posted_on")
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
        self.record(
            ev.ProtocolPosted, command, by,
            late=posted_on > posting_deadline(adjusted_on),
            occurred_on=posted_on,
        )

    @decides(mc.CertifyCorrection)
    def certify_correction(
        self, command: mc.CertifyCorrection, by: Actor, today: date
    ) -> Correction:
        """Record a correction of an adjusted paragraph as a new, certified entry."""
        certified_on = happened_on(command.certified_on, today, "certified_on")
        p = self.paragraph(command.paragraph)
        adjusted_on = self.paragraph_adjusted_on(p)
        require(
            adjusted_on is not None,
            rules.CORRECTION_BEFORE_ADJUSTMENT,
            f"§ {p.number} is not adjusted; complete the draft instead",
        )
        assert adjusted_on is not None
        require(certified_on >= adjusted_on, rules.CORRECTION_BEFORE_ADJUSTMENT)
        signatories = set(self.signed_by) | set(p.immediately_signed_by)
        certifiers = list(dict.fromkeys(command.certified_by))
        require(
            len(certifiers) >= 2 and set(certifiers) <= signatories,
            rules.CORRECTION_CERTIFIERS,
            f"Signatories of § {p.number}: {', '.join(sorted(signatories))}",
        )
        return self.record_next(
            self.corrections, ev.CorrectionCertified, command, by,
            certified_by=certifiers,
            occurred_on=certified_on,
        )

    def check_extract(self, command: mc.SendExtract, today: date) -> date:
        """Refuse an extract before recording it on the case; the day it was sent."""
        paragraph, recipient = command.paragraph, command.recipient
        sent_on = command.sent_on or today
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
        return sent_on

    def send_extract(self, command: mc.SendExtract, by: Actor, today: date) -> None:
        """Record an extract of an adjusted paragraph sent to a listed recipient (the
        application records it on the paragraph's case too)."""
        sent_on = self.check_extract(command, today)
        self.record(ev.ExtractSent, command, by, occurred_on=sent_on)

    # -- evolution --------------------------------------------------------------------

    @evolves(ev.MeetingClosed)
    def _closed(self, event: ev.MeetingClosed) -> None:
        self.closed = True
        self.closed_at = event.closed_at

    @evolves(ev.ParagraphAdjustedImmediately)
    def _adjusted_immediately(self, event: ev.ParagraphAdjustedImmediately) -> None:
        p = self.paragraph(event.paragraph)
        p.immediately_adjusted_on = event.occurred_on
        p.immediately_signed_by = list(event.signed_by)

    @evolves(ev.ProtocolAdjusted)
    def _adjusted(self, event: ev.ProtocolAdjusted) -> None:
        self.adjusted_on = event.occurred_on
        self.signed_by = list(event.signed_by)
        # judged by today's rule from the recorded date, not the flag judged when recorded
        # (an event from before lag 1930:173 was applied may say late where it was not)
        self.adjusted_late = event.occurred_on > self.adjustment_deadline

    @evolves(ev.ProtocolPosted)
    def _posted(self, event: ev.ProtocolPosted) -> None:
        if event.paragraph is None:
            self.posted_on = event.occurred_on
            self.posted_late = (  # as for adjusted_late: by the rule, from the dates
                self.adjusted_on is not None
                and event.occurred_on > posting_deadline(self.adjusted_on)
            )
        else:
            self.paragraph(event.paragraph).own_posted_on = event.occurred_on

    @evolves(ev.CorrectionCertified)
    def _correction_certified(self, event: ev.CorrectionCertified) -> None:
        correction = Correction(
            event.number, event.paragraph, event.corrects, event.text,
            list(event.certified_by), event.occurred_on,
        )
        self.corrections.append(correction)
        self.paragraph(event.paragraph).corrections.append(correction)

    @evolves(ev.ExtractSent)
    def _extract_sent(self, event: ev.ExtractSent) -> None:
        self.paragraph(event.paragraph).extracts[event.recipient] = event.occurred_on
