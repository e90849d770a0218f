"""Who may do what: bearer-token authentication and a declared access policy on every route.

Every request is authenticated before its handler runs (``before_request``): an
``Authorization: Bearer`` header carries either a diarium token (``dia_…``, see
cases/tokens.py) or, where OIDC is configured, a JWT of the organisation's identity provider
(web/oidc.py). The token's name becomes the actor recorded in the events; its roles and bodies
decide what it may do. No header: only routes declared :func:`public` answer; anything else is
401 (with ``WWW-Authenticate: Bearer``). A bad, expired or revoked token is 401 everywhere.

Each route declares its policy with a decorator, checked before the handler (so before the body
is read)::

    @requires("registrar", own_case("officer"), body=case_body)

* roles: the token needs one of them, else 403;
* ``own_case(role)``: that role only counts on a case whose officer is the token's name;
* ``body=``: a resolver giving the body the request concerns; a token scoped to bodies must
  include it (403 otherwise). Unscoped tokens cover every body.

tests/test_access_matrix.py walks the URL map: a route without a declared policy fails it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from apispec_webframeworks.flask import FlaskPlugin
from flask import Flask, Response, current_app, g, request
from sqlalchemy.exc import SQLAlchemyError

from diarium.cases.tokens import TokenStore
from diarium.domain import roles as R
from diarium.domain.actor import Actor
from diarium.web.oidc import OidcVerifier
from diarium.web.problems import problem

log = logging.getLogger(__name__)
POLICY = "_diarium_policy"
REQUEST_ID_HEADER = "X-Request-ID"
Resolver = Callable[[dict[str, Any]], str | None]
Condition = Callable[[Actor, dict[str, Any]], bool]


@dataclass(frozen=True)
class Grant:
    """A role, optionally only under a condition (e.g. on the actor's own cases)."""

    role: str
    condition: Condition | None = None
    label: str = ""

    def describe(self) -> str:
        return self.label or self.role


@dataclass(frozen=True)
class Policy:
    """Who may call a route."""

    public: bool = False
    grants: tuple[Grant, ...] = ()
    body: Resolver | None = field(default=None, compare=False)

    @property
    def roles(self) -> set[str]:
        return {grant.role for grant in self.grants}

    def describe(self) -> str:
        if self.public:
            return "public"
        text = ", ".join(grant.describe() for grant in self.grants)
        return text + (" (within the token's bodies)" if self.body else "")

    def refused(self, actor: Actor, arguments: dict[str, Any]) -> str | None:
        """``None`` when ``actor`` may go on, else why not (the desk asks before it offers a
        form: web/desk/forms.py)."""
        held = [grant for grant in self.grants if actor.has_role(grant.role)]
        if not held:
            return f"This needs one of the roles: {', '.join(sorted(self.roles))}."
        if self.body is not None and actor.bodies:
            body = self.body(arguments)
            if body is not None and not actor.covers_body(body):
                return "This concerns a body outside your token's scope."
        if all(grant.condition for grant in held) and not any(
            grant.condition(actor, arguments) for grant in held if grant.condition
        ):
            return f"Your roles allow this only as {', '.join(g.describe() for g in held)}."
        return None

    def refusal(self, actor: Actor, arguments: dict[str, Any]) -> Response | None:
        """``None`` when ``actor`` may go on, else the 403 problem."""
        reason = self.refused(actor, arguments)
        return None if reason is None else forbidden(reason, sorted(self.roles))


def _declare(view: Any, policy: Policy) -> Any:
    setattr(view, POLICY, policy)
    return view


def public(view: Any) -> Any:
    """Declare a route open to anyone, without a token."""
    return _declare(view, Policy(public=True))


def own_credentials(view: Any) -> Any:
    """Declare a public route that checks a credential of its own in ``Authorization`` (not
    an API token: ``/metrics``, web/metrics.py), so that header is left to it."""
    view.own_credentials = True
    return view


def requires(*grants: str | Grant, body: Resolver | None = None) -> Callable[[Any], Any]:
    """Declare the roles (or grants) a route needs, and optionally the body it concerns."""
    resolved = tuple(Grant(g) if isinstance(g, str) else g for g in grants)
    unknown = [g.role for g in resolved if g.role not in R.ROLES]
    if not resolved or unknown:
        raise ValueError(f"requires() needs known roles, got {unknown or 'none'}")

    def decorate(view: Any) -> Any:
        return _declare(view, Policy(grants=resolved, body=body))

    return decorate


def authenticated(view: Any) -> Any:
    """Declare a route open to every authenticated role."""
    return requires(*R.ALL_ROLES)(view)


def policy_of(view: Any) -> Policy | None:
    return getattr(view, POLICY, None)


# -- resolvers and conditions ---------------------------------------------------------------


def _case(arguments: dict[str, Any]) -> Any:
    """The route's case, read once per request (a page asks each link's policy of it)."""
    dnr = arguments["dnr"]
    read: dict[str, Any] = g.setdefault("policy_cases", {})
    if dnr not in read:
        read[dnr] = current_app.extensions["diarium"].view_case(dnr)
    return read[dnr]


def case_body(arguments: dict[str, Any]) -> str | None:
    """The body responsible for the case named by the route's ``dnr``."""
    return _case(arguments).responsible_body  # type: ignore[no-any-return]


def path_body(name: str) -> Resolver:
    """The body named by the route's path variable ``name`` (e.g. ``<code>``)."""
    return lambda arguments: arguments.get(name)


def json_body_field(name: str) -> Resolver:
    """The body named in the request's JSON field ``name`` (or form field, on a page of the
    desk), before validation."""

    def resolve(_: dict[str, Any]) -> str | None:
        data = request.get_json(silent=True) if request.is_json else request.form  # a page's form
        value = data.get(name) if isinstance(data, dict) else None
        return value if isinstance(value, str) else None

    return resolve


def _is_case_officer(actor: Actor, arguments: dict[str, Any]) -> bool:
    return bool(_case(arguments).officer == actor.name)


def own_case(role: str = R.OFFICER) -> Grant:
    """``role`` only on cases whose officer is the token's name."""
    return Grant(role, _is_case_officer, f"{role} (own case)")


# -- authentication -------------------------------------------------------------------------


def current_actor() -> Actor | None:
    """The authenticated actor of this request, or ``None`` (public routes)."""
    return g.get("actor")


def unauthorized(detail: str, error: str | None = None) -> Response:
    response = problem(401, "unauthenticated", "Authentication required", detail)
    challenge = 'Bearer realm="diarium"'
    if error:
        challenge += f', error="{error}"'
    response.headers["WWW-Authenticate"] = challenge
    return response


def forbidden(detail: str, needed: list[str]) -> Response:
    return problem(403, "forbidden", "Forbidden", detail, **{"required-roles": needed})


def _request_id() -> str:
    """This request's one id (web/observability.py, which imports this module)."""
    from diarium.web.observability import request_id

    return request_id()


def _identify(app: Flask, presented: str) -> Actor | None:
    token = app.extensions["diarium_tokens"].authenticate(presented)
    if token is not None:
        return Actor(token.name, _request_id(), token.roles, token.bodies, token.id)
    verifier: OidcVerifier | None = app.extensions.get("diarium_oidc")
    if verifier is not None and presented.count(".") == 2:
        identity = verifier.verify(presented)
        if identity is not None:
            return Actor(identity.name, _request_id(), identity.roles, identity.bodies)
    return None


def init_auth(app: Flask) -> None:
    """Authenticate every request and enforce the route's declared policy."""
    app.extensions["diarium_tokens"] = TokenStore.for_application(app.extensions["diarium"])
    app.extensions["diarium_oidc"] = OidcVerifier.from_settings(app.config)

    @app.before_request
    def _enforce() -> Response | None:
        g.actor = None
        if getattr(app.view_functions.get(request.endpoint or ""), "own_credentials", False):
            return None
        header = request.headers.get("Authorization")
        desk = app.extensions.get("diarium_desk")  # the staff's pages (web/desk/)
        on_desk = desk is not None and desk.serves(request)
        if header is not None:
            scheme, _, presented = header.strip().partition(" ")
            if scheme.lower() != "bearer" or not presented.strip():
                return unauthorized("Send 'Authorization: Bearer <token>'.", "invalid_request")
            try:
                g.actor = _identify(app, presented.strip())
            except SQLAlchemyError as error:  # the token table is in the store: it is down
                log.warning("token store unavailable: %s", type(error).__name__)
                response = problem(503, "store-unavailable", "Event store unavailable")
                response.headers["Retry-After"] = "5"
                return response
            if g.actor is None:
                return unauthorized("The token is invalid, expired or revoked.", "invalid_token")
        elif on_desk:  # a person signed in to the desk: the session's (web/desk/common.py)
            try:
                g.actor = desk.actor(_request_id())
            except SQLAlchemyError as error:
                log.warning("session store unavailable: %s", type(error).__name__)
                return problem(503, "store-unavailable", "Event store unavailable")
        view = app.view_functions.get(request.endpoint) if request.endpoint else None
        if view is None:
            return None  # routing answers 404/405
        policy = policy_of(view)
        if policy is not None and policy.public:
            return None
        if g.actor is None:
            return desk.sign_in() if on_desk else unauthorized("This needs a bearer token.")
        if policy is None:  # undeclared: authenticated only (tests/test_access_matrix.py fails)
            return None
        if on_desk:  # the same policy, its refusal as a Swedish page
            refused = policy.refused(g.actor, dict(request.view_args or {}))
            return None if refused is None else desk.forbidden(sorted(policy.roles))
        return policy.refusal(g.actor, dict(request.view_args or {}))


# -- OpenAPI ------------------------------------------------------------------------------------

_METHODS = ("get", "put", "post", "delete", "patch")


def secure_spec(app: Flask, spec: dict[str, Any]) -> dict[str, Any]:
    """Document authentication in the OpenAPI document: the bearer scheme, each operation's
    roles (``x-diarium-roles``), its 401/403, and a problem+json ``default`` response."""
    components = spec.setdefault("components", {})
    components.setdefault("securitySchemes", {})["bearerAuth"] = {
        "type": "http",
        "scheme": "bearer",
        "description": "A diarium token (`diarium tokens create`) or, with OIDC, a JWT.",
    }
    spec["security"] = [{"bearerAuth": []}]
    problem_ref = {"$ref": "#/components/schemas/Problem"}

    def problem_response(text: str) -> dict[str, Any]:
        content = {"application/problem+json": {"schema": problem_ref}}
        return {"description": text, "content": content}

    for rule in app.url_map.iter_rules():
        path = spec.get("paths", {}).get(FlaskPlugin.flaskpath2openapi(rule.rule))
        if not path:
            continue
        policy = policy_of(app.view_functions[rule.endpoint])
        for method in rule.methods or ():
            operation = path.get(method.lower())
            if method.lower() not in _METHODS or not operation:
                continue
            responses = operation.setdefault("responses", {})
            responses.setdefault("default", problem_response("An error (problem details)"))
            if policy is not None and policy.public:
                operation["security"] = []
                continue
            responses.setdefault("401", problem_response("No valid bearer token"))
            responses.setdefault(
                "403", problem_response("The token's roles or bodies do not allow this")
            )
            if policy is not None:
                operation["x-diarium-roles"] = sorted(policy.roles)
                operation["description"] = (
                    (operation.get("description", "") + "\n\n").lstrip()
                    + f"Roles: {policy.describe()}."
                )
    return spec
