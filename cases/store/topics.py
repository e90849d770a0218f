"""Stored topics of moved classes.

Until diarium became one import package, events were stored under topics such as
``domain.events.case:CaseRegistered`` and aggregates under ``cases.case:Case``. Stored events
never change, so those topics stay readable: :func:`register_legacy_topics` (run on import)
tells ``eventsourcing.utils.resolve_topic`` where each now lives, and :func:`stored_topics`
gives every topic a class may be stored under, for the queries that filter on topics.
"""

from __future__ import annotations

from collections.abc import Iterable

from eventsourcing.utils import get_topic, register_topic

import diarium.domain
from diarium.domain.body.aggregate import Body
from diarium.domain.body.paragraph_year import ParagraphYear
from diarium.domain.case.aggregate import Case
from diarium.domain.meeting.aggregate import Meeting
from diarium.domain.secret_reads import SecretReads
from diarium.domain.series import SeriesYear

PACKAGE = "diarium."
LEGACY_MODULES = {"domain": diarium.domain}  # domain.events.case:X → diarium.domain.events…
LEGACY_CLASSES: dict[str, type] = {
    "cases.case:Case": Case,
    "cases.meeting:Meeting": Meeting,
    "cases.body:Body": Body,
    "cases.body:ParagraphYear": ParagraphYear,
    "cases.series:SeriesYear": SeriesYear,
    "cases.secrecy_service:SecretReads": SecretReads,
}


def register_legacy_topics() -> None:
    """Make the topics stored before the move resolve to today's modules and classes."""
    for topic, obj in (*LEGACY_MODULES.items(), *LEGACY_CLASSES.items()):
        register_topic(topic, obj)


def stored_topics(classes: Iterable[type]) -> list[str]:
    """Every topic under which events or aggregates of ``classes`` may be stored, sorted."""
    topics: set[str] = set()
    for cls in classes:
        topic = get_topic(cls)
        topics.add(topic)
        if topic.startswith(PACKAGE + "domain."):
            topics.add(topic.removeprefix(PACKAGE))
        topics.update(old for old, moved in LEGACY_CLASSES.items() if moved is cls)
    return sorted(topics)


register_legacy_topics()
