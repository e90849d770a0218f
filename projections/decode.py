"""Decoding the notifications the projector reads: the library's ``Mapper.to_domain_event``,
with the work it repeats for every event done once.

The projector reads a batch with one plain driver-level select and decodes it here: the
event class of a topic, the originator-id conversion of a class and the transcodings are
looked up once, and the ISO dates and timestamps that nearly every event carries (and that
repeat from event to event) are parsed once each. The events are the same objects the
library makes: the event's class, its ``__dict__`` as decoded from the JSON state, cipher,
compressor and upcasting (``class_version``) applied as the mapper applies them. Anything
else (another transcoder or mapper, a row that fails to decode) goes through the mapper
itself, so its errors are the library's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    JSONTranscoder,
    Mapper,
    Notification,
    find_id_convertor,
)
from eventsourcing.utils import resolve_topic

# a notification as read: (id, originator_id, originator_version, topic, state)
Row = tuple[int, Any, int, str, Any]
IMMUTABLE = (date, datetime, UUID, Decimal, str, int, float)  # safe to share between events
MEMO_LIMIT = 50_000


class EventDecoder:
    """``decode(rows)`` gives ``[(id, event)]``, as ``mapper.to_domain_event`` would."""

    def __init__(self, mapper: Mapper[Any]) -> None:
        self.mapper = mapper
        transcoder = mapper.transcoder
        self.fast = (
            type(mapper).to_domain_event is Mapper.to_domain_event
            and isinstance(transcoder, JSONTranscoder)
            and type(transcoder).decode is JSONTranscoder.decode
            and type(transcoder)._decode_obj is JSONTranscoder._decode_obj
        )
        self._classes: dict[str, type] = {}
        self._ids: dict[tuple[type, type], Callable[[Any], Any]] = {}
        self._memo: dict[tuple[str, str], Any] = {}
        if self.fast:
            assert isinstance(transcoder, JSONTranscoder)
            # the C scanner ``JSONDecoder.decode`` calls, without its Python wrappers
            self._scan = json.JSONDecoder(object_hook=self._hook(transcoder)).scan_once

    def _hook(self, transcoder: JSONTranscoder) -> Callable[[dict[str, Any]], Any]:
        names, memo, decode_obj = transcoder.names, self._memo, transcoder._decode_obj

        def hook(d: dict[str, Any]) -> Any:
            if len(d) != 2 or "_type_" not in d or "_data_" not in d:
                return d
            name, data = d["_type_"], d["_data_"]
            if type(data) is not str or name not in names:
                return decode_obj(d)  # the library's own handling (and errors)
            key = (name, data)
            try:
                return memo[key]
            except KeyError:
                value = names[name].decode(data)
                if isinstance(value, IMMUTABLE):
                    if len(memo) >= MEMO_LIMIT:
                        memo.clear()
                    memo[key] = value
                return value

        return hook

    def decode(self, rows: Iterable[Row]) -> list[tuple[int, Any]]:
        if not self.fast:
            return [(row[0], self.mapper.to_domain_event(notification(row))) for row in rows]
        mapper, classes, ids, scan = self.mapper, self._classes, self._ids, self._scan
        cipher, compressor = mapper.cipher, mapper.compressor
        new_object, set_attribute = object.__new__, object.__setattr__
        decoded = []
        for row in rows:
            notification_id, originator_id, version, topic, state = row
            try:
                cls = classes[topic]
            except KeyError:
                cls = classes[topic] = resolve_topic(topic)
            try:
                if cipher:
                    state = cipher.decrypt(state)
                if compressor:
                    state = compressor.decompress(state)
                text = state.decode("utf8")
                event_state, end = scan(text, 0)
                if end != len(text) or type(event_state) is not dict:
                    raise ValueError("not one JSON object")
            except Exception:  # the mapper raises its MapperDeserialisationError
                decoded.append((notification_id, mapper.to_domain_event(notification(row))))
                continue
            try:
                convert = ids[cls, type(originator_id)]
            except KeyError:
                convert = ids[cls, type(originator_id)] = find_id_convertor(
                    cls, type(originator_id)
                )
            event_state["originator_id"] = convert(originator_id)
            event_state["originator_version"] = version
            class_version = getattr(cls, "class_version", 1)
            from_version = event_state.pop("class_version", 1)
            while from_version < class_version:
                getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(event_state)
                from_version += 1
            event = new_object(cls)
            set_attribute(event, "__dict__", event_state)
            decoded.append((notification_id, event))
        return decoded


def notification(row: Row) -> Notification:
    notification_id, originator_id, version, topic, state = row
    return Notification(
        id=notification_id, originator_id=originator_id, originator_version=version,
        topic=topic, state=state,
    )


__all__ = ["EventDecoder", "Row", "notification"]
