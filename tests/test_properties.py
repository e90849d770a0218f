"""Property-based tests of the case aggregate: any sequence of commands either applies or is
refused with the state unchanged, and replaying the recorded events rebuilds the same state
(in memory, and through the store)."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diarium.cases.application import Diarium
from diarium.domain.actor import Actor
from diarium.domain.case.aggregate import Case
from diarium.domain.case.terms import CASE_SECRET_FIELDS, DOCUMENT_SECRET_FIELDS
from diarium.domain.rules import RuleViolation

TODAY = date(2026, 1, 15)
BY = Actor("prop", "req", ("registrar",))

days = st.integers(min_value=-400, max_value=30).map(lambda n: TODAY + timedelta(days=n))
small = st.integers(min_value=1, max_value=4)
names = st.sampled_from(["HSN", "RUN", "RS", "Linda", "Olle"])
words = st.text(alphabet="abcåäö XYZ", min_size=1, max_size=12)

COMMANDS = st.one_of(
    st.tuples(st.just("register_document"), st.fixed_dictionaries({
        "direction": st.sampled_from(["incoming", "outgoing", "drawn_up"]),
        "date": days, "description": words, "counterpart": st.none() | names})),
    st.tuples(st.just("assign_officer"), st.fixed_dictionaries(
        {"officer": names, "assigned_on": days})),
    st.tuples(st.just("send_referral"), st.fixed_dictionaries({
        "recipients": st.lists(names, min_size=1, max_size=3), "sent_on": days,
        "answer_by": days, "document_number": st.none() | small})),
    st.tuples(st.just("register_referral_answer"), st.fixed_dictionaries({
        "referral_number": small, "recipient": names, "answered_on": days,
        "document_number": st.none() | small})),
    st.tuples(st.just("record_proposal"), st.fixed_dictionaries({
        "points": st.lists(words, min_size=1, max_size=2), "summary": words,
        "proposed_on": days})),
    st.tuples(st.just("record_decision"), st.fixed_dictionaries({
        "kind": st.sampled_from(["decided", "noted", "proposed_to_higher_body"]),
        "text": words, "decided_on": days, "body": st.none() | names,
        "paragraph": st.none() | small, "higher_body": st.none() | names})),
    st.tuples(st.just("record_extract_sent"), st.fixed_dictionaries({
        "decision_number": small, "recipient": names, "sent_on": days})),
    st.tuples(st.just("close"), st.fixed_dictionaries({"closed_on": days})),
    st.tuples(st.just("reopen"), st.fixed_dictionaries({"reopened_on": days, "reason": words})),
    st.tuples(st.just("cancel"), st.fixed_dictionaries({"cancelled_on": days, "reason": words})),
    st.tuples(st.just("mark_secret"), st.fixed_dictionaries({
        "statute": st.just("OSL 26:1"), "marking_body": names, "marked_on": days,
        "fields": st.none() | st.lists(st.sampled_from([*CASE_SECRET_FIELDS, "salary"]),
                                       max_size=3)})),
    st.tuples(st.just("lift_secrecy"), st.fixed_dictionaries({"lifted_on": days})),
    st.tuples(st.just("mark_document_secret"), st.fixed_dictionaries({
        "document_number": small, "statute": st.just("OSL 21:1"), "marking_body": names,
        "marked_on": days,
        "fields": st.none() | st.lists(st.sampled_from([*DOCUMENT_SECRET_FIELDS, "title"]),
                                       max_size=2)})),
    st.tuples(st.just("lift_document_secrecy"), st.fixed_dictionaries(
        {"document_number": small, "lifted_on": days})),
)


def new_case(dnr: str = "1-2025") -> Case:
    return Case.register(
        dnr=dnr, series="default", year=2025, sequence=int(dnr.split("-")[0]), title="Titel",
        responsible_body="RS", registered_on=date(2025, 1, 2), by=BY, today=TODAY,
    )


def state(case: Case) -> dict[str, Any]:
    return {k: v for k, v in vars(case).items() if k != "_pending_events"}


COMMAND_OF = {method.__name__: command for command, method in Case.deciders().items()}


def run(case: Case, commands: list[tuple[str, dict[str, Any]]]) -> tuple[int, int]:
    applied = refused = 0
    for name, kwargs in commands:
        before = copy.deepcopy(state(case))
        pending = len(case._pending_events)  # type: ignore[attr-defined]
        try:
            getattr(case, name)(COMMAND_OF[name](case.dnr, **kwargs), BY, TODAY)
        except RuleViolation:
            refused += 1
            assert state(case) == before, f"{name} was refused but changed the case"
            assert len(case._pending_events) == pending  # type: ignore[attr-defined]
        else:
            applied += 1
            assert len(case._pending_events) == pending + 1  # type: ignore[attr-defined]
    return applied, refused


def replay(events: list[Any]) -> Case:
    aggregate = None
    for event in events:
        aggregate = event.mutate(aggregate)
    assert isinstance(aggregate, Case)
    return aggregate


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(COMMANDS, max_size=25))
def test_commands_apply_or_change_nothing_and_replay_rebuilds(commands: list) -> None:
    case = new_case()
    run(case, commands)
    events = case.collect_events()
    assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
    assert state(replay(events)) == state(case)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(COMMANDS, min_size=1, max_size=15))
def test_the_store_rebuilds_the_same_case(tmp_path_factory: Any, commands: list) -> None:
    url = f"sqlite:///{tmp_path_factory.mktemp('prop') / 'store.sqlite'}"
    diarium = Diarium(url, create_tables=True, today=lambda: TODAY)
    try:
        case = new_case()
        run(case, commands)
        expected = state(case)
        diarium.save(case)
        stored = diarium.get_case("1-2025")
        assert state(stored) == expected
        fresh = Diarium(url, env={"AGGREGATE_CACHE_MAXSIZE": "0"})  # nothing cached: from rows
        try:
            assert state(fresh.get_case("1-2025")) == expected
        finally:
            fresh.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
    finally:
        diarium.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]


def test_the_properties_see_both_outcomes() -> None:
    """The generator reaches applied and refused commands (so the properties can fail)."""
    case = new_case()
    applied, refused = run(case, [
        ("close", {"closed_on": TODAY}),
        ("close", {"closed_on": TODAY}),
        ("mark_secret", {"statute": "OSL 26:1", "marking_body": "RS", "marked_on": TODAY}),
        ("mark_secret", {"statute": "OSL 26:1", "marking_body": "RS", "marked_on": TODAY}),
    ])
    assert (applied, refused) == (2, 2)
