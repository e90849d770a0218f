"""Helpers shared by the audit, feed and webhook tests."""

from __future__ import annotations

from datetime import date

import sqlalchemy

from diarium.cases.application import Diarium
from diarium.domain.actor import Actor
from diarium.domain.case.decisions import RecordDecision
from diarium.domain.case.documents import RegisterDocument
from diarium.domain.case.lifecycle import RegisterCase
from diarium.domain.case.terms import DecisionKind, Direction
from diarium.domain.migration import Migration

CLERK = Actor("registrator-anna", "req-1")
AUDITOR = Actor("revisor-bo", "req-2")


def register(diarium: Diarium, title: str = "Ärende", on: date = date(2020, 9, 1),
             by: Actor = CLERK) -> str:
    return diarium.register_case(
        RegisterCase(title=title, responsible_body="RS", registered_on=on), by
    ).dnr


def document(diarium: Diarium, dnr: str, on: date, text: str = "Skrivelse",
             by: Actor = CLERK) -> int:
    written = diarium.handle(
        RegisterDocument(
            dnr, direction=Direction.INCOMING, date=on, description=text, counterpart="Kommunen"
        ),
        by,
    )
    return written.position


def decide(diarium: Diarium, dnr: str, on: date, paragraph: int = 160,
           by: Actor = CLERK) -> int:
    written = diarium.handle(
        RecordDecision(
            dnr,
            kind=DecisionKind.DECIDED,
            text=f"Beslut § {paragraph}",
            decided_on=on,
            body="RS",
            paragraph=paragraph,
            historical=Migration("W3D3"),
        ),
        by,
    )
    return written.position


def execute(diarium: Diarium, sql: str, **params: object) -> None:
    """Edit the database by hand, as someone with direct access could."""
    with diarium.recorder.datastore.engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(sqlalchemy.text(sql), params)


def scalar(diarium: Diarium, sql: str, **params: object) -> object:
    with diarium.recorder.datastore.engine.connect() as conn:  # type: ignore[attr-defined]
        return conn.execute(sqlalchemy.text(sql), params).scalar()


def make_client(diarium: Diarium, roles: tuple[str, ...] = (
        "auditor", "service", "admin", "registrar")):  # type: ignore[no-untyped-def]
    """A test client on ``diarium``, carrying a bearer token with ``roles`` when the app
    authenticates requests (web/auth.py)."""
    from diarium.web import create_app

    app = create_app(diarium)
    client = app.test_client()
    tokens = app.extensions.get("diarium_tokens")
    if tokens is not None:
        tokens.create_table()
        token, _ = tokens.issue(name="test-revisor", roles=list(roles))
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client
