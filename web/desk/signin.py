"""Signing in and out of the desk: with a personal token (``diarium tokens create``), or with
the organisation's identity provider where OIDC is configured (web/desk/oidc_signin.py)."""

from __future__ import annotations

from flask import Response, current_app, redirect, request, session

from diarium.web.auth import authenticated, public
from diarium.web.desk import oidc_signin
from diarium.web.desk.common import (
    PREFIX,
    SESSION_KEY,
    SIGN_IN,
    desk_blueprint,
    open_session,
    page,
    safe_next,
)

desk = desk_blueprint("desk_signin")
desk.register_blueprint(oidc_signin.desk)  # /app/logga-in/oidc…, where OIDC is set up
__all__ = ["desk", "open_session", "safe_next"]


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
