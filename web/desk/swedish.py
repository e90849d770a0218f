"""The desk's words: Swedish labels for the commands' fields and choices, and refusals in
Swedish (marshmallow's messages, and the rules of the case process by their own Swedish
text, ``Rule.text_sv``)."""

from __future__ import annotations

import re

from diarium.domain.rules import RuleViolation
from diarium.web.register_csv import LABELS_SV, SWEDISH_LABELS

# the commands' fields where the form words them otherwise than the registers' columns
# (web/labels_sv.toml: [forms]; [registers], SWEDISH_LABELS, names the rest)
LABELS: dict[str, str] = LABELS_SV["forms"]
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
