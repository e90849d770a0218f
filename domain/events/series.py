"""Events of a dnr series year: the counter that hands out diarienummer."""

from __future__ import annotations

from diarium.domain.events.base import SAFE, DiariumCreated, DiariumEvent, events_defined


class SeriesYearOpened(DiariumCreated):
    """A series began numbering for a year (the sequence restarts each year)."""

    label = "Diarieserie öppnad för året"
    secrecy = SAFE

    series: str
    year: int


class SequenceAllocated(DiariumEvent):
    """A sequence number was handed out to a new case."""

    label = "Löpnummer tilldelat"
    secrecy = SAFE

    sequence: int


class SequenceClaimed(DiariumEvent):
    """A migrated case took a number of this year; the counter will never hand it out."""

    label = "Löpnummer övertaget"
    secrecy = SAFE

    sequence: int


SERIES_EVENTS: tuple[type[DiariumEvent], ...] = events_defined("series_year", globals())
