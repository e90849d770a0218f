"""The README's example session runs as it stands: its ```sh blocks, run with bash against a
live server (gunicorn on loopback, a fresh store with ``diarium demo`` loaded, as the quick
start leaves it), each step checking the status it says it gets. A block that breaks fails
here."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.live_server import serving

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"^```sh\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def example_session() -> str:
    """The ```sh blocks of the README's "Example session" section, in order."""
    readme = (ROOT / "README.md").read_text()
    start = readme.index("\n## Example session\n")
    end = readme.index("\n## ", start + 1)
    blocks = BLOCK.findall(readme[start:end])
    assert len(blocks) >= 5, "the example session's ```sh blocks are gone"
    return "\n".join(blocks)


def test_the_readme_example_session_runs_against_a_live_server(
    database_url: str, tmp_path: Path
) -> None:
    (tmp_path / ".venv").symlink_to(Path(sys.prefix))  # the clone's venv, as the README has it
    env = {**os.environ, "DIARIUM_DATABASE_URL": database_url,
           "PATH": f"{Path(sys.prefix) / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
    demo = subprocess.run([".venv/bin/diarium", "demo"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert demo.returncode == 0, demo.stderr
    with serving(database_url, tmp_path) as base:
        script = example_session().replace("localhost:8000", base.removeprefix("http://"))
        session = subprocess.run(["bash", "-c", f"set -euo pipefail\n{script}"], cwd=tmp_path,
                                 env=env, capture_output=True, text=True, timeout=300,
                                 check=False)
    output = session.stdout + session.stderr
    assert session.returncode == 0, output
    # the steps ran and answered as the README says
    assert '"rule": "close-only-open"' in output.replace('":"', '": "'), output
    assert "personal-identity-number-public" in output
    assert not list(tmp_path.glob("*.txt")) and not (tmp_path / "answer.json").exists()
