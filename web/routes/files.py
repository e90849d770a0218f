"""The files of a case's documents: attach a version, list the versions, download one
(with Range and ETag). Secrecy as in the case view: a secret document's bytes go only to
those who may read it (each such download logged); the public gets none (docs/files.md)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, jsonify, request
from marshmallow import ValidationError
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.http import parse_options_header
from werkzeug.wsgi import wrap_file

from diarium.cases.files.media import FileRejected
from diarium.cases.files.service import FileTooLarge, max_file_bytes
from diarium.domain.roles import SERVICE, STAFF
from diarium.projections.file_texts import statuses as text_statuses
from diarium.web.auth import requires
from diarium.web.disclosure import disclose
from diarium.web.routes.cases import REGISTRAR_OR_OWN, dumped_case
from diarium.web.routes.common import actor, answer_write, diarium, query

api = Blueprint("files", __name__, url_prefix="/api")
FILES = "/cases/<path:dnr>/documents/<int:document>/files"
_MULTIPART_OVERHEAD = 64 * 1024  # a form's boundaries and headers beside the file itself


def _versions(dnr: str, document: int) -> list[dict[str, Any]]:
    """The document's file versions as the reader may see them (the case view's filter),
    each with how the reading of its text went where its hash is shown."""
    versions = diarium().files.versions(dnr, document)  # 404 for an unknown document
    shown = disclose(dumped_case(diarium().view_case(dnr)))["documents"][document - 1]["files"]
    statuses = text_statuses(diarium().recorder.datastore.engine, [v.sha256 for v in versions])
    for item, version in zip(shown, versions, strict=True):
        item["text_status"] = statuses[version.sha256] if item.get("sha256") else None
    return shown


def _upload() -> tuple[Any, str | None, str | None]:
    """The uploaded stream, its claimed media type and its file name: field ``file`` of a
    ``multipart/form-data`` body, or the raw body (name from ``Content-Disposition``)."""
    request.max_content_length = max_file_bytes() + _MULTIPART_OVERHEAD
    if request.mimetype == "multipart/form-data":
        part = request.files.get("file")
        if part is None:
            raise ValidationError({"file": ["Missing: send the file in the form field 'file'."]})
        return part.stream, part.mimetype or None, part.filename or None
    if not request.mimetype:
        raise BadRequest("Send the file as multipart/form-data (field 'file') or as the "
                         "body with its Content-Type.")
    _, options = parse_options_header(request.headers.get("Content-Disposition", ""))
    return request.stream, request.mimetype, options.get("filename")


@api.post(FILES)
@REGISTRAR_OR_OWN
def attach_file(dnr: str, document: int) -> Response:
    """Attach a file to a registered document as its next version.
    ---
    post:
      summary: Attach a file (a new version) to a document
      description: >-
        The file goes as field `file` of a `multipart/form-data` body, or as the body itself
        with its `Content-Type` (the file name in `Content-Disposition: attachment;
        filename=...`). Its media type is detected from the content; a file that is empty,
        cut short or another type than said is refused (422, field `file`); one over the
        limit (`DIARIUM_MAX_FILE_BYTES`, default 100 MiB) gets 413.
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [file]
              properties: {file: {type: string, format: binary}}
          application/octet-stream:
            schema: {type: string, format: binary}
      responses:
        "201":
          description: Attached; Location names the version
          content: {application/json: {schema: FileVersionSchema}}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
        "413": {$ref: "#/components/responses/TooLarge"}
        "422": {$ref: "#/components/responses/Invalid"}
    """
    files = diarium().files
    try:
        stream, claimed, name = _upload()
        with files.staged(stream) as staged:
            try:
                written = files.attach(dnr, document, staged, claimed_media_type=claimed,
                                       file_name=name, by=actor())
            except FileRejected as rejected:
                raise ValidationError({"file": [str(rejected)]}) from None
    except RequestEntityTooLarge:
        raise FileTooLarge(max_file_bytes()) from None
    version = len(written.case.documents[document - 1].files)
    return answer_write(
        lambda: _versions(dnr, document)[version - 1], 201, written.version,
        f"/api{FILES}".replace("<path:dnr>", dnr).replace("<int:document>", str(document))
        + f"/{version}", written.position,
    )


@api.get(FILES)
@requires(*STAFF, SERVICE)
@query(
    "The versions of a document's file", "{type: array, items: FileVersionSchema}",
    "Oldest first; name and hash withheld where the document's content is secret; "
    "`text_status`: how the reading of its text for search went",
)
def list_files(dnr: str, document: int) -> Response:
    """The versions of a document's file."""
    return jsonify(_versions(dnr, document))


def _disposition(name: str) -> str:
    """``Content-Disposition: attachment`` naming ``name`` (RFC 6266: an ASCII fallback and
    the UTF-8 name)."""
    fallback = name.encode("ascii", "replace").decode().replace('"', "'").replace("\\", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@api.get(f"{FILES}/<int:version>")
@requires(*STAFF, SERVICE)
def download_file(dnr: str, document: int, version: int) -> Response:
    """The bytes of one version of a document's file.
    ---
    get:
      summary: Download a version of a document's file
      description: >-
        The bytes, with the detected media type, `ETag` (the SHA-256) and `Accept-Ranges`;
        `Range` gives 206, `If-None-Match` 304. A secret document's file (a marking covers
        its content) goes only to a reader who may read the case's secrets, and each such
        download is logged; anyone else gets 403.
      responses:
        "200":
          description: The file
          content: {application/octet-stream: {schema: {type: string, format: binary}}}
        "206": {description: The range asked for}
        "304": {description: Not modified}
        "403": {$ref: "#/components/responses/Forbidden"}
        "404": {$ref: "#/components/responses/NotFound"}
        "416": {description: Range not satisfiable}
    """
    chosen, stream = diarium().files.read(dnr, document, version, actor())
    response = Response(wrap_file(request.environ, stream), mimetype=chosen.media_type,
                        direct_passthrough=True)
    response.headers["Content-Disposition"] = _disposition(
        chosen.file_name or f"{dnr}-{document}-{version}")
    response.set_etag(chosen.sha256)
    response.headers["Cache-Control"] = "private, no-store"
    return response.make_conditional(request, accept_ranges=True, complete_length=chosen.size)
