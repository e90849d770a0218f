"""Signing in and out of the desk: with a personal token (``diarium tokens create``), or with
the organisation's identity provider where OIDC is configured (web/desk/oidc_signin.py)."""

from __future__ import annotations

from flask import Response, current_app, redirect, request, session

from diarium.web.auth import authenticated, public
from diarium.web.desk.common import PREFIX, SESSION_KEY, SIGN_IN, desk_blueprint, page

desk = desk_blueprint("desk_signin")


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a page of the desk, never another site."""
    if target and target.startswith(f"{PREFIX}/") and not target.startswith("//") and (
        "\\" not in target
    ):
        return target
    return f"{PREFIX}/"


def open_session(name: str, roles: tuple[str, ...], bodies: tuple[str, ...],
                 token_id: str | None = None) -> None:
    """Begin a session for this browser: a fresh cookie (no id from before survives)."""
    sessions = current_app.extensions["diarium_desk_sessions"]
    session.clear()
    session[SESSION_KEY] = sessions.open(name, roles, bodies, token_id)


@desk.route(SIGN_IN, methods=["GET", "POST"])
@public
def sign_in() -> Response:
    """Sign in with a personal token; the organisation's sign-in where OIDC is set up."""
    target = safe_next(request.values.get("next"))
    oidc = current_app.extensions.get("diarium_desk_oidc") is not None
    if request.method == "GET":
        return page("signin.html", heading="Logga in", next=target, oidc=oidc)
    presented = (request.form.get("token") or "").strip()
    token = current_app.extensions["diarium_tokens"].authenticate(presented) if presented else None
    if token is None:
        error = "Ange din personliga nyckel." if not presented else (
            "Nyckeln är ogiltig, har gått ut eller har återkallats.")
        return page("signin.html", 401, heading="Logga in", next=target, oidc=oidc,
                    error=error)
    open_session(token.name, token.roles, token.bodies, token.id)
    return redirect(target, 303)


@desk.post(f"{PREFIX}/logga-ut")
@authenticated
def sign_out() -> Response:
    """End the session for good, here and on the server."""
    session_id = session.get(SESSION_KEY)
    if isinstance(session_id, str):
        current_app.extensions["diarium_desk_sessions"].end(session_id)
    session.clear()
    return redirect(f"{SIGN_IN}?utloggad=1", 303)
