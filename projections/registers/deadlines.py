"""Referrals and deadlines (bevakningar): everything with a date that someone must act on.

Deadline kinds, each with its rule:

- ``referral-answer``: a referral recipient's answer is due by the referral's answer-by
  date; done when the answer is registered (or the case is cancelled).
- ``incoming-referral-answer``: our answer to a referral sent to us (inkommen remiss) is due
  by its answer-by date (moved by an extension, anstånd); done when we answer or decline (or
  the case is cancelled).
- ``protocol-adjustment`` (KL 5:69): a protocol is adjusted no later than 14 days after
  the meeting; opened when the meeting records its first paragraph or closes, done when
  the protocol is adjusted.
- ``protocol-posting`` (KL 8:12): the adjustment is posted no later than the second day
  after it; done when posted (for an immediately adjusted paragraph: when it is posted).
- ``appeal-period`` (KL 13:5): the appeal period ends three weeks after posting; the day
  after, the decisions have legal force.

Every due date (``due_on``, and a referral row's ``due_on``) is the last day of a time limit
by lag 1930:173 (``domain.time_limits.time_limit_end``): one that falls on a Saturday,
Sunday, public holiday, midsummer eve, Christmas eve or New Year's eve runs on to the next
weekday. A referral row keeps the answer-by date as given (``answer_by``); its ``due_on``
is that date run on, and it is overdue only after it.

Overdue (due before today and not done) is computed when queried, never stored, so the
register does not go stale overnight.

Secrecy (OSL 5:2): an incoming referral's sender (and their reference) is its letter's
sender, so it is secret where the letter's counterpart is (a document marking covering
``counterpart``, or a case marking covering ``documents``). The projection knows, per case,
the officer and those markings (``DeadlineCases``, folded from the case's events) and keeps,
on each incoming referral row and its deadline, ``sender_secret`` and the officer, so the
registers withhold the sender from those who may not read the case's secrets
(``projections.withholding``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from diarium.cases.handlers import handles
from diarium.domain.events import case as ev
from diarium.domain.events import meeting as mev
from diarium.domain.meeting.terms import (
    adjustment_deadline,
    appeal_period_end,
    appealable,
    posting_deadline,
)
from diarium.domain.secrecy import covered
from diarium.domain.time_limits import time_limit_end
from diarium.projections.batch import TableSpec, UnitOfWork
from diarium.projections.registers.base import CaseDirectory, Projection, shown_title
from diarium.projections.tables import case_columns, row_id, table_name

FANOUT = 1000

REFERRAL_ANSWER = "referral-answer"
INCOMING_REFERRAL_ANSWER = "incoming-referral-answer"
OUTGOING, INCOMING = "outgoing", "incoming"
PROTOCOL_ADJUSTMENT = "protocol-adjustment"
PROTOCOL_POSTING = "protocol-posting"
APPEAL_PERIOD = "appeal-period"

RULES = {
    REFERRAL_ANSWER: ("Remissvar ska lämnas senast angivet datum", None),
    INCOMING_REFERRAL_ANSWER: ("Vårt remissvar ska lämnas till avsändaren senast angivet datum",
                               None),
    PROTOCOL_ADJUSTMENT: ("Protokollet ska justeras senast 14 dagar efter sammanträdet",
                          "KL 5:69"),
    PROTOCOL_POSTING: ("Justeringen ska anslås senast andra dagen efter justeringen", "KL 8:12"),
    APPEAL_PERIOD: ("Överklagandetiden löper ut tre veckor efter anslagsdagen", "KL 13:5"),
}


WITHHELD_SENDER = "[sekretess]"


class DeadlineCases(CaseDirectory):
    """A case as its referral and deadline rows copy it: title, body, officer, whether its
    marking covers its documents, and the numbers of the documents whose own marking covers
    their counterpart (``secret_counterparts``, comma-separated)."""

    events = (ev.CaseRegistered, ev.CaseOfficerAssigned, ev.CaseMarkedSecret,
              ev.CaseSecrecyLifted, ev.DocumentMarkedSecret, ev.DocumentSecrecyLifted)

    @staticmethod
    def fold(case: dict[str, Any] | None, event: Any) -> dict[str, Any]:
        case = CaseDirectory.fold(case, event)
        if isinstance(event, ev.CaseRegistered):
            case.update(officer=event.officer, documents_secret=False, secret_counterparts="")
        elif isinstance(event, ev.CaseOfficerAssigned):
            case["officer"] = event.officer
        elif isinstance(event, (ev.CaseMarkedSecret, ev.CaseSecrecyLifted)):
            case["documents_secret"] = (
                isinstance(event, ev.CaseMarkedSecret)
                and "sender" in covered(event.fields, "incoming_referral")
            )
        else:
            numbers = {n for n in case["secret_counterparts"].split(",") if n}
            numbers.discard(str(event.document_number))
            if isinstance(event, ev.DocumentMarkedSecret) and "counterpart" in event.fields:
                numbers.add(str(event.document_number))
            case["secret_counterparts"] = ",".join(sorted(numbers, key=int))
        return case


class DeadlinesProjection(Projection):
    cases = DeadlineCases
    name = "deadlines"
    description = "Referrals (sent, answered, outstanding, overdue) and deadlines (bevakningar)"
    # 2: the sender of an incoming referral withheld with its letter's counterpart;
    # 3: the cases folded from the log (no deadline_case table); a title a marking covers
    # is not copied, and rows are re-titled when a marking changes;
    # 4: due dates run on past days off (lag 1930:173), a referral row's due_on;
    # 5: no appeal period for a proposal to a higher body posted on its own (KL 13:2)
    version = 5

    def define(self, metadata: sa.MetaData, generation: int) -> dict[str, TableSpec]:
        rname = table_name("referral", generation)
        referral = sa.Table(
            rname, metadata,
            row_id(),
            *case_columns(required=True),
            sa.Column("title", sa.Text, nullable=False),
            sa.Column("responsible_body", sa.String(200), nullable=False),
            sa.Column("direction", sa.String(8), nullable=False),  # outgoing | incoming
            sa.Column("referral_number", sa.Integer, nullable=False),
            sa.Column("recipient", sa.String(300), nullable=False),  # incoming: our body
            sa.Column("sender", sa.String(300)),  # incoming: who asks us (outgoing: None)
            sa.Column("sender_reference", sa.String(100)),
            sa.Column("sent_on", sa.Date, nullable=False),
            sa.Column("answer_by", sa.Date, nullable=False),  # as given
            # answer_by run on past a day off (lag 1930:173): overdue only after it
            sa.Column("due_on", sa.Date, nullable=False),
            sa.Column("answered_on", sa.Date),
            sa.Column("declined_on", sa.Date),
            sa.Column("document_number", sa.Integer),
            # for withholding at query time (OSL 5:2): the sender is secret with the letter's
            # counterpart; who may read it (with responsible_body)
            sa.Column("sender_secret", sa.Boolean, nullable=False),
            sa.Column("officer", sa.String(200)),
            sa.UniqueConstraint(
                "case_id", "direction", "referral_number", "recipient", name=f"{rname}_recipient"
            ),
            sa.Index(f"{rname}_answer_by", "answer_by", "id"),
            sa.Index(f"{rname}_sent", "sent_on", "id"),
            sa.Index(f"{rname}_recipient_by", "recipient", "answer_by", "id"),
            sa.Index(f"{rname}_dnr", "dnr"),
        )
        meeting = sa.Table(
            table_name("deadline_meeting", generation), metadata,
            sa.Column("meeting_id", sa.Uuid, primary_key=True),
            sa.Column("ref", sa.String(100), nullable=False),
            sa.Column("body", sa.String(50), nullable=False),
            sa.Column("meeting_on", sa.Date, nullable=False),
            # paragraphs decided as proposals to a higher body: not appealable (KL 13:2)
            sa.Column("preparatory", sa.Text, nullable=False, server_default=""),
        )
        dname = table_name("deadline", generation)
        deadline = sa.Table(
            dname, metadata,
            row_id(),
            sa.Column("ref", sa.String(200), nullable=False),
            sa.Column("kind", sa.String(32), nullable=False),
            sa.Column("rule", sa.Text, nullable=False),
            sa.Column("law", sa.String(50)),
            sa.Column("due_on", sa.Date, nullable=False),
            sa.Column("subject", sa.Text, nullable=False),
            *case_columns(required=False),
            sa.Column("body", sa.String(200)),
            sa.Column("meeting_ref", sa.String(100)),
            sa.Column("done_on", sa.Date),
            # an incoming referral's deadline names its sender: the subject without it, shown
            # to those who may not read the case's secrets where ``secret_subject``
            sa.Column("secret_subject", sa.Boolean, nullable=False),
            sa.Column("public_subject", sa.Text),
            sa.Column("officer", sa.String(200)),
            sa.UniqueConstraint("ref", name=f"{dname}_ref"),
            sa.Index(f"{dname}_due", "due_on", "id"),
            sa.Index(f"{dname}_kind_due", "kind", "due_on", "id"),
            sa.Index(f"{dname}_case", "case_id"),
            sa.Index(f"{dname}_dnr", "dnr"),
        )
        return {
            "meeting": TableSpec(meeting, ("meeting_id",), prefetch_by="meeting_id"),
            "referral": TableSpec(  # rows made by the case's own (Incoming)ReferralSent/Received
                referral, ("case_id", "direction", "referral_number", "recipient"),
                prefetch_by="case_id", own_rows=True,
            ),
            # rows with a case_id only from the case's own ReferralSent (meetings': None)
            "deadline": TableSpec(deadline, ("ref",), prefetch_by="case_id", own_rows=True),
        }

    @staticmethod
    def _deadline(
        uow: UnitOfWork, ref: str, kind: str, row_id: int, new: bool = False, **fields: Any
    ) -> None:
        """Open a deadline unless it is open already (``new``: it cannot be)."""
        if not new and uow.get("deadline", ref) is not None:
            return
        rule, law = RULES[kind]
        uow.insert("deadline", {
            "id": row_id, "ref": ref, "kind": kind, "rule": rule, "law": law,
            "case_id": None, "dnr": None, "body": None, "meeting_ref": None, "done_on": None,
            "secret_subject": False, "public_subject": None, "officer": None,
            **fields,
        })

    @staticmethod
    def _done(uow: UnitOfWork, ref: str, done_on: Any) -> None:
        row = uow.get("deadline", ref)
        if row is not None and row["done_on"] is None:
            row["done_on"] = done_on

    # -- case events ----------------------------------------------------------------------

    @handles(ev.CaseRegistered)
    def _registered(self, uow: UnitOfWork, event: ev.CaseRegistered, position: int) -> None:
        DeadlineCases.apply(uow, event)

    # -- secrecy: who may read, and which incoming referrals' senders are secret -----------

    @staticmethod
    def _sender_secret(secrecy: dict[str, Any], document_number: int) -> bool:
        return secrecy["documents_secret"] or str(document_number) in (
            secrecy["secret_counterparts"].split(",")
        )

    def _sync_secrecy(self, uow: UnitOfWork, case_id: Any, secrecy: dict[str, Any]) -> None:
        """Copy the case's officer and markings (``secrecy``: the case as folded) onto its
        incoming referral rows and their deadlines."""
        deadlines = {d["ref"]: d for d in uow.find("deadline", case_id=case_id)}
        for row in uow.find("referral", case_id=case_id, direction=INCOMING):
            secret = self._sender_secret(secrecy, row["document_number"])
            row["sender_secret"] = secret
            row["officer"] = secrecy["officer"]
            deadline = deadlines.get(f"{INCOMING_REFERRAL_ANSWER}:{row['id']}")
            if deadline is not None:
                deadline["secret_subject"] = secret
                deadline["officer"] = secrecy["officer"]

    @handles(ev.CaseOfficerAssigned, ev.CaseMarkedSecret, ev.CaseSecrecyLifted,
             ev.DocumentMarkedSecret, ev.DocumentSecrecyLifted)
    def _case_secrecy(self, uow: UnitOfWork, event: Any, position: int) -> None:
        before = shown_title(DeadlineCases.require(uow, event))
        case = DeadlineCases.apply(uow, event)
        after = shown_title(case)
        if after != before:  # a marking now covers the title, or no longer does
            self._retitle(uow, event.originator_id, before, after)
        self._sync_secrecy(uow, event.originator_id, case)

    @staticmethod
    def _retitle(uow: UnitOfWork, case_id: Any, before: str, after: str) -> None:
        """Show the case's title as ``after`` on its referral rows and in the subjects of its
        deadlines (which end with it)."""
        for row in uow.find("referral", case_id=case_id):
            row["title"] = after
        for row in uow.find("deadline", case_id=case_id):
            for column in ("subject", "public_subject"):
                subject = row[column]
                if subject is not None and subject.endswith(f": {before}"):
                    row[column] = subject[: len(subject) - len(before)] + after

    @handles(ev.ReferralSent)
    def _sent(self, uow: UnitOfWork, event: ev.ReferralSent, position: int) -> None:
        case = DeadlineCases.require(uow, event)
        title = shown_title(case)  # never a protected title, nor one a marking covers
        for index, recipient in enumerate(event.recipients):
            row_id = position * FANOUT + index
            uow.insert("referral", {
                "id": row_id, "case_id": event.originator_id, "dnr": case["dnr"],
                "title": title, "responsible_body": case["responsible_body"],
                "direction": OUTGOING, "referral_number": event.number, "recipient": recipient,
                "sender": None, "sender_reference": None,
                "sent_on": event.occurred_on, "answer_by": event.answer_by,
                "due_on": time_limit_end(event.answer_by),
                "answered_on": None, "declined_on": None, "document_number": event.document_number,
                "sender_secret": False, "officer": None,
            })
            self._deadline(
                uow, f"{REFERRAL_ANSWER}:{row_id}", REFERRAL_ANSWER, row_id, new=True,
                due_on=time_limit_end(event.answer_by),
                subject=f"Remissvar från {recipient}: {title}",
                case_id=event.originator_id, dnr=case["dnr"], body=case["responsible_body"],
            )

    @handles(ev.ReferralAnswered)
    def _answered(self, uow: UnitOfWork, event: ev.ReferralAnswered, position: int) -> None:
        row = uow.get(
            "referral", event.originator_id, OUTGOING, event.referral_number, event.recipient
        )
        if row is None:
            raise LookupError(f"answer to unknown referral {event.referral_number}")
        row["answered_on"] = event.occurred_on
        for deadline in uow.find("deadline", case_id=event.originator_id):
            if deadline["ref"] == f"{REFERRAL_ANSWER}:{row['id']}":
                deadline["done_on"] = deadline["done_on"] or event.occurred_on

    @handles(ev.IncomingReferralReceived)
    def _received(
        self, uow: UnitOfWork, event: ev.IncomingReferralReceived, position: int
    ) -> None:
        case = DeadlineCases.require(uow, event)
        title = shown_title(case)  # never a protected title, nor one a marking covers
        secret = self._sender_secret(case, event.document_number)
        row_id = position * FANOUT
        uow.insert("referral", {
            "id": row_id, "case_id": event.originator_id, "dnr": case["dnr"],
            "title": title, "responsible_body": case["responsible_body"],
            "direction": INCOMING, "referral_number": event.number,
            "recipient": case["responsible_body"], "sender": event.sender,
            "sender_reference": event.sender_reference,
            "sent_on": event.occurred_on, "answer_by": event.answer_by,
            "due_on": time_limit_end(event.answer_by),
            "answered_on": None, "declined_on": None, "document_number": event.document_number,
            "sender_secret": secret, "officer": case["officer"],
        })
        self._deadline(
            uow, f"{INCOMING_REFERRAL_ANSWER}:{row_id}", INCOMING_REFERRAL_ANSWER, row_id,
            new=True, due_on=time_limit_end(event.answer_by),
            subject=f"Remissvar till {event.sender}: {title}",
            public_subject=f"Remissvar till {WITHHELD_SENDER}: {title}",
            secret_subject=secret, officer=case["officer"],
            case_id=event.originator_id, dnr=case["dnr"], body=case["responsible_body"],
        )

    def _incoming(self, uow: UnitOfWork, event: Any) -> dict[str, Any]:
        case = DeadlineCases.require(uow, event)
        row = uow.get(
            "referral", event.originator_id, INCOMING, event.number, case["responsible_body"]
        )
        if row is None:
            raise LookupError(f"{type(event).__name__} of unknown incoming referral")
        return row

    @handles(ev.IncomingReferralExtended)
    def _extended(
        self, uow: UnitOfWork, event: ev.IncomingReferralExtended, position: int
    ) -> None:
        row = self._incoming(uow, event)
        row["answer_by"] = event.answer_by
        row["due_on"] = time_limit_end(event.answer_by)
        deadline = uow.get("deadline", f"{INCOMING_REFERRAL_ANSWER}:{row['id']}")
        if deadline is not None:
            deadline["due_on"] = row["due_on"]

    @handles(ev.IncomingReferralAnswered, ev.IncomingReferralDeclined)
    def _incoming_settled(self, uow: UnitOfWork, event: Any, position: int) -> None:
        row = self._incoming(uow, event)
        column = "answered_on" if isinstance(event, ev.IncomingReferralAnswered) else "declined_on"
        row[column] = event.occurred_on
        self._done(uow, f"{INCOMING_REFERRAL_ANSWER}:{row['id']}", event.occurred_on)

    @handles(ev.CaseCancelled)
    def _cancelled(self, uow: UnitOfWork, event: ev.CaseCancelled, position: int) -> None:
        for row in uow.find("deadline", case_id=event.originator_id):
            row["done_on"] = row["done_on"] or event.occurred_on

    # -- meeting events ---------------------------------------------------------------------

    @handles(mev.MeetingScheduled)
    def _scheduled(self, uow: UnitOfWork, event: mev.MeetingScheduled, position: int) -> None:
        uow.insert("meeting", {
            "meeting_id": event.originator_id, "ref": event.ref, "body": event.body,
            "meeting_on": event.meeting_date, "preparatory": "",
        })

    def _meeting(self, uow: UnitOfWork, event: Any) -> dict[str, Any]:
        meeting = uow.get("meeting", event.originator_id)
        if meeting is None:
            raise LookupError(f"{type(event).__name__} of unscheduled meeting")
        return meeting

    @handles(mev.ParagraphRecorded, mev.MeetingClosed)
    def _held(self, uow: UnitOfWork, event: Any, position: int) -> None:
        meeting = self._meeting(uow, event)
        self._deadline(
            uow, f"{PROTOCOL_ADJUSTMENT}:{meeting['ref']}", PROTOCOL_ADJUSTMENT,
            position * FANOUT, due_on=adjustment_deadline(meeting["meeting_on"]),
            subject=f"Justering av protokoll {meeting['ref']}", body=meeting["body"],
            meeting_ref=meeting["ref"],
        )

    @handles(mev.ProtocolAdjusted, mev.ParagraphAdjustedImmediately)
    def _adjusted(self, uow: UnitOfWork, event: Any, position: int) -> None:
        meeting = self._meeting(uow, event)
        paragraph = getattr(event, "paragraph", None)
        if paragraph is None:
            self._done(uow, f"{PROTOCOL_ADJUSTMENT}:{meeting['ref']}", event.occurred_on)
        suffix = f"{meeting['ref']}" + (f":§{paragraph}" if paragraph is not None else "")
        what = f"§ {paragraph} i {meeting['ref']}" if paragraph is not None else meeting["ref"]
        self._deadline(
            uow, f"{PROTOCOL_POSTING}:{suffix}", PROTOCOL_POSTING, position * FANOUT,
            due_on=posting_deadline(event.occurred_on),
            subject=f"Anslag av justering av protokoll {what}", body=meeting["body"],
            meeting_ref=meeting["ref"],
        )

    @handles(mev.ParagraphDecided)
    def _decided(self, uow: UnitOfWork, event: mev.ParagraphDecided, position: int) -> None:
        if not appealable(event.kind):
            meeting = self._meeting(uow, event)
            numbers = [n for n in meeting["preparatory"].split(",") if n]
            meeting["preparatory"] = ",".join([*numbers, str(event.paragraph)])

    @handles(mev.ProtocolPosted)
    def _posted(self, uow: UnitOfWork, event: mev.ProtocolPosted, position: int) -> None:
        meeting = self._meeting(uow, event)
        suffix = f"{meeting['ref']}" + (
            f":§{event.paragraph}" if event.paragraph is not None else ""
        )
        self._done(uow, f"{PROTOCOL_POSTING}:{suffix}", event.occurred_on)
        if str(event.paragraph) in meeting["preparatory"].split(","):
            return  # a proposal to a higher body posted on its own: no appeal (KL 13:2)
        what = (
            f"§ {event.paragraph} i {meeting['ref']}" if event.paragraph is not None
            else meeting["ref"]
        )
        self._deadline(
            uow, f"{APPEAL_PERIOD}:{suffix}", APPEAL_PERIOD, position * FANOUT,
            due_on=appeal_period_end(event.occurred_on),
            subject=f"Överklagandetiden för protokoll {what} löper ut", body=meeting["body"],
            meeting_ref=meeting["ref"],
        )
