"""A case's life: registered, its officer assigned, closed, reopened, cancelled."""

from __future__ import annotations

from datetime import date
from typing import Any, Self

from diarium.domain import rules
from diarium.domain.actor import Actor
from diarium.domain.aggregate import command, decides, evolves
from diarium.domain.case.part import CaseCommand, CasePart
from diarium.domain.case.secrecy import MarkSecret
from diarium.domain.case.terms import SecrecyMarking, Status
from diarium.domain.dnr import DEFAULT_SERIES, case_id
from diarium.domain.events import case as ev
from diarium.domain.migration import Migration
from diarium.domain.roles import may_mark_secret
from diarium.domain.rules import happened_on, not_future, require, rule

# -- commands -------------------------------------------------------------------------


@command
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
    migrated: Migration | None = None  # taken over from an older system (as is a given dnr)

    @property
    def is_migrated(self) -> bool:
        """Taken over from an older system: it then carries its own dates."""
        return self.migrated is not None or self.dnr is not None


@command
class AssignOfficer(CaseCommand):
    officer: str
    assigned_on: date | None = None


@command
class ClassifyCase(CaseCommand):
    classification: str
    classified_on: date | None = None


CLASSIFICATION_UNCHANGED = rule(
    "classification-unchanged", "The case is already filed under this classification code.",
    sv="Ärendet är redan klassificerat under den här koden.",
)


@command
class CloseCase(CaseCommand):
    closed_on: date | None = None
    reason: str | None = None


@command
class ReopenCase(CaseCommand):
    reason: str
    reopened_on: date | None = None


@command
class CancelCase(CaseCommand):
    reason: str
    cancelled_on: date | None = None


# -- the part of the case that decides them -------------------------------------------


class Lifecycle(CasePart):
    """Registration, the case officer, closing, reopening and cancelling."""

    @classmethod
    def register(
        cls,
        *,
        dnr: str,
        series: str,
        year: int,
        sequence: int,
        title: str,
        responsible_body: str,
        registered_on: date,
        by: Actor,
        today: date,
        public_title: str | None = None,
        unit: str | None = None,
        officer: str | None = None,
        classification: str | None = None,
        origin: str | None = None,
        migrated: bool = False,
        migrated_source: str | None = None,
        secrecy: SecrecyMarking | None = None,
    ) -> Self:
        """Register a new case under ``dnr``, marked secret at once when ``secrecy`` is given
        (its ``CaseMarkedSecret`` follows ``CaseRegistered`` in the same save). A personal
        identity number stands only where the marking withholds it."""
        not_future(registered_on, today, "registered_on")
        require(
            secrecy is None or may_mark_secret(by, officer),
            rules.SECRECY_MARKING_ROLE,
            f"{by.name} may register the case but not mark it secret",
            "secrecy",
        )
        case: Any = cls._create_by(
            ev.CaseRegistered,
            id=case_id(dnr),
            dnr=dnr,
            series=series,
            year=year,
            sequence=sequence,
            title=title,
            public_title=public_title,
            responsible_body=responsible_body,
            unit=unit,
            officer=officer,
            classification=classification,
            origin=origin,
            migrated=migrated,
            migrated_source=migrated_source,
            occurred_on=registered_on,
            by=by,
        )
        if secrecy is not None:
            case.mark_secret(
                MarkSecret(
                    dnr,
                    statute=secrecy.statute,
                    marking_body=secrecy.marking_body or responsible_body,
                    marked_on=secrecy.marked_on or registered_on,
                    fields=secrecy.fields,
                ),
                by,
                today,
            )
        for name, value, entity in (
            ("title", title, "case"), ("public_title", public_title, None),
            ("origin", origin, "case"),
        ):
            case._require_unpublished(name, value, entity)
        return case

    @decides(AssignOfficer)
    def assign_officer(self, command: AssignOfficer, by: Actor, today: date) -> None:
        """Assign or reassign the case officer (handläggare)."""
        assigned_on = self._active_on(command.assigned_on, today, "assigned_on")
        officer = command.officer
        require(officer != self.officer, rules.OFFICER_UNCHANGED, f"{officer} is already officer")
        self.record(
            ev.CaseOfficerAssigned, command, by,
            previous_officer=self.officer, occurred_on=assigned_on,
        )

    @decides(ClassifyCase)
    def classify(self, command: ClassifyCase, by: Actor, today: date) -> None:
        """File the case under another code of the classification structure."""
        classified_on = self._active_on(command.classified_on, today, "classified_on")
        require(command.classification != self.classification, CLASSIFICATION_UNCHANGED,
                field="classification")
        self.record(
            ev.CaseClassified, command, by,
            previous_classification=self.classification, occurred_on=classified_on,
        )

    @decides(CloseCase)
    def close(self, command: CloseCase, by: Actor, today: date) -> None:
        """Close the case (avsluta)."""
        require(self.status != Status.CANCELLED, rules.CASE_CANCELLED)
        require(self.status == Status.OPEN, rules.CLOSE_ONLY_OPEN)
        outstanding = [r.number for r in self.incoming_referrals if r.settled_on is None]
        require(  # our body owes the sender an answer (outgoing referrals: others owe us)
            not outstanding,
            rules.CLOSE_INCOMING_REFERRAL_OUTSTANDING,
            f"Case {self.dnr} has incoming referrals neither answered nor declined: "
            f"{', '.join(map(str, outstanding))}",
        )
        closed_on = happened_on(command.closed_on, today, "closed_on")
        self.record(ev.CaseClosed, command, by, occurred_on=closed_on)

    @decides(ReopenCase)
    def reopen(self, command: ReopenCase, by: Actor, today: date) -> None:
        """Reopen a closed case."""
        require(self.status != Status.CANCELLED, rules.CASE_CANCELLED)
        require(self.status == Status.CLOSED, rules.REOPEN_ONLY_CLOSED)
        reopened_on = happened_on(command.reopened_on, today, "reopened_on")
        self.record(ev.CaseReopened, command, by, occurred_on=reopened_on)

    @decides(CancelCase)
    def cancel(self, command: CancelCase, by: Actor, today: date) -> None:
        """Cancel (makulera) a case registered in error; the case and its dnr are kept."""
        self._require_active()
        require(not self.decisions, rules.CANCEL_AFTER_DECISION)
        cancelled_on = happened_on(command.cancelled_on, today, "cancelled_on")
        self.record(ev.CaseCancelled, command, by, occurred_on=cancelled_on)

    # -- evolution ------------------------------------------------------------------

    @evolves(ev.CaseRegistered)
    def _registered(self, event: ev.CaseRegistered) -> None:
        self.copy_fields(event)  # dnr and its parts, title, body, unit, officer, origin…
        self.registered_on = event.occurred_on
        self.registered_by = event.actor
        self.status = Status.OPEN
        self.closed_on = None
        self.cancelled_on = None
        self.documents = []
        self.referrals = []
        self.incoming_referrals = []
        self.proposals = []
        self.decisions = []
        self.secrecy = None

    @evolves(ev.CaseOfficerAssigned)
    def _officer_assigned(self, event: ev.CaseOfficerAssigned) -> None:
        self.officer = event.officer

    @evolves(ev.CaseClassified)
    def _classified(self, event: ev.CaseClassified) -> None:
        self.classification = event.classification

    @evolves(ev.CaseClosed)
    def _closed(self, event: ev.CaseClosed) -> None:
        self.status = Status.CLOSED
        self.closed_on = event.occurred_on

    @evolves(ev.CaseReopened)
    def _reopened(self, event: ev.CaseReopened) -> None:
        self.status = Status.OPEN
        self.closed_on = None

    @evolves(ev.CaseCancelled)
    def _cancelled(self, event: ev.CaseCancelled) -> None:
        self.status = Status.CANCELLED
        self.cancelled_on = event.occurred_on
