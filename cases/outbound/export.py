"""Archive export of one case: a self-describing JSON package.

The XML (``cases/outbound/erms.py``) is made from the JSON package; ``cases/outbound/package.py``
puts it in an E-ARK CSIP package with the files.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from itertools import count
from typing import TYPE_CHECKING, Any

from diarium.cases.outbound import audit, chain_verification, feed
from diarium.domain.case.aggregate import Case
from diarium.domain.case.terms import Decision, FileVersion
from diarium.domain.meeting.terms import MeetingNotFound, meeting_ref

if TYPE_CHECKING:
    from diarium.cases.application import Diarium

FORMAT = "diarium.case-export"
FORMAT_VERSION = 1

_SECTIONS = {
    "case": "The case (ärende) as it stands at export: identity, titles, status, agents, dates.",
    "documents": "Documents (handlingar) in running-number order; direction is incoming, "
                 "outgoing or drawn_up; counterpart is the sender or recipient; files are the "
                 "versions of the document's file (name, media type, size, SHA-256).",
    "secrecy_markings": "Every secrecy marking (OSL 5:5) of the case or of a document, oldest "
                        "first: statute, date, marking body, fields withheld, and when it was "
                        "lifted (null while in force).",
    "referrals": "Referrals (remisser) with recipients, answer-by date and answers received.",
    "incoming_referrals": "Referrals sent to us (inkomna remisser): sender and their "
                          "reference, received and answer-by dates, the incoming letter, and "
                          "our answer (outgoing document) or that we declined.",
    "proposals": "Decision proposals (beslutsförslag) as numbered decision points.",
    "decisions": "Decisions (beslut): text, date, kind, deciding body and paragraph (§) or "
                 "delegate and delegation point, the extracts sent, and the reservations "
                 "(reservationer) entered against a body's decision in its paragraph.",
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
             "event_hash": _event_hash(history, "case.document_registered", "number", d.number),
             "files": [_file_dict(f, history, d.number) for f in d.files]}
            for d in case.documents
        ],
        "secrecy_markings": secrecy_markings(history),
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
             "reservations": reservations(app, dnr, d),
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


def _file_dict(file: FileVersion, history: list[dict[str, Any]], number: int) -> dict[str, Any]:
    recorded = next((row["recorded_at"] for row in history
                     if row["public_type"] == "case.document_file_attached"
                     and row["data"].get("document_number") == number
                     and row["data"].get("version") == file.version), None)
    return {"version": file.version, "sha256": file.sha256, "size": file.size,
            "media_type": file.media_type, "claimed_media_type": file.claimed_media_type,
            "file_name": file.file_name, "pdfa": file.pdfa, "attached_on": _iso(file.attached_on),
            "attached_by": file.attached_by, "recorded_at": recorded}


_MARKED = {"case.marked_secret", "case.document_marked_secret"}
_LIFTED = {"case.secrecy_lifted", "case.document_secrecy_lifted"}


def secrecy_markings(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every secrecy marking of the case and its documents in the history, with its lifting
    (``document`` is None for the case's own marking)."""
    markings: list[dict[str, Any]] = []
    for row in history:
        data = row["data"]
        if row["public_type"] in _MARKED:
            markings.append({"document": data.get("document_number"), "statute": data["statute"],
                             "marked_on": row["occurred_on"],
                             "marking_body": data["marking_body"], "fields": data["fields"],
                             "marked_by": row["actor"], "lifted_on": None, "lifted_by": None})
        elif row["public_type"] in _LIFTED:
            target = data.get("document_number")
            marking = next((m for m in reversed(markings) if m["document"] == target), None)
            if marking is not None:
                marking["lifted_on"], marking["lifted_by"] = row["occurred_on"], row["actor"]
    return markings


def reservations(app: Diarium, dnr: str, decision: Decision) -> list[dict[str, Any]]:
    """The reservations entered in the paragraph of the meeting where the body took
    ``decision`` (none for a delegate's decision or one migrated without its meeting)."""
    if decision.body is None or decision.paragraph is None:
        return []
    for session in count(1):
        try:
            meeting = app.meetings.get_meeting(
                meeting_ref(decision.body, decision.decided_on, session))
        except MeetingNotFound:
            return []
        for paragraph in meeting.paragraphs:
            if paragraph.number == decision.paragraph and paragraph.dnr == dnr:
                return [{"member": r.member, "reason": r.reason,
                         "reason_given_on": _iso(r.reason_given_on)}
                        for r in paragraph.reservations]
    return []


def _event_hash(history: list[dict[str, Any]], kind: str, key: str, value: Any) -> str | None:
    for row in history:
        if row["public_type"] == kind and row["data"].get(key) == value:
            return row["case_hash"]
    return None
