"""A unit of work for one batch of events: rows are loaded in bulk, changed in memory by the
event handlers, and written back with a few ``executemany`` statements per table.

Handlers never issue SQL themselves; they ``get``, ``insert``, ``delete`` and mutate the row
dicts they were given. ``flush`` compares each loaded row with its original and writes only
what changed, so replaying the same events gives the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from typing import Any
from uuid import UUID

from sqlalchemy import Boolean, Date, Table, Uuid, and_, select
from sqlalchemy.engine import Connection, Dialect

Key = tuple[Any, ...]
Row = dict[str, Any]
CHUNK = 500  # values per IN (...) list


@dataclass(frozen=True)
class TableSpec:
    """A register table with the columns that identify a row for the handlers (``key``) and,
    optionally, the column by which a batch loads all rows of the cases it touches."""

    table: Table
    key: tuple[str, ...]
    prefetch_by: str | None = None
    # No row whose ``prefetch_by`` value is an aggregate's id exists before that aggregate's
    # first event (its rows are made by its own events, or by later events that name it, as a
    # meeting's paragraph names a case already registered): an aggregate whose first event is
    # in the batch has no rows yet (no query).
    own_rows: bool = False
    _writers: dict[str, BulkWriter] = field(default_factory=dict, compare=False, repr=False)

    def writer(self, dialect: Dialect) -> BulkWriter:
        """The table's bulk writer for ``dialect`` (made once)."""
        if dialect.name not in self._writers:
            self._writers[dialect.name] = BulkWriter(self.table, self.key, dialect)
        return self._writers[dialect.name]


class BulkWriter:
    """``executemany`` of plain INSERT/UPDATE/DELETE statements at the driver level.

    SQLAlchemy's own ``executemany`` builds a parameter dict per row through the compiled
    statement (most of a bulk write's cost in Python). This writes the same values: each
    column's bind processor for the dialect (UUID, date, boolean and JSON conversions) is
    applied once per value, and the rows go to the driver as tuples in one ``executemany``
    (psycopg: pipelined).
    """

    def __init__(self, table: Table, key: Sequence[str], dialect: Dialect) -> None:
        self.dialect = dialect
        quote = dialect.identifier_preparer
        self.name = quote.format_table(table)
        self.mark = "?" if dialect.paramstyle == "qmark" else "%s"
        self.quoted = {c.key: quote.format_column(c) for c in table.c}
        self.processors: dict[str, Callable[[Any], Any] | None] = {
            c.key: c.type.dialect_impl(dialect).bind_processor(dialect) for c in table.c
        }
        # SQLite's processors of the commonest types, inlined where the value's class is the
        # exact one they expect (the same text or integer they would make; else they run)
        self.inline: dict[str, str] = {}
        if dialect.name == "sqlite":
            for c in table.c:
                if isinstance(c.type, Date):  # '%(year)04d-%(month)02d-%(day)02d'
                    self.inline[c.key] = "v.isoformat() if v.__class__ is _date"
                elif isinstance(c.type, Uuid) and c.type.as_uuid:  # value.hex
                    self.inline[c.key] = "'%032x' % v.int if v.__class__ is _UUID"
                elif isinstance(c.type, Boolean):  # int(value)
                    self.inline[c.key] = "1 if v is True else 0 if v is False"
        self.columns = tuple(c.key for c in table.c if c.computed is None)
        self.key = tuple(key)
        self._sql: dict[tuple[str, tuple[str, ...]], str] = {}
        self._makers: dict[tuple[str, ...], Callable[[dict[str, Any]], tuple[Any, ...]]] = {}

    def _values(self, columns: Sequence[str]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
        """A function from a row dict to the tuple of its processed ``columns`` (generated
        once per column list: it runs for every value written)."""
        made = self._makers.get(tuple(columns))
        if made is not None:
            return made
        names: dict[str, Any] = {"_date": date, "_UUID": UUID}
        parts = []
        for n, column in enumerate(columns):
            processor = self.processors[column]
            if processor is None:
                parts.append(f"row[{column!r}]")
            else:
                names[f"p{n}"] = processor
                inline = f"{self.inline[column]} else " if column in self.inline else ""
                parts.append(f"(None if (v := row[{column!r}]) is None else {inline}p{n}(v))")
        source = f"lambda row: ({', '.join(parts)},)"
        made = self._makers[tuple(columns)] = eval(source, names)
        return made  # type: ignore[no-any-return]

    def insert(self, connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
        sql = self._sql.get(("insert", ()))
        if sql is None:
            sql = self._sql["insert", ()] = (
                f"INSERT INTO {self.name} ({', '.join(self.quoted[c] for c in self.columns)}) "
                f"VALUES ({', '.join(self.mark for _ in self.columns)})"
            )
        values = self._values(self.columns)
        if self.dialect.name == "postgresql":  # COPY: no statement and no round trip per row
            copy_sql = self._sql.get(("copy", ()))
            if copy_sql is None:
                copy_sql = self._sql["copy", ()] = (
                    f"COPY {self.name} ({', '.join(self.quoted[c] for c in self.columns)}) "
                    "FROM STDIN"
                )
            driver = connection.connection.driver_connection
            assert driver is not None
            with driver.cursor() as cursor, cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(values(row))
            return
        connection.exec_driver_sql(sql, [values(r) for r in rows])

    def _where(self) -> str:
        return " AND ".join(f"{self.quoted[c]} = {self.mark}" for c in self.key)

    def update(
        self, connection: Connection, columns: tuple[str, ...],
        changes: Sequence[tuple[dict[str, Any], tuple[Any, ...]]],
    ) -> None:
        """Set ``columns`` to their values in each ``(row, key)``, on the row with that key."""
        sql = self._sql.get(("update", columns))
        if sql is None:
            sets = ", ".join(f"{self.quoted[c]} = {self.mark}" for c in columns)
            sql = self._sql["update", columns] = (
                f"UPDATE {self.name} SET {sets} WHERE {self._where()}"
            )
        values, keys = self._values(columns), self._values(self.key)
        connection.exec_driver_sql(
            sql,
            [values(row) + keys(dict(zip(self.key, key, strict=True))) for row, key in changes],
        )

    def delete(self, connection: Connection, keys: Sequence[tuple[Any, ...]]) -> None:
        sql = self._sql.get(("delete", ()))
        if sql is None:
            sql = self._sql["delete", ()] = f"DELETE FROM {self.name} WHERE {self._where()}"
        values = self._values(self.key)
        connection.exec_driver_sql(
            sql, [values(dict(zip(self.key, k, strict=True))) for k in keys]
        )


# the events of these aggregates, of these topics, before the batch: [(position, event)]
History = Callable[[Sequence[Any], Sequence[str]], list[tuple[int, Any]]]


class UnitOfWork:
    """Rows of one projection's tables touched by one batch of events, and its view of the
    cases those events concern (``cases``: folded from their events, never stored)."""

    def __init__(
        self, connection: Connection, specs: dict[str, TableSpec],
        history: History | None = None,
    ) -> None:
        self.connection = connection
        self.specs = specs
        self.history = history
        self.cases: dict[Any, Row] = {}
        self.unregistered: set[Any] = set()  # case ids with no registration in the log
        self.rows: dict[str, dict[Key, Row]] = {name: {} for name in specs}
        self.originals: dict[str, dict[Key, Row]] = {name: {} for name in specs}
        self.new: dict[str, dict[Key, None]] = {name: {} for name in specs}
        self.deleted: dict[str, dict[Key, Row]] = {name: {} for name in specs}
        self.missing: dict[str, set[Key]] = {name: set() for name in specs}
        # values of a column for which every row is loaded: complete[table][column]
        self.complete: dict[str, dict[str, set[Any]]] = {name: {} for name in specs}
        # keys of the loaded or added rows by their prefetch_by value
        self.groups: dict[str, dict[Any, set[Key]]] = {name: {} for name in specs}
        self._group_by = {name: spec.prefetch_by for name, spec in specs.items()}
        self._keys = {
            name: (lambda row, c=spec.key[0]: (row[c],)) if len(spec.key) == 1
            else itemgetter(*spec.key)
            for name, spec in specs.items()
        }

    # -- reading ------------------------------------------------------------------------

    def prefetch(self, name: str, values: Iterable[Any], column: str | None = None) -> None:
        """Load every row of table ``name`` whose ``column`` (default: its ``prefetch_by``)
        is in ``values``; afterwards a miss on those values needs no query."""
        spec = self.specs[name]
        column = column or spec.prefetch_by
        assert column is not None
        done = self.complete[name].setdefault(column, set())
        todo = [v for v in dict.fromkeys(values) if v not in done]
        for start in range(0, len(todo), CHUNK):
            chunk = todo[start : start + CHUNK]
            statement = select(*self._columns(name)).where(spec.table.c[column].in_(chunk))
            for found in self.connection.execute(statement):
                self._loaded(name, found._asdict())
            done.update(chunk)

    def known_empty(self, name: str, values: Iterable[Any], column: str | None = None) -> None:
        """Record that table ``name`` has no rows whose ``column`` is in ``values``."""
        column = column or self.specs[name].prefetch_by
        assert column is not None
        self.complete[name].setdefault(column, set()).update(values)

    def get(self, name: str, *key: Any) -> Row | None:
        """The row of ``name`` with this key (as changed so far in the batch), or None."""
        row = self.rows[name].get(key)
        if row is not None:
            return row
        if key in self.missing[name]:
            return None
        spec = self.specs[name]
        for column, value in zip(spec.key, key, strict=True):
            if value in self.complete[name].get(column, ()):
                return None
        condition = and_(*(spec.table.c[c] == v for c, v in zip(spec.key, key, strict=True)))
        found = self.connection.execute(select(*self._columns(name)).where(condition)).first()
        if found is None:
            self.missing[name].add(key)
            return None
        return self._loaded(name, found._asdict())

    def select(self, name: str, **where: Any) -> list[Row]:
        """Rows of ``name`` matching ``where`` in the database or added in this batch
        (rows deleted in the batch left out)."""
        table = self.specs[name].table
        condition = and_(*(table.c[c] == v for c, v in where.items()))
        for found in self.connection.execute(select(*self._columns(name)).where(condition)):
            key = self._key(name, found._asdict())
            if key not in self.rows[name] and key not in self.deleted[name]:
                self._loaded(name, found._asdict())
        return [
            row for row in self.rows[name].values()
            if all(row[c] == v for c, v in where.items())
        ]

    def find(self, name: str, **where: Any) -> list[Row]:
        """Like :meth:`select`, but answered from memory when the table's ``prefetch_by``
        column is in ``where`` and that value was prefetched."""
        spec = self.specs[name]
        column = spec.prefetch_by
        if column in where and where[column] in self.complete[name].get(column, ()):
            rows = self.rows[name]
            return [
                rows[key] for key in self.groups[name].get(where[column], ())
                if key in rows and all(rows[key][c] == v for c, v in where.items())
            ]
        return self.select(name, **where)

    # -- writing ------------------------------------------------------------------------

    def insert(self, name: str, row: Row) -> Row:
        """Add a new row; its key must be free."""
        key = self._keys[name](row)
        rows = self.rows[name]
        if rows.get(key) is not None:  # in the database: the unique key refuses it
            raise ValueError(f"{name} already has a row {key}")
        rows[key] = row
        missing = self.missing[name]
        if missing:
            missing.discard(key)
        self.new[name][key] = None
        column = self._group_by[name]
        if column is not None:
            self.groups[name].setdefault(row[column], set()).add(key)
        return row

    def delete(self, name: str, *key: Any) -> None:
        """Remove the row with this key, if there is one."""
        row = self.get(name, *key)
        if row is None:
            return
        del self.rows[name][key]
        self.missing[name].add(key)
        if key in self.new[name]:
            del self.new[name][key]
        else:
            self.deleted[name][key] = self.originals[name].pop(key)

    def touched(self, name: str) -> list[Row]:
        """Rows of ``name`` inserted or changed in this batch."""
        originals = self.originals[name]
        return [
            row for key, row in self.rows[name].items()
            if key in self.new[name] or row != originals.get(key)
        ]

    def flush(self) -> int:
        """Write every change; returns the number of rows written."""
        written = 0
        dialect = self.connection.dialect
        for name, spec in self.specs.items():
            writer = spec.writer(dialect)
            if self.deleted[name]:
                writer.delete(self.connection, list(self.deleted[name]))
                written += len(self.deleted[name])
            inserts = [self.rows[name][key] for key in self.new[name]]
            if inserts:
                writer.insert(self.connection, inserts)
                written += len(inserts)
            originals = self.originals[name]
            by_columns: dict[tuple[str, ...], list[tuple[Row, Key]]] = {}
            for key, row in self.rows[name].items():  # SET only the changed columns
                original = originals.get(key)
                if original is None or row == original:
                    continue
                changed = tuple(c for c, v in row.items() if original.get(c) != v)
                by_columns.setdefault(changed, []).append((row, key))
            for changed, changes in by_columns.items():
                writer.update(self.connection, changed, changes)
                written += len(changes)
        return written

    # -- internals ----------------------------------------------------------------------

    def _columns(self, name: str) -> list[Any]:
        """The stored columns (generated ones, like a search vector, are the database's)."""
        return [c for c in self.specs[name].table.c if c.computed is None]

    def _key(self, name: str, row: Row) -> Key:
        return self._keys[name](row)  # type: ignore[no-any-return]

    def _loaded(self, name: str, row: Row) -> Row:
        key = self._key(name, row)
        if key in self.rows[name] or key in self.deleted[name]:
            return self.rows[name].get(key, row)
        self.originals[name][key] = dict(row)
        self.rows[name][key] = row
        self._group(name, key, row)
        return row

    def _group(self, name: str, key: Key, row: Row) -> None:
        column = self._group_by[name]
        if column is not None:
            self.groups[name].setdefault(row[column], set()).add(key)

