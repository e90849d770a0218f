"""The store: every override of an ``eventsourcing`` (9.5) or ``eventsourcing-sqlalchemy``
(1.0) internal that diarium makes, in one module, each naming what it replaces and why.

Upstream (``es`` = ``eventsourcing`` 9.5, ``es_sa`` = ``eventsourcing_sqlalchemy`` 1.0) → here:

- ``es_sa.recorders.SQLAlchemyAggregateRecorder.select_events`` → ``CoreEventReads``
  (mixed into both recorders below)
- ``es_sa.recorders.SQLAlchemyApplicationRecorder.max_notification_id`` → ``CoreEventReads``
- ``es_sa.recorders.SQLAlchemyApplicationRecorder.__init__`` and ``._insert_stored_events``
  (with its ``._notify_channel``) → ``ChainedApplicationRecorder`` (the hash chain)
- ``es_sa.recorders.SQLAlchemyAggregateRecorder`` (snapshots) → ``DiariumAggregateRecorder``
- ``es_sa.datastore.SQLAlchemyDatastore.__init__`` → ``DiariumDatastore``
- ``es_sa.factory.SQLAlchemyFactory`` (its recorder and datastore classes) → ``DiariumFactory``
- ``es.application.Repository.get`` → ``FreshRepository``
- ``es.persistence.Mapper.to_domain_event`` (for the projector's batches) → ``EventDecoder``
- ``es.persistence.Transcoding`` (a transcoding the library lacks) → ``DateAsISO``

Also upstream names that are used, not replaced: ``SQLAlchemyAggregateRecorder._lock_table``
(``ChainedApplicationRecorder.lock_events_table``), ``events_record_cls``, ``channel_name``,
``eventsourcing_sqlalchemy.datastore.transactions`` (``cases/store/reads.py: open_transaction``).

Not here, on purpose: the documented hooks of ``eventsourcing.application.Application`` that
install these (``Diarium.construct_repository``, ``Diarium.register_transcodings``,
cases/application.py), and the domain's ``Aggregate`` subclass and event base
(``domain/aggregate.py``, ``domain/events/base.py``), which keep the domain free of the store.
What these classes build on but do not override stays where it was: the read connections and
the "anything committed?" token (cases/store/reads.py, with the read path's design), the hash
chain's digests and table (cases/store/chain.py), the store's settings
(cases/store/persistence.py).

``tests/test_library_recorders.py`` runs the library's own recorder test cases
(``eventsourcing.tests.persistence``) against these recorders on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from copy import deepcopy
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.application import Repository, project_aggregate
from eventsourcing.persistence import (
    JSONTranscoder,
    Mapper,
    Notification,
    StoredEvent,
    Transcoding,
    find_id_convertor,
)
from eventsourcing.utils import resolve_topic
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from eventsourcing_sqlalchemy.recorders import (
    SQLAlchemyAggregateRecorder,
    SQLAlchemyApplicationRecorder,
)
from sqlalchemy import bindparam, func, insert, literal, select
from sqlalchemy.orm import Session

from diarium.cases.store import persistence
from diarium.cases.store import topics as _topics  # noqa: F401  (stored legacy topics resolve)
from diarium.cases.store.chain import case_hash, chain_table, content_digest, event_meta, log_hash
from diarium.cases.store.reads import ReadConnections, open_transaction, read_connections

HEADS_PER_QUERY = 1000  # aggregates' chain heads read per statement (see _links)
EVENTS_LOCKED = "diarium_events_locked"  # Session.info: this transaction holds the lock
PREPARED_HEADS = 16  # head statements with up to this many aggregates are built once

# a notification as read: (id, originator_id, originator_version, topic, state)
Row = tuple[int, Any, int, str, Any]
IMMUTABLE = (date, datetime, UUID, Decimal, str, int, float)  # safe to share between events
MEMO_LIMIT = 50_000


# -- reads ----------------------------------------------------------------------------------


class CoreEventReads:
    """Mixin for the library's SQLAlchemy recorders: ``select_events`` and
    ``max_notification_id`` as Core statements (same rows, same order, same types), run
    outside any transaction on a plain connection (design: cases/store/reads.py)."""

    events_record_cls: Any
    datastore: Any

    def _reads(self) -> ReadConnections:
        return read_connections(self.datastore)

    def _events_statement(self, gt: bool, lte: bool, desc: bool, limit: int | None) -> Any:
        key = (gt, lte, desc, limit)
        cache: dict[Any, Any] = self.__dict__.setdefault("_statements", {})
        statement = cache.get(key)
        if statement is None:
            table = self.events_record_cls.__table__
            version = table.c.originator_version
            statement = select(
                table.c.originator_id, version, table.c.topic, table.c.state
            ).where(table.c.originator_id == bindparam("originator_id"))
            if gt:
                statement = statement.where(version > bindparam("gt"))
            if lte:
                statement = statement.where(version <= bindparam("lte"))
            statement = statement.order_by(version.desc() if desc else version.asc())
            if limit is not None:
                statement = statement.limit(limit)
            cache[key] = statement
        return statement

    def select_events(
        self,
        originator_id: UUID | str,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> list[StoredEvent]:
        """Replaces ``eventsourcing_sqlalchemy.recorders.SQLAlchemyAggregateRecorder.select_events``
        (1.0): one prebuilt Core ``SELECT`` instead of an ORM query in a transaction."""
        statement = self._events_statement(gt is not None, lte is not None, desc, limit)
        params: dict[str, Any] = {"originator_id": originator_id}
        if gt is not None:
            params["gt"] = gt
        if lte is not None:
            params["lte"] = lte
        return [
            StoredEvent(
                originator_id=o, originator_version=v, topic=t,
                state=bytes(s) if isinstance(s, memoryview) else s,
            )
            for o, v, t, s in self._run(statement, params)
        ]

    def max_notification_id(self) -> int | None:
        """Replaces ``eventsourcing_sqlalchemy.recorders.SQLAlchemyApplicationRecorder.
        max_notification_id`` (1.0): one prebuilt ``SELECT max(id)``, outside a transaction."""
        statement = self.__dict__.get("_max_id")
        if statement is None:
            statement = self.__dict__["_max_id"] = select(
                func.max(self.events_record_cls.__table__.c.id)
            )
        return self._run(statement, {})[0][0]

    def _run(self, statement: Any, params: dict[str, Any]) -> list[Any]:
        """Run a read: on a plain connection, or in the library's transaction open in this
        context (as the library's query would)."""
        reads = self._reads()
        if reads.usable and open_transaction() is None:
            return reads.all(statement, params)
        with self.datastore.transaction(commit=False) as session:  # the library's way
            return session.connection().execute(statement, params).all()


class FreshRepository(Repository):  # type: ignore[type-arg]
    """The library's repository, skipping the aggregate cache's fastforward query when
    ``version()`` shows nothing was committed since the cached aggregate was brought up to
    date, and bringing cached aggregates up to date copy on write (design: cases/store/reads.py)."""

    @classmethod
    def replacing(cls, plain: Repository, version: Callable[[], Any] | None) -> FreshRepository:  # type: ignore[type-arg]
        """A :class:`FreshRepository` set up as the library's ``plain`` one."""
        return cls(
            plain.event_store, snapshot_store=plain.snapshot_store,
            cache_maxsize=getattr(plain.cache, "maxsize", 0) if plain.cache is not None else None,
            fastforward=plain.fastforward, fastforward_skipping=plain.fastforward_skipping,
            deepcopy_from_cache=plain.deepcopy_from_cache, version=version,
        )

    def __init__(self, *args: Any, version: Callable[[], Any] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.version = version
        # aggregate id -> (token before its last fastforward, the aggregate brought up to it)
        self._fresh: dict[Any, tuple[Any, Any]] = {}
        self._fresh_limit = max(2 * getattr(self.cache, "maxsize", 0), 1000)

    def get(  # type: ignore[override]
        self,
        aggregate_id: Any,
        *,
        version: int | None = None,
        projector_func: Any = project_aggregate,
        fastforward_skipping: bool = False,
        deepcopy_from_cache: bool = True,
    ) -> Any:
        """Replaces ``eventsourcing.application.Repository.get`` (9.5): no fastforward query
        when ``version()`` proves nothing changed; new events applied to a copy."""
        if (
            self.version is None or version is not None or not self.cache
            or not self.fastforward or fastforward_skipping or self.fastforward_skipping
            or open_transaction() is not None  # a query now could see an older snapshot
        ):
            if version is not None or not self.cache:
                return super().get(
                    aggregate_id, version=version, projector_func=projector_func,
                    fastforward_skipping=fastforward_skipping,
                    deepcopy_from_cache=deepcopy_from_cache,
                )
            aggregate = self._latest(aggregate_id, projector_func, fastforward_skipping)
            return deepcopy(aggregate) if deepcopy_from_cache and self.deepcopy_from_cache \
                else aggregate
        copy = deepcopy_from_cache and self.deepcopy_from_cache
        token = self.version()  # before anything is read
        if token is not None:
            try:
                cached = self.cache.get(aggregate_id)
            except KeyError:
                cached = None
            fresh = self._fresh.get(aggregate_id)
            if cached is not None and fresh is not None and fresh[0] == token \
                    and fresh[1] is cached:
                return deepcopy(cached) if copy else cached
        aggregate = self._latest(aggregate_id, projector_func, False)
        # ``aggregate``: the cached object, brought up to date (at least) to ``token``
        if token is not None:
            if len(self._fresh) >= self._fresh_limit:
                self._fresh.clear()
            self._fresh[aggregate_id] = (token, aggregate)
        return deepcopy(aggregate) if copy else aggregate

    def _latest(self, aggregate_id: Any, projector_func: Any, skipping: bool) -> Any:
        """The cached aggregate brought up to date, copy on write: new events are applied to
        a copy, which replaces it in the cache; the object other threads hold is left as it
        was."""

        def copy_on_write(aggregate: Any, events: Any) -> Any:
            events = list(events)
            if aggregate is not None and events:
                aggregate = deepcopy(aggregate)
            return projector_func(aggregate, events)

        cached = None
        with suppress(KeyError):
            cached = self.cache.get(aggregate_id)
        aggregate = super().get(
            aggregate_id, projector_func=copy_on_write, fastforward_skipping=skipping,
            deepcopy_from_cache=False,
        )
        if cached is not None and aggregate is not cached:
            self.cache.put(aggregate_id, aggregate)
        return aggregate


# -- writes: the hash chain (cases/store/chain.py) ------------------------------------------------


class ChainedApplicationRecorder(CoreEventReads, SQLAlchemyApplicationRecorder):
    """The library's application recorder, which also writes each event's chain row (and
    reads events with Core statements, :class:`CoreEventReads`)."""

    def __init__(
        self, datastore: Any, *, events_table_name: str, schema_name: str | None = None
    ) -> None:
        """Extends ``eventsourcing_sqlalchemy.recorders.SQLAlchemyApplicationRecorder.__init__``
        (1.0): the chain table joins ``tables`` (so ``create_table`` makes it too)."""
        super().__init__(
            datastore, events_table_name=events_table_name, schema_name=schema_name
        )
        self.chain_table = chain_table(events_table_name, schema_name)
        self.tables.append(self.chain_table)
        events = self.events_record_cls.__table__
        self._events_insert = insert(events).returning(events.c.id, sort_by_parameter_order=True)
        self._heads_statements: dict[int, Any] = {}
        self._chain_insert = self.chain_table.insert()

    def _insert_stored_events(
        self, session: Session, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int]:
        """Replaces ``eventsourcing_sqlalchemy.recorders.SQLAlchemyApplicationRecorder.
        _insert_stored_events`` (1.0, with its ``_notify_channel``): one Core ``INSERT ...
        RETURNING`` and the events' chain rows in the same transaction."""
        if not stored_events:
            return super()._insert_stored_events(session, stored_events, **kwargs)
        # What the library does (lock the table on PostgreSQL, so notification ids are
        # gapless and in commit order; insert; NOTIFY), with one Core INSERT ... RETURNING
        # instead of an ORM object per event, and the NOTIFY sent with the chain-head query
        # (see _heads_statement). After the insert this transaction holds the write lock on
        # both backends, so the chain head is stable.
        if not session.info.get(EVENTS_LOCKED):
            self._lock_table(session)
        connection = session.connection()
        ids = list(connection.execute(self._events_insert, [
            {"originator_id": e.originator_id, "originator_version": e.originator_version,
             "topic": e.topic, "state": e.state}
            for e in stored_events
        ]).scalars())
        connection.execute(self._chain_insert, self._links(session, stored_events, ids))
        return ids

    def lock_events_table(self, session: Session) -> None:
        """Take the lock every write takes before it inserts (PostgreSQL: ``LOCK TABLE ... IN
        EXCLUSIVE MODE``; plain reads go on) now, as the first statement of a transaction
        that must read under it; its insert then does not take it again. Uses upstream
        ``SQLAlchemyAggregateRecorder._lock_table`` (1.0)."""
        self._lock_table(session)
        session.info[EVENTS_LOCKED] = True

    def _heads_statement(self, count: int) -> Any:
        """The log's head and the chain heads of ``count`` aggregates (bound as ``o0``…), one
        scalar subquery each; built once per ``count`` and reused (compiled once). On
        PostgreSQL it also notifies the events' channel (``pg_notify``, delivered at commit
        like the library's ``NOTIFY``; repeats within a transaction are folded into one),
        which saves that statement's round trip."""
        statement = self._heads_statements.get(count)
        if statement is None:
            table = self.chain_table
            last = select(table.c.id, table.c.log_hash).order_by(table.c.id.desc()).limit(1)
            last = last.subquery()
            statement = select(
                select(last.c.id).scalar_subquery(),
                select(last.c.log_hash).scalar_subquery(),
                *(
                    select(table.c.case_hash)
                    .where(table.c.originator_id == bindparam(f"o{i}"))
                    .order_by(table.c.originator_version.desc())
                    .limit(1)
                    .scalar_subquery()
                    for i in range(count)
                ),
                *self._notify_columns(),
            )
            if count <= PREPARED_HEADS:
                self._heads_statements[count] = statement
        return statement

    def _notify_columns(self) -> list[Any]:
        if self.datastore.engine.dialect.name != "postgresql":
            return []
        return [func.pg_notify(literal(self.channel_name), literal(""))]

    def _links(
        self, session: Session, stored_events: Sequence[StoredEvent], ids: Sequence[int]
    ) -> list[dict[str, Any]]:
        pairs = sorted(zip(ids, stored_events, strict=True), key=lambda p: p[0])
        # An aggregate whose first event here is its first event of all has no chain yet
        # (e.g. a case being registered): only the others' heads need reading.
        first: dict[UUID, int] = {}
        for _, e in pairs:
            first.setdefault(UUID(str(e.originator_id)), e.originator_version)
        case_heads: dict[UUID, str | None] = {o: None for o, v in first.items() if v <= 1}
        originators = [o for o, v in first.items() if v > 1]
        # The log's head and the head of each aggregate's own chain, one scalar subquery each,
        # in as few round trips as the backends allow: a select list is capped (PostgreSQL:
        # 1,664 target entries; SQLite: 2,000 columns), so the heads go HEADS_PER_QUERY at a time.
        prev_id = prev_log = None
        for start in range(0, max(len(originators), 1), HEADS_PER_QUERY):
            chunk = originators[start:start + HEADS_PER_QUERY]
            bound = {f"o{i}": originator for i, originator in enumerate(chunk)}
            found = session.execute(self._heads_statement(len(chunk)), bound).one()
            if start == 0:
                prev_id, prev_log = found[0], found[1]
            case_heads.update(zip(chunk, found[2:2 + len(chunk)], strict=True))
        rows = []
        for position, event in pairs:
            originator = UUID(str(event.originator_id))
            digest = content_digest(originator, event.originator_version, event.topic,
                                    event.state)
            this_case = case_hash(case_heads[originator], digest)
            this_log = log_hash(prev_log, position, prev_id, this_case)
            meta = event_meta(event.state)
            rows.append({
                "id": position,
                "prev_id": prev_id,
                "originator_id": originator,
                "originator_version": event.originator_version,
                "recorded_at": meta.recorded_at,
                "occurred_on": meta.occurred_on,
                "actor": meta.actor,
                "request_id": meta.request_id,
                "case_hash": this_case,
                "log_hash": this_log,
            })
            case_heads[originator] = this_case
            prev_id, prev_log = position, this_log
        return rows


# -- the datastore and the factory ----------------------------------------------------------


class DiariumDatastore(SQLAlchemyDatastore):
    """The library's datastore with engine options for several processes sharing a store."""

    def __init__(self, *, url: str | None = None, **kwargs: Any) -> None:
        """Extends ``eventsourcing_sqlalchemy.datastore.SQLAlchemyDatastore.__init__`` (1.0):
        connect timeouts, and on PostgreSQL a ping of connections that idled."""
        if url and url.startswith("sqlite") and ":memory:" not in url:
            # Other processes (gunicorn workers, projection workers) may hold the write lock.
            kwargs.setdefault("connect_args", {"timeout": 30})
        elif url and url.startswith("postgresql"):
            kwargs.setdefault("connect_args", {"connect_timeout": 5})
        super().__init__(url=url, **kwargs)
        if url and url.startswith("postgresql") and not kwargs.get("pool_pre_ping"):
            # survive a database restart
            persistence.ping_when_idle(self.engine, persistence.IDLE_PING_SECONDS)


class DiariumAggregateRecorder(CoreEventReads, SQLAlchemyAggregateRecorder):
    """The library's aggregate recorder (snapshots), reading with Core statements
    (:class:`CoreEventReads`)."""


class DiariumFactory(SQLAlchemyFactory):
    """The ``eventsourcing-sqlalchemy`` factory, using :class:`DiariumDatastore`.

    Replaces ``eventsourcing_sqlalchemy.factory.SQLAlchemyFactory.datastore_class``,
    ``application_recorder_class`` and ``aggregate_recorder_class`` (1.0): diarium's own."""

    datastore_class = DiariumDatastore
    # Every application's events are hash-chained in the same transaction (cases/store/chain.py).
    application_recorder_class = ChainedApplicationRecorder
    aggregate_recorder_class = DiariumAggregateRecorder  # snapshots


# -- decoding ------------------------------------------------------------------------------


class DateAsISO(Transcoding):
    """Business dates are stored as ISO strings: an ``eventsourcing.persistence.Transcoding``
    (9.5) for ``date``, which the library's ``JSONTranscoder`` lacks (registered by
    ``Diarium.register_transcodings``)."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class EventDecoder:
    """``decode(rows)`` gives ``[(id, event)]``, as ``mapper.to_domain_event`` would.

    The projector reads a batch with one plain driver-level select and decodes it here: the
    event class of a topic, the originator-id conversion of a class and the transcodings are
    looked up once, and the ISO dates and timestamps that nearly every event carries (and that
    repeat from event to event) are parsed once each. The events are the same objects the
    library makes: the event's class, its ``__dict__`` as decoded from the JSON state, cipher,
    compressor and upcasting (``class_version``) applied as the mapper applies them. Anything
    else (another transcoder or mapper, a row that fails to decode) goes through the mapper
    itself, so its errors are the library's."""

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
        """Replaces ``eventsourcing.persistence.Mapper.to_domain_event`` (9.5) for a batch of
        notifications: lookups and repeated dates done once (falls back to it otherwise)."""
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
    """A read row as the library's ``Notification``."""
    notification_id, originator_id, version, topic, state = row
    return Notification(
        id=notification_id, originator_id=originator_id, originator_version=version,
        topic=topic, state=state,
    )
