"""Base classes shared by all diarium events, and what each event class declares about itself.

Besides its fields, every event class declares (as class attributes, read by the modules that
used to keep hand lists; tests/test_event_metadata.py fails naming an event that lacks one):

- ``label``: how it shows in a history (Swedish, e.g. "Handling registrerad");
- ``secrecy``: which entity its data is, for what a secrecy marking covers
  (:class:`Covered`; :data:`SAFE` when it carries nothing a marking covers; domain/secrecy.py);
- ``public``: its type in the public feed (:class:`Public`), or ``internal = True`` for a case
  event the feed skips (cases/outbound/feed.py); a meeting's or a body's event is published
  only when it declares ``public``;
- ``aggregate``: the kind of aggregate it belongs to, set once per module by :func:`events_of`;
- ``sets`` (optional): the attributes of its aggregate it gives a new value, each from its
  field of the same name (the registers copy them: projections/registers/diary.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from eventsourcing.domain import Aggregate


@dataclass(frozen=True)
class Public:
    """An event's type in the public feed: its stable name, description and payload fields
    (payload field -> JSON type, a colon, its documented meaning)."""

    name: str
    description: str
    fields: dict[str, str]


@dataclass(frozen=True)
class Covered:
    """Which entity an event's data is (a key of the marking tables in domain/secrecy.py);
    ``within`` names the field holding a list of such entities instead; ``entity`` ``None``:
    the event carries nothing a marking covers."""

    entity: str | None
    within: str | None = None


SAFE = Covered(None)


class EventMetadata:
    """What an event class declares about itself (not a dataclass: these are not fields)."""

    label: ClassVar[str | None] = None
    secrecy: ClassVar[Covered | None] = None
    public: ClassVar[Public | None] = None
    internal: ClassVar[bool] = False
    aggregate: ClassVar[str | None] = None
    sets: ClassVar[tuple[str, ...]] = ()


class DiariumEvent(Aggregate.Event, EventMetadata):
    """An event of a diarium aggregate.

    ``actor`` is who recorded it and ``request_id`` the request it came in;
    ``occurred_on`` is the business date it concerns, which may lie before the
    recording ``timestamp`` (historical cases, late entries).
    """

    actor: str
    request_id: str | None
    occurred_on: date

    def apply(self, aggregate: Any) -> None:
        """Hand the event to the aggregate's ``when`` dispatcher."""
        aggregate.when(self)


class DiariumCreated(Aggregate.Created, DiariumEvent):
    """The first event of a diarium aggregate."""


def events_of(kind: str, *classes: type[DiariumEvent]) -> tuple[type[DiariumEvent], ...]:
    """Declare ``classes`` the events of aggregates of ``kind`` (``case``, ``meeting``…)."""
    for cls in classes:
        cls.aggregate = kind
    return classes
