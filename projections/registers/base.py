"""What every projection is made of: tables per generation and handlers per event class."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, ClassVar

from sqlalchemy import MetaData, UniqueConstraint
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateTable

from diarium.cases.handlers import marked
from diarium.cases.store.topics import stored_topics
from diarium.domain.events import case as ev
from diarium.domain.secrecy import covered
from diarium.projections.batch import TableSpec, UnitOfWork

Handler = Callable[[Any, UnitOfWork, Any, int], None]
# the column that holds the originator id, by the kind of aggregate an event belongs to (its
# ``aggregate``, domain/events/)
PREFETCH_COLUMNS: dict[str, str] = {
    "case": "case_id",
    "meeting": "meeting_id",
    "body": "body_id",
}


@cache
def _topics_of(projection: type) -> list[str]:
    return stored_topics(projection.handlers)  # type: ignore[attr-defined]


class Projection:
    """A set of register tables kept up to date from the notification log.

    Subclasses define their tables (:meth:`define`) and handle events with methods marked
    ``@handles(EventClass)`` (cases/handlers.py); modules that add event classes later can
    plug handlers in with :meth:`on`. A handler gets the unit of work of the batch, the event
    and the event's notification id (its position), which is used as a stable row id, so a
    rebuild gives identical rows.
    """

    name: ClassVar[str]
    description: ClassVar[str] = ""
    handlers: ClassVar[dict[type, Handler]] = {}
    # what it knows of the cases its rows copy from, folded from the log (if any)
    cases: ClassVar[type[CaseDirectory] | None] = None
    # Bump when handlers change what they write (rows of past events would differ) without
    # a change of tables or handled events: it is part of :meth:`fingerprint`.
    version: ClassVar[int] = 1

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.handlers = {**cls.handlers, **marked(cls, inherited=False)}

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self._resolved: dict[type, type | None] = {}
        self._prefetch_columns: dict[type, str | None] = {}  # by event class
        self._specs: dict[int, tuple[MetaData, dict[str, TableSpec]]] = {}
        self._fingerprint: str | None = None

    @classmethod
    def on(cls, *event_classes: type) -> Callable[[Handler], Handler]:
        """Register a handler from outside the class (for event modules added later)."""

        def decorate(handler: Handler) -> Handler:
            for event_class in event_classes:
                cls.handlers[event_class] = handler
            return handler

        return decorate

    def bind(self, app: Any) -> None:
        """Take what the handlers need of the application (``app``: the Diarium service)
        beyond the events, as the diary the store of documents' files."""

    # events of these classes are handed to :meth:`prepare` before the batch that applies them
    prepares: ClassVar[tuple[type, ...]] = ()

    def prepare(self, engine: Any, events: list[tuple[int, Any]]) -> None:
        """Slow work for the next batch's events (:attr:`prepares`), done before the batch's
        transaction, in transactions of its own (the diary reads files' texts: the batch
        then finds them read). Its outcome must not depend on being done: the handlers do
        what is left."""

    # -- tables ---------------------------------------------------------------------------

    def define(self, metadata: MetaData, generation: int) -> dict[str, TableSpec]:
        raise NotImplementedError

    def specs(self, generation: int) -> dict[str, TableSpec]:
        """The tables of ``generation`` (built once per generation)."""
        if generation not in self._specs:
            metadata = MetaData()
            self._specs[generation] = (metadata, self.define(metadata, generation))
        return self._specs[generation][1]

    def table(self, name: str, generation: int) -> Any:
        return self.specs(generation)[name].table

    def create(self, connection: Connection, generation: int, *, indexes: bool = True) -> None:
        """Create the tables of ``generation`` (and their search structures); without their
        secondary indexes if not ``indexes`` (a generation built from position 0 gets them
        from :meth:`create_indexes` once it has caught up: cheaper than keeping them up to
        date row by row). Keys and unique constraints are always created."""
        self.specs(generation)
        metadata = self._specs[generation][0]
        if indexes:
            metadata.create_all(connection, checkfirst=True)
            return
        for table in metadata.sorted_tables:
            if not connection.dialect.has_table(connection, table.name, schema=table.schema):
                connection.execute(CreateTable(table))
        for spec in self.specs(generation).values():  # the batches' own lookups need theirs
            for index in spec.table.indexes:
                if spec.prefetch_by is not None and index.columns[0].key == spec.prefetch_by:
                    index.create(connection, checkfirst=True)

    def create_indexes(self, connection: Connection, generation: int) -> None:
        """Create the secondary indexes of ``generation`` that do not exist yet."""
        for table in self._specs_metadata(generation).sorted_tables:
            for index in sorted(table.indexes, key=lambda i: i.name or ""):
                index.create(connection, checkfirst=True)

    def after_bulk(self, connection: Connection, generation: int) -> None:
        """Called with :meth:`create_indexes` after a catch-up far behind the head built
        most of ``generation``'s rows (to compact search structures). No ``ANALYZE`` here:
        SQLite's sampled one (``analysis_limit`` 1000) misjudged the diary's indexes so
        badly that full-text pages took 275-465 ms at 1M cases, while without statistics,
        as with a full one (about 10 s at 1M), they take 6-10 ms."""

    def _specs_metadata(self, generation: int) -> MetaData:
        self.specs(generation)
        return self._specs[generation][0]

    def drop(self, connection: Connection, generation: int) -> None:
        self.specs(generation)
        self._specs[generation][0].drop_all(connection, checkfirst=True)
        self._specs.pop(generation, None)

    def fingerprint(self) -> str:
        """A hash of what a generation's rows depend on: :attr:`version`, the tables (names,
        columns with their types, nullability, keys, computed expressions, unique
        constraints and unique indexes; not the other secondary indexes, which
        ``create_indexes`` adds where missing) and the event topics handled. A generation
        built with another fingerprint is rebuilt (``Projector.upgrade_outdated``)."""
        if getattr(self, "_fingerprint", None) is None:
            tables = []
            for key, spec in sorted(self.define(MetaData(), 0).items()):
                table = spec.table
                tables.append({
                    "spec": key, "table": table.name, "key": list(spec.key),
                    "columns": [
                        [c.name, repr(c.type), sorted(
                            (d, repr(t)) for d, t in getattr(c.type, "_variant_mapping", {}).items()
                        ), c.nullable, c.primary_key,
                         str(c.computed.sqltext) if c.computed is not None else None]
                        for c in table.columns
                    ],
                    "unique": sorted(
                        sorted(c.name for c in constraint.columns)
                        for constraint in table.constraints
                        if isinstance(constraint, UniqueConstraint)
                    ) + sorted(
                        sorted(c.name for c in index.columns) for index in table.indexes
                        if index.unique
                    ),
                })
            described = {"version": self.version, "tables": tables, "topics": self.topics()}
            self._fingerprint = hashlib.sha256(
                json.dumps(described, sort_keys=True, default=str).encode()
            ).hexdigest()[:32]
        return self._fingerprint

    # -- events ---------------------------------------------------------------------------

    def topics(self) -> list[str]:
        """Topics of the events this projection handles (the runner reads only those; made
        once per class, as the runner asks for every batch)."""
        return _topics_of(type(self))

    def handler(self, event: Any) -> Handler | None:
        """The handler of the event's class (or of its nearest base class), or None."""
        return self.handler_of(type(event))

    def handler_of(self, kind: type) -> Handler | None:
        """The handler of events of class ``kind``, or None."""
        handlers = type(self).handlers
        if kind in handlers:
            return handlers[kind]
        try:
            base = self._resolved[kind]
        except KeyError:  # an event class derived from a handled one
            base = self._resolved[kind] = next((k for k in kind.__mro__ if k in handlers), None)
        return handlers.get(base) if base is not None else None

    def prefetch(self, uow: UnitOfWork, events: list[tuple[int, Any]]) -> None:
        """Load in bulk the rows the batch will touch: in each table with a ``prefetch_by``
        column (``case_id``, ``meeting_id``, ``body_id``), every row of the aggregates of
        that kind the batch's events belong to."""
        ids: dict[str, dict[Any, None]] = {}  # in order, once each
        new: dict[str, set[Any]] = {}  # aggregates whose first event is in the batch
        columns = self._prefetch_columns
        for _, event in events:
            kind = type(event)
            try:
                column = columns[kind]
            except KeyError:
                aggregate = getattr(kind, "aggregate", None) or ""
                column = columns[kind] = PREFETCH_COLUMNS.get(aggregate)
            if column is None:
                continue
            if event.originator_version > 1:
                if column in ids:
                    ids[column][event.originator_id] = None
                else:
                    ids[column] = {event.originator_id: None}
            elif column in new:
                new[column].add(event.originator_id)
            else:
                new[column] = {event.originator_id}
        unique = {column: list(values) for column, values in ids.items()}
        if self.cases is not None and "case_id" in unique:  # registered before the batch
            registered = new.get("case_id", set())
            self.cases.load(uow, [i for i in unique["case_id"] if i not in registered])
        for name, spec in uow.specs.items():
            if spec.prefetch_by not in unique:
                continue
            if spec.own_rows and spec.prefetch_by in new:
                fresh = new[spec.prefetch_by]
                uow.known_empty(name, fresh)
                uow.prefetch(name, [i for i in unique[spec.prefetch_by] if i not in fresh])
            else:
                uow.prefetch(name, unique[spec.prefetch_by])

    def apply(self, uow: UnitOfWork, events: Iterable[tuple[int, Any]]) -> int:
        """Apply events (``(position, event)``) to the unit of work; returns how many."""
        applied = 0
        for position, event in events:
            handler = self.handler(event)
            if handler is not None:
                handler(self, uow, event, position)
                applied += 1
        return applied

    def after_flush(self, uow: UnitOfWork, generation: int) -> None:
        """Called after the unit of work was written (search indexes)."""


# -- a case directory folded from the log --------------------------------------------------


WITHHELD_TITLE = "(sekretess)"  # in place of a title a secrecy marking covers


def shown_title(case: dict[str, Any]) -> str:
    """The case title a register row copies: never a protected one (its public title stands
    in for it) nor one a secrecy marking covers (OSL 5:5)."""
    return case["public_title"] or (WITHHELD_TITLE if case["title_secret"] else case["title"])


class CaseDirectory:
    """What a projection knows of each case its rows copy from (dnr, title, body, officer,
    secrecy markings): folded by :meth:`fold` from the case's own events, never stored. A case
    registered in the batch is folded as its events are applied; one registered before is
    folded from its events in the log before the batch (``UnitOfWork.history``), for all
    such cases of a batch at once. Keeping no table of its own, a projection still depends on
    no other projection's position, and a catch-up writes no directory rows (at 1,000,000
    cases: two tables of a million rows, keyed by random UUIDs, no longer written)."""

    events: ClassVar[tuple[type, ...]] = (
        ev.CaseRegistered, ev.CaseMarkedSecret, ev.CaseSecrecyLifted
    )

    @staticmethod
    def fold(case: dict[str, Any] | None, event: Any) -> dict[str, Any]:
        """The case as it is after ``event`` (``case`` None: before its registration)."""
        if isinstance(event, ev.CaseRegistered):
            return {
                "dnr": event.dnr, "title": event.title, "public_title": event.public_title,
                "responsible_body": event.responsible_body, "title_secret": False,
            }
        assert case is not None  # the log registers a case before anything happens to it
        if isinstance(event, (ev.CaseMarkedSecret, ev.CaseSecrecyLifted)):
            case["title_secret"] = (
                isinstance(event, ev.CaseMarkedSecret) and "title" in covered(event.fields, "case")
            )
        return case

    @classmethod
    def topics(cls) -> list[str]:
        return stored_topics(cls.events)

    @classmethod
    def load(cls, uow: UnitOfWork, case_ids: Iterable[Any]) -> None:
        """Fold the cases ``case_ids`` from their events before the batch (in bulk)."""
        todo = [
            i for i in dict.fromkeys(case_ids)
            if i not in uow.cases and i not in uow.unregistered
        ]
        if not todo:
            return
        assert uow.history is not None, "a batch's unit of work reads the log"
        for _, event in uow.history(todo, cls.topics()):
            uow.cases[event.originator_id] = cls.fold(uow.cases.get(event.originator_id), event)
        uow.unregistered.update(i for i in todo if i not in uow.cases)

    @classmethod
    def get(cls, uow: UnitOfWork, case_id: Any) -> dict[str, Any] | None:
        """The case as the batch has it so far (None: not registered)."""
        case = uow.cases.get(case_id)
        if case is None and case_id not in uow.unregistered:
            cls.load(uow, [case_id])
            case = uow.cases.get(case_id)
        return case

    @classmethod
    def require(cls, uow: UnitOfWork, event: Any) -> dict[str, Any]:
        """The case of ``event`` as the batch has it so far; LookupError if the log has no
        registration of it (the log registers a case before anything happens to it)."""
        case = cls.get(uow, event.originator_id)
        if case is None:
            raise LookupError(
                f"{type(event).__name__} for unregistered case {event.originator_id}"
            )
        return case

    @classmethod
    def apply(cls, uow: UnitOfWork, event: Any) -> dict[str, Any]:
        """Fold ``event`` into its case (in a handler of one of :attr:`events`)."""
        case_id = event.originator_id
        before = None if isinstance(event, ev.CaseRegistered) else cls.require(uow, event)
        case = uow.cases[case_id] = cls.fold(before, event)
        uow.unregistered.discard(case_id)
        return case
