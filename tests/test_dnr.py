"""Dnr allocation: formats per series, yearly restart, no reuse, migration of old numbers."""

from __future__ import annotations

from datetime import date

import pytest

from diarium.cases.application import Diarium
from diarium.domain.actor import Actor
from diarium.domain.case.lifecycle import CancelCase, RegisterCase
from diarium.domain.dnr import DnrFormat, DnrSeries, series_year_id
from diarium.domain.rules import RuleViolation
from tests.bodies_support import diarium_with_bodies, establish_bodies  # noqa: F401 (the fixture)

BY = Actor("registrator")


@pytest.mark.parametrize(
    ("pattern", "year", "sequence", "dnr"),
    [
        ("{sequence}-{year}", 2020, 1310, "1310-2020"),
        ("RS {year}/{sequence}", 2021, 69, "RS 2021/69"),
        ("KS {sequence}/{year}", 2015, 146, "KS 146/2015"),
    ],
)
def test_format_and_parse_round_trip(pattern: str, year: int, sequence: int, dnr: str) -> None:
    dnr_format = DnrFormat("s", pattern)
    assert dnr_format.format(year, sequence) == dnr
    assert dnr_format.parse(dnr) == (year, sequence)


@pytest.mark.parametrize("dnr", ["1310/2020", "0-2020", "1310-20", "x1310-2020", "1310-2020 "])
def test_malformed_dnr_is_refused(dnr: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        DnrFormat("default", "{sequence}-{year}").parse(dnr)
    assert refused.value.rule.code == "dnr-format"


def test_pattern_needs_sequence_and_year() -> None:
    with pytest.raises(ValueError, match="sequence"):
        DnrFormat("bad", "{year}")


def register(diarium: Diarium, **kwargs: object) -> str:
    fields: dict[str, object] = {"title": "Ärende", "responsible_body": "RS"}
    fields.update(kwargs)
    return diarium.register_case(RegisterCase(**fields), BY).dnr  # type: ignore[arg-type]


def test_sequence_runs_on_and_restarts_each_year(diarium: Diarium) -> None:
    first = [register(diarium, registered_on=date(2020, 3, 1)) for _ in range(3)]
    next_year = register(diarium, registered_on=date(2021, 1, 4))
    late_entry = register(diarium, registered_on=date(2020, 12, 30))
    assert first == ["1-2020", "2-2020", "3-2020"]
    assert next_year == "1-2021"
    assert late_entry == "4-2020"


def test_series_have_their_own_formats_and_counters(database_url: str) -> None:
    series = DnrSeries({"default": "{sequence}-{year}", "RS": "RS {year}/{sequence}"})
    diarium = establish_bodies(Diarium(database_url, create_tables=True, series=series))
    assert register(diarium, series="RS", registered_on=date(2021, 2, 1)) == "RS 2021/1"
    assert register(diarium, registered_on=date(2021, 2, 1)) == "1-2021"
    assert register(diarium, series="RS", registered_on=date(2021, 2, 2)) == "RS 2021/2"
    assert diarium.get_case("RS 2021/2").sequence == 2
    with pytest.raises(RuleViolation) as refused:
        register(diarium, series="KS")
    assert refused.value.rule.code == "unknown-series"


def test_migrated_dnr_is_kept_and_never_handed_out_again(diarium: Diarium) -> None:
    assert register(diarium, dnr="2-2020", registered_on=date(2020, 1, 8)) == "2-2020"
    assert register(diarium, dnr="1310-2020", registered_on=date(2020, 9, 17)) == "1310-2020"
    allocated = [register(diarium, registered_on=date(2020, 10, 1)) for _ in range(2)]
    assert allocated == ["1-2020", "3-2020"]  # 2-2020 was taken by migration
    assert diarium.get_case("1310-2020").migrated is True
    assert diarium.get_case("1-2020").migrated is False


def test_migrating_a_taken_dnr_is_refused_and_changes_nothing(diarium: Diarium) -> None:
    register(diarium, dnr="1310-2020", registered_on=date(2020, 9, 17), title="Första")
    position = diarium.recorder.max_notification_id()
    with pytest.raises(RuleViolation) as refused:
        register(diarium, dnr="1310-2020", registered_on=date(2020, 9, 18), title="Andra")
    assert refused.value.rule.code == "dnr-taken"
    assert diarium.get_case("1310-2020").title == "Första"
    assert diarium.recorder.max_notification_id() == position


def test_allocated_dnr_cannot_be_migrated_again(diarium: Diarium) -> None:
    dnr = register(diarium, registered_on=date(2020, 5, 5))
    with pytest.raises(RuleViolation) as refused:
        register(diarium, dnr=dnr, registered_on=date(2020, 5, 5))
    assert refused.value.rule.code == "dnr-taken"


def test_cancelled_case_keeps_its_number(diarium: Diarium) -> None:
    dnr = register(diarium, registered_on=date(2020, 5, 5))
    diarium.handle(CancelCase(dnr, "dubblett", date(2020, 5, 6)), BY)
    assert register(diarium, registered_on=date(2020, 5, 7)) == "2-2020"
    assert diarium.get_case(dnr).status == "cancelled"


def test_counter_survives_snapshots(diarium: Diarium) -> None:
    """Past the snapshot interval the counter still hands out the next number."""
    interval = Diarium.snapshotting_intervals[next(iter(Diarium.snapshotting_intervals))]
    dnrs = [register(diarium, registered_on=date(2019, 1, 2)) for _ in range(interval + 2)]
    assert dnrs[-1] == f"{interval + 2}-2019"
    assert diarium.snapshots is not None
    assert diarium.snapshots.recorder.select_events(series_year_id("default", 2019), limit=1)
