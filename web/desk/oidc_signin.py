"""Signing in to the desk with the organisation's identity provider (OIDC, Authlib).

The authorization-code flow with PKCE (S256), ``state`` and ``nonce``: ``/app/logga-in/oidc``
sends the browser to the provider; ``/app/logga-in/oidc/callback`` takes the code back,
exchanges it (with the PKCE verifier) for tokens and verifies the ID token (signature by the
provider's JWKS, ``iss``, ``aud`` = the client id, ``exp``, ``nonce``). The person's name,
roles and bodies are read from the claims exactly as the API reads a bearer JWT
(web/oidc.py: ``ClaimNames``, the same ``DIARIUM_OIDC_*_CLAIM`` settings); then a desk
session begins (web/desk/common.py ``open_session``), ending no later than the provider's
own session where its token answer says so (``refresh_expires_in``).

Configured by the environment (or the app config, same names): ``DIARIUM_OIDC_ISSUER`` (as
for the API) and ``DIARIUM_OIDC_CLIENT_ID`` enable it; ``DIARIUM_OIDC_CLIENT_SECRET`` (unset:
a public client, PKCE only), ``DIARIUM_OIDC_DISCOVERY_URL`` (default: the issuer's
``/.well-known/openid-configuration``), ``DIARIUM_OIDC_SCOPES`` (default ``openid profile``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, Flask, Response, current_app, redirect, request, session, url_for
from flask.blueprints import BlueprintSetupState
from joserfc.errors import JoseError

from diarium.web.auth import public
from diarium.web.desk.common import SIGN_IN, open_session, page, safe_next
from diarium.web.oidc import LEEWAY_SECONDS, ClaimNames, setting

log = logging.getLogger(__name__)
EXTENSION = "diarium_desk_oidc"  # the sign-in page offers OIDC when this is set
NEXT_KEY = "desk_oidc_next"  # where to go afterwards, kept in the cookie during the round trip
CLIENT_ID, CLIENT_SECRET = "DIARIUM_OIDC_CLIENT_ID", "DIARIUM_OIDC_CLIENT_SECRET"
DISCOVERY_URL, SCOPES = "DIARIUM_OIDC_DISCOVERY_URL", "DIARIUM_OIDC_SCOPES"
TIMEOUT_SECONDS = 10  # for each call to the provider
BROKEN_TOKEN = (AuthlibBaseError, JoseError, ValueError, KeyError, TypeError)

desk = Blueprint("desk_oidc", __name__)


@dataclass(frozen=True)
class DeskOidc:
    """The configured provider: Authlib's client, the issuer tokens must carry, and where
    its claims hold roles, bodies and the name."""

    client: Any
    issuer: str
    claims: ClaimNames


@desk.record_once
def _configure(state: BlueprintSetupState) -> None:
    state.app.extensions[EXTENSION] = desk_oidc(state.app)


def desk_oidc(app: Flask) -> DeskOidc | None:
    """The provider from the settings, or ``None`` when the desk has no OIDC sign-in."""
    issuer, client_id = setting(app.config, "DIARIUM_OIDC_ISSUER"), setting(
        app.config, CLIENT_ID)
    if not (issuer and client_id):
        return None
    secret = setting(app.config, CLIENT_SECRET)
    discovery = setting(app.config, DISCOVERY_URL) or (
        issuer.rstrip("/") + "/.well-known/openid-configuration")
    client = OAuth(app).register(
        "diarium", client_id=client_id, client_secret=secret, server_metadata_url=discovery,
        client_kwargs={
            "scope": setting(app.config, SCOPES) or "openid profile",
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "client_secret_basic" if secret else "none",
            "default_timeout": TIMEOUT_SECONDS,
        },
    )
    return DeskOidc(client, issuer, ClaimNames.from_settings(app.config))


def _failed(status: int, heading: str, text: str) -> Response:
    return page("signin_failed.html", status, heading=heading, text=text)


def _with_provider(unset: str) -> Callable[[Callable[[DeskOidc], Response]],
                                            Callable[[], Response]]:
    """A view of the sign-in through the provider, called with it; without one (the desk has
    no OIDC sign-in), 404 saying ``unset``."""

    def decorate(view: Callable[[DeskOidc], Response]) -> Callable[[], Response]:
        @wraps(view)
        def answer() -> Response:
            oidc: DeskOidc | None = current_app.extensions.get(EXTENSION)
            return _failed(404, "Inloggningen finns inte", unset) if oidc is None else view(oidc)

        return answer

    return decorate


@desk.get(f"{SIGN_IN}/oidc")
@public
@_with_provider("Organisationens inloggning är inte inställd. Logga in med din personliga "
                "nyckel.")
def start(oidc: DeskOidc) -> Response:
    """To the provider's sign-in (with state, nonce and a PKCE challenge)."""
    session[NEXT_KEY] = safe_next(request.args.get("next"))
    try:
        answer: Response = oidc.client.authorize_redirect(url_for(".callback", _external=True))
    except (requests.RequestException, *BROKEN_TOKEN) as error:
        log.warning("OIDC provider unavailable: %s", type(error).__name__)
        return _failed(502, "Inloggningen svarar inte",
                       "Organisationens inloggning svarar inte just nu. Försök igen om en "
                       "stund, eller logga in med din personliga nyckel.")
    return answer


@desk.get(f"{SIGN_IN}/oidc/callback")
@public
@_with_provider("Organisationens inloggning är inte inställd.")
def callback(oidc: DeskOidc) -> Response:
    """Back from the provider: verify, read the person's roles and bodies, begin a session."""
    if request.args.get("error"):
        return _failed(401, "Inloggningen avbröts",
                       "Inloggningen avbröts eller nekades hos organisationens inloggning. "
                       "Du är inte inloggad.")
    target = session.get(NEXT_KEY)
    try:
        token = oidc.client.authorize_access_token(
            claims_options={"iss": {"essential": True, "values": [oidc.issuer]}},
            leeway=LEEWAY_SECONDS,
        )
    except (MismatchingStateError, OAuthError) as error:
        if isinstance(error, MismatchingStateError) or not request.args.get("state"):
            return _restart(400)
        return _refused(error)
    except requests.RequestException as error:
        log.warning("OIDC token endpoint unavailable: %s", type(error).__name__)
        return _failed(502, "Inloggningen svarar inte",
                       "Organisationens inloggning svarar inte just nu. Försök igen.")
    except BROKEN_TOKEN as error:
        return _refused(error)
    claims = token.get("userinfo") if isinstance(token, dict) else None
    if not claims:  # no verified ID token (with our nonce): no sign-in
        return _refused(ValueError("no ID token"))
    identity = oidc.claims.identity(claims)
    if identity is None:
        return _failed(403, "Ingen behörighet i diariet",
                       "Du är inloggad hos organisationen, men ditt konto har ingen roll i "
                       "diariet. Kontakta administratören för att få en roll.")
    open_session(identity.name, identity.roles, identity.bodies, ends_at=_ends_at(token))
    return redirect(safe_next(target if isinstance(target, str) else None), 303)


def _restart(status: int) -> Response:
    return _failed(status, "Inloggningen gick inte att slutföra",
                   "Svaret från inloggningen hörde inte till den här webbläsarens inloggning "
                   "(eller kom för sent). Börja om från inloggningssidan.")


def _refused(error: Exception) -> Response:
    log.warning("OIDC sign-in refused: %s", type(error).__name__)
    return _failed(401, "Inloggningen kunde inte godtas",
                   "Svaret från organisationens inloggning kunde inte kontrolleras. Du är inte "
                   "inloggad. Försök igen, eller kontakta administratören.")


def _ends_at(token: dict[str, Any]) -> datetime | None:
    """When the provider's own session ends, where its token answer says so."""
    seconds = token.get("refresh_expires_in")
    if isinstance(seconds, int) and not isinstance(seconds, bool) and seconds > 0:
        return datetime.now(UTC) + timedelta(seconds=seconds)
    return None
