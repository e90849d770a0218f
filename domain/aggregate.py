"""Base aggregate: stamps every event with its actor and originating request, and knows which
of its methods decides which command (:func:`decides`) and which applies which event
(:func:`evolves`), so an aggregate can be written in parts, one module per topic. Commands
themselves are declared with :func:`command`; a decider records an event with
:meth:`DiariumAggregate.record`, which takes the event's fields from its command by name (the
next of a numbered list: :meth:`DiariumAggregate.record_next`; one of them: :func:`numbered`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from functools import cache
from typing import Any, TypeVar, dataclass_transform
from uuid import UUID

from eventsourcing.domain import Aggregate

from diarium.domain.actor import Actor
from diarium.domain.rules import Rule, require

Method = TypeVar("Method", bound=Callable[..., Any])
Command = TypeVar("Command", bound=type)
Item = TypeVar("Item")


@dataclass_transform(frozen_default=True)
def command(cls: Command) -> Command:
    """Declare a command: validated input, not yet a fact, as a frozen dataclass whose fields
    come in the order callers pass them (those of a base naming its target first)."""
    return dataclass(frozen=True)(cls)


def decides(command: type) -> Callable[[Method], Method]:
    """Mark an aggregate method as the one that decides ``command``: it is called as
    ``method(aggregate, command, by, today)`` (``Diarium.handle`` dispatches by command type)."""

    def mark(method: Method) -> Method:
        method.decides = command  # type: ignore[attr-defined]
        return method

    return mark


def evolves(event: type) -> Callable[[Method], Method]:
    """Mark an aggregate method as the one that applies ``event`` to the aggregate's state:
    it is called as ``method(aggregate, event)`` (by :meth:`DiariumAggregate.when`)."""

    def mark(method: Method) -> Method:
        method.evolves = event  # type: ignore[attr-defined]
        return method

    return mark


_STAMPED = frozenset(
    {f.name for f in fields(Aggregate.Created)} | {"actor", "request_id", "occurred_on"}
)


@cache
def _own_fields(event_class: type) -> tuple[str, ...]:
    """The fields ``event_class`` declares itself: all but the library's (originator, version,
    timestamp, topic), the stamp (``actor``, ``request_id``) and ``occurred_on``."""
    return tuple(f.name for f in fields(event_class) if f.name not in _STAMPED)


def _marked(cls: type, mark: str) -> dict[type, Callable[..., Any]]:
    """What the methods of ``cls`` (and its bases) marked with ``mark`` are marked for."""
    return {
        getattr(method, mark): method
        for klass in reversed(cls.__mro__)
        for method in vars(klass).values()
        if hasattr(method, mark)
    }


def numbered(items: Sequence[Item], number: int, unknown: Rule, message: str) -> Item:
    """Item ``number`` of ``items`` (numbered from 1 in the order recorded), refused with
    ``unknown`` (``message``) when there is no such item."""
    require(1 <= number <= len(items), unknown, message)
    return items[number - 1]


class DiariumAggregate(Aggregate):
    """An aggregate whose events record who caused them (``by``)."""

    @classmethod
    def deciders(cls) -> dict[type, Callable[..., Any]]:
        """Command type → the method marked with :func:`decides` to decide it."""
        return _marked(cls, "decides")

    @classmethod
    def evolvers(cls) -> dict[type, Callable[..., Any]]:
        """Event type → the method marked with :func:`evolves` to apply it (made once)."""
        found = cls.__dict__.get("_evolvers")
        if found is None:
            found = _marked(cls, "evolves")
            cls._evolvers = found  # type: ignore[attr-defined]
        return found  # type: ignore[no-any-return]

    def when(self, event: Any) -> None:
        """Apply ``event`` to the state with the method that :func:`evolves` it."""
        try:
            evolve = type(self).evolvers()[type(event)]
        except KeyError:
            raise TypeError(f"{type(self).__name__} cannot apply {type(event).__name__}") from None
        evolve(self, event)

    @classmethod
    def _create_by(
        cls, event_class: type[Any], *, id: UUID, by: Actor, **kwargs: Any
    ) -> Any:
        return cls._create(
            event_class, id=id, actor=by.name, request_id=by.request_id, **kwargs
        )

    def trigger_event(self, event_class: type[Any], *, by: Actor, **kwargs: Any) -> None:  # type: ignore[override]
        super().trigger_event(event_class, actor=by.name, request_id=by.request_id, **kwargs)

    def record(
        self, event_class: type[Any], command: object, by: Actor, **values: Any
    ) -> None:
        """Trigger ``event_class`` with ``values`` (``occurred_on`` among them) and, for each
        other field the event declares, the ``command``'s attribute of the same name, as is;
        a value computed or converted (a count, a copy, a ``str`` of an enum) is given in
        ``values``. A field neither gives is a ``TypeError`` naming it."""
        if "occurred_on" not in values:
            raise TypeError(f"{event_class.__name__}: occurred_on must be given")
        for name in _own_fields(event_class):
            if name not in values:
                try:
                    values[name] = getattr(command, name)
                except AttributeError:
                    raise TypeError(
                        f"{event_class.__name__}: no value for field {name!r} "
                        f"(not given, and {type(command).__name__} has no such attribute)"
                    ) from None
        self.trigger_event(event_class, by=by, **values)

    def copy_fields(self, event: Any) -> None:
        """Give the state an attribute of the same name for each field ``event`` declares
        itself (as :meth:`record` gives the event its command's): how a created event's facts
        become the aggregate's first state."""
        for name in _own_fields(type(event)):
            setattr(self, name, getattr(event, name))

    def record_next(
        self, items: list[Item], event_class: type[Any], command: object, by: Actor,
        **values: Any,
    ) -> Item:
        """:meth:`record` ``event_class`` numbered as the next of ``items`` (``number``: one
        more than there are) and return the item its evolver appended to ``items``."""
        self.record(event_class, command, by, number=len(items) + 1, **values)
        return items[-1]
