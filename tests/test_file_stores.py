"""The file stores (cases/files/): one set of tests run on every backend — a directory,
PostgreSQL, S3 (moto's server on loopback) — each also encrypted at rest; then end to end
through the HTTP API with the files in PostgreSQL, in S3 (events in PostgreSQL) and
encrypted; orphans collected there, never a referenced file; a tampered encrypted file
fails loudly and ``verify`` reports it as altered."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from diarium.cases.files.cipher import PLAIN, SEALED, EncryptedStore
from diarium.cases.files.postgres_store import PostgresStore
from diarium.cases.files.s3_store import S3Store
from diarium.cases.files.stores import (
    CHUNK,
    BlobAltered,
    BlobMissing,
    BlobStore,
    DirectoryStore,
    StoreUnavailable,
    blob_store,
)
from diarium.cases.store.persistence import CIPHER_KEY_VARIABLE
from tests.bodies_support import diarium_with_bodies  # noqa: F401 (the fixture)
from tests.conftest import postgres_database
from tests.files_support import attach, case_with_document, docx_bytes, pdf_bytes
from tests.live_server import free_port

REGION = "eu-north-1"
LETTER = pdf_bytes("Remissvar om kollektivtrafiken i Norrbotten")


def cipher_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """An S3-compatible server (moto) on loopback, with dummy credentials in the
    environment; its URL."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                            "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": REGION}.items():
            patch.setenv(name, value)
        for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
            patch.delenv(name, raising=False)
        server.start()
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.stop()


def s3_url(endpoint: str) -> str:
    """A ``DIARIUM_BLOB_URL`` naming a new bucket of that server."""
    return f"s3://files-{uuid.uuid4().hex[:12]}/diarium/files?endpoint_url={endpoint}" \
           f"&region={REGION}"


def plain_store(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BlobStore]:
    if kind == "directory":
        yield DirectoryStore(tmp_path / "files")
    elif kind == "postgres":
        for url in postgres_database():
            store = PostgresStore.at(url, "sqlite:///unused")
            yield store
            store.close()
    else:
        store = blob_store(s3_url(request.getfixturevalue("s3_endpoint")), "sqlite:///unused")
        yield store
        store.close()


@pytest.fixture(params=["directory", "postgres", "s3"])
def inner(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BlobStore]:
    """An empty store of each backend, created."""
    for store in plain_store(request.param, request, tmp_path):
        store.create()
        yield store


@pytest.fixture(params=["plain", "encrypted"])
def store(request: pytest.FixtureRequest, inner: BlobStore) -> BlobStore:
    """Each backend as it is and encrypted at rest."""
    return inner if request.param == "plain" else EncryptedStore(inner, cipher_key())


def backend(store: BlobStore) -> BlobStore:
    """The store under the encryption, if any."""
    return store.inner if isinstance(store, EncryptedStore) else store


def put(store: BlobStore, data: bytes, tmp_path: Path) -> str:
    """``data`` put under its SHA-256 (staged where the store stages); the key."""
    staging = store.staging_dir() or tmp_path
    source = staging / f"upload-{uuid.uuid4().hex}"
    source.write_bytes(data)
    key = hashlib.sha256(data).hexdigest()
    store.put(key, source)
    source.unlink(missing_ok=True)
    return key


def stored_at(store: BlobStore, key: str) -> Any:
    return dict(store.stored())[key]


# -- every store ---------------------------------------------------------------------------

def test_put_then_read_whole_and_ranges(store: BlobStore, tmp_path: Path) -> None:
    data = os.urandom(2 * CHUNK + 70_001)  # several chunks of every kind, the last partial
    key = put(store, data, tmp_path)
    assert store.exists(key)
    with store.open(key) as stream:
        assert stream.read() == data
        assert stream.seekable()
        for start, length in ((0, 10), (CHUNK - 5, 10), (PLAIN - 1, 2), (123_456, CHUNK),
                              (len(data) - 100, 100), (SEALED * 3 + 7, 3)):
            assert stream.seek(start) == start
            assert stream.read(length) == data[start:start + length]
        assert stream.seek(0, io.SEEK_END) == len(data)
        assert stream.read(10) == b""
        stream.seek(len(data) - 3)
        assert stream.read(10) == data[-3:]  # a read past the end stops at the end


@pytest.mark.parametrize("size", [0, 1, PLAIN, PLAIN + 1, CHUNK])
def test_sizes_at_chunk_edges(store: BlobStore, tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    key = put(store, data, tmp_path)
    with store.open(key) as stream:
        assert stream.read() == data


def test_put_twice_never_overwrites_but_marks_it_used(store: BlobStore, tmp_path: Path) -> None:
    data = b"the first bytes " * 1000
    key = put(store, data, tmp_path)
    first = stored_at(store, key)
    time.sleep(1.1 if isinstance(backend(store), S3Store) else 0.05)  # S3: to the second
    other = tmp_path / "other"
    other.write_bytes(b"other bytes claiming the same key")
    store.put(key, other)
    with store.open(key) as stream:
        assert stream.read() == data
    assert stored_at(store, key) > first
    assert [k for k, _ in store.stored()] == [key]


def test_exists_delete_and_stored(store: BlobStore, tmp_path: Path) -> None:
    one, two = put(store, b"one" * 100, tmp_path), put(store, b"two" * 100, tmp_path)
    assert sorted(k for k, _ in store.stored()) == sorted([one, two])
    store.delete(one)
    assert not store.exists(one)
    assert store.exists(two)
    assert [k for k, _ in store.stored()] == [two]
    with pytest.raises(BlobMissing):
        store.open(one)
    store.delete(one)  # deleting what is gone is no error


def test_a_missing_key_raises_blob_missing(store: BlobStore) -> None:
    key = hashlib.sha256(b"never stored").hexdigest()
    assert not store.exists(key)
    with pytest.raises(BlobMissing) as missing:
        store.open(key)
    assert missing.value.key == key


@pytest.mark.parametrize("inner", ["directory", "postgres"], indirect=True)
def test_memory_stays_flat(store: BlobStore, tmp_path: Path) -> None:
    """A 48 MiB file put and read back in a few MiB (S3 is left out: moto keeps its objects
    in this process)."""
    source = tmp_path / "big"
    digest = hashlib.sha256()
    with source.open("wb") as out:
        for _ in range(48):
            block = os.urandom(CHUNK)
            digest.update(block)
            out.write(block)
    key = digest.hexdigest()
    tracemalloc.start()
    try:
        store.put(key, source)
        with store.open(key) as stream:
            read = hashlib.sha256()
            while block := stream.read(CHUNK):
                read.update(block)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert read.hexdigest() == key
    assert peak < 8 * CHUNK, f"peak {peak} bytes"


# -- encrypted at rest ---------------------------------------------------------------------

def stored_bytes(inner: BlobStore, key: str) -> bytes:
    with inner.open(key) as stream:
        return stream.read()


def replace(inner: BlobStore, key: str, data: bytes, tmp_path: Path) -> None:
    """Store ``data`` under ``key`` in place of what is there (what an attacker does)."""
    inner.delete(key)
    source = (inner.staging_dir() or tmp_path) / "forged"
    source.write_bytes(data)
    inner.put(key, source)


def test_encrypted_bytes_are_not_the_plaintext(inner: BlobStore, tmp_path: Path) -> None:
    store = EncryptedStore(inner, cipher_key())
    data = b"Personnummer 19121212-1212, sekretess OSL 26:1. " * 3000
    key = put(store, data, tmp_path)
    sealed = stored_bytes(inner, key)
    assert b"Personnummer" not in sealed
    assert len(sealed) > len(data)
    with store.open(key) as stream:
        assert stream.read() == data
    with pytest.raises(BlobAltered), EncryptedStore(inner, cipher_key()).open(key) as wrong:
        wrong.read()  # another key does not decrypt it


@pytest.mark.parametrize("inner", ["directory"], indirect=True)
@pytest.mark.parametrize("tamper", ["bit", "reorder", "cut", "swap", "plaintext"])
def test_a_tampered_encrypted_file_fails_loudly(
    inner: BlobStore, tmp_path: Path, tamper: str
) -> None:
    store = EncryptedStore(inner, cipher_key())
    data = os.urandom(3 * PLAIN + 10)
    key = put(store, data, tmp_path)
    other = put(store, os.urandom(3 * PLAIN + 10), tmp_path)
    sealed, head = stored_bytes(inner, key), 8
    chunks = [sealed[head + i * SEALED:head + (i + 1) * SEALED] for i in range(4)]
    forged = {
        "bit": sealed[:100] + bytes([sealed[100] ^ 1]) + sealed[101:],
        "reorder": sealed[:head] + chunks[1] + chunks[0] + chunks[2] + chunks[3],
        "cut": sealed[:head] + b"".join(chunks[:3]),  # whole chunks dropped from the end
        "swap": stored_bytes(inner, other),  # another file's chunks under this key
        "plaintext": data,
    }[tamper]
    replace(inner, key, forged, tmp_path)
    with pytest.raises(BlobAltered), store.open(key) as stream:
        stream.read()


# -- the factory ---------------------------------------------------------------------------

def test_blob_url_chooses_the_store(
    monkeypatch: pytest.MonkeyPatch, s3_endpoint: str, tmp_path: Path
) -> None:
    sqlite = f"sqlite:///{tmp_path / 'd.sqlite'}"
    monkeypatch.delenv("DIARIUM_BLOB_URL", raising=False)
    monkeypatch.delenv(CIPHER_KEY_VARIABLE, raising=False)
    assert isinstance(blob_store(None, sqlite), DirectoryStore)
    s3 = blob_store(f"s3://bucket/some/prefix/?endpoint_url={s3_endpoint}&region={REGION}"
                    "&addressing_style=path", sqlite)
    assert isinstance(s3, S3Store)
    assert (s3.bucket, s3.prefix, s3.region) == ("bucket", "some/prefix", REGION)
    with pytest.raises(ValueError, match="unknown S3 options"):
        blob_store("s3://bucket?endpoint=http://127.0.0.1:1", sqlite)
    with pytest.raises(ValueError, match="PostgreSQL"):
        blob_store("postgresql", sqlite)  # the application's database is not PostgreSQL
    monkeypatch.setenv(CIPHER_KEY_VARIABLE, cipher_key())
    encrypted = blob_store(f"file://{tmp_path / 'files'}", sqlite)
    assert isinstance(encrypted, EncryptedStore)
    assert isinstance(encrypted.inner, DirectoryStore)


# -- end to end through the HTTP API -------------------------------------------------------

@pytest.fixture(params=["postgres", "s3", "encrypted-sqlite", "encrypted-s3"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """For the API tests (the ``diarium`` and ``client`` fixtures of tests/conftest.py take
    it): the files in PostgreSQL's own tables, in S3 with the events in PostgreSQL, encrypted
    beside SQLite, encrypted in S3."""
    monkeypatch.delenv("DIARIUM_BLOB_URL", raising=False)
    monkeypatch.delenv(CIPHER_KEY_VARIABLE, raising=False)
    if request.param.startswith("encrypted"):
        monkeypatch.setenv(CIPHER_KEY_VARIABLE, cipher_key())
    if request.param.endswith("s3"):
        monkeypatch.setenv("DIARIUM_BLOB_URL", s3_url(request.getfixturevalue("s3_endpoint")))
    if request.param == "encrypted-sqlite":
        yield f"sqlite:///{tmp_path / 'diarium.sqlite'}"
    else:
        yield from postgres_database()


def test_attach_versions_list_and_download(
    diarium: Any, client: Any, request: pytest.FixtureRequest
) -> None:
    dnr = case_with_document(client)
    second = docx_bytes("Rättad version")
    assert attach(client, dnr, LETTER, "remiss.pdf").status_code == 201
    assert attach(client, dnr, second, "remiss.docx", "application/vnd.openxmlformats-"
                  "officedocument.wordprocessingml.document").status_code == 201
    listed = client.get(f"/api/cases/{dnr}/documents/1/files").get_json()
    keys = [hashlib.sha256(LETTER).hexdigest(), hashlib.sha256(second).hexdigest()]
    assert [(v["version"], v["sha256"]) for v in listed] == [(1, keys[0]), (2, keys[1])]
    url = f"/api/cases/{dnr}/documents/1/files"
    assert client.get(f"{url}/1").data == LETTER
    assert client.get(f"{url}/2").data == second
    part = client.get(f"{url}/1", headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206
    assert part.data == LETTER[100:1100]
    tail = client.get(f"{url}/2", headers={"Range": "bytes=-50"})
    assert tail.data == second[-50:]

    store = diarium.files.store
    kept = backend(store)
    assert sorted(k for k, _ in kept.stored()) == sorted(keys)  # really in that backend
    expected = {"postgres": PostgresStore, "s3": S3Store, "encrypted-sqlite": DirectoryStore,
                "encrypted-s3": S3Store}[request.node.callspec.params["database_url"]]
    assert type(kept) is expected
    assert isinstance(store, EncryptedStore) == (os.environ.get(CIPHER_KEY_VARIABLE) is not None)
    if isinstance(kept, PostgresStore):  # in the application's own database, on its pool
        assert kept.engine is diarium.recorder.datastore.engine
    if isinstance(kept, S3Store):  # as objects <prefix>/<key> of the bucket
        s3 = boto3.client("s3", endpoint_url=kept.client.meta.endpoint_url, region_name=REGION)
        objects = s3.list_objects_v2(Bucket=kept.bucket)["Contents"]
        assert sorted(o["Key"] for o in objects) == sorted(f"diarium/files/{k}" for k in keys)
    if isinstance(store, EncryptedStore):
        assert stored_bytes(kept, keys[0]) != LETTER
        assert b"%PDF" not in stored_bytes(kept, keys[0])


def test_orphans_collected_never_a_referenced_file(diarium: Any, client: Any) -> None:
    dnr = case_with_document(client)
    attach(client, dnr, LETTER)
    orphan = pdf_bytes("Uppladdad, men kommandot nekades")
    assert attach(client, dnr, orphan, document=5).status_code == 409  # stored, then refused
    orphan_key = hashlib.sha256(orphan).hexdigest()
    files = diarium.files
    assert files.store.exists(orphan_key)
    assert files.collect_orphans() == []  # within the grace period
    if isinstance(backend(files.store), S3Store):
        time.sleep(1.1)  # S3 keeps LastModified to the second
    assert files.collect_orphans(timedelta(0)) == [orphan_key]
    assert not files.store.exists(orphan_key)
    assert files.store.exists(hashlib.sha256(LETTER).hexdigest())
    assert client.get(f"/api/cases/{dnr}/documents/1/files/1").data == LETTER


def test_an_unreachable_s3_store_answers_503(
    diarium: Any, client: Any, s3_endpoint: str
) -> None:
    if not isinstance(backend(diarium.files.store), S3Store):
        pytest.skip("files in S3")
    dnr = case_with_document(client)
    attach(client, dnr, LETTER)
    nowhere = S3Store("files", "diarium", endpoint_url=f"http://127.0.0.1:{free_port()}",
                      region=REGION)
    with pytest.raises(StoreUnavailable):
        nowhere.open(hashlib.sha256(LETTER).hexdigest())
    diarium.files.store = nowhere  # the server gone
    for answer in (client.get(f"/api/cases/{dnr}/documents/1/files/1"),
                   attach(client, dnr, pdf_bytes("Andra versionen"))):
        assert answer.status_code == 503
        assert answer.get_json()["type"].endswith("file-unavailable")
        assert answer.headers["Retry-After"] == "60"


def test_verify_reports_an_encrypted_file_that_does_not_decrypt(
    diarium: Any, client: Any, tmp_path: Path
) -> None:
    store = diarium.files.store
    if not isinstance(store, EncryptedStore):
        pytest.skip("files encrypted at rest")
    dnr = case_with_document(client)
    attach(client, dnr, LETTER)
    assert diarium.files.verify() == (1, [])
    key = hashlib.sha256(LETTER).hexdigest()
    sealed = bytearray(stored_bytes(store.inner, key))
    sealed[len(sealed) // 2] ^= 0x01  # one bit
    replace(store.inner, key, bytes(sealed), tmp_path)
    checked, findings = diarium.files.verify()
    assert checked == 1
    assert [(f.kind, f.dnr, f.document, f.version) for f in findings] == [
        ("file-altered", dnr, 1, 1)]
    assert "does not decrypt" in findings[0].detail
    url = f"/api/cases/{dnr}/documents/1/files/1"
    with pytest.raises(BlobAltered):  # never the altered bytes: the download breaks off
        client.get(url).data  # noqa: B018
    replace(store.inner, key, LETTER, tmp_path)  # not encrypted at all: refused at once
    answer = client.get(url)
    assert answer.status_code == 503
    assert answer.get_json()["type"].endswith("file-unavailable")
