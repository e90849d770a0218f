"""Reading stored events straight from the events table, decoded by the application's mapper
(for the outbound readers that select across aggregates: feed, feed subjects, audit)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from sqlalchemy import select

if TYPE_CHECKING:
    from diarium.cases.application import Diarium


def decoded(app: Diarium, originator: Any, version: int, topic: str, state: Any) -> Any:
    """The domain event of one row of the events table."""
    return app.mapper.to_domain_event(StoredEvent(originator, version, topic, bytes(state)))


def events_of(app: Diarium, originators: Iterable[UUID], topics: Iterable[str]) -> list[Any]:
    """The events of ``originators`` stored under ``topics``, in log order."""
    wanted = sorted(set(originators), key=str)
    if not wanted:
        return []
    events = app.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    query = (
        select(events.c.originator_id, events.c.originator_version, events.c.topic,
               events.c.state)
        .where(events.c.originator_id.in_(wanted), events.c.topic.in_(list(topics)))
        .order_by(events.c.id)
    )
    with app.recorder.datastore.engine.connect() as conn:  # type: ignore[attr-defined]
        return [decoded(app, *row) for row in conn.execute(query).all()]


def events_with_topics(app: Diarium, topics: Iterable[str], batch: int = 500) -> Iterator[Any]:
    """Every event stored under ``topics``, in log order, read in pages of ``batch``."""
    events = app.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    after = 0
    while True:
        query = (
            select(events.c.id, events.c.originator_id, events.c.originator_version,
                   events.c.topic, events.c.state)
            .where(events.c.topic.in_(list(topics)), events.c.id > after)
            .order_by(events.c.id).limit(batch)
        )
        with app.recorder.datastore.engine.connect() as conn:  # type: ignore[attr-defined]
            rows = conn.execute(query).all()
        for row in rows:
            yield decoded(app, *row[1:])
        if len(rows) < batch:
            return
        after = rows[-1][0]
