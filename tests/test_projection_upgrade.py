"""Projection schema changes without a manual step: a generation built with another schema
fingerprint (other tables or handlers: a deploy changed the projection) is rebuilt into a
fresh generation and swapped in when a process starts following; on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, text, update

from diarium.cases.application import Diarium
from diarium.projections.positions import now as _now
from diarium.projections.registers.deadlines import DeadlinesProjection
from diarium.projections.runner import Projector
from diarium.projections.tables import ACTIVE, BUILDING, tracking
from tests.bodies_support import diarium_with_bodies  # noqa: F401 (the fixture)
from tests.projections_support import case_with_incoming_referral, fill, snapshot


def more(diarium: Diarium) -> None:
    """A case with an incoming referral (rows in every projection)."""
    case_with_incoming_referral(
        diarium, "Finansdepartementet", date(2021, 6, 1), answer_by=date(2021, 9, 1))


def generations(projector: Projector) -> dict[str, int]:
    return {s.name: s.generation for s in projector.states(ACTIVE)}


def test_fingerprints_follow_tables_handlers_and_version(monkeypatch: pytest.MonkeyPatch) -> None:
    first = DeadlinesProjection("sqlite").fingerprint()
    assert first == DeadlinesProjection("sqlite").fingerprint()  # stable across instances
    monkeypatch.setattr(DeadlinesProjection, "version", DeadlinesProjection.version + 1)
    assert DeadlinesProjection("sqlite").fingerprint() != first
    monkeypatch.undo()
    original = DeadlinesProjection.define

    def one_more_column(self: Any, metadata: Any, generation: int) -> Any:
        from sqlalchemy import Column, Integer

        specs = original(self, metadata, generation)
        specs["deadline"].table.append_column(Column("extra", Integer))
        return specs

    monkeypatch.setattr(DeadlinesProjection, "define", one_more_column)
    assert DeadlinesProjection("sqlite").fingerprint() != first


def test_a_projection_built_by_other_code_is_rebuilt_when_following_starts(
    diarium: Diarium, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    fill(diarium, 12)
    with monkeypatch.context() as older:  # the code before the deploy
        older.setattr(DeadlinesProjection, "version", DeadlinesProjection.version - 1)
        old = Projector(diarium, batch_size=7)
        old.catch_up()
        built = snapshot(old)
        assert all(row["schema"] == "current" for row in old.status())
    assert generations(old) == {"diary": 1, "decisions": 1, "deadlines": 1}

    restarted = Projector(diarium, batch_size=7)  # the new code starts
    status = {row["name"]: row for row in restarted.status()}
    assert status["deadlines"]["schema"] == "outdated"
    assert status["diary"]["schema"] == "current"
    with caplog.at_level(logging.WARNING, logger="diarium.projections.generations"):
        restarted.catch_up()
    assert generations(restarted) == {"diary": 1, "decisions": 1, "deadlines": 2}
    assert any("deadlines" in r.getMessage() and "rebuilding" in r.getMessage()
               for r in caplog.records)
    status = {row["name"]: row for row in restarted.status()}
    assert {row["schema"] for row in status.values()} == {"current"}
    assert status["deadlines"]["upgraded"]["from_generation"] == 1
    assert status["deadlines"]["generation"] == 2
    assert "upgraded" not in status["diary"]
    assert snapshot(restarted) == built  # the same rows as projecting from scratch

    more(diarium)  # and it follows on from there
    restarted.catch_up()
    followed = snapshot(restarted)
    again = Projector(diarium, batch_size=7)  # a second restart: nothing to rebuild
    again.catch_up()
    assert generations(again) == {"diary": 1, "decisions": 1, "deadlines": 2}
    again.rebuild("deadlines", grace=0)  # a fresh projection of the whole log
    assert snapshot(again) == followed


def test_a_store_projected_before_fingerprints_is_rebuilt(diarium: Diarium) -> None:
    fill(diarium, 8)
    old = Projector(diarium, batch_size=5)
    old.catch_up()
    built = snapshot(old)
    with diarium.recorder.datastore.engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(text(f"ALTER TABLE {tracking.name} DROP COLUMN fingerprint"))

    restarted = Projector(diarium, batch_size=5)
    restarted.catch_up()  # adds the column; a generation without a fingerprint is outdated
    assert generations(restarted) == {"diary": 2, "decisions": 2, "deadlines": 2}
    assert {row["schema"] for row in restarted.status()} == {"current"}
    assert snapshot(restarted) == built


def test_another_process_rebuilding_is_left_to_it(diarium: Diarium) -> None:
    fill(diarium, 4)
    projector = Projector(diarium)
    projector.catch_up()
    current = projector.projections["deadlines"].fingerprint()
    engine = diarium.recorder.datastore.engine  # type: ignore[attr-defined]
    with engine.begin() as conn:  # built by older code; another process rebuilding it now
        conn.execute(update(tracking).where(tracking.c.name == "deadlines")
                     .values(fingerprint="older"))
        conn.execute(insert(tracking).values(
            name="deadlines", generation=2, state=BUILDING, position=1, events=1,
            updated_at=_now(), fingerprint=current,
        ))
    restarted = Projector(diarium)
    assert restarted.upgrade_outdated() == []
    assert generations(restarted)["deadlines"] == 1
    with engine.begin() as conn:  # that process died long ago
        conn.execute(update(tracking).where(tracking.c.state == BUILDING)
                     .values(updated_at=_now() - timedelta(hours=1)))
    assert restarted.upgrade_outdated() == ["deadlines"]
    assert generations(restarted)["deadlines"] == 2  # the dead one's leftover dropped first
    assert restarted.upgrade_outdated() == []
