"""A legacy diary read from CSV (UTF-8, comma or Swedish Excel's semicolon) or XLSX: one row
per case, its documents and decisions in two columns of entries, one per line
(docs/import.md). Parsing only: each row becomes a :class:`LegacyCase` or its faults."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from diarium.domain.case.terms import Direction, Status
from diarium.domain.dnr import DEFAULT_SERIES

# column → the headings accepted for it (English or the old system's Swedish)
COLUMNS: dict[str, tuple[str, ...]] = {
    "dnr": ("dnr", "diarienummer"),
    "series": ("series", "serie"),
    "title": ("title", "ärendemening", "rubrik"),
    "public_title": ("public_title", "offentlig rubrik", "offentlig ärendemening"),
    "secrecy": ("secrecy", "sekretess"),
    "registered_on": ("registered_on", "registrerad", "registreringsdatum"),
    "body": ("body", "nämnd", "ansvarig nämnd"),
    "officer": ("officer", "handläggare"),
    "status": ("status",),
    "closed_on": ("closed_on", "avslutad", "avslutsdatum"),
    "documents": ("documents", "handlingar"),
    "decisions": ("decisions", "beslut"),
}
REQUIRED = ("dnr", "title", "registered_on", "body", "status")
STATUSES: dict[str, Status] = {
    **dict.fromkeys(("open", "pågående", "öppet", "öppen"), Status.OPEN),
    **dict.fromkeys(("closed", "avslutat", "avslutad"), Status.CLOSED),
    **dict.fromkeys(("cancelled", "makulerat", "makulerad"), Status.CANCELLED),
}
DIRECTIONS: dict[str, Direction] = {
    **dict.fromkeys(("incoming", "inkommande", "inkommen", "in", "i"), Direction.INCOMING),
    **dict.fromkeys(("outgoing", "utgående", "upprättad och skickad", "ut", "u"),
                    Direction.OUTGOING),
    **dict.fromkeys(("drawn_up", "upprättad", "upprättat", "upp"), Direction.DRAWN_UP),
}


@dataclass(frozen=True)
class Fault:
    """Why row ``row`` cannot be imported (numbered as a spreadsheet shows it: the heading
    is row 1, the first case row 2)."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"rad {self.row}, {self.column}: {self.reason}"


class Faulty(ValueError):
    """A value at fault (its column, the reason)."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


@dataclass(frozen=True)
class LegacyDocument:
    day: date
    direction: Direction
    counterpart: str | None
    description: str
    path: Path | None  # the file, when the old system kept one


@dataclass(frozen=True)
class LegacyDecision:
    day: date
    maker: str  # a body's code, or a delegate's name
    reference: str  # the body's §, or the delegation point
    text: str

    @property
    def paragraph(self) -> int | None:
        """The §, when a body took it at a meeting (the reference is a number)."""
        return int(self.reference) if self.reference.isdigit() else None


@dataclass(frozen=True)
class LegacyCase:
    row: int
    dnr: str
    series: str
    title: str
    registered_on: date
    body: str
    officer: str | None
    status: Status
    closed_on: date | None
    documents: tuple[LegacyDocument, ...] = field(default=())
    decisions: tuple[LegacyDecision, ...] = field(default=())
    public_title: str | None = None  # what the public sees of a secret case's title
    secrecy: str | None = None  # the statute (e.g. "OSL 25:1") the case is secret under


def read_rows(path: Path, file_format: str | None = None,
              dialect: str | None = None) -> Iterator[dict[str, str]]:
    """The rows of the file as ``{column: text}``, headings mapped to :data:`COLUMNS`."""
    file_format = file_format or ("xlsx" if path.suffix.lower() == ".xlsx" else "csv")
    raw = _xlsx_rows(path) if file_format == "xlsx" else _csv_rows(path, dialect)
    heading = next(raw, None)
    if heading is None:
        return
    columns = [_column(name) for name in heading]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise Faulty(", ".join(missing), "kolumnen saknas i rubrikraden")
    for values in raw:
        if any(v.strip() for v in values):
            yield {c: v for c, v in zip(columns, values, strict=False) if c}


def _column(heading: str) -> str:
    name = heading.strip().lstrip("\ufeff").lower()
    return next((column for column, names in COLUMNS.items() if name in names), "")


def _csv_rows(path: Path, dialect: str | None) -> Iterator[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        first = handle.readline()
        handle.seek(0)
        delimiter = {"comma": ",", "semicolon": ";"}.get(dialect or "") or (
            ";" if first.count(";") > first.count(",") else ","
        )
        yield from csv.reader(handle, delimiter=delimiter)


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        for values in book.worksheets[0].iter_rows(values_only=True):
            yield [_cell(v) for v in values]
    finally:
        book.close()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_case(number: int, row: dict[str, str], files_root: Path) -> LegacyCase:
    """Row ``number`` as a case (:class:`Faulty` at its first fault)."""
    text = {k: (v or "").strip() for k, v in row.items()}
    for column in REQUIRED:
        if not text.get(column):
            raise Faulty(column, "värde saknas")
    status = STATUSES.get(text["status"].lower())
    if status is None:
        raise Faulty("status", f"okänd status {text['status']!r} "
                               "(pågående, avslutat, makulerat)")
    closed_on = _date(text.get("closed_on", ""), "closed_on") if text.get("closed_on") else None
    if status != Status.OPEN and closed_on is None:
        raise Faulty("closed_on", "ett avslutat eller makulerat ärende behöver sitt datum")
    registered_on = _date(text["registered_on"], "registered_on")
    if closed_on is not None and closed_on < registered_on:
        raise Faulty("closed_on", f"{closed_on} ligger före registreringen {registered_on}")
    return LegacyCase(
        number, text["dnr"], text.get("series") or DEFAULT_SERIES, text["title"], registered_on,
        text["body"], text.get("officer") or None, status, closed_on,
        tuple(_document(e, files_root) for e in _entries(text.get("documents", ""))),
        tuple(_decision(e, registered_on, closed_on)
              for e in _entries(text.get("decisions", ""))),
        text.get("public_title") or None, text.get("secrecy") or None,
    )


def _entries(cell: str) -> list[list[str]]:
    return [[p.strip() for p in line.split("|")] for line in cell.splitlines() if line.strip()]


def _date(value: str, column: str) -> date:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise Faulty(column, f"{value!r} är inget datum (ÅÅÅÅ-MM-DD)") from None


def _document(parts: list[str], files_root: Path) -> LegacyDocument:
    if len(parts) not in (4, 5):
        raise Faulty("documents", "en handling är datum|riktning|motpart|beskrivning[|fil]")
    day, direction, counterpart, description = parts[:4]
    kind = DIRECTIONS.get(direction.lower())
    if kind is None:
        raise Faulty("documents", f"okänd riktning {direction!r} (inkommande, utgående, "
                                  "upprättad)")
    if not description:
        raise Faulty("documents", "handlingen saknar beskrivning")
    path = files_root / parts[4] if len(parts) == 5 and parts[4] else None
    if path is not None and not path.resolve().is_relative_to(files_root.resolve()):
        raise Faulty("documents", f"filen {parts[4]} ligger utanför importfilens mapp")
    if path is not None and not (path.is_file() and path.stat().st_size > 0):
        raise Faulty("documents", f"filen {parts[4]} finns inte (eller är tom)")
    return LegacyDocument(_date(day, "documents"), kind, counterpart or None, description, path)


def _decision(parts: list[str], registered_on: date, closed_on: date | None) -> LegacyDecision:
    if len(parts) < 4 or not all(parts[:4]):
        raise Faulty("decisions", "ett beslut är datum|nämnd eller delegat|§ eller "
                                  "delegationspunkt|text")
    decision = LegacyDecision(_date(parts[0], "decisions"), parts[1], parts[2],
                              "|".join(parts[3:]))
    if decision.day < registered_on:
        raise Faulty("decisions", f"beslutet {decision.day} ligger före registreringen")
    if closed_on is not None and decision.day > closed_on:
        raise Faulty("decisions", f"beslutet {decision.day} ligger efter avslutet {closed_on}")
    return decision
