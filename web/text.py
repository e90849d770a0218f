"""The one rule for text the service takes in (every schema field, query and path parameter)
and the one way text cells leave it in a CSV.

Refused everywhere: C0 control characters (NUL included; PostgreSQL cannot store it), DEL and
C1 controls, lone surrogates and Unicode non-characters (U+FDD0-U+FDEF, U+xFFFE, U+xFFFF).
Tab, LF and CR are allowed in long free texts only (descriptions, decision texts, reasons).
"""

from __future__ import annotations

import re

# as regular-expression class ranges, written with escapes so that the BMP part is also a
# valid pattern for the OpenAPI document (ECMA-262, and Rust's regex in schemathesis)
_BMP_FORBIDDEN = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff"
_SURROGATES = r"\ud800-\udfff"  # not in the OpenAPI pattern: no valid UTF-8 body has one
_ASTRAL_NONCHARACTERS = "".join(
    f"\\U{plane:04x}fffe\\U{plane:04x}ffff" for plane in range(1, 17)
)
_LINE_BREAKS = r"\t\n\r"
FORBIDDEN = {
    False: re.compile(f"[{_LINE_BREAKS}{_BMP_FORBIDDEN}{_SURROGATES}{_ASTRAL_NONCHARACTERS}]"),
    True: re.compile(f"[{_BMP_FORBIDDEN}{_SURROGATES}{_ASTRAL_NONCHARACTERS}]"),
}
# white space and the characters Python and ECMA-262 disagree on (see web/schemas/cases.py)
_BLANK = r"\s\x1c-\x1f\x85\ufeff"


def refusal(value: str, *, long: bool = False) -> str | None:
    """Why ``value`` is refused (``None``: it is accepted); ``long``: tab, LF, CR allowed."""
    found = FORBIDDEN[long].search(value)
    if found is None:
        return None
    allowed = "" if long else " (tab and line breaks only in long texts)"
    return (
        f"Must not contain control characters{allowed}, lone surrogates or non-characters: "
        f"U+{ord(found.group()):04X} at position {found.start()}."
    )


def spec_pattern(*, long: bool, non_blank: bool) -> str:
    """The OpenAPI (ECMA-262) pattern of such a text (surrogates and astral non-characters
    not expressed)."""
    bad = f"{'' if long else _LINE_BREAKS}{_BMP_FORBIDDEN}"
    if not non_blank:
        return f"^[^{bad}]*$"
    return f"^[^{bad}]*[^{bad}{_BLANK}][^{bad}]*$"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula (OWASP: a ``'`` before a cell that
    starts with ``=``, ``+``, ``-``, ``@``, tab or CR)."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value
