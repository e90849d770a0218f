"""The handlers marked with ``@handles`` (cases/handlers.py) and the table made of them."""

from __future__ import annotations

from diarium.cases.application import Diarium
from diarium.cases.handlers import bound_handlers, handles
from diarium.domain.case.decisions import RecordDecision
from diarium.domain.case.lifecycle import RegisterCase


class _First:
    @handles(RegisterCase, RecordDecision)
    def decide(self, command: object) -> str:
        return f"first {type(command).__name__}"


class _Later:
    @handles(RecordDecision)
    def record(self, command: object) -> str:
        return f"later {type(command).__name__}"


def test_the_table_binds_each_marked_method_and_a_later_service_wins() -> None:
    first, later = _First(), _Later()
    table = bound_handlers(first, later)
    assert set(table) == {RegisterCase, RecordDecision}
    assert table[RegisterCase].__self__ is first  # type: ignore[attr-defined]
    assert table[RecordDecision].__self__ is later  # type: ignore[attr-defined]
    assert table[RecordDecision](object()) == "later object"


def test_the_diarium_table_sends_a_decision_to_the_case_route_handler(diarium: Diarium) -> None:
    assert diarium.handlers[RecordDecision] == diarium.decisions.record_decision
    assert diarium.handlers[RegisterCase] == diarium.register_case


def test_a_subclass_of_the_application_keeps_every_handler(diarium: Diarium) -> None:
    class Snapshotting(Diarium):  # as bench/feed.py's: a subclass changing nothing it handles
        pass

    sub = Snapshotting.__new__(Snapshotting)
    inherited = {command: method.__func__ for command, method in bound_handlers(
        sub, diarium.bodies, diarium.meetings, diarium.decisions).items()}
    assert inherited == {command: method.__func__ for command, method in diarium.handlers.items()}
    assert RegisterCase in inherited
