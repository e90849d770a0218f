"""Every rule a command can be refused by has its Swedish text (``rule(..., sv=...)``), shown
on the staff's pages and listed by ``GET /api/rules`` as ``text_sv``."""

from __future__ import annotations

from typing import Any

import diarium.web  # noqa: F401 (every module declaring rules is imported)
from diarium.domain.rules import RULES

ENGLISH_ONLY = (" the ", " is ", " and ", " must ", " cannot ")


def test_every_rule_has_a_swedish_text() -> None:
    assert len(RULES) > 90
    missing = sorted(code for code, rule in RULES.items() if not (rule.text_sv or "").strip())
    assert missing == [], f"Give these rules a Swedish text (sv=...): {missing}"
    english = sorted(code for code, rule in RULES.items()
                     if any(word in f" {rule.text_sv} " for word in ENGLISH_ONLY))
    assert english == [], english
    assert len({rule.text_sv for rule in RULES.values()}) == len(RULES)  # no text copied
    # tests/test_leaks.py marks every secret text "hemlig": a rule must not look like one
    assert not [code for code, rule in RULES.items() if "hemlig" in (rule.text_sv or "").lower()]


def test_the_rules_are_listed_with_their_swedish_text(client: Any) -> None:
    rules = {r["code"]: r for r in client.get("/api/rules").get_json()}
    assert set(rules) == set(RULES)
    assert rules["case-closed"]["text_sv"] == (
        "Ärendet är avslutat: återuppta det innan något mer registreras i det.")
    assert all(r["text_sv"] for r in rules.values())
