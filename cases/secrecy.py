"""Secrecy (OSL 5:2, 5:5): who may read secret content, and the one filter every view uses.

A secrecy marking names fields of a case (title, origin, documents, proposals, decisions) or of
a document (counterpart, description). Whoever may not read them gets the register entry all
the same (dnr, dates, direction, status, the marking itself), with the public title in place
of the title and the secret fields withheld.

Everything that shows case content to someone calls :func:`redact_case` (a case view, a
register row, a search hit, a feed item) or :func:`redact_history` (events). Both work on
plain dicts, so a projection that keeps the case's ``secrecy`` marking (and each document's)
with its rows can use them as they are. A view that reveals secret content to a reader who
may see it must be logged (``Diarium.record_secret_read``); :func:`withheld_paths` tells what
would have been withheld, i.e. what was disclosed.

Who may read secret content of a case (:func:`may_read_secrets`), always within the token's
body scope (its ``bodies``, when it has any):

* ``auditor`` and ``registrar``: every case;
* ``officer``: the cases where the token's name is the case officer;
* anyone else (secretary, chair, adjuster, service, admin) and the public: nobody's.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from cases.case import CASE_SECRET_FIELDS, DOCUMENT_SECRET_FIELDS
from domain import roles
from domain.actor import Actor

WITHHELD = "[sekretess]"  # stands in for a withheld text that the view requires


# -- commands ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MarkSecret:
    statute: str
    marking_body: str
    marked_on: date | None = None
    fields: list[str] | None = None


@dataclass(frozen=True)
class LiftSecrecy:
    lifted_on: date | None = None


# -- access ------------------------------------------------------------------------------


def may_read_secrets(
    actor: Actor | None, *, responsible_body: str | None, officer: str | None
) -> bool:
    """Whether ``actor`` may read secret content of a case with this body and officer."""
    if actor is None or not actor.covers_body(responsible_body):
        return False
    if actor.has_role(roles.AUDITOR, roles.REGISTRAR):
        return True
    return actor.has_role(roles.OFFICER) and officer is not None and officer == actor.name


def may_read_case_secrets(actor: Actor | None, case: Any) -> bool:
    """:func:`may_read_secrets` for a case (an aggregate, or a mapping with the same keys)."""
    get = case.get if isinstance(case, Mapping) else lambda k: getattr(case, k, None)
    return may_read_secrets(
        actor, responsible_body=get("responsible_body"), officer=get("officer")
    )


# -- what is secret ------------------------------------------------------------------------


def marking_view(marking: Any) -> dict[str, Any] | None:
    """A marking (``cases.case.Secrecy`` or its dict) as views show it."""
    if marking is None:
        return None
    if isinstance(marking, Mapping):
        return dict(marking)
    return {
        "statute": marking.statute,
        "marked_on": marking.marked_on.isoformat(),
        "marking_body": marking.marking_body,
        "fields": list(marking.fields),
    }


def _fields(marking: Any) -> set[str]:
    if marking is None:
        return set()
    return set(marking["fields"] if isinstance(marking, Mapping) else marking.fields)


def _items(view: Mapping[str, Any], key: str) -> list[Any]:
    return list(view.get(key) or [])


def withheld_paths(view: Mapping[str, Any]) -> list[str]:
    """Paths of the fields of a case view that are secret: ``title``, ``origin``,
    ``documents.N.counterpart``, ``documents.N.description``,
    ``incoming_referrals.N.sender`` (sender and sender's reference, secret with the
    counterpart of the referral's letter), ``proposals.N``, ``decisions.N.text``. Empty when
    nothing in the view is secret."""
    case_fields = _fields(view.get("secrecy"))
    paths = [f for f in ("title", "origin") if f in case_fields]
    for document in _items(view, "documents"):
        secret = set(DOCUMENT_SECRET_FIELDS) if "documents" in case_fields else set()
        secret |= _fields(document.get("secrecy"))
        paths += [
            f"documents.{document['number']}.{f}" for f in DOCUMENT_SECRET_FIELDS if f in secret
        ]
    # an incoming referral's sender is its letter's sender: withheld with the letter's
    paths += [
        f"incoming_referrals.{r['number']}.sender"
        for r in _items(view, "incoming_referrals")
        if f"documents.{r['document_number']}.counterpart" in paths
    ]
    if "proposals" in case_fields:
        paths += [f"proposals.{p['number']}" for p in _items(view, "proposals")]
    if "decisions" in case_fields:
        paths += [f"decisions.{d['number']}.text" for d in _items(view, "decisions")]
    return paths


def is_secret(view: Mapping[str, Any]) -> bool:
    """Whether a case view holds secret content (a marking of the case or of a document)."""
    return view.get("secrecy") is not None or any(
        d.get("secrecy") is not None for d in _items(view, "documents")
    )


# -- the filter ----------------------------------------------------------------------------


def public_title(view: Mapping[str, Any]) -> str:
    """The title to show those who may not read a secret title."""
    marking = view.get("secrecy") or {}
    statute = marking.get("statute") if isinstance(marking, Mapping) else marking.statute
    return view.get("public_title") or f"{WITHHELD} {statute or ''}".strip()


def redact_case(view: Mapping[str, Any], actor: Actor | None) -> dict[str, Any]:
    """The case view as ``actor`` may see it (``None``: the public).

    ``view`` is a case as ``CaseSchema`` dumps it, or a register row with the same keys: it
    needs ``secrecy`` (the case's marking or ``None``), ``responsible_body`` and ``officer``;
    ``documents`` (each with its ``secrecy``), ``proposals`` and ``decisions`` when it has
    them. The answer carries ``withheld``: the paths that were withheld (empty for a reader
    who may see everything)."""
    paths = withheld_paths(view)
    out = dict(view)
    if not paths or may_read_case_secrets(actor, view):
        out["withheld"] = []
        return out
    withhold(out, paths)
    out["withheld"] = paths
    return out


def withhold(out: dict[str, Any], paths: Iterable[str]) -> None:
    """Replace the secret fields at ``paths`` in the view ``out`` (in place)."""
    wanted = set(paths)
    if "title" in wanted and "title" in out:
        out["title"] = public_title(out)
    if "origin" in wanted and "origin" in out:
        out["origin"] = None
    if "documents" in out and out["documents"] is not None:
        out["documents"] = [_withhold_document(d, wanted) for d in out["documents"]]
    if out.get("incoming_referrals") is not None:
        out["incoming_referrals"] = [
            {**r, "sender": None, "sender_reference": None}
            if f"incoming_referrals.{r['number']}.sender" in wanted else r
            for r in out["incoming_referrals"]
        ]
    if "proposals" in out and out["proposals"] is not None:
        out["proposals"] = [
            {**p, "points": [], "summary": WITHHELD, "justification": None}
            if f"proposals.{p['number']}" in wanted else p
            for p in out["proposals"]
        ]
    if "decisions" in out and out["decisions"] is not None:
        out["decisions"] = [
            {**d, "text": WITHHELD} if f"decisions.{d['number']}.text" in wanted else d
            for d in out["decisions"]
        ]


def _withhold_document(document: Mapping[str, Any], wanted: set[str]) -> dict[str, Any]:
    out = dict(document)
    number = document["number"]
    if f"documents.{number}.counterpart" in wanted and "counterpart" in out:
        out["counterpart"] = None
    if f"documents.{number}.description" in wanted and "description" in out:
        out["description"] = WITHHELD
    return out


def redact_document(
    document: Mapping[str, Any],
    actor: Actor | None,
    *,
    case_secrecy: Any,
    responsible_body: str | None,
    officer: str | None,
) -> dict[str, Any]:
    """One document (or a document register row) as ``actor`` may see it, given the marking
    of its case. The answer carries ``withheld`` like :func:`redact_case`."""
    view = {
        "secrecy": marking_view(case_secrecy),
        "responsible_body": responsible_body,
        "officer": officer,
        "documents": [document],
    }
    redacted = redact_case(view, actor)
    return {**redacted["documents"][0], "withheld": redacted["withheld"]}


# Case events whose data carries nothing a marking can withhold.
_SAFE_EVENTS = {
    "CaseOfficerAssigned", "ReferralSent", "ReferralAnswered", "IncomingReferralAnswered",
    "IncomingReferralDeclined", "IncomingReferralExtended", "ProtocolExtractSent",
    "CaseClosed", "CaseReopened", "CaseCancelled", "CaseMarkedSecret", "CaseSecrecyLifted",
    "DocumentMarkedSecret", "DocumentSecrecyLifted",
}


def redact_history(
    events: list[dict[str, Any]], view: Mapping[str, Any], actor: Actor | None
) -> list[dict[str, Any]]:
    """A case's events (as ``event_view`` shows them) as ``actor`` may see them, by the
    case's current markings (``view`` as for :func:`redact_case`). Events of types this module
    does not know lose their data when the case holds secret content."""
    paths = set(withheld_paths(view))
    if not paths or may_read_case_secrets(actor, view):
        return events
    out = []
    for event in events:
        data = copy.deepcopy(event.get("data") or {})
        kind = event.get("type")
        if kind == "CaseRegistered":
            if "title" in paths:
                data["title"] = public_title({**view, "public_title": data.get("public_title")})
            if "origin" in paths:
                data["origin"] = None
        elif kind == "DocumentRegistered":
            data = _withhold_document(data, paths)
        elif kind == "IncomingReferralReceived":
            if f"incoming_referrals.{data.get('number')}.sender" in paths:
                data.update(sender=None, sender_reference=None)
        elif kind == "ProposalRecorded":
            if f"proposals.{data.get('number')}" in paths:
                data.update(points=[], summary=WITHHELD, justification=None)
        elif kind == "DecisionRecorded":
            if f"decisions.{data.get('number')}.text" in paths:
                data["text"] = WITHHELD
        elif kind not in _SAFE_EVENTS:
            data = {}
        out.append({**event, "data": data})
    return out


def secret_strings(view: Mapping[str, Any]) -> list[str]:
    """The secret texts of a case view (for tests and log scrubbing): every value at
    :func:`withheld_paths`."""
    found: list[str] = []
    paths = set(withheld_paths(view))
    if "title" in paths and view.get("title"):
        found.append(view["title"])
    if "origin" in paths and view.get("origin"):
        found.append(view["origin"])
    for d in _items(view, "documents"):
        for f in DOCUMENT_SECRET_FIELDS:
            if f"documents.{d['number']}.{f}" in paths and d.get(f):
                found.append(d[f])
    for r in _items(view, "incoming_referrals"):
        if f"incoming_referrals.{r['number']}.sender" in paths:
            found += [r.get("sender"), r.get("sender_reference")]
    for p in _items(view, "proposals"):
        if f"proposals.{p['number']}" in paths:
            found += [*p.get("points", []), p.get("summary"), p.get("justification")]
    for d in _items(view, "decisions"):
        if f"decisions.{d['number']}.text" in paths:
            found.append(d.get("text"))
    return [s for s in found if s]


__all__ = [
    "CASE_SECRET_FIELDS",
    "DOCUMENT_SECRET_FIELDS",
    "WITHHELD",
    "LiftSecrecy",
    "MarkSecret",
    "is_secret",
    "marking_view",
    "may_read_case_secrets",
    "may_read_secrets",
    "public_title",
    "redact_case",
    "redact_document",
    "redact_history",
    "secret_strings",
    "withheld_paths",
]
