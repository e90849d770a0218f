"""Files in PostgreSQL (the default with PostgreSQL): every web and worker process on every
machine reaches them through the database. A file is a row of ``diarium_files`` (key, size,
when last put) and its bytes rows of ``diarium_file_chunks`` of 1 MiB each, written in one
transaction with the ``diarium_files`` row last, so a file is whole or absent. Reads fetch only
the chunks asked for (a Range download seeks), one short query each: memory stays flat."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.exc import InterfaceError, OperationalError

from diarium.cases.files.stores import (
    CHUNK,
    BlobMissing,
    BlobStore,
    ChunkedReader,
    StoreUnavailable,
)

TABLES = (
    """CREATE TABLE IF NOT EXISTS diarium_files (
        key text PRIMARY KEY, size bigint NOT NULL,
        stored_at timestamptz NOT NULL DEFAULT now())""",
    """CREATE TABLE IF NOT EXISTS diarium_file_chunks (
        key text NOT NULL, n integer NOT NULL, data bytea NOT NULL, PRIMARY KEY (key, n))""",
    # files are mostly compressed already (PDF, images, Office zips): no TOAST compression
    "ALTER TABLE diarium_file_chunks ALTER COLUMN data SET STORAGE EXTERNAL",
)


def _psycopg(url: str) -> str:
    """``url`` with the psycopg (3) driver, the one installed, where none is named."""
    return "postgresql+psycopg" + url[len("postgresql"):] if url.startswith(
        "postgresql:") else url


class PostgresStore(BlobStore):
    """Files in tables of a PostgreSQL database (see the module)."""

    def __init__(self, engine: Engine, *, owned: bool = False) -> None:
        self.engine = engine
        self.owned = owned  # an engine of its own, disposed of by close()
        self.url = f"postgresql (database {engine.url.database})"

    @classmethod
    def at(cls, url: str | None, database_url: str, engine: Any = None) -> PostgresStore:
        """The store in the database ``url`` names, or with ``None`` in the application's
        own database (through its ``engine`` when given)."""
        if url is None:
            if not database_url.startswith("postgresql"):
                raise ValueError("DIARIUM_BLOB_URL=postgresql keeps files in the application's "
                                 "database, which must then be PostgreSQL; name another "
                                 "database (postgresql+psycopg://…) or another store")
            if engine is not None:
                return cls(engine)
            url = database_url
        return cls(create_engine(_psycopg(url), pool_pre_ping=True), owned=True)

    @contextmanager
    def _connection(self, *, write: bool = False) -> Iterator[Connection]:
        """A connection (in a transaction committed at the end when ``write``); a database
        out of reach is :class:`StoreUnavailable`."""
        try:
            with (self.engine.begin() if write else self.engine.connect()) as connection:
                yield connection
        except (OperationalError, InterfaceError) as error:
            raise StoreUnavailable(self.url, error) from error

    def create(self) -> None:
        with self._connection(write=True) as connection:
            for statement in TABLES:
                connection.execute(text(statement))

    def close(self) -> None:
        if self.owned:
            self.engine.dispose()

    def put(self, key: str, source: Path) -> None:
        with self._connection(write=True) as connection:
            touched = connection.execute(text(
                "UPDATE diarium_files SET stored_at = now() WHERE key = :key"), {"key": key})
            if touched.rowcount:
                return
            size, n = 0, 0
            with source.open("rb") as stream:
                while chunk := stream.read(CHUNK):
                    # a concurrent put of the same bytes waits for ours, then adds nothing
                    connection.execute(text(
                        "INSERT INTO diarium_file_chunks (key, n, data) VALUES (:key, :n, :data)"
                        " ON CONFLICT DO NOTHING"), {"key": key, "n": n, "data": chunk})
                    size, n = size + len(chunk), n + 1
            connection.execute(text(
                "INSERT INTO diarium_files (key, size) VALUES (:key, :size)"
                " ON CONFLICT (key) DO UPDATE SET stored_at = now()"),
                {"key": key, "size": size})

    def _size(self, key: str) -> int | None:
        with self._connection() as connection:
            return connection.execute(text(
                "SELECT size FROM diarium_files WHERE key = :key"), {"key": key}).scalar()

    def open(self, key: str) -> BinaryIO:
        size = self._size(key)
        if size is None:
            raise BlobMissing(key)
        return io.BufferedReader(_ChunkReader(self, key, size), CHUNK)  # type: ignore[return-value]

    def chunk(self, key: str, n: int) -> bytes:
        """The ``n``-th chunk (from 0) of the file under ``key``."""
        with self._connection() as connection:  # bytea in binary: hex text is 6x slower
            raw = connection.connection.dbapi_connection
            with raw.cursor(binary=True) as cursor:  # type: ignore[union-attr]
                cursor.execute("SELECT data FROM diarium_file_chunks WHERE key = %s AND n = %s",
                               (key, n))
                row = cursor.fetchone()
            data = None if row is None else row[0]
        if data is None:
            raise BlobMissing(key)
        return bytes(data)

    def exists(self, key: str) -> bool:
        return self._size(key) is not None

    def delete(self, key: str) -> None:
        with self._connection(write=True) as connection:  # the row first: a file is whole or absent
            connection.execute(text("DELETE FROM diarium_files WHERE key = :key"), {"key": key})
            connection.execute(text(
                "DELETE FROM diarium_file_chunks WHERE key = :key"), {"key": key})

    def stored(self) -> Iterator[tuple[str, datetime]]:
        with self._connection() as connection:
            rows = connection.execute(text("SELECT key, stored_at FROM diarium_files")).all()
        yield from ((key, stored_at) for key, stored_at in rows)


class _ChunkReader(ChunkedReader):
    """One stored file, read chunk by chunk from its table."""

    chunk_size = CHUNK

    def __init__(self, store: PostgresStore, key: str, size: int) -> None:
        super().__init__(size)
        self.store, self.key = store, key

    def chunk(self, index: int) -> bytes:
        return self.store.chunk(self.key, index)
