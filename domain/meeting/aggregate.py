"""The meeting aggregate: agenda, attendance and the protocol, paragraph by paragraph.

Every rule of the decision process that concerns one meeting is enforced here: who may
take part in a paragraph, how a vote is decided, when reservations can be entered, and
that an adjusted protocol is never changed (only corrected by certified entries). The
aggregate is written in parts, one module per topic; :class:`Meeting` combines them.
"""

from __future__ import annotations

from datetime import date

from diarium.domain import rules
from diarium.domain.actor import Actor
from diarium.domain.events import meeting as ev
from diarium.domain.meeting import commands as mc
from diarium.domain.meeting.agenda import Agenda
from diarium.domain.meeting.entries import Entries
from diarium.domain.meeting.legal_force import LegalForce
from diarium.domain.meeting.paragraphs import Paragraphs
from diarium.domain.meeting.protocol import Protocol
from diarium.domain.meeting.state import MeetingStatus as S
from diarium.domain.meeting.terms import meeting_id, meeting_ref
from diarium.domain.migration import source_of
from diarium.domain.rules import DateRequired, happened_on, require

# The commands a meeting takes only in some of its statuses; any other status refuses them by
# a rule of the process (meeting-closed, protocol-adjusted, meeting-not-closed, …):
# tests/test_meeting_takes.py. A paragraph adjusted at once may be posted and corrected
# before the rest (``takes``).
BEFORE_ADJUSTMENT = frozenset({S.SCHEDULED, S.CLOSED})
TAKEN_ONLY_WHEN: dict[type, frozenset[str]] = {
    **dict.fromkeys((mc.AddAgendaItem, mc.AddAgendaItems, mc.EnterReservation,
                     mc.CloseMeeting), frozenset({S.SCHEDULED})),
    mc.AdjustProtocol: frozenset({S.CLOSED}),
    **dict.fromkeys((mc.WithdrawAgendaItem, mc.RecordAttendance, mc.ElectAdjusters,
                     mc.RecordParagraph, mc.MakeMotion, mc.RecordProcedureStep,
                     mc.DecideParagraph, mc.GiveReservationReason, mc.DeclareConflict,
                     mc.EnterNote, mc.AddAttachment, mc.ListExtractRecipients,
                     mc.ReportDelegatedDecisions, mc.AdjustParagraphImmediately),
                    BEFORE_ADJUSTMENT),
    mc.PostProtocol: frozenset({S.ADJUSTED}),
    mc.CertifyCorrection: frozenset({S.ADJUSTED, S.POSTED}),
}


class Meeting(Agenda, Paragraphs, Entries, Protocol, LegalForce):
    """A meeting (sammanträde) of a body, with its agenda and its protocol."""

    def takes(self, command_type: type) -> bool:
        """Whether the meeting, in its status, takes a command of ``command_type`` at all
        (the command's other rules are checked when it is given)."""
        if command_type is mc.PublishMeetingNotice and self.notice_published_on is not None:
            return False
        if command_type in (mc.PostProtocol, mc.CertifyCorrection) and any(
            p.immediately_adjusted_on is not None for p in self.paragraphs
        ):
            return command_type is mc.CertifyCorrection or self.status != S.POSTED
        statuses = TAKEN_ONLY_WHEN.get(command_type)
        return statuses is None or self.status in statuses

    @classmethod
    def schedule(cls, command: mc.ScheduleMeeting, by: Actor, today: date) -> Meeting:
        """The meeting ``command`` schedules (its ref made from body, date and session)."""
        ref = meeting_ref(command.body, command.date, command.session)
        if command.scheduled_on is None and command.date < today:
            raise DateRequired("scheduled_on", f"A meeting held before today ({ref})")
        scheduled_on = happened_on(
            command.scheduled_on, today, "scheduled_on", migrated=command.migrated is not None
        )
        require(
            scheduled_on <= command.date,
            rules.SCHEDULED_AFTER_MEETING,
            f"{ref} is held on {command.date}, before scheduled_on {scheduled_on}",
            "scheduled_on",
        )
        return cls._create_by(
            ev.MeetingScheduled,
            id=meeting_id(ref),
            ref=ref,
            body=command.body,
            meeting_date=command.date,
            session=command.session,
            place=command.place,
            starts_at=command.starts_at,
            migrated_source=source_of(command.migrated),
            occurred_on=scheduled_on,
            by=by,
        )
