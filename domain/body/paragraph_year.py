"""The paragraph counter: the § numbers a body used in one year, continuous across its
meetings (the body's paragraphs are numbered on through the year)."""

from __future__ import annotations

from datetime import date

from diarium.domain import rules
from diarium.domain.actor import Actor
from diarium.domain.aggregate import DiariumAggregate, evolves
from diarium.domain.events import body as ev
from diarium.domain.meeting.terms import paragraph_year_id
from diarium.domain.rules import require


class ParagraphYear(DiariumAggregate):
    """The § numbers a body used in one year: continuous across its meetings."""

    @classmethod
    def open(
        cls, *, body: str, year: int, last_number: int, opened_on: date, by: Actor
    ) -> ParagraphYear:
        return cls._create_by(
            ev.ParagraphYearOpened,
            id=paragraph_year_id(body, year),
            body=body,
            year=year,
            last_number=last_number,
            occurred_on=opened_on,
            by=by,
        )

    def allocate(
        self, *, meeting: str, meeting_date: date, meeting_last: int | None, by: Actor
    ) -> int:
        """The next § for a paragraph of ``meeting`` (whose last § so far is ``meeting_last``)."""
        if meeting_last is not None:
            require(
                meeting_last == self.last_number,
                rules.PARAGRAPH_ORDER,
                f"{self.body} has used § {self.last_number} at a later meeting "
                f"({self.last_meeting}); {meeting} ended at § {meeting_last}",
            )
        else:
            require(
                self.last_meeting_date is None or meeting_date >= self.last_meeting_date,
                rules.PARAGRAPH_ORDER,
                f"{self.body} has paragraphs of a later meeting ({self.last_meeting})",
            )
        number = self.last_number + 1
        self.trigger_event(
            ev.ParagraphNumberAllocated,
            number=number,
            meeting=meeting,
            meeting_date=meeting_date,
            occurred_on=meeting_date,
            by=by,
        )
        return number

    def record_historical(
        self, *, number: int, dnr: str, source: str, decided_on: date, by: Actor
    ) -> None:
        """Take § ``number`` for a historical decision (used before this system) on ``dnr``:
        unique among the year's historical §§ and before the §§ this system's meetings
        numbered. While no meeting has numbered any, the system's numbering moves on past it
        (the year's §§ run on after those used before)."""
        taken = self.historical.get(number)
        require(
            taken is None,
            rules.PARAGRAPH_TAKEN,
            f"{self.body} § {number}/{self.year} is already recorded (historical, case {taken})",
            "paragraph",
        )
        meeting = self.numbered.get(number)
        require(
            meeting is None,
            rules.PARAGRAPH_TAKEN,
            f"{self.body} § {number}/{self.year} was numbered at the meeting {meeting}",
            "paragraph",
        )
        require(
            self.last_meeting is None or number < self.first_number,
            rules.PARAGRAPH_TAKEN,
            f"{self.body} numbers its {self.year} paragraphs in this system from "
            f"§ {self.first_number}: § {number} is a meeting's, not a historical one",
            "paragraph",
        )
        self.trigger_event(
            ev.HistoricalParagraphRecorded,
            number=number, dnr=dnr, source=source, occurred_on=decided_on, by=by,
        )

    @evolves(ev.ParagraphYearOpened)
    def _opened(self, event: ev.ParagraphYearOpened) -> None:
        self.body = event.body
        self.year = event.year
        self.first_number = event.last_number + 1
        self.last_number = event.last_number
        self.last_meeting: str | None = None
        self.last_meeting_date: date | None = None
        self.numbered: dict[int, str] = {}  # § → the meeting that numbered it
        self.historical: dict[int, str] = {}  # § → the case of its historical decision

    @evolves(ev.ParagraphNumberAllocated)
    def _allocated(self, event: ev.ParagraphNumberAllocated) -> None:
        self.last_number = event.number
        self.last_meeting = event.meeting
        self.last_meeting_date = event.meeting_date
        self.numbered[event.number] = event.meeting

    @evolves(ev.HistoricalParagraphRecorded)
    def _historical(self, event: ev.HistoricalParagraphRecorded) -> None:
        self.historical[event.number] = event.dnr
        if self.last_meeting is None and event.number > self.last_number:
            self.last_number = event.number
            self.first_number = event.number + 1
