"""A unit of work for one batch of events: rows are loaded in bulk, changed in memory by the
event handlers, and written back with a few ``executemany`` statements per table.

Handlers never issue SQL themselves; they ``get``, ``insert``, ``delete`` and mutate the row
dicts they were given. ``flush`` compares each loaded row with its original and writes only
what changed, so replaying the same events gives the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, and_, bindparam, select
from sqlalchemy.engine import Connection

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


class UnitOfWork:
    """Rows of one projection's tables touched by one batch of events."""

    def __init__(self, connection: Connection, specs: dict[str, TableSpec]) -> None:
        self.connection = connection
        self.specs = specs
        self.rows: dict[str, dict[Key, Row]] = {name: {} for name in specs}
        self.originals: dict[str, dict[Key, Row]] = {name: {} for name in specs}
        self.new: dict[str, dict[Key, None]] = {name: {} for name in specs}
        self.deleted: dict[str, dict[Key, Row]] = {name: {} for name in specs}
        self.missing: dict[str, set[Key]] = {name: set() for name in specs}
        # values of a column for which every row is loaded: complete[table][column]
        self.complete: dict[str, dict[str, set[Any]]] = {name: {} for name in specs}
        # keys of the loaded or added rows by their prefetch_by value
        self.groups: dict[str, dict[Any, set[Key]]] = {name: {} for name in specs}

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

    def get(self, name: str, *key: Any) -> Row | None:
        """The row of ``name`` with this key (as changed so far in the batch), or None."""
        rows = self.rows[name]
        if key in rows:
            return rows[key]
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
        key = self._key(name, row)
        if self.rows[name].get(key) is not None:  # in the database: the unique key refuses it
            raise ValueError(f"{name} already has a row {key}")
        self.rows[name][key] = row
        self.missing[name].discard(key)
        self.new[name][key] = None
        self._group(name, key, row)
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
        for name, spec in self.specs.items():
            table = spec.table
            key_match = and_(*(table.c[c] == bindparam(f"k_{c}") for c in spec.key))
            if self.deleted[name]:
                params = [
                    {f"k_{c}": v for c, v in zip(spec.key, key, strict=True)}
                    for key in self.deleted[name]
                ]
                self.connection.execute(table.delete().where(key_match), params)
                written += len(params)
            inserts = [self.rows[name][key] for key in self.new[name]]
            if inserts:
                self.connection.execute(table.insert(), inserts)
                written += len(inserts)
            originals = self.originals[name]
            by_columns: dict[tuple[str, ...], list[Row]] = {}
            for key, row in self.rows[name].items():  # SET only the changed columns
                original = originals.get(key)
                if original is None or row == original:
                    continue
                changed = tuple(c for c, v in row.items() if original.get(c) != v)
                params = {c: row[c] for c in changed}
                params.update({f"k_{c}": v for c, v in zip(spec.key, key, strict=True)})
                by_columns.setdefault(changed, []).append(params)
            for params in by_columns.values():
                self.connection.execute(table.update().where(key_match), params)
                written += len(params)
        return written

    # -- internals ----------------------------------------------------------------------

    def _columns(self, name: str) -> list[Any]:
        """The stored columns (generated ones, like a search vector, are the database's)."""
        return [c for c in self.specs[name].table.c if c.computed is None]

    def _key(self, name: str, row: Row) -> Key:
        return tuple(row[c] for c in self.specs[name].key)

    def _loaded(self, name: str, row: Row) -> Row:
        key = self._key(name, row)
        if key in self.rows[name] or key in self.deleted[name]:
            return self.rows[name].get(key, row)
        self.originals[name][key] = dict(row)
        self.rows[name][key] = row
        self._group(name, key, row)
        return row

    def _group(self, name: str, key: Key, row: Row) -> None:
        column = self.specs[name].prefetch_by
        if column is not None:
            self.groups[name].setdefault(row[column], set()).add(key)

