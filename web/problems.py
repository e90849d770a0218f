"""RFC 9457 problem details: every error leaves as ``application/problem+json``."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import PersistenceError
from flask import Flask, Response, jsonify
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from diarium.cases.application import CaseNotFound, ConcurrentModification
from diarium.cases.files.service import FileTooLarge, FileVersionNotFound, SecretContent
from diarium.cases.files.stores import BlobAltered, BlobMissing, StoreUnavailable
from diarium.domain.meeting.terms import NotFound as MeetingResourceNotFound
from diarium.domain.rules import DateRequired, RuleViolation
from diarium.web.protocol_pdf import PrintingUnavailable

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"

@dataclass(frozen=True)
class ProblemType:
    """One type of problem: what ``GET /problems/<slug>`` documents (English and Swedish)."""

    statuses: tuple[int, ...]
    title: str
    when: str
    action: str
    title_sv: str
    when_sv: str
    action_sv: str


def _type(statuses: tuple[int, ...], english: tuple[str, str, str],
          swedish: tuple[str, str, str]) -> ProblemType:
    return ProblemType(statuses, *english, *swedish)


# The one vocabulary: every problem response's ``type`` is ``/problems/<one of these>``.
PROBLEM_TYPES: dict[str, ProblemType] = {
    "malformed-body": _type((400,), (
        "Malformed body",
        "The request body is not JSON: not sent as application/json, not valid JSON, or not "
        "valid UTF-8.",
        "Send the body as JSON (UTF-8) with 'Content-Type: application/json'.",
    ), (
        "Felformad begäran",
        "Begärans innehåll är inte JSON: inte skickat som application/json, inte giltig "
        "JSON eller inte giltig UTF-8.",
        "Skicka innehållet som JSON (UTF-8) med 'Content-Type: application/json'.",
    )),
    "invalid-body": _type((422,), (
        "Invalid request body",
        "The body is JSON but does not match the schema (a field missing, of the wrong type, "
        "too long, holding refused characters, or nested too deep); see invalid-params.",
        "Correct the fields named in invalid-params and send the request again.",
    ), (
        "Ogiltigt innehåll",
        "Innehållet är JSON men stämmer inte med schemat (ett fält saknas, har fel typ, är "
        "för långt, har otillåtna tecken eller är för djupt nästlat); se invalid-params.",
        "Rätta fälten som invalid-params pekar ut och skicka begäran igen.",
    )),
    "invalid-query": _type((400,), (
        "Invalid query parameters",
        "A query parameter is unknown, given twice, malformed or out of range (a date, "
        "`as_of`, a filter, `limit`, `format`, `dialect`…), or holds refused characters; "
        "see invalid-params.",
        "Correct the parameters named in invalid-params; each route's parameters are in "
        "/api/openapi.json.",
    ), (
        "Ogiltiga frågeparametrar",
        "En frågeparameter är okänd, angiven två gånger, felformad eller utanför sitt "
        "intervall (ett datum, `as_of`, ett filter, `limit`, `format`, `dialect`…) eller har "
        "otillåtna tecken; se invalid-params.",
        "Rätta parametrarna som invalid-params pekar ut; varje vägs parametrar finns i "
        "/api/openapi.json.",
    )),
    "unauthenticated": _type((401,), (
        "Authentication required",
        "No valid bearer token: none sent, unknown, revoked or expired.",
        "Send 'Authorization: Bearer <token>' with a live token.",
    ), (
        "Inloggning krävs",
        "Ingen giltig token: ingen skickad, okänd, återkallad eller utgången.",
        "Skicka 'Authorization: Bearer <token>' med en giltig token.",
    )),
    "forbidden": _type((403,), (
        "Forbidden",
        "The token's roles or bodies do not allow this; see required-roles.",
        "Use a token with one of the required roles, for the right body.",
    ), (
        "Åtkomst nekad",
        "Tokenens roller eller organ tillåter inte detta; se required-roles.",
        "Använd en token med någon av de roller som krävs, för rätt organ.",
    )),
    "not-found": _type((404,), (
        "Not found",
        "No such route, case, meeting, body, token, subscription, register page (cursor) or "
        "problem type; or a path parameter holds refused characters.",
        "Check the address and the identifiers in it.",
    ), (
        "Finns inte",
        "Ingen sådan väg, ärende, sammanträde, organ, token, prenumeration, registersida "
        "(cursor) eller problemtyp; eller en parameter i sökvägen har otillåtna tecken.",
        "Kontrollera adressen och identiteterna i den.",
    )),
    "method-not-allowed": _type((405,), (
        "Method not allowed",
        "The route exists but does not take this HTTP method.",
        "Use one of the methods in the Allow header.",
    ), (
        "Metoden är inte tillåten",
        "Vägen finns men tar inte emot den här HTTP-metoden.",
        "Använd någon av metoderna i svarshuvudet Allow.",
    )),
    "body-too-large": _type((413,), (
        "Body too large",
        "The request body is over 1 MiB.",
        "Send a smaller body (split the work over several requests).",
    ), (
        "För stort innehåll",
        "Begärans innehåll är större än 1 MiB.",
        "Skicka mindre innehåll (dela upp arbetet på flera begäranden).",
    )),
    "file-too-large": _type((413,), (
        "File too large",
        "The file is over the size limit for files (DIARIUM_MAX_FILE_BYTES, by default "
        "100 MiB; given in `limit`); nothing was stored.",
        "Send a smaller file, or ask the operators about the limit.",
    ), (
        "För stor fil",
        "Filen är större än gränsen för filer (DIARIUM_MAX_FILE_BYTES, som standard 100 MiB; "
        "anges i `limit`); ingenting sparades.",
        "Skicka en mindre fil, eller fråga driften om gränsen.",
    )),
    "secret-content": _type((403,), (
        "Secret content",
        "A secrecy marking (OSL) covers the document's content, and this token may not read "
        "the case's secret content; the file is not handed out.",
        "Ask the registrar for the document: its release is decided on request, after a "
        "secrecy review (OSL 6:2).",
    ), (
        "Sekretessbelagt innehåll",
        "En sekretessmarkering (OSL) omfattar handlingens innehåll, och den här tokenen får "
        "inte läsa ärendets sekretessbelagda innehåll; filen lämnas inte ut.",
        "Begär handlingen hos registratorn: om den lämnas ut prövas på begäran, efter en "
        "sekretessprövning (OSL 6:2).",
    )),
    "file-unavailable": _type((503,), (
        "File unavailable",
        "The file is referenced by the log but cannot be read from the file store (missing, "
        "altered, or the store is unreachable).",
        "Retry later; operators: run `diarium audit verify --files`.",
    ), (
        "Filen går inte att läsa",
        "Filen finns i loggen men kan inte läsas från fillagret (saknas, har ändrats, "
        "eller lagret går inte att nå).",
        "Försök igen senare; driften: kör `diarium audit verify --files`.",
    )),
    "pdf-unavailable": _type((503,), (
        "PDF unavailable",
        "The protocol cannot be printed as PDF on this server: its PDF printer (WeasyPrint, "
        "with the system's Pango) is not installed.",
        "Read the protocol as HTML; operators: install Pango and the DejaVu fonts (README).",
    ), (
        "PDF kan inte skapas",
        "Protokollet kan inte skrivas ut som PDF på den här servern: PDF-skrivaren (WeasyPrint "
        "med systemets Pango) är inte installerad.",
        "Läs protokollet som webbsida; driften: installera Pango och DejaVu-typsnitten (README).",
    )),
    "rule-violation": _type((409,), (
        "Rule violation",
        "The command would break a rule of the case process (named in `rule`, its legal "
        "source at GET /api/rules); nothing was recorded.",
        "Read the rule and the detail; change the request or do the step the rule asks first.",
    ), (
        "Regelbrott",
        "Kommandot skulle bryta mot en regel i ärendeprocessen (`rule`, med lagrum i "
        "GET /api/rules); ingenting registrerades.",
        "Läs regeln och förklaringen; ändra begäran eller gör först det steg regeln kräver.",
    )),
    "concurrent-modification": _type((409,), (
        "Concurrent modification",
        "Others changed the resource at the same time, again and again; nothing was recorded.",
        "Retry the request (after Retry-After seconds).",
    ), (
        "Samtidig ändring",
        "Andra ändrade samma sak samtidigt, gång på gång; ingenting registrerades.",
        "Försök igen (efter Retry-After sekunder).",
    )),
    "position-beyond-head": _type((409,), (
        "Position beyond the log's head",
        "The feed position `after` lies beyond the log's head (given in `head`): a stored "
        "position from another database, or corrupted.",
        "Resume from a position this log gave you, or from 0 to read it all again.",
    ), (
        "Position bortom loggens slut",
        "Flödets position `after` ligger bortom loggens slut (`head`): en sparad position "
        "från en annan databas, eller förvanskad.",
        "Fortsätt från en position som den här loggen gett, eller från 0 för att läsa allt.",
    )),
    "store-unavailable": _type((503,), (
        "Event store unavailable",
        "The event store cannot be reached; nothing was recorded.",
        "Retry later (after Retry-After seconds).",
    ), (
        "Lagringen är inte nåbar",
        "Händelselagret går inte att nå; ingenting registrerades.",
        "Försök igen senare (efter Retry-After sekunder).",
    )),
    "projection-failed": _type((503,), (
        "Projection failed",
        "A projection recorded events it could not apply, or stopped before one (/readyz).",
        "Operators: see `diarium projections status`; acknowledge with `diarium projections "
        "acknowledge NAME`.",
    ), (
        "Registret kunde inte uppdateras",
        "En projektion har registrerat händelser den inte kunde tillämpa, eller stannat "
        "före en (/readyz).",
        "Driften: se `diarium projections status`; kvittera med `diarium projections "
        "acknowledge NAME`.",
    )),
    "not-ready": _type((503,), (
        "Not ready",
        "The store's schema is not current (a table or column missing: `diarium db init` not "
        "run since an upgrade, or a projection built by other code), or a projection lags "
        "more than DIARIUM_READY_MAX_LAG events behind the log (/readyz); see reasons.",
        "Operators: run `diarium db init`; see `diarium projections status`.",
    ), (
        "Inte redo",
        "Lagringens schema är inte aktuellt (en tabell eller kolumn saknas, eller en "
        "projektion byggd av annan kod), eller en projektion ligger mer än "
        "DIARIUM_READY_MAX_LAG händelser efter loggen (/readyz); se reasons.",
        "Driften: kör `diarium db init`; se `diarium projections status`.",
    )),
    "internal-error": _type((500,), (
        "Internal error",
        "An unexpected error; it has been logged.",
        "Retry later; if it persists, report the time and the X-Request-Id.",
    ), (
        "Internt fel",
        "Ett oväntat fel; det har loggats.",
        "Försök igen senare; om felet kvarstår, rapportera tiden och X-Request-Id.",
    )),
    "http-error": _type((406, 416, 431), (
        "HTTP error",
        "Another error of the HTTP layer (e.g. request headers too large); see status and "
        "title.",
        "Correct the request as the title and detail say.",
    ), (
        "HTTP-fel",
        "Ett annat fel i HTTP-lagret (t.ex. för stora huvuden); se status och title.",
        "Rätta begäran enligt title och detail.",
    )),
}
# the type of an HTTP error raised by the web framework (werkzeug), by status
HTTP_TYPES = {400: "malformed-body", 401: "unauthenticated", 403: "forbidden",
              404: "not-found", 405: "method-not-allowed", 413: "body-too-large",
              500: "internal-error"}


def problem(
    status: int, slug: str, title: str, detail: str | None = None, **extra: Any
) -> Response:
    """A problem+json response of type ``/problems/<slug>`` (a slug of PROBLEM_TYPES)."""
    if slug not in PROBLEM_TYPES:
        raise ValueError(f"undocumented problem type {slug!r}")
    body: dict[str, Any] = {"type": f"/problems/{slug}", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.content_type = PROBLEM_JSON
    return response


def invalid_query(params: list[dict[str, str]], detail: str | None = None) -> Response:
    """400 ``invalid-query`` naming each bad query parameter (every route, one status)."""
    return problem(400, "invalid-query", "Invalid query parameters",
                   detail or "Some query parameters are invalid.", **{"invalid-params": params})


def invalid_params(messages: Any, prefix: str = "") -> list[dict[str, str]]:
    """Flatten marshmallow's nested error messages into RFC 9457 ``invalid-params``."""
    if isinstance(messages, dict):
        found = []
        for name, inner in messages.items():
            path = f"{prefix}.{name}" if prefix else str(name)
            found.extend(invalid_params(inner, path))
        return found
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [{"name": prefix or "body", "reason": " ".join(messages)}]
    if isinstance(messages, list):
        return [p for m in messages for p in invalid_params(m, prefix)]
    return [{"name": prefix or "body", "reason": str(messages)}]


def register_error_handlers(app: Flask) -> None:
    """Map every exception the service can raise to its problem response."""

    @app.errorhandler(ValidationError)
    def _invalid(error: ValidationError) -> Response:
        return problem(
            422, "invalid-body", "Invalid request", "The request has invalid fields.",
            **{"invalid-params": invalid_params(error.messages)},
        )

    @app.errorhandler(DateRequired)
    def _date_required(error: DateRequired) -> Response:
        """422 naming the date a migrated record left out (only a live one defaults it)."""
        return problem(
            422, "invalid-body", "Invalid request", str(error),
            **{"invalid-params": [{"name": error.field, "reason": str(error)}]},
        )

    @app.errorhandler(RuleViolation)
    def _rule(error: RuleViolation) -> Response:
        """409 naming the rule, and in ``invalid-params`` the field at fault where the rule
        is about one (e.g. a personal identity number in the title)."""
        at_fault = {"invalid-params": [{"name": error.field, "reason": error.detail}]}
        return problem(409, "rule-violation", error.rule.text, error.detail,
                       rule=error.rule.code, **(at_fault if error.field else {}))

    @app.errorhandler(FileTooLarge)
    def _file_too_large(error: FileTooLarge) -> Response:
        return problem(413, "file-too-large", "File too large", str(error), limit=error.limit)

    @app.errorhandler(SecretContent)
    def _secret_content(error: SecretContent) -> Response:
        return problem(403, "secret-content", "Secret content", str(error))

    @app.errorhandler(FileVersionNotFound)
    def _file_not_found(error: FileVersionNotFound) -> Response:
        return problem(404, "not-found", "File not found", str(error))

    @app.errorhandler(BlobMissing)
    @app.errorhandler(BlobAltered)
    @app.errorhandler(StoreUnavailable)
    def _file_unavailable(error: Exception) -> Response:
        """503: a referenced file missing or not decrypting (an operator's matter:
        ``diarium audit verify --files``), or the file store out of reach."""
        reached = not isinstance(error, StoreUnavailable)
        if reached:
            log.error("a referenced file cannot be read from the store: %s", error)
        else:
            log.warning("%s", error)
        response = problem(503, "file-unavailable", "File unavailable",
                           "The file cannot be read from the file store." if reached
                           else "The file store cannot be reached.")
        response.headers["Retry-After"] = "60"
        return response

    @app.errorhandler(PrintingUnavailable)
    def _printing_unavailable(error: PrintingUnavailable) -> Response:
        log.error("cannot print a PDF: %s", error)
        return problem(503, "pdf-unavailable", "PDF unavailable",
                       "The protocol cannot be printed as PDF on this server.")

    @app.errorhandler(CaseNotFound)
    def _not_found(error: CaseNotFound) -> Response:
        return problem(404, "not-found", "Case not found", str(error), dnr=error.dnr)

    @app.errorhandler(MeetingResourceNotFound)
    def _meeting_not_found(error: MeetingResourceNotFound) -> Response:
        return problem(
            404, "not-found", f"{error.kind.capitalize()} not found", str(error), key=error.key
        )

    @app.errorhandler(ConcurrentModification)
    def _conflict(error: ConcurrentModification) -> Response:
        response = problem(409, "concurrent-modification", "Concurrent modification", str(error))
        response.headers["Retry-After"] = "1"
        return response

    @app.errorhandler(PersistenceError)
    def _store(error: PersistenceError) -> Response:
        log.warning("event store unavailable: %s", error)
        response = problem(503, "store-unavailable", "Event store unavailable", None)
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        status = error.code or 500
        slug = HTTP_TYPES.get(status, "http-error")
        known = PROBLEM_TYPES[slug]
        own = error.description != type(error).description  # werkzeug's words replaced
        response = problem(status, slug, error.name if slug == "http-error" else known.title,
                           error.description if own else known.when)
        for name, value in error.get_headers():  # e.g. Allow on 405 (RFC 9110)
            if name.lower() not in ("content-type", "content-length"):
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unexpected error")
        return problem(500, "internal-error", "Internal error")
