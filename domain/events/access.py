"""Events of the access log: reads of secret content by those allowed to read it.

They live on their own aggregate per case (domain/secret_reads.py), so reading never changes a
case's version."""

from __future__ import annotations

from diarium.domain.events.base import SAFE, DiariumCreated, DiariumEvent, events_defined


class SecretReadLogOpened(DiariumCreated):
    """The access log of a case was opened (at its first read of secret content)."""

    label = "Åtkomstlogg öppnad"
    secrecy = SAFE

    dnr: str


class SecretContentRead(DiariumEvent):
    """Someone read secret content of a case: ``actor`` (who), ``timestamp`` (when),
    ``what`` (the resource read, e.g. ``GET /api/cases/1-2026``) and ``fields`` (the
    secret fields disclosed, e.g. ``title``, ``documents.2.counterpart``)."""

    label = "Sekretessbelagt innehåll läst"
    secrecy = SAFE

    dnr: str
    what: str
    roles: list[str]
    fields: list[str]


ACCESS_EVENTS: tuple[type[DiariumEvent], ...] = events_defined("secret_reads", globals())
