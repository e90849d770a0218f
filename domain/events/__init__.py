"""Domain events: immutable facts in the past tense, versioned with ``class_version``.

Every event carries ``actor`` (who recorded it) and ``occurred_on`` (the business date
it concerns); the library adds ``timestamp`` (when it was recorded). What else belongs to an
event (its history label, what secrecy covers of it, its public feed type) is declared on its
class (base.py); the lists other modules keep are derived from :data:`EVENT_CLASSES`.
"""

from __future__ import annotations

from diarium.domain.events.access import ACCESS_EVENTS
from diarium.domain.events.base import DiariumEvent
from diarium.domain.events.body import BODY_EVENTS
from diarium.domain.events.case import CASE_EVENTS
from diarium.domain.events.meeting import MEETING_EVENTS
from diarium.domain.events.series import SERIES_EVENTS

EVENT_CLASSES: tuple[type[DiariumEvent], ...] = (
    *CASE_EVENTS, *MEETING_EVENTS, *BODY_EVENTS, *SERIES_EVENTS, *ACCESS_EVENTS,
)
