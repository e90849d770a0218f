"""Base classes shared by all diarium events, and what each event class declares about itself.

Besides its fields, every event class declares (as class attributes, read by the modules that
used to keep hand lists; tests/test_event_metadata.py fails naming an event that lacks one):

- ``label``: how it shows in a history (Swedish, e.g. "Handling registrerad");
- ``secrecy``: which entity its data is, for what a secrecy marking covers
  (:class:`Covered`; :data:`SAFE` when it carries nothing a marking covers; domain/secrecy.py);
- ``public``: its type in the public feed (:class:`Public`), or ``internal = True`` for a case
  event the feed skips (cases/outbound/feed.py); a meeting's or a body's event is published
  only when it declares ``public``. A published event's fields carry their documented meaning
  (``title: Annotated[str, "ärendemening"]``, or :data:`UNPUBLISHED` for one the payload leaves
  out); :func:`payload_fields` derives the payload's documentation from them;
- ``aggregate``: the kind of aggregate it belongs to, set once per module by
  :func:`events_defined` (every event class the module defines) or :func:`events_of`;
- ``sets`` (optional): the attributes of its aggregate it gives a new value, each from its
  field of the same name (the registers copy them: projections/registers/diary.py).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass, field
from datetime import date
from typing import Any, ClassVar

from eventsourcing.domain import Aggregate


@dataclass(frozen=True)
class Public:
    """An event's type in the public feed: its stable name and description. Its payload is the
    event's documented fields (:func:`payload_fields`), after ``about`` and before ``extra``:
    the fields the feed adds (what the meeting or body is, the cases concerned...), each
    payload field -> JSON type, a colon, its documented meaning."""

    name: str
    description: str
    _: KW_ONLY  # an old-style third argument (the payload's dict) fails loudly
    extra: Mapping[str, str] = field(default_factory=dict)
    about: Mapping[str, str] = field(default_factory=dict)


UNPUBLISHED = object()
"""Marks an event field the feed's payload leaves out: ``dnr: Annotated[str, UNPUBLISHED]``."""

_JSON_TYPES: dict[Any, str] = {
    str: "string", int: "integer", bool: "boolean", date: "date", dict: "object",
}


def json_type(hint: Any) -> str:
    """The documented JSON type of a field's Python type: ``str | None`` -> ``string|null``,
    ``list[int]`` -> ``array of integer``."""
    args = typing.get_args(hint)
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        (inner,) = [a for a in args if a is not type(None)]
        return f"{json_type(inner)}|null"
    if origin is list:
        return f"array of {json_type(args[0])}"
    return _JSON_TYPES[origin or hint]


def payload_fields(cls: type[EventMetadata]) -> dict[str, str]:
    """The documented payload of a published event class: payload field -> "JSON type:
    meaning", from ``public.about``, the class's own fields (``Annotated[type, "meaning"]``;
    a field without a meaning nor :data:`UNPUBLISHED` is a ``TypeError``), ``public.extra``."""
    public = cls.public
    assert public is not None, cls
    own: dict[str, str] = {}
    for name, hint in typing.get_type_hints(cls, include_extras=True).items():
        if name in _STAMPED:
            continue
        marks = getattr(hint, "__metadata__", ())
        meanings = [m for m in marks if isinstance(m, str)]
        if not meanings and UNPUBLISHED not in marks:
            raise TypeError(f"{cls.__name__}.{name}: published, but has no documented meaning")
        if meanings:
            own[name] = f"{json_type(typing.get_args(hint)[0])}: {meanings[0]}"
    return {**public.about, **own, **public.extra}


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


_STAMPED = frozenset(typing.get_type_hints(DiariumCreated))  # the library's, the stamp, metadata


def events_of(kind: str, *classes: type[DiariumEvent]) -> tuple[type[DiariumEvent], ...]:
    """Declare ``classes`` the events of aggregates of ``kind`` (``case``, ``meeting``…)."""
    for cls in classes:
        cls.aggregate = kind
    return classes


def events_defined(kind: str, namespace: dict[str, Any]) -> tuple[type[DiariumEvent], ...]:
    """The event classes a module defines (``namespace``: its ``globals()``), in the order it
    defines them, declared the events of aggregates of ``kind``: no list kept by hand."""
    module = namespace["__name__"]
    return events_of(kind, *(
        value for value in namespace.values()
        if isinstance(value, type) and issubclass(value, DiariumEvent)
        and value.__module__ == module
    ))
