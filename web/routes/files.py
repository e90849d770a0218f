"""The files of a case's documents: attach a version, list the versions, download one
(with Range and ETag). Secrecy as in the case view: a secret document's bytes go only to
those who may read it (each such download logged); the public gets none (docs/files.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, jsonify, request
from marshmallow import ValidationError
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.http import parse_options_header
from werkzeug.wsgi import wrap_file

from diarium.cases.application import Written
from diarium.cases.files.media import FileRejected
from diarium.cases.files.service import FileTooLarge, max_file_bytes
from diarium.cases.files.stores import CHUNK
from diarium.domain.case.documents import AttachFile
from diarium.domain.case.terms import StoredFile
from diarium.domain.roles import SERVICE, STAFF
from diarium.projections.file_texts import statuses as text_statuses
from diarium.web.auth import requires
from diarium.web.disclosure import disclose
from diarium.web.routes.cases import REGISTRAR_OR_OWN, dumped_case
from diarium.web.routes.common import actor, answer_write, diarium, json_body, query, written
from diarium.web.schemas.cases import RegisterDocumentSchema

api = Blueprint("files", __name__, url_prefix="/api")
FILES = "/cases/<path:dnr>/documents/<int:document_number>/files"
_MULTIPART_OVERHEAD = 64 * 1024  # a form's boundaries and headers beside the file itself
_REGISTER = RegisterDocumentSchema()


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


def with_file(command: Callable[[StoredFile], Any]) -> Written:
    """Stage the request's file (field ``file`` of a form, or the body) and carry out the
    command made with it, as the signed-in person: :class:`FileTooLarge` past the limit,
    a ``ValidationError`` naming ``file`` when it is missing, empty, cut short or
    mislabelled (nothing is recorded then). The API's routes and the desk's forms
    (web/desk/forms.py) both save files through here."""
    files = diarium().files
    try:
        stream, claimed, name = _upload()
        with files.staged(stream) as staged:
            try:
                return files.attach(command, staged, claimed_media_type=claimed,
                                    file_name=name, by=actor())
            except FileRejected as rejected:
                raise ValidationError({"file": [str(rejected)]}) from None
    except RequestEntityTooLarge:
        raise FileTooLarge(max_file_bytes()) from None


def _form(schema: Any, **path: Any) -> Any:
    """The command a form's fields give (its file aside), read within the file size limit."""
    try:
        return schema.command_of(request.form.to_dict(), **path)
    except RequestEntityTooLarge:
        raise FileTooLarge(max_file_bytes()) from None


def allow_file_size() -> None:
    """Let this request's form or body be as large as a file may be (beyond the app's
    body limit): to be called before the form is read."""
    request.max_content_length = max_file_bytes() + _MULTIPART_OVERHEAD


@api.before_request
def _file_size_limit() -> None:
    """A form or body that carries a file may be as large as a file may be."""
    if request.mimetype != "application/json":
        allow_file_size()


@api.post("/cases/<path:dnr>/documents")
@REGISTRAR_OR_OWN
def register_document(dnr: str) -> Response:
    """Register a document to the case, with its file when a form brings one.
    ---
    post:
      summary: Register a document to the case (with its file, as a form)
      description: >-
        As JSON, the document's register entry. As `multipart/form-data`, its fields as form
        fields and its file as field `file`: the document and its file (version 1) are
        recorded in one write, and a file refused (422, field `file`; 413 over the limit)
        records nothing.
      requestBody:
        required: true
        content:
          application/json: {schema: RegisterDocumentSchema}
          multipart/form-data:
            schema:
              type: object
              required: [direction, date, description, file]
              additionalProperties: false
              properties:
                direction: {type: string, enum: [incoming, outgoing, drawn_up]}
                date: {type: string, format: date}
                description: {type: string, minLength: 1, maxLength: 2000}
                counterpart: {type: string, maxLength: 300}
                file: {type: string, format: binary}
      responses:
        "201":
          description: Recorded
          content: {application/json: {schema: WrittenSchema}}
        "404": {$ref: "#/components/responses/NotFound"}
        "409": {$ref: "#/components/responses/Conflict"}
        "413": {$ref: "#/components/responses/TooLarge"}
        "422": {$ref: "#/components/responses/Invalid"}
    """
    if request.mimetype != "multipart/form-data":
        return written(diarium().handle(_REGISTER.command_of(json_body(), dnr=dnr), actor()),
                       201)
    command = _form(_REGISTER, dnr=dnr)
    return written(with_file(lambda file: replace(command, file=file)), 201)


register_document.command_schema = RegisterDocumentSchema  # type: ignore[attr-defined]


@api.post(FILES)
@REGISTRAR_OR_OWN
def attach_file(dnr: str, document_number: int) -> Response:
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
    result = with_file(lambda file: AttachFile(dnr, document_number, file))
    version = len(result.case.documents[document_number - 1].files)
    location = f"/api/cases/{dnr}/documents/{document_number}/files/{version}"
    return answer_write(lambda: _versions(dnr, document_number)[version - 1], 201,
                        result.version, location, result.position)


@api.get(FILES)
@requires(*STAFF, SERVICE)
@query(
    "The versions of a document's file", "{type: array, items: FileVersionSchema}",
    "Oldest first; name and hash withheld where the document's content is secret; "
    "`text_status`: how the reading of its text for search went",
)
def list_files(dnr: str, document_number: int) -> Response:
    """The versions of a document's file."""
    return jsonify(_versions(dnr, document_number))


def _disposition(name: str) -> str:
    """``Content-Disposition: attachment`` naming ``name`` (RFC 6266: an ASCII fallback and
    the UTF-8 name)."""
    fallback = name.encode("ascii", "replace").decode().replace('"', "'").replace("\\", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@api.get(f"{FILES}/<int:version>")
@requires(*STAFF, SERVICE)
def download_file(dnr: str, document_number: int, version: int) -> Response:
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
    chosen, stream = diarium().files.read(dnr, document_number, version, actor())
    response = Response(wrap_file(request.environ, stream, CHUNK), mimetype=chosen.media_type,
                        direct_passthrough=True)
    response.headers["Content-Disposition"] = _disposition(
        chosen.file_name or f"{dnr}-{document_number}-{version}")
    response.set_etag(chosen.sha256)
    response.headers["Cache-Control"] = "private, no-store"
    return response.make_conditional(request, accept_ranges=True, complete_length=chosen.size)
