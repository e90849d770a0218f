"""Files the app serves as they are (stylesheets, the API documentation's assets): read and
hashed once at start-up, answered with their ETag, cached and conditionally (304)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from flask import Response, request


@dataclass(frozen=True)
class StaticFile:
    """A file's bytes, media type and ETag."""

    data: bytes
    mimetype: str
    etag: str

    @classmethod
    def read(cls, path: Path, mimetype: str) -> StaticFile:
        data = path.read_bytes()
        return cls(data, mimetype, hashlib.sha1(data).hexdigest())

    def answer(self) -> Response:
        """The file, cached for an hour; 304 when the request already has it."""
        response = Response(self.data, mimetype=self.mimetype)
        response.set_etag(self.etag)
        response.headers["Cache-Control"] = "public, max-age=3600"
        return response.make_conditional(request)
