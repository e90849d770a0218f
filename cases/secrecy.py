"""Secrecy (OSL 5:2, 5:5): who may read secret content, and the one filter every view uses.

A secrecy marking names fields of a case (title, origin, documents, proposals, decisions) or of
a document (counterpart, description). Whoever may not read them gets the register entry all
the same (dnr, dates, direction, status, the marking itself), with the public title in place
of the title and the secret fields withheld.

Everything that shows case content to someone calls :func:`redact_case` (a case view, a
register row, a search hit, a feed item) or :func:`redact_history` (events). Both work on
plain dicts, so a projection that keeps the case's ``secrecy`` marking (and each document's)
with its rows can use them as they are. A view that reveals secret content to a reader who
may see it must be logged (``Diarium.secret_reads.record``); :func:`withheld_paths` tells what
would have been withheld, i.e. what was disclosed.

Who may read secret content of a case (:func:`may_read_secrets`), always within the token's
body scope (its ``bodies``, when it has any):

* ``auditor`` and ``registrar``: every case;
* ``officer``: the cases where the token's name is the case officer;
* anyone else (secretary, chair, adjuster, service, admin) and the public: nobody's.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from diarium.domain import roles
from diarium.domain.actor import Actor
from diarium.domain.secrecy import (
    CASE_FIELDS,
    DOCUMENT_FIELDS,
    DOCUMENT_MARKING,
    EVENT_ENTITY,
    EVENT_ENTITY_LISTS,
    EVENTS_BY_NAME,
    FILE_FIELDS,
    SAFE_EVENTS,
    WITHHELD,
    covered,
    covered_by_case,
    withhold_fields,
)
from diarium.domain.secrecy import public_title as _public_title

CASE_SECRET_FIELDS = CASE_FIELDS
DOCUMENT_SECRET_FIELDS = DOCUMENT_FIELDS


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
    """A marking (``domain.case.Secrecy`` or its dict) as views show it."""
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


def _document_covers(view: Mapping[str, Any], entity: str) -> dict[int, set[str]]:
    """Per document number: the fields of ``entity`` its own marking covers."""
    return {
        d["number"]: covered(_fields(d.get("secrecy")), entity, DOCUMENT_MARKING)
        for d in _items(view, "documents")
    }


def withheld_paths(view: Mapping[str, Any]) -> list[str]:
    """Paths of the fields of a case view that are secret (domain/secrecy.py): ``title``,
    ``origin``, ``documents.N.counterpart``, ``documents.N.description``,
    ``incoming_referrals.N.sender`` (with the sender's reference), ``proposals.N``,
    ``decisions.N.text``. Empty when nothing in the view is secret."""
    marked = _fields(view.get("secrecy"))
    of_case = covered_by_case(marked, view.get("public_title"), "case")
    paths = [f for f in ("title", "origin") if f in of_case]
    documents = _document_covers(view, "document")
    for number, own in documents.items():
        secret = covered(marked, "document") | own
        paths += [f"documents.{number}.{f}" for f in DOCUMENT_FIELDS if f in secret]
    files = _document_covers(view, "file")
    for d in _items(view, "documents"):
        secret = covered(marked, "file") | files[d["number"]]
        paths += [
            f"documents.{d['number']}.files.{v['version']}.{f}"
            for v in _items(d, "files") for f in FILE_FIELDS if f in secret
        ]
    letters = _document_covers(view, "incoming_referral")
    paths += [
        f"incoming_referrals.{r['number']}.sender"
        for r in _items(view, "incoming_referrals")
        if "sender" in covered(marked, "incoming_referral") | letters.get(r["document_number"],
                                                                          set())
    ]
    if covered(marked, "proposal"):
        paths += [f"proposals.{p['number']}" for p in _items(view, "proposals")]
    if covered(marked, "decision"):
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
    return _public_title(view.get("public_title"), statute)


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
    title = public_title(out)
    withhold_fields(out, wanted & {"title", "origin"}, title)
    nested = (  # list in the view, its entity, the path of an item's field
        ("documents", "document", "documents.{n}.{f}"),
        ("incoming_referrals", "incoming_referral", "incoming_referrals.{n}.sender"),
        ("proposals", "proposal", "proposals.{n}"),
        ("decisions", "decision", "decisions.{n}.{f}"),
    )
    for key, entity, path in nested:
        if out.get(key) is None:
            continue
        items = []
        for item in out[key]:
            item = dict(item)
            fields = {
                f for f in covered(CASE_FIELDS, entity)
                if path.format(n=item["number"], f=f) in wanted
            }
            withhold_fields(item, fields, title)
            if key == "documents" and item.get("files"):
                item["files"] = _withheld_files(item, wanted, title)
            items.append(item)
        out[key] = items


def _withheld_files(document: Mapping[str, Any], wanted: set[str], title: str) -> list[Any]:
    """The file versions of ``document`` (a view) with the fields at ``wanted`` withheld."""
    out = []
    for version in document["files"]:
        version = dict(version)
        at = f"documents.{document['number']}.files.{version['version']}"
        withhold_fields(version, {f for f in FILE_FIELDS if f"{at}.{f}" in wanted}, title)
        out.append(version)
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


def redact_history(
    events: list[dict[str, Any]], view: Mapping[str, Any], actor: Actor | None
) -> list[dict[str, Any]]:
    """A case's events (as ``event_view`` shows them) as ``actor`` may see them, by the
    case's current markings (``view`` as for :func:`redact_case`). Events of types the
    declaration (domain/secrecy.py) does not know lose their data when the case holds secret
    content."""
    if not withheld_paths(view) or may_read_case_secrets(actor, view):
        return events
    secrets = CaseSecrets.of_view(view)
    return [
        {**event, "data": secrets.withhold_event(event.get("type"), event.get("data") or {})}
        for event in events
    ]


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
        for f in DOCUMENT_FIELDS:
            if f"documents.{d['number']}.{f}" in paths and d.get(f):
                found.append(d[f])
        for v in _items(d, "files"):
            found += [
                v.get(f) for f in FILE_FIELDS
                if f"documents.{d['number']}.files.{v['version']}.{f}" in paths
            ]
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


# -- one case's markings, for content outside the case (meetings, bodies, logs) -------------


@dataclass(frozen=True)
class CaseSecrets:
    """The markings in force on one case, and who may read what they cover."""

    dnr: str
    responsible_body: str | None
    officer: str | None
    marked: frozenset[str]  # the case marking's fields
    statute: str | None
    given_public_title: str | None
    documents: Mapping[int, frozenset[str]]  # document number -> its marking's fields

    @classmethod
    def of_view(cls, view: Mapping[str, Any]) -> CaseSecrets:
        """From a case view (``CaseSchema``) or an aggregate."""
        get = view.get if isinstance(view, Mapping) else lambda k: getattr(view, k, None)
        marking = get("secrecy")
        statute = None
        if marking is not None:
            statute = marking["statute"] if isinstance(marking, Mapping) else marking.statute
        documents = {}
        for d in get("documents") or []:
            number = d["number"] if isinstance(d, Mapping) else d.number
            secrecy_ = d.get("secrecy") if isinstance(d, Mapping) else d.secrecy
            documents[number] = frozenset(_fields(secrecy_))
        return cls(
            get("dnr"), get("responsible_body"), get("officer"), frozenset(_fields(marking)),
            statute, get("public_title"), documents,
        )

    @property
    def any(self) -> bool:
        """Whether anything of the case is withheld from some readers."""
        return bool(self.marked or self.given_public_title or any(self.documents.values()))

    @property
    def title(self) -> str:
        return _public_title(self.given_public_title, self.statute)

    def covers(self, entity: str, document_number: int | None = None) -> set[str]:
        """The fields of ``entity`` (of this case; of one of its documents) withheld."""
        fields = covered_by_case(self.marked, self.given_public_title, entity)
        if document_number is not None:
            own = self.documents.get(document_number, frozenset())
            fields |= covered(own, entity, DOCUMENT_MARKING)
        return fields

    def withhold(self, entity: str, item: Any, document_number: int | None = None) -> list[str]:
        """Withhold what the markings cover of ``item`` (a dict or a dataclass, in place);
        the fields withheld."""
        return withhold_fields(item, self.covers(entity, document_number), self.title)

    def withhold_event(self, kind: str | None, data: Mapping[str, Any]) -> dict[str, Any]:
        """An event's data (by its type's name) with what the markings cover withheld."""
        cls = EVENTS_BY_NAME.get(kind or "")
        out = copy.deepcopy(dict(data))
        if cls in SAFE_EVENTS:
            return out
        if cls not in EVENT_ENTITY:  # unknown, or a list of entities of several cases
            return {}
        entity = EVENT_ENTITY[cls]
        number = out.get("number") if entity == "document" else out.get("document_number")
        self.withhold(entity, out, number)
        return out


Readable = Callable[[CaseSecrets], bool]  # whether the reader may read that case's secrets


def redact_meeting(
    meeting: Any, secrets: Mapping[str, CaseSecrets], readable: Readable
) -> tuple[Any, dict[str, list[str]]]:
    """``meeting`` (a ``Meeting``) with what the markings of its cases (``secrets``, by dnr)
    cover withheld where the reader may not read them (a copy; the meeting itself when
    nothing is withheld), and per dnr the paths of the secret content the reader may read
    (a disclosure to log)."""
    hidden = {dnr: s for dnr, s in secrets.items() if not readable(s)}
    disclosed = meeting_disclosures(meeting, secrets, readable)
    if not hidden:
        return meeting, disclosed
    out = copy.deepcopy(meeting)
    _meeting_paths(out, None, hidden)
    return out, disclosed


def meeting_disclosures(
    meeting: Any, secrets: Mapping[str, CaseSecrets], readable: Readable
) -> dict[str, list[str]]:
    """Per dnr, the paths of the secret content of ``meeting`` the reader may read."""
    found = {dnr: _meeting_paths(meeting, s) for dnr, s in secrets.items() if readable(s)}
    return {dnr: paths for dnr, paths in found.items() if paths}


def _meeting_paths(
    meeting: Any, one: CaseSecrets | None, hidden: Mapping[str, CaseSecrets] | None = None
) -> list[str]:
    """The paths of what the markings cover in ``meeting``: of the case ``one`` (nothing is
    changed), or of every case in ``hidden`` (withheld, in place)."""
    paths: list[str] = []

    def visit(dnr: str | None, entity: str, item: Any, path: str, document: Any = None) -> None:
        if one is not None:
            fields = one.covers(entity, document) if dnr == one.dnr else set()
            paths.extend(f"{path}.{f}" for f in sorted(fields) if _has(item, f))
        elif hidden is not None and dnr in hidden:
            hidden[dnr].withhold(entity, item, document)

    for item in meeting.agenda:
        visit(item.dnr, "agenda_item", item, f"agenda.{item.number}")
    for p in meeting.paragraphs:
        at = f"paragraphs.{p.number}"
        visit(p.dnr, "paragraph", p, at)
        if p.decision is not None:
            visit(p.dnr, "paragraph_decision", p.decision, f"{at}.decision")
        for kind, key, items in (("motion", "motions", p.motions), ("note", "notes", p.notes),
                                 ("correction", "corrections", p.corrections)):
            for item in items:
                visit(p.dnr, kind, item, f"{at}.{key}.{item.number}")
        for r in p.reservations:
            visit(p.dnr, "reservation", r, f"{at}.reservations.{r.member}")
        for c in p.conflicts:
            visit(p.dnr, "conflict", c, f"{at}.conflicts_of_interest.{c.member}")
        for a in p.attachments:
            visit(a.dnr or p.dnr, "attachment", a, f"{at}.attachments.{a.number}",
                  a.document_number)
        for d in p.delegated_decisions:
            visit(d.get("dnr"), "delegated_decision", d,
                  f"{at}.delegated_decisions.{d.get('number')}")
    return paths


def _has(item: Any, name: str) -> bool:
    return name in item if isinstance(item, dict) else hasattr(item, name)


def meeting_dnrs(meeting: Any) -> set[str]:
    """Every case a meeting's agenda and protocol refer to."""
    found = {i.dnr for i in meeting.agenda}
    for p in meeting.paragraphs:
        found.add(p.dnr)
        found.update(a.dnr for a in p.attachments)
        found.update(d.get("dnr") for d in p.delegated_decisions)
    return {d for d in found if d}


def redact_meeting_history(
    events: list[dict[str, Any]], meeting: Any, secrets: Mapping[str, CaseSecrets],
    readable: Readable,
) -> list[dict[str, Any]]:
    """A meeting's events (as ``event_view`` shows them) with what the markings of its cases
    cover withheld where the reader may not read them."""
    hidden = {dnr: s for dnr, s in secrets.items() if not readable(s)}
    if not hidden:
        return events
    dnr_of = {p.number: p.dnr for p in meeting.paragraphs}
    out = []
    for event in events:
        data = event.get("data") or {}
        cls = EVENTS_BY_NAME.get(event.get("type") or "")
        if cls in EVENT_ENTITY_LISTS:
            key, entity = EVENT_ENTITY_LISTS[cls]
            data = copy.deepcopy(data)
            for item in data.get(key) or []:
                if item.get("dnr") in hidden:
                    hidden[item["dnr"]].withhold(entity, item)
        else:
            dnr = data.get("dnr") or dnr_of.get(data.get("paragraph"))
            if dnr in hidden:
                data = hidden[dnr].withhold_event(event.get("type"), data)
        out.append({**event, "data": data})
    return out


def may_read_meeting_secrets(actor: Actor | None, meeting: Any) -> bool:
    """Whether ``actor`` keeps or signs the protocol of ``meeting`` (a ``Meeting``): the
    body's own secretary (a token scoped to the body, or named as the meeting's secretary),
    its chair and its adjusters need the text to write and sign it."""
    if actor is None or not actor.covers_body(meeting.body):
        return False
    named = {
        roles.SECRETARY: [meeting.secretary],
        roles.CHAIR: [meeting.chair],
        roles.ADJUSTER: list(meeting.adjusters),
    }
    if actor.bodies and actor.has_role(roles.SECRETARY):
        return True
    return any(actor.has_role(role) and actor.name in names for role, names in named.items())


__all__ = [
    "CASE_SECRET_FIELDS",
    "DOCUMENT_SECRET_FIELDS",
    "WITHHELD",
    "CaseSecrets",
    "is_secret",
    "marking_view",
    "may_read_case_secrets",
    "may_read_meeting_secrets",
    "may_read_secrets",
    "meeting_disclosures",
    "meeting_dnrs",
    "public_title",
    "redact_case",
    "redact_document",
    "redact_history",
    "redact_meeting",
    "redact_meeting_history",
    "secret_strings",
    "withheld_paths",
]
