"""Registers as CSV: the plain dialect (``excel``: comma, the API's field names, true/false)
and ``excel-sv``, a file Swedish Excel opens right with a double-click (semicolon, Swedish
headers, ja/nej, Swedish words for directions and statuses). Both: UTF-8 with a BOM, ISO
dates, CRLF, text cells neutralised against formulas (web/text.py)."""

from __future__ import annotations

import csv
import io
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from diarium.projections.listings import Listing
from diarium.web.text import csv_text

# the Swedish wordings (web/labels_sv.toml, read once): the header of each register column
# (docs/glossary.md), OVERRIDES where one name means something else in a register, and the
# words for the values of a few enumerated columns (others are shown as they are)
LABELS_SV: dict[str, Any] = tomllib.loads(
    resources.files("diarium.web").joinpath("labels_sv.toml").read_text(encoding="utf-8"))
SWEDISH_LABELS: dict[str, str] = LABELS_SV["registers"]
OVERRIDES: dict[str, dict[str, str]] = LABELS_SV["register_overrides"]
SWEDISH_VALUES: dict[str, dict[str, str]] = LABELS_SV["register_values"]


@dataclass(frozen=True)
class Dialect:
    name: str
    delimiter: str
    header: Callable[[Listing, str], str]
    true: Any
    false: Any
    values: dict[str, dict[str, str]] = field(default_factory=dict)


DIALECTS = {
    d.name: d
    for d in (
        Dialect("excel", ",", lambda listing, name: name, True, False),
        Dialect("excel-sv", ";", lambda listing, name: swedish_label(listing.name, name),
                "ja", "nej", SWEDISH_VALUES),
    )
}
DEFAULT_DIALECT = "excel"


def swedish_label(register: str, field: str) -> str:
    """The Swedish header of ``field`` in ``register``."""
    return OVERRIDES.get(register, {}).get(field) or SWEDISH_LABELS[field]


def rows_as_csv(
    listing: Listing, rows: Iterable[dict[str, Any]], dialect: Dialect, *, every: int = 500
) -> Iterator[str]:
    """The CSV text of ``rows`` (a BOM and the header first), in chunks of ``every`` rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=dialect.delimiter)
    buffer.write("\ufeff")  # a BOM, so spreadsheet programs read UTF-8 (å, ä, ö)
    writer.writerow([dialect.header(listing, f) for f in listing.fields])
    for number, item in enumerate(rows, 1):
        writer.writerow([cell(f, item[f], dialect) for f in listing.fields])
        if number % every == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def cell(name: str, value: Any, dialect: Dialect) -> Any:
    """The CSV cell of column ``name``: texts (and lists of them) neutralised against formulas
    (web/text.py); booleans and enumerated values in the dialect's words; numbers and dates
    (ISO) as they are (a negative number stays a number)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return dialect.true if value else dialect.false
    if isinstance(value, list):
        return csv_text(" ".join(value))
    if isinstance(value, str):
        return csv_text(dialect.values.get(name, {}).get(value, value))
    return value
