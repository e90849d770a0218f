"""Events of a body (organ): its members, its delegation order and the decisions taken
under it. Field names are the integration contract: never rename one; add a
``class_version`` and an ``upcast_vN_vN+1`` instead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from diarium.domain.events.base import (
    SAFE,
    Covered,
    DiariumCreated,
    DiariumEvent,
    Public,
    events_of,
)


class BodyEstablished(DiariumCreated):
    """A body was set up: council, board, committee, sub-committee (utskott) or drafting
    committee, with the body it sits under (``parent``)."""

    label = "Organ inrättat"
    secrecy = SAFE

    code: str
    name: str
    kind: str
    parent: str | None
    migrated_source: str | None = None  # taken over from an older system (added later)


class MemberAppointed(DiariumEvent):
    """Someone was appointed ledamot or ersättare for a period (``occurred_on`` = its start)."""

    label = "Ledamot eller ersättare utsedd"
    secrecy = SAFE

    name: str
    party: str | None
    role: str  # ledamot | ersättare
    position: str | None  # ordförande | förste/andre vice ordförande
    period_from: date
    period_to: date | None


class MembershipEnded(DiariumEvent):
    """A membership ended before its period did (``occurred_on`` = the last day)."""

    label = "Uppdrag upphört"
    secrecy = SAFE

    name: str
    reason: str | None


BODY_ADDED = {"body": "string: the body, e.g. RS"}  # what the feed adds to a body's item
DECISION_ON_ORDER = "the body's decision on the order"


@dataclass(frozen=True)
class DelegationPointTerms:
    """The fields of an event that sets a point's terms (added or revised): not an event."""

    number: Annotated[str, "the point of the delegation order, e.g. 2.3.8"]
    case_type: Annotated[str, "the kind of matter delegated"]
    delegate: Annotated[str, "who decides"]
    conditions: Annotated[str | None, "limits of the delegation"]
    decision_reference: Annotated[str | None, DECISION_ON_ORDER]


class DelegationPointAdded(DiariumEvent, DelegationPointTerms):
    """A point was added to the body's delegation order (delegationsordning)."""

    label = "Delegationspunkt tillagd"
    secrecy = SAFE
    public = Public(
        "body.delegation_point_added",
        "A point was added to a body's delegation order; business_date is its first day.",
        about=BODY_ADDED,
    )


class DelegationPointRevised(DiariumEvent, DelegationPointTerms):
    """A point of the delegation order was given a new content from ``occurred_on``."""

    label = "Delegationspunkt ändrad"
    secrecy = SAFE
    public = Public(
        "body.delegation_point_revised",
        "A point of a body's delegation order got a new content from business_date.",
        about=BODY_ADDED,
    )


class DelegationPointRevoked(DiariumEvent):
    """A point of the delegation order was revoked from ``occurred_on``."""

    label = "Delegationspunkt upphävd"
    secrecy = SAFE
    public = Public(
        "body.delegation_point_revoked",
        "A point of a body's delegation order was revoked from business_date.",
        about=BODY_ADDED,
    )

    number: Annotated[str, "the point revoked"]
    reason: Annotated[str | None, "why"]
    decision_reference: Annotated[str | None, DECISION_ON_ORDER]


class DelegatedDecisionRecorded(DiariumEvent):
    """A delegate took a decision under a point of the delegation order
    (``occurred_on`` = the decision date)."""

    label = "Delegationsbeslut registrerat"
    secrecy = Covered("delegated_decision")

    number: int
    point: str
    delegate: str
    text: str
    dnr: str | None
    case_decision_number: int | None


class DelegatedDecisionsReported(DiariumEvent):
    """Delegated decisions were reported (anmälda) to the body at a meeting, under a §."""

    label = "Delegationsbeslut anmälda"
    secrecy = SAFE

    meeting: str
    paragraph: int
    numbers: list[int]


class ParagraphYearOpened(DiariumCreated):
    """A body's paragraph numbering began for a year; ``last_number`` is the last § already
    used that year (0 when the year starts here)."""

    label = "Paragrafnumrering påbörjad"
    secrecy = SAFE

    body: str
    year: int
    last_number: int


class ParagraphNumberAllocated(DiariumEvent):
    """The next § of the body's year was given to a paragraph of a meeting."""

    label = "Paragrafnummer tilldelat"
    secrecy = SAFE

    number: int
    meeting: str
    meeting_date: date


class HistoricalParagraphRecorded(DiariumEvent):
    """A § the body used before this system (a historical decision migrated onto the case
    ``dnr``, from ``source``) was taken in the year's numbering."""

    label = "Historisk paragraf registrerad"
    secrecy = SAFE

    number: int
    dnr: str
    source: str


BODY_EVENTS: tuple[type[DiariumEvent], ...] = (
    *events_of(
        "body",
        BodyEstablished,
        MemberAppointed,
        MembershipEnded,
        DelegationPointAdded,
        DelegationPointRevised,
        DelegationPointRevoked,
        DelegatedDecisionRecorded,
        DelegatedDecisionsReported,
    ),
    *events_of(
        "paragraph_year",
        ParagraphYearOpened,
        ParagraphNumberAllocated,
        HistoricalParagraphRecorded,
    ),
)
