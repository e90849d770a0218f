"""Legal time limits (lag 1930:173 om beräkning av lagstadgad tid): the one rule for the
last day of every time limit the process keeps.

A time limit whose last day falls on a Saturday, a Sunday, a public holiday (allmän
helgdag, lag 1989:253), midsummer eve, Christmas eve or New Year's eve runs on to the next
weekday (§ 2). :func:`time_limit_end` applies it; every legal date is computed through it:
the adjustment (KL 5:69), the posting (KL 8:12) and the appeal period (KL 13:5) in
``domain.meeting.terms``, and the answer-by dates of referrals sent and received (the due
dates of the deadlines register). The dates users give are recorded as given; only the
computed due dates and the "late" and "overdue" flags use the rule.

The calendar is the ``holidays`` package's Sweden (a pure library, no I/O): its ``public``
category lists the public holidays (New Year's Day, Epiphany, Good Friday, Easter Sunday and
Monday, May Day, Ascension Day, Whitsunday, National Day, Midsummer Day, All Saints' Day,
Christmas Day, Boxing Day), and its ``de_facto`` category exactly the three eves the act
names (midsummer eve, Christmas eve, New Year's eve). It lists Sundays as holidays only when
asked (``include_sundays``); Saturdays and Sundays are excluded here by the weekday anyway.
Its ``bank`` and ``optional`` categories (half days such as Maundy Thursday afternoon,
Holy Saturday, Whitsun eve) do not end a time limit and are not used.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=256)
def days_off(year: int) -> frozenset[date]:
    """The public holidays and the three eves of ``year`` (whatever weekday they fall on)."""
    calendar = holidays.country_holidays(
        "SE", years=year, categories=(holidays.PUBLIC, holidays.DE_FACTO)
    )
    return frozenset(calendar)


def is_day_off(day: date) -> bool:
    """Whether a time limit may not end on ``day``: a Saturday, Sunday, public holiday,
    midsummer eve, Christmas eve or New Year's eve (lag 1930:173 § 2)."""
    return day.weekday() >= 5 or day in days_off(day.year)


def time_limit_end(day: date) -> date:
    """The last day of a time limit that would end on ``day``: ``day`` itself, or the first
    weekday after it that is not a day off (lag 1930:173)."""
    while is_day_off(day):
        day += timedelta(days=1)
    return day
