"""The pull feed: positions, filters, the public payload contract, long poll and SSE."""

from __future__ import annotations

import json
import threading
import time
from datetime import date

import pytest

from diarium.cases.application import Diarium
from diarium.cases.outbound import feed
from diarium.domain.case.secrecy import LiftSecrecy, MarkDocumentSecret, MarkSecret
from tests.audit_helpers import CLERK, decide, document, make_client, register
from tests.bodies_support import SETUP_EVENTS, establish_bodies


@pytest.fixture
def client(diarium: Diarium):  # type: ignore[no-untyped-def]
    """A client whose token may use the audit, feed and webhook routes."""
    return make_client(diarium)


def _fill(diarium: Diarium) -> list[str]:
    dnrs = []
    establish_bodies(diarium)  # the tests read the feed after these (SETUP_EVENTS)
    for n in range(3):
        dnr = register(diarium, f"Ärende {n}")
        document(diarium, dnr, date(2020, 9, 2))
        decide(diarium, dnr, date(2020, 10, 14), 160 + n)
        dnrs.append(dnr)
    return dnrs


def test_the_feed_lists_contract_events_in_order(client, diarium: Diarium) -> None:  # type: ignore[no-untyped-def]
    dnrs = _fill(diarium)
    body = client.get(f"/api/feed?after={SETUP_EVENTS}").get_json()
    items = body["items"]
    assert [i["type"] for i in items[:3]] == [
        "case.registered", "case.document_registered", "case.decision_recorded"]
    assert len(items) == 9  # the dnr counter's events are internal and skipped
    positions = [i["position"] for i in items]
    assert positions == sorted(positions) and body["next_after"] == body["head"] == positions[-1]
    decision = items[2]
    assert decision["case"] == dnrs[0] and decision["business_date"] == "2020-10-14"
    assert decision["payload"] == {
        "number": 1, "kind": "decided", "text": "Beslut § 160", "body": "RS", "paragraph": 160,
        "higher_body": None, "delegate": None, "delegation_point": None,
        "historical_source": "W3D3",
    }
    assert decision["actor"] == CLERK.name
    text = json.dumps(body)
    assert "domain." not in text and "originator" not in text and "diarium.domain.case" not in text


def test_every_public_type_documents_exactly_its_payload() -> None:
    for kind in feed.PUBLIC_TYPES:
        event_fields = set(kind.event_class.__dataclass_fields__)
        assert set(kind.fields) <= event_fields | feed.ADDED_FIELDS, kind.name
        undocumented = event_fields - set(kind.fields) - {
            "originator_id", "originator_version", "timestamp", "originator_topic", "actor",
            "request_id", "occurred_on", "dnr"}
        assert not undocumented, (kind.name, undocumented)


def test_after_limit_and_types(client, diarium: Diarium) -> None:  # type: ignore[no-untyped-def]
    _fill(diarium)
    first = client.get(f"/api/feed?after={SETUP_EVENTS}&limit=2").get_json()
    assert len(first["items"]) == 2
    rest = client.get(f"/api/feed?after={first['next_after']}&limit=100").get_json()
    assert len(first["items"]) + len(rest["items"]) == 9
    decisions = client.get("/api/feed?types=case.decision_recorded").get_json()
    assert [i["payload"]["paragraph"] for i in decisions["items"]] == [160, 161, 162]
    both = client.get("/api/feed?types=case.decision_recorded,case.registered&limit=4")
    assert [i["type"] for i in both.get_json()["items"]] == [
        "case.registered", "case.decision_recorded", "case.registered",
        "case.decision_recorded"]
    last = decisions["items"][-1]["position"]
    empty = client.get(f"/api/feed?after={last}&types=case.decision_recorded").get_json()
    assert empty["items"] == [] and empty["next_after"] == last


def test_bad_parameters_are_400_with_invalid_params(client, diarium: Diarium) -> None:  # type: ignore[no-untyped-def]
    for query, names in [
        ("after=-1", {"after"}), ("after=x", {"after"}), ("limit=0", {"limit"}),
        ("limit=5000", {"limit"}), ("types=case.nonsense", {"types"}),
        ("wait=31", {"wait"}), ("wait=soon", {"wait"}), ("bogus=1", {"bogus"}),
        ("after=1&after=2", {"after"}), ("limit=0&wait=-1", {"limit", "wait"}),
    ]:
        response = client.get(f"/api/feed?{query}")
        assert response.status_code == 400, query
        assert response.content_type == "application/problem+json"
        assert {p["name"] for p in response.get_json()["invalid-params"]} == names, query


def test_pages_name_the_head_and_a_position_beyond_it_is_a_409(client, diarium: Diarium) -> None:  # type: ignore[no-untyped-def]
    empty = client.get("/api/feed")
    assert empty.get_json() == {"items": [], "next_after": 0, "head": 0}
    assert empty.headers["X-Diarium-Head"] == "0"
    _fill(diarium)
    page = client.get("/api/feed?limit=2")
    head = diarium.recorder.max_notification_id()
    assert page.get_json()["head"] == head and page.headers["X-Diarium-Head"] == str(head)
    assert page.get_json()["next_after"] < head
    # at the head: up to date, an empty page
    at_head = client.get(f"/api/feed?after={head}")
    assert at_head.status_code == 200 and at_head.headers["X-Diarium-Head"] == str(head)
    assert at_head.get_json() == {"items": [], "next_after": head, "head": head}
    # beyond it: the stored position is not this log's; said at once, even on a long poll
    for query in (f"after={head + 1}", f"after={head + 1000}&wait=10&types=case.closed"):
        started = time.monotonic()
        beyond = client.get(f"/api/feed?{query}")
        assert time.monotonic() - started < 5
        assert beyond.status_code == 409, query
        assert beyond.content_type == "application/problem+json"
        problem = beyond.get_json()
        assert problem["type"] == "/problems/position-beyond-head"
        assert problem["head"] == head and beyond.headers["X-Diarium-Head"] == str(head)
        assert [p["name"] for p in problem["invalid-params"]] == ["after"]
        assert str(head) in problem["detail"]
    assert client.get("/problems/position-beyond-head").status_code == 200
    # the stream too, named by where the position came from
    stream = client.get(f"/api/feed/stream?after={head + 1}&timeout=0.1")
    assert stream.status_code == 409
    assert stream.get_json()["invalid-params"][0]["name"] == "after"
    resumed = client.get("/api/feed/stream?timeout=0.1",
                         headers={"Last-Event-ID": str(head + 5)})
    assert resumed.status_code == 409
    assert resumed.get_json()["invalid-params"][0]["name"] == "Last-Event-ID"
    ok = client.get(f"/api/feed/stream?after={head}&timeout=0.1")
    assert ok.status_code == 200 and ok.headers["X-Diarium-Head"] == str(head)


def test_the_contract_is_published(client) -> None:  # type: ignore[no-untyped-def]
    types = client.get("/api/feed/types").get_json()
    assert {t["type"] for t in types} == set(feed.BY_NAME)
    decision = next(t for t in types if t["type"] == "case.decision_recorded")
    assert "paragraph" in decision["fields"]


def test_a_long_poll_returns_as_soon_as_an_event_is_written(client, diarium: Diarium) -> None:  # type: ignore[no-untyped-def]
    dnr = register(establish_bodies(diarium))
    head = client.get("/api/feed").get_json()["next_after"]
    timer = threading.Timer(0.5, lambda: decide(diarium, dnr, date(2020, 10, 14)))
    started = time.monotonic()
    timer.start()
    body = client.get(f"/api/feed?after={head}&wait=10&types=case.decision_recorded")
    waited = time.monotonic() - started
    timer.join()
    assert [i["type"] for i in body.get_json()["items"]] == ["case.decision_recorded"]
    assert 0.4 < waited < 5  # woke up for the event, not at the deadline
    nothing = client.get(f"/api/feed?after={body.get_json()['next_after']}&wait=0.3")
    assert nothing.get_json()["items"] == []


def test_server_sent_events_stream_new_events(client, diarium: Diarium) -> None:  # type: ignore[no-untyped-def]
    _fill(diarium)
    response = client.get("/api/feed?types=case.decision_recorded&timeout=0.5",
                          headers={"Accept": "text/event-stream"})
    assert response.mimetype == "text/event-stream"
    text = response.get_data(as_text=True)
    frames = [f for f in text.split("\n\n") if f.startswith("id:")]
    assert len(frames) == 3
    lines = dict(line.split(": ", 1) for line in frames[0].splitlines())
    assert lines["event"] == "case.decision_recorded"
    assert json.loads(lines["data"])["position"] == int(lines["id"])
    resumed = client.get("/api/feed/stream?timeout=0.3&types=case.decision_recorded",
                         headers={"Last-Event-ID": lines["id"]}).get_data(as_text=True)
    assert resumed.count("\nevent: case.decision_recorded") == 2
    bad = client.get("/api/feed/stream?timeout=0.1", headers={"Last-Event-ID": "x"})
    assert bad.status_code == 400


def test_secret_content_never_reaches_the_feed(client, diarium: Diarium) -> None:  # type: ignore[no-untyped-def]

    open_, secret = _fill(diarium)[:2]
    diarium.handle(MarkDocumentSecret(open_, 1, statute="OSL 21:1", marking_body="RS",
                                                      fields=["counterpart"]), CLERK)
    diarium.handle(MarkSecret(secret, statute="OSL 25:1", marking_body="RS"), CLERK)
    items = client.get("/api/feed").get_json()["items"]
    by_case = {(i["case"], i["type"]): i for i in items}
    document_ = by_case[(open_, "case.document_registered")]
    assert document_["payload"]["counterpart"] is None and document_["withheld"] == [
        "counterpart"]
    assert document_["payload"]["description"] == "Skrivelse"
    registered = by_case[(secret, "case.registered")]
    assert registered["payload"]["title"] is None and "title" in registered["withheld"]
    assert by_case[(secret, "case.decision_recorded")]["payload"]["text"] is None
    assert "Ärende 1" not in json.dumps(items, ensure_ascii=False)
    assert by_case[(open_, "case.registered")]["payload"]["title"] == "Ärende 0"
    diarium.handle(LiftSecrecy(secret), CLERK)
    again = client.get("/api/feed?types=case.registered").get_json()["items"]
    assert [i["payload"]["title"] for i in again] == ["Ärende 0", "Ärende 1", "Ärende 2"]
