"""Legal time limits (lag 1930:173): a limit ending on a Saturday, Sunday, public holiday,
midsummer eve, Christmas eve or New Year's eve runs on to the next weekday. The one function
(``domain.time_limits.time_limit_end``) across Easter, Ascension, midsummer, Christmas, New
Year, National Day and All Saints' Day of 2019-2026; the meeting dates computed through it;
and the referral answer-by dates of the referrals and deadlines registers on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from diarium.cases.application import Diarium
from diarium.domain.case.incoming_referrals import ExtendIncomingReferral
from diarium.domain.case.lifecycle import RegisterCase
from diarium.domain.case.referrals import SendReferral
from diarium.domain.events import meeting as mev
from diarium.domain.meeting.terms import (
    adjustment_deadline,
    appeal_period_end,
    legal_force_from,
    posting_deadline,
)
from diarium.domain.time_limits import days_off, is_day_off, time_limit_end
from diarium.projections.runner import Projector
from diarium.web import create_app
from tests.bodies_support import diarium_with_bodies  # noqa: F401 (the fixture)
from tests.projections_support import (
    ACTOR,
    MeetingFixture,
    authorized,
    case_with_incoming_referral,
    decide,
    register_reader,
)

D = date.fromisoformat

# (the day a time limit would end, the day it does end, why)
RUN_ON: list[tuple[str, str, str]] = [
    # Easter: Good Friday, Holy Saturday, Easter Sunday, Easter Monday -> the Tuesday
    ("2019-04-19", "2019-04-23", "Good Friday"), ("2019-04-22", "2019-04-23", "Easter Monday"),
    ("2020-04-10", "2020-04-14", "Good Friday"), ("2020-04-11", "2020-04-14", "Holy Saturday"),
    ("2020-04-12", "2020-04-14", "Easter Sunday"), ("2020-04-13", "2020-04-14", "Easter Monday"),
    ("2021-04-02", "2021-04-06", "Good Friday"), ("2021-04-05", "2021-04-06", "Easter Monday"),
    ("2022-04-15", "2022-04-19", "Good Friday"), ("2022-04-18", "2022-04-19", "Easter Monday"),
    ("2023-04-07", "2023-04-11", "Good Friday"), ("2023-04-10", "2023-04-11", "Easter Monday"),
    ("2024-03-29", "2024-04-02", "Good Friday"), ("2024-04-01", "2024-04-02", "Easter Monday"),
    ("2025-04-18", "2025-04-22", "Good Friday"), ("2025-04-21", "2025-04-22", "Easter Monday"),
    ("2026-04-03", "2026-04-07", "Good Friday"), ("2026-04-06", "2026-04-07", "Easter Monday"),
    ("2020-04-09", "2020-04-09", "Maundy Thursday is a weekday"),
    ("2024-03-28", "2024-03-28", "Maundy Thursday is a weekday"),
    # Ascension Day (a Thursday) -> the Friday
    ("2019-05-30", "2019-05-31", "Ascension"), ("2020-05-21", "2020-05-22", "Ascension"),
    ("2021-05-13", "2021-05-14", "Ascension"), ("2022-05-26", "2022-05-27", "Ascension"),
    ("2023-05-18", "2023-05-19", "Ascension"), ("2024-05-09", "2024-05-10", "Ascension"),
    ("2025-05-29", "2025-05-30", "Ascension"), ("2026-05-14", "2026-05-15", "Ascension"),
    # Whitsunday; Whit Monday has been a weekday since 2005
    ("2020-05-31", "2020-06-01", "Whitsunday"), ("2025-06-08", "2025-06-09", "Whitsunday"),
    # National Day, 6 June
    ("2019-06-06", "2019-06-07", "National Day, Thursday"),
    ("2020-06-06", "2020-06-08", "National Day, Saturday"),
    ("2021-06-06", "2021-06-07", "National Day, Sunday"),
    ("2022-06-06", "2022-06-07", "National Day, Monday"),
    ("2023-06-06", "2023-06-07", "National Day, Tuesday"),
    ("2024-06-06", "2024-06-07", "National Day, Thursday"),
    ("2025-06-06", "2025-06-09", "National Day, Friday"),
    ("2026-06-06", "2026-06-08", "National Day, Saturday"),
    # midsummer eve (a Friday) and midsummer day (the Saturday) -> the Monday
    ("2019-06-21", "2019-06-24", "midsummer eve"), ("2019-06-22", "2019-06-24", "midsummer"),
    ("2020-06-19", "2020-06-22", "midsummer eve"), ("2020-06-20", "2020-06-22", "midsummer"),
    ("2021-06-25", "2021-06-28", "midsummer eve"), ("2021-06-26", "2021-06-28", "midsummer"),
    ("2022-06-24", "2022-06-27", "midsummer eve"), ("2022-06-25", "2022-06-27", "midsummer"),
    ("2023-06-23", "2023-06-26", "midsummer eve"), ("2023-06-24", "2023-06-26", "midsummer"),
    ("2024-06-21", "2024-06-24", "midsummer eve"), ("2024-06-22", "2024-06-24", "midsummer"),
    ("2025-06-20", "2025-06-23", "midsummer eve"), ("2025-06-21", "2025-06-23", "midsummer"),
    ("2026-06-19", "2026-06-22", "midsummer eve"), ("2026-06-20", "2026-06-22", "midsummer"),
    ("2020-06-18", "2020-06-18", "the day before midsummer eve is a weekday"),
    # All Saints' Day (a Saturday) -> the Monday
    ("2019-11-02", "2019-11-04", "All Saints"), ("2020-10-31", "2020-11-02", "All Saints"),
    ("2021-11-06", "2021-11-08", "All Saints"), ("2022-11-05", "2022-11-07", "All Saints"),
    ("2023-11-04", "2023-11-06", "All Saints"), ("2024-11-02", "2024-11-04", "All Saints"),
    ("2025-11-01", "2025-11-03", "All Saints"), ("2026-10-31", "2026-11-02", "All Saints"),
    ("2020-10-30", "2020-10-30", "All Saints' eve is a weekday"),
    # Christmas eve, Christmas Day, Boxing Day
    ("2019-12-24", "2019-12-27", "Christmas eve, Tuesday"),
    ("2019-12-26", "2019-12-27", "Boxing Day, Thursday"),
    ("2020-12-24", "2020-12-28", "Christmas eve, Thursday"),
    ("2020-12-25", "2020-12-28", "Christmas Day, Friday"),
    ("2021-12-24", "2021-12-27", "Christmas eve, Friday"),
    ("2022-12-24", "2022-12-27", "Christmas eve, Saturday; Boxing Day Monday"),
    ("2022-12-26", "2022-12-27", "Boxing Day, Monday"),
    ("2023-12-24", "2023-12-27", "Christmas eve, Sunday"),
    ("2023-12-25", "2023-12-27", "Christmas Day, Monday"),
    ("2024-12-24", "2024-12-27", "Christmas eve, Tuesday"),
    ("2025-12-24", "2025-12-29", "Christmas eve, Wednesday"),
    ("2025-12-26", "2025-12-29", "Boxing Day, Friday"),
    ("2026-12-24", "2026-12-28", "Christmas eve, Thursday"),
    ("2020-12-23", "2020-12-23", "the day before Christmas eve is a weekday"),
    # New Year's eve and New Year's Day
    ("2019-12-31", "2020-01-02", "New Year's eve, Tuesday"),
    ("2020-12-31", "2021-01-04", "New Year's eve, Thursday"),
    ("2021-12-31", "2022-01-03", "New Year's eve, Friday"),
    ("2022-12-31", "2023-01-02", "New Year's eve, Saturday"),
    ("2023-12-31", "2024-01-02", "New Year's eve, Sunday; New Year's Day Monday"),
    ("2024-01-01", "2024-01-02", "New Year's Day, Monday"),
    ("2024-12-31", "2025-01-02", "New Year's eve, Tuesday"),
    ("2025-12-31", "2026-01-02", "New Year's eve, Wednesday"),
    ("2026-12-31", "2027-01-04", "New Year's eve, Thursday"),
    # Epiphany and May Day
    ("2021-01-06", "2021-01-07", "Epiphany, Wednesday"),
    ("2023-01-06", "2023-01-09", "Epiphany, Friday"),
    ("2020-05-01", "2020-05-04", "May Day, Friday"),
    ("2024-05-01", "2024-05-02", "May Day, Wednesday"),
    # ordinary days
    ("2020-10-22", "2020-10-22", "a Thursday"), ("2020-10-24", "2020-10-26", "a Saturday"),
    ("2020-10-25", "2020-10-26", "a Sunday"), ("2021-03-01", "2021-03-01", "a Monday"),
]


@pytest.mark.parametrize(("day", "end", "why"), RUN_ON, ids=[f"{d} {w}" for d, _, w in RUN_ON])
def test_a_time_limit_runs_on_to_the_next_weekday(day: str, end: str, why: str) -> None:
    assert time_limit_end(D(day)) == D(end), why
    assert is_day_off(D(day)) is (day != end)
    assert not is_day_off(D(end))


def test_the_calendar_holds_the_public_holidays_and_the_three_eves() -> None:
    """What the ``holidays`` package counts in 2020: the public holidays (lag 1989:253) on
    whatever weekday they fall, and midsummer eve, Christmas eve and New Year's eve; not
    every Sunday, nor the bank half days (Maundy Thursday, Walpurgis night, ...)."""
    assert days_off(2020) == {D(d) for d in (
        "2020-01-01", "2020-01-06", "2020-04-10", "2020-04-12", "2020-04-13", "2020-05-01",
        "2020-05-21", "2020-05-31", "2020-06-06", "2020-06-19", "2020-06-20", "2020-10-31",
        "2020-12-24", "2020-12-25", "2020-12-26", "2020-12-31",
    )}


def test_every_day_a_time_limit_ends_on_is_a_weekday_that_is_not_off() -> None:
    day = D("2019-01-01")
    while day < D("2027-01-01"):
        end = time_limit_end(day)
        assert end.weekday() < 5 and end not in days_off(end.year)
        assert 0 <= (end - day).days <= 5  # at most: Christmas eve on a Wednesday
        assert all(is_day_off(d) for d in (day + timedelta(n) for n in range((end - day).days)))
        day += timedelta(days=1)


def test_the_meeting_dates_run_on() -> None:
    # issue 15: adjusted on Thursday 22 October 2020, posted by Monday 26 October
    assert posting_deadline(D("2020-10-22")) == D("2020-10-26")
    assert posting_deadline(D("2020-10-20")) == D("2020-10-22")
    # a meeting on Thursday 10 December 2020: 14 days is Christmas eve -> Monday 28th
    assert adjustment_deadline(D("2020-12-10")) == D("2020-12-28")
    assert adjustment_deadline(D("2020-10-14")) == D("2020-10-28")
    # posted on Friday 4 June 2021: three weeks is midsummer eve -> Monday 28 June
    assert appeal_period_end(D("2021-06-04")) == D("2021-06-28")
    assert legal_force_from(D("2021-06-04")) == D("2021-06-29")
    # the hand-written Easter before put Good Friday 2021 on 1 March (and failed for 2029)
    assert appeal_period_end(D("2021-03-12")) == D("2021-04-06")  # Good Friday 2 April
    assert appeal_period_end(D("2021-02-08")) == D("2021-03-01")  # a Monday
    assert appeal_period_end(D("2029-03-09")) == D("2029-04-03")  # Good Friday 30 March


def test_the_decisions_register_has_legal_force_after_a_run_on_appeal_period(
    diarium: Diarium,
) -> None:
    """Posted on Friday 12 March 2021: three weeks is Good Friday; the appeal period runs to
    Tuesday 6 April, and the decision has legal force from Wednesday 7 April."""
    dnr = diarium.register_case(
        RegisterCase("Budget 2022", "RS", registered_on=D("2021-02-01")), ACTOR
    ).dnr
    decide(diarium, dnr, "Regionstyrelsen fastställer budgeten.", D("2021-03-01"), body="RS",
           paragraph=30)
    rs = MeetingFixture.schedule("RS-2021-03-01", "RS", D("2021-03-01"))
    rs.record(mev.ParagraphRecorded, D("2021-03-01"), number=30, title="Budget", dnr=dnr,
              agenda_item=None, sections=[])
    rs.record(mev.ParagraphDecided, D("2021-03-01"), paragraph=30, kind="decided",
              text="Regionstyrelsen fastställer budgeten.", higher_body=None,
              case_decision_number=1)
    rs.record(mev.MeetingClosed, D("2021-03-01"), closed_at="16:00")
    rs.record(mev.ProtocolAdjusted, D("2021-03-10"), signed_by=["Anna Andersson"], late=False)
    rs.record(mev.ProtocolPosted, D("2021-03-12"), paragraph=None, late=False)
    diarium.save(rs)
    Projector(diarium, batch_size=3).catch_up()
    client = authorized(create_app(diarium), roles=("auditor",))
    response = client.get("/api/registers/decisions", query_string={"dnr": dnr})
    assert response.status_code == 200, response.get_json()
    (row,) = response.get_json()["items"]
    assert (row["posted_on"], row["legal_force_on"]) == ("2021-03-12", "2021-04-07")
    (appeal,) = [d for d in client.get("/api/registers/deadlines").get_json()["items"]
                 if d["kind"] == "appeal-period"]
    assert appeal["due_on"] == "2021-04-06"


# -- registers ---------------------------------------------------------------------------


def test_a_referral_due_on_a_saturday_is_not_overdue_on_monday(diarium: Diarium) -> None:
    """Issue 15: the answer-by date stays as given; the due date runs on past the weekend and
    holidays, and the referral is overdue only after it. Likewise the meeting deadlines."""
    dnr = diarium.register_case(
        RegisterCase("Remiss om lokaler", "RS", registered_on=D("2020-09-01")), ACTOR
    ).dnr
    diarium.handle(SendReferral(dnr, ["HSN"], answer_by=D("2020-10-24"),  # a Saturday
                                sent_on=D("2020-09-25")), ACTOR)
    incoming = case_with_incoming_referral(diarium, "Socialdepartementet", D("2020-11-02"),
                                           D("2020-12-24"))  # Christmas eve
    rs = MeetingFixture.schedule("RS-2020-12-10", "RS", D("2020-12-10"))
    rs.record(mev.MeetingClosed, D("2020-12-10"), closed_at="16:00")
    rs.record(mev.ProtocolAdjusted, D("2020-12-17"), signed_by=["Anna Andersson"], late=False)
    diarium.save(rs)
    projector, items = register_reader(diarium)

    def outgoing() -> tuple[Any, ...]:
        (referral,) = items("referrals", direction="outgoing")
        (deadline,) = items("deadlines", kind="referral-answer")
        return (referral["answer_by"], referral["due_on"], referral["status"],
                deadline["due_on"], deadline["status"], deadline["overdue"])

    diarium.today = lambda: D("2020-10-26")  # Monday
    assert outgoing() == ("2020-10-24", "2020-10-26", "outstanding", "2020-10-26", "open", False)
    assert items("referrals", status="overdue") == []
    assert items("deadlines", overdue="true") == []
    diarium.today = lambda: D("2020-10-27")
    assert outgoing() == ("2020-10-24", "2020-10-26", "overdue", "2020-10-26", "overdue", True)
    assert [r["dnr"] for r in items("referrals", status="overdue")] == [dnr]

    def incoming_row() -> tuple[Any, ...]:
        (referral,) = items("referrals", direction="incoming")
        (deadline,) = items("deadlines", kind="incoming-referral-answer")
        return referral["answer_by"], referral["due_on"], referral["status"], deadline["due_on"]

    diarium.today = lambda: D("2020-12-28")
    assert incoming_row() == ("2020-12-24", "2020-12-28", "outstanding", "2020-12-28")
    diarium.handle(ExtendIncomingReferral(incoming, 1, D("2021-01-06"), D("2020-12-28")),
                   ACTOR)  # anstånd to Epiphany
    projector.catch_up()
    assert incoming_row() == ("2021-01-06", "2021-01-07", "outstanding", "2021-01-07")

    (adjust,) = items("deadlines", kind="protocol-adjustment")
    (post,) = items("deadlines", kind="protocol-posting")
    assert (adjust["due_on"], post["due_on"]) == ("2020-12-28", "2020-12-21")
