"""Every file the documentation, a docstring or a comment names exists: a move that forgets
to update them fails here."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMED = re.compile(r"(?<![\w./-])((?:domain|cases|projections|web|tests|bench|docker|\.ci)"
                   r"/[\w./-]*\w\.(?:py|md|html|css|xsd|toml|yaml))\b")


def test_every_file_the_docs_name_exists() -> None:
    missing = []
    code = [f for folder in ("domain", "cases", "projections", "web", "tests", "bench")
            for f in sorted((ROOT / folder).rglob("*.py"))]
    for doc in (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *code):
        for path in NAMED.findall(doc.read_text()):
            if not (ROOT / path).exists():
                missing.append(f"{doc.relative_to(ROOT)}: {path}")
    assert missing == []
