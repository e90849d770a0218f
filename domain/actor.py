"""Who gives a command: recorded with every event it causes."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    """The person or service behind a command, and the request it came in."""

    name: str
    request_id: str | None = None
    roles: tuple[str, ...] = field(default_factory=tuple)
