"""Secrecy commands of the application, and the access log of secret reads.

Each case that has had secret content read has one :class:`SecretReads` aggregate (its id
derived from the dnr), holding one ``SecretContentRead`` event per read. Reading therefore never
changes the case's version, and the log of who read what, when, is kept append-only like
everything else.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from eventsourcing.application import AggregateNotFoundError

from diarium.cases.secrecy import LiftSecrecy, MarkSecret
from diarium.domain.actor import Actor
from diarium.domain.aggregate import DiariumAggregate
from diarium.domain.events import access as ev

if TYPE_CHECKING:
    from diarium.cases.application import Written

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


class SecretReads(DiariumAggregate):
    """The access log of one case: every read of its secret content."""

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

    def when(self, event: Any) -> None:
        if isinstance(event, ev.SecretReadLogOpened):
            self.dnr = event.dnr
            self.reads: list[SecretRead] = []
        elif isinstance(event, ev.SecretContentRead):
            self.reads.append(
                SecretRead(
                    event.dnr, event.actor, list(event.roles), event.request_id, event.what,
                    list(event.fields), event.occurred_on, event.timestamp,
                )
            )


class SecrecyCommands:
    """Mixed into ``Diarium``: marking and lifting secrecy, and logging secret reads."""

    def mark_case_secret(self, dnr: str, command: MarkSecret, by: Actor) -> Written:
        return self._change(  # type: ignore[attr-defined,no-any-return]
            dnr,
            lambda case, today: case.mark_secret(
                statute=command.statute,
                marking_body=command.marking_body,
                marked_on=command.marked_on or today,
                fields=command.fields,
                by=by,
                today=today,
            ),
        )

    def lift_case_secrecy(self, dnr: str, command: LiftSecrecy, by: Actor) -> Written:
        return self._change(  # type: ignore[attr-defined,no-any-return]
            dnr,
            lambda case, today: case.lift_secrecy(
                lifted_on=command.lifted_on or today, by=by, today=today
            ),
        )

    def mark_document_secret(
        self, dnr: str, number: int, command: MarkSecret, by: Actor
    ) -> Written:
        return self._change(  # type: ignore[attr-defined,no-any-return]
            dnr,
            lambda case, today: case.mark_document_secret(
                document_number=number,
                statute=command.statute,
                marking_body=command.marking_body,
                marked_on=command.marked_on or today,
                fields=command.fields,
                by=by,
                today=today,
            ),
        )

    def lift_document_secrecy(
        self, dnr: str, number: int, command: LiftSecrecy, by: Actor
    ) -> Written:
        return self._change(  # type: ignore[attr-defined,no-any-return]
            dnr,
            lambda case, today: case.lift_document_secrecy(
                document_number=number, lifted_on=command.lifted_on or today, by=by,
                today=today,
            ),
        )

    def record_secret_read(self, dnr: str, what: str, fields: list[str], by: Actor) -> None:
        """Log that ``by`` read the secret ``fields`` of case ``dnr`` (through ``what``)."""
        app: Any = self

        def attempt() -> None:
            today = app.today()
            try:
                log = app.repository.get(secret_reads_id(dnr))
            except AggregateNotFoundError:
                log = SecretReads.open(dnr=dnr, opened_on=today, by=by)
            log.record(what=what, fields=fields, read_on=today, by=by)
            app.save(log)

        app._retrying(attempt, f"The access log of case {dnr}")

    def secret_reads(self, dnr: str) -> list[SecretRead]:
        """Every logged read of secret content of case ``dnr``, oldest first."""
        app: Any = self
        app.get_case(dnr)  # 404 for an unknown case
        try:
            return list(app.repository.get(secret_reads_id(dnr)).reads)
        except AggregateNotFoundError:
            return []
