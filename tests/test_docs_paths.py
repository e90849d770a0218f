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


LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|^\[[^\]]+\]:\s*(\S+)",
                  re.MULTILINE)
DOCS = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))


def test_no_link_of_the_docs_leaves_the_repository() -> None:
    """The docs carry what the project needs: every relative link of README.md and docs/*.md
    names a file inside the repository that exists (no ``../shared/…``); only web addresses
    (``https://…``) lead elsewhere."""
    wrong = []
    for doc in DOCS:
        text = doc.read_text()
        if "../shared" in text or "shared/docs" in text:
            wrong.append(f"{doc.relative_to(ROOT)}: names ../shared")
        for inline, reference in LINK.findall(text):
            target = (inline or reference).split("#")[0]
            if not target or re.match(r"[a-z][a-z0-9+.-]*:", target):  # an anchor, a URL
                continue
            path = (doc.parent / target).resolve()
            if not path.is_relative_to(ROOT) or not path.exists():
                wrong.append(f"{doc.relative_to(ROOT)}: {target}")
    assert wrong == []


def test_the_docs_explain_every_statute_the_rules_cite() -> None:
    """Each statute a rule names as its source (``GET /api/rules``) is spelt out in
    docs/domain.md (``KL = Kommunallagen (2017:725)``)."""
    from diarium.domain.rules import RULES
    from diarium.web import create_app  # noqa: F401 (declares every rule)

    domain = (ROOT / "docs" / "domain.md").read_text()
    cited = {abbreviation for r in RULES.values() if r.source
             for abbreviation in re.findall(r"\b([A-Z]{2,})\b", r.source)}
    assert cited and sorted(a for a in cited if f"{a} = " not in domain) == []
