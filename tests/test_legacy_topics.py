"""Events stored before diarium became one import package (topics such as
``domain.events.case:CaseRegistered``) still read: the case, its history, the feed and the
registers (cases/store/topics.py). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.utils import resolve_topic

from diarium.cases.application import Diarium
from diarium.cases.outbound.feed import read_feed
from diarium.cases.store.topics import stored_topics
from diarium.domain.case.aggregate import Case
from diarium.domain.events.case import CaseRegistered
from diarium.projections.runner import Projector
from diarium.web.schemas.cases import EventSchema, event_view
from tests.audit_helpers import decide, document, execute, register, scalar
from tests.bodies_support import SETUP_EVENTS, diarium_with_bodies  # noqa: F401 (the fixture)
from tests.projections_support import snapshot


def _feed(app: Diarium, **kwargs: Any) -> list[dict[str, Any]]:
    """The feed after the bodies' set-up."""
    return [item.as_dict() for item in read_feed(app, after=SETUP_EVENTS, **kwargs).items]


def _rebuilt(app: Diarium) -> dict[str, Any]:
    projector = Projector(app)
    for name in projector.projections:
        projector.rebuild(name, grace=0)
    return snapshot(projector)


def test_legacy_topics_resolve_and_are_filtered_on() -> None:
    assert resolve_topic("domain.events.case:CaseRegistered") is CaseRegistered
    assert resolve_topic("cases.case:Case") is Case
    assert stored_topics([CaseRegistered]) == [
        "diarium.domain.events.case:CaseRegistered", "domain.events.case:CaseRegistered"]
    assert "cases.case:Case" in stored_topics([Case])


def test_events_stored_under_the_old_topics_still_read(diarium: Diarium, database_url: str) -> None:
    dnr = register(diarium, "Samlokalisering av verksamhet")
    document(diarium, dnr, date(2020, 9, 2))
    document(diarium, dnr, date(2020, 9, 3), "Yttrande")
    decide(diarium, dnr, date(2020, 10, 14))
    projector = Projector(diarium)
    projector.catch_up()
    registers = snapshot(projector)
    history = [event_view(e) for e in diarium.case_history(dnr)]
    assert [e["label"] for e in EventSchema(many=True).dump(history)] == [
        "Ärende registrerat", "Handling registrerad", "Handling registrerad",
        "Beslut registrerat"]
    feed = _feed(diarium)
    assert [i["type"] for i in feed] == [
        "case.registered", "case.document_registered", "case.document_registered",
        "case.decision_recorded"]

    # the spelling before the move: "domain.events.case:…" (the state, with its
    # originator_topic, is left as it was; the hash chain will flag the edit)
    execute(diarium, "UPDATE diarium_events SET topic = substr(topic, 9) "
                     "WHERE topic LIKE 'diarium.%'")
    total = scalar(diarium, "SELECT count(*) FROM diarium_events")
    assert scalar(diarium, "SELECT count(*) FROM diarium_events "
                           "WHERE topic LIKE 'domain.events.%'") == total
    assert scalar(diarium, "SELECT count(*) FROM diarium_events "
                           "WHERE topic = 'domain.events.case:CaseRegistered'") == 1

    fresh = Diarium(database_url)
    try:
        case = fresh.get_case(dnr)
        assert case.title == "Samlokalisering av verksamhet" and case.version == 4
        assert [d.description for d in case.documents] == ["Skrivelse", "Yttrande"]
        assert [d.text for d in case.decisions] == ["Beslut § 160"]
        assert [event_view(e) for e in fresh.case_history(dnr)] == history
        assert _feed(fresh) == feed
        assert _feed(fresh, types=["case.decision_recorded"]) == feed[-1:]
        rebuilt = _rebuilt(fresh)
        assert rebuilt == registers
        assert any(dnr in row for row in rebuilt["diary.case"])
        assert register(fresh, "Nästa ärende") == dnr.replace("1-", "2-", 1)
    finally:
        fresh.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
