"""Diarienummer (dnr) formats: configurable per series, sequence restarting each year."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from diarium.domain.rules import DNR_FORMAT, UNKNOWN_SERIES, RuleViolation

DEFAULT_SERIES = "default"
DEFAULT_PATTERN = "{sequence}-{year}"  # Region Norrbotten: 1310-2020
_NAMESPACE = uuid.UUID("5b7e3c52-2f0c-4c55-9a53-0d4f1f9d2a10")


def case_id(dnr: str) -> uuid.UUID:
    """The aggregate id of the case with this dnr: the same dnr always maps to one case."""
    return uuid.uuid5(_NAMESPACE, "case:" + dnr)


def series_year_id(series: str, year: int) -> uuid.UUID:
    """The aggregate id of a series' counter for one year."""
    return uuid.uuid5(_NAMESPACE, f"series:{series}:{year}")


@dataclass(frozen=True)
class DnrFormat:
    """How one series writes its numbers, e.g. ``{sequence}-{year}`` or ``RS {year}/{sequence}``."""

    series: str
    pattern: str
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.pattern.count("{sequence}") != 1 or self.pattern.count("{year}") != 1:
            msg = f"dnr pattern {self.pattern!r} needs one {{sequence}} and one {{year}}"
            raise ValueError(msg)
        parts = re.split(r"(\{sequence\}|\{year\})", self.pattern)
        regex = "".join(
            "(?P<sequence>[1-9][0-9]{0,8})" if part == "{sequence}"
            else "(?P<year>[0-9]{4})" if part == "{year}"
            else re.escape(part)
            for part in parts
        )
        object.__setattr__(self, "_regex", re.compile(regex))

    def format(self, year: int, sequence: int) -> str:
        """The dnr for ``sequence`` in ``year``."""
        return self.pattern.replace("{sequence}", str(sequence)).replace("{year}", f"{year:04d}")

    def parse(self, dnr: str) -> tuple[int, int]:
        """``(year, sequence)`` of a dnr in this format, or refuse it."""
        match = self._regex.fullmatch(dnr)
        if match is None:
            raise RuleViolation(
                DNR_FORMAT, f"{dnr!r} is not a dnr of series {self.series!r} ({self.pattern})"
            )
        return int(match["year"]), int(match["sequence"])


class DnrSeries:
    """The configured series of an organisation, by name."""

    def __init__(self, patterns: dict[str, str] | None = None) -> None:
        patterns = patterns or {DEFAULT_SERIES: DEFAULT_PATTERN}
        self.formats = {name: DnrFormat(name, pattern) for name, pattern in patterns.items()}

    def __getitem__(self, series: str) -> DnrFormat:
        try:
            return self.formats[series]
        except KeyError:
            raise RuleViolation(
                UNKNOWN_SERIES,
                f"Series {series!r} is not configured (known: {', '.join(sorted(self.formats))})",
            ) from None

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.formats.values())
