"""An event a projection cannot apply is recorded and skipped (or stopped at): the registers
keep moving, and `diarium projections status` and `/readyz` say so (projections/failures.py).

The bad events are put into the log through the application, bypassing the web schemas that
now refuse them: a case title with a NUL (PostgreSQL cannot store it in a text column; SQLite
can) and a decision paragraph beyond any integer column (fails on both backends).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from diarium.cases.application import Diarium
from diarium.domain.case.decisions import RecordDecision
from diarium.domain.case.lifecycle import RegisterCase
from diarium.domain.case.terms import DecisionKind
from diarium.domain.migration import Migration
from diarium.projections.runner import Projector
from diarium.web import create_app
from tests.bodies_support import diarium_with_bodies  # noqa: F401 (the fixture)
from tests.projections_support import ACTOR, authorized

DAY = date(2020, 10, 1)


def register(diarium: Diarium, title: str) -> str:
    return diarium.register_case(
        RegisterCase(title=title, responsible_body="RS", registered_on=DAY), ACTOR
    ).dnr


def decide(diarium: Diarium, dnr: str, paragraph: int) -> None:
    diarium.handle(
        RecordDecision(
            dnr,
            kind=DecisionKind.DECIDED,
            text="Beslutar enligt förslaget.",
            decided_on=DAY,
            body="RS",
            paragraph=paragraph,
            historical=Migration("W3D3"),
        ),
        ACTOR,
    )


def page(diarium: Diarium, name: str) -> list[dict[str, Any]]:
    """Every row of register ``name`` as an all-roles token reads it."""
    body = authorized(create_app(diarium)).get(f"/api/registers/{name}?limit=500").get_json()
    return body["items"]  # type: ignore[no-any-return]


def readyz(diarium: Diarium) -> Any:
    return create_app(diarium).test_client().get("/readyz")


def test_a_nul_title_neither_wedges_nor_hides(diarium: Diarium, database_url: str) -> None:
    projector = Projector(diarium)
    before = register(diarium, "Före")
    bad = register(diarium, "nul\x00byte")
    decide(diarium, bad, 7)
    after = register(diarium, "Efter")
    decide(diarium, after, 8)
    projector.catch_up()

    head = projector.head()
    assert {s["name"]: s["position"] for s in projector.status()} == {
        "decisions": head, "deadlines": head, "diary": head
    }  # every register moved past the bad events
    dnrs = {row["dnr"] for row in page(diarium, "diary")}
    assert {before, after} <= dnrs
    assert after in {row["dnr"] for row in page(diarium, "decisions")}
    response = readyz(diarium)
    if database_url.startswith("postgresql"):
        assert bad not in dnrs  # PostgreSQL cannot store it: recorded and skipped
        failures = {(f["name"], f["event_type"]): f for f in projector.open_failures()}
        failure = failures["diary", "CaseRegistered"]  # and what it is copied onto later
        assert failure["action"] == "skipped"
        assert failure["error"] == (
            "DataError: PostgreSQL text fields cannot contain NUL (0x00) bytes"
        )  # the class and a short text, never the event's content
        assert ("decisions", "DecisionRecorded") in failures
        assert {s["name"]: s.get("failures", 0) for s in projector.status()}["diary"] >= 1
        assert response.status_code == 503
        assert response.content_type == "application/problem+json"
        assert "diary" in response.get_json()["projections"]
    else:  # SQLite stores it: nothing failed
        assert bad in dnrs
        assert response.status_code == 200, response.get_json()


def test_an_event_failing_on_every_backend_is_recorded_and_skipped(
    diarium: Diarium, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    projector = Projector(diarium)
    first, second = register(diarium, "Första"), register(diarium, "Andra")
    decide(diarium, first, 2**70)  # beyond every integer column
    decide(diarium, second, 12)
    projector.catch_up()

    assert projector.states()[0].position == projector.head()
    assert [row["dnr"] for row in page(diarium, "decisions")] == [second]
    (decisions,) = [s for s in projector.status() if s["name"] == "decisions"]
    assert decisions["position"] == decisions["head"]
    assert decisions["failures"] == 1
    assert decisions["last_failure"]["event_type"] == "DecisionRecorded"
    assert decisions["last_failure"]["action"] == "skipped"
    assert str(2**70) not in decisions["last_failure"]["error"]  # class and a short text
    response = readyz(diarium)
    assert response.status_code == 503
    assert response.get_json()["projections"] == ["decisions"]

    from diarium.projections import cli

    cli.status(_args(database_url))
    printed = capsys.readouterr().out
    assert "decisions: 1 failure(s), events skipped" in printed
    assert "DecisionRecorded" in printed

    assert projector.acknowledge("decisions") == 1
    assert readyz(diarium).status_code == 200
    assert "failures" not in {k for s in projector.status() for k in s}


def test_a_projection_set_to_stop_stops_before_the_event(diarium: Diarium) -> None:
    projector = Projector(diarium, on_failure="decisions=stop")
    first, second = register(diarium, "Första"), register(diarium, "Andra")
    decide(diarium, first, 2**70)
    position = projector.head()
    decide(diarium, second, 12)
    projector.catch_up()

    status = {s["name"]: s for s in projector.status()}
    assert status["decisions"]["stopped_before"] == position
    assert status["decisions"]["position"] == position - 1
    assert status["diary"]["position"] == projector.head()  # the others go on
    assert page(diarium, "decisions") == []
    assert readyz(diarium).get_json()["projections"] == ["decisions"]

    projector.acknowledge("decisions")  # retried: it fails again and stops again
    projector.catch_up()
    assert {s["name"]: s for s in projector.status()}["decisions"]["stopped_before"] == position

    projector.acknowledge("decisions", skip=True)  # go on past it
    projector.catch_up()
    assert [row["dnr"] for row in page(diarium, "decisions")] == [second]
    assert readyz(diarium).status_code == 200


def _args(database_url: str) -> Any:
    import argparse

    return argparse.Namespace(database_url=database_url, batch_size=1000, json=False)
