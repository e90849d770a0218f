"""A case as E-ARK CITS ERMS XML, valid against the official ``ERMS_v3.xsd`` (version 3.0.2,
vendored in ``cases/outbound/xsd/``) and its Schematron rules.

case = ``aggregation[@aggregationType="caseFile"]``; document = ``record`` with its file
versions (``appendix`` and an ``ownElement`` with the SHA-256 checksums); secrecy marking =
``restriction[@restrictionType="confidential"]``; decision, referral, incoming referral,
proposal = ``action``; the case history = ``archivalHistory`` and an ``ownElement``. The
mapping in full: docs/audit.md.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from diarium.cases.outbound.export import json_package
from diarium.domain.dnr import case_id

if TYPE_CHECKING:
    from diarium.cases.application import Diarium

ERMS_NAMESPACE = "https://DILCIS.eu/XML/ERMS"
XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMAS = Path(__file__).parent / "xsd"
SCHEMA_PATH = SCHEMAS / "ERMS_v3.xsd"
SCHEMATRON_PATH = SCHEMAS / "erms_v3.sch"
DATA_FOLDER = "representations/rep1/data"

_STATUS = {"open": "open", "closed": "closed", "cancelled": "obliterated"}
_DIRECTION = {"incoming": "incoming", "outgoing": "outgoing", "drawn_up": "other"}
_DOCUMENT_DATE = {"incoming": "received", "outgoing": "sent", "drawn_up": "created"}
_COUNTERPART = {"incoming": "sender", "outgoing": "receiver", "drawn_up": "counterpart"}

# what XML 1.0 cannot carry (its Char production: not even as a character reference)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
REPLACEMENT = "\ufffd"
_UNSAFE_NAME = re.compile(r"[^\w.\- ]+")


def xml_text(value: Any) -> str:
    """``value`` as text an XML 1.0 document can hold: each character XML forbids (control
    characters, lone surrogates, U+FFFE, U+FFFF) becomes U+FFFD, visibly."""
    return _NOT_XML.sub(REPLACEMENT, str(value))


def software_version() -> str:
    try:
        return version("diarium")
    except PackageNotFoundError:  # pragma: no cover - run from a tree not installed
        return "unknown"


def file_href(document: int, file_version: int, file_name: str | None) -> str:
    """Where version ``file_version`` of document ``document``'s file lies in the package,
    relative to its root; the stored name made safe (no folders, no control characters)."""
    name = _UNSAFE_NAME.sub("_", (file_name or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = name.strip(" ._")[:120] or "file"
    return f"{DATA_FOLDER}/document-{document}/version-{file_version}/{name}"


def _datetime(value: str) -> str:
    """An ISO date or date-time as the ``xs:dateTime`` ERMS takes (a date at midnight)."""
    return f"{value}T00:00:00" if len(value) == 10 else value


def _q(tag: str) -> str:
    return f"{{{ERMS_NAMESPACE}}}{tag}"


def _sub(parent: ET.Element, tag: str, text: Any = None, **attributes: Any) -> ET.Element:
    element = ET.SubElement(parent, _q(tag), {k: xml_text(v) for k, v in attributes.items()
                                              if v is not None})
    if text is not None:
        element.text = xml_text(text)
    return element


def _agent(parent: ET.Element, kind: str, name: str, *, tag: str = "agent",
           unit: str | None = None, role: str | None = None,
           notes: list[tuple[str, str, str | None]] | None = None) -> None:
    """An agent of ``kind`` (an ERMS agent type, or ``other:<own type>``); ``notes`` are
    (type, text, date) triples."""
    own = kind.removeprefix("other:") if kind.startswith("other:") else None
    agent = _sub(parent, tag, agentType="other" if own else kind, otherAgentType=own)
    _sub(agent, "name", name)
    if unit:
        _sub(agent, "unitName", unit)
    if role:
        _sub(agent, "role", role)
    if notes:
        box = _sub(agent, "notes")
        for note_type, text, day in notes:
            _sub(box, "note", text, noteType=note_type, noteDate=day and _datetime(day))


def _dates(parent: ET.Element, pairs: list[tuple[str, str | None]], tag: str = "date",
           box: str = "dates") -> None:
    """``dates`` with one ``tag`` per (type, ISO value) pair that has a value; ``other:x``
    types are ERMS's ``other`` with ``otherDateType``."""
    given = [(kind, value) for kind, value in pairs if value]
    if not given:
        return
    dates = _sub(parent, box)
    for kind, value in given:
        own = kind.removeprefix("other:") if kind.startswith("other:") else None
        _sub(dates, tag, _datetime(str(value)), dateType="other" if own else kind,
             otherDateType=own)


def _own(parent: ET.Element, description: str, items: list[tuple[str, Any, dict[str, Any]]]
         ) -> None:
    """An ``ownElement`` group: ``items`` are (name, value, fields) with fields as nested
    own elements (None values left out)."""
    group = _sub(parent, "ownElement")
    _sub(group, "ownElementDescription", description)
    for name, value, fields in items:
        item = _sub(group, "ownElement", name=name)
        _sub(item, "value", value)
        for key, field_value in fields.items():
            if field_value is not None:
                _sub(_sub(item, "ownElement", name=key), "value", field_value)


def _restrictions(parent: ET.Element, markings: list[dict[str, Any]]) -> None:
    """Each secrecy marking as a ``restriction``: the provision, the marking body, the date of
    marking (and of lifting)."""
    for marking in markings:
        restriction = _sub(parent, "restriction", restrictionType="confidential")
        state = f"hävd {marking['lifted_on']}" if marking["lifted_on"] else "gäller"
        _sub(restriction, "explanatoryText",
             f"Sekretessmarkering (OSL 5:5), {state}; uppgifter: {', '.join(marking['fields'])}")
        _sub(restriction, "regulation", marking["statute"])
        _agent(restriction, "other:marking_body", marking["marking_body"])
        _dates(restriction, [("confidentiality_assessed", marking["marked_on"]),
                             ("end", marking["lifted_on"])])


def _action(parent: ET.Element, text: str, kind: str, *, due: str | None = None,
            motivation: str | None = None) -> ET.Element:
    action = _sub(parent, "action")
    _sub(action, "actionText", text)
    if due:
        _sub(action, "actionDue", due)
    if motivation:
        _sub(action, "actionMotivation", motivation)
    _sub(action, "actionType", kind)
    return action


def _agents_of(action: ET.Element) -> ET.Element:
    found = action.find(_q("agents"))
    return found if found is not None else _sub(action, "agents")


def _actions(aggregation: ET.Element, package: dict[str, Any]) -> None:
    for r in package["incoming_referrals"]:
        action = _action(
            aggregation, f"Inkommen remiss från {r['sender']}"
            + (f" (deras beteckning {r['sender_reference']})" if r["sender_reference"] else "")
            + f", handling {r['document_number']}; status {r['status']}",
            "incoming_referral", due=r["answer_by"], motivation=r["decline_reason"])
        _dates(action, [("received", r["received_on"]), ("other:answered", r["answered_on"]),
                        ("other:declined", r["declined_on"])]
               + [("other:extension_granted", e["granted_on"]) for e in r["extensions"]],
               tag="actionDate")
        _agent(_agents_of(action), "sender", r["sender"])
    for r in package["referrals"]:
        action = _action(aggregation, f"Remiss {r['number']} till {', '.join(r['recipients'])}",
                         "referral", due=r["answer_by"])
        _dates(action, [("sent", r["sent_on"])], tag="actionDate")
        answers = {a["recipient"]: a["answered_on"] for a in r["answers"]}
        for recipient in r["recipients"]:
            answered = answers.get(recipient)
            _agent(_agents_of(action), "recipient", recipient,
                   notes=[("answered", f"svar {answered}", answered)] if answered else [])
    for p in package["proposals"]:
        action = _action(aggregation, p["summary"], "proposal", motivation=p["justification"])
        _dates(action, [("prepared", p["proposed_on"])], tag="actionDate")
        if p["proposed_by"]:
            _agent(_agents_of(action), "creator", p["proposed_by"])
    for d in package["decisions"]:
        _decision(aggregation, d)


def _decision(aggregation: ET.Element, d: dict[str, Any]) -> None:
    action = _action(aggregation, d["text"], f"decision: {d['kind']}")
    _dates(action, [("decision_date", d["decided_on"])], tag="actionDate")
    agents = _agents_of(action)
    if d["body"]:
        _agent(agents, "other:deciding_body", d["body"], role="beslutande organ",
               notes=[("paragraph", f"§ {d['paragraph']}", None)])
    if d["delegate"]:
        _agent(agents, "authorising_person", d["delegate"], role="delegat",
               notes=[("delegation_point", str(d["delegation_point"]), None)])
    if d["higher_body"]:
        _agent(agents, "other:proposed_to", d["higher_body"])
    for reservation in d["reservations"]:
        notes = [("reservation_reason", reservation["reason"], reservation["reason_given_on"])
                 ] if reservation["reason"] else []
        _agent(agents, "other:reservation", reservation["member"], role="reservation",
               notes=notes)
    for extract in d["extracts"]:
        _agent(agents, "recipient", extract["recipient"], role="protokollsutdrag",
               notes=[("extract_sent", f"utdrag skickat {extract['sent_on']}",
                       extract["sent_on"])])


def _record(aggregation: ET.Element, dnr: str, document: dict[str, Any],
            markings: list[dict[str, Any]]) -> None:
    number = document["number"]
    record = _sub(aggregation, "record", systemIdentifier=f"{case_id(dnr)}/{number}",
                  recordType="document", recordPhysicalOrDigital="digital")
    _sub(record, "objectId", f"{dnr}:{number}")
    if document["event_hash"]:
        _sub(record, "extraId", document["event_hash"], extraIdType="sha256EventHash")
    _sub(record, "title", document["description"])
    _sub(record, "runningNumber", number)
    _restrictions(record, [m for m in markings if m["document"] == number])
    direction = document["direction"]
    _sub(record, "direction", directionDefinition=_DIRECTION[direction],
         otherDirectionDefinition="drawn_up" if direction == "drawn_up" else None)
    if document["counterpart"]:
        _agent(_sub(record, "agents"), _COUNTERPART[direction], document["counterpart"])
    _dates(record, [(_DOCUMENT_DATE[direction], document["date"])])
    if document["files"]:
        _files(_sub(record, "additionalInformation"), number, document["files"])


def _files(additional: ET.Element, number: int, files: list[dict[str, Any]]) -> None:
    """The versions of a document's file: an ``appendix`` each (name, media type, path in the
    package) and an ``ownElement`` with their checksums and sizes."""
    for f in files:
        _sub(additional, "appendix", name=f["file_name"] or f"version {f['version']}",
             description=f"Version {f['version']}", fileFormat=f["media_type"],
             originalFileFormat=f["claimed_media_type"],
             path=file_href(number, f["version"], f["file_name"]))
    _own(additional, "The versions of the document's file, oldest first: SHA-256 checksum "
         "(hex), size in bytes, media type detected from the content (and the one claimed), "
         "PDF/A conformance claimed, when and by whom attached, and the file's path in the "
         "package (from its root).",
         [("fileVersion", f["version"], {
             "sha256": f["sha256"], "size": f["size"], "mediaType": f["media_type"],
             "claimedMediaType": f["claimed_media_type"], "fileName": f["file_name"],
             "pdfa": f["pdfa"], "attachedOn": f["attached_on"], "attachedBy": f["attached_by"],
             "recordedAt": f["recorded_at"],
             "path": file_href(number, f["version"], f["file_name"])})
          for f in files])


def _history(aggregation: ET.Element, package: dict[str, Any]) -> None:
    """The case history as an ``ownElement`` (structured) in ``additionalInformation``."""
    additional = _sub(aggregation, "additionalInformation")
    integrity = package["integrity"]
    _own(additional, "The case's history: every event, oldest first, with its public type, "
         "recording time, business date, actor, case version and the SHA-256 hash chain "
         f"(docs/audit.md); chain verified at export: {str(integrity['verified']).lower()}.",
         [("event", row["public_type"] or row["type"], {
             "position": row["position"], "recordedAt": row["recorded_at"],
             "occurredOn": row["occurred_on"], "actor": row["actor"],
             "caseVersion": row["case_version"], "requestId": row["request_id"],
             "caseHash": row["case_hash"]})
          for row in package["history"]])


def xml_package(app: Diarium, dnr: str, *, now: datetime | None = None,
                schema_location: str | None = None) -> bytes:
    """The case as CITS ERMS XML (UTF-8); ``schema_location`` (relative to the document)
    names where ``ERMS_v3.xsd`` lies, in a package."""
    package = json_package(app, dnr, now=now)
    return ET.tostring(erms_element(package, schema_location), encoding="utf-8",
                       xml_declaration=True)


def erms_element(package: dict[str, Any], schema_location: str | None = None) -> ET.Element:
    case, dnr = package["case"], package["case"]["dnr"]
    ET.register_namespace("", ERMS_NAMESPACE)  # the only default namespace registered
    ET.register_namespace("xsi", XSI_NAMESPACE)
    root = ET.Element(_q("erms"))
    if schema_location:
        root.set(f"{{{XSI_NAMESPACE}}}schemaLocation", f"{ERMS_NAMESPACE} {schema_location}")
    _control(root, package)
    aggregation = _sub(_sub(root, "aggregations"), "aggregation",
                       systemIdentifier=str(case_id(dnr)), aggregationType="caseFile")
    _sub(aggregation, "objectId", dnr)
    if package["integrity"]["case_chain_head"]:
        _sub(aggregation, "extraId", package["integrity"]["case_chain_head"],
             extraIdType="sha256ChainHead")
    if case["classification"]:
        _sub(aggregation, "classification", case["classification"],
             classificationCode=case["classification"])
    _sub(aggregation, "title", case["title"])
    if case["public_title"]:
        _sub(aggregation, "otherTitle", case["public_title"], titleType="publicTitle")
    _sub(aggregation, "status", value=_STATUS.get(case["status"], "open"))
    _history(aggregation, package)
    _restrictions(aggregation, [m for m in package["secrecy_markings"] if m["document"] is None])
    agents = _sub(aggregation, "agents")
    _agent(agents, "other:responsible_organisation", case["responsible_body"],
           unit=case["unit"])
    if case["officer"]:
        _agent(agents, "responsible_person", case["officer"])
    _agent(agents, "creator", case["registered_by"])
    if case["origin"]:
        _sub(aggregation, "description", f"Ursprung: {case['origin']}")
    _dates(aggregation, [("created", case["registered_on"]), ("closed", case["closed_on"]),
                         ("other:cancelled", case["cancelled_on"]),
                         ("modified", case["last_recorded_at"])])
    _actions(aggregation, package)
    history = _sub(aggregation, "archivalHistory")
    for row in package["history"]:
        _sub(history, "historyLine",
             f"{row['recorded_at']} {row['public_type'] or row['type']} "
             f"av {row['actor'] or 'okänd'} (version {row['case_version']})")
    for document in package["documents"]:
        _record(aggregation, dnr, document, package["secrecy_markings"])
    ET.indent(root)
    return root


def _control(root: ET.Element, package: dict[str, Any]) -> None:
    created = package["package"]["created_at"]
    control = _sub(root, "control")
    _sub(control, "identification", package["package"]["id"], identificationType="exportId")
    _dates(control, [("created", created)])
    maintenance = _sub(control, "maintenanceInformation")
    _sub(maintenance, "maintenanceStatus", value="new")
    _sub(_sub(maintenance, "maintenanceAgency"), "agencyName",
         package["case"]["responsible_body"])
    event = _sub(_sub(maintenance, "maintenanceHistory"), "maintenanceEvent")
    _sub(event, "eventType", value="created")
    _sub(event, "eventDateTime", created)
    _agent(event, "other:software", f"diarium {software_version()}")
