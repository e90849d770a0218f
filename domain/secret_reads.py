"""The access log of secret reads of a case.

Each case that has had secret content read has one :class:`SecretReads` aggregate (its id
derived from the dnr), holding one ``SecretContentRead`` event per read. Reading therefore never
changes the case's version, and the log of who read what, when, is kept append-only like
everything else.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from diarium.domain.actor import Actor
from diarium.domain.aggregate import DiariumAggregate, evolves
from diarium.domain.events import access as ev

_NAMESPACE = uuid.UUID("0d7c1b8e-5a3f-4c1e-9f6e-2b8d4a6c9e13")


def secret_reads_id(dnr: str) -> uuid.UUID:
    """The aggregate id of the access log of the case ``dnr``."""
    return uuid.uuid5(_NAMESPACE, "secret-reads:" + dnr)


@dataclass(frozen=True)
class SecretRead:
    """One read of secret content."""

    dnr: str
    actor: str
    roles: list[str]
    request_id: str | None
    what: str
    fields: list[str]
    read_on: date
    read_at: datetime


    @classmethod
    def from_event(cls, event: ev.SecretContentRead) -> SecretRead:
        return cls(event.dnr, event.actor, list(event.roles), event.request_id, event.what,
                   list(event.fields), event.occurred_on, event.timestamp)


class SecretReads(DiariumAggregate):
    """The access log of one case: every read of its secret content. Its state is only the
    count (recording a read stays as cheap on the thousandth read as on the first); the reads
    are its events (:meth:`SecretRead.from_event`)."""

    @classmethod
    def open(cls, *, dnr: str, opened_on: date, by: Actor) -> SecretReads:
        return cls._create_by(
            ev.SecretReadLogOpened, id=secret_reads_id(dnr), dnr=dnr, occurred_on=opened_on,
            by=by,
        )

    def record(self, *, what: str, fields: list[str], read_on: date, by: Actor) -> None:
        self.trigger_event(
            ev.SecretContentRead,
            dnr=self.dnr,
            what=what[:500],
            roles=list(by.roles),
            fields=list(fields),
            occurred_on=read_on,
            by=by,
        )

    @evolves(ev.SecretReadLogOpened)
    def _opened(self, event: ev.SecretReadLogOpened) -> None:
        self.dnr = event.dnr
        self.count = 0

    @evolves(ev.SecretContentRead)
    def _read(self, event: ev.SecretContentRead) -> None:
        self.count += 1
