"""Case views for the current reader: the secrecy filter (cases/secrecy.py) applied, and every
disclosure of secret content to a reader allowed to see it logged (``SecretContentRead``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import current_app, request

from diarium.cases import secrecy
from diarium.cases.application import CaseNotFound
from diarium.web.auth import current_actor


def read_logger() -> Callable[[dict[str, list[str]]], None]:
    """A function that logs disclosures of secret content (paths by dnr) to this request's
    reader; usable after the request too (a streamed CSV)."""
    app = current_app.extensions["diarium"]
    actor = current_actor()
    what = f"{request.method} {request.path}"

    def log(disclosed: dict[str, list[str]]) -> None:
        for dnr, paths in disclosed.items():
            assert actor is not None  # only an authenticated reader may read secret content
            app.secret_reads.record(dnr, what, list(dict.fromkeys(paths)), actor)

    return log


def _log_read(dnr: str, paths: list[str]) -> None:
    read_logger()({dnr: paths})


def disclose(view: dict[str, Any]) -> dict[str, Any]:
    """A dumped case view (``CaseSchema``) as the current reader may see it. A reader allowed
    to see its secret content gets it, and the read is logged first."""
    paths = secrecy.withheld_paths(view)
    if paths and secrecy.may_read_case_secrets(current_actor(), view):
        _log_read(view["dnr"], paths)
    return secrecy.redact_case(view, current_actor())


def disclose_history(events: list[dict[str, Any]], view: dict[str, Any]) -> list[dict[str, Any]]:
    """A case's events as the current reader may see them (``view``: the dumped case)."""
    paths = secrecy.withheld_paths(view)
    if paths and secrecy.may_read_case_secrets(current_actor(), view):
        _log_read(view["dnr"], paths)
    return secrecy.redact_history(events, view, current_actor())


# -- content of cases shown outside them: meetings and protocols ---------------------------------


def _cases(dnrs: Iterable[str | None]) -> dict[str, secrecy.CaseSecrets]:
    """The markings (and body and officer) of these cases; unknown dnrs are skipped."""
    app = current_app.extensions["diarium"]
    found = {}
    for dnr in {d for d in dnrs if d}:
        try:
            found[dnr] = secrecy.CaseSecrets.of_view(app.view_case(dnr))
        except CaseNotFound:
            continue
    return found


def _secrets(dnrs: Iterable[str | None]) -> dict[str, secrecy.CaseSecrets]:
    """The markings of these cases, for those that have any."""
    return {dnr: marks for dnr, marks in _cases(dnrs).items() if marks.any}


def _reader(meeting: Any = None) -> Callable[[secrecy.CaseSecrets], bool]:
    """Whether the current reader may read a case's secrets (as the case's reader, or as the
    keeper or a signatory of ``meeting``'s protocol)."""
    actor = current_actor()
    keeper = meeting is not None and secrecy.may_read_meeting_secrets(actor, meeting)
    return lambda marks: keeper or secrecy.may_read_secrets(
        actor, responsible_body=marks.responsible_body, officer=marks.officer
    )


def disclose_meeting(meeting: Any) -> Any:
    """The meeting (a ``Meeting``) as the current reader may see it: what the markings of its
    cases cover withheld from those who may not read it; reads by those who may are logged."""
    shown, disclosed = secrecy.redact_meeting(
        meeting, _secrets(secrecy.meeting_dnrs(meeting)), _reader(meeting)
    )
    read_logger()(disclosed)
    return shown


def public_meeting(meeting: Any) -> Any:
    """The meeting as the public sees it (no reader, whoever asks: a public page): what the
    markings of its cases cover withheld, as :func:`disclose_meeting` withholds it from a
    reader without a token; nothing is disclosed, so nothing is logged."""
    shown, _ = secrecy.redact_meeting(
        meeting, _secrets(secrecy.meeting_dnrs(meeting)), lambda _marks: False
    )
    return shown


def disclose_meeting_history(events: list[dict[str, Any]], meeting: Any) -> list[dict[str, Any]]:
    """A meeting's events as the current reader may see them (reads logged as for the
    meeting)."""
    secrets = _secrets(secrecy.meeting_dnrs(meeting))
    readable = _reader(meeting)
    read_logger()(secrecy.meeting_disclosures(meeting, secrets, readable))
    return secrecy.redact_meeting_history(events, meeting, secrets, readable)


# -- rows of many cases: audit registers, events, delegated decisions ---------------------------


def disclose_rows(
    rows: list[dict[str, Any]], entity: str, key: str = "dnr"
) -> list[dict[str, Any]]:
    """Rows of many cases (``key``: the row's dnr) showing fields of ``entity`` (a register as
    of a date: ``case``, ``document`` with its ``number``, ``decision``; a body's
    ``delegated_decision``) as the current reader may see them; reads of secret content by
    those who may are logged, once per case."""
    secrets = _secrets(r.get(key) for r in rows)
    readable = _reader()
    disclosed: dict[str, list[str]] = {}
    out = []
    for row in rows:
        marks = secrets.get(row.get(key) or "")
        number = row.get("number") if entity == "document" else None
        fields = marks.covers(entity, number) & set(row) if marks is not None else set()
        if marks is not None and fields and readable(marks):
            at = f"{entity}s.{row['number']}." if "number" in row else ""
            disclosed.setdefault(marks.dnr, []).extend(at + f for f in sorted(fields))
        elif marks is not None and fields:
            row = dict(row)
            marks.withhold(entity, row, number)
            row["withheld"] = sorted(fields)
        out.append(row)
    read_logger()(disclosed)
    return out


def disclose_events(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events of many cases (audit rows with ``case``, ``type``, ``data``, ``position``) as
    the current reader may see them: events of cases outside the reader's bodies left out,
    what the markings cover withheld from those who may not read it, reads logged."""
    actor = current_actor()
    cases = _cases(item.get("case") for item in items)
    readable = _reader()
    disclosed: dict[str, list[str]] = {}
    out = []
    for item in items:
        marks = cases.get(item.get("case") or "")
        if marks is None or actor is None or not actor.covers_body(marks.responsible_body):
            continue
        data = item.get("data") or {}
        shown = marks.withhold_event(item.get("type"), data) if marks.any else data
        secret = sorted(k for k in data if shown.get(k) != data[k])
        if secret and readable(marks):
            disclosed.setdefault(marks.dnr, []).extend(
                f"events.{item['position']}.{k}" for k in secret
            )
        elif secret:
            item = {**item, "data": shown, "withheld": secret}
        out.append(item)
    read_logger()(disclosed)
    return out
