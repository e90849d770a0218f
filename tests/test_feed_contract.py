"""The feed's documented contract: every public type's name, description and payload fields
(JSON type: meaning), as derived from the event classes (domain/events/base.py), is exactly
tests/data/feed_contract.json. A new type or field changes that file on purpose."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from diarium.cases.outbound import feed

CONTRACT = Path(__file__).resolve().parent / "data" / "feed_contract.json"


def derived() -> list[dict[str, Any]]:
    """The contract as the feed derives it, in the feed's order."""
    return [
        {"name": t.name, "description": t.description, "fields": t.fields}
        for t in feed.PUBLIC_TYPES
    ]


def test_the_derived_contract_is_the_recorded_one() -> None:
    recorded = json.loads(CONTRACT.read_text(encoding="utf-8"))
    assert derived() == recorded
    # the payload's fields in the documented order too (a dict's == ignores it)
    assert [list(t["fields"]) for t in derived()] == [list(t["fields"]) for t in recorded]
