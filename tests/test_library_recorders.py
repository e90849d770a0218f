"""The library's own recorder test cases (``eventsourcing.tests.persistence``, 9.5) run against
diarium's recorders exactly as the application builds them: ``DiariumFactory`` from
``eventsourcing_env`` (``ChainedApplicationRecorder`` for the events, ``DiariumAggregateRecorder``
for snapshots), on a SQLite file and on PostgreSQL (a fresh database per store).

Not run: ``ProcessRecorderTestCase`` and ``TrackingRecorderTestCase``. Diarium has no process
or tracking recorder of its own (its projections track their positions in tables of their own,
projections/tables.py); ``DiariumFactory`` hands out the library's classes for those, which the
library's own suite tests. The one skip (a subscription on SQLite) says why where it is made.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any
from unittest import TestCase

import pytest
from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    InfrastructureFactory,
    ProcessRecorder,
    TrackingRecorder,
)
from eventsourcing.tests.persistence import (
    AggregateRecorderTestCase,
    ApplicationRecorderTestCase,
    InfrastructureFactoryTestCase,
    NonInterleavingNotificationIDsBaseCase,
)
from eventsourcing.utils import Environment
from eventsourcing_sqlalchemy.recorders import (
    SQLAlchemyProcessRecorder,
    SQLAlchemyTrackingRecorder,
)
from sqlalchemy import Engine, text

from diarium.cases.store.overrides import (
    ChainedApplicationRecorder,
    DiariumAggregateRecorder,
    DiariumFactory,
)
from diarium.cases.store.persistence import eventsourcing_env
from tests.conftest import postgres_database

APPLICATION = "diarium"  # the application's name: its tables are diarium_events, …_snapshots


@pytest.fixture(autouse=True)
def _tmp_path_for_test_cases(request: pytest.FixtureRequest, tmp_path: Any) -> None:
    """The library's cases are ``unittest`` classes: they get pytest's ``tmp_path`` here."""
    if isinstance(request.instance, TestCase):
        request.instance.tmp_path = tmp_path  # type: ignore[attr-defined]


class DiariumStore(TestCase):
    """Diarium's factory on a new, empty store of ``BACKEND`` (a SQLite file, or a fresh
    PostgreSQL database), removed after the test."""

    BACKEND = "sqlite"
    tmp_path: Any
    _stores = 0

    def diarium_env(self) -> Environment:
        """``eventsourcing_env`` of a new store, tables created, as ``Diarium`` gets it."""
        if self.BACKEND == "postgres":
            databases: Iterator[str] = postgres_database()
            url = next(databases)
            self.addCleanup(databases.close)  # drops the database
        else:
            self._stores += 1
            url = f"sqlite:///{self.tmp_path / f'diarium-{self._stores}.sqlite'}"
        return Environment(APPLICATION, eventsourcing_env(url, create_tables=True))

    def diarium_factory(self, env: Environment | None = None) -> DiariumFactory:
        """The application's factory on ``env`` (a new store if none); its connections are
        closed after the test."""
        factory = InfrastructureFactory.construct(env or self.diarium_env())
        assert type(factory) is DiariumFactory
        self.addCleanup(factory.datastore.engine.dispose)
        return factory


class SnapshotRecorderSQLite(DiariumStore, AggregateRecorderTestCase):
    """``AggregateRecorderTestCase`` on the snapshots recorder, the one aggregate recorder
    diarium uses."""

    def create_recorder(self) -> AggregateRecorder:
        recorder = self.diarium_factory().aggregate_recorder("snapshots")
        assert type(recorder) is DiariumAggregateRecorder
        return recorder


class ApplicationRecorderSQLite(DiariumStore, ApplicationRecorderTestCase[ApplicationRecorder]):
    """``ApplicationRecorderTestCase`` on the hash-chained events recorder."""

    def create_recorder(self) -> ApplicationRecorder:
        recorder = self.diarium_factory().application_recorder()
        assert type(recorder) is ChainedApplicationRecorder
        return recorder

    def test_insert_subscribe(self) -> None:
        """The library's optional subscription test: the events' ``NOTIFY`` is diarium's
        (``pg_notify`` with the chain-head query), so a subscription must still wake up.

        eventsourcing-sqlalchemy 1.0's subscription issues its ``LISTEN`` from a thread of its
        own after ``subscribe()`` has returned, so an insert made before that thread listens
        notifies nobody and the test would wait forever (it did, once, in a loaded full run):
        here ``subscribe()`` returns once its ``LISTEN`` is in force."""
        if self.BACKEND != "postgres":
            pytest.skip("eventsourcing-sqlalchemy 1.0 subscribes on PostgreSQL only "
                        "(SQLAlchemyApplicationRecorder.subscribe: NotImplementedError)")
        recorder = self.create_recorder()
        subscribe = recorder.subscribe

        def subscribed(gt: int | None = None, topics: Sequence[str] = ()) -> Any:
            engine = recorder.datastore.engine  # type: ignore[attr-defined]
            with engine.connect() as conn:
                since = conn.execute(text("SELECT clock_timestamp()")).scalar_one()
            subscription = subscribe(gt=gt, topics=topics)
            wait_until_listening(engine, recorder.channel_name, since)  # type: ignore[attr-defined]
            return subscription

        recorder.subscribe = subscribed  # type: ignore[method-assign]
        self.create_recorder = lambda: recorder  # type: ignore[method-assign]
        self.optional_test_insert_subscribe()


def wait_until_listening(engine: Engine, channel: str, since: Any) -> None:
    """Return once a session of the store has run ``LISTEN channel`` since ``since`` and
    finished it (so the ``LISTEN`` is in force); fail after 60 s."""
    listening = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND state = 'idle' AND query = :listen AND query_start >= :since"
    )
    for _ in range(6000):
        with engine.connect() as conn:
            if conn.execute(listening, {"listen": f"LISTEN {channel};", "since": since}).scalar():
                return
        time.sleep(0.01)
    pytest.fail(f"no session ran LISTEN {channel}")


class NonInterleavingSQLite(DiariumStore, NonInterleavingNotificationIDsBaseCase):
    """Two racing writes of 1,000 events each get notification ids that do not interleave."""

    def create_recorder(self) -> ApplicationRecorder:
        return self.diarium_factory().application_recorder()


class FactorySQLite(DiariumStore, InfrastructureFactoryTestCase[DiariumFactory]):
    """``InfrastructureFactoryTestCase`` on ``DiariumFactory``: mapper, cipher, compressor and
    every recorder it makes (tracking and process recorders are the library's: diarium uses
    neither, its projections track their positions in tables of their own)."""

    def setUp(self) -> None:
        self.env = self.diarium_env()
        super().setUp()
        self.addCleanup(self.factory.datastore.engine.dispose)

    def expected_factory_class(self) -> type[DiariumFactory]:
        return DiariumFactory

    def expected_aggregate_recorder_class(self) -> type[AggregateRecorder]:
        return DiariumAggregateRecorder

    def expected_application_recorder_class(self) -> type[ApplicationRecorder]:
        return ChainedApplicationRecorder

    def expected_tracking_recorder_class(self) -> type[TrackingRecorder]:
        return SQLAlchemyTrackingRecorder

    def tracking_recorder_subclass(self) -> type[TrackingRecorder]:
        return TrackingRecorderSubclass

    def expected_process_recorder_class(self) -> type[ProcessRecorder]:
        return SQLAlchemyProcessRecorder


class TrackingRecorderSubclass(SQLAlchemyTrackingRecorder):
    """A tracking recorder class the factory test asks the factory for by class and topic."""


def on_postgres(case: type[DiariumStore]) -> type[DiariumStore]:
    """The same test case on PostgreSQL (``…SQLite`` → ``…Postgres``)."""
    name = case.__name__.replace("SQLite", "Postgres")
    attributes = {"BACKEND": "postgres", "__doc__": case.__doc__}
    return pytest.mark.postgres(type(name, (case,), attributes))


SnapshotRecorderPostgres = on_postgres(SnapshotRecorderSQLite)
ApplicationRecorderPostgres = on_postgres(ApplicationRecorderSQLite)
NonInterleavingPostgres = on_postgres(NonInterleavingSQLite)
FactoryPostgres = on_postgres(FactorySQLite)

# the abstract cases themselves are not collected
del AggregateRecorderTestCase, ApplicationRecorderTestCase, InfrastructureFactoryTestCase
del NonInterleavingNotificationIDsBaseCase
