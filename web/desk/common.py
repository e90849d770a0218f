"""What every page of the desk shares: the signed-in person (a server-side session, or a
bearer token as on the API), sign-in redirects and Swedish refusals, CSRF checks on every
form, and rendering with the desk's menu."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import (
    Blueprint,
    Flask,
    Request,
    Response,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
)
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from wtforms import ValidationError as CSRFInvalid

from diarium.cases.application import CaseNotFound
from diarium.cases.sessions import DeskSessions
from diarium.domain.actor import Actor
from diarium.domain.meeting.terms import NotFound as MeetingResourceNotFound
from diarium.domain.roles import ROLES

PREFIX = "/app"
SIGN_IN = f"{PREFIX}/logga-in"
SESSION_KEY = "desk_session"  # the cookie's field holding the session id
IDLE_MINUTES_VARIABLE = "DIARIUM_SESSION_IDLE_MINUTES"  # default 30
LIFETIME_HOURS_VARIABLE = "DIARIUM_SESSION_HOURS"  # default 10 (a working day)
SECRET_KEY_VARIABLE = "DIARIUM_SECRET_KEY"  # else a key kept in the store (cases/sessions.py)
SECURE_COOKIE_VARIABLE = "DIARIUM_SECURE_COOKIES"  # "1": Secure even if the request is http
MENU = (
    (f"{PREFIX}/", "Mitt arbete"),
    (f"{PREFIX}/cases", "Diariet"),
    (f"{PREFIX}/meetings", "Sammanträden"),
    (f"{PREFIX}/registers", "Register"),
    (f"{PREFIX}/deadlines", "Frister"),
)
ROLE_NAMES = {
    "registrar": "registrator", "officer": "handläggare", "secretary": "sekreterare",
    "chair": "ordförande", "adjuster": "justerare", "auditor": "revisor",
    "service": "tjänst", "admin": "administratör",
}
assert set(ROLE_NAMES) == set(ROLES)


class DeskSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, only for the desk's paths, HttpOnly, SameSite=Lax, and Secure
    whenever the request came over https (or ``DIARIUM_SECURE_COOKIES=1``)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def _number(variable: str, default: float) -> float:
    try:
        return float(os.environ.get(variable) or default)
    except ValueError:
        return default


def init_session(app: Flask) -> None:
    """The desk's sessions and signing key, cookie settings and hooks for web/auth.py."""
    engine = app.extensions["diarium"].recorder.datastore.engine
    sessions = DeskSessions(
        engine,
        idle=timedelta(minutes=_number(IDLE_MINUTES_VARIABLE, 30)),
        lifetime=timedelta(hours=_number(LIFETIME_HOURS_VARIABLE, 10)),
    )
    sessions.create_tables()
    app.extensions["diarium_desk_sessions"] = sessions
    if not app.secret_key:
        app.secret_key = os.environ.get(SECRET_KEY_VARIABLE) or sessions.signing_key()
    app.config.update(
        SESSION_COOKIE_NAME="diarium_session", SESSION_COOKIE_PATH=PREFIX,
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_SECURE=app.config.get("SESSION_COOKIE_SECURE")
        or os.environ.get(SECURE_COOKIE_VARIABLE) == "1",
    )
    app.session_interface = DeskSessionInterface()
    app.extensions["diarium_desk"] = Desk()
    app.context_processor(desk_context)
    app.jinja_env.filters["role_name"] = lambda role: ROLE_NAMES.get(role, role)
    app.before_request(lambda: check_csrf() if Desk.serves(request) else None)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a page of the desk on this site, never another site
    (no scheme or host, no ``//``, no backslash, no control characters or spaces)."""
    if (
        target and target.startswith(f"{PREFIX}/") and "\\" not in target
        and not target.startswith("//") and target.isprintable() and " " not in target
    ):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return f"{PREFIX}/"


def open_session(name: str, roles: tuple[str, ...], bodies: tuple[str, ...],
                 token_id: str | None = None, ends_at: datetime | None = None) -> None:
    """Begin a session for this browser: a fresh id in a fresh cookie (nothing from before
    survives, so no session id can be planted before signing in; a session signed in before
    ends), ending no later than ``ends_at`` where the sign-in says so."""
    sessions = current_app.extensions["diarium_desk_sessions"]
    earlier = session.get(SESSION_KEY)
    if isinstance(earlier, str):  # signing in again: the earlier session ends
        sessions.end(earlier)
    session.clear()
    session[SESSION_KEY] = sessions.open(name, roles, bodies, token_id, ends_at)


class Desk:
    """The desk's answers to web/auth.py: whose request it is (the session), where an
    anonymous visitor goes (sign in), and a refusal as a Swedish page."""

    @staticmethod
    def serves(req: Request) -> bool:
        return bool(req.blueprint and req.blueprint.startswith("desk"))

    @staticmethod
    def actor(request_id: str) -> Actor | None:
        """The signed-in person of this request's session, if it is live (a token's session
        ends with its token)."""
        session_id = session.get(SESSION_KEY)
        if not isinstance(session_id, str):
            return None
        found = current_app.extensions["diarium_desk_sessions"].find(session_id)
        if found is None:
            session.clear()
            return None
        if found.token_id is not None:
            token = current_app.extensions["diarium_tokens"].get(found.token_id)
            if not token.active:
                current_app.extensions["diarium_desk_sessions"].end(session_id)
                session.clear()
                return None
            return Actor(token.name, request_id, token.roles, token.bodies, token.id)
        return Actor(found.name, request_id, found.roles, found.bodies)

    @staticmethod
    def sign_in() -> Response:
        """An anonymous visitor: to the sign-in page, and back here afterwards."""
        if request.method != "GET":
            return page("signin_needed.html", 401, heading="Logga in igen")
        target = request.full_path.rstrip("?")
        return redirect(f"{SIGN_IN}?{urlencode({'next': target})}", 303)

    @staticmethod
    def forbidden(needed: list[str]) -> Response:
        """A refusal of the access policy (needing one of the roles ``needed``) as a Swedish
        page."""
        return page("forbidden.html", 403, heading="Du har inte behörighet",
                    needed=[ROLE_NAMES.get(role, role) for role in needed])


def desk_blueprint(name: str) -> Blueprint:
    """A blueprint of desk pages (its name starts ``desk``): a case or meeting that does not
    exist is a Swedish page, not the API's problem."""
    blueprint = Blueprint(name, __name__)
    for missing in (CaseNotFound, MeetingResourceNotFound):
        blueprint.register_error_handler(missing, _not_found)
    return blueprint


def _not_found(error: Exception) -> Response:
    return page("not_found.html", 404, heading="Hittades inte")


def check_csrf() -> Response | None:
    """Every form sent with a session cookie carries the session's CSRF token (a request
    with a bearer token sends no cookie-borne credential and needs none)."""
    if request.method in ("GET", "HEAD", "OPTIONS") or "Authorization" in request.headers:
        return None
    try:
        validate_csrf(request.form.get("csrf_token") or request.headers.get("X-CSRFToken"))
    except (CSRFInvalid, CSRFError):
        return page("csrf_failed.html", 400, heading="Formuläret gick inte att ta emot")
    return None


def desk_context() -> dict[str, Any]:
    """The menu, the signed-in person and the CSRF token, for every desk template."""
    if not Desk.serves(request):
        return {}
    return {"desk_menu": MENU, "csrf_token": generate_csrf, "me": g.get("actor")}


def page(template: str, status: int = 200, **context: Any) -> Response:
    """A desk page (``web/templates/desk/``) answered with ``status``."""
    return make_response(render_template(f"desk/{template}", **context), status)
