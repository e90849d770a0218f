"""Optional OIDC: bearer JWTs from the organisation's identity provider, checked with PyJWT.

Configured by the environment (or the app config, same names):

``DIARIUM_OIDC_ISSUER``           the ``iss`` tokens must carry (required to enable OIDC)
``DIARIUM_OIDC_AUDIENCE``         the ``aud`` tokens must carry (required)
``DIARIUM_OIDC_JWKS_URL``         the provider's JWKS document, or
``DIARIUM_OIDC_PUBLIC_KEY_FILE``  a PEM public key file
``DIARIUM_OIDC_ROLES_CLAIM``      claim holding the diarium roles (default ``roles``; a dotted
                                  path such as ``realm_access.roles`` is followed)
``DIARIUM_OIDC_BODIES_CLAIM``     claim holding the bodies a user is scoped to (default
                                  ``diarium_bodies``; absent means every body)
``DIARIUM_OIDC_NAME_CLAIM``       claim naming the actor (default ``preferred_username``,
                                  else ``sub``)

Only asymmetric algorithms are accepted (RS*, PS*, ES*, EdDSA); ``exp``, ``iss`` and ``aud`` are
required and checked. Roles that are not diarium roles are ignored. The staff's desk signs
people in through the same provider and reads their claims the same way (:class:`ClaimNames`,
web/desk/oidc_signin.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

from diarium.domain.roles import ROLES

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"]
LEEWAY_SECONDS = 30


@dataclass(frozen=True)
class Identity:
    name: str
    roles: tuple[str, ...]
    bodies: tuple[str, ...]


def _claim(claims: Mapping[str, Any], path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _names(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, list | tuple):
        return ()
    return tuple(dict.fromkeys(v for v in value if isinstance(v, str) and v))


@dataclass(frozen=True)
class ClaimNames:
    """Where a provider's claims hold a person's diarium roles, bodies and name: one reading
    for the API's bearer JWTs and the desk's sign-in (web/desk/oidc_signin.py)."""

    roles: str = "roles"
    bodies: str = "diarium_bodies"
    name: str = "preferred_username"

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> ClaimNames:
        return cls(
            roles=setting(settings, "DIARIUM_OIDC_ROLES_CLAIM") or "roles",
            bodies=setting(settings, "DIARIUM_OIDC_BODIES_CLAIM") or "diarium_bodies",
            name=setting(settings, "DIARIUM_OIDC_NAME_CLAIM") or "preferred_username",
        )

    def name_of(self, claims: Mapping[str, Any]) -> str | None:
        name = _claim(claims, self.name) or claims.get("sub")
        return name.strip()[:200] if isinstance(name, str) and name.strip() else None

    def identity(self, claims: Mapping[str, Any]) -> Identity | None:
        """The diarium identity of verified ``claims``: ``None`` without a name or without
        any diarium role (roles that are not diarium roles are ignored)."""
        name = self.name_of(claims)
        roles = tuple(r for r in _names(_claim(claims, self.roles)) if r in ROLES)
        if name is None or not roles:
            return None
        return Identity(name=name, roles=roles, bodies=_names(_claim(claims, self.bodies)))


def setting(settings: Mapping[str, Any], name: str) -> str | None:
    """A setting from the app config, else the environment."""
    value = settings.get(name) or os.environ.get(name)
    return str(value) if value else None


class OidcVerifier:
    """Checks a JWT and maps its claims to a diarium identity."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        public_key: str | None = None,
        jwks_url: str | None = None,
        roles_claim: str = "roles",
        bodies_claim: str = "diarium_bodies",
        name_claim: str = "preferred_username",
    ) -> None:
        if not (public_key or jwks_url):
            raise ValueError("OIDC needs DIARIUM_OIDC_JWKS_URL or DIARIUM_OIDC_PUBLIC_KEY_FILE")
        self.issuer = issuer
        self.audience = audience
        self.public_key = public_key
        self.jwks = jwt.PyJWKClient(jwks_url, cache_keys=True) if jwks_url else None
        self.claims = ClaimNames(roles_claim, bodies_claim, name_claim)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> OidcVerifier | None:
        """A verifier from ``settings`` (app config), then the environment; ``None`` when
        OIDC is not configured."""

        def get(name: str) -> str | None:
            return setting(settings, name)

        issuer, audience = get("DIARIUM_OIDC_ISSUER"), get("DIARIUM_OIDC_AUDIENCE")
        if not issuer:
            return None
        if not audience:
            raise ValueError("DIARIUM_OIDC_ISSUER is set but DIARIUM_OIDC_AUDIENCE is not")
        key_file = get("DIARIUM_OIDC_PUBLIC_KEY_FILE")
        names = ClaimNames.from_settings(settings)
        return cls(
            issuer=issuer,
            audience=audience,
            public_key=Path(key_file).read_text() if key_file else None,
            jwks_url=get("DIARIUM_OIDC_JWKS_URL"),
            roles_claim=names.roles,
            bodies_claim=names.bodies,
            name_claim=names.name,
        )

    def verify(self, token: str) -> Identity | None:
        """The identity of a valid token with at least one diarium role, else ``None``."""
        try:
            key: Any = (
                self.jwks.get_signing_key_from_jwt(token).key if self.jwks else self.public_key
            )
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except (jwt.PyJWTError, ValueError):
            return None
        return self.claims.identity(claims)
