"""The detector of Swedish personal identity numbers (domain/identity_numbers.py): precise,
because a false positive blocks a registrar."""

from __future__ import annotations

import pytest

from diarium.domain.identity_numbers import personal_identity_numbers

# Valid (Luhn-checked) numbers: 121212-1212 is Skatteverket's test number (Tolvan Tolvansson);
# 701063-2391 a samordningsnummer (day 3 + 60); 000229-1235 born on a leap day.
VALID = [
    "121212-1212",
    "1212121212",
    "19121212-1212",
    "191212121212",
    "121212+1212",  # aged 100 or more
    "850314-1239",
    "8503141239",
    "19850314-1239",
    "701063-2391",  # samordningsnummer
    "7010632391",
    "19701063-2391",
    "850374-1236",  # samordningsnummer: 14 + 60
    "200101-0186",
    "20200101-0186",
    "000229-1235",
]


@pytest.mark.parametrize("number", VALID)
def test_a_valid_number_is_found_alone(number: str) -> None:
    assert personal_identity_numbers(number) == [number]


@pytest.mark.parametrize(
    "text",
    [
        "Ansökan om bistånd, Kalle Svensson 121212-1212",
        "Anmälan (19850314-1239) enligt SoL 14:1",
        "Samordningsnummer 701063-2391.",
        "pnr:8503141239, inkom 2020-10-14",
        "Skrivelse från 121212+1212/Tolvan",
    ],
)
def test_a_number_inside_text_is_found(text: str) -> None:
    assert len(personal_identity_numbers(text)) == 1


def test_every_number_of_a_text_is_found_as_written() -> None:
    text = "Makarna 121212-1212 och 19850314-1239 mot 701063-2391"
    assert personal_identity_numbers(text) == ["121212-1212", "19850314-1239", "701063-2391"]


@pytest.mark.parametrize(
    "text",
    [
        # Luhn digit wrong
        "121212-1213", "19121212-1210", "850314-1234", "701063-2390",
        # no plausible date
        "851314-1234",  # month 13
        "850001-1230",  # month 00
        "850132-1233",  # day 32
        "850100-1235",  # day 00
        "850192-1234",  # day 92 (coordination day 32)
        "850231-1238",  # 31 February
        "19121212-121",  # too short
        # numbers that are not personal identity numbers
        "1310-2020", "Dnr 1310-2020", "RS 2020/1310", "HSN 2019-0123",
        "2020-10-14", "20201014", "14.10.2020", "2020-10-14 kl 10.00",
        "070-123 45 67", "0701234567", "+46 70 123 45 67", "08-123 456 78", "0920-25 60 00",
        "1 250 000 kr", "125000000 kr", "3 500 000,00 kr", "1234567890 kr", "12 345,50",
        "556036-0793",  # an organisation number (month 60): Volvo Personvagnar AB
        "5560360793",
        # a valid number inside a longer run of digits, or with a wrong century
        "11212121212", "1212121212345", "0019121212-1212", "99121212-1212",
        "",
    ],
)
def test_what_is_not_a_personal_identity_number(text: str) -> None:
    assert personal_identity_numbers(text) == []


def test_nothing_is_found_in_nothing() -> None:
    assert personal_identity_numbers(None) == []
