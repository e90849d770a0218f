"""The log of secret reads, a service of the application (``Diarium.secret_reads``): who
read which secret content of a case, when (the ``SecretReads`` aggregate of domain/)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from eventsourcing.application import AggregateNotFoundError

from diarium.domain.actor import Actor
from diarium.domain.events.access import SecretContentRead as ContentRead
from diarium.domain.secret_reads import SecretRead, SecretReads, secret_reads_id

if TYPE_CHECKING:
    from diarium.cases.application import Diarium


class SecretReadLog:
    """Logging reads of secret content, and reading the log, of each case."""

    def __init__(self, app: Diarium) -> None:
        self.app = app

    def record(self, dnr: str, what: str, fields: list[str], by: Actor) -> None:
        """Log that ``by`` read the secret ``fields`` of case ``dnr`` (through ``what``)."""
        app = self.app

        def attempt() -> None:
            today = app.today()
            try:
                log = app.repository.get(secret_reads_id(dnr))
            except AggregateNotFoundError:
                log = SecretReads.open(dnr=dnr, opened_on=today, by=by)
            log.record(what=what, fields=fields, read_on=today, by=by)
            app.save(log)

        app._retrying(attempt, f"The access log of case {dnr}")

    def of(self, dnr: str) -> list[SecretRead]:
        """Every logged read of secret content of case ``dnr``, oldest first."""
        self.app.get_case(dnr)  # 404 for an unknown case
        events = self.app.repository.event_store.get(secret_reads_id(dnr))
        return [SecretRead.from_event(e) for e in events if isinstance(e, ContentRead)]
