"""Files in S3-compatible object storage (boto3, the ``s3`` extra), as objects
``<prefix>/<key>`` of one bucket: ``DIARIUM_BLOB_URL=s3://bucket/prefix?endpoint_url=…&region=…``.
Credentials come from the usual ``AWS_*`` variables (or boto3's other sources), never the URL.

Uploads are multipart (``upload_fileobj``), streamed from the staged file; reads are ranged
GETs from where the stream stands, so a Range download fetches only its bytes. An object is
never overwritten: a second put of a key copies the object onto itself, which only renews
its LastModified (when it was last put, for the orphan collector)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from diarium.cases.files.stores import CHUNK, BlobMissing, BlobStore, SizedReader, StoreUnavailable

# multipart uploads in parts of 8 MiB, at most 4 at a time: memory stays flat (≤ 32 MiB)
TRANSFER = TransferConfig(multipart_chunksize=8 * CHUNK, max_concurrency=4)
NOT_FOUND = {"404", "NoSuchKey", "NotFound", "NoSuchBucket"}


def _missing(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in NOT_FOUND


@contextmanager
def _reaching(store: S3Store, key: str | None = None) -> Iterator[None]:
    """S3's errors as the store's: :class:`BlobMissing` for a missing object (with ``key``),
    :class:`StoreUnavailable` for the rest (unreachable, refused)."""
    try:
        yield
    except ClientError as error:
        if key is not None and _missing(error):
            raise BlobMissing(key) from None
        raise StoreUnavailable(store.url, error) from error
    except BotoCoreError as error:
        raise StoreUnavailable(store.url, error) from error


class S3Store(BlobStore):
    """Files as objects of ``bucket`` under ``prefix`` (see the module). Options (the URL's
    query): ``endpoint_url`` (an S3-compatible server), ``region``, ``addressing_style``
    (``path`` for servers without virtual-host buckets, ``virtual``, ``auto``)."""

    OPTIONS = ("endpoint_url", "region", "addressing_style")

    def __init__(self, bucket: str, prefix: str = "", **options: str) -> None:
        if not bucket:
            raise ValueError("DIARIUM_BLOB_URL: s3://bucket/prefix needs a bucket")
        if unknown := sorted(set(options) - set(self.OPTIONS)):
            raise ValueError(f"DIARIUM_BLOB_URL: unknown S3 options {unknown} "
                             f"(known: {', '.join(self.OPTIONS)})")
        endpoint_url = options.get("endpoint_url") or None
        self.bucket, self.prefix = bucket, prefix.strip("/")
        self.region = options.get("region") or None
        self.client = boto3.session.Session().client(
            "s3", endpoint_url=endpoint_url, region_name=self.region, config=Config(
                s3={"addressing_style": options.get("addressing_style") or "auto"}))
        self.url = f"s3://{bucket}/{self.prefix}" + (f" at {endpoint_url}" if endpoint_url else "")

    def _name(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def create(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as error:
            if not _missing(error):
                raise
            where = self.region and self.region != "us-east-1"
            self.client.create_bucket(Bucket=self.bucket, **(
                {"CreateBucketConfiguration": {"LocationConstraint": self.region}}
                if where else {}))

    def close(self) -> None:
        self.client.close()

    def _head(self, key: str) -> dict[str, Any] | None:
        try:
            with _reaching(self, key):
                return self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except BlobMissing:
            return None

    def put(self, key: str, source: Path) -> None:
        name = self._name(key)
        if self._head(key) is not None:  # kept as it is; used now
            with _reaching(self):
                self.client.copy_object(
                    Bucket=self.bucket, Key=name, MetadataDirective="REPLACE",
                    CopySource={"Bucket": self.bucket, "Key": name},
                    Metadata={"diarium-touched": "1"})
            return
        with source.open("rb") as stream, _reaching(self):
            self.client.upload_fileobj(stream, self.bucket, name, Config=TRANSFER)

    def open(self, key: str) -> BinaryIO:
        head = self._head(key)
        if head is None:
            raise BlobMissing(key)
        raw = _RangedReader(self, key, int(head["ContentLength"]))
        return io.BufferedReader(raw, CHUNK)  # type: ignore[return-value]

    def exists(self, key: str) -> bool:
        return self._head(key) is not None

    def delete(self, key: str) -> None:
        with _reaching(self):
            self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def stored(self) -> Iterator[tuple[str, datetime]]:
        start = f"{self.prefix}/" if self.prefix else ""
        with _reaching(self):
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=start)
            for page in pages:
                for item in page.get("Contents", []):
                    key = item["Key"][len(start):]
                    if len(key) == 64 and "/" not in key:
                        yield key, item["LastModified"]

    def get(self, key: str, start: int) -> Any:
        """A streaming body of the object from byte ``start`` on."""
        with _reaching(self, key):
            return self.client.get_object(
                Bucket=self.bucket, Key=self._name(key), Range=f"bytes={start}-")["Body"]


class _RangedReader(SizedReader):
    """A seekable read-only view of one object: a ranged GET from where the stream stands,
    read on until the next seek."""

    def __init__(self, store: S3Store, key: str, size: int) -> None:
        super().__init__(size)
        self.store, self.key = store, key
        self.body: Any = None

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        before = self.position
        if super().seek(offset, whence) != before:
            self._drop()
        return self.position

    def readinto(self, buffer: Any) -> int:
        if self.position >= self.size:
            return 0
        if self.body is None:
            self.body = self.store.get(self.key, self.position)
        with _reaching(self.store):
            data = self.body.read(len(buffer))
        buffer[:len(data)] = data
        self.position += len(data)
        return len(data)

    def _drop(self) -> None:
        if self.body is not None:
            self.body.close()
            self.body = None

    def close(self) -> None:
        self._drop()
        super().close()
