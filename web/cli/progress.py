"""Progress of a long command: a bar with rate and ETA on a terminal, plain lines (about
every tenth, at most every few seconds) when the output is not a TTY."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class Progress:
    """``advance(n)`` as ``n`` more of ``total`` are done."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label, self.total, self.done = label, max(total, 0), 0
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.started = self.shown = time.monotonic()
        self.next_line = max(self.total // 10, 1)

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if self.tty and now - self.shown >= 0.1:
            self.shown = now
            self.stream.write("\r" + self.line(now))
            self.stream.flush()
        elif not self.tty and (self.done >= self.next_line or now - self.shown >= 5):
            self.shown = now
            self.next_line = self.done + max(self.total // 10, 1)
            print(self.line(now), file=self.stream, flush=True)

    def line(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate and self.total else 0.0
        share = self.done / self.total if self.total else 1.0
        bar = "#" * int(share * 30)
        return (f"{self.label}: [{bar:30}] {self.done}/{self.total} "
                f"{rate:,.0f}/s ETA {left:,.0f} s")

    def close(self) -> None:
        if self.tty:
            self.stream.write("\r" + self.line(time.monotonic()) + "\n")
        else:
            print(self.line(time.monotonic()), file=self.stream, flush=True)


@contextmanager
def progress(label: str, total: int, stream: TextIO | None = None) -> Iterator[Progress]:
    """A :class:`Progress`, closed (its last line shown) at the end."""
    shown = Progress(label, total, stream)
    try:
        yield shown
    finally:
        shown.close()
