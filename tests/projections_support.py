"""Helpers for the projection tests: a deterministic mixed store and table snapshots."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, text

from diarium.cases.application import Diarium
from diarium.domain.actor import Actor
from diarium.domain.aggregate import DiariumAggregate
from diarium.domain.case.decisions import RecordDecision, RecordExtractSent
from diarium.domain.case.documents import RegisterDocument
from diarium.domain.case.incoming_referrals import (
    AnswerIncomingReferral,
    DeclineIncomingReferral,
    ExtendIncomingReferral,
    ReceiveIncomingReferral,
)
from diarium.domain.case.lifecycle import (
    AssignOfficer,
    CancelCase,
    CloseCase,
    RegisterCase,
    ReopenCase,
)
from diarium.domain.case.referrals import RegisterReferralAnswer, SendReferral
from diarium.domain.case.terms import DecisionKind, Direction
from diarium.domain.events import meeting as mev
from diarium.domain.meeting.terms import meeting_id
from diarium.domain.migration import Migration
from diarium.projections.runner import Projector

ACTOR = Actor("test.registrator", "req-test")


class MeetingFixture(DiariumAggregate):
    """Records meeting events as the meeting module does, without its rules (the registers
    only read the events)."""

    @classmethod
    def schedule(cls, ref: str, body: str, day: date) -> MeetingFixture:
        return cls._create_by(
            mev.MeetingScheduled, id=meeting_id(ref), ref=ref, body=body, meeting_date=day,
            session=1, place=None, starts_at=None, occurred_on=day, by=ACTOR,
        )

    def record(self, event_class: type, day: date, **fields: Any) -> None:
        self.trigger_event(event_class, occurred_on=day, by=ACTOR, **fields)

    def when(self, event: Any) -> None:
        pass


def decide(diarium: Diarium, dnr: str, text: str, day: date, **by: Any) -> None:
    """Record a decision (beslut) on the case ``dnr``: by a body (``body``, ``paragraph``)
    or by a delegate (``delegate``, ``delegation_point``)."""
    historical = Migration("W3D3") if "body" in by else None  # no meeting in these tests
    diarium.handle(
        RecordDecision(dnr, DecisionKind.DECIDED, text, day, **by, historical=historical), ACTOR
    )


def fill(diarium: Diarium, cases: int, start: date = date(2020, 1, 2)) -> list[str]:
    """Register ``cases`` cases with a deterministic mix of everything that happens to them."""
    dnrs = []
    for i in range(cases):
        day = start + timedelta(days=i % 300)
        dnr = diarium.register_case(
            RegisterCase(
                title=f"Ärende {i}: samlokalisering av verksamhet {i % 7}",
                responsible_body=("RS", "HSN", "RUN")[i % 3], registered_on=day,
                officer=None if i % 4 == 0 else f"Handläggare {i % 5}",
                public_title="Skyddad titel" if i % 9 == 0 else None,
            ),
            ACTOR,
        ).dnr
        dnrs.append(dnr)
        for n in range(i % 3):
            diarium.handle(
                RegisterDocument(
                    dnr,
                    Direction.INCOMING,
                    day,
                    f"Skrivelse {n} om lokaler",
                    counterpart="Luleå kommun",
                ),
                ACTOR,
            )
        if i % 4 == 1:
            diarium.handle(
                SendReferral(dnr, ["HSN", "RUN"], answer_by=day + timedelta(days=20), sent_on=day),
                ACTOR,
            )
            diarium.handle(RegisterReferralAnswer(dnr, 1, "HSN", answered_on=day), ACTOR)
        if i % 7 == 4:  # a referral sent to us: answered, declined or still open
            letter = (
                diarium.handle(
                    RegisterDocument(
                        dnr,
                        Direction.INCOMING,
                        day,
                        "Remiss om vårdlokaler",
                        counterpart="Socialdepartementet",
                    ),
                    ACTOR,
                )
                .case.documents[-1]
                .number
            )
            diarium.handle(
                ReceiveIncomingReferral(
                    dnr,
                    "Socialdepartementet",
                    answer_by=day + timedelta(days=30),
                    document_number=letter,
                    sender_reference=f"S2020/{i:05}",
                ),
                ACTOR,
            )
            if i % 14 == 4:
                answer = (
                    diarium.handle(
                        RegisterDocument(
                            dnr,
                            Direction.OUTGOING,
                            day,
                            "Yttrande över remiss",
                            counterpart="Socialdepartementet",
                        ),
                        ACTOR,
                    )
                    .case.documents[-1]
                    .number
                )
                diarium.handle(AnswerIncomingReferral(dnr, 1, answer), ACTOR)
            elif i % 28 == 11:  # the sender grants an extension (anstånd)
                diarium.handle(ExtendIncomingReferral(dnr, 1, day + timedelta(days=60), day), ACTOR)
            elif i % 28 == 25:
                diarium.handle(DeclineIncomingReferral(dnr, 1, "Berör inte regionen", day), ACTOR)
        if i % 5 == 2:
            decide(diarium, dnr, "Beslutar enligt förslaget.", day, body="RS", paragraph=i + 1)
            diarium.handle(RecordExtractSent(dnr, 1, "Regiondirektör", day), ACTOR)
        if i % 6 == 3:
            diarium.handle(AssignOfficer(dnr, "Ny handläggare", day), ACTOR)
        if i % 8 == 5:
            diarium.handle(CloseCase(dnr, day), ACTOR)
            if i % 16 == 5:
                diarium.handle(ReopenCase(dnr, "Nya uppgifter", day), ACTOR)
        if i % 11 == 7 and i % 5 != 2 and i % 8 != 5:
            diarium.handle(CancelCase(dnr, "Felregistrerad", day), ACTOR)
    meeting = MeetingFixture.schedule("RS-2020-03-04", "RS", date(2020, 3, 4))
    meeting.record(mev.AttendanceRecorded, date(2020, 3, 4), chair="Anna", secretary=None,
                   attendees=[{"name": "Bo Berg", "party": "M"}])
    meeting.record(mev.ParagraphRecorded, date(2020, 3, 4), number=3, title="Ärende",
                   dnr=dnrs[2], agenda_item=None, sections=[])
    meeting.record(mev.ParagraphDecided, date(2020, 3, 4), paragraph=3, kind="decided",
                   text="Beslutar enligt förslaget.", higher_body=None, case_decision_number=1)
    meeting.record(mev.ReservationEntered, date(2020, 3, 4), paragraph=3, member="Bo Berg",
                   reason=None)
    meeting.record(mev.ExtractRecipientsListed, date(2020, 3, 4), paragraph=3,
                   recipients=["Regiondirektör", "Ekonomidirektör"])
    meeting.record(mev.ProtocolAdjusted, date(2020, 3, 10), signed_by=["Anna"], late=False)
    meeting.record(mev.ProtocolPosted, date(2020, 3, 11), paragraph=None, late=False)
    diarium.save(meeting)
    return dnrs


def filled(diarium: Diarium, cases: int, today: date) -> Diarium:
    """``diarium`` with ``cases`` cases (:func:`fill`), its today fixed at ``today``."""
    diarium.today = lambda: today
    fill(diarium, cases)
    return diarium


def snapshot(projector: Projector) -> dict[str, Any]:
    """Every row of every active register table (and SQLite's search index), in key order."""
    found: dict[str, Any] = {}
    with projector.engine.connect() as conn:
        for name, projection in projector.projections.items():
            generation, position = projector.active_generation(name)
            found[f"{name}.position"] = position
            for table_name, spec in projection.specs(generation).items():
                table = spec.table
                columns = [c for c in table.c if c.name != "search_vector"]
                rows = conn.execute(
                    select(*columns).order_by(*(table.c[k] for k in spec.key))
                ).all()
                found[f"{name}.{table_name}"] = [tuple(r) for r in rows]
            if projector.dialect == "sqlite" and name == "diary":
                fts = f"{projection.table('case', generation).name}_fts"
                found["diary.fts"] = [
                    tuple(r)
                    for r in conn.execute(text(f"SELECT rowid, * FROM {fts} ORDER BY rowid"))
                ]
    return found


def handled_events(projector: Projector, name: str) -> int:
    """How many events in the log the projection handles (each must be applied once)."""
    projection = projector.projections[name]
    topics = projection.topics()
    table = projector.events_table
    with projector.engine.connect() as conn:
        return len(conn.execute(select(table.c.id).where(table.c.topic.in_(topics))).all())


def authorized(app: Any, roles: tuple[str, ...] = ("registrar",), name: str | None = None):  # type: ignore[no-untyped-def]
    """A test client of ``app`` carrying a bearer token with ``roles`` (web/auth.py); a live
    token's name is unique, so without ``name`` each client gets a name of its own."""
    client = app.test_client()
    tokens = app.extensions.get("diarium_tokens")
    if tokens is not None:
        tokens.create_table()
        name = name or f"test.registrator.{uuid.uuid4().hex[:8]}"
        token, _ = tokens.issue(name=name, roles=list(roles))
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def case_with_incoming_referral(
    diarium: Any, sender: str, received: date, answer_by: date, reference: str | None = None
) -> str:
    """A case whose incoming letter from ``sender`` is an incoming referral; its dnr."""
    by = Actor("registrator", "req")
    dnr = diarium.register_case(RegisterCase("Remiss", "RS", registered_on=received), by).dnr
    diarium.handle(RegisterDocument(dnr, Direction.INCOMING, received, "Remiss", sender), by)
    diarium.handle(
        ReceiveIncomingReferral(
            dnr, sender, answer_by=answer_by, document_number=1, sender_reference=reference
        ),
        by,
    )
    return dnr


def register_reader(diarium: Diarium) -> tuple[Projector, Callable[..., list[dict[str, Any]]]]:
    """A projector caught up on ``diarium``, and a reader of register pages as an auditor:
    ``items("referrals", status="overdue")`` (each page must answer 200)."""
    from diarium.web import create_app

    projector = Projector(diarium, batch_size=3)
    projector.catch_up()
    client = authorized(create_app(diarium), roles=("auditor",))

    def items(register: str, **params: Any) -> list[dict[str, Any]]:
        response = client.get(f"/api/registers/{register}", query_string=params)
        assert response.status_code == 200, response.get_json()
        return response.get_json()["items"]  # type: ignore[no-any-return]

    return projector, items
