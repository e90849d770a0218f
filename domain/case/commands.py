"""Commands: what a user asks the case service to do (validated input, not yet facts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from diarium.domain.case.terms import DecisionKind, Direction, SecrecyMarking
from diarium.domain.dnr import DEFAULT_SERIES


@dataclass(frozen=True)
class RegisterCase:
    title: str
    responsible_body: str
    series: str = DEFAULT_SERIES
    registered_on: date | None = None
    public_title: str | None = None
    unit: str | None = None
    officer: str | None = None
    classification: str | None = None
    origin: str | None = None
    dnr: str | None = None  # an existing number, when migrating from an older system
    secrecy: SecrecyMarking | None = None  # marked secret in the same write (OSL 5:5)


@dataclass(frozen=True)
class RegisterDocument:
    dnr: str
    direction: Direction
    date: date
    description: str
    counterpart: str | None = None


@dataclass(frozen=True)
class AssignOfficer:
    officer: str
    assigned_on: date | None = None


@dataclass(frozen=True)
class SendReferral:
    recipients: list[str]
    answer_by: date
    sent_on: date | None = None
    document_number: int | None = None


@dataclass(frozen=True)
class RegisterReferralAnswer:
    recipient: str
    answered_on: date | None = None
    document_number: int | None = None


@dataclass(frozen=True)
class ReceiveIncomingReferral:
    sender: str
    answer_by: date
    document_number: int
    received_on: date | None = None  # default: the incoming letter's date
    sender_reference: str | None = None


@dataclass(frozen=True)
class ExtendIncomingReferral:
    answer_by: date
    granted_on: date | None = None


@dataclass(frozen=True)
class AnswerIncomingReferral:
    document_number: int
    answered_on: date | None = None  # default: the outgoing answer's date


@dataclass(frozen=True)
class DeclineIncomingReferral:
    reason: str
    declined_on: date | None = None
    document_number: int | None = None


@dataclass(frozen=True)
class RecordProposal:
    points: list[str]
    summary: str
    proposed_on: date | None = None
    justification: str | None = None
    proposed_by: str | None = None


@dataclass(frozen=True)
class RecordDecision:
    kind: DecisionKind
    text: str
    decided_on: date
    body: str | None = None
    paragraph: int | None = None
    higher_body: str | None = None
    delegate: str | None = None
    delegation_point: str | None = None


@dataclass(frozen=True)
class RecordExtractSent:
    recipient: str
    sent_on: date | None = None


@dataclass(frozen=True)
class CloseCase:
    closed_on: date | None = None
    reason: str | None = None


@dataclass(frozen=True)
class ReopenCase:
    reason: str
    reopened_on: date | None = None


@dataclass(frozen=True)
class CancelCase:
    reason: str
    cancelled_on: date | None = None
