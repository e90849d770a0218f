"""Bodies, meetings and delegation: identities, legal dates and the vocabulary of the process.

Legal dates (Kommunallagen 2017:725):

- the protocol is adjusted no later than 14 days after the meeting (KL 5:69);
- the adjustment is posted on the notice board no later than the second day after it
  (KL 8:12);
- an appeal (laglighetsprövning) must reach the court within three weeks of the posting
  day (KL 13:5); the day after, the decision has gained legal force (laga kraft).

Each of these time limits that ends on a Saturday, Sunday, public holiday, midsummer eve,
Christmas eve or New Year's eve runs on to the next weekday (lag 1930:173 om beräkning av
lagstadgad tid): ``domain.time_limits.time_limit_end``.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from enum import StrEnum

from diarium.domain.case.terms import DecisionKind
from diarium.domain.time_limits import time_limit_end

_NAMESPACE = uuid.UUID("0f3b6f0e-8a53-4a53-9b5e-6f1d6a0c2b71")

ADJUSTMENT_DAYS = 14  # KL 5:69
POSTING_DAYS = 2  # KL 8:12
APPEAL_WEEKS = 3  # KL 13:5

BODY_CODE = re.compile(r"[0-9A-Za-zÅÄÖåäöÉé]+(?:[-_][0-9A-Za-zÅÄÖåäöÉé]+)*")


class BodyKind(StrEnum):
    COUNCIL = "fullmäktige"
    BOARD = "styrelse"
    COMMITTEE = "nämnd"
    SUBCOMMITTEE = "utskott"
    DRAFTING_COMMITTEE = "beredning"


class MemberRole(StrEnum):
    MEMBER = "ledamot"
    SUBSTITUTE = "ersättare"


class Position(StrEnum):
    CHAIR = "ordförande"
    FIRST_VICE_CHAIR = "förste vice ordförande"
    SECOND_VICE_CHAIR = "andre vice ordförande"


class Capacity(StrEnum):
    """In what capacity someone attends a meeting."""

    MEMBER = "ledamot"
    SERVING_SUBSTITUTE = "tjänstgörande ersättare"
    SUBSTITUTE = "ersättare"  # present, not serving: may speak, not move, vote or reserve
    OTHER = "övrig"  # officials, the secretary, guests

    @property
    def serving(self) -> bool:
        return self in (Capacity.MEMBER, Capacity.SERVING_SUBSTITUTE)


class AgendaItemKind(StrEnum):
    CASE = "case"
    ADJUSTERS = "adjusters"  # val av protokolljusterare
    AGENDA = "agenda"  # fastställande av föredragningslista
    DELEGATED_DECISIONS = "delegated_decisions"  # delegationsbeslut anmälda
    NOTICES = "notices"  # meddelanden
    OTHER = "other"


class Matter(StrEnum):
    """What a decision concerns, as far as delegation goes (KL 6:38)."""

    ORDINARY = "ordinary"
    GOALS_AND_DIRECTION = "goals_and_direction"  # mål, inriktning, omfattning, kvalitet
    BUDGET = "budget"
    STATEMENT_TO_COUNCIL = "statement_to_council"  # framställning/yttrande till fullmäktige
    APPEALED_COUNCIL_DECISION = "appealed_council_decision"
    PRINCIPLE = "principle"  # principiell beskaffenhet eller annars av större vikt
    SPECIAL_STATUTE = "special_statute"  # vissa ärenden enligt särskilda föreskrifter

    @property
    def delegable(self) -> bool:
        return self is Matter.ORDINARY


class Vote(StrEnum):
    """A member's vote: *ja* for the first proposal put, *nej* for the second (or against)."""

    YES = "ja"
    NO = "nej"
    ABSTAIN = "avstår"


class AttachmentKind(StrEnum):
    ATTACHMENT = "bilaga"
    BASIS = "beslutsunderlag"


# -- identities -----------------------------------------------------------------------


def body_id(code: str) -> uuid.UUID:
    """The aggregate id of the body with this code (e.g. ``RS``)."""
    return uuid.uuid5(_NAMESPACE, "body:" + code)


def meeting_ref(body: str, meeting_date: date, session: int = 1) -> str:
    """The public key of a meeting: ``RS-2020-10-14`` (``RS-2020-10-14-2`` for a second one)."""
    ref = f"{body}-{meeting_date.isoformat()}"
    return ref if session == 1 else f"{ref}-{session}"


_REF = re.compile(r"(?P<body>.+)-\d{4}-\d{2}-\d{2}(?:-\d+)?")


def body_of_ref(ref: str) -> str | None:
    """The body code of a meeting ref (``RS-2020-10-14`` → ``RS``), if it is one."""
    match = _REF.fullmatch(ref)
    return match["body"] if match else None


def meeting_id(ref: str) -> uuid.UUID:
    """The aggregate id of the meeting with this ref."""
    return uuid.uuid5(_NAMESPACE, "meeting:" + ref)


def paragraph_year_id(body: str, year: int) -> uuid.UUID:
    """The aggregate id of a body's paragraph counter for one year."""
    return uuid.uuid5(_NAMESPACE, f"paragraphs:{body}:{year}")


# -- legal dates ----------------------------------------------------------------------


def adjustment_deadline(meeting_date: date) -> date:
    """The last day to adjust the protocol: 14 days after the meeting (KL 5:69), run on past
    a day off (lag 1930:173)."""
    return time_limit_end(meeting_date + timedelta(days=ADJUSTMENT_DAYS))


def posting_deadline(adjusted_on: date) -> date:
    """The last day to post the adjustment on the notice board: the second day after it
    (KL 8:12), run on past a day off (lag 1930:173)."""
    return time_limit_end(adjusted_on + timedelta(days=POSTING_DAYS))


def appeal_period_end(posted_on: date) -> date:
    """The last day of the appeal period: three weeks after posting (KL 13:5), run on past
    a day off (lag 1930:173)."""
    return time_limit_end(posted_on + timedelta(weeks=APPEAL_WEEKS))


def legal_force_from(posted_on: date) -> date:
    """The first day the decision has legal force (laga kraft)."""
    return appeal_period_end(posted_on) + timedelta(days=1)


def taken_down_on(posted_on: date) -> date:
    """The day the posted adjustment comes down from the notice board: the day after the
    appeal period ends. The notice stays posted until the appeal period has run out (KL 8:12
    second paragraph: "till dess att tiden för överklagande har gått ut"); that period's last
    day is run on past a day off (lag 1930:173), so the notice stays up through it and is
    taken down the next day, the first day of legal force."""
    return appeal_period_end(posted_on) + timedelta(days=1)


def on_the_board(posted_on: date | None, today: date) -> bool:
    """Whether an adjustment posted on ``posted_on`` is on the notice board ``today``."""
    return posted_on is not None and posted_on <= today < taken_down_on(posted_on)


def notice_on_the_board(published_on: date | None, meeting_date: date, today: date) -> bool:
    """Whether a meeting's notice (kallelse) is on the notice board ``today``: from the day
    it was published through the meeting day."""
    return published_on is not None and published_on <= today <= meeting_date


NOT_APPEALABLE = (
    "Beslutet är av beredande art (förslag till {higher_body}) och kan inte överklagas "
    "(13 kap. 2 § kommunallagen)."
)


def appealable(kind: str | None) -> bool:
    """Whether a decision of this kind can be appealed (laglighetsprövning): a proposal to a
    higher body is preparatory and cannot be (KL 13:2), so it has no appeal period and never
    gains legal force; it is the higher body's decision that does."""
    return kind != DecisionKind.PROPOSED_TO_HIGHER_BODY


# -- not found --------------------------------------------------------------------------


class NotFound(LookupError):
    """A body, meeting, paragraph, agenda item or member that does not exist (HTTP 404)."""

    kind = "resource"

    def __init__(self, key: object) -> None:
        super().__init__(f"No {self.kind} {key!s}")
        self.key = str(key)


class BodyNotFound(NotFound):
    kind = "body"


class MeetingNotFound(NotFound):
    kind = "meeting"


class ParagraphNotFound(NotFound):
    kind = "paragraph"


class AgendaItemNotFound(NotFound):
    kind = "agenda item"


class MemberNotFound(NotFound):
    kind = "member"
