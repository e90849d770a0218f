"""The registers' listings, declared once: columns, sorts, filters, computed fields and what
is withheld (the web layer, the OpenAPI document and the CSV export are generated from them):
cases and their documents (diary), decisions and what is said of them at meetings
(decisions), referrals and deadlines (deadlines)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, or_

from diarium.domain.meeting.terms import BodyKind
from diarium.projections.filters import Filter, date_range, equals, flag, number, one_of, year_of
from diarium.projections.registers import deadlines as dl
from diarium.projections.withholding import (
    withhold_case,
    withhold_document,
    withhold_sender,
    withhold_subject,
    withhold_text,
)


@dataclass(frozen=True)
class Listing:
    name: str
    projection: str
    table: str
    title: str
    columns: tuple[str, ...]
    sorts: dict[str, tuple[str, ...]]
    default_sort: str
    default_order: str
    filters: tuple[Filter, ...]
    computed: tuple[str, ...] = ()
    compute: Callable[[dict[str, Any], date], dict[str, Any]] | None = None
    search: bool = False
    hidden: tuple[str, ...] = ()  # read for withholding, never shown
    # withholds what the reader may not read (in place); the secret fields it may read
    withhold: Callable[[dict[str, Any], dict[str, Any], Any], list[str]] | None = None
    # filters on a withheld field -> the column saying it is secret: callers without a
    # secret-reading role match no secret row with them (as full text for secret titles)
    guarded: dict[str, str] = field(default_factory=dict)
    # the columns of the row's body and case officer: who may read (and match) its secrets
    access_columns: tuple[str, str | None] = ("responsible_body", None)
    filter_map: dict[str, Filter] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "filter_map", {f.name: f for f in self.filters})

    @property
    def fields(self) -> tuple[str, ...]:
        return self.columns + self.computed


def _referral_status(row: dict[str, Any], today: date) -> dict[str, Any]:
    if row["answered_on"] is not None:
        status = "answered"
    elif row["declined_on"] is not None:
        status = "declined"
    elif row["due_on"] < today:  # answer_by run on past a day off (lag 1930:173)
        status = "overdue"
    else:
        status = "outstanding"
    return {"status": status, "withheld": []}


def _referral_filter(t: Any, v: str, today: date) -> Any:
    if v == "answered":
        return t.c.answered_on.is_not(None)
    if v == "declined":
        return t.c.declined_on.is_not(None)
    unsettled = and_(t.c.answered_on.is_(None), t.c.declined_on.is_(None))
    if v == "overdue":
        return and_(unsettled, t.c.due_on < today)
    return unsettled  # outstanding: everything not answered or declined, overdue included


def _deadline_status(row: dict[str, Any], today: date) -> dict[str, Any]:
    if row["kind"] == dl.APPEAL_PERIOD:
        status = "ended" if row["due_on"] < today else "running"
    elif row["done_on"] is not None:
        status = "done"
    elif row["due_on"] < today:
        status = "overdue"
    else:
        status = "open"
    return {"status": status, "overdue": status == "overdue", "withheld": []}


def _deadline_filter(t: Any, v: str, today: date) -> Any:
    appeal = t.c.kind == dl.APPEAL_PERIOD
    if v == "done":
        return or_(and_(~appeal, t.c.done_on.is_not(None)), and_(appeal, t.c.due_on < today))
    if v == "overdue":
        return and_(~appeal, t.c.done_on.is_(None), t.c.due_on < today)
    return or_(and_(~appeal, t.c.done_on.is_(None)), and_(appeal, t.c.due_on >= today))


def _no_withheld(row: dict[str, Any], today: date) -> dict[str, Any]:
    return {"withheld": []}


def _extract_status(row: dict[str, Any], today: date) -> dict[str, Any]:
    return {"status": "sent" if row["sent_on"] is not None else "outstanding"}


MEETING_STATES = ("scheduled", "closed", "adjusted", "posted")  # as Meeting.status


def _meeting_status(row: dict[str, Any], today: date) -> dict[str, Any]:
    if row["posted_on"] is not None:
        return {"status": "posted"}
    if row["adjusted_on"] is not None:
        return {"status": "adjusted"}
    return {"status": "closed" if row["closed"] else "scheduled"}


def _meeting_filter(t: Any, v: str, today: date) -> Any:
    if v == "posted":
        return t.c.posted_on.is_not(None)
    unposted = t.c.posted_on.is_(None)
    if v == "adjusted":
        return and_(unposted, t.c.adjusted_on.is_not(None))
    unadjusted = and_(unposted, t.c.adjusted_on.is_(None))
    return and_(unadjusted, t.c.closed.is_(v == "closed"))


# filters several listings share
BY_DNR = equals("dnr", "dnr", "Diarienummer")
BY_CASE_BODY = equals("body", "responsible_body", "Responsible body of the case")
BY_BODY = equals("body", "body", "Body")
BY_MEETING = equals("meeting", "meeting_ref", "Meeting reference")
BY_PARAGRAPH = number("paragraph", "paragraph", "Paragraph (§)")

MEETING_COLUMNS = ("meeting_ref", "body", "meeting_on", "paragraph", "dnr", "member", "party")
MEETING_FILTERS = (
    equals("body", "body", "Body (organ) code"),
    equals("member", "member", "Member's name"),
    equals("party", "party", "Member's party"),
    BY_DNR,
    equals("meeting", "meeting_ref", "Meeting reference, e.g. RS-2020-10-14"),
    BY_PARAGRAPH,
    *date_range("meeting", "meeting_on", "Meeting"),
    year_of("meeting_on"),
)


def _member_listing(name: str, table: str, title: str, text: str, *more: str) -> Listing:
    """A listing of what members put on record at meetings, a row per member and paragraph
    (reservations, conflicts of interest); its ``text`` withheld with the case's decisions."""
    return Listing(
        name=name, projection="decisions", table=table, title=title,
        columns=(*MEETING_COLUMNS, text, *more),
        computed=("withheld",), compute=_no_withheld,
        hidden=("secret_text", "responsible_body", "officer"), withhold=withhold_text(text),
        sorts={"meeting": ("meeting_on", "id")},
        default_sort="meeting", default_order="desc",
        filters=MEETING_FILTERS,
    )


LISTINGS: dict[str, Listing] = {
    listing.name: listing
    for listing in (
        Listing(
            name="diary", projection="diary", table="case",
            title="The diary: one row per case",
            columns=(
                "dnr", "series", "year", "sequence", "title", "public_title", "secret",
                "status", "responsible_body", "unit", "officer", "classification", "origin",
                "registered_on", "last_activity", "closed_on", "cancelled_on", "documents",
                "decisions",
            ),
            computed=("withheld",), compute=_no_withheld,
            hidden=("secret_fields",), withhold=withhold_case,
            access_columns=("responsible_body", "officer"),
            sorts={
                "registered": ("registered_on", "id"),
                "dnr": ("year", "sequence", "id"),
                "last_activity": ("last_activity", "id"),
            },
            default_sort="registered", default_order="desc",
            filters=(
                Filter("q", "text", "Full-text search in Swedish (every word must match: its "
                       "stem, also inside compounds) in titles, document descriptions, "
                       "decision texts, counterparts and the text of documents' files; "
                       "where the reader may not read a case's secrets, only in what it may "
                       "read of them",
                       lambda t, v, _: None),
                one_of("status", "status", "Case status", ("open", "closed", "cancelled")),
                equals("body", "responsible_body", "Responsible body (organ)"),
                equals("unit", "unit", "Responsible unit"),
                equals("officer", "officer", "Case officer (handläggare)"),
                equals("series", "series", "Dnr series"),
                number("year", "year", "Dnr year"),
                BY_DNR,
                flag("secret", "secret", "Has a secrecy-protected title"),
                *date_range("registered", "registered_on", "Registered"),
                *date_range("activity", "last_activity", "Last activity"),
                *date_range("closed", "closed_on", "Closed"),
            ),
            search=True,
        ),
        Listing(
            name="documents", projection="diary", table="document",
            title="Registered documents (OSL 5:2): date, dnr, sender or recipient, content",
            columns=(
                "dnr", "number", "date", "registered_on", "direction", "counterpart",
                "description", "responsible_body", "secret",
            ),
            computed=("withheld",), compute=_no_withheld,
            hidden=("secret_fields", "case_secret"), withhold=withhold_document,
            guarded={"counterpart": "secret"},
            sorts={"date": ("date", "id"), "registered": ("registered_on", "id")},
            default_sort="date", default_order="desc",
            filters=(
                equals("dnr", "dnr", "Diarienummer: the documents of one case"),
                one_of("direction", "direction", "Incoming, outgoing or drawn up",
                       ("incoming", "outgoing", "drawn_up")),
                equals("counterpart", "counterpart", "Sender or recipient"),
                BY_CASE_BODY,
                *date_range("date", "date", "Document date"),
                year_of("date"),
                Filter("registered_on", "date", "Registered in the diary on this day (the "
                       "daily post list)", lambda t, v, _: t.c.registered_on == v),
                *date_range("registered", "registered_on", "Registered in the diary"),
            ),
        ),
        Listing(
            name="decisions", projection="decisions", table="decision",
            title="Decisions: by bodies at meetings and by delegates",
            columns=(
                "dnr", "title", "body", "meeting_ref", "meeting_on", "paragraph", "kind",
                "text", "decided_on", "higher_body", "delegated", "delegate",
                "delegation_point", "reported_on", "reported_meeting", "reported_paragraph",
                "adjusted_on", "posted_on", "legal_force_on", "appealable",
            ),
            sorts={"decided": ("decided_on", "id")},
            default_sort="decided", default_order="desc",
            computed=("withheld",), compute=_no_withheld,
            hidden=("secret_text", "responsible_body", "officer"), withhold=withhold_text("text"),
            filters=(
                equals("body", "body", "Deciding body (or delegating body)"),
                one_of("kind", "kind", "Kind of decision",
                       ("decided", "proposed_to_higher_body", "noted")),
                flag("delegated", "delegated", "Taken by a delegate"),
                equals("delegate", "delegate", "Delegate"),
                equals("point", "delegation_point", "Point of the delegation order"),
                BY_DNR,
                BY_MEETING,
                BY_PARAGRAPH,
                Filter("legal_force", "boolean", "Has gained legal force (laga kraft) by today",
                       lambda t, v, today: (t.c.legal_force_on <= today) if v
                       else or_(t.c.legal_force_on.is_(None), t.c.legal_force_on > today)),
                *date_range("decided", "decided_on", "Decided"),
                year_of("decided_on"),
            ),
        ),
        _member_listing(
            "reservations", "reservation",
            "Reservations: who, party, which §, which case, which meeting",
            "reason", "reason_given_on",
        ),
        _member_listing(
            "conflicts", "conflict",
            "Conflicts of interest (jäv): who, party, which §, which case, which meeting", "note",
        ),
        Listing(
            name="extracts", projection="decisions", table="extract",
            title="Protocol extracts per paragraph and recipient: sent or outstanding",
            columns=(
                "dnr", "body", "meeting_ref", "meeting_on", "paragraph", "decided_on",
                "recipient", "listed", "sent_on",
            ),
            computed=("status",), compute=_extract_status,
            sorts={"decided": ("decided_on", "id")},
            default_sort="decided", default_order="desc",
            filters=(
                Filter("status", "enum", "Sent or outstanding",
                       lambda t, v, _: t.c.sent_on.is_not(None) if v == "sent"
                       else t.c.sent_on.is_(None), ("sent", "outstanding")),
                equals("recipient", "recipient", "Recipient"),
                BY_DNR,
                BY_BODY,
                BY_MEETING,
                BY_PARAGRAPH,
                *date_range("decided", "decided_on", "Decided"),
            ),
        ),
        Listing(
            name="meetings", projection="decisions", table="meeting",
            title="Meetings of the bodies: when, where and how far the protocol has come",
            columns=(
                "ref", "body", "meeting_on", "session", "place", "starts_at", "closed",
                "adjusted_on", "posted_on",
            ),
            computed=("status",), compute=_meeting_status,
            sorts={"date": ("meeting_on", "id")},
            default_sort="date", default_order="desc",
            filters=(
                BY_BODY,
                Filter("status", "enum", "How far the meeting has come: scheduled, closed, "
                       "adjusted (justerat) or posted (anslaget)", _meeting_filter,
                       MEETING_STATES),
                *date_range("meeting", "meeting_on", "Meeting"),
                year_of("meeting_on"),
            ),
        ),
        Listing(
            name="bodies", projection="decisions", table="body",
            title="Bodies (organ): code, name, kind and the body each sits under",
            columns=("code", "name", "kind", "parent", "established_on"),
            sorts={"established": ("id",), "code": ("code", "id")},
            default_sort="code", default_order="asc",
            filters=(
                one_of("kind", "kind", "Kind of body", tuple(str(k) for k in BodyKind)),
                equals("parent", "parent", "The body it sits under"),
            ),
        ),
        Listing(
            name="referrals", projection="deadlines", table="referral",
            title="Referrals (remisser): outgoing per recipient, and incoming ones we must "
                  "answer; answered, declined, outstanding, overdue",
            columns=(
                "dnr", "title", "responsible_body", "direction", "referral_number", "recipient",
                "sender", "sender_reference", "sent_on", "answer_by", "due_on", "answered_on",
                "declined_on", "document_number",
            ),
            computed=("status", "withheld"), compute=_referral_status,
            hidden=("sender_secret", "officer"), withhold=withhold_sender,
            guarded={"sender": "sender_secret"},
            access_columns=("responsible_body", "officer"),
            sorts={"answer_by": ("answer_by", "id"), "sent": ("sent_on", "id")},
            default_sort="answer_by", default_order="asc",
            filters=(
                Filter("status", "enum", "answered, declined (incoming only), outstanding "
                       "(neither, overdue included) or overdue", _referral_filter,
                       ("answered", "declined", "outstanding", "overdue")),
                one_of("direction", "direction", "outgoing (sent by us) or incoming (sent to us, "
                       "to answer)", ("outgoing", "incoming")),
                equals("recipient", "recipient", "Recipient (incoming: our body)"),
                equals("sender", "sender", "Sender of an incoming referral"),
                BY_DNR,
                BY_CASE_BODY,
                *date_range("sent", "sent_on", "Sent (incoming: received)"),
                *date_range("answer_by", "answer_by", "Answer due"),
            ),
        ),
        Listing(
            name="deadlines", projection="deadlines", table="deadline",
            title="Deadlines (bevakningar): what someone must act on by a date",
            columns=(
                "kind", "rule", "law", "due_on", "subject", "dnr", "body", "meeting_ref",
                "done_on",
            ),
            computed=("status", "overdue", "withheld"), compute=_deadline_status,
            hidden=("secret_subject", "public_subject", "officer"), withhold=withhold_subject,
            sorts={"due": ("due_on", "id")},
            default_sort="due", default_order="asc",
            filters=(
                one_of("kind", "kind", "Kind of deadline", tuple(dl.RULES)),
                Filter("status", "enum", "open (not done, overdue included), overdue or done",
                       _deadline_filter, ("open", "overdue", "done")),
                Filter("overdue", "boolean", "Past due and not done",
                       lambda t, v, today: _deadline_filter(t, "overdue", today) if v
                       else ~_deadline_filter(t, "overdue", today)),
                BY_DNR,
                BY_BODY,
                BY_MEETING,
                *date_range("due", "due_on", "Due"),
            ),
        ),
    )
}
