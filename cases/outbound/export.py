"""Archive export of one case: a self-describing JSON package, and XML shaped after Riksarkivet's
FGS Ärendehantering / CITS ERMS (case = aggregation, document = record, decision = action).

The XML uses the ERMS namespace and ERMS element names in ERMS order, restricted to what the
diarium records; ``cases/outbound/xsd/erms-diarium-subset.xsd`` is the schema of exactly that subset
(the tests validate every export against it). It is not a claim of conformance to the full
official ERMS.xsd and Schematron rules.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from diarium.cases.outbound import audit, chain_verification, feed
from diarium.domain.case.aggregate import Case
from diarium.domain.dnr import case_id

if TYPE_CHECKING:
    from diarium.cases.application import Diarium

FORMAT = "diarium.case-export"
FORMAT_VERSION = 1
ERMS_NAMESPACE = "https://DILCIS.eu/XML/ERMS"
SCHEMA_PATH = Path(__file__).parent / "xsd" / "erms-diarium-subset.xsd"

_SECTIONS = {
    "case": "The case (ärende) as it stands at export: identity, titles, status, agents, dates.",
    "documents": "Documents (handlingar) in running-number order; direction is incoming, "
                 "outgoing or drawn_up; counterpart is the sender or recipient.",
    "referrals": "Referrals (remisser) with recipients, answer-by date and answers received.",
    "incoming_referrals": "Referrals sent to us (inkomna remisser): sender and their "
                          "reference, received and answer-by dates, the incoming letter, and "
                          "our answer (outgoing document) or that we declined.",
    "proposals": "Decision proposals (beslutsförslag) as numbered decision points.",
    "decisions": "Decisions (beslut): text, date, kind, deciding body and paragraph (§) or "
                 "delegate and delegation point, and the extracts sent.",
    "history": "Every event of the case, oldest first: log position, public type, recording "
               "time, business date, actor, request id, payload and chain hashes.",
    "event_types": "The meaning of each event type's payload fields in the history.",
    "integrity": "The case's SHA-256 hash chain head and whether it verified at export time "
                 "(algorithm: docs/audit.md).",
}


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def case_dict(case: Case) -> dict[str, Any]:
    return {
        "dnr": case.dnr,
        "series": case.series,
        "year": case.year,
        "sequence": case.sequence,
        "title": case.title,
        "public_title": case.public_title,
        "responsible_body": case.responsible_body,
        "unit": case.unit,
        "officer": case.officer,
        "classification": case.classification,
        "origin": case.origin,
        "migrated": case.migrated,
        "status": str(case.status),
        "registered_on": _iso(case.registered_on),
        "registered_by": case.registered_by,
        "closed_on": _iso(case.closed_on),
        "cancelled_on": _iso(case.cancelled_on),
        "version": case.version,
        "recorded_at": _iso(case.created_on),
        "last_recorded_at": _iso(case.modified_on),
    }


def json_package(app: Diarium, dnr: str, *, now: datetime | None = None) -> dict[str, Any]:
    """The case with all its documents, decisions and history, as one JSON document."""
    case = app.get_case(dnr)
    history = audit.case_audit_history(app, dnr)
    findings = chain_verification.verify_case(app, dnr)
    types = sorted({row["public_type"] for row in history if row["public_type"]})
    return {
        "package": {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": (now or datetime.now(UTC)).isoformat(),
            "generator": "diarium",
            "id": str(uuid.uuid4()),
            "sections": _SECTIONS,
        },
        "case": case_dict(case),
        "documents": [
            {"number": d.number, "direction": d.direction, "date": _iso(d.date),
             "counterpart": d.counterpart, "description": d.description,
             "event_hash": _event_hash(history, "case.document_registered", "number", d.number)}
            for d in case.documents
        ],
        "referrals": [
            {"number": r.number, "recipients": list(r.recipients), "sent_on": _iso(r.sent_on),
             "answer_by": _iso(r.answer_by), "document_number": r.document_number,
             "answers": [{"recipient": k, "answered_on": _iso(v)} for k, v in r.answers.items()]}
            for r in case.referrals
        ],
        "incoming_referrals": [
            {"number": r.number, "sender": r.sender, "sender_reference": r.sender_reference,
             "received_on": _iso(r.received_on), "answer_by": _iso(r.answer_by),
             "document_number": r.document_number, "status": r.status,
             "answered_on": _iso(r.answered_on),
             "answer_document_number": r.answer_document_number,
             "declined_on": _iso(r.declined_on), "decline_reason": r.decline_reason,
             "decline_document_number": r.decline_document_number,
             "extensions": [{"granted_on": _iso(g), "answer_by": _iso(d)}
                            for g, d in r.extensions]}
            for r in case.incoming_referrals
        ],
        "proposals": [
            {"number": p.number, "points": list(p.points), "summary": p.summary,
             "justification": p.justification, "proposed_by": p.proposed_by,
             "proposed_on": _iso(p.proposed_on)}
            for p in case.proposals
        ],
        "decisions": [
            {"number": d.number, "kind": d.kind, "text": d.text, "decided_on": _iso(d.decided_on),
             "body": d.body, "paragraph": d.paragraph, "higher_body": d.higher_body,
             "delegate": d.delegate, "delegation_point": d.delegation_point,
             "extracts": [{"recipient": k, "sent_on": _iso(v)} for k, v in d.extracts.items()],
             "event_hash": _event_hash(history, "case.decision_recorded", "number", d.number)}
            for d in case.decisions
        ],
        "history": history,
        "event_types": {
            name: {"description": feed.BY_NAME[name].description,
                   "fields": feed.BY_NAME[name].fields}
            for name in types
        },
        "integrity": {
            "algorithm": "sha256 hash chain per case (docs/audit.md)",
            "case_chain_head": history[-1]["case_hash"] if history else None,
            "events": len(history),
            "verified": not findings,
            "findings": [f.detail for f in findings],
        },
    }


def _event_hash(history: list[dict[str, Any]], kind: str, key: str, value: Any) -> str | None:
    for row in history:
        if row["public_type"] == kind and row["data"].get(key) == value:
            return row["case_hash"]
    return None


# -- XML -----------------------------------------------------------------------------------------

_STATUS = {"open": "open", "closed": "closed", "cancelled": "obliterated"}
_DIRECTION = {"incoming": "incoming", "outgoing": "outgoing", "drawn_up": "internal"}
_DOCUMENT_DATE = {"incoming": "received", "outgoing": "sent", "drawn_up": "created"}


def _q(tag: str) -> str:
    return f"{{{ERMS_NAMESPACE}}}{tag}"


# what XML 1.0 cannot carry (its Char production: not even as a character reference)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
REPLACEMENT = "\ufffd"


def xml_text(value: Any) -> str:
    """``value`` as text an XML 1.0 document can hold: each character XML forbids (control
    characters, lone surrogates, U+FFFE, U+FFFF) becomes U+FFFD, visibly."""
    return _NOT_XML.sub(REPLACEMENT, str(value))


def _sub(parent: ET.Element, tag: str, text: Any = None, **attributes: Any) -> ET.Element:
    element = ET.SubElement(parent, _q(tag), {k: xml_text(v) for k, v in attributes.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _agent(parent: ET.Element, agent_type: str, name: str, unit: str | None = None) -> None:
    agent = _sub(parent, "agent", agentType=agent_type)
    _sub(agent, "name", name)
    if unit:
        _sub(agent, "unitName", unit)


def xml_package(app: Diarium, dnr: str, *, now: datetime | None = None) -> bytes:
    """The case as an ERMS-shaped XML document (UTF-8)."""
    package = json_package(app, dnr, now=now)
    case = package["case"]
    ET.register_namespace("", ERMS_NAMESPACE)
    root = ET.Element(_q("erms"))
    control = _sub(root, "control")
    _sub(control, "identification", package["package"]["id"], identificationType="exportId")
    dates = _sub(control, "dates")
    _sub(dates, "date", package["package"]["created_at"], dateType="created")
    maintenance = _sub(control, "maintenanceInformation")
    _sub(maintenance, "maintenanceStatus", value="new")
    agency = _sub(maintenance, "maintenanceAgency")
    _sub(agency, "agencyName", case["responsible_body"])

    aggregations = _sub(root, "aggregations")
    aggregation = _sub(aggregations, "aggregation", systemIdentifier=str(case_id(dnr)),
                       aggregationType="caseFile")
    _sub(aggregation, "objectId", case["dnr"])
    integrity = package["integrity"]
    if integrity["case_chain_head"]:
        _sub(aggregation, "extraId", integrity["case_chain_head"], extraIdType="sha256ChainHead")
    if case["classification"]:
        _sub(aggregation, "classification", case["classification"],
             classificationCode=case["classification"])
    _sub(aggregation, "title", case["title"])
    if case["public_title"]:
        _sub(aggregation, "otherTitle", case["public_title"], titleType="publicTitle")
    _sub(aggregation, "status", value=_STATUS.get(case["status"], "open"))
    agents = _sub(aggregation, "agents")
    _agent(agents, "responsible_organisation", case["responsible_body"], case["unit"])
    if case["officer"]:
        _agent(agents, "responsible_person", case["officer"])
    _agent(agents, "creator", case["registered_by"])
    if case["origin"]:
        _sub(aggregation, "description", f"Origin: {case['origin']}")
    case_dates = _sub(aggregation, "dates")
    _sub(case_dates, "date", case["registered_on"], dateType="created")
    if case["closed_on"]:
        _sub(case_dates, "date", case["closed_on"], dateType="closed")
    if case["cancelled_on"]:
        _sub(case_dates, "date", case["cancelled_on"], dateType="obliterated")
    _sub(case_dates, "date", case["last_recorded_at"], dateType="last_changed")
    for decision in package["decisions"]:
        action = _sub(aggregation, "action")
        _sub(action, "actionText", decision["text"])
        _sub(action, "actionType", decision["kind"])
        action_dates = _sub(action, "dates")
        _sub(action_dates, "actionDate", decision["decided_on"], dateType="decided")
        action_agents = _sub(action, "agents")
        if decision["body"]:
            _agent(action_agents, "authorising_body",
                   f"{decision['body']} § {decision['paragraph']}")
        if decision["delegate"]:
            _agent(action_agents, "authorising_person",
                   f"{decision['delegate']} (delegation point {decision['delegation_point']})")
        if decision["higher_body"]:
            _agent(action_agents, "proposed_to", decision["higher_body"])
    for document in package["documents"]:
        record = _sub(aggregation, "record",
                      systemIdentifier=f"{case_id(dnr)}/{document['number']}",
                      recordType="document")
        _sub(record, "objectId", f"{case['dnr']}:{document['number']}")
        if document["event_hash"]:
            _sub(record, "extraId", document["event_hash"], extraIdType="sha256EventHash")
        _sub(record, "title", document["description"])
        _sub(record, "runningNumber", document["number"])
        _sub(record, "direction", directionDefinition=_DIRECTION[document["direction"]])
        if document["counterpart"]:
            record_agents = _sub(record, "agents")
            role = "sender" if document["direction"] == "incoming" else "receiver"
            _agent(record_agents, role, document["counterpart"])
        record_dates = _sub(record, "dates")
        _sub(record_dates, "date", document["date"],
             dateType=_DOCUMENT_DATE[document["direction"]])
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
