"""The ordering guarantee on PostgreSQL: a follower reading ``after=N`` never skips an event,
however many writers commit concurrently.

It holds because the recorder locks the events table before drawing ids and keeps the lock until
commit, so ids become visible in order. The control case removes that lock and shows a naive
follower does skip an event whose lower position commits later: the test can fail.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from diarium.cases.application import Diarium
from diarium.cases.outbound import feed
from tests.audit_helpers import document, register
from tests.bodies_support import (  # noqa: F401 (the fixture)
    SETUP_EVENTS,
    diarium_with_bodies,
    establish_bodies,
)
from tests.conftest import postgres_database


@pytest.fixture
def pg() -> Iterator[Diarium]:
    for url in postgres_database():
        app = establish_bodies(Diarium(url, create_tables=True))
        yield app
        app.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]


def _all_positions(app: Diarium) -> list[int]:
    """The positions of the feed's items after the bodies' set-up."""
    return [i.position for i in feed.read_feed(app, SETUP_EVENTS, feed.MAX_LIMIT).items]


class Follower(threading.Thread):
    """Reads the feed after the last position it saw, again and again."""

    def __init__(self, app: Diarium, after: int = 0) -> None:
        super().__init__()
        self.app, self.cursor, self.seen = app, after, []  # type: ignore[var-annotated]
        self.done = threading.Event()

    def run(self) -> None:
        while True:
            finishing = self.done.is_set()
            page = feed.read_feed(self.app, self.cursor, 50)
            self.seen.extend(i.position for i in page.items)
            self.cursor = page.next_after
            if finishing and not page.items:
                return
            if not page.items:
                time.sleep(0.005)


def test_many_concurrent_writers_and_a_follower_agree(pg: Diarium) -> None:
    dnrs = [register(pg, f"Ärende {n}") for n in range(3)]
    follower = Follower(pg, after=SETUP_EVENTS)
    follower.start()
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for n in range(25):  # writers collide on shared cases: retries leave id gaps
                document(pg, dnrs[(worker + n) % len(dnrs)], date(2020, 9, 1 + n % 28))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    writers = [threading.Thread(target=write, args=(w,)) for w in range(6)]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    follower.done.set()
    follower.join(30)
    assert not errors
    everything = _all_positions(pg)
    assert len(everything) == 3 + 6 * 25
    assert follower.seen == everything  # same events, same order, no duplicates, none skipped


def _slow_writes(app: Diarium, monkeypatch: pytest.MonkeyPatch, *, locked: bool
                 ) -> threading.local:
    """Writers flagged slow hold their transaction open for a second after drawing their ids;
    returns the flag. ``locked=False`` removes the table lock (the control)."""
    recorder: Any = app.recorder
    slow = threading.local()
    original = recorder._insert_stored_events

    def insert(session: Any, stored_events: Any, **kwargs: Any) -> Any:
        ids = original(session, stored_events, **kwargs)
        if getattr(slow, "on", False):
            time.sleep(1.0)  # ids drawn, not yet committed
        return ids

    monkeypatch.setattr(recorder, "_insert_stored_events", insert)
    if not locked:
        monkeypatch.setattr(recorder, "_lock_table", lambda session: None)
    return slow


@pytest.mark.parametrize("locked", [True, False], ids=["table-lock", "control-no-lock"])
def test_a_later_committing_lower_position_is_not_skipped(
    pg: Diarium, monkeypatch: pytest.MonkeyPatch, locked: bool
) -> None:
    first, second = register(pg, "A"), register(pg, "B")
    start = pg.recorder.max_notification_id() or 0
    slow = _slow_writes(pg, monkeypatch, locked=locked)
    follower = Follower(pg, after=start)
    follower.start()

    def slow_write() -> None:
        slow.on = True
        document(pg, first, date(2020, 9, 2))

    writer = threading.Thread(target=slow_write)
    writer.start()
    time.sleep(0.3)  # the slow writer has drawn its position and holds it uncommitted
    document(pg, second, date(2020, 9, 3))  # without the lock this one commits first
    writer.join()
    follower.done.set()
    follower.join(30)
    everything = [p for p in _all_positions(pg) if p > start]
    assert len(everything) == 2
    if locked:
        assert follower.seen == everything
    else:  # the naive follower stepped over the lower position that committed later
        assert sorted(set(everything) - set(follower.seen)) == [everything[0]]
