"""Tamper evidence: the hash chain, and hand edits of the database that it must reveal."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import date

import pytest

from diarium.cases.application import Diarium
from diarium.cases.outbound.chain_verification import verify_chain
from diarium.web.cli.main import main
from tests.audit_helpers import decide, document, execute, make_client, register, scalar
from tests.bodies_support import SETUP_EVENTS, diarium_with_bodies  # noqa: F401


@pytest.fixture
def client(diarium: Diarium):  # type: ignore[no-untyped-def]
    """A client whose token may use the audit, feed and webhook routes."""
    return make_client(diarium)


@pytest.fixture
def filled(diarium: Diarium) -> Diarium:
    for n in range(3):
        dnr = register(diarium, f"Ärende {n}")
        document(diarium, dnr, date(2020, 9, 2))
        document(diarium, dnr, date(2020, 9, 3))
        decide(diarium, dnr, date(2020, 10, 14), 160 + n)
    return diarium


def _state(diarium: Diarium, position: int) -> bytes:
    return bytes(scalar(diarium, "SELECT state FROM diarium_events WHERE id = :i", i=position))


def _kinds(report) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    return [(f.position, f.kind) for f in report.findings]


def test_an_untouched_log_verifies(filled: Diarium) -> None:
    report = verify_chain(filled)
    total = scalar(filled, "SELECT count(*) FROM diarium_events")
    assert report.ok and report.findings == []
    assert report.checked == total
    assert report.head_position == scalar(filled, "SELECT max(id) FROM diarium_events")
    assert scalar(filled, "SELECT count(*) FROM diarium_events_chain") == total


def test_an_altered_event_is_named(filled: Diarium) -> None:
    position = SETUP_EVENTS + 4  # the first document of 1-2020 (after the bodies: counter
    # opened, number taken, case)
    state = _state(filled, position).replace(b"Skrivelse", b"Skrivelsx")
    execute(filled, "UPDATE diarium_events SET state = :s WHERE id = :i", s=state, i=position)
    report = verify_chain(filled)
    assert _kinds(report) == [(position, "altered")]
    assert report.findings[0].case == "1-2020"


def test_a_changed_topic_is_named(filled: Diarium) -> None:
    execute(filled, "UPDATE diarium_events SET topic = 'diarium.domain.events.case:CaseClosed' "
                    "WHERE id = 5")
    assert _kinds(verify_chain(filled)) == [(5, "altered")]


def test_a_deleted_event_is_named(filled: Diarium) -> None:
    execute(filled, "DELETE FROM diarium_events WHERE id = 7")
    assert _kinds(verify_chain(filled)) == [(7, "removed")]


def test_an_event_deleted_with_its_link_is_named(filled: Diarium) -> None:
    execute(filled, "DELETE FROM diarium_events WHERE id = 5")
    execute(filled, "DELETE FROM diarium_events_chain WHERE id = 5")
    findings = verify_chain(filled).findings
    assert findings[0].position == 5 and findings[0].kind == "removed"
    assert {f.kind for f in findings} == {"removed"}


def test_an_event_inserted_by_hand_is_named(filled: Diarium) -> None:
    top = scalar(filled, "SELECT max(id) FROM diarium_events")
    execute(filled, "INSERT INTO diarium_events (id, originator_id, originator_version, topic, "
                    "state) SELECT :n, originator_id, 99, topic, state FROM diarium_events "
                    "WHERE id = 5", n=top + 1)
    assert _kinds(verify_chain(filled)) == [(top + 1, "inserted")]


def test_events_swapped_out_of_order_are_named(filled: Diarium) -> None:
    # versions 3 and 4 of the first case (positions 5 and 6) trade places
    execute(filled, "UPDATE diarium_events SET originator_version = 1000 WHERE id = 5")
    execute(filled, "UPDATE diarium_events SET originator_version = 3 WHERE id = 6")
    execute(filled, "UPDATE diarium_events SET originator_version = 4 WHERE id = 5")
    kinds = _kinds(verify_chain(filled))
    assert kinds == [(5, "altered"), (6, "altered")]


def test_an_edited_link_is_named(filled: Diarium) -> None:
    execute(filled, "UPDATE diarium_events_chain SET log_hash = :h WHERE id = 4", h="0" * 64)
    kinds = _kinds(verify_chain(filled))
    assert (4, "chain_altered") in kinds


def test_edited_audit_columns_are_named(filled: Diarium) -> None:
    execute(filled, "UPDATE diarium_events_chain SET actor = 'someone-else' WHERE id = 6")
    assert _kinds(verify_chain(filled)) == [(6, "chain_altered")]


def test_a_cut_off_tail_is_found_against_a_recorded_head(filled: Diarium) -> None:
    head = verify_chain(filled)
    assert verify_chain(filled, expect_head=(head.head_position, head.head_hash)).ok
    execute(filled, "DELETE FROM diarium_events WHERE id = :i", i=head.head_position)
    execute(filled, "DELETE FROM diarium_events_chain WHERE id = :i", i=head.head_position)
    assert verify_chain(filled).ok  # a chain alone cannot see its own end cut off...
    report = verify_chain(filled, expect_head=(head.head_position, head.head_hash))
    assert _kinds(report) == [(head.head_position, "truncated")]  # ...a recorded head can


def test_the_api_reports_findings(filled: Diarium) -> None:
    client = make_client(filled)
    assert client.get("/api/audit/verify").get_json()["ok"] is True
    execute(filled, "DELETE FROM diarium_events WHERE id = 7")
    body = client.get("/api/audit/verify").get_json()
    assert body["ok"] is False
    assert body["findings"][0]["position"] == 7 and body["findings"][0]["kind"] == "removed"
    for bad in ("expect_head=7", "expect_head=x:y", "expect_head=", "expect_position=3"):
        response = client.get(f"/api/audit/verify?{bad}")
        assert response.status_code == 400, bad
        assert response.content_type == "application/problem+json"
    head = body["head"]
    still = client.get(f"/api/audit/verify?expect_head={head['position']}:{head['log_hash']}")
    assert still.status_code == 200 and still.get_json()["ok"] is False


def test_the_command_exits_non_zero_on_tampering(filled: Diarium, database_url: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    main(["--database-url", database_url, "audit", "verify"])
    assert "chain intact" in capsys.readouterr().out
    first_document = SETUP_EVENTS + 4
    state = _state(filled, first_document).replace(b"Skrivelse", b"Skrivelsx")
    execute(filled, "UPDATE diarium_events SET state = :s WHERE id = :i", s=state,
            i=first_document)
    with pytest.raises(SystemExit) as exit_:
        main(["--database-url", database_url, "audit", "verify"])
    assert exit_.value.code == 1
    assert f"position {first_document}: altered" in capsys.readouterr().out


def test_concurrent_writers_do_not_fork_the_chain(diarium: Diarium, database_url: str) -> None:
    dnrs = [register(diarium, f"Ärende {n}") for n in range(4)]
    apps = [Diarium(database_url) for _ in dnrs]

    def write(app: Diarium, dnr: str) -> None:
        for day in range(2, 12):
            document(app, dnr, date(2020, 9, day))

    threads = [threading.Thread(target=write, args=pair) for pair in zip(apps, dnrs, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for app in apps:
        app.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
    report = verify_chain(diarium)
    assert report.ok, report.findings
    assert report.checked == scalar(diarium, "SELECT count(*) FROM diarium_events")


def _write_in_process(url: str, dnr: str) -> None:
    app = Diarium(url)
    for day in range(2, 12):
        document(app, dnr, date(2020, 9, day))


def test_writer_processes_do_not_fork_the_chain(diarium: Diarium, database_url: str) -> None:
    """Separate processes (gunicorn workers) share no Python lock: the database's must do."""
    dnrs = [register(diarium, f"Ärende {n}") for n in range(3)]
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_write_in_process, args=(database_url, d)) for d in dnrs]
    for p in processes:
        p.start()
    for p in processes:
        p.join(60)
        assert p.exitcode == 0
    report = verify_chain(diarium)
    assert report.ok, report.findings
    # the bodies, registrations (+ counter) and documents
    assert report.checked == SETUP_EVENTS + 3 * 2 + 3 * 10 + 1


def test_one_write_may_touch_any_number_of_aggregates(diarium: Diarium) -> None:
    """The chain heads are read in chunks: PostgreSQL caps a select list at 1,664 entries."""
    from uuid import uuid4

    from eventsourcing.persistence import StoredEvent

    register(diarium, "Ärende före")
    ids = [uuid4() for _ in range(2000)]
    for version in (1, 2):  # the second write must find every aggregate's own head
        diarium.recorder.insert_events([
            StoredEvent(originator_id=i, originator_version=version, topic="tests:Bulk",
                        state=b'{"n": %d}' % n)
            for n, i in enumerate(ids)
        ])
    report = verify_chain(diarium)
    assert report.ok, report.findings[:5]
    assert report.checked == scalar(diarium, "SELECT count(*) FROM diarium_events")
    assert scalar(diarium, "SELECT count(*) FROM diarium_events_chain") == report.checked
