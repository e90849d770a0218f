"""Backup and restore of a whole store: the events, their hash chain, the side tables and the
registers in one consistent copy, and the documents' files of a directory store.

A backup is a new directory holding ``manifest.json`` (the backend, the log position the copy
ends at, the time, where the files are), the database, and ``files/`` when the files are kept
in a directory:

- SQLite: ``diarium.sqlite``, written by SQLite's online backup API
  (``sqlite3.Connection.backup`` in one step): a consistent copy while the server writes.
- PostgreSQL: ``diarium.pgdump``, ``pg_dump`` in its custom format (the server's own
  ``pg_dump`` on ``PATH``, or the one ``PG_DUMP`` names), run on a snapshot exported by a
  repeatable-read transaction that also reads the log's head, so the manifest's position is
  exactly the copy's. The PostgreSQL blob store's tables are in the dump.

The files are copied after the database: a file is stored before the event that refers to
it, and never changed, so every file the copied log refers to is there. Files in S3 are not
copied (use the bucket's versioning or replication, docs/deployment.md).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import create_engine, make_url, text

from diarium.cases.files.stores import BLOB_URL_VARIABLE, default_directory

EVENTS_TABLE = "diarium_events"  # the application's name + the library's "_events"
MANIFEST = "manifest.json"
SQLITE_FILE = "diarium.sqlite"
PG_DUMP_FILE = "diarium.pgdump"
FILES_DIR = "files"


class BackupError(RuntimeError):
    """A backup or restore that cannot be made (the message says why)."""


@dataclass(frozen=True)
class Manifest:
    backend: str  # "sqlite" or "postgresql"
    position: int  # the log's head in the copy
    taken_at: str
    files: str  # "files/", "in the database" or what was not copied


def _libpq_url(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as libpq (pg_dump, pg_restore) takes it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError(f"not a SQLite file: {url}")
    return Path(database)


def file_directory(database_url: str) -> Path | None:
    """The directory the documents' files are kept in, or None (in PostgreSQL, or S3)."""
    blob_url = os.environ.get(BLOB_URL_VARIABLE) or ""
    if not blob_url:
        return default_directory(database_url) if database_url.startswith("sqlite") else None
    return Path(urlsplit(blob_url).path) if urlsplit(blob_url).scheme == "file" else None


def _files_note(database_url: str) -> str:
    blob_url = os.environ.get(BLOB_URL_VARIABLE) or ""
    if file_directory(database_url) is not None:
        return FILES_DIR + "/"
    if not blob_url or blob_url == "postgresql" or blob_url == database_url:
        return "in the database"
    return f"not copied: {urlsplit(blob_url).scheme}:// (back it up on its own)"


def backup(database_url: str, dest: Path) -> Manifest:
    """Copy the store at ``database_url`` into the new directory ``dest``."""
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} exists and is not empty; a backup is never written over")
    dest.mkdir(parents=True, exist_ok=True)
    if make_url(database_url).get_backend_name() == "sqlite":
        backend, position = "sqlite", _backup_sqlite(_sqlite_path(database_url), dest)
    else:
        backend, position = "postgresql", _backup_postgres(database_url, dest)
    files = file_directory(database_url)
    if files is not None and files.exists():
        shutil.copytree(files, dest / FILES_DIR, ignore=shutil.ignore_patterns(".staging"))
    manifest = Manifest(backend, position, datetime.now(UTC).isoformat(timespec="seconds"),
                        _files_note(database_url))
    (dest / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2) + "\n")
    return manifest


def _head(conn: sqlite3.Connection) -> int:
    return conn.execute(f"SELECT coalesce(max(id), 0) FROM {EVENTS_TABLE}").fetchone()[0]


def _backup_sqlite(source: Path, dest: Path) -> int:
    target = dest / SQLITE_FILE
    with closing(sqlite3.connect(source, timeout=30)) as src, \
            closing(sqlite3.connect(target)) as copy:
        src.backup(copy)  # all pages in one step: one consistent read of the source
        return _head(copy)


def _backup_postgres(database_url: str, dest: Path) -> int:
    engine = create_engine(database_url, isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as conn:  # the snapshot lives while this transaction is open
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            position = conn.execute(
                text(f"SELECT coalesce(max(id), 0) FROM {EVENTS_TABLE}")).scalar_one()
            _run([os.environ.get("PG_DUMP", "pg_dump"), "--format=custom", "--no-owner",
                  f"--snapshot={snapshot}", f"--file={dest / PG_DUMP_FILE}",
                  f"--dbname={_libpq_url(database_url)}"])
            conn.rollback()
    finally:
        engine.dispose()
    return int(position)


def _run(command: list[str]) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} not found (install PostgreSQL's client, or set "
                          "PG_DUMP / PG_RESTORE)") from None
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()}")


def _copy_new(source: str, target: str) -> None:
    """Copy a stored file unless the target has it (stored files never change)."""
    if not os.path.exists(target):
        shutil.copy2(source, target)


def read_manifest(src: Path) -> Manifest:
    try:
        return Manifest(**json.loads((src / MANIFEST).read_text()))
    except (OSError, ValueError, TypeError) as error:
        raise BackupError(f"{src} is not a diarium backup ({error})") from None


def restore(src: Path, database_url: str) -> Manifest:
    """Restore the backup ``src`` into the empty store at ``database_url`` (a SQLite file that
    does not exist yet, or an empty PostgreSQL database) and its file directory."""
    manifest = read_manifest(src)
    is_sqlite = make_url(database_url).get_backend_name() == "sqlite"
    if is_sqlite != (manifest.backend == "sqlite"):
        raise BackupError(f"a {manifest.backend} backup restores into {manifest.backend} only")
    if is_sqlite:
        target = _sqlite_path(database_url)
        if target.exists():
            raise BackupError(f"{target} exists; restore into a new file")
        target.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(src / SQLITE_FILE)) as copy, \
                closing(sqlite3.connect(target)) as new:
            copy.backup(new)
    else:
        _run([os.environ.get("PG_RESTORE", "pg_restore"), "--no-owner", "--exit-on-error",
              f"--dbname={_libpq_url(database_url)}", str(src / PG_DUMP_FILE)])
    files, copied = file_directory(database_url), src / FILES_DIR
    if copied.exists():
        if files is None:
            raise BackupError("the backup has files/ but the target keeps no files in a "
                              f"directory: set {BLOB_URL_VARIABLE}=file:///… to restore them")
        shutil.copytree(copied, files, dirs_exist_ok=True, copy_function=_copy_new)
    return manifest
