"""Encryption at rest: with DIARIUM_CIPHER_KEY the stored event payloads are AES-encrypted
(ids, versions and topics stay plaintext), and the application reads them as usual."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy
from eventsourcing.cipher import AESCipher

from diarium.cases.application import Diarium
from diarium.cases.store.persistence import CIPHER_KEY_VARIABLE
from diarium.domain.actor import Actor
from diarium.domain.case.lifecycle import RegisterCase
from tests.bodies_support import diarium_with_bodies, establish_bodies  # noqa: F401 (the fixture)

TITLE = "Klartextkontroll av ärendemening"


def _stored(url: str) -> list[tuple[str, bytes]]:
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as connection:
            names = sqlalchemy.inspect(connection).get_table_names()
            table = next(n for n in names if n.endswith("events") and "chain" not in n)
            rows = connection.execute(sqlalchemy.text(f"SELECT topic, state FROM {table}"))
            return [(topic, bytes(state)) for topic, state in rows]
    finally:
        engine.dispose()


@pytest.mark.parametrize("encrypted", [True, False])
def test_payloads_are_encrypted_at_rest(
    database_url: str, monkeypatch: Any, encrypted: bool
) -> None:
    if encrypted:
        monkeypatch.setenv(CIPHER_KEY_VARIABLE, AESCipher.create_key(32))
    diarium = establish_bodies(Diarium(database_url, create_tables=True))
    try:
        dnr = diarium.register_case(
            RegisterCase(title=TITLE, responsible_body="RS"), Actor("anna")
        ).dnr
        assert diarium.get_case(dnr).title == TITLE
        fresh = Diarium(database_url, env={"AGGREGATE_CACHE_MAXSIZE": "0"})
        assert fresh.get_case(dnr).title == TITLE  # decrypted from the rows
        fresh.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
    finally:
        diarium.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]

    rows = _stored(database_url)
    assert any(topic.endswith(":CaseRegistered") for topic, _ in rows)  # types stay plaintext
    plaintext = [state for _, state in rows if TITLE.encode() in state or b"anna" in state]
    assert (plaintext == []) is encrypted

    if encrypted:  # another key cannot read it
        monkeypatch.setenv(CIPHER_KEY_VARIABLE, AESCipher.create_key(32))
        other = Diarium(database_url, env={"AGGREGATE_CACHE_MAXSIZE": "0"})
        try:
            with pytest.raises(ValueError):
                other.get_case(dnr)
        finally:
            other.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
