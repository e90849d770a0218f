"""Progress of long commands (web/cli/progress.py): plain lines when the output is not a
terminal (here: a pipe), one every ``DIARIUM_PROGRESS_SECONDS`` and one at the end, on
stderr; a bar with rate and ETA on a terminal."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

from diarium.cases.demo.cases import DEMO_STEPS
from diarium.web.cli.progress import Progress


def run(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "diarium.web.cli", "--database-url", database_url, *args],
        capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "DIARIUM_PROGRESS_SECONDS": "0"},  # a line for every step
    )


def test_long_commands_print_plain_progress_lines_when_not_on_a_terminal(
    database_url: str, tmp_path: Path
) -> None:
    demo = run(database_url, "demo")
    assert demo.returncode == 0, demo.stderr
    steps = re.findall(r"^diarium: demo: (\d+)/(\d+) steps \((\d+) %\)", demo.stderr, re.M)
    assert [int(done) for done, _, _ in steps] == list(range(1, DEMO_STEPS + 2))
    assert {int(total) for _, total, _ in steps} == {DEMO_STEPS + 1}
    assert "ETA" in demo.stderr and "\r" not in demo.stderr  # lines, not a bar
    assert re.search(r"^diarium: demo: \d+ steps in [\d.]+ s", demo.stderr, re.M)
    assert "diarium: demo:" not in demo.stdout  # stdout keeps the report and the tokens

    verify = run(database_url, "audit", "verify")
    assert verify.returncode == 0, verify.stderr
    head = int(re.search(r"head (\d+)", verify.stdout).group(1))  # type: ignore[union-attr]
    reached = [int(n) for n in re.findall(r"^diarium: verify: (\d+)/", verify.stderr, re.M)]
    assert reached and reached == sorted(reached) and reached[-1] == head
    assert re.search(r"/\d+ events \(100 %\)", verify.stderr)
    assert re.search(rf"^diarium: verify: {head} events in [\d.]+ s", verify.stderr, re.M)

    export = run(database_url, "audit", "export", "1338-2020", "--package", str(tmp_path / "p"))
    assert export.returncode == 0, export.stderr
    assert "diarium: export 1338-2020: 1/1 files (100 %)" in export.stderr


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_a_bar_with_rate_and_eta() -> None:
    screen = Terminal()
    with Progress("rebuild diary", total=1000, unit="events", stream=screen) as shown:
        for position in range(0, 1001, 100):
            shown.reach(position)
    bar = screen.getvalue()
    assert "\r" in bar and "rebuild diary: 100%" in bar and "1000/1000" in bar
    assert "events/s" in bar and "<" in bar  # rate, and elapsed<remaining (the ETA)


def test_plain_lines_every_few_seconds_and_at_the_end() -> None:
    log = io.StringIO()
    with Progress("import", total=3, unit="rows", stream=log, every=3600) as shown:
        shown.update(3)
    assert re.fullmatch(r"diarium: import: 3 rows in [\d.]+ s \(\d+/s\)\n", log.getvalue())
