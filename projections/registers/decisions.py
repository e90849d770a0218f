"""Decisions, reservations, conflicts of interest and protocol extracts.

Built from the case events (``DecisionRecorded``, ``ProtocolExtractSent``) and, where the
meeting and body modules record them, from meeting events (paragraphs, adjustment, posting,
reservations, jäv, extract recipients) and body events (delegated decisions and their
reporting). A decision seen from both sides is one row, found by a natural key:

- a body's decision: ``§:<body>:<year>:<paragraph>`` (paragraphs run on through a body's
  year, so this names one paragraph), from ``DecisionRecorded`` and ``ParagraphDecided``;
- a delegated decision: ``case:<case id>:<decision number>`` when it is on a case, else
  ``delegated:<body>:<number>``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import MetaData

from diarium.cases.handlers import handles
from diarium.domain.dnr import case_id as case_id_of
from diarium.domain.events import body as bev
from diarium.domain.events import case as ev
from diarium.domain.events import meeting as mev
from diarium.domain.meeting.terms import appealable, legal_force_from
from diarium.domain.secrecy import covered
from diarium.projections.batch import TableSpec, UnitOfWork
from diarium.projections.registers.base import CaseDirectory, Projection, shown_title
from diarium.projections.registers.decision_tables import decision_tables

FANOUT = 1000  # row ids: position * FANOUT + index within the event


def paragraph_key(body: str, meeting_on: date, paragraph: int) -> str:
    return f"§:{body}:{meeting_on.year}:{paragraph}"


class DecisionCases(CaseDirectory):
    """A case as its decision rows copy it: title, body, officer, and whether its marking
    covers its decisions."""

    events = (ev.CaseRegistered, ev.CaseOfficerAssigned, ev.CaseMarkedSecret,
              ev.CaseSecrecyLifted)

    @staticmethod
    def fold(case: dict[str, Any] | None, event: Any) -> dict[str, Any]:
        case = CaseDirectory.fold(case, event)
        if isinstance(event, ev.CaseRegistered):
            case.update(officer=event.officer, decisions_secret=False)
        elif isinstance(event, ev.CaseOfficerAssigned):
            case["officer"] = event.officer
        else:
            case["decisions_secret"] = (
                isinstance(event, ev.CaseMarkedSecret)
                and "text" in covered(event.fields, "decision")
            )
        return case


class DecisionsProjection(Projection):
    name = "decisions"
    description = "Decisions, reservations, conflicts of interest and protocol extracts"
    cases = DecisionCases
    # 2: the cases folded from the log (no decision_case table); a title a marking covers
    # is not copied, and rows are re-titled when a marking changes;
    # 3: legal_force_on on the holidays package's calendar (lag 1930:173): the hand-written
    # Easter before it was wrong in some years (2010, 2021) and failed in others (2029);
    # 4: bodies and meetings listed (kind, parent, session, place, closed), extracts by meeting;
    # 5: appealable; a preparatory decision (a proposal to a higher body) has no
    # legal_force_on (KL 13:2); 6: a meeting's place and start time as its published notice
    # (kallelse) gives them
    version = 6

    def define(self, metadata: MetaData, generation: int) -> dict[str, TableSpec]:
        return decision_tables(metadata, generation)

    def prefetch(self, uow: UnitOfWork, events: list[tuple[int, Any]]) -> None:
        super().prefetch(uow, events)
        fresh: list[str] = []  # keys of decisions on those cases: no row yet
        registered = {  # cases registered in the batch have no decision rows before it
            e.originator_id for _, e in events if isinstance(e, ev.CaseRegistered)
        }
        keys = [  # decisions a case decision may merge with (a paragraph decided first)
            paragraph_key(e.body, e.occurred_on, e.paragraph) for _, e in events
            if isinstance(e, ev.DecisionRecorded) and e.body is not None
            and e.paragraph is not None
        ]
        for _, e in events:
            if isinstance(e, ev.DecisionRecorded):
                (fresh if e.originator_id in registered else keys).append(
                    f"case:{e.originator_id}:{e.number}"
                )
        uow.known_empty("decision", fresh, column="key")
        if keys:
            uow.prefetch("decision", keys, column="key")

    # -- helpers ----------------------------------------------------------------------------

    @staticmethod
    def _decision(
        uow: UnitOfWork, key: str, position: int, decided_on: date, dnr: str | None = None
    ) -> dict[str, Any]:
        """The decision row with this key, made if new (with its case: rows are found in
        memory by their case)."""
        row = uow.get("decision", key)
        if row is None:
            row = uow.insert("decision", {
                "id": position * FANOUT, "key": key,
                "case_id": case_id_of(dnr) if dnr else None, "dnr": dnr,
                "title": None, "case_decision_number": None, "kind": None, "text": None,
                "decided_on": decided_on, "body": None, "meeting_id": None,
                "meeting_ref": None, "meeting_on": None, "paragraph": None,
                "higher_body": None, "delegated": False, "delegate": None,
                "delegation_point": None, "delegated_number": None, "reported_on": None,
                "reported_meeting": None, "reported_paragraph": None, "adjusted_on": None,
                "posted_on": None, "legal_force_on": None, "appealable": True,
                "responsible_body": None, "officer": None, "secret_text": False,
            })
        return row

    @staticmethod
    def _link_case(uow: UnitOfWork, row: dict[str, Any], dnr: str, number: int | None) -> None:
        case_id = case_id_of(dnr)
        case = DecisionCases.get(uow, case_id)
        row["case_id"] = case_id
        row["dnr"] = dnr
        if case is not None:  # never copy a protected title
            row["title"] = shown_title(case)
            row["responsible_body"] = case["responsible_body"]
            row["officer"] = case["officer"]
            row["secret_text"] = case["decisions_secret"]
        if number is not None:
            row["case_decision_number"] = number

    @staticmethod
    def _posted(row: dict[str, Any], posted_on: date) -> None:
        if row["posted_on"] is None:
            row["posted_on"] = posted_on
            DecisionsProjection._legal_force(row)

    @staticmethod
    def _kind(row: dict[str, Any], kind: str) -> None:
        row["kind"] = kind
        DecisionsProjection._legal_force(row)

    @staticmethod
    def _legal_force(row: dict[str, Any]) -> None:
        """A posted decision gains legal force after its appeal period, unless it cannot be
        appealed (a preparatory decision, KL 13:2)."""
        row["appealable"] = appealable(row["kind"])
        posted = row["posted_on"]
        row["legal_force_on"] = (
            legal_force_from(posted) if posted is not None and row["appealable"] else None
        )

    def _extract(
        self, uow: UnitOfWork, decision: dict[str, Any], recipient: str, row_id: int
    ) -> dict[str, Any]:
        if decision["case_id"] is not None:  # prefetched with the case's rows
            found = uow.find("extract", case_id=decision["case_id"],
                             decision_key=decision["key"], recipient=recipient)
            row = found[0] if found else None
        else:
            row = uow.get("extract", decision["key"], recipient)
        if row is None:
            row = uow.insert("extract", {
                "id": row_id, "decision_key": decision["key"], "case_id": decision["case_id"],
                "dnr": decision["dnr"], "body": decision["body"],
                "meeting_ref": decision["meeting_ref"], "meeting_on": decision["meeting_on"],
                "paragraph": decision["paragraph"],
                "decided_on": decision["decided_on"], "recipient": recipient,
                "listed": False, "sent_on": None,
            })
        return row

    def _meeting(self, uow: UnitOfWork, event: Any) -> dict[str, Any]:
        meeting = uow.get("meeting", event.originator_id)
        if meeting is None:
            raise LookupError(f"{type(event).__name__} of unscheduled meeting")
        return meeting

    def _paragraph_decision(
        self, uow: UnitOfWork, event: Any, position: int
    ) -> dict[str, Any]:
        meeting = self._meeting(uow, event)
        key = paragraph_key(meeting["body"], meeting["meeting_on"], event.paragraph)
        paragraph = uow.get("paragraph", meeting["meeting_id"], event.paragraph)
        dnr = paragraph["dnr"] if paragraph is not None else None
        row = self._decision(uow, key, position, meeting["meeting_on"], dnr)
        if row["meeting_id"] is None:
            row.update(
                meeting_id=meeting["meeting_id"], meeting_ref=meeting["ref"],
                body=meeting["body"], meeting_on=meeting["meeting_on"],
                paragraph=event.paragraph, adjusted_on=meeting["adjusted_on"],
            )
            if paragraph is not None:
                if paragraph["dnr"]:
                    self._link_case(uow, row, paragraph["dnr"], None)
                row["title"] = row["title"] or paragraph["title"]
            if meeting["posted_on"] is not None:
                self._posted(row, meeting["posted_on"])
        return row

    # -- case events ----------------------------------------------------------------------

    @handles(ev.CaseRegistered)
    def _registered(self, uow: UnitOfWork, event: ev.CaseRegistered, position: int) -> None:
        DecisionCases.apply(uow, event)

    @handles(ev.CaseOfficerAssigned, ev.CaseMarkedSecret, ev.CaseSecrecyLifted)
    def _case_secrecy(self, uow: UnitOfWork, event: Any, position: int) -> None:
        """Keep the case's officer, marking and shown title on its decision rows."""
        case = DecisionCases.apply(uow, event)
        for row in uow.find("decision", case_id=event.originator_id):
            row["officer"] = case["officer"]
            row["secret_text"] = case["decisions_secret"]
            row["title"] = shown_title(case)
        for table in ("reservation", "conflict"):
            for row in uow.select(table, dnr=case["dnr"]):
                row.update(self._member_case(case))

    @staticmethod
    def _member_case(case: dict[str, Any] | None) -> dict[str, Any]:
        """What decides who may read a member row's text (reason, note), from its case."""
        return {
            "secret_text": bool(case and case["decisions_secret"]),
            "responsible_body": case["responsible_body"] if case else None,
            "officer": case["officer"] if case else None,
        }

    @handles(ev.DecisionRecorded)
    def _decided(self, uow: UnitOfWork, event: ev.DecisionRecorded, position: int) -> None:
        case = DecisionCases.require(uow, event)
        if event.body is not None and event.paragraph is not None:
            key = paragraph_key(event.body, event.occurred_on, event.paragraph)
        else:
            key = f"case:{event.originator_id}:{event.number}"
        row = self._decision(uow, key, position, event.occurred_on, case["dnr"])
        self._link_case(uow, row, case["dnr"], event.number)
        row.update(text=event.text, decided_on=event.occurred_on, higher_body=event.higher_body)
        self._kind(row, event.kind)
        if event.body is not None:
            row.update(body=event.body, paragraph=event.paragraph, meeting_on=event.occurred_on)
        if event.delegate is not None:
            row.update(
                delegated=True, delegate=event.delegate,
                delegation_point=event.delegation_point,
            )

    @handles(ev.ProtocolExtractSent)
    def _case_extract(self, uow: UnitOfWork, event: ev.ProtocolExtractSent, position: int) -> None:
        found = uow.find(
            "decision", case_id=event.originator_id, case_decision_number=event.decision_number
        )
        if not found:
            raise LookupError(f"extract of unknown decision {event.decision_number}")
        extract = self._extract(uow, found[0], event.recipient, position * FANOUT)
        extract["sent_on"] = extract["sent_on"] or event.occurred_on

    # -- meeting events ---------------------------------------------------------------------

    @handles(mev.MeetingScheduled)
    def _scheduled(self, uow: UnitOfWork, event: mev.MeetingScheduled, position: int) -> None:
        uow.insert("meeting", {
            "meeting_id": event.originator_id, "id": position, "ref": event.ref,
            "body": event.body, "meeting_on": event.meeting_date, "session": event.session,
            "place": event.place, "starts_at": event.starts_at, "parties": {}, "closed": False,
            "adjusted_on": None, "posted_on": None,
        })

    @handles(mev.MeetingNoticePublished)
    def _notice(self, uow: UnitOfWork, event: mev.MeetingNoticePublished, position: int) -> None:
        self._meeting(uow, event).update(place=event.place, starts_at=event.starts_at)

    @handles(mev.MeetingClosed)
    def _closed(self, uow: UnitOfWork, event: mev.MeetingClosed, position: int) -> None:
        self._meeting(uow, event)["closed"] = True

    @handles(mev.AttendanceRecorded)
    def _attendance(self, uow: UnitOfWork, event: mev.AttendanceRecorded, position: int) -> None:
        meeting = self._meeting(uow, event)
        meeting["parties"] = {
            a["name"]: a.get("party") for a in event.attendees if a.get("name")
        }

    @handles(mev.ParagraphRecorded)
    def _paragraph(self, uow: UnitOfWork, event: mev.ParagraphRecorded, position: int) -> None:
        uow.insert("paragraph", {
            "meeting_id": event.originator_id, "number": event.number, "dnr": event.dnr,
            "title": event.title, "adjusted_on": None, "posted_on": None,
        })

    @handles(mev.ParagraphDecided)
    def _paragraph_decided(
        self, uow: UnitOfWork, event: mev.ParagraphDecided, position: int
    ) -> None:
        row = self._paragraph_decision(uow, event, position)
        row.update(text=event.text, higher_body=event.higher_body)
        self._kind(row, event.kind)
        if event.case_decision_number is not None and row["dnr"]:
            row["case_decision_number"] = event.case_decision_number

    def _member_row(
        self, uow: UnitOfWork, table: str, event: Any, position: int, **extra: Any
    ) -> None:
        meeting = self._meeting(uow, event)
        paragraph = uow.get("paragraph", meeting["meeting_id"], event.paragraph)
        dnr = paragraph["dnr"] if paragraph else None
        case = DecisionCases.get(uow, case_id_of(dnr)) if dnr else None
        uow.insert(table, {
            "id": position, "meeting_id": meeting["meeting_id"], "meeting_ref": meeting["ref"],
            "body": meeting["body"], "meeting_on": meeting["meeting_on"],
            "paragraph": event.paragraph, "dnr": dnr,
            "member": event.member, "party": meeting["parties"].get(event.member),
            **self._member_case(case), **extra,
        })

    @handles(mev.ReservationEntered)
    def _reservation(self, uow: UnitOfWork, event: mev.ReservationEntered, position: int) -> None:
        self._member_row(
            uow, "reservation", event, position, reason=event.reason,
            reason_given_on=event.occurred_on if event.reason else None,
        )

    @handles(mev.ReservationReasonGiven)
    def _reason(self, uow: UnitOfWork, event: mev.ReservationReasonGiven, position: int) -> None:
        row = uow.get("reservation", event.originator_id, event.paragraph, event.member)
        if row is not None:
            row.update(reason=event.reason, reason_given_on=event.occurred_on)

    @handles(mev.ConflictOfInterestDeclared)
    def _conflict(
        self, uow: UnitOfWork, event: mev.ConflictOfInterestDeclared, position: int
    ) -> None:
        self._member_row(uow, "conflict", event, position, note=event.note)

    @handles(mev.ExtractRecipientsListed)
    def _recipients(
        self, uow: UnitOfWork, event: mev.ExtractRecipientsListed, position: int
    ) -> None:
        decision = self._paragraph_decision(uow, event, position)
        for index, recipient in enumerate(event.recipients):
            self._extract(uow, decision, recipient, position * FANOUT + index)["listed"] = True

    @handles(mev.ExtractSent)
    def _extract_sent(self, uow: UnitOfWork, event: mev.ExtractSent, position: int) -> None:
        decision = self._paragraph_decision(uow, event, position)
        extract = self._extract(uow, decision, event.recipient, position * FANOUT)
        extract["sent_on"] = extract["sent_on"] or event.occurred_on

    @handles(mev.ParagraphAdjustedImmediately)
    def _adjusted_at_once(
        self, uow: UnitOfWork, event: mev.ParagraphAdjustedImmediately, position: int
    ) -> None:
        row = self._paragraph_decision(uow, event, position)
        row["adjusted_on"] = event.occurred_on

    @handles(mev.ProtocolAdjusted)
    def _adjusted(self, uow: UnitOfWork, event: mev.ProtocolAdjusted, position: int) -> None:
        meeting = self._meeting(uow, event)
        meeting["adjusted_on"] = event.occurred_on
        for row in uow.select("decision", meeting_id=meeting["meeting_id"]):
            row["adjusted_on"] = row["adjusted_on"] or event.occurred_on

    @handles(mev.ProtocolPosted)
    def _posted_event(self, uow: UnitOfWork, event: mev.ProtocolPosted, position: int) -> None:
        meeting = self._meeting(uow, event)
        if event.paragraph is not None:
            self._posted(self._paragraph_decision(uow, event, position), event.occurred_on)
            return
        meeting["posted_on"] = event.occurred_on
        for row in uow.select("decision", meeting_id=meeting["meeting_id"]):
            self._posted(row, event.occurred_on)

    # -- body events ------------------------------------------------------------------------

    @handles(bev.BodyEstablished)
    def _body(self, uow: UnitOfWork, event: bev.BodyEstablished, position: int) -> None:
        uow.insert("body", {
            "body_id": event.originator_id, "id": position, "code": event.code,
            "name": event.name, "kind": event.kind, "parent": event.parent,
            "established_on": event.occurred_on,
        })

    @handles(bev.DelegatedDecisionRecorded)
    def _delegated(
        self, uow: UnitOfWork, event: bev.DelegatedDecisionRecorded, position: int
    ) -> None:
        body = uow.get("body", event.originator_id)
        code = body["code"] if body else str(event.originator_id)
        if event.dnr and event.case_decision_number is not None:
            key = f"case:{case_id_of(event.dnr)}:{event.case_decision_number}"
        else:
            key = f"delegated:{code}:{event.number}"
        row = self._decision(uow, key, position, event.occurred_on, event.dnr)
        if event.dnr:
            self._link_case(uow, row, event.dnr, event.case_decision_number)
        row.update(
            delegated=True, delegate=event.delegate, delegation_point=event.point,
            delegated_number=event.number, body=code, decided_on=event.occurred_on,
            text=row["text"] or event.text, kind=row["kind"] or "decided",
        )

    @handles(bev.DelegatedDecisionsReported)
    def _reported(
        self, uow: UnitOfWork, event: bev.DelegatedDecisionsReported, position: int
    ) -> None:
        body = uow.get("body", event.originator_id)
        if body is None:
            return
        for number in event.numbers:
            for row in uow.select("decision", body=body["code"], delegated_number=number):
                row.update(
                    reported_on=event.occurred_on, reported_meeting=event.meeting,
                    reported_paragraph=event.paragraph,
                )
