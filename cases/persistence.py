"""Persistence settings: one URL picks SQLite (embedded default) or PostgreSQL."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

from eventsourcing.persistence import Transcoding
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory

DATABASE_URL_VARIABLE = "DIARIUM_DATABASE_URL"
DEFAULT_SQLITE_PATH = Path("var") / "diarium.sqlite"


def database_url(url: str | None = None) -> str:
    """The SQLAlchemy URL in force: the argument, ``DIARIUM_DATABASE_URL``, or ./var SQLite."""
    url = url or os.environ.get(DATABASE_URL_VARIABLE)
    if url:
        return url
    DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE_PATH.resolve()}"


def eventsourcing_env(url: str | None = None, *, create_tables: bool = False) -> dict[str, str]:
    """The ``eventsourcing`` settings for a store at ``url``."""
    return {
        "PERSISTENCE_MODULE": "cases.persistence:DiariumFactory",
        "SQLALCHEMY_URL": database_url(url),
        "CREATE_TABLE": "y" if create_tables else "n",
    }


class DiariumDatastore(SQLAlchemyDatastore):
    """The library's datastore with engine options for several processes sharing a store."""

    def __init__(self, *, url: str | None = None, **kwargs: Any) -> None:
        if url and url.startswith("sqlite") and ":memory:" not in url:
            # Other processes (gunicorn workers, projection workers) may hold the write lock.
            kwargs.setdefault("connect_args", {"timeout": 30})
        elif url and url.startswith("postgresql"):
            kwargs.setdefault("pool_pre_ping", True)  # survive a database restart
            kwargs.setdefault("connect_args", {"connect_timeout": 5})
        super().__init__(url=url, **kwargs)


class DiariumFactory(SQLAlchemyFactory):
    """The ``eventsourcing-sqlalchemy`` factory, using :class:`DiariumDatastore`."""

    datastore_class = DiariumDatastore


class DateAsISO(Transcoding):
    """Business dates are stored as ISO strings."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)
