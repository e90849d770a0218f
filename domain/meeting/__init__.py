"""The meeting (sammanträde): its records (state.py) and the aggregate (aggregate.py),
written in parts: agenda and attendance, paragraphs and decisions, entries in a paragraph,
the protocol after the meeting. ``Meeting`` is also stored under this package's name."""

from diarium.domain.meeting.aggregate import Meeting
from diarium.domain.meeting.state import (
    AgendaItem,
    Attachment,
    Attendee,
    Conflict,
    Correction,
    MeetingStatus,
    Motion,
    Note,
    Paragraph,
    ParagraphDecision,
    Reservation,
    Step,
)

__all__ = [
    "AgendaItem", "Attachment", "Attendee", "Conflict", "Correction", "Meeting", "MeetingStatus",
    "Motion", "Note", "Paragraph", "ParagraphDecision", "Reservation", "Step",
]
