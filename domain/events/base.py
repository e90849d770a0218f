"""Base classes shared by all diarium events."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.domain import Aggregate


class DiariumEvent(Aggregate.Event):
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
