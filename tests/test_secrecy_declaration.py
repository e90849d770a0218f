"""The one declaration of what secrecy markings cover (domain/secrecy.py): every event class
is declared, and every field it names exists where it says."""

from __future__ import annotations

import dataclasses
import typing

from diarium.domain import secrecy
from diarium.domain.body.aggregate import DelegatedDecision
from diarium.domain.events.access import SecretContentRead, SecretReadLogOpened
from diarium.domain.events.body import BODY_EVENTS
from diarium.domain.events.case import CASE_EVENTS
from diarium.domain.events.meeting import MEETING_EVENTS
from diarium.domain.events.series import SequenceAllocated, SequenceClaimed, SeriesYearOpened
from diarium.domain.meeting import state as meeting_model

EVERY_EVENT = {
    *CASE_EVENTS, *MEETING_EVENTS, *BODY_EVENTS, SeriesYearOpened, SequenceAllocated,
    SequenceClaimed, SecretReadLogOpened, SecretContentRead,
}
# the entities' classes where content is shown from the aggregates (views, protocols)
MODELS = {
    "agenda_item": meeting_model.AgendaItem, "paragraph": meeting_model.Paragraph,
    "motion": meeting_model.Motion, "paragraph_decision": meeting_model.ParagraphDecision,
    "reservation": meeting_model.Reservation, "note": meeting_model.Note,
    "conflict": meeting_model.Conflict,
    "attachment": meeting_model.Attachment, "correction": meeting_model.Correction,
    "delegated_decision": DelegatedDecision,
}


def test_every_event_class_is_declared_exactly_once() -> None:
    declared = [*secrecy.EVENT_ENTITY, *secrecy.EVENT_ENTITY_LISTS, *secrecy.SAFE_EVENTS]
    assert len(declared) == len(set(declared))
    assert set(declared) == EVERY_EVENT


def test_every_covered_field_exists_on_its_event_and_its_model() -> None:
    entities: dict[str, set[str]] = {}
    for covers in (secrecy.CASE_MARKING, secrecy.DOCUMENT_MARKING):
        for by_entity in covers.values():
            for entity, fields in by_entity.items():
                entities.setdefault(entity, set()).update(fields)
    for cls, entity in secrecy.EVENT_ENTITY.items():
        hints = typing.get_type_hints(cls)
        assert entities[entity] - {"title"} <= set(hints) | {"title"}, (cls, entity)
        assert entities[entity] & set(hints), (cls, entity)  # it withholds something
    for entity, model in MODELS.items():
        names = {f.name for f in dataclasses.fields(model)}
        assert entities[entity] <= names, (entity, entities[entity] - names)


def test_a_marking_covers_what_it_names() -> None:
    assert secrecy.covered(["decisions"], "paragraph_decision") == {"text"}
    assert secrecy.covered(["title"], "paragraph") == {"title"}
    assert secrecy.covered(["counterpart"], "incoming_referral", secrecy.DOCUMENT_MARKING) == {
        "sender", "sender_reference"}
    assert secrecy.covered([], "decision") == set()
    assert secrecy.covered_by_case([], "Offentlig rubrik", "paragraph") == {"title"}
    assert secrecy.covered_by_case([], None, "paragraph") == set()
    assert secrecy.covered_by_case([], "Offentlig rubrik", "decision") == set()
