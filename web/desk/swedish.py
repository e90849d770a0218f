"""The desk's words: Swedish labels for the commands' fields and choices, and refusals in
Swedish (marshmallow's messages, and the rules of the case process by their own Swedish
text, ``Rule.text_sv``)."""

from __future__ import annotations

import re

from diarium.domain.rules import RuleViolation
from diarium.web.register_csv import SWEDISH_LABELS

# the commands' fields where the form words them otherwise than the registers' columns
# (web/register_csv.py: SWEDISH_LABELS, which names the rest)
LABELS = {
    "added_on": "Tillagd", "adjusted_on": "Justerat den", "adjusters": "Justerare",
    "adjustment_date": "Justeringsdag", "adjustment_place": "Justeringsplats",
    "adopted": "Bifallen", "answered_on": "Besvarad den", "assigned_on": "Tilldelat den",
    "attendees": "Närvarande", "authors": "Förslagsställare", "cancelled_on": "Makulerat den",
    "capacity": "Egenskap", "case_type": "Ärendetyp", "certified_by": "Bestyrkt av",
    "certified_on": "Bestyrkt den", "chair": "Ordförande",
    "classification": "Klassificering (ärendetyp)", "classified_on": "Omklassificerat den",
    "closed_at": "Avslutat", "closed_on": "Avslutat den", "code": "Förkortning",
    "conditions": "Villkor", "corrects": "Rättar", "counterpart": "Avsändare eller mottagare",
    "date": "Datum", "decided_on": "Beslutsdatum", "decision_reference": "Beslutsreferens",
    "declined_on": "Avböjd den", "document_number": "Handling nr", "ended_on": "Upphör den",
    "established_on": "Inrättat den", "extracts": "Protokollsutdrag",
    "fields": "Uppgifter som omfattas", "file": "Fil", "from_paragraph": "Från paragraf",
    "given_on": "Lämnad den", "granted_on": "Beviljad den", "heading": "Rubrik",
    "higher_body": "Överordnat organ", "historical": "Historiskt beslut", "items": "Ärenden",
    "justification": "Motivering", "kind": "Slag", "last_paragraph": "Sista paragraf",
    "lifted_on": "Hävd den", "marked_on": "Beslutad den", "marking_body": "Sekretessbedömning av",
    "matter": "Typ av ärende", "migrated": "Överförd från äldre system",
    "mover": "Förslagsställare", "number": "Nummer", "numbers": "Nummer",
    "parent": "Överordnat organ", "period_from": "Period från", "period_to": "Period till",
    "point": "Punkt", "points": "Beslutspunkter (en per rad)", "position": "Uppdrag",
    "posted_on": "Anslaget den", "proposals": "Förslag", "proposed_by": "Föreslaget av",
    "proposed_on": "Föreslaget den", "published_on": "Publicerad den", "reason": "Skäl",
    "received_on": "Inkom den", "recipients": "Mottagare (en per rad)",
    "registered_on": "Registrerad den", "reopened_on": "Återupptaget den", "replacing": "Ersätter",
    "revoked_on": "Upphävd den", "role": "Roll", "scheduled_on": "Sammanträdesdag",
    "secrecy": "Sekretess", "secretary": "Sekreterare", "sections": "Lagrum",
    "sent_on": "Skickad den", "session": "Sammanträde", "signed_by": "Undertecknad av",
    "source": "Källa", "starts_at": "Börjar klockan",
    "statute": "Sekretessbestämmelse (t.ex. OSL 25:1)", "summary": "Sammanfattning",
    "supporters": "Instämmande", "text": "Text", "to_paragraph": "Till paragraf", "votes": "Röster",
}
# a hint under a field, by its name (else by its kind: an optional date, a list)
HINTS = {
    "responsible_body": "Organets förkortning, t.ex. RS eller HSN.",
    "officer": "Handläggarens användarnamn.",
    "document_number": "Handlingens löpnummer i ärendet.",
    "recipients": "En mottagare per rad.",
    "points": "En beslutspunkt per rad.",
    "statute": "Paragrafen i offentlighets- och sekretesslagen, t.ex. OSL 25:1.",
    "marking_body": "Organet som gjort sekretessbedömningen, t.ex. HSN.",
    "public_title": "Visas för den som inte får läsa den sekretessbelagda ärendemeningen.",
    "dnr": "Lämna tomt så får ärendet nästa lediga diarienummer.",
    "series": "Lämna tomt för standardserien.",
    "delegation_point": "Punkten i delegationsordningen, t.ex. 3.2.",
    "point": "Punkten i delegationsordningen, t.ex. 3.2.",
    "secrecy": "Fyll bara i om uppgifter i ärendet omfattas av sekretess: ärendet "
               "sekretessmarkeras då i samma registrering.",
    "fields": "Kryssa inget för standardvalet: alla uppgifter som kan sekretessmarkeras här.",
}
OPTIONAL_HINTS = {  # a field the API fills in when it is left empty
    "marking_body": "Lämna tomt för ärendets ansvariga organ.",
}
TODAY_HINT = "Lämna tomt för dagens datum."
DATE_HINT = "Skriv som ÅÅÅÅ-MM-DD."
OPTIONS = {
    ("fields", "title"): "ärendemeningen", ("fields", "origin"): "ursprunget",
    ("fields", "documents"): "handlingarna", ("fields", "proposals"): "förslagen",
    ("fields", "decisions"): "besluten", ("fields", "counterpart"): "avsändare/mottagare",
    ("fields", "description"): "beskrivningen",
    ("direction", "incoming"): "inkommen", ("direction", "outgoing"): "utgående",
    ("direction", "drawn_up"): "upprättad",
    ("matter", "ordinary"): "vanligt ärende", ("matter", "goals_and_direction"):
    "mål och riktlinjer", ("matter", "budget"): "budget",
    ("matter", "statement_to_council"): "yttrande till fullmäktige",
    ("matter", "appealed_council_decision"): "överklagat fullmäktigebeslut",
    ("matter", "principle"): "principiell betydelse",
    ("matter", "special_statute"): "särskild lagstiftning",
    ("kind", "decided"): "beslut", ("kind", "proposed_to_higher_body"):
    "förslag till överordnat organ", ("kind", "noted"): "anmält / noterat",
}
# marshmallow's messages (and diarium's own, web/text.py) in Swedish: pattern, template
MESSAGES = (
    (r"Missing data for required field\.", "Fältet måste fyllas i."),
    (r"Field may not be null\.", "Fältet måste fyllas i."),
    (r"Not a valid date\.", "Ange ett datum som ÅÅÅÅ-MM-DD."),
    (r"Not a valid datetime\.", "Ange datum och tid."),
    (r"Not a valid time\.", "Ange en tid som TT:MM."),
    (r"Not a valid integer\.", "Ange ett heltal."),
    (r"Not a valid (string|boolean|list)\.", "Ogiltigt värde."),
    (r"Shorter than minimum length 1\.", "Fältet måste fyllas i."),
    (r"Length must be between 1 and (\d+)\.",
     r"Fyll i minst en och högst \1 (tecken eller rader)."),
    (r"Longer than maximum length (\d+)\.", r"Högst \1 tecken eller rader."),
    (r"String does not match expected pattern\.", "Fältet får inte vara tomt."),
    (r"Must be greater than or equal to (\d+) and less than or equal to (\d+)\.",
     r"Ange ett tal från \1 till \2."),
    (r"Must be one of: .*", "Välj ett av alternativen."),
    (r"Must be greater than or equal to (\d+)\.", r"Ange minst \1."),
    (r"Unknown field\.", "Okänt fält."),
    # a file refused (cases/files/media.py, web/routes/files.py)
    (r"Missing: send the file in the form field 'file'\.", "Välj en fil att ladda upp."),
    (r"The file is empty \(0 bytes\)\.",
     "Ingen fil valdes, eller så är filen tom (0 byte). Välj en fil med innehåll."),
    (r"The file's content is (\S+), but its (Content-Type|name) says (\S+): .*",
     r"Filens innehåll är \1, men dess namn eller typ säger \3. Välj rätt fil."),
    (r"The PDF is cut short.*", "PDF-filen är avkortad (slutet saknas). Välj en hel fil."),
    (r"The JPEG image is cut short.*", "Bilden är avkortad (slutet saknas). Välj en hel fil."),
    (r"The (\S+) file is cut short\.", r"Filen (\1) är avkortad. Välj en hel fil."),
    (r"The file is cut short or damaged.*", "Filen är avkortad eller skadad. Välj en hel fil."),
)


def field_label(name: str) -> str:
    """A field's Swedish label (its wire name if none is known)."""
    return LABELS.get(name) or SWEDISH_LABELS.get(name) or name.replace("_", " ").capitalize()


def field_hint(name: str, kind: str, required: bool) -> str | None:
    """A field's Swedish hint: its own, or how a date or a list is written."""
    if not required and name in OPTIONAL_HINTS:
        return OPTIONAL_HINTS[name]
    if name in HINTS:
        return HINTS[name]
    if kind == "date":
        return DATE_HINT if required else f"{TODAY_HINT} {DATE_HINT}"
    if kind == "lines":
        return "En per rad."
    return None


def option_label(name: str, value: str) -> str:
    """A choice's Swedish label (the Swedish enumerations are their own labels)."""
    return OPTIONS.get((name, value), value)


def swedish_error(message: str) -> str:
    """A field's error message in Swedish (anything else as it is)."""
    for pattern, template in MESSAGES:
        if re.fullmatch(pattern, message):
            return re.sub(pattern, template, message)
    return message


def swedish_rule(error: RuleViolation) -> str:
    """A refusal by a rule of the case process: its Swedish text and its code."""
    text = getattr(error.rule, "text_sv", None) or error.rule.text
    source = f" ({error.rule.source})" if error.rule.source else ""
    return f"{text}{source} [regel: {error.rule.code}]"
