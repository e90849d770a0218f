"""Files encrypted at rest (``DIARIUM_CIPHER_KEY``, the ``cipher`` extra): any store wrapped
so that it keeps only ciphertext. Keys stay the SHA-256 of the plaintext.

The stored format (docs/files.md): ``MAGIC`` (8 bytes), then the plaintext in chunks of 64 KiB
(the last one shorter, possibly empty; always at least one), each stored as
``nonce (12) ‖ AES-GCM ciphertext ‖ tag (16)``. Each chunk's associated data binds the magic,
the file's key, the chunk's index and whether it is the last, so chunks cannot be altered,
reordered, dropped from the end or swapped between files without a read failing
(:class:`BlobAltered`). The AES key is derived from ``DIARIUM_CIPHER_KEY`` with HKDF-SHA256
(info ``diarium files``), apart from the key that encrypts event payloads. A read at an offset
decrypts only the chunks it covers (Range downloads)."""

from __future__ import annotations

import base64
import io
import os
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from Crypto.Cipher import AES
from Crypto.Hash import SHA256
from Crypto.Protocol.KDF import HKDF

from diarium.cases.files.stores import BlobAltered, BlobStore, ChunkedReader

MAGIC = b"DIARFE\x00\x01"  # diarium file, encrypted, format 1
PLAIN = 64 * 1024  # plaintext bytes per chunk
NONCE, TAG = 12, 16
SEALED = NONCE + PLAIN + TAG  # stored bytes per whole chunk


def file_key(cipher_key: str) -> bytes:
    """The AES key for files, derived from the base64 ``DIARIUM_CIPHER_KEY``."""
    master = base64.b64decode(cipher_key)
    if len(master) not in (16, 24, 32):
        raise ValueError("DIARIUM_CIPHER_KEY: a base64 AES key of 16, 24 or 32 bytes")
    return HKDF(master, len(master), b"", SHA256, context=b"diarium files")  # type: ignore[return-value]


def _associated(key: str, index: int, last: bool) -> bytes:
    return MAGIC + bytes.fromhex(key) + index.to_bytes(8, "big") + (b"\x01" if last else b"\x00")


class EncryptedStore(BlobStore):
    """``store``, keeping files encrypted with the key ``DIARIUM_CIPHER_KEY`` gives."""

    def __init__(self, store: BlobStore, cipher_key: str) -> None:
        self.inner = store
        self.aes_key = file_key(cipher_key)
        self.url = f"{store.url} (encrypted)"

    def staging_dir(self) -> Path | None:
        return self.inner.staging_dir()

    def create(self) -> None:
        self.inner.create()

    def close(self) -> None:
        self.inner.close()

    def put(self, key: str, source: Path) -> None:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - removed in finally
            dir=self.inner.staging_dir(), prefix="sealed-", delete=False)
        sealed = Path(handle.name)
        try:
            with handle, source.open("rb") as plain:
                handle.write(MAGIC)
                index, chunk = 0, plain.read(PLAIN)
                while True:
                    following = plain.read(PLAIN) if len(chunk) == PLAIN else b""
                    handle.write(self._seal(key, index, chunk, last=not following))
                    if not following:
                        break
                    index, chunk = index + 1, following
            self.inner.put(key, sealed)
        finally:
            sealed.unlink(missing_ok=True)

    def _seal(self, key: str, index: int, chunk: bytes, *, last: bool) -> bytes:
        nonce = os.urandom(NONCE)
        cipher = AES.new(self.aes_key, AES.MODE_GCM, nonce=nonce)
        cipher.update(_associated(key, index, last))
        ciphertext, tag = cipher.encrypt_and_digest(chunk)
        return nonce + ciphertext + tag

    def open(self, key: str) -> BinaryIO:
        stored = self.inner.open(key)
        try:
            raw = _Decrypting(self.aes_key, key, stored)
        except BaseException:
            stored.close()
            raise
        return io.BufferedReader(raw, PLAIN)  # type: ignore[return-value]

    def exists(self, key: str) -> bool:
        return self.inner.exists(key)

    def delete(self, key: str) -> None:
        self.inner.delete(key)

    def stored(self) -> Iterator[tuple[str, datetime]]:
        return self.inner.stored()


class _Decrypting(ChunkedReader):
    """A seekable read-only view of the plaintext of an encrypted file: an offset maps to a
    chunk, which alone is read and decrypted."""

    chunk_size = PLAIN

    def __init__(self, aes_key: bytes, key: str, stored: BinaryIO) -> None:
        self.aes_key, self.key, self.stored = aes_key, key, stored
        total = stored.seek(0, io.SEEK_END) - len(MAGIC)
        stored.seek(0)
        if total < NONCE + TAG or stored.read(len(MAGIC)) != MAGIC:
            raise BlobAltered(key, "not an encrypted file of this format")
        self.chunks = -(-total // SEALED)
        super().__init__(total - self.chunks * (NONCE + TAG))
        if self.size < (self.chunks - 1) * PLAIN:
            raise BlobAltered(key, "cut short")

    def chunk(self, index: int) -> bytes:
        self.stored.seek(len(MAGIC) + index * SEALED)
        sealed = self.stored.read(SEALED)
        if len(sealed) < NONCE + TAG:
            raise BlobAltered(self.key, f"chunk {index} cut short")
        cipher = AES.new(self.aes_key, AES.MODE_GCM, nonce=sealed[:NONCE])
        cipher.update(_associated(self.key, index, index == self.chunks - 1))
        try:
            return cipher.decrypt_and_verify(sealed[NONCE:-TAG], sealed[-TAG:])
        except ValueError:
            raise BlobAltered(self.key, f"chunk {index} does not decrypt") from None

    def close(self) -> None:
        self.stored.close()
        super().close()
