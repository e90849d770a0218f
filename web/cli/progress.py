"""Progress of long commands (demo, projections rebuild, audit verify, import): on a terminal
a bar with rate and ETA (tqdm); otherwise (a log, a pipe, CI) plain lines, one every
``DIARIUM_PROGRESS_SECONDS`` (default 5) and one at the end. Written to stderr, so what a
command prints on stdout (a report, an export) stays as it is."""

from __future__ import annotations

import os
import sys
import time
from types import TracebackType
from typing import Any, TextIO

from tqdm import tqdm

SECONDS_VARIABLE = "DIARIUM_PROGRESS_SECONDS"


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes}:{seconds:02d}" if minutes else f"{seconds} s"


class Progress:
    """``with Progress("rebuild diary", total=head, unit="events") as p: p.update(n)`` (or
    ``p.reach(position)``): a bar on a terminal, plain lines elsewhere."""

    def __init__(self, label: str, total: int | None = None, unit: str = "items",
                 stream: TextIO | None = None, every: float | None = None) -> None:
        self.label, self.total, self.unit = label, total, unit
        self.stream = stream or sys.stderr
        self.every = float(os.environ.get(SECONDS_VARIABLE, "5")) if every is None else every
        self.done = 0
        self.started = self.said = time.monotonic()
        self.bar: Any = None
        if self.stream.isatty():
            self.bar = tqdm(total=total, desc=label, unit=f" {unit}", file=self.stream,
                            dynamic_ncols=True)

    def update(self, n: int = 1) -> None:
        """``n`` more items done."""
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
        elif time.monotonic() - self.said >= self.every:
            self._say()

    def reach(self, done: int) -> None:
        """``done`` items done in all (e.g. a log position reached)."""
        self.update(max(done - self.done, 0))

    def reach_of(self, done: int, total: int) -> None:
        """``done`` of ``total`` items done (a total learnt on the way)."""
        self.total = total
        if self.bar is not None:
            self.bar.total = total
        self.reach(done)

    def _say(self) -> None:
        self.said = now = time.monotonic()
        elapsed = now - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        line = f"diarium: {self.label}: {self.done}"
        if self.total:
            line += f"/{self.total} {self.unit} ({100 * self.done // self.total} %)"
            if rate and self.done < self.total:
                line += f", {rate:.0f}/s, ETA {_duration((self.total - self.done) / rate)}"
        else:
            line += f" {self.unit}, {rate:.0f}/s"
        print(line, file=self.stream, flush=True)

    def close(self) -> None:
        """The end: the bar closed, or a last plain line with the count, time and rate."""
        if self.bar is not None:
            self.bar.close()
            return
        elapsed = time.monotonic() - self.started
        rate = f" ({self.done / elapsed:.0f}/s)" if elapsed > 0 else ""
        print(f"diarium: {self.label}: {self.done} {self.unit} in {elapsed:.1f} s{rate}",
              file=self.stream, flush=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()
