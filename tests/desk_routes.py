"""The desk's routes as the URL map lists them (every page and form, also those added later),
with their path variables filled in: for tests/test_desk_matrix.py and
tests/test_desk_sessions.py."""

from __future__ import annotations

import re
from typing import Any

METHODS = ("GET", "POST")


def desk_routes(app: Any, methods: tuple[str, ...] = METHODS) -> list[tuple[Any, str]]:
    """(rule, method) of every route under ``/app/``, in order."""
    return sorted(
        ((rule, method) for rule in app.url_map.iter_rules() for method in rule.methods or ()
         if rule.rule.startswith("/app/") and method in methods),
        key=lambda pair: (pair[0].rule, pair[1]),
    )


def desk_url(rule: Any, **given: str) -> str:
    """``rule``'s URL with its variables filled in (``given``, else a harmless value)."""
    values = {"number": "1", "referral_number": "1", "decision_number": "1",
              "document_number": "1", "paragraph": "1", "version": "1", "year": "2020",
              "ref": "RS-2020-01", "code": "RS", "slug": "x", **given}
    return re.sub(r"<(?:[a-z]+:)?(\w+)>", lambda m: values.get(m.group(1), "x1"), rule.rule)
