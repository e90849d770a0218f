"""Base aggregate: stamps every event with its actor and originating request, and knows which
of its methods decides which command."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from diarium.domain.actor import Actor

Method = TypeVar("Method", bound=Callable[..., Any])


def decides(command: type) -> Callable[[Method], Method]:
    """Mark an aggregate method as the one that decides ``command``: it is called as
    ``method(aggregate, command, by, today)`` (``Diarium.handle`` dispatches by command type)."""

    def mark(method: Method) -> Method:
        method.decides = command  # type: ignore[attr-defined]
        return method

    return mark


class DiariumAggregate(Aggregate):
    """An aggregate whose events record who caused them (``by``)."""

    @classmethod
    def deciders(cls) -> dict[type, Callable[..., Any]]:
        """Command type → the method marked with :func:`decides` to decide it."""
        return {
            method.decides: method
            for klass in reversed(cls.__mro__)
            for method in vars(klass).values()
            if hasattr(method, "decides")
        }

    @classmethod
    def _create_by(
        cls, event_class: type[Any], *, id: UUID, by: Actor, **kwargs: Any
    ) -> Any:
        return cls._create(
            event_class, id=id, actor=by.name, request_id=by.request_id, **kwargs
        )

    def trigger_event(self, event_class: type[Any], *, by: Actor, **kwargs: Any) -> None:  # type: ignore[override]
        super().trigger_event(event_class, actor=by.name, request_id=by.request_id, **kwargs)
