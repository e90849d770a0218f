"""The files of a case's documents: staged from a stream, checked, stored by content and
attached by a command; read back with secrecy applied; re-hashed by ``audit verify --files``;
orphans (stored, never referenced) collected.

A failed command never loses a file: the bytes are stored before the command, so a refused
or failed command leaves an unreferenced file, which :meth:`Files.collect_orphans` removes
after a grace period; a referenced file is never removed."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from eventsourcing.utils import get_topic

from diarium.cases.files.media import Detected, detect
from diarium.cases.files.stores import CHUNK, BlobAltered, BlobMissing, BlobStore, blob_store
from diarium.cases.secrecy import CaseSecrets, may_read_case_secrets
from diarium.cases.store.event_rows import events_with_topics
from diarium.domain.actor import Actor
from diarium.domain.case.documents import AttachFile, RegisterDocument
from diarium.domain.case.terms import FileVersion, StoredFile
from diarium.domain.events.case import DocumentFileAttached
from diarium.domain.secrecy import content_withheld

if TYPE_CHECKING:
    from diarium.cases.application import Diarium, Written

MAX_FILE_BYTES_VARIABLE = "DIARIUM_MAX_FILE_BYTES"
DEFAULT_MAX_FILE_BYTES = 100 * 1024 * 1024
ORPHAN_GRACE = timedelta(hours=24)


def max_file_bytes() -> int:
    """The largest file taken (``DIARIUM_MAX_FILE_BYTES``, default 100 MiB); larger: 413."""
    return int(os.environ.get(MAX_FILE_BYTES_VARIABLE) or DEFAULT_MAX_FILE_BYTES)


class FileTooLarge(ValueError):
    """The upload is larger than the limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"The file is larger than the limit of {limit} bytes.")
        self.limit = limit


class FileVersionNotFound(LookupError):
    """The document has no file of that version."""

    def __init__(self, dnr: str, document: int, version: int | None = None) -> None:
        what = f"version {version} of a file" if version is not None else "file"
        super().__init__(f"Document {document} of case {dnr} has no {what}")
        self.dnr, self.document, self.version = dnr, document, version


class SecretContent(PermissionError):
    """The reader may not read the document's content (OSL): its bytes are withheld."""

    def __init__(self, dnr: str, document: int) -> None:
        super().__init__(
            f"Document {document} of case {dnr} is secret (a secrecy marking covers its "
            "content); this token may not read it")
        self.dnr, self.document = dnr, document


@dataclass(frozen=True)
class Staged:
    """An upload on local disk, hashed as it was written."""

    path: Path
    sha256: str
    size: int


@dataclass(frozen=True)
class FileFinding:
    """A referenced file that is missing from the store or whose bytes changed."""

    kind: str  # "file-missing" | "file-altered"
    dnr: str
    document: int
    version: int
    sha256: str
    detail: str


def hash_stream(stream: BinaryIO) -> tuple[str, int]:
    """The hex SHA-256 and the length of what ``stream`` holds from where it stands."""
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


class Files:
    """Files of documents, in the store ``DIARIUM_BLOB_URL`` names."""

    def __init__(self, app: Diarium, database_url: str, store: BlobStore | None = None) -> None:
        self.app = app
        engine = app.recorder.datastore.engine  # type: ignore[attr-defined]
        self.store = store or blob_store(None, database_url, engine)

    # -- in --------------------------------------------------------------------------

    @contextmanager
    def staged(self, stream: BinaryIO, limit: int | None = None) -> Iterator[Staged]:
        """``stream`` written to a temporary file in the store's staging place, hashed on
        the way (memory stays flat); :class:`FileTooLarge` past ``limit`` bytes. The file
        is removed afterwards unless the store took it."""
        limit = max_file_bytes() if limit is None else limit
        directory = self.store.staging_dir()
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - kept past the with, see finally
            dir=directory, prefix="upload-", delete=False)
        path = Path(handle.name)
        try:
            digest, size = hashlib.sha256(), 0
            with handle:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise FileTooLarge(limit)
                    digest.update(chunk)
                    handle.write(chunk)
            yield Staged(path, digest.hexdigest(), size)
        finally:
            path.unlink(missing_ok=True)

    def stored(
        self, staged: Staged, *, claimed_media_type: str | None, file_name: str | None
    ) -> StoredFile:
        """Check the staged file (``FileRejected`` when empty, cut short or mislabelled) and
        keep it in the store; what a command attaching it records."""
        found: Detected = detect(staged.path, staged.size, claimed=claimed_media_type,
                                 file_name=file_name)
        self.store.put(staged.sha256, staged.path)
        return StoredFile(staged.sha256, staged.size, found.media_type, claimed_media_type,
                          file_name, found.pdfa)

    def attach(
        self, command: Callable[[StoredFile], AttachFile | RegisterDocument], staged: Staged,
        *, claimed_media_type: str | None, file_name: str | None, by: Actor,
    ) -> Written:
        """Store the staged file and carry out the command made with it: attach it to a
        document as its next version (``AttachFile``), or register a document with it as
        version 1 (``RegisterDocument``). A refused command leaves the file unreferenced
        (``collect_orphans``)."""
        file = self.stored(staged, claimed_media_type=claimed_media_type, file_name=file_name)
        written = self.app.handle(command(file), by)
        if not self.store.exists(staged.sha256):  # collected as an orphan meanwhile: the
            self.store.put(staged.sha256, staged.path)  # staged bytes are still here
        return written

    # -- out -------------------------------------------------------------------------

    def versions(self, dnr: str, document_number: int) -> list[FileVersion]:
        """The versions of a document's file, oldest first (404 for an unknown document)."""
        case = self.app.view_case(dnr)
        if not 1 <= document_number <= len(case.documents):
            raise FileVersionNotFound(dnr, document_number)
        return list(case.documents[document_number - 1].files)

    def read(
        self, dnr: str, document_number: int, version: int, actor: Actor | None
    ) -> tuple[FileVersion, BinaryIO]:
        """Version ``version`` of the document's file and its bytes, for ``actor``:
        :class:`SecretContent` where a marking covers the content and the actor may not
        read it; a read of secret content is logged (``secret_reads``)."""
        case = self.app.view_case(dnr)
        files = self.versions(dnr, document_number)
        if not 1 <= version <= len(files):
            raise FileVersionNotFound(dnr, document_number, version)
        if content_withheld(CaseSecrets.of_view(case).covers("file", document_number)):
            if actor is None or not may_read_case_secrets(actor, case):
                raise SecretContent(dnr, document_number)
            self.app.secret_reads.record(
                dnr, f"documents/{document_number}/files/{version}",
                [f"documents.{document_number}.files.{version}.content"], actor)
        chosen = files[version - 1]
        return chosen, self.store.open(chosen.sha256)

    # -- audit -----------------------------------------------------------------------

    def attached(self) -> Iterator[tuple[str, DocumentFileAttached]]:
        """Every file attachment in the log, with its case's dnr."""
        dnrs: dict[object, str] = {}
        for event in events_with_topics(self.app, [get_topic(DocumentFileAttached)]):
            if event.originator_id not in dnrs:
                dnrs[event.originator_id] = self.app.repository.get(event.originator_id).dnr
            yield dnrs[event.originator_id], event

    def verify(self) -> tuple[int, list[FileFinding]]:
        """Re-hash every referenced file (reads every byte): the number of files checked,
        and each one missing or altered."""
        findings: list[FileFinding] = []
        checked: set[str] = set()
        bad: dict[str, tuple[str, str]] = {}
        for dnr, event in self.attached():
            key = event.sha256
            if key not in checked:
                checked.add(key)
                try:
                    with self.store.open(key) as stream:
                        actual, size = hash_stream(stream)
                    if actual != key or size != event.size:
                        bad[key] = ("file-altered", f"stored bytes hash to {actual} "
                                    f"({size} bytes), not {key} ({event.size} bytes)")
                except BlobMissing:
                    bad[key] = ("file-missing", f"no file stored under {key}")
                except BlobAltered as altered:  # an encrypted file that does not decrypt
                    bad[key] = ("file-altered", str(altered))
            if key in bad:
                kind, detail = bad[key]
                findings.append(FileFinding(kind, dnr, event.document_number, event.version,
                                            key, detail))
        return len(checked), findings

    def collect_orphans(self, grace: timedelta = ORPHAN_GRACE) -> list[str]:
        """Remove stored files no event references, last put before ``grace`` ago (an
        upload whose command failed); never a referenced one. The keys removed."""
        before = datetime.now(UTC) - grace
        old = [key for key, stored_at in self.store.stored() if stored_at < before]
        if not old:
            return []
        referenced = {event.sha256 for _, event in self.attached()}
        removed = [key for key in old if key not in referenced]
        for key in removed:
            self.store.delete(key)
        return removed


def copy_out(stream: BinaryIO, target: Path) -> None:
    """Write what ``stream`` holds to ``target`` (for archive packages)."""
    with target.open("wb") as out:
        shutil.copyfileobj(stream, out, CHUNK)
