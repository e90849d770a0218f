"""Where files are kept, by the SHA-256 of their bytes (content-addressed): a directory beside
the SQLite file (the embedded default), PostgreSQL itself (the default with PostgreSQL), or
S3-compatible object storage. ``DIARIUM_BLOB_URL`` chooses (docs/files.md).

A store never overwrites: bytes stored under a key are those whose hash the key is, so a
second put of the same key only marks it as used now (``touch``), which keeps the orphan
collector (``cases/files/service.py``) off a file a command is about to reference.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import parse_qs, urlsplit

BLOB_URL_VARIABLE = "DIARIUM_BLOB_URL"
CHUNK = 1024 * 1024  # bytes read or written at a time


class BlobMissing(LookupError):
    """No file is stored under this key."""

    def __init__(self, key: str) -> None:
        super().__init__(f"No file is stored under {key}")
        self.key = key


class BlobAltered(OSError):
    """The stored bytes are not those that were put (an encrypted file that does not decrypt:
    altered, cut short, swapped)."""

    def __init__(self, key: str, detail: str) -> None:
        super().__init__(f"The file stored under {key} is altered: {detail}")
        self.key = key


class StoreUnavailable(OSError):
    """The file store cannot be reached, or refused the request (e.g. S3 down, wrong
    credentials): the operation may succeed later."""

    def __init__(self, url: str, error: Exception) -> None:
        super().__init__(f"The file store {url} is unavailable: {type(error).__name__}: {error}")


class BlobStore(ABC):
    """Files by key (the hex SHA-256 of their bytes)."""

    url: str = ""  # where, for messages (no secrets: credentials are never in it)

    def staging_dir(self) -> Path | None:
        """Where uploads are staged before :meth:`put` (``None``: the system's temp dir).
        A directory store stages beside its files, so that a put is a rename."""
        return None

    @abstractmethod
    def put(self, key: str, source: Path) -> None:
        """Keep the bytes of the file ``source`` under ``key``, durably, unless a file is
        already there (then mark it used now). ``source`` may be moved away."""

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """The stored bytes, as a seekable binary stream (:class:`BlobMissing` if none)."""

    @abstractmethod
    def exists(self, key: str) -> bool:
        """Whether a file is stored under ``key``."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the file under ``key`` (only the orphan collector does)."""

    @abstractmethod
    def stored(self) -> Iterator[tuple[str, datetime]]:
        """Every stored key, with when it was last put."""

    def create(self) -> None:  # noqa: B027 - most stores need nothing created
        """Create what the store needs (tables, the bucket's prefix): idempotent."""

    def close(self) -> None:  # noqa: B027
        """Release connections."""


class SizedReader(io.RawIOBase):
    """A seekable read-only stream of ``size`` bytes; a subclass reads (``readinto``)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self.position = base + offset
        return self.position


class ChunkedReader(SizedReader):
    """A :class:`SizedReader` over a file kept in chunks of ``chunk_size`` bytes: a read
    fetches only the chunk it needs (``chunk``), keeping the last one fetched."""

    chunk_size: int

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.cached: tuple[int, bytes] | None = None

    def chunk(self, index: int) -> bytes:
        """The bytes of chunk ``index``."""
        raise NotImplementedError

    def readinto(self, buffer: Any) -> int:
        if self.position >= self.size:
            return 0
        index, start = divmod(self.position, self.chunk_size)
        if self.cached is None or self.cached[0] != index:
            self.cached = (index, self.chunk(index))
        data = self.cached[1][start:start + len(buffer)]
        buffer[:len(data)] = data
        self.position += len(data)
        return len(data)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class DirectoryStore(BlobStore):
    """Files in a directory, as ``ab/cd/<key>``: written to a temporary file, fsynced, then
    renamed into place (and the directory fsynced), so a crash leaves a whole file or none;
    never overwritten."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.url = f"file://{root}"

    def _path(self, key: str) -> Path:
        if len(key) != 64 or not all(c in "0123456789abcdef" for c in key):
            raise ValueError(f"not a sha256 key: {key!r}")
        return self.root / key[:2] / key[2:4] / key

    def staging_dir(self) -> Path:
        staging = self.root / ".staging"
        staging.mkdir(parents=True, exist_ok=True)
        return staging

    def create(self) -> None:
        self.staging_dir()

    def put(self, key: str, source: Path) -> None:
        target = self._path(key)
        if target.exists():
            os.utime(target)  # used now: the orphan collector's grace period starts again
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.parent != self.staging_dir():  # another file system, maybe: copy first
            with (tempfile.NamedTemporaryFile(dir=self.staging_dir(), delete=False) as copy,
                  source.open("rb") as original):
                shutil.copyfileobj(original, copy, CHUNK)
            source = Path(copy.name)
        with source.open("rb+") as written:
            os.fsync(written.fileno())
        os.chmod(source, 0o440)
        os.replace(source, target)
        _fsync_dir(target.parent)

    def open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError:
            raise BlobMissing(key) from None

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def stored(self) -> Iterator[tuple[str, datetime]]:
        if not self.root.exists():
            return
        for path in self.root.glob("??/??/*"):
            if len(path.name) == 64:
                yield path.name, datetime.fromtimestamp(path.stat().st_mtime, UTC)


def default_directory(database_url: str) -> Path:
    """The embedded default: ``<sqlite file>.files/`` beside the SQLite file."""
    path = database_url.split("///", 1)[1] if "///" in database_url else "var/diarium.sqlite"
    return Path(path).resolve().with_name(Path(path).name + ".files")


def blob_store(url: str | None, database_url: str, engine: object = None) -> BlobStore:
    """The store ``url`` names (``DIARIUM_BLOB_URL``), or the default for the database:
    a directory beside a SQLite file; the PostgreSQL database itself.

    * ``file:///srv/diarium/files``: a directory (on a shared file system, for several
      machines);
    * ``postgresql`` (or a ``postgresql+psycopg://`` URL of another database): tables in
      PostgreSQL;
    * ``s3://bucket/prefix?endpoint_url=http://…&region=…``: S3-compatible object storage
      (credentials from the usual ``AWS_*`` variables; needs the ``s3`` extra, boto3).

    With ``DIARIUM_CIPHER_KEY`` set, every store keeps files encrypted
    (``cases/files/cipher.py``)."""
    url = url or os.environ.get(BLOB_URL_VARIABLE) or ""
    store = _plain_store(url, database_url, engine)
    from diarium.cases.store.persistence import CIPHER_KEY_VARIABLE

    if key := os.environ.get(CIPHER_KEY_VARIABLE):
        from diarium.cases.files.cipher import EncryptedStore

        return EncryptedStore(store, key)
    return store


def _plain_store(url: str, database_url: str, engine: object) -> BlobStore:
    scheme = urlsplit(url).scheme
    if not url:
        if database_url.startswith("sqlite"):
            return DirectoryStore(default_directory(database_url))
        url, scheme = "postgresql", "postgresql"
    if scheme == "file":
        return DirectoryStore(Path(urlsplit(url).path))
    if url == "postgresql" or scheme.startswith("postgresql"):
        from diarium.cases.files.postgres_store import PostgresStore

        return PostgresStore.at(None if url == "postgresql" else url, database_url, engine)
    if scheme == "s3":
        from diarium.cases.files.s3_store import S3Store

        parts = urlsplit(url)
        options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        return S3Store(parts.netloc, parts.path.strip("/"), **options)
    raise ValueError(f"{BLOB_URL_VARIABLE}: unknown store {url!r} (file://, postgresql, s3://)")
