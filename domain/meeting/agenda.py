"""The meeting's agenda (föredragningslista), attendance and the adjusters it elects."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from diarium.domain import rules
from diarium.domain.actor import Actor
from diarium.domain.aggregate import decides, evolves
from diarium.domain.body.aggregate import Body
from diarium.domain.events import meeting as ev
from diarium.domain.meeting import commands as mc
from diarium.domain.meeting.state import AgendaItem, Attendee, MeetingState
from diarium.domain.meeting.terms import Capacity, MemberRole
from diarium.domain.rules import happened_on, require


class Agenda(MeetingState):
    """The part of a meeting that keeps its agenda, attendance and adjusters."""

    def add_agenda_item(self, command: mc.AddAgendaItem, by: Actor, today: date) -> AgendaItem:
        """Put a case or a fixed item on the agenda (before the meeting closes); the case's
        own checks (open, for this body) are the application's, which loads it."""
        added_on = happened_on(command.added_on, today, "added_on")
        self._require_open()
        dnr = command.dnr
        if dnr is not None:
            require(
                all(i.dnr != dnr or i.withdrawn for i in self.agenda),
                rules.AGENDA_CASE_LISTED,
                f"{dnr} is already on the agenda of {self.ref}",
            )
        return self.record_next(
            self.agenda, ev.AgendaItemAdded, command, by,
            kind=str(command.kind),
            occurred_on=added_on,
        )

    @decides(mc.PublishMeetingNotice)
    def publish_notice(self, command: mc.PublishMeetingNotice, by: Actor, today: date) -> None:
        """Publish the notice (kallelse) with its agenda, once, no later than the meeting day
        (KL 5:10-13, 6:20); a place or start time it gives replaces the scheduled one."""
        published_on = happened_on(command.published_on, today, "published_on")
        require(
            self.notice_published_on is None,
            rules.NOTICE_PUBLISHED,
            f"The notice of {self.ref} was published on {self.notice_published_on}",
        )
        require(
            published_on <= self.meeting_date,
            rules.NOTICE_AFTER_MEETING,
            f"{self.ref} is held on {self.meeting_date}, before {published_on}",
            "published_on",
        )
        self.record(
            ev.MeetingNoticePublished, command, by,
            place=command.place or self.place,
            starts_at=command.starts_at or self.starts_at,
            occurred_on=published_on,
        )

    @decides(mc.WithdrawAgendaItem)
    def withdraw_agenda_item(
        self, command: mc.WithdrawAgendaItem, by: Actor, today: date
    ) -> None:
        """Take an item off the agenda (lyfts ut), e.g. when the agenda is approved."""
        number = command.number
        item = self.agenda_item(number)
        self._require_not_adjusted()
        require(not item.withdrawn, rules.AGENDA_ITEM_WITHDRAWN, f"Item {number} is withdrawn")
        self.record(
            ev.AgendaItemWithdrawn, command, by, occurred_on=min(self.meeting_date, today)
        )

    # -- attendance and adjusters -----------------------------------------------------

    def record_attendance(
        self, command: mc.RecordAttendance, body: Body, by: Actor, today: date
    ) -> None:
        """Record who attended and in what capacity (replaces earlier attendance); members
        and substitutes are checked against ``body``, the meeting's body."""
        self._require_held(today)
        self._require_not_adjusted()
        attendees = command.attendees
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
        chair = command.chair
        require(
            any(a.name == chair and Capacity(a.capacity).serving for a in attendees),
            rules.CHAIR_NOT_SERVING,
            f"{chair} is not a serving member at the meeting",
        )
        self._at_meeting(
            ev.AttendanceRecorded, command, by,
            attendees=[_attendee_data(a) for a in attendees],
        )

    @decides(mc.ElectAdjusters)
    def elect_adjusters(self, command: mc.ElectAdjusters, by: Actor, today: date) -> None:
        """Record the members elected to adjust the protocol with the chair."""
        self._require_held(today)
        self._require_not_adjusted()
        for name in command.adjusters:
            require(
                name != self.chair
                and any(a.name == name and Capacity(a.capacity).serving for a in self.attendees),
                rules.ADJUSTER_NOT_PRESENT,
                f"{name} is not a serving member present (other than the chair)",
            )
        self._at_meeting(
            ev.AdjustersElected, command, by,
            adjusters=list(dict.fromkeys(command.adjusters)),
        )

    # -- evolution --------------------------------------------------------------------

    @evolves(ev.MeetingNoticePublished)
    def _notice_published(self, event: ev.MeetingNoticePublished) -> None:
        self.notice_published_on = event.occurred_on
        self.place = event.place
        self.starts_at = event.starts_at

    @evolves(ev.AgendaItemAdded)
    def _agenda_item_added(self, event: ev.AgendaItemAdded) -> None:
        self.agenda.append(AgendaItem(event.number, event.kind, event.title, event.dnr))

    @evolves(ev.AgendaItemWithdrawn)
    def _agenda_item_withdrawn(self, event: ev.AgendaItemWithdrawn) -> None:
        item = self.agenda[event.number - 1]
        item.withdrawn = True
        item.withdrawal_reason = event.reason

    @evolves(ev.AttendanceRecorded)
    def _attendance_recorded(self, event: ev.AttendanceRecorded) -> None:
        self.chair = event.chair
        self.secretary = event.secretary
        self.attendees = [
            Attendee(**{**a, "capacity": Capacity(a["capacity"])}) for a in event.attendees
        ]

    @evolves(ev.AdjustersElected)
    def _adjusters_elected(self, event: ev.AdjustersElected) -> None:
        self.adjusters = list(event.adjusters)
        self.adjustment_place = event.adjustment_place
        self.planned_adjustment_date = event.adjustment_date


def _attendee_data(attendee: mc.AttendeeEntry) -> dict[str, Any]:
    return asdict(attendee) | {"capacity": str(attendee.capacity)}
