"""Who gives a command: recorded with every event it causes."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    """The person or service behind a command, and the request it came in."""

    name: str
    request_id: str | None = None
    roles: tuple[str, ...] = field(default_factory=tuple)
    # Bodies the actor is scoped to (e.g. ("HSN",)); empty means every body.
    bodies: tuple[str, ...] = field(default_factory=tuple)
    # The id of the diarium token the request came with (None: OIDC, CLI, internal).
    token_id: str | None = None

    def has_role(self, *roles: str) -> bool:
        """Whether the actor holds any of ``roles``."""
        return any(r in self.roles for r in roles)

    def covers_body(self, body: str | None) -> bool:
        """Whether the actor's body scope includes ``body`` (an unscoped actor covers all)."""
        return not self.bodies or body is None or body in self.bodies
