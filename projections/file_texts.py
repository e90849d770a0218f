"""The text of documents' files, kept by the SHA-256 of their bytes (``reg_file_text``): the
text is a function of the bytes alone, so a file is read once (cases/files/text.py) and a
rebuilt diary, or another document with the same file, takes its text from here. The table
lies beside the registers' tables, created with them, and is kept through their rebuilds.

A row also says how the reading went (its ``status``: ``indexed``, ``unsupported``,
``timeout``, ``too-large``, ``failed: …``); a file not read yet has no row (``pending``). A
file missing from the store when it was to be read is tried again later (``missing``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime, MetaData, String, Table, Text, select
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine

from diarium.cases.files.stores import BlobMissing, BlobStore
from diarium.cases.files.text import (
    INDEXED,
    UNSUPPORTED,
    Extracted,
    extract_stream,
    extractor,
)

PENDING = "pending"  # not read yet
MISSING = "missing"  # not in the store when it was to be read: read again next time
CHUNK = 500  # keys per query

metadata = MetaData()
file_texts = Table(
    "reg_file_text",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("status", String(250), nullable=False),
    Column("text", Text, nullable=False),  # "" unless indexed
    Column("extracted_at", DateTime(timezone=True), nullable=False),
)


def create(connection: Connection) -> None:
    """Create the table if it is not there (with every generation of the diary)."""
    file_texts.create(connection, checkfirst=True)


def read(connection: Connection, store: BlobStore | None, sha256: str,
         media_type: str) -> str:
    """Make sure the file ``sha256`` (of ``media_type``) was read: its text is in the table,
    or why not; reads it from ``store`` the first time (in the caller's transaction: the
    projection's batch, where :func:`read_ahead` did not read it before). The status."""
    found = _status(connection, sha256)
    if found is not None and found != MISSING:
        return found
    extracted = extract(store, sha256, media_type)
    _remember(connection, sha256, extracted, replace=found == MISSING)
    return extracted.status


def read_ahead(engine: Engine, store: BlobStore | None, files: Iterable[tuple[str, str]]
               ) -> None:
    """Read the files ``(sha256, media type)`` not read yet, each outside any transaction
    (reading one may take seconds: SQLite's write lock is not held meanwhile), its outcome
    written in a short transaction of its own."""
    wanted = dict(files)
    with engine.connect() as connection:
        known = _statuses(connection, wanted)
    for sha256, media_type in wanted.items():
        found = known.get(sha256)
        if found is not None and found != MISSING:
            continue
        extracted = extract(store, sha256, media_type)
        with engine.begin() as connection:
            _remember(connection, sha256, extracted, replace=found == MISSING)


def extract(store: BlobStore | None, sha256: str, media_type: str) -> Extracted:
    """The text of the file ``sha256`` in ``store`` (:data:`MISSING` if it is not there)."""
    if extractor(media_type) is None:
        return Extracted(UNSUPPORTED)
    if store is None:
        return Extracted(MISSING)
    try:
        with store.open(sha256) as stream:
            return extract_stream(stream, media_type)
    except BlobMissing:
        return Extracted(MISSING)


def _status(connection: Connection, sha256: str) -> str | None:
    found = connection.execute(
        select(file_texts.c.status).where(file_texts.c.sha256 == sha256)
    ).scalar()
    return None if found is None else str(found)


def _remember(connection: Connection, sha256: str, extracted: Extracted, replace: bool) -> None:
    values = {"sha256": sha256, "status": extracted.status[:250], "text": extracted.text,
              "extracted_at": datetime.now(UTC)}
    if replace:  # a file missing before, read now (or missing again)
        connection.execute(file_texts.update().where(file_texts.c.sha256 == sha256)
                           .values(**values))
        return
    insert: Any = (postgres_insert if connection.dialect.name == "postgresql"
                   else sqlite_insert)(file_texts)
    connection.execute(insert.values(**values).on_conflict_do_nothing())


def texts(connection: Connection, keys: Iterable[str]) -> dict[str, str]:
    """The texts of the files ``keys`` that were read (those with none left out)."""
    wanted = list(dict.fromkeys(k for k in keys if k))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), CHUNK):
        rows = connection.execute(
            select(file_texts.c.sha256, file_texts.c.text).where(
                file_texts.c.sha256.in_(wanted[start : start + CHUNK]),
                file_texts.c.status == INDEXED)
        )
        found.update({key: text for key, text in rows})
    return found


def statuses(engine: Engine, keys: Iterable[str]) -> dict[str, str]:
    """How the reading of each file ``keys`` went, ``pending`` where it was not read (yet)."""
    wanted = list(dict.fromkeys(keys))
    found = dict.fromkeys(wanted, PENDING)
    if not wanted:
        return found
    with engine.connect() as connection:
        if not engine.dialect.has_table(connection, file_texts.name):
            return found
        known = _statuses(connection, wanted)
    found.update({k: PENDING if v == MISSING else v for k, v in known.items()})
    return found


def _statuses(connection: Connection, keys: Iterable[str]) -> dict[str, str]:
    """The recorded status of each of the files ``keys`` that has one."""
    wanted = list(dict.fromkeys(keys))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), CHUNK):
        rows = connection.execute(
            select(file_texts.c.sha256, file_texts.c.status).where(
                file_texts.c.sha256.in_(wanted[start : start + CHUNK]))
        )
        found.update({key: str(status) for key, status in rows})
    return found
