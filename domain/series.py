"""The dnr counter: one aggregate per series and year, so numbers are unique and gapless.

Allocation and case registration are saved in one atomic write; two writers racing for
the same number collide on the counter's next version, and the loser retries.
"""

from __future__ import annotations

from datetime import date

from diarium.domain.actor import Actor
from diarium.domain.aggregate import DiariumAggregate, evolves
from diarium.domain.dnr import series_year_id
from diarium.domain.events import series as ev


class SeriesYear(DiariumAggregate):
    """The numbers handed out in one series in one year."""

    @classmethod
    def open(cls, *, series: str, year: int, opened_on: date, by: Actor) -> SeriesYear:
        return cls._create_by(
            ev.SeriesYearOpened,
            id=series_year_id(series, year),
            series=series,
            year=year,
            occurred_on=opened_on,
            by=by,
        )

    def next_sequence(self) -> int:
        """The number ``allocate`` would hand out now (nothing is recorded)."""
        sequence = self.last_sequence + 1
        while sequence in self.claimed:
            sequence += 1
        return sequence

    def allocate(self, *, allocated_on: date, by: Actor) -> int:
        """Hand out the next free sequence number."""
        sequence = self.next_sequence()
        self.trigger_event(
            ev.SequenceAllocated, sequence=sequence, occurred_on=allocated_on, by=by
        )
        return sequence

    def claim(self, *, sequence: int, claimed_on: date, by: Actor) -> None:
        """Keep a migrated case's number from ever being handed out."""
        if sequence > self.last_sequence and sequence not in self.claimed:
            self.trigger_event(
                ev.SequenceClaimed, sequence=sequence, occurred_on=claimed_on, by=by
            )

    @evolves(ev.SeriesYearOpened)
    def _opened(self, event: ev.SeriesYearOpened) -> None:
        self.series = event.series
        self.year = event.year
        self.last_sequence = 0
        self.claimed: list[int] = []  # numbers above last_sequence taken by migration

    @evolves(ev.SequenceAllocated)
    def _allocated(self, event: ev.SequenceAllocated) -> None:
        self.last_sequence = event.sequence
        self.claimed = [s for s in self.claimed if s > event.sequence]

    @evolves(ev.SequenceClaimed)
    def _claimed(self, event: ev.SequenceClaimed) -> None:
        self.claimed.append(event.sequence)
