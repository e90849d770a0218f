"""Point in time: a case at a version, as known at a moment, as of a business date; registers
as of a date; full history across cases; the archive export."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree

from diarium.cases.application import Diarium
from diarium.cases.outbound import audit, erms, export
from diarium.domain.case.lifecycle import CloseCase
from tests.archive_support import assert_valid_erms, erms_schema
from tests.audit_helpers import (
    AUDITOR,
    CLERK,
    decide,
    document,
    execute,
    make_client,
    register,
    scalar,
)
from tests.bodies_support import diarium_with_bodies  # noqa: F401 (the fixture)


@pytest.fixture
def client(diarium: Diarium):  # type: ignore[no-untyped-def]
    """A client whose token may use the audit, feed and webhook routes."""
    return make_client(diarium)


@pytest.fixture
def story(diarium: Diarium) -> dict[str, object]:
    """1-2020: registered 2020-09-01, a letter of 09-05, decided 10-14, and a late entry:
    a letter dated 09-03 recorded after the decision."""
    dnr = register(diarium, "Remiss om vägplan")
    document(diarium, dnr, date(2020, 9, 5), "Brev 1")
    decide(diarium, dnr, date(2020, 10, 14), 163)
    document(diarium, dnr, date(2020, 9, 3), "Brev sent registrerat", by=AUDITOR)
    other = register(diarium, "Delårsrapport", on=date(2020, 10, 20))
    decide(diarium, other, date(2020, 11, 2), 170)
    return {"dnr": dnr, "other": other, "history": diarium.case_history(dnr)}


def test_a_case_at_a_version(diarium: Diarium, story: dict) -> None:  # type: ignore[type-arg]
    case = audit.case_as_of(diarium, story["dnr"], version=2)
    assert case.version == 2 and len(case.documents) == 1 and not case.decisions


def test_a_case_as_known_at_a_moment(diarium: Diarium, story: dict) -> None:  # type: ignore[type-arg]
    third = story["history"][2]  # the decision
    just_before = third.timestamp - timedelta(microseconds=1)
    assert audit.case_as_of(diarium, story["dnr"], at=just_before).version == 2
    assert audit.case_as_of(diarium, story["dnr"], at=third.timestamp).version == 3
    with pytest.raises(audit.CaseNotYetKnown):
        audit.case_as_of(diarium, story["dnr"],
                         at=story["history"][0].timestamp - timedelta(seconds=1))


def test_a_case_as_of_a_business_date(diarium: Diarium, story: dict) -> None:  # type: ignore[type-arg]
    by_0904 = audit.case_as_of(diarium, story["dnr"], occurred_by=date(2020, 9, 4))
    # the late-recorded letter of 09-03 had happened by 09-04; the 09-05 letter had not
    assert [d.description for d in by_0904.documents] == ["Brev sent registrerat"]
    known_then = audit.case_as_of(diarium, story["dnr"], occurred_by=date(2020, 9, 4),
                                  version=3)
    assert known_then.documents == []  # ...but before version 4 nobody knew of it
    with pytest.raises(audit.CaseNotYetKnown):
        audit.case_as_of(diarium, story["dnr"], occurred_by=date(2020, 8, 31))


def test_the_decision_register_as_of_a_date(diarium: Diarium, story: dict) -> None:  # type: ignore[type-arg]
    on_1031 = audit.register_as_of(diarium, "decisions", on=date(2020, 10, 31))
    assert [(r["dnr"], r["paragraph"]) for r in on_1031] == [(story["dnr"], 163)]
    now = audit.register_as_of(diarium, "decisions")
    assert [r["paragraph"] for r in now] == [163, 170]
    assert audit.register_as_of(diarium, "decisions", on=date(2020, 10, 13)) == []
    first = story["history"][0].timestamp
    assert audit.register_as_of(diarium, "cases", known_at=first)[0]["documents"] == 0
    docs = audit.register_as_of(diarium, "documents", on=date(2020, 9, 30))
    assert [r["description"] for r in docs] == ["Brev sent registrerat", "Brev 1"]


def test_point_in_time_over_http(client, story: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    dnr = story["dnr"]
    at_2 = client.get(f"/api/audit/cases/{dnr}?as_of=2").get_json()
    assert at_2["case"]["version"] == 2 and at_2["as_of"]["version"] == 2
    moment = story["history"][1].timestamp.isoformat()
    known = client.get(f"/api/audit/cases/{dnr}", query_string={"as_of": moment}).get_json()
    assert known["case"]["version"] == 2
    by_day = client.get(f"/api/audit/cases/{dnr}?occurred_by=2020-09-04").get_json()
    assert len(by_day["case"]["documents"]) == 1
    early = client.get(f"/api/audit/cases/{dnr}?as_of=2001-01-01")
    assert early.status_code == 404 and early.content_type == "application/problem+json"
    register_ = client.get("/api/audit/registers/decisions?on=2020-10-31").get_json()
    assert [r["paragraph"] for r in register_["rows"]] == [163]
    assert client.get("/api/audit/registers/nonsense").status_code == 404
    for bad in ("as_of=yesterday", "occurred_by=31/10", "as_of=2&x=1", "as_of=0"):
        response = client.get(f"/api/audit/cases/{dnr}?{bad}")
        assert response.status_code == 400, bad
        assert response.get_json()["invalid-params"]
    assert client.get("/api/audit/registers/cases?on=2020-13-01").status_code == 400
    assert client.get("/api/audit/cases/999-1999?as_of=1").status_code == 404


def test_history_of_a_case_and_across_cases(client, story: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    history = client.get(f"/api/audit/cases/{story['dnr']}/events").get_json()
    assert [h["case_version"] for h in history] == [1, 2, 3, 4]
    last = history[-1]
    assert last["actor"] == AUDITOR.name and last["request_id"] == AUDITOR.request_id
    assert last["occurred_on"] == "2020-09-03" and last["public_type"] == (
        "case.document_registered")
    assert last["position"] > history[-2]["position"] and len(last["case_hash"]) == 64
    by_auditor = client.get(f"/api/audit/events?actor={AUDITOR.name}").get_json()
    assert [i["position"] for i in by_auditor["items"]] == [last["position"]]
    clerk = client.get(f"/api/audit/events?actor={CLERK.name}&limit=2").get_json()
    assert len(clerk["items"]) == 2 and clerk["next_after"] == clerk["items"][-1]["position"]
    rest = client.get(f"/api/audit/events?actor={CLERK.name}&after={clerk['next_after']}")
    assert len(rest.get_json()["items"]) == 3 and rest.get_json()["next_after"] is None
    window = client.get("/api/audit/events?occurred_from=2020-10-01&occurred_to=2020-10-31")
    assert {i["occurred_on"] for i in window.get_json()["items"]} == {"2020-10-14", "2020-10-20"}
    moment = datetime.fromisoformat(history[1]["recorded_at"])
    recorded = client.get("/api/audit/events", query_string={
        "recorded_to": moment.isoformat()}).get_json()
    assert [i["case_version"] for i in recorded["items"]] == [1, 2]
    assert client.get("/api/audit/events?limit=0").status_code == 400


def test_json_export_is_complete_and_self_describing(diarium: Diarium, story: dict) -> None:  # type: ignore[type-arg]
    package = export.json_package(diarium, story["dnr"])
    assert package["package"]["format"] == "diarium.case-export"
    assert set(package["package"]["sections"]) >= {"case", "documents", "decisions", "history"}
    assert [d["description"] for d in package["documents"]] == ["Brev 1", "Brev sent registrerat"]
    assert package["decisions"][0]["paragraph"] == 163
    assert len(package["history"]) == 4
    assert "case.decision_recorded" in package["event_types"]
    assert package["integrity"]["verified"] is True
    assert package["integrity"]["case_chain_head"] == package["history"][-1]["case_hash"]
    assert "diarium.domain.events" not in str(package)  # no internal class paths


def test_xml_export_validates_against_the_schema(client, diarium: Diarium, story: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    diarium.handle(CloseCase(story["other"], closed_on=date(2020, 11, 3)), CLERK)
    for dnr in (story["dnr"], story["other"]):
        response = client.get(f"/api/audit/cases/{dnr}/export?format=xml")
        assert response.status_code == 200 and response.mimetype == "application/xml"
        document_ = etree.fromstring(response.data)
        assert_valid_erms(document_)  # the official ERMS_v3.xsd and its Schematron rules
    ns = {"e": erms.ERMS_NAMESPACE}
    aggregation = document_.find("e:aggregations/e:aggregation", ns)
    assert aggregation.findtext("e:objectId", namespaces=ns) == story["other"]
    assert aggregation.find("e:status", ns).get("value") == "closed"
    assert aggregation.findtext("e:action/e:actionText", namespaces=ns) == "Beslut § 170"


def test_the_schema_rejects_a_broken_export(diarium: Diarium, story: dict) -> None:
    document_ = etree.fromstring(erms.xml_package(diarium, story["dnr"]))
    ns = {"e": erms.ERMS_NAMESPACE}
    record = document_.find(".//e:record", ns)
    record.remove(record.find("e:objectId", ns))  # required by ERMS
    assert not erms_schema().validate(document_)


def test_an_export_of_a_tampered_case_says_so(diarium: Diarium, story: dict,
                                              tmp_path: Path, database_url: str) -> None:
    position = scalar(
        diarium, "SELECT max(id) FROM diarium_events WHERE originator_version = 2 AND "
                 "topic LIKE '%DocumentRegistered'")
    state = bytes(scalar(diarium, "SELECT state FROM diarium_events WHERE id = :i", i=position))
    execute(diarium, "UPDATE diarium_events SET state = :s WHERE id = :i",
            s=state.replace(b"Brev 1", b"Brev 2"), i=position)
    package = export.json_package(diarium, story["dnr"])
    assert package["integrity"]["verified"] is False
    from diarium.web.cli.main import main

    main(["--database-url", database_url, "audit", "export", story["dnr"], "--format", "xml",
          "-o", str(tmp_path / "x.xml")])
    assert_valid_erms(etree.parse(str(tmp_path / "x.xml")))
