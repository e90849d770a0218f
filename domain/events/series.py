"""Events of a dnr series year: the counter that hands out diarienummer."""

from __future__ import annotations

from diarium.domain.events.base import DiariumCreated, DiariumEvent


class SeriesYearOpened(DiariumCreated):
    """A series began numbering for a year (the sequence restarts each year)."""

    series: str
    year: int


class SequenceAllocated(DiariumEvent):
    """A sequence number was handed out to a new case."""

    sequence: int


class SequenceClaimed(DiariumEvent):
    """A migrated case took a number of this year; the counter will never hand it out."""

    sequence: int
