"""What a secrecy marking covers (OSL 5:2, 5:5), declared once for every path that shows content.

A case marking names some of :data:`CASE_FIELDS`; a document marking some of
:data:`DOCUMENT_FIELDS`. Each marked field covers fields of *entities*, wherever those are shown:
the case view, its history, registers, search, the feed, webhooks, exports, meetings, protocols
and bodies' lists of delegated decisions. :data:`CASE_MARKING` and :data:`DOCUMENT_MARKING` say
which. Each event class declares which entity its data is, or that it carries nothing a marking
covers (its ``secrecy``, domain/events/); :data:`EVENT_ENTITY`, :data:`EVENT_ENTITY_LISTS` and
:data:`SAFE_EVENTS` are derived from those declarations (tests/test_secrecy_declaration.py and
tests/test_event_metadata.py fail when an event class declares none, so a new event cannot
silently fall out).

A title is also withheld where a public title is given (the public title replaces it).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from diarium.domain.events import EVENT_CLASSES
from diarium.domain.events.base import SAFE, Covered

WITHHELD = "[sekretess]"  # stands in for a withheld text that a view requires

CASE_FIELDS = ("title", "origin", "documents", "proposals", "decisions")
DOCUMENT_FIELDS = ("counterpart", "description")

Covers = dict[str, dict[str, tuple[str, ...]]]  # marked field -> entity -> its fields withheld

# A document's file: what could tell of its content (its name, and its hash, which would
# confirm a guess). Any marking of the document's fields, or of the case's documents, covers
# them and the content itself (the bytes and their text: downloads and search, see
# content_withheld): a letter's text holds both its sender and what it concerns.
FILE_FIELDS = ("file_name", "sha256")

CASE_MARKING: Covers = {
    "title": {
        "case": ("title",),
        "agenda_item": ("title",),
        "paragraph": ("title",),
    },
    "origin": {"case": ("origin",)},
    "documents": {
        "document": ("counterpart", "description"),
        "incoming_referral": ("sender", "sender_reference"),  # the sender of its letter
        "attachment": ("title",),
        "file": FILE_FIELDS,
    },
    "proposals": {
        "proposal": ("points", "summary", "justification"),
        "paragraph": ("sections",),  # the matter as presented (ärendebeskrivning)
        "motion": ("text",),
    },
    "decisions": {
        "decision": ("text",),
        "paragraph_decision": ("text",),
        "delegated_decision": ("text",),
        "reservation": ("reason",),
        "conflict": ("note",),  # the fact of jäv is public; what a note says of the case not
        "note": ("text",),
        "correction": ("corrects", "text"),
    },
}

DOCUMENT_MARKING: Covers = {  # for the marked document, and what refers to it
    "counterpart": {
        "document": ("counterpart",),
        "incoming_referral": ("sender", "sender_reference"),
        "file": FILE_FIELDS,
    },
    "description": {
        "document": ("description",), "attachment": ("title",), "file": FILE_FIELDS,
    },
}

# What a withheld field becomes; any other text becomes WITHHELD. A title becomes the public
# title (see public_title).
BLANK: dict[str, Any] = {
    "origin": None,
    "counterpart": None,
    "sender": None,
    "sender_reference": None,
    "file_name": None,
    "sha256": None,
    "justification": None,
    "points": [],
    "sections": [],
}


def _declared() -> Iterator[tuple[type, Covered]]:
    """Each event class with what it declares secrecy covers of it (domain/events/base.py)."""
    for cls in EVENT_CLASSES:
        if cls.secrecy is not None:
            yield cls, cls.secrecy


EVENT_ENTITY: dict[type, str] = {
    cls: c.entity for cls, c in _declared() if c.entity is not None and c.within is None
}
# Events whose data is a list of entities of one kind: the list's field and the entity.
EVENT_ENTITY_LISTS: dict[type, tuple[str, str]] = {
    cls: (c.within, c.entity) for cls, c in _declared()
    if c.entity is not None and c.within is not None
}
SAFE_EVENTS: frozenset[type] = frozenset(cls for cls, c in _declared() if c == SAFE)

EVENTS_BY_NAME: dict[str, type] = {
    cls.__name__: cls for cls in (*EVENT_ENTITY, *EVENT_ENTITY_LISTS, *SAFE_EVENTS)
}


def covered(marked: Iterable[str], entity: str, covers: Covers = CASE_MARKING) -> set[str]:
    """The fields of ``entity`` that a marking of the fields ``marked`` covers."""
    found: set[str] = set()
    for name in marked:
        found.update(covers.get(name, {}).get(entity, ()))
    return found


def blank(field: str, public_title: str) -> Any:
    """What the withheld ``field`` is shown as."""
    if field == "title":
        return public_title
    return BLANK.get(field, WITHHELD)


def public_title(given: str | None, statute: str | None) -> str:
    """The title shown to those who may not read a case's title."""
    return given or f"{WITHHELD} {statute or ''}".strip()


def withhold_fields(item: Any, fields: Iterable[str], title: str) -> list[str]:
    """Replace ``fields`` of ``item`` (a dict or a dataclass, in place) where it has them with
    what is shown instead (:func:`blank`); the names replaced."""
    if isinstance(item, dict):
        done = sorted(f for f in set(fields) if f in item)
        for name in done:
            item[name] = blank(name, title)
        return done
    done = sorted(f for f in set(fields) if hasattr(item, f))
    for name in done:
        setattr(item, name, blank(name, title))
    return done


def covered_by_case(
    marked: Iterable[str], given_public_title: str | None, entity: str
) -> set[str]:
    """The fields of ``entity`` a case's marking (``marked``) withholds, with the title a
    public title replaces where one is given."""
    fields = covered(marked, entity)
    if given_public_title is not None:
        fields.update(CASE_MARKING["title"].get(entity, ()))
    return fields


def content_withheld(covers: Iterable[str]) -> bool:
    """Whether the markings that cover these fields of a file (``covers``) withhold its
    content too: any marking that covers a file covers its bytes and their text, which may
    then not be downloaded nor searched by a reader without access."""
    return bool(set(covers))
