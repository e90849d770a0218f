"""Registers as CSV: the plain dialect (``excel``: comma, the API's field names, true/false)
and ``excel-sv``, a file Swedish Excel opens right with a double-click (semicolon, Swedish
headers, ja/nej, Swedish words for directions and statuses). Both: UTF-8 with a BOM, ISO
dates, CRLF, text cells neutralised against formulas (web/text.py)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from diarium.projections.listings import Listing
from diarium.web.text import csv_text

# the Swedish header of each register column (docs/glossary.md); OVERRIDES where one name
# means something else in a register
SWEDISH_LABELS = {
    "dnr": "Diarienummer", "series": "Diarieserie", "year": "År", "sequence": "Löpnummer",
    "title": "Ärendemening", "public_title": "Offentlig ärendemening",
    "secret": "Sekretessmarkerad", "status": "Status", "responsible_body": "Ansvarigt organ",
    "unit": "Enhet", "officer": "Handläggare", "classification": "Klassificering",
    "origin": "Ursprung", "registered_on": "Registrerat", "last_activity": "Senaste händelse",
    "closed_on": "Avslutat", "cancelled_on": "Makulerat", "documents": "Antal handlingar",
    "decisions": "Antal beslut", "withheld": "Undanhållet (sekretess)",
    "number": "Handlingsnummer", "date": "Handlingens datum", "direction": "Riktning",
    "counterpart": "Avsändare/mottagare", "description": "Beskrivning",
    "body": "Organ", "meeting_ref": "Sammanträde", "meeting_on": "Sammanträdesdag",
    "paragraph": "Paragraf", "kind": "Typ", "text": "Beslutstext", "decided_on": "Beslutsdag",
    "higher_body": "Högre organ", "delegated": "Delegationsbeslut", "delegate": "Delegat",
    "delegation_point": "Delegationspunkt", "reported_on": "Anmält",
    "reported_meeting": "Anmält vid sammanträde", "reported_paragraph": "Anmält i paragraf",
    "adjusted_on": "Justerat", "posted_on": "Anslaget", "legal_force_on": "Laga kraft",
    "member": "Ledamot", "party": "Parti", "reason": "Motivering",
    "reason_given_on": "Motivering lämnad", "note": "Anteckning", "recipient": "Mottagare",
    "listed": "Sändlista", "sent_on": "Skickat", "referral_number": "Remissnummer",
    "sender": "Avsändare", "sender_reference": "Avsändarens beteckning",
    "answer_by": "Svar senast", "due_on": "Sista dag", "answered_on": "Besvarat",
    "declined_on": "Avstått", "document_number": "Handlingsnummer (svar)",
    "rule": "Regel", "law": "Lagrum", "subject": "Avser", "done_on": "Klart",
    "overdue": "Försenad", "ref": "Sammanträde", "session": "Sammanträdets nummer",
    "place": "Plats", "starts_at": "Klockan", "closed": "Sammanträdet avslutat",
    "code": "Kod", "name": "Namn", "parent": "Under organ", "established_on": "Inrättat",
    "appealable": "Kan överklagas",
}
OVERRIDES = {
    "documents": {"registered_on": "Registrerad i diariet"},
    "referrals": {"sent_on": "Skickad (inkommen: mottagen)"},
}


# the Swedish words for the values of a few enumerated columns (others are shown as they are)
SWEDISH_VALUES = {
    "direction": {"incoming": "inkommen", "outgoing": "expedierad", "drawn_up": "upprättad"},
    "status": {
        "open": "öppet", "closed": "avslutat", "cancelled": "makulerat",
        "answered": "besvarad", "declined": "avstått", "outstanding": "utestående",
        "overdue": "försenad", "done": "klar", "running": "löper", "ended": "löpt ut",
        "sent": "skickat", "scheduled": "planerat", "adjusted": "justerat",
        "posted": "anslaget",
    },
}


@dataclass(frozen=True)
class Dialect:
    name: str
    delimiter: str
    header: Callable[[Listing, str], str]
    true: Any
    false: Any
    values: dict[str, dict[str, str]] = field(default_factory=dict)


DIALECTS = {
    d.name: d
    for d in (
        Dialect("excel", ",", lambda listing, name: name, True, False),
        Dialect("excel-sv", ";", lambda listing, name: swedish_label(listing.name, name),
                "ja", "nej", SWEDISH_VALUES),
    )
}
DEFAULT_DIALECT = "excel"


def swedish_label(register: str, field: str) -> str:
    """The Swedish header of ``field`` in ``register``."""
    return OVERRIDES.get(register, {}).get(field) or SWEDISH_LABELS[field]


def rows_as_csv(
    listing: Listing, rows: Iterable[dict[str, Any]], dialect: Dialect, *, every: int = 500
) -> Iterator[str]:
    """The CSV text of ``rows`` (a BOM and the header first), in chunks of ``every`` rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=dialect.delimiter)
    buffer.write("\ufeff")  # a BOM, so spreadsheet programs read UTF-8 (å, ä, ö)
    writer.writerow([dialect.header(listing, f) for f in listing.fields])
    for number, item in enumerate(rows, 1):
        writer.writerow([cell(f, item[f], dialect) for f in listing.fields])
        if number % every == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def cell(name: str, value: Any, dialect: Dialect) -> Any:
    """The CSV cell of column ``name``: texts (and lists of them) neutralised against formulas
    (web/text.py); booleans and enumerated values in the dialect's words; numbers and dates
    (ISO) as they are (a negative number stays a number)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return dialect.true if value else dialect.false
    if isinstance(value, list):
        return csv_text(" ".join(value))
    if isinstance(value, str):
        return csv_text(dialect.values.get(name, {}).get(value, value))
    return value
