"""What belongs to an event lives on its class (domain/events/base.py): every event class
declares a history label, what secrecy markings cover of it, the aggregate it belongs to and,
for a case event, its public feed type or that it is internal (meeting and body events may
declare a public type; others may not). This test names the event that
lacks one, so a new event cannot silently fall out of the lists derived from them."""

from __future__ import annotations

import re
import typing
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import pytest

from diarium.cases.outbound import feed
from diarium.domain import secrecy
from diarium.domain.events import EVENT_CLASSES, base
from diarium.domain.events.base import Covered, DiariumCreated, DiariumEvent, Public
from diarium.domain.events.case import CaseRegistered
from diarium.projections.registers.base import PREFETCH_COLUMNS

DOCS = Path(__file__).resolve().parent.parent / "docs" / "feed.md"
FEED_AGGREGATES = ("case", "meeting", "body")  # whose events may be published
ENTITIES = {
    entity
    for covers in (secrecy.CASE_MARKING, secrecy.DOCUMENT_MARKING)
    for by_entity in covers.values()
    for entity in by_entity
}


def event_classes() -> set[type]:
    """Every event class defined in domain/events (all subclasses of DiariumEvent there)."""
    found: set[type] = set()
    todo: list[type] = [DiariumEvent]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("diarium.domain.events.") and sub is not DiariumCreated:
                found.add(sub)
    return found


def problems(classes: Iterable[type]) -> list[str]:
    """What each event class lacks, one line naming the event per problem."""
    found = []
    for cls in sorted(classes, key=lambda c: c.__name__):
        own = vars(cls)
        name = cls.__name__
        if not isinstance(own.get("label"), str) or not own["label"].strip():
            found.append(f"{name}: no label (how it shows in a history)")
        covers = own.get("secrecy")
        if not isinstance(covers, Covered):
            found.append(f"{name}: no secrecy entity (Covered(...)), nor declared SAFE")
        elif covers.entity is not None and covers.entity not in ENTITIES:
            found.append(f"{name}: secrecy entity {covers.entity!r} is in no marking table")
        elif covers.within is not None and covers.within not in typing.get_type_hints(cls):
            found.append(f"{name}: secrecy list field {covers.within!r} is not a field")
        if getattr(cls, "aggregate", None) is None:
            found.append(f"{name}: no aggregate kind (list it in its module's events_of)")
        published = isinstance(own.get("public"), Public)
        if getattr(cls, "aggregate", None) == "case":
            if published == bool(own.get("internal")):
                found.append(f"{name}: a case event declares a public feed type or internal")
        elif published and getattr(cls, "aggregate", None) not in FEED_AGGREGATES:
            found.append(f"{name}: only case, meeting and body events are in the feed")
    return found


def test_every_event_class_declares_what_belongs_to_it() -> None:
    assert problems(event_classes()) == []
    assert event_classes() == set(EVENT_CLASSES)
    assert len(EVENT_CLASSES) == len(set(EVENT_CLASSES))


def test_an_event_without_its_declarations_is_named() -> None:
    class Undeclared(DiariumEvent):
        """An event someone forgot to describe."""

        number: int

    class NotPublished(CaseRegistered):
        label = "Ärende registrerat igen"
        secrecy = Covered("case")

    found = problems([Undeclared, NotPublished])
    assert [line.split(":")[0] for line in found] == ["NotPublished"] + ["Undeclared"] * 3
    assert "public feed type or internal" in found[0]


def test_the_derived_lists_follow_the_declarations() -> None:
    published = [cls for cls in EVENT_CLASSES if cls.public is not None]
    assert [t.event_class for t in feed.PUBLIC_TYPES] == published
    assert len(feed.BY_NAME) == len(published)
    assert all(t.name.startswith(("case.", "meeting.", "decision.", "body."))
               for t in feed.PUBLIC_TYPES)
    declared = {cls for cls in EVENT_CLASSES if cls.secrecy is not None}
    assert set(secrecy.EVENT_ENTITY) | set(secrecy.EVENT_ENTITY_LISTS) | secrecy.SAFE_EVENTS == (
        declared)
    kinds = {cls.aggregate for cls in EVENT_CLASSES}
    assert set(PREFETCH_COLUMNS) <= kinds


def test_docs_list_exactly_the_public_types() -> None:
    text = DOCS.read_text(encoding="utf-8")
    sections = re.split(r"^### `([a-z_.]+)`\n", text, flags=re.M)[1:]
    documented = dict(zip(sections[::2], sections[1::2], strict=True))
    assert list(documented) == [t.name for t in feed.PUBLIC_TYPES]
    for kind in feed.PUBLIC_TYPES:
        body = documented[kind.name]
        description = body.strip().split("\n\n")[0].replace("\n", " ")
        assert description == kind.description, kind.name
        rows = re.findall(r"^\| `(\w+)` \| ((?:array of )?\w+(?:\|null)?) \| (.*) \|$", body,
                          flags=re.M)
        assert {name: f"{json}: {meaning}" for name, json, meaning in rows} == kind.fields, (
            kind.name)
        assert [name for name, _, _ in rows] == list(kind.fields), kind.name


def test_the_payload_documentation_is_derived_from_the_fields() -> None:
    class Sampled(DiariumEvent):
        """An event whose fields say what they mean."""

        label = "Prov taget"
        secrecy = base.SAFE
        public = Public("case.sampled", "A sample was taken.",
                        extra={"cases": "array of object: x"},
                        about={"meeting": "string: the meeting"})

        kept: Annotated[str, base.UNPUBLISHED]
        number: Annotated[int, "sample number"]
        note: Annotated[str | None, "what was seen"]
        taken_on: Annotated[date, "the day"]
        checked_on: Annotated[date | None, "the day it was checked"]
        tags: Annotated[list[str], "labels"]
        counts: Annotated[list[int] | None, "how many"]
        found: Annotated[bool, "true when found"]
        extras: Annotated[dict[str, Any], "anything else"]

    assert base.payload_fields(Sampled) == {
        "meeting": "string: the meeting",
        "number": "integer: sample number",
        "note": "string|null: what was seen",
        "taken_on": "date: the day",
        "checked_on": "date|null: the day it was checked",
        "tags": "array of string: labels",
        "counts": "array of integer|null: how many",
        "found": "boolean: true when found",
        "extras": "object: anything else",
        "cases": "array of object: x",
    }
    assert list(base.payload_fields(Sampled))[:2] == ["meeting", "number"]
    assert list(base.payload_fields(Sampled))[-1] == "cases"


def test_a_published_field_without_a_meaning_is_named() -> None:
    class Unexplained(DiariumEvent):
        """An event someone forgot to document a field of."""

        label = "Oförklarat"
        secrecy = base.SAFE
        public = Public("case.unexplained", "Something happened.")

        number: Annotated[int, "its number"]
        secret: str

    with pytest.raises(TypeError, match=r"Unexplained\.secret"):
        base.payload_fields(Unexplained)
    with pytest.raises(TypeError):  # the payload's fields are the class's, not a third argument
        Public("case.unexplained", "Something happened.", {"number": "integer: its number"})


def test_annotated_event_fields_are_plain_fields_of_the_event() -> None:
    hints = typing.get_type_hints(CaseRegistered)
    assert hints["title"] is str and hints["unit"] == str | None
    assert "dnr" not in base.payload_fields(CaseRegistered)
    assert "dnr" in typing.get_type_hints(CaseRegistered)
