"""Case views for the current reader: the secrecy filter (cases/secrecy.py) applied, and every
disclosure of secret content to a reader allowed to see it logged (``SecretContentRead``)."""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from cases import secrecy
from web.auth import current_actor


def _log_read(dnr: str, paths: list[str]) -> None:
    actor = current_actor()
    assert actor is not None  # only an authenticated reader may read secret content
    current_app.extensions["diarium"].record_secret_read(
        dnr, f"{request.method} {request.path}", paths, actor
    )


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
