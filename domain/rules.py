"""Lifecycle rules: each has a stable code that the API returns when a command breaks it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Rule:
    """A named rule of the case process, with the law or practice it comes from."""

    code: str
    text: str
    source: str | None = None  # the law or practice it comes from, e.g. "KL 4:27"
    text_sv: str | None = None  # the same in Swedish, as the staff's pages show it


class RuleViolation(Exception):
    """A command was refused because it would break a rule; nothing was recorded.
    ``field`` names the field of the command at fault, where one is."""

    def __init__(self, rule: Rule, detail: str | None = None, field: str | None = None) -> None:
        super().__init__(detail or rule.text)
        self.rule = rule
        self.detail = detail or rule.text
        self.field = field


RULES: dict[str, Rule] = {}


def rule(code: str, text: str, source: str | None = None, sv: str | None = None) -> Rule:
    """Declare a rule once, with its legal source and its Swedish text, so that every rule
    can be listed (GET /api/rules) and shown in Swedish (the desk's pages)."""
    declared = Rule(code, text, source, sv)
    RULES[code] = declared
    return declared


def require(
    condition: bool, broken: Rule, detail: str | None = None, field: str | None = None
) -> None:
    """Refuse the command with ``broken`` (at ``field``) unless ``condition`` holds."""
    if not condition:
        raise RuleViolation(broken, detail, field)


def not_future(day: date, today: date, field_name: str) -> None:
    """Refuse a business date after today for something that has happened."""
    require(
        day <= today,
        NO_FUTURE_DATES,
        f"{field_name} {day.isoformat()} lies after today ({today.isoformat()})",
        field=field_name,
    )


class DateRequired(ValueError):
    """A migrated record (taken over from an older system) left out one of its dates: only a
    live registration defaults a date to today (422 naming ``field``)."""

    def __init__(self, field: str, record: str = "A migrated record") -> None:
        super().__init__(f"{record} carries its own {field}; it is not today's date")
        self.field = field


def dated(day: date | None, today: date, field_name: str, *, migrated: bool = False) -> date:
    """``day``, or today for a live record; a ``migrated`` record must give it
    (:class:`DateRequired` naming ``field_name``)."""
    if day is None and migrated:
        raise DateRequired(field_name)
    return day or today


def happened_on(
    day: date | None, today: date, field_name: str, *, migrated: bool = False
) -> date:
    """The business date of what a command records: ``day`` (default: today, but a
    ``migrated`` record must give it: :class:`DateRequired`), refused when it lies after today
    (``field_name`` names the command's field)."""
    day = dated(day, today, field_name, migrated=migrated)
    not_future(day, today, field_name)
    return day


# Registration and numbering
DNR_TAKEN = rule(
    "dnr-taken", "A diarienummer is never reused: this dnr is already registered.",
    source="OSL 5:1; practice (a dnr names one case for good)",
    sv="Ett diarienummer återanvänds aldrig: det här diarienumret är redan registrerat.",
)
DNR_FORMAT = rule(
    "dnr-format", "The dnr does not match the format of its series.",
    sv="Diarienumret följer inte diarieseriens format.",
)
UNKNOWN_SERIES = rule(
    "unknown-series", "The dnr series is not configured.",
    sv="Diarieserien finns inte inlagd.",
)
NO_FUTURE_DATES = rule(
    "no-future-date", "What has happened cannot be dated in the future (business dates).",
    source="OSL 5:1 (register entries state facts)",
    sv="Det som har hänt kan inte dateras i framtiden.",
)
# Lifecycle
CASE_CLOSED = rule(
    "case-closed", "A closed case must be reopened before anything more is recorded on it.",
    sv="Ärendet är avslutat: återuppta det innan något mer registreras i det.",
)
CASE_CANCELLED = rule(
    "case-cancelled", "A cancelled (makulerat) case is kept as it is: nothing more is recorded.",
    sv="Ärendet är makulerat och lämnas som det är: ingenting mer registreras i det.",
)
CLOSE_ONLY_OPEN = rule(
    "close-only-open", "Only an open case can be closed.",
    sv="Bara ett öppet ärende kan avslutas.",
)
REOPEN_ONLY_CLOSED = rule(
    "reopen-only-closed", "Only a closed case can be reopened.",
    sv="Bara ett avslutat ärende kan återupptas.",
)
CANCEL_AFTER_DECISION = rule(
    "cancel-after-decision", "A case with a recorded decision cannot be cancelled (makuleras).",
    sv="Ett ärende där ett beslut är registrerat kan inte makuleras.",
)
OFFICER_UNCHANGED = rule(
    "officer-unchanged", "The case already has this case officer.",
    sv="Ärendet har redan den här handläggaren.",
)
# Referrals (remiss)
REFERRAL_UNKNOWN = rule(
    "referral-not-sent", "An answer can only be registered to a referral that was sent.",
    sv="Ett remissvar kan bara registreras på en remiss som har skickats.",
)
REFERRAL_RECIPIENT = rule(
    "referral-recipient", "Only a recipient of the referral can answer it.",
    sv="Bara en mottagare av remissen kan svara på den.",
)
REFERRAL_ALREADY_ANSWERED = rule(
    "referral-already-answered", "Each recipient answers a referral once.",
    sv="Varje remissinstans svarar på remissen en gång.",
)
REFERRAL_ANSWER_BEFORE_SENT = rule(
    "referral-answer-before-sent", "A referral cannot be answered before it was sent.",
    sv="En remiss kan inte besvaras innan den skickades.",
)
REFERRAL_DUE_BEFORE_SENT = rule(
    "referral-due-before-sent", "The answer-by date must not precede the date sent.",
    sv="Svarsdatum får inte vara före datumet då remissen skickades.",
)
# Incoming referrals (remiss to us, which we must answer by a date)
INCOMING_REFERRAL_UNKNOWN = rule(
    "incoming-referral-unknown", "The case has no incoming referral with this number.",
    sv="Ärendet har ingen inkommen remiss med det här numret.",
)
INCOMING_REFERRAL_DUE_BEFORE_RECEIVED = rule(
    "incoming-referral-due-before-received",
    "The answer-by date of an incoming referral must not precede the day it was received.",
    sv="Svarsdatum för en inkommen remiss får inte vara före dagen då den kom in.",
)
INCOMING_REFERRAL_LETTER = rule(
    "incoming-referral-letter",
    "An incoming referral is the registered incoming letter (document) that asks for an answer.",
    sv="En inkommen remiss är den registrerade inkomna handling som begär ett svar.",
)
INCOMING_REFERRAL_SETTLED = rule(
    "incoming-referral-settled",
    "An incoming referral is answered or declined once.",
    sv="En inkommen remiss besvaras eller avböjs en gång.",
)
INCOMING_REFERRAL_BEFORE_RECEIVED = rule(
    "incoming-referral-before-received",
    "Nothing is recorded on an incoming referral (answer, declining, extension) dated before "
    "it was received.",
    sv=(
        "Ingenting som gäller en inkommen remiss (svar, avböjande, anstånd) kan dateras före dagen "
        "då remissen kom in."
    ),
)
INCOMING_REFERRAL_EXTENSION = rule(
    "incoming-referral-extension",
    "An extension (anstånd) granted by the sender moves the answer-by date later.",
    sv="Ett anstånd från avsändaren flyttar svarsdatum till senare.",
)
CLOSE_INCOMING_REFERRAL_OUTSTANDING = rule(
    "close-incoming-referral-outstanding",
    "A case is closed when done: every incoming referral must first be answered or declined "
    "(a case registered in error is cancelled instead).",
    sv=(
        "Ett ärende avslutas när det är klart: varje inkommen remiss måste först besvaras eller "
        "avböjas (ett felregistrerat ärende makuleras i stället)."
    ),
)
INCOMING_REFERRAL_ANSWER_DOCUMENT = rule(
    "incoming-referral-answer-document",
    "The answer to an incoming referral is a registered outgoing document of the case.",
    sv="Svaret på en inkommen remiss är en registrerad utgående handling i ärendet.",
)
DOCUMENT_UNKNOWN = rule(
    "document-unknown", "The document number is not registered to this case.",
    sv="Det finns ingen handling med det numret i ärendet.",
)
FILE_UNCHANGED = rule(
    "file-unchanged",
    "A new version of a document's file must differ from its current version.",
    sv="En ny version av handlingens fil måste skilja sig från den nuvarande.",
)
# Decisions and extracts
DECISION_MAKER = rule(
    "decision-maker",
    "A decision is taken either by a body at a meeting (body, meeting date, §) "
    "or by a delegate under a point of the delegation order, not both.",
    source="KL 5:1, 6:37",
    sv=(
        "Ett beslut fattas antingen av ett organ vid ett sammanträde (organ, sammanträdesdag, §) "
        "eller av en delegat enligt en punkt i delegationsordningen, inte båda."
    ),
)
DECISION_UNKNOWN = rule(
    "decision-unknown", "There is no such decision on this case.",
    sv="Det finns inget sådant beslut i ärendet.",
)
DECISION_NOT_AT_MEETING = rule(
    "decision-not-at-meeting",
    "A body's decision is recorded from its meeting's protocol: it names a decided paragraph "
    "of that body (year, §, meeting date) on this case, or is a historical record (migrated, "
    "with its source).",
    source="KL 5:62, 6:35 (the protocol records the decisions)",
    sv=(
        "Ett organs beslut registreras från sammanträdets protokoll: det anger en beslutad "
        "paragraf i organets protokoll (år, §, sammanträdesdag) i det här ärendet, eller är ett "
        "historiskt beslut (överfört från äldre system, med källa)."
    ),
)
DECISION_ALREADY_RECORDED = rule(
    "decision-already-recorded",
    "The paragraph's decision is already recorded on the case (the meeting records it).",
    source="KL 5:62, 6:35",
    sv="Paragrafens beslut är redan registrerat i ärendet (sammanträdet registrerar det).",
)
PARAGRAPH_TAKEN = rule(
    "paragraph-taken",
    "A body's paragraph numbers are unique in a year: a historical decision takes a § that "
    "neither a meeting in this system nor another historical decision has used.",
    source="KL 5:62, 6:35 (paragraphs run on per body and year); practice",
    sv=(
        "Ett organs paragrafnummer är unika inom ett år: ett historiskt beslut tar en § som varken "
        "ett sammanträde i systemet eller ett annat historiskt beslut har använt."
    ),
)
BODY_UNKNOWN = rule(
    "body-unknown",
    "A body code that names one of our bodies (responsible, deciding, higher or marking body) "
    "names a body that is set up (POST /api/bodies).",
    source="KL 3:3-4 (fullmäktige sets up the board and committees)",
    sv=(
        "Organet finns inte inlagt: ett organ (ansvarigt, beslutande, överordnat eller som gör "
        "sekretessbedömningen) måste först läggas in."
    ),
)
EXTRACT_ALREADY_SENT = rule(
    "extract-already-sent", "This extract was already sent to this recipient.",
    sv="Det här protokollsutdraget har redan skickats till mottagaren.",
)
EXTRACT_BEFORE_DECISION = rule(
    "extract-before-decision", "A protocol extract cannot be sent before the decision was taken.",
    sv="Ett protokollsutdrag kan inte skickas innan beslutet har fattats.",
)

# -- Meetings, protocols and delegation (issue #3; see docs/meetings.md) -------------------
# Bodies and members
BODY_EXISTS = rule(
    "body-exists", "A body with this code is already set up.",
    sv="Det finns redan ett organ med den här förkortningen.",
)
BODY_PARENT = rule(
    "body-parent", "A body sits under a body that is set up (not itself).",
    sv="Ett organ ligger under ett organ som finns inlagt (inte under sig självt).",
)
MEMBERSHIP_PERIOD = rule(
    "membership-period", "A membership period ends on or after its start.",
    sv="Ett uppdrags period slutar samma dag som den börjar eller senare.",
)
MEMBER_ALREADY_APPOINTED = rule(
    "member-already-appointed", "The person already holds a membership of the body then.",
    sv="Personen har redan ett uppdrag i organet under den tiden.",
)
MEMBER_NOT_ACTIVE = rule(
    "member-not-active", "Only a current membership can be ended.",
    sv="Bara ett pågående uppdrag kan avslutas.",
)
BEFORE_ESTABLISHED = rule(
    "before-established",
    "Nothing of a body is dated before it was established: its members' periods, its "
    "meetings and its delegation order (a body set up after the fact gives established_on).",
    source="KL 3:3-4, 6:1 (a body exists from the council's decision)",
    sv=(
        "Ingenting i ett organ kan dateras före den dag då organet inrättades: ledamöternas "
        "perioder, sammanträden och delegationsordning (ange inrättandedatum för ett organ som "
        "läggs in i efterhand)."
    ),
)
SCHEDULED_AFTER_MEETING = rule(
    "scheduled-after-meeting",
    "A meeting is scheduled (called) before it is held: scheduled_on is not after its date.",
    source="KL 5:10-13, 6:20 (kallelse before the meeting)",
    sv=(
        "Ett sammanträde kallas till innan det hålls: kallelsedagen kan inte vara efter "
        "sammanträdesdagen."
    ),
)
# Delegation (KL 6:37-38, 7:5-8)
DELEGATION_POINT_EXISTS = rule(
    "delegation-point-exists", "The delegation order already has a point with this number.",
    sv="Delegationsordningen har redan en punkt med det här numret.",
)
DELEGATION_POINT_UNKNOWN = rule(
    "delegation-point-unknown", "The delegation order has no such point (at that date).",
    source="KL 6:37, 7:5",
    sv="Delegationsordningen har ingen sådan punkt (vid det datumet).",
)
DELEGATION_POINT_REVOKED = rule(
    "delegation-point-revoked", "The point of the delegation order was revoked.",
    source="KL 6:37",
    sv="Punkten i delegationsordningen är upphävd.",
)
DELEGATE_MISMATCH = rule(
    "delegate-mismatch", "The point of the delegation order names another delegate.",
    source="KL 6:37, 7:5",
    sv="Punkten i delegationsordningen anger en annan delegat.",
)
NON_DELEGABLE = rule(
    "non-delegable",
    "This cannot be delegated (KL 6:38): goals and direction, budget, statements to the "
    "council, appealed council decisions, matters of principle or special statutes.",
    source="KL 6:38",
    sv=(
        "Detta får inte delegeras (KL 6:38): mål och riktlinjer, budget, yttranden till "
        "fullmäktige, överklagade fullmäktigebeslut, ärenden av principiell beskaffenhet eller "
        "enligt särskilda föreskrifter."
    ),
)
DELEGATED_DECISION_UNKNOWN = rule(
    "delegated-decision-unknown", "The body has no such delegated decision.",
    sv="Organet har inget sådant delegationsbeslut.",
)
DELEGATED_DECISION_REPORTED = rule(
    "delegated-decision-reported", "A delegated decision is reported to the body once.",
    source="KL 6:40",
    sv="Ett delegationsbeslut anmäls till organet en gång.",
)
# Meetings and agenda
MEETING_EXISTS = rule(
    "meeting-exists", "The body already has this meeting.",
    sv="Organet har redan det här sammanträdet.",
)
AGENDA_CASE_NOT_FOR_BODY = rule(
    "agenda-case-not-for-body",
    "A case goes on a body's agenda when the body is responsible for it or a lower body "
    "proposed the body a decision in it.",
    sv=(
        "Ett ärende tas upp på ett organs föredragningslista när organet är ansvarigt för det "
        "eller ett underordnat organ har lämnat ett beslutsförslag till organet i ärendet."
    ),
)
AGENDA_CASE_LISTED = rule(
    "agenda-case-listed", "The case is already on this agenda.",
    sv="Ärendet finns redan på föredragningslistan.",
)
AGENDA_ITEM_WITHDRAWN = rule(
    "agenda-item-withdrawn", "The agenda item was withdrawn (lyft ut).",
    sv="Punkten på föredragningslistan är utlyft.",
)
CASE_NOT_ON_AGENDA = rule(
    "case-not-on-agenda", "A paragraph on a case needs the case on the meeting's agenda.",
    sv="En paragraf i ett ärende kräver att ärendet finns på sammanträdets föredragningslista.",
)
ATTENDANCE_MEMBERSHIP = rule(
    "attendance-membership",
    "A ledamot attends as ledamot, an ersättare as (serving) ersättare, on the meeting date.",
    source="KL 5:17, 6:14-16",
    sv=(
        "En ledamot deltar som ledamot och en ersättare som (tjänstgörande) ersättare, enligt "
        "uppdragen på sammanträdesdagen."
    ),
)
CHAIR_NOT_SERVING = rule(
    "chair-not-serving", "The chair is a serving member at the meeting.",
    source="KL 5:11, 6:19",
    sv="Ordföranden är en tjänstgörande ledamot vid sammanträdet.",
)
ADJUSTER_NOT_PRESENT = rule(
    "adjuster-not-present", "Adjusters are elected among the serving members present.",
    source="KL 5:69",
    sv="Justerare väljs bland de tjänstgörande ledamöter som är närvarande.",
)
PARAGRAPH_ORDER = rule(
    "paragraph-order",
    "Paragraphs run on per body and year in meeting order: a meeting takes the next numbers "
    "only while no later meeting has any.",
    source="KL 5:62 (protocol); practice",
    sv=(
        "Paragraferna numreras löpande per organ och år i sammanträdesordning: ett sammanträde får "
        "nästa nummer bara så länge inget senare sammanträde har fått några."
    ),
)
PARAGRAPH_NUMBERING_STARTED = rule(
    "paragraph-numbering-started", "The body's paragraph numbering of that year has begun.",
    sv="Organets paragrafnumrering för det året har redan börjat.",
)
# Participation (KL 4:27, 5:47-60, 6:28-32)
MEMBER_NOT_PRESENT = rule(
    "member-not-present",
    "Only serving members present at the paragraph can move, support, vote, reserve or "
    "enter a protocol note.",
    source="KL 4:27, 5:47-60",
    sv=(
        "Bara tjänstgörande ledamöter som är närvarande vid paragrafen kan yrka, instämma, rösta, "
        "reservera sig eller göra en protokollsanteckning."
    ),
)
CONFLICT_OF_INTEREST = rule(
    "conflict-of-interest",
    "A member with a declared conflict of interest (jäv) takes no part in the paragraph.",
    source="KL 6:28-32",
    sv="En ledamot som har anmält jäv deltar inte i paragrafen.",
)
CONFLICT_AFTER_PARTICIPATION = rule(
    "conflict-after-participation",
    "A conflict of interest is declared before taking part: this member already has.",
    source="KL 6:28-32",
    sv="Jäv anmäls innan man deltar: den här ledamoten har redan deltagit.",
)
MOTION_UNKNOWN = rule(
    "motion-unknown", "The paragraph has no such motion (yrkande).",
    sv="Paragrafen har inget sådant yrkande.",
)
PROCEDURE_PROPOSALS = rule(
    "procedure-proposals",
    "A step puts motions of the paragraph; a vote puts one or two against each other, and "
    "the outcome is one of those put.",
    sv=(
        "Ett steg i beslutsgången ställer paragrafens yrkanden mot varandra; en votering ställer "
        "ett eller två mot varandra, och utfallet är ett av dem."
    ),
)
VOTE_OUTCOME = rule(
    "vote-outcome", "The outcome of a vote follows from the votes cast.",
    source="KL 5:53-56",
    sv="Voteringens utfall följer av de avgivna rösterna.",
)
CASTING_VOTE = rule(
    "casting-vote", "On a tie the chair's casting vote decides: the chair must have voted.",
    source="KL 5:56",
    sv="Vid lika röstetal avgör ordförandens utslagsröst: ordföranden måste ha röstat.",
)
PARAGRAPH_DECIDED = rule(
    "paragraph-decided", "The paragraph's decision is recorded once (correct it after adjustment).",
    sv="Paragrafens beslut registreras en gång (rätta det efter justeringen).",
)
PARAGRAPH_UNDECIDED = rule(
    "paragraph-undecided", "The paragraph has no decision yet.",
    sv="Paragrafen har inget beslut ännu.",
)
HIGHER_BODY = rule(
    "higher-body",
    "A decision proposed to a higher body names another body that is set up, and only "
    "such a decision does.",
    sv=(
        "Ett beslutsförslag till ett överordnat organ anger ett annat organ som finns inlagt, och "
        "bara ett sådant beslut gör det."
    ),
)
RESERVATION_AFTER_CLOSE = rule(
    "reservation-after-close",
    "A reservation is announced before the meeting closes (KL 4:27); its written reason "
    "may follow until adjustment.",
    source="KL 4:27",
    sv=(
        "En reservation anmäls innan sammanträdet avslutas (KL 4:27); den skriftliga motiveringen "
        "kan lämnas fram till justeringen."
    ),
)
RESERVATION_ENTERED = rule(
    "reservation-entered", "The member already reserved in the paragraph.",
    source="KL 4:27",
    sv="Ledamoten har redan reserverat sig i paragrafen.",
)
RESERVATION_UNKNOWN = rule(
    "reservation-unknown", "A written reason needs the member's reservation.",
    source="KL 4:27",
    sv="En skriftlig motivering kräver att ledamoten har reserverat sig.",
)
RESERVATION_SUPPORTED = rule(
    "reservation-supported",
    "Only a member who did not support the decision reserves against it: not one who voted "
    "for the outcome, or moved or supported only motions that were adopted.",
    source="KL 4:27",
    sv=(
        "Bara en ledamot som inte ställt sig bakom beslutet kan reservera sig mot det: inte den "
        "som röstat för utfallet, eller bara yrkat eller instämt i yrkanden som bifallits."
    ),
)
RESERVATION_ABSTAINED = rule(
    "reservation-abstained",
    "A member who abstained from voting took no part in the decision and cannot reserve "
    "against it.",
    source="KL 4:27",
    sv=(
        "En ledamot som avstått från att rösta deltog inte i beslutet och kan inte reservera sig "
        "mot det."
    ),
)
QUORUM = rule(
    "quorum",
    "A body decides only when more than half of its members (ledamöter) are present at the "
    "paragraph: serving substitutes count, a member with a declared conflict of interest does "
    "not (the council: KL 5:42; boards and committees: KL 6:27).",
    source="KL 5:42, 6:27",
    sv=(
        "Ett organ är beslutfört bara när mer än hälften av ledamöterna är närvarande vid "
        "paragrafen: tjänstgörande ersättare räknas, en ledamot som anmält jäv räknas inte "
        "(fullmäktige: KL 5:42; styrelse och nämnder: KL 6:27)."
    ),
)
# Closing, adjustment, posting, corrections, extracts
MEETING_CLOSED = rule(
    "meeting-closed", "The meeting is already closed.",
    sv="Sammanträdet är redan avslutat.",
)
MEETING_NOT_CLOSED = rule(
    "meeting-not-closed", "The protocol is adjusted after the meeting.",
    sv="Protokollet justeras efter sammanträdet.",
)
PROTOCOL_ADJUSTED = rule(
    "protocol-adjusted",
    "An adjusted protocol (or immediately adjusted paragraph) is never changed: record "
    "a certified correction.",
    source="KL 5:69-70",
    sv=(
        "Ett justerat protokoll (eller en omedelbart justerad paragraf) ändras aldrig: registrera "
        "en bestyrkt rättelse."
    ),
)
ADJUSTMENT_SIGNATORIES = rule(
    "adjustment-signatories",
    "The protocol is adjusted by the chair and the elected adjusters (KL 5:69).",
    source="KL 5:69",
    sv="Protokollet justeras av ordföranden och de valda justerarna.",
)
ADJUSTMENT_DATE = rule(
    "adjustment-date", "A protocol cannot be adjusted before the meeting.",
    sv="Ett protokoll kan inte justeras före sammanträdet.",
)
NOTICE_AFTER_MEETING = rule(
    "notice-after-meeting",
    "The notice of a meeting (kallelse) is published before the meeting, not after its date.",
    source="KL 5:10-13, 6:20",
    sv="Kallelsen till ett sammanträde publiceras före sammanträdet, inte efter sammanträdesdagen.",
)
NOTICE_PUBLISHED = rule(
    "notice-published", "The notice of the meeting is already published.",
    source="KL 5:10-13, 6:20",
    sv="Kallelsen till sammanträdet är redan publicerad.",
)
POSTING_BEFORE_ADJUSTMENT = rule(
    "posting-before-adjustment", "The adjustment is posted after it was made (KL 8:12).",
    source="KL 8:12",
    sv="Justeringen anslås efter att den har gjorts.",
)
PROTOCOL_POSTED = rule(
    "protocol-posted", "The adjustment is already posted.", source="KL 8:12",
    sv="Justeringen är redan anslagen.",
)
CORRECTION_BEFORE_ADJUSTMENT = rule(
    "correction-before-adjustment",
    "Corrections are for an adjusted protocol; before adjustment the draft is completed.",
    sv="Rättelser görs i ett justerat protokoll; före justeringen gör man utkastet färdigt.",
)
CORRECTION_CERTIFIERS = rule(
    "correction-certifiers",
    "A correction is certified by at least two who signed the protocol (chair, adjusters).",
    source="KL 5:69; good administration (FL 36 §)",
    sv=(
        "En rättelse bestyrks av minst två av dem som undertecknade protokollet (ordförande, "
        "justerare)."
    ),
)
EXTRACT_BEFORE_ADJUSTMENT = rule(
    "extract-before-adjustment", "An extract is sent of an adjusted paragraph.",
    source="KL 5:70, 8:12",
    sv="Protokollsutdrag skickas av en justerad paragraf.",
)
EXTRACT_RECIPIENT = rule(
    "extract-recipient", "The extract goes to a recipient listed in the paragraph.",
    sv="Utdraget går till en mottagare som står i paragrafen.",
)

# -- Secrecy (issue #6; OSL 5:2, 5:5) -------------------------------------------------------
SECRECY_MARKED = rule(
    "secrecy-marked", "The case or document is already marked secret: lift the marking first.",
    source="OSL 5:5",
    sv="Ärendet eller handlingen har redan en sekretessmarkering: häv markeringen först.",
)
SECRECY_NOT_MARKED = rule(
    "secrecy-not-marked", "Only a secrecy marking that is in force is lifted.",
    source="OSL 5:5",
    sv="Bara en sekretessmarkering som gäller kan hävas.",
)
SECRECY_FIELDS = rule(
    "secrecy-fields",
    "A secrecy marking names at least one field that can be withheld (case: title, origin, "
    "documents, proposals, decisions; document: counterpart, description).",
    source="OSL 5:2, 5:5",
    sv=(
        "En sekretessmarkering anger minst en uppgift som kan undanhållas (ärende: ärendemening, "
        "ursprung, handlingar, förslag, beslut; handling: avsändare/mottagare, beskrivning)."
    ),
)
SECRECY_MARKING_ROLE = rule(
    "secrecy-marking-role",
    "A case is marked secret by a registrar or by its own case officer (also when it is "
    "marked in its registration).",
    source="OSL 5:5",
    sv=(
        "Ett ärende sekretessmarkeras av en registrator eller av ärendets egen handläggare (även "
        "när markeringen görs vid registreringen)."
    ),
)
PERSONAL_IDENTITY_NUMBER_PUBLIC = rule(
    "personal-identity-number-public",
    "A personal identity number (personnummer or samordningsnummer) is not published in the "
    "public register: it may stand only in a field withheld from the public (a case's title "
    "where a public title replaces it or a secrecy marking covers it, its origin or a "
    "document's counterpart or description where a marking covers them), never in the public "
    "title.",
    source="OSL 5:1; GDPR art. 87, lag (2018:218) 3:10",
    sv=(
        "Ett personnummer eller samordningsnummer publiceras inte i det allmänna diariet: det får "
        "bara stå i en uppgift som inte visas för allmänheten (ärendemeningen när en offentlig "
        "ärendemening ersätter den eller en sekretessmarkering omfattar den, ursprunget eller en "
        "handlings avsändare/mottagare eller beskrivning när en markering omfattar dem), aldrig i "
        "den offentliga ärendemeningen."
    ),
)
