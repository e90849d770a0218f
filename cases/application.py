"""The case service: one application class, one table of command handlers (``handle``)."""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError, Application, Repository
from eventsourcing.persistence import IntegrityError, JSONTranscoder

from diarium.cases.bodies import Bodies
from diarium.cases.case_decisions import CaseDecisions
from diarium.cases.files.service import Files
from diarium.cases.handlers import bound_handlers, handles
from diarium.cases.meetings import Meetings
from diarium.cases.saved_events import SavedEvents
from diarium.cases.secret_read_log import SecretReadLog
from diarium.cases.store.allocation_lock import AllocationLock
from diarium.cases.store.group_commit import GroupCommit
from diarium.cases.store.overrides import DateAsISO, FreshRepository
from diarium.cases.store.persistence import eventsourcing_env, log_position
from diarium.cases.store.reads import store_version
from diarium.cases.store.standby import on_primary
from diarium.domain import rules
from diarium.domain.actor import Actor
from diarium.domain.case.aggregate import Case
from diarium.domain.case.decisions import RecordDecision
from diarium.domain.case.lifecycle import RegisterCase
from diarium.domain.dnr import DnrSeries, case_id, series_year_id
from diarium.domain.migration import source_of
from diarium.domain.rules import Rule, RuleViolation, dated
from diarium.domain.secret_reads import SecretReads
from diarium.domain.series import SeriesYear

STOCKHOLM = ZoneInfo("Europe/Stockholm")
DNR_SERIES_VARIABLE = "DIARIUM_DNR_SERIES"
T = TypeVar("T")
CASE_DECIDERS = Case.deciders()  # command type → the Case method that decides it


class CaseNotFound(LookupError):
    """No case is registered under this dnr."""

    def __init__(self, dnr: str) -> None:
        super().__init__(f"No case is registered under dnr {dnr!r}")
        self.dnr = dnr


class ConcurrentModification(RuntimeError):
    """Other writers kept changing the case; the client should retry."""


@dataclass(frozen=True)
class Written:
    """The outcome of a command: the case it touched and the log position of its last event."""

    dnr: str
    version: int
    position: int | None
    case: Case


@dataclass(frozen=True)
class _Queued:
    """A registration waiting for its group commit."""

    command: RegisterCase
    registered_on: date
    by: Actor


def _back_off(attempt: int) -> None:
    """Wait a random, growing while before retrying, so racing writers spread out."""
    time.sleep(random.uniform(0, min(0.1, 0.002 * 2**attempt)))


# What a registration's case takes from its command as it is.
_REGISTERED_FIELDS = (
    "series", "title", "public_title", "responsible_body", "unit", "officer", "classification",
    "origin", "secrecy",
)


def _new_case(
    command: RegisterCase,
    dnr: str,
    year: int,
    sequence: int,
    registered_on: date,
    by: Actor,
    today: date,
) -> Case:
    """The case ``command`` registers under ``dnr``, with its secrecy marking if it has one
    (both events are saved in the one write that saves the case)."""
    return Case.register(
        dnr=dnr,
        year=year,
        sequence=sequence,
        migrated=command.is_migrated,
        migrated_source=source_of(command.migrated),
        registered_on=registered_on,
        by=by,
        today=today,
        **{name: getattr(command, name) for name in _REGISTERED_FIELDS},
    )


def swedish_today() -> date:
    """Today's date in Sweden, where business dates are kept."""
    return datetime.now(STOCKHOLM).date()


def configured_series() -> DnrSeries:
    """Dnr series from ``DIARIUM_DNR_SERIES`` (JSON ``{"name": "pattern"}``), or the default."""
    raw = os.environ.get(DNR_SERIES_VARIABLE)
    return DnrSeries(json.loads(raw) if raw else None)


class Diarium(Application[UUID]):
    """The diarium: registers cases and records everything that happens to them."""

    name = "diarium"
    # Recently used aggregates stay in memory; a get then reads only newer events (fastforward).
    env = {"AGGREGATE_CACHE_MAXSIZE": "5000"}  # noqa: RUF012
    # (the access logs of secret reads grow by an event per read: tests/test_secrecy.py)
    snapshotting_intervals = {SeriesYear: 100, SecretReads: 100}  # noqa: RUF012
    attempts = 30  # optimistic-concurrency attempts before giving up

    def __init__(
        self,
        database_url: str | None = None,
        *,
        create_tables: bool = False,
        series: DnrSeries | None = None,
        today: Callable[[], date] = swedish_today,
        env: dict[str, str] | None = None,
    ) -> None:
        settings = eventsourcing_env(database_url, create_tables=create_tables)
        settings.update(env or {})
        super().__init__(env=settings)
        if create_tables:  # the API tokens live beside the events (cases/tokens.py)
            from diarium.cases.tokens import TokenStore

            TokenStore.for_application(self).create_table()
        self.series = series or configured_series()
        self.today = today
        self._allocation = AllocationLock(self.recorder.datastore.engine)  # type: ignore[attr-defined]
        # Registrations of one series-year queued by this process's threads commit together.
        self._registrations: GroupCommit[tuple[str, int], _Queued, Written] = GroupCommit(
            self._register_batch
        )
        self.files = Files(self, settings["SQLALCHEMY_URL"])  # documents' files (cases/files/)
        if create_tables:
            self.files.store.create()
        self.secret_reads = SecretReadLog(self)  # who read which secret content of a case
        self.saved_events = SavedEvents()  # the event types a request saved (its command log)
        self.bodies = Bodies(self)  # bodies, members, delegation (cases/bodies.py)
        self.meetings = Meetings(self, self.bodies)  # meetings, protocols (cases/meetings.py)
        # a decision on the case route: from a meeting, a delegate or historical
        self.decisions = CaseDecisions(self, self.bodies, self.meetings)
        # The one table: command type → its handler (``handle``).
        self.handlers: dict[type, Callable[[Any, Actor], Any]] = bound_handlers(
            self, self.bodies, self.meetings, self.decisions
        )

    def handle(self, command: Any, by: Actor) -> Any:
        """Carry out ``command`` for ``by``: the handler its type names in ``handlers``."""
        return self.handlers[type(command)](command, by)

    def notify(self, new_events: list[Any]) -> None:
        """Overrides ``eventsourcing.application.Application.notify`` (9.5), a documented
        hook called after every save: the saved types go to the requests watching them."""
        self.saved_events.saw(new_events)

    def construct_repository(self) -> Repository[UUID]:
        """Extends ``eventsourcing.application.Application.construct_repository`` (9.5), a
        documented hook: the library's repository becomes a ``FreshRepository``
        (cases/store/overrides.py), which skips the fastforward query when nothing was
        committed since."""
        return FreshRepository.replacing(
            super().construct_repository(),
            store_version(self.recorder.datastore),  # type: ignore[attr-defined]
        )

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        """Extends ``eventsourcing.application.Application.register_transcodings`` (9.5), a
        documented hook: business dates as ISO strings (cases/store/overrides.py: ``DateAsISO``)."""
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    # -- registration ---------------------------------------------------------------

    @handles(RegisterCase)
    def register_case(self, command: RegisterCase, by: Actor) -> Written:
        """Register a case: allocate the next dnr of its series, or take a migrated one.

        New numbers are allocated by group commit (cases/store/group_commit.py): the registrations
        this process's threads make in one series-year at the same moment are numbered and
        saved in one transaction; each gets its own outcome, once that transaction is done.
        The responsible body must be set up (checked with the batch: a refusal takes no
        number); a migrated case carries its registration date."""
        registered_on = dated(  # a future date is refused with the case (it takes no number)
            command.registered_on, self.today(), "registered_on", migrated=command.is_migrated
        )
        if command.dnr is not None:
            return self._register_case(command, by)
        self.series[command.series]  # an unknown series fails here, before it is queued
        return self._registrations.submit(
            (command.series, registered_on.year), _Queued(command, registered_on, by)
        )

    def _register_batch(
        self, key: tuple[str, int], take: Callable[[], list[_Queued]]
    ) -> list[Written | Exception]:
        """Number and save a batch of registrations of one series-year: one counter load, one
        save of the counter and every case, one transaction. The batch is taken once the
        allocation lock is held, so it holds every registration queued while we waited.
        A registration that breaks a rule fails alone, without a number; the others are
        saved. A lost race (another writer saved the counter first) redoes the batch."""
        series, year = key
        dnr_format = self.series[series]
        batch: list[_Queued] = []

        def attempt() -> list[Written | Exception]:
            with self._allocation.transaction(self.recorder, series, year):
                if not batch:
                    batch.extend(take())
                return number_and_save()

        def number_and_save() -> list[Written | Exception]:
            today = self.today()
            counter = self._series_year(series, year, today, batch[0].by)
            outcomes: list[Case | Exception] = []
            known: set[str] = set()  # bodies found set up
            for queued in batch:
                command = queued.command
                try:
                    self._require_bodies(command, known)
                    sequence = counter.next_sequence()
                    case = _new_case(
                        command, dnr_format.format(year, sequence), year, sequence,
                        queued.registered_on, queued.by, today,
                    )
                except Exception as refused:  # this one only: no number is taken for it
                    outcomes.append(refused)
                    continue
                counter.allocate(allocated_on=queued.registered_on, by=queued.by)
                outcomes.append(case)
            cases = [c for c in outcomes if isinstance(c, Case)]
            if not cases:
                return list(outcomes)  # type: ignore[arg-type]
            recordings = self.save(counter, *cases)
            positions = {r.domain_event.originator_id: r.notification.id for r in recordings}
            return [
                Written(c.dnr, c.version, positions[c.id], c) if isinstance(c, Case) else c
                for c in outcomes
            ]

        with self._allocation.hold(series, year):
            return self._retrying(attempt, f"The dnr series {series}")

    def _register_case(self, command: RegisterCase, by: Actor) -> Written:
        self._require_bodies(command, set())
        today = self.today()
        registered_on = command.registered_on or today
        dnr_format = self.series[command.series]

        def attempt() -> Written:  # another writer may take this number first: then the next
            if command.dnr is None:
                year = registered_on.year
                counter = self._series_year(command.series, year, today, by)
                sequence = counter.allocate(allocated_on=registered_on, by=by)
                dnr = dnr_format.format(year, sequence)
            else:
                dnr = command.dnr
                year, sequence = dnr_format.parse(dnr)
                self._require_new(case_id(dnr), rules.DNR_TAKEN, f"dnr {dnr} is already registered")
                counter = self._series_year(command.series, year, today, by)
                counter.claim(sequence=sequence, claimed_on=registered_on, by=by)
            case = _new_case(command, dnr, year, sequence, registered_on, by, today)
            return self._written(case, self.save(counter, case))

        return self._retrying(attempt, f"The dnr series {command.series}")

    # -- queries ----------------------------------------------------------------------

    def get_case(self, dnr: str, version: int | None = None) -> Case:
        """The case as it is now, or as it was at ``version`` (a private copy)."""
        try:
            return self.repository.get(case_id(dnr), version=version)
        except AggregateNotFoundError:
            raise CaseNotFound(dnr) from None

    def decided_case(self, decision: RecordDecision, by: Actor, today: date) -> tuple[Case, int]:
        """The case ``decision`` names with the decision recorded on it, and its number on
        the case; not saved: a body or meeting saves it with its own events in one write."""
        case = self.get_case(decision.dnr)
        return case, case.record_decision(decision, by, today).number

    def view_case(self, dnr: str) -> Case:
        """The case as it is now, to be read at once and never changed (no copy is made)."""
        try:
            return self.repository.get(case_id(dnr), deepcopy_from_cache=False)
        except AggregateNotFoundError:
            raise CaseNotFound(dnr) from None

    def case_history(self, dnr: str) -> list[Any]:
        """Every event of the case, oldest first."""
        events = list(self.events.get(case_id(dnr)))
        if not events:
            raise CaseNotFound(dnr)
        return events

    def is_reachable(self) -> bool:
        """Whether the event store answers."""
        self.recorder.max_notification_id()
        return True

    # -- internals --------------------------------------------------------------------

    def _require_bodies(self, command: RegisterCase, known: set[str]) -> None:
        """Refuse a registration naming a body that is not set up: the responsible body,
        the marking body of its secrecy marking (``known``: codes found set up already)."""
        marking = command.secrecy.marking_body if command.secrecy is not None else None
        for code, field in ((command.responsible_body, "responsible_body"),
                            (marking, "secrecy.marking_body")):
            if code is not None and code not in known:
                self.bodies.require_known(code, field)
                known.add(code)

    @handles(*CASE_DECIDERS)
    def _decide_on_case(self, command: Any, by: Actor) -> Written:
        """Load the case ``command.dnr`` names, let it decide ``command``, save; on a
        concurrent write, redo from the start. A marking body must be set up."""
        decide = CASE_DECIDERS[type(command)]
        marking_body = getattr(command, "marking_body", None)  # MarkSecret, MarkDocumentSecret
        if marking_body is not None:
            self.bodies.require_known(marking_body, "marking_body")

        def attempt() -> Written:
            case = self.get_case(command.dnr)
            decide(case, command, by, self.today())
            return self._written(case, self.save(case))

        return self._retrying(attempt, f"Case {command.dnr}")

    def _retrying(self, attempt: Callable[[], T], what: str) -> T:
        """Run ``attempt`` (load, decide, save) until it saves without a concurrent write,
        backing off between tries; every try starts from the stored state, so each rule is
        checked against the state it changes (read from the primary, never a standby)."""
        for tries in range(self.attempts):
            try:
                with on_primary():
                    return attempt()
            except IntegrityError:
                _back_off(tries)
        raise ConcurrentModification(f"{what} is being changed by others; try again")

    def _series_year(self, series: str, year: int, today: date, by: Actor) -> SeriesYear:
        try:
            return self.repository.get(series_year_id(series, year))
        except AggregateNotFoundError:
            return SeriesYear.open(series=series, year=year, opened_on=today, by=by)

    def _exists(self, aggregate_id: UUID) -> bool:
        return bool(self.recorder.select_events(aggregate_id, limit=1))

    def _require_new(self, aggregate_id: UUID, taken: Rule, detail: str | None = None) -> None:
        """Refuse with ``taken`` when the aggregate ``aggregate_id`` already exists."""
        if self._exists(aggregate_id):
            raise RuleViolation(taken, detail)

    def _save_new(self, aggregate: Any, taken: Rule, detail: str | None = None) -> list[Any]:
        """Save a new aggregate; ``taken`` when another writer created it first."""
        try:
            return self.save(aggregate)
        except IntegrityError:
            raise RuleViolation(taken, detail) from None

    @staticmethod
    def _written(case: Case, recordings: list[Any]) -> Written:
        return Written(case.dnr, case.version, log_position(recordings), case)
