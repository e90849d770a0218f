"""Legal time limits (lag 1930:173): a limit ending on a Saturday, Sunday, public holiday,
midsummer eve, Christmas eve or New Year's eve runs on to the next weekday. The one function
(``domain.time_limits.time_limit_end``) across Easter, Ascension, midsummer, Christmas, New
Year, National Day and All Saints' Day of 2019-2026; the meeting dates computed through it;
and the referral answer-by dates of the referrals and deadlines registers on SQLite and
PostgreSQL."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path
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


def _run_on() -> list[tuple[str, str, str]]:
    """(the day a time limit would end, the day it does end, why): the cases of
    tests/data/time_limits_run_on.csv, whose ``group`` column says which holiday they test."""
    with (Path(__file__).parent / "data" / "time_limits_run_on.csv").open(
            encoding="utf-8", newline="") as rows:
        return [(row["day"], row["end"], row["why"]) for row in csv.DictReader(rows)]


RUN_ON = _run_on()


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
