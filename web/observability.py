"""What every request leaves behind: its request id (``X-Request-ID``, also in its events),
its metrics (web/metrics.py) and one log line, and for a command route one more line and
its count by outcome. ``DIARIUM_LOG_FORMAT=json`` makes the lines JSON (default ``text``).

No body, title or other content is ever logged or labelled: a line holds the request id,
actor, URL rule, method, status, duration and, where the route has one, the dnr."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
import uuid
from contextlib import ExitStack
from typing import Any

from flask import Flask, Response, current_app, g, request

from diarium.web import metrics
from diarium.web.auth import REQUEST_ID_HEADER

FORMAT_VARIABLE = "DIARIUM_LOG_FORMAT"
requests_log = logging.getLogger("diarium.access")
commands_log = logging.getLogger("diarium.commands")


class JSONLines(logging.Formatter):
    """One JSON object a line: time, level, logger, message and the record's ``fields``."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S")
                + f".{int(record.msecs):03d}Z", "level": record.levelname.lower(),
                "logger": record.name, "message": record.getMessage(),
                **getattr(record, "fields", {})}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextLines(logging.Formatter):
    """The message, then the record's ``fields`` as ``key=value``."""

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", {})
        extra = " ".join(f"{k}={v}" for k, v in fields.items()
                         if v not in (None, "", []) and k not in ("method", "route", "status"))
        return f"{self.formatTime(record)} {record.name} {record.getMessage()} {extra}".rstrip()


def log_format() -> str:
    """``json`` or ``text`` (``DIARIUM_LOG_FORMAT``; anything else is ``text``)."""
    return "json" if os.environ.get(FORMAT_VARIABLE, "").strip().lower() == "json" else "text"


def configure_logging() -> None:
    """Give the request and command logs one stderr handler in the configured format (once;
    gunicorn's own access log is off, ``diarium serve``)."""
    formatter = JSONLines() if log_format() == "json" else TextLines()
    formatter.converter = time.gmtime  # type: ignore[method-assign]
    for logger in (requests_log, commands_log):
        if not any(getattr(h, "diarium", False) for h in logger.handlers):
            handler = logging.StreamHandler(sys.stderr)
            handler.diarium = True  # type: ignore[attr-defined]
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)
            logger.propagate = False
        for handler in logger.handlers:
            if getattr(handler, "diarium", False):
                handler.setFormatter(formatter)


def request_id() -> str:
    """This request's id: the client's ``X-Request-ID`` (printable, at most 100 characters)
    or a new UUID; one per request."""
    if "request_id" not in g:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        cleaned = "".join(c for c in given if c.isprintable())[:100]
        g.request_id = cleaned or str(uuid.uuid4())
    return g.request_id


def _command_name() -> str | None:
    """The command a command route takes (its view's ``command_schema``; a desk form's
    ``desk_command``), else ``None``."""
    view = current_app.view_functions.get(request.endpoint or "")
    schema = getattr(view, "command_schema", None)
    name = schema.command.__name__ if schema is not None else getattr(view, "desk_command", None)
    return name if request.method not in ("GET", "HEAD") else None


def _begin() -> None:
    g.started = time.perf_counter()
    request_id()
    g.command = _command_name()
    if g.command:  # the types of the events this command saves
        g.watching = ExitStack()
        g.saved = g.watching.enter_context(
            current_app.extensions["diarium"].saved_events.watch(g.request_id))


def _end_watch(_: BaseException | None = None) -> None:
    watching = g.pop("watching", None)
    if watching is not None:
        watching.close()


def _outcome(status: int, body: Any) -> tuple[str, str]:
    """(outcome, rule) of a command answered ``status``."""
    rule = g.get("refused_rule") or (body.get("rule") if isinstance(body, dict) else None)
    if status < 400:  # 200, 201, 204; the desk's 303 to the page it leads to
        return "recorded", ""
    if status == 409:
        return ("refused", str(rule)) if rule else ("conflict", "")
    if status in (400, 413, 422):
        return "invalid", ""
    if status in (401, 403):
        return "denied", ""
    return ("not-found", "") if status == 404 else ("failed", "")


def _dnr(response: Response) -> str | None:
    dnr = (request.view_args or {}).get("dnr")
    location = response.headers.get("Location", "")
    for prefix in ("/api/cases/", "/app/cases/"):  # a registration's new case (API, desk)
        if dnr is None and location.startswith(prefix):
            dnr = location.removeprefix(prefix).split("/")[0] or None
    return dnr


def _finish(response: Response) -> Response:
    rid = request_id()
    response.headers[REQUEST_ID_HEADER] = rid
    seconds = time.perf_counter() - g.get("started", time.perf_counter())
    route = request.url_rule.rule if request.url_rule is not None else "unmatched"
    status = response.status_code
    problem = metrics.problem_type_of(response)
    metrics.count_request(route, request.method, status, seconds, problem)
    actor = g.get("actor")
    fields: dict[str, Any] = {
        "request_id": rid, "actor": actor.name if actor is not None else None,
        "method": request.method, "route": route, "status": status,
        "duration_ms": round(seconds * 1000, 1), "dnr": _dnr(response)}
    command = g.get("command")
    if command:
        body = response.get_json(silent=True) if problem == "rule-violation" else None
        outcome, rule = _outcome(status, body)
        metrics.count_command(command, outcome, rule)
        position = response.headers.get("X-Diarium-Position")
        commands_log.info("%s %s%s", command, outcome, f" {rule}" if rule else "", extra={
            "fields": {"request_id": rid, "command": command, "outcome": outcome,
                       "rule": rule or None, "event_types": list(g.get("saved", [])),
                       "position": int(position) if position else None,
                       "dnr": fields["dnr"]}})
        _end_watch()
    requests_log.info("%s %s %s", request.method, route, status, extra={"fields": fields})
    return response


def init_observability(app: Flask) -> None:
    """Give every request of ``app`` its id, metrics and log lines (register it first: its
    request id is the one the actor and the events carry)."""
    configure_logging()
    app.before_request(_begin)
    app.after_request(_finish)
    app.teardown_request(_end_watch)
    metrics.init_metrics(app)
