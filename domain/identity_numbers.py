"""Swedish personal identity numbers (personnummer, samordningsnummer) in free text.

A personal identity number must not be published in the public register. It is written
``YYMMDD-NNNC`` (10 digits; ``+`` instead of ``-`` from the year its holder turns 100) or
``YYYYMMDD-NNNC`` (12 digits), with or without the separator. A samordningsnummer
(coordination number) is the same with 60 added to the day. ``C`` is a Luhn check digit
over the 10-digit form.

Precision matters more than recall here (a false positive blocks a registrar), so a match
needs a plausible date (month 01-12; day 01 up to the month's last day, or that plus 60), a
century of 18, 19 or 20 in the 12-digit form, the Luhn digit, and no digit right before or
after it: a diarienummer (``1310-2020``), a date (``2020-10-14``), an amount, a phone number
or an organisation number (month 20 or more) does not match.
"""

from __future__ import annotations

import re

_CANDIDATE = re.compile(
    r"(?<!\d)(?P<century>\d{2})?(?P<date>\d{6})[-+]?(?P<serial>\d{4})(?!\d)"
)
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # any year's longest
_COORDINATION = 60  # added to the day of birth in a samordningsnummer
_CENTURIES = ("18", "19", "20")


def _plausible_date(yymmdd: str) -> bool:
    month, day = int(yymmdd[2:4]), int(yymmdd[4:6])
    if not 1 <= month <= 12:
        return False
    if day > _COORDINATION:
        day -= _COORDINATION
    return 1 <= day <= _DAYS_IN_MONTH[month - 1]


def _luhn_valid(digits: str) -> bool:
    """Whether the last of ``digits`` is their Luhn check digit (weights 2, 1, 2, … from
    the left, as on a 10-digit personal identity number)."""
    total = 0
    for index, char in enumerate(digits[:-1]):
        product = int(char) * (2 - index % 2)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10 == int(digits[-1])


def personal_identity_numbers(text: str | None) -> list[str]:
    """The personal identity and coordination numbers written in ``text``, as written
    (empty when there are none)."""
    found = []
    for match in _CANDIDATE.finditer(text or ""):
        century, yymmdd, serial = match.group("century", "date", "serial")
        if century is not None and century not in _CENTURIES:
            continue
        if _plausible_date(yymmdd) and _luhn_valid(yymmdd + serial):
            found.append(match.group())
    return found


MASK = "ÅÅÅÅMMDD-XXXX"  # what stands in for a personal identity number on a public page


def masked(text: str | None) -> str | None:
    """``text`` with every personal identity or coordination number in it replaced by
    :data:`MASK` (what public pages and open data show; OSL 21:7, GDPR art. 87)."""
    if not text:
        return text
    for number in personal_identity_numbers(text):
        text = text.replace(number, MASK)
    return text
