"""Every file the documentation names exists: a move that forgets the docs fails here."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMED = re.compile(r"(?<![\w./-])((?:domain|cases|projections|web|tests|bench|docker|\.ci)"
                   r"/[\w./-]*\w\.(?:py|md|html|css|xsd|toml|yaml))\b")


def test_every_file_the_docs_name_exists() -> None:
    missing = []
    for doc in (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))):
        for path in NAMED.findall(doc.read_text()):
            if not (ROOT / path).exists():
                missing.append(f"{doc.relative_to(ROOT)}: {path}")
    assert missing == []
