"""Fixtures: every store-touching test runs on a real SQLite file and a real PostgreSQL server.

PostgreSQL comes from ``DIARIUM_TEST_POSTGRES_URL`` (``.ci/postgres.sh`` starts one); each
test gets a fresh database. Without it the PostgreSQL variants are skipped, except under
``CI=true``, where a missing server fails the run.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator

import pytest

from bench.common import fresh_database
from diarium.cases.application import Diarium
from diarium.cases.tokens import TokenStore
from diarium.domain.roles import ALL_ROLES
from diarium.web import create_app

POSTGRES_URL = os.environ.get("DIARIUM_TEST_POSTGRES_URL")
IN_CI = os.environ.get("CI", "").lower() == "true"


def postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database; dropped afterwards."""
    if not POSTGRES_URL:
        if IN_CI:
            pytest.fail("CI=true but DIARIUM_TEST_POSTGRES_URL is not set")
        pytest.skip("DIARIUM_TEST_POSTGRES_URL is not set")
    with fresh_database(POSTGRES_URL, "diarium_test") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The URL of an empty store, once for each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'diarium.sqlite'}"
    else:
        yield from postgres_database()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def module_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The URL of an empty store shared by a module's tests (which only read it), once for
    each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('module')}/d.sqlite"
    else:
        yield from postgres_database()


@pytest.fixture
def diarium(database_url: str) -> Iterator[Diarium]:
    """The application service on an empty store with its tables created."""
    app = Diarium(database_url, create_tables=True)
    yield app
    app.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]


TESTER = "tester"  # the name (recorded actor) of the default client's all-roles token


@pytest.fixture
def tokens(diarium: Diarium) -> TokenStore:
    """The token store of that service (cases/tokens.py)."""
    return TokenStore.for_application(diarium)


@pytest.fixture
def bearer(tokens: TokenStore) -> Callable[..., dict[str, str]]:
    """Headers with a token: ``bearer("officer", name="linda", bodies=["RS"])``; with no
    roles, every role. Names are unique among live tokens (cases/tokens.py): without a name,
    the first token is ``tester``, later ones ``tester.2``, ``tester.3``…; a name asked again
    with the same roles and bodies gets the same token, with others a new one (the earlier
    token of that name is revoked)."""
    issued: dict[tuple[str, tuple[str, ...], tuple[str, ...]], dict[str, str]] = {}
    live: dict[str, str] = {}  # name -> id of its live token
    unnamed = itertools.count(1)

    def issue(*roles: str, name: str | None = None,
              bodies: tuple[str, ...] | list[str] = ()) -> dict[str, str]:
        if name is None:
            number = next(unnamed)
            name = TESTER if number == 1 else f"{TESTER}.{number}"
        key = (name, tuple(roles or ALL_ROLES), tuple(bodies))
        if key not in issued:
            if name in live:
                tokens.revoke(live[name], by="conftest")
            secret, token = tokens.issue(name=name, roles=list(key[1]), bodies=list(bodies))
            live[name] = token.id
            issued[key] = {"Authorization": f"Bearer {secret}"}
        return issued[key]

    return issue


@pytest.fixture
def app(diarium: Diarium):  # type: ignore[no-untyped-def]
    """The Flask app on that service."""
    return create_app(diarium)


@pytest.fixture
def client_as(app, bearer):  # type: ignore[no-untyped-def]
    """Test clients with a token of given roles: ``client_as("registrar", name="anna")``;
    ``client_as(None)`` has no token at all (the public)."""

    def make(*roles: str | None, name: str | None = None, bodies: tuple[str, ...] | list[str] = ()):  # type: ignore[no-untyped-def]
        test_client = app.test_client()
        if roles != (None,):
            header = bearer(*roles, name=name, bodies=bodies)["Authorization"]
            test_client.environ_base["HTTP_AUTHORIZATION"] = header
        return test_client

    return make


@pytest.fixture
def client(client_as):  # type: ignore[no-untyped-def]
    """A Flask test client on that service, sending a token with every role (name
    ``tester``); use ``client_as`` for specific roles or none."""
    return client_as()
