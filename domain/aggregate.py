"""Base aggregate: stamps every event with its actor and originating request."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from diarium.domain.actor import Actor


class DiariumAggregate(Aggregate):
    """An aggregate whose events record who caused them (``by``)."""

    @classmethod
    def _create_by(
        cls, event_class: type[Any], *, id: UUID, by: Actor, **kwargs: Any
    ) -> Any:
        return cls._create(
            event_class, id=id, actor=by.name, request_id=by.request_id, **kwargs
        )

    def trigger_event(self, event_class: type[Any], *, by: Actor, **kwargs: Any) -> None:  # type: ignore[override]
        super().trigger_event(event_class, actor=by.name, request_id=by.request_id, **kwargs)
