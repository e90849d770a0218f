"""Reading the notification log for the projector: a batch's next notifications, and the
earlier history of the aggregates a batch touches, decoded to domain events.

Ordering. Notification ids are assigned under eventsourcing-sqlalchemy's
``LOCK TABLE ... IN EXCLUSIVE MODE`` (PostgreSQL) or SQLite's single writer, so once an id
is visible every smaller id is committed or was rolled back (a gap). A batch reads only up
to the highest id it saw, and only the topics the projections handle.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from diarium.cases.store.overrides import EventDecoder, Row

HISTORY_CHUNK = 500  # aggregate ids per query of their history


class NotificationReader:
    """Reads the events table of one application's recorder in the batch's transaction."""

    def __init__(self, recorder: Any, mapper: Any, batch_size: int) -> None:
        self.events_table = recorder.events_record_cls.__table__
        dialect = recorder.datastore.engine.dialect
        self._events_sql = dialect.identifier_preparer.format_table(self.events_table)
        # the record's UUID type, for what the driver gives other than bytes or a UUID
        processor = self.events_table.c.originator_id.type.dialect_impl(
            dialect
        ).result_processor(dialect, None)
        self._originator_id: Any = processor or (lambda value: value)
        self.decoder = EventDecoder(mapper)
        self.batch_size = batch_size

    def head(self, conn: Connection) -> int:
        """The highest notification id in the log (0 when empty)."""
        return conn.execute(select(func.max(self.events_table.c.id))).scalar() or 0

    def read(self, conn: Connection, start: int, stop: int, topics: list[str]) -> list[Row]:
        """The recorder's ``select_notifications(start, batch_size, stop, topics,
        inclusive_of_start=False)``, read in this batch's transaction with one plain select at
        the driver level, as ``(id, originator_id, originator_version, topic, state)`` (the
        library's ORM query builds an instance per row, SQLAlchemy's Core a row object)."""
        if not topics:
            return []
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        sql = (
            f"SELECT id, originator_id, originator_version, topic, state FROM {self._events_sql} "
            f"WHERE id > {mark} AND id <= {mark} AND topic IN ({', '.join(mark for _ in topics)})"
            f" ORDER BY id LIMIT {int(self.batch_size)}"
        )
        driver = conn.connection.driver_connection
        assert driver is not None
        cursor = driver.cursor()
        try:
            cursor.execute(sql, (start, stop, *topics))
            found = cursor.fetchall()
        finally:
            cursor.close()
        # one UUID per aggregate in the batch: made once, and the batch's dicts keyed by it
        # find it by identity
        to_uuid, ids = self._originator_id, {}
        rows = []
        for i, o, v, t, state in found:
            try:
                originator_id = ids[o]
            except KeyError:
                originator_id = ids[o] = (
                    o if type(o) is UUID else UUID(bytes=o) if type(o) is bytes else to_uuid(o)
                )
            rows.append((i, originator_id, v, t, state if type(state) is bytes else bytes(state)))
        return rows

    def history(
        self, conn: Connection, before: int, ids: Sequence[Any], topics: Sequence[str]
    ) -> list[tuple[int, Any]]:
        """The events of aggregates ``ids`` with these topics up to position ``before``, in
        log order, decoded (a projection's view of cases registered before its batch)."""
        events, found = self.events_table, []
        for start in range(0, len(ids), HISTORY_CHUNK):
            found.extend(conn.execute(
                select(events.c.id, events.c.originator_id, events.c.originator_version,
                       events.c.topic, events.c.state)
                .where(events.c.originator_id.in_(ids[start:start + HISTORY_CHUNK]),
                       events.c.topic.in_(topics), events.c.id <= before)
            ).tuples())
        found.sort(key=itemgetter(0))
        return self.decoder.decode(
            (i, o, v, t, state if type(state) is bytes else bytes(state))
            for i, o, v, t, state in found
        )
