"""A small OpenID Connect provider for the tests, served on 127.0.0.1 in a thread.

Discovery, JWKS, an authorize endpoint that approves at once as ``provider.user`` (or denies,
with ``provider.deny``), and a token endpoint that checks the code, the redirect URI, the
client and the PKCE verifier (S256) before it answers with an RS256-signed ID token carrying
the nonce. What the provider saw is kept (``authorizations``, ``exchanges``) for the tests to
check; ``tamper`` alters the signed ID token's claims (a token no longer matching its
signature), ``overrides`` changes claims before signing (another issuer, audience, nonce…).
A test module takes the fixture as::

    from tests.oidc_provider import live_identity_provider  # noqa: F401
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, jsonify, redirect, request
from werkzeug.serving import make_server

CLIENT_ID = "diarium-desk"
KEY_ID = "test-key-1"


class Provider:
    """The provider's state: its key, the signed-in user's claims, codes issued."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.issuer = ""
        self.user: dict[str, Any] = {"preferred_username": "anna.idp", "sub": "u-1",
                                     "roles": ["registrar"]}
        self.deny = False
        self.tamper: dict[str, Any] | None = None
        self.overrides: dict[str, Any] = {}
        self.token_extra: dict[str, Any] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.authorizations: list[dict[str, str]] = []
        self.exchanges: list[dict[str, str]] = []

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                  "nonce": nonce, **self.user, **self.overrides}
        token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KEY_ID})
        if self.tamper is None:
            return token
        head, _, signature = token.split(".")
        altered = base64.urlsafe_b64encode(json.dumps({**claims, **self.tamper}).encode())
        return f"{head}.{altered.decode().rstrip('=')}.{signature}"


def provider_app(provider: Provider) -> Flask:
    app = Flask("test_identity_provider")

    @app.get("/.well-known/openid-configuration")
    def discovery() -> Any:
        return jsonify({
            "issuer": provider.issuer,
            "authorization_endpoint": f"{provider.issuer}/authorize",
            "token_endpoint": f"{provider.issuer}/token",
            "jwks_uri": f"{provider.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        })

    @app.get("/jwks")
    def jwks() -> Any:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key()))
        return jsonify({"keys": [{**jwk, "kid": KEY_ID, "use": "sig", "alg": "RS256"}]})

    @app.get("/authorize")
    def authorize() -> Any:
        asked = dict(request.args)
        provider.authorizations.append(asked)
        back = asked.get("redirect_uri", "")
        if provider.deny:
            refusal = {"error": "access_denied", "state": asked.get("state", "")}
            return redirect(f"{back}?{urlencode(refusal)}")
        code = secrets.token_urlsafe(16)
        provider.codes[code] = asked
        return redirect(f"{back}?{urlencode({'code': code, 'state': asked.get('state', '')})}")

    @app.post("/token")
    def token() -> Any:
        sent = dict(request.form)
        provider.exchanges.append(sent)
        asked = provider.codes.pop(sent.get("code", ""), None)
        verifier = sent.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
        if (
            asked is None or sent.get("grant_type") != "authorization_code"
            or sent.get("redirect_uri") != asked.get("redirect_uri")
            or sent.get("client_id") != CLIENT_ID
            or asked.get("code_challenge_method") != "S256"
            or challenge != asked.get("code_challenge")
        ):
            return jsonify({"error": "invalid_grant"}), 400
        return jsonify({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                        "expires_in": 300, "id_token": provider.id_token(asked["nonce"]),
                        **provider.token_extra})

    return app


@pytest.fixture(name="identity_provider")
def live_identity_provider() -> Iterator[Provider]:
    """A live provider on 127.0.0.1 (a free port), for one test."""
    provider = Provider()
    server = make_server("127.0.0.1", 0, provider_app(provider), threaded=True)
    provider.issuer = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(5)
