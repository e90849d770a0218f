"""Register queries: filters, sorts and stable keyset pagination over the projection tables.

A listing is declared once (:data:`LISTINGS`); the web layer, the OpenAPI document and the
CSV export are all generated from the declarations. Pages are cut with keyset cursors:
the cursor holds the sort values of the last row (always ending with the row's unique
``id``), and the next page is ``WHERE (sort columns) > (cursor values)`` in the sort order,
so a page never shifts when rows are added before it and deep pages cost what the first
costs.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import threading
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Boolean,
    Date,
    Integer,
    String,
    and_,
    bindparam,
    exc,
    false,
    func,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.engine import Engine

from diarium.cases.secrecy import may_read_secrets
from diarium.cases.store.reads import read_connections
from diarium.domain import roles
from diarium.domain.case.terms import DOCUMENT_SECRET_FIELDS
from diarium.projections import search
from diarium.projections.registers import deadlines as dl
from diarium.projections.registers.base import WITHHELD_TITLE
from diarium.projections.runner import Projector
from diarium.projections.tables import ACTIVE, tracking

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class InvalidQuery(ValueError):
    """A query parameter has a value the register cannot use."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


class UnknownCursor(LookupError):
    """The cursor names no page of this listing in this sort and order."""


# -- filters ----------------------------------------------------------------------------------

Clause = Callable[[Any, Any, date], Any]  # (table, parsed value, today) -> WHERE clause


@dataclass(frozen=True)
class Filter:
    name: str
    kind: str  # string | date | integer | boolean | enum | text
    description: str
    clause: Clause
    choices: tuple[str, ...] = ()

    def _in_range(self, value: int) -> int:
        low, high = (1, 9999) if self.name == "year" else (-(2**31), 2**31 - 1)
        if not low <= value <= high:
            raise InvalidQuery({self.name: f"must be from {low} to {high}"})
        return value

    def parse(self, raw: str) -> Any:
        try:
            if self.kind == "date":
                return date.fromisoformat(raw)
            if self.kind == "integer":
                return self._in_range(int(raw))
            if self.kind == "boolean":
                lowered = raw.lower()
                if lowered not in ("true", "false", "1", "0"):
                    raise ValueError
                return lowered in ("true", "1")
        except InvalidQuery:
            raise
        except ValueError:
            raise InvalidQuery({self.name: f"not a valid {self.kind}: {raw!r}"}) from None
        if self.kind == "enum" and raw not in self.choices:
            raise InvalidQuery({self.name: f"must be one of {', '.join(self.choices)}"})
        if len(raw) > 500:
            raise InvalidQuery({self.name: "must be at most 500 characters"})
        return raw.replace("\x00", "")


def equals(name: str, column: str, description: str) -> Filter:
    return Filter(name, "string", description, lambda t, v, _: t.c[column] == v)


def number(name: str, column: str, description: str) -> Filter:
    return Filter(name, "integer", description, lambda t, v, _: t.c[column] == v)


def flag(name: str, column: str, description: str) -> Filter:
    return Filter(name, "boolean", description, lambda t, v, _: t.c[column].is_(v))


def date_range(prefix: str, column: str, what: str) -> tuple[Filter, Filter]:
    return (
        Filter(f"{prefix}_from", "date", f"{what} on or after", lambda t, v, _: t.c[column] >= v),
        Filter(f"{prefix}_to", "date", f"{what} on or before", lambda t, v, _: t.c[column] <= v),
    )


def year_of(column: str) -> Filter:
    return Filter(
        "year", "integer", f"Year of {column}",
        lambda t, v, _: and_(t.c[column] >= date(v, 1, 1), t.c[column] <= date(v, 12, 31)),
    )


# -- listings ---------------------------------------------------------------------------------


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
    text_guard: str = "secret"  # the column saying a row's searched text holds secret text
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
    elif row["answer_by"] < today:
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
        return and_(unsettled, t.c.answer_by < today)
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


WITHHELD_TEXT = "[sekretess]"


def _no_withheld(row: dict[str, Any], today: date) -> dict[str, Any]:
    return {"withheld": []}


def _withhold_case(item: dict[str, Any], row: dict[str, Any], actor: Any) -> list[str]:
    """Secret fields of a case (OSL 5:2, 5:5) replaced for those who may not read them."""
    fields = {f for f in row["secret_fields"].split(",") if f}
    if row["public_title"] is not None:
        fields.add("title")
    fields &= {"title", "origin"}
    if not fields or may_read_secrets(
        actor, responsible_body=row["responsible_body"], officer=row["officer"]
    ):
        return sorted(fields)
    if "title" in fields:
        item["title"] = row["public_title"] or WITHHELD_TITLE
    if "origin" in fields:
        item["origin"] = None
    item["withheld"] = sorted(fields)
    return []


def _withhold_document(item: dict[str, Any], row: dict[str, Any], actor: Any) -> list[str]:
    fields = {f for f in row["secret_fields"].split(",") if f}
    if row["case_secret"]:
        fields |= set(DOCUMENT_SECRET_FIELDS)
    fields &= set(DOCUMENT_SECRET_FIELDS)
    if not fields or may_read_secrets(
        actor, responsible_body=row["responsible_body"], officer=None
    ):
        return [f"documents.{item['number']}.{f}" for f in sorted(fields)]
    for name in fields:
        item[name] = None
    item["withheld"] = sorted(fields)
    return []


def _withhold_sender(item: dict[str, Any], row: dict[str, Any], actor: Any) -> list[str]:
    """An incoming referral's sender and their reference, where its letter's counterpart is
    secret (OSL 5:2), for those who may not read the case's secrets."""
    if not row["sender_secret"] or may_read_secrets(
        actor, responsible_body=row["responsible_body"], officer=row["officer"]
    ):
        return ["sender", "sender_reference"] if row["sender_secret"] else []
    item["sender"] = item["sender_reference"] = None
    item["withheld"] = ["sender", "sender_reference"]
    return []


def _withhold_subject(item: dict[str, Any], row: dict[str, Any], actor: Any) -> list[str]:
    """The subject of an incoming referral's deadline names its sender: the subject without
    it where the sender is secret."""
    if not row["secret_subject"] or may_read_secrets(
        actor, responsible_body=row["body"], officer=row["officer"]
    ):
        return ["subject"] if row["secret_subject"] else []
    item["subject"] = row["public_subject"] or WITHHELD_TEXT
    item["withheld"] = ["subject"]
    return []


def _withhold_text(field: str) -> Callable[[dict[str, Any], dict[str, Any], Any], list[str]]:
    """A row's ``field`` (a decision's text, a reservation's reason, a conflict's note), where
    the case's marking covers its decisions (domain/secrecy.py: ``secret_text``), for those
    who may not read the case's secrets (the title is already the public one)."""

    def withhold(item: dict[str, Any], row: dict[str, Any], actor: Any) -> list[str]:
        if not row["secret_text"] or may_read_secrets(
            actor, responsible_body=row["responsible_body"], officer=row["officer"]
        ):
            return [field] if row["secret_text"] else []
        item[field] = WITHHELD_TEXT
        item["withheld"] = [field]
        return []

    return withhold


def _extract_status(row: dict[str, Any], today: date) -> dict[str, Any]:
    return {"status": "sent" if row["sent_on"] is not None else "outstanding"}


MEETING_COLUMNS = ("meeting_ref", "body", "meeting_on", "paragraph", "dnr", "member", "party")
MEETING_FILTERS = (
    equals("body", "body", "Body (organ) code"),
    equals("member", "member", "Member's name"),
    equals("party", "party", "Member's party"),
    equals("dnr", "dnr", "Diarienummer"),
    equals("meeting", "meeting_ref", "Meeting reference, e.g. RS-2020-10-14"),
    number("paragraph", "paragraph", "Paragraph (§)"),
    *date_range("meeting", "meeting_on", "Meeting"),
    year_of("meeting_on"),
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
            hidden=("secret_fields",), withhold=_withhold_case,
            text_guard="search_secret", access_columns=("responsible_body", "officer"),
            sorts={
                "registered": ("registered_on", "id"),
                "dnr": ("year", "sequence", "id"),
                "last_activity": ("last_activity", "id"),
            },
            default_sort="registered", default_order="desc",
            filters=(
                Filter("q", "text", "Full-text search in titles and document descriptions "
                       "(every word, as a prefix)", lambda t, v, _: None),
                Filter("status", "enum", "Case status", lambda t, v, _: t.c.status == v,
                       ("open", "closed", "cancelled")),
                equals("body", "responsible_body", "Responsible body (organ)"),
                equals("unit", "unit", "Responsible unit"),
                equals("officer", "officer", "Case officer (handläggare)"),
                equals("series", "series", "Dnr series"),
                number("year", "year", "Dnr year"),
                equals("dnr", "dnr", "Diarienummer"),
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
                "dnr", "number", "date", "direction", "counterpart", "description",
                "responsible_body", "secret",
            ),
            computed=("withheld",), compute=_no_withheld,
            hidden=("secret_fields", "case_secret"), withhold=_withhold_document,
            guarded={"counterpart": "secret"},
            sorts={"date": ("date", "id"), "registered": ("id",)},
            default_sort="date", default_order="desc",
            filters=(
                equals("dnr", "dnr", "Diarienummer: the documents of one case"),
                Filter("direction", "enum", "Incoming, outgoing or drawn up",
                       lambda t, v, _: t.c.direction == v, ("incoming", "outgoing", "drawn_up")),
                equals("counterpart", "counterpart", "Sender or recipient"),
                equals("body", "responsible_body", "Responsible body of the case"),
                *date_range("date", "date", "Document date"),
                year_of("date"),
            ),
        ),
        Listing(
            name="decisions", projection="decisions", table="decision",
            title="Decisions: by bodies at meetings and by delegates",
            columns=(
                "dnr", "title", "body", "meeting_ref", "meeting_on", "paragraph", "kind",
                "text", "decided_on", "higher_body", "delegated", "delegate",
                "delegation_point", "reported_on", "reported_meeting", "reported_paragraph",
                "adjusted_on", "posted_on", "legal_force_on",
            ),
            sorts={"decided": ("decided_on", "id")},
            default_sort="decided", default_order="desc",
            computed=("withheld",), compute=_no_withheld,
            hidden=("secret_text", "responsible_body", "officer"), withhold=_withhold_text("text"),
            filters=(
                equals("body", "body", "Deciding body (or delegating body)"),
                Filter("kind", "enum", "Kind of decision", lambda t, v, _: t.c.kind == v,
                       ("decided", "proposed_to_higher_body", "noted")),
                flag("delegated", "delegated", "Taken by a delegate"),
                equals("delegate", "delegate", "Delegate"),
                equals("point", "delegation_point", "Point of the delegation order"),
                equals("dnr", "dnr", "Diarienummer"),
                equals("meeting", "meeting_ref", "Meeting reference"),
                number("paragraph", "paragraph", "Paragraph (§)"),
                Filter("legal_force", "boolean", "Has gained legal force (laga kraft) by today",
                       lambda t, v, today: (t.c.legal_force_on <= today) if v
                       else or_(t.c.legal_force_on.is_(None), t.c.legal_force_on > today)),
                *date_range("decided", "decided_on", "Decided"),
                year_of("decided_on"),
            ),
        ),
        Listing(
            name="reservations", projection="decisions", table="reservation",
            title="Reservations: who, party, which §, which case, which meeting",
            columns=(*MEETING_COLUMNS, "reason", "reason_given_on"),
            computed=("withheld",), compute=_no_withheld,
            hidden=("secret_text", "responsible_body", "officer"),
            withhold=_withhold_text("reason"),
            sorts={"meeting": ("meeting_on", "id")},
            default_sort="meeting", default_order="desc",
            filters=MEETING_FILTERS,
        ),
        Listing(
            name="conflicts", projection="decisions", table="conflict",
            title="Conflicts of interest (jäv): who, party, which §, which case, which meeting",
            columns=(*MEETING_COLUMNS, "note"),
            computed=("withheld",), compute=_no_withheld,
            hidden=("secret_text", "responsible_body", "officer"),
            withhold=_withhold_text("note"),
            sorts={"meeting": ("meeting_on", "id")},
            default_sort="meeting", default_order="desc",
            filters=MEETING_FILTERS,
        ),
        Listing(
            name="extracts", projection="decisions", table="extract",
            title="Protocol extracts per paragraph and recipient: sent or outstanding",
            columns=(
                "dnr", "body", "meeting_on", "paragraph", "decided_on", "recipient", "listed",
                "sent_on",
            ),
            computed=("status",), compute=_extract_status,
            sorts={"decided": ("decided_on", "id")},
            default_sort="decided", default_order="desc",
            filters=(
                Filter("status", "enum", "Sent or outstanding",
                       lambda t, v, _: t.c.sent_on.is_not(None) if v == "sent"
                       else t.c.sent_on.is_(None), ("sent", "outstanding")),
                equals("recipient", "recipient", "Recipient"),
                equals("dnr", "dnr", "Diarienummer"),
                equals("body", "body", "Body"),
                number("paragraph", "paragraph", "Paragraph (§)"),
                *date_range("decided", "decided_on", "Decided"),
            ),
        ),
        Listing(
            name="referrals", projection="deadlines", table="referral",
            title="Referrals (remisser): outgoing per recipient, and incoming ones we must "
                  "answer; answered, declined, outstanding, overdue",
            columns=(
                "dnr", "title", "responsible_body", "direction", "referral_number", "recipient",
                "sender", "sender_reference", "sent_on", "answer_by", "answered_on",
                "declined_on", "document_number",
            ),
            computed=("status", "withheld"), compute=_referral_status,
            hidden=("sender_secret", "officer"), withhold=_withhold_sender,
            guarded={"sender": "sender_secret"},
            access_columns=("responsible_body", "officer"),
            sorts={"answer_by": ("answer_by", "id"), "sent": ("sent_on", "id")},
            default_sort="answer_by", default_order="asc",
            filters=(
                Filter("status", "enum", "answered, declined (incoming only), outstanding "
                       "(neither, overdue included) or overdue", _referral_filter,
                       ("answered", "declined", "outstanding", "overdue")),
                Filter("direction", "enum", "outgoing (sent by us) or incoming (sent to us, "
                       "to answer)", lambda t, v, _: t.c.direction == v,
                       ("outgoing", "incoming")),
                equals("recipient", "recipient", "Recipient (incoming: our body)"),
                equals("sender", "sender", "Sender of an incoming referral"),
                equals("dnr", "dnr", "Diarienummer"),
                equals("body", "responsible_body", "Responsible body of the case"),
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
            hidden=("secret_subject", "public_subject", "officer"), withhold=_withhold_subject,
            sorts={"due": ("due_on", "id")},
            default_sort="due", default_order="asc",
            filters=(
                Filter("kind", "enum", "Kind of deadline", lambda t, v, _: t.c.kind == v,
                       tuple(dl.RULES)),
                Filter("status", "enum", "open (not done, overdue included), overdue or done",
                       _deadline_filter, ("open", "overdue", "done")),
                Filter("overdue", "boolean", "Past due and not done",
                       lambda t, v, today: _deadline_filter(t, "overdue", today) if v
                       else ~_deadline_filter(t, "overdue", today)),
                equals("dnr", "dnr", "Diarienummer"),
                equals("body", "body", "Body"),
                equals("meeting", "meeting_ref", "Meeting reference"),
                *date_range("due", "due_on", "Due"),
            ),
        ),
    )
}


# -- cursors ----------------------------------------------------------------------------------


def encode_cursor(sort: str, order: str, values: list[Any]) -> str:
    payload = json.dumps(
        {"s": sort, "o": order, "v": [v.isoformat() if isinstance(v, date) else v for v in values]},
        separators=(",", ":"),
    )
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str, order: str, columns: list[Any]) -> list[Any]:
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if payload["s"] != sort or payload["o"] != order or len(payload["v"]) != len(columns):
            raise ValueError("cursor of another sort")
        values = []
        for column, value in zip(columns, payload["v"], strict=True):
            if value is not None and isinstance(column.type, Date):
                value = date.fromisoformat(value)
            elif value is not None and isinstance(column.type, Integer):
                value = int(value)
                if not -(2**63) <= value < 2**63:
                    raise ValueError("out of range")
            elif value is not None and not isinstance(value, str):
                raise ValueError("not a value of this column")
            values.append(value)
        return values
    except (ValueError, KeyError, TypeError, binascii.Error, json.JSONDecodeError):
        raise UnknownCursor(
            "The cursor names no page of this listing, sort and order; start without it"
        ) from None


# -- running a query --------------------------------------------------------------------------


@dataclass
class Page:
    listing: Listing
    items: list[dict[str, Any]]
    next_cursor: str | None
    sort: str
    order: str
    limit: int
    projection: str
    position: int
    # secret fields shown to a reader who may read them, by dnr (a disclosure to log)
    disclosed: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Query:
    """A parsed register query."""

    listing: Listing
    filters: dict[str, Any]
    sort: str
    order: str
    limit: int
    cursor: str | None


def parse(listing: Listing, args: dict[str, str], *, max_limit: int = MAX_LIMIT) -> Query:
    """Validate query-string arguments (everything unknown is refused)."""
    problems: dict[str, str] = {}
    reserved = {"sort", "order", "limit", "cursor", "min_position", "format", "wait"}
    filters: dict[str, Any] = {}
    for name, raw in args.items():
        if name in reserved:
            continue
        spec = listing.filter_map.get(name)
        if spec is not None and spec.kind in ("string", "text") and not raw.strip():
            continue  # a blank text filter (an empty form field) filters nothing
        if spec is None:
            problems[name] = f"unknown parameter; filters: {', '.join(listing.filter_map)}"
            continue
        try:
            filters[name] = spec.parse(raw)
        except InvalidQuery as invalid:
            problems.update(invalid.problems)
    sort = args.get("sort", listing.default_sort)
    if sort not in listing.sorts:
        problems["sort"] = f"must be one of {', '.join(listing.sorts)}"
    order = args.get("order", listing.default_order)
    if order not in ("asc", "desc"):
        problems["order"] = "must be asc or desc"
    limit = DEFAULT_LIMIT
    if "limit" in args:
        try:
            limit = int(args["limit"])
            if not 1 <= limit <= max_limit:
                raise ValueError
        except ValueError:
            problems["limit"] = f"must be an integer from 1 to {max_limit}"
    if problems:
        raise InvalidQuery(problems)
    return Query(listing, filters, sort, order, limit, args.get("cursor") or None)


class Registers:
    """Answers register queries from the active generation of each projection.

    A JSON page costs two statements: :meth:`state` (the active generation, its position
    and the log's head, in one) and the page itself; both are single statements outside
    any transaction (on PostgreSQL one round trip each, cases/reads.py). The generation is
    read with every request rather than cached: it costs nothing extra in that statement,
    and a rebuild's swap in another process is then seen at once. A swap that drops the old
    tables between the two statements fails the page, which is read again once."""

    def __init__(self, projector: Projector) -> None:
        self.projector = projector
        self.engine: Engine = projector.engine
        self.reads = read_connections(projector.datastore)
        self._pages = _page_cache(projector)

    def state(self, name: str) -> tuple[int, int, int]:
        """``(generation, position, head)``: the active generation of projection ``name``,
        the log position its rows are complete up to, and the log's head."""
        self.projector.ensure_schema()
        events = self.projector.events_table
        statement = _STATE_STATEMENTS.get(events)
        if statement is None:
            statement = _STATE_STATEMENTS[events] = select(
                tracking.c.generation, tracking.c.position,
                select(func.max(events.c.id)).scalar_subquery(),
            ).where(tracking.c.name == bindparam("name"), tracking.c.state == ACTIVE)
        for generation, position, head in self.reads.all(statement, {"name": name}):
            return generation, position, head or 0
        raise KeyError(name)

    def page(
        self, query: Query, today: date, actor: Any = None,
        state: tuple[int, int] | None = None,
    ) -> Page:
        """A page from the active generation; ``state`` is its ``(generation, position)``
        when the caller has just read it (:meth:`state`)."""
        for attempt in (1, 2):
            if state is None:
                generation, position, _ = self.state(query.listing.projection)
            else:
                generation, position = state
            try:
                return self._page(query, today, generation, position, actor)
            except (exc.ProgrammingError, exc.OperationalError):
                if attempt == 2:  # a rebuild swapped generations under us: look again once
                    raise
                state = None
        raise AssertionError("unreachable")

    def rows(
        self, query: Query, today: date, actor: Any = None, page_size: int = 1000,
        disclosed: dict[str, list[str]] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every matching row from ``query.cursor`` on, page by page (for CSV export); the
        secret fields shown to the reader are added to ``disclosed``."""
        cursor = query.cursor
        while True:
            page = self.page(
                Query(query.listing, query.filters, query.sort, query.order, page_size, cursor),
                today, actor,
            )
            for dnr, fields in page.disclosed.items() if disclosed is not None else ():
                disclosed.setdefault(dnr, []).extend(fields)
            yield from page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def _page(
        self, query: Query, today: date, generation: int, position: int, actor: Any
    ) -> Page:
        listing = query.listing
        # a reader matches on secret fields (q, guarded) only where it may read them
        restricted = Access.of(actor)
        key = _query_key(query, today, restricted, generation, position)
        cached = self._pages.get(key) if key is not None else None
        if cached is None:
            cached = self._read_page(query, today, generation, restricted)
            if key is not None and query.limit <= CACHED_PAGE_ROWS:  # not CSV's long pages
                self._pages.put(key, cached)
        pairs, next_cursor = cached
        items = []
        disclosed: dict[str, list[str]] = {}
        for item, row in pairs:
            item = dict(item)  # the cached one stays as it was
            if listing.withhold is not None and (secret := listing.withhold(item, row, actor)):
                disclosed.setdefault(item["dnr"], []).extend(secret)
            items.append(item)
        return Page(
            listing, items, next_cursor, query.sort, query.order, query.limit,
            listing.projection, position, disclosed,
        )

    def _read_page(
        self, query: Query, today: date, generation: int, restricted: Access
    ) -> tuple[list[tuple[dict[str, Any], dict[str, Any]]], str | None]:
        """The page's items (before withholding) with their rows, and the next cursor."""
        listing = query.listing
        projection = self.projector.projections[listing.projection]
        table = projection.table(listing.table, generation)
        statement, wanted, text_search = self._statement(query, today, table, restricted)
        found = None
        if text_search is not None and self.projector.dialect == "sqlite":
            with self.engine.connect() as conn:
                search.read_snapshot(conn)  # every statement of the page sees the same rows
                found = search.ordered_page(
                    conn, table, text_search.query, text_search.conditions,
                    text_search.columns, text_search.sort_columns, text_search.descending,
                    query.limit + 1,
                )
        if found is None:  # one statement: consistent by itself
            found = [dict(zip(wanted, r, strict=True)) for r in self.reads.all(statement, {})]
        more = len(found) > query.limit
        found = found[: query.limit]
        next_cursor = None
        if more and found:
            last = found[-1]
            next_cursor = encode_cursor(
                query.sort, query.order, [last[c] for c in listing.sorts[query.sort]]
            )
        items = []
        columns = listing.columns
        leading = tuple(wanted[: len(columns)]) == columns  # read first, in this order
        converted = _converted(table, columns)
        for row in found:
            item = (
                dict(zip(columns, row.values(), strict=False)) if leading
                else {c: row[c] for c in columns}
            )
            for c in converted:
                if (value := item[c]) is not None:
                    item[c] = _json(value)
            if listing.compute is not None:
                item.update(listing.compute(row, today))
            items.append((item, row))
        return items, next_cursor

    def _statement(
        self, query: Query, today: date, table: Any, restricted: Access
    ) -> tuple[Any, list[str], _TextSearch | None]:
        """The page's ``SELECT``, the columns it reads, and for a full-text query what the
        FTS5 rowid-order plan needs; built once per query, table and day (SQLAlchemy then
        also finds its compiled form without making a cache key)."""
        listing = query.listing
        key = _query_key(query, today, restricted, table)
        cached = _PAGE_STATEMENTS.get(key) if key is not None else None
        if cached is not None:
            return cached
        conditions = []
        text_query = matching = None
        for name, value in query.filters.items():
            if name == "q" and listing.search:
                clause = search.search_clause(table, value, self.projector.dialect)
                text_query, matching = value, clause
                conditions.append(clause if clause is not None else true())
                readable = restricted.clause(table, listing)  # no match on withheld text
                conditions.append(or_(table.c[listing.text_guard].is_(False), readable))
            else:
                conditions.append(listing.filter_map[name].clause(table, value, today))
                if name in listing.guarded:
                    readable = restricted.clause(table, listing)
                    conditions.append(or_(table.c[listing.guarded[name]].is_(False), readable))
        sort_columns = [table.c[c] for c in listing.sorts[query.sort]]
        descending = query.order == "desc"
        if query.cursor:
            values = decode_cursor(query.cursor, query.sort, query.order, sort_columns)
            if any(v is None for v in values):
                conditions.append(false())
            elif descending:
                conditions.append(tuple_(*sort_columns) < tuple_(*values))
            else:
                conditions.append(tuple_(*sort_columns) > tuple_(*values))
        wanted = list(
            dict.fromkeys([*listing.columns, *listing.hidden, *listing.sorts[query.sort]])
        )
        statement = (
            select(*(table.c[c] for c in wanted))
            .where(and_(true(), *conditions))
            .order_by(*(c.desc() if descending else c.asc() for c in sort_columns))
            .limit(query.limit + 1)
        )
        text_search = None
        if text_query is not None and matching is not None:  # SQLite: in FTS5 rowid order
            text_search = _TextSearch(
                text_query, [c for c in conditions if c is not matching],
                [table.c[c] for c in wanted], sort_columns, descending,
            )
        if key is not None:
            _PAGE_STATEMENTS.put(key, (statement, wanted, text_search))
        return statement, wanted, text_search


@dataclass(frozen=True)
class _TextSearch:
    """A full-text page's parts for :func:`projections.search.ordered_page`."""

    query: str
    conditions: list[Any]
    columns: list[Any]
    sort_columns: list[Any]
    descending: bool


PAGE_CACHE_VARIABLE = "DIARIUM_PAGE_CACHE"  # pages kept per projector (process); 0: none
CACHED_PAGE_ROWS = 100  # longer pages are not kept (memory: 128 pages × 100 rows at most)


class PageCache:
    """A bounded map of pages, emptied when full (pages are cheap to read again)."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._pages: dict[Any, Any] = {}
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        return self._pages.get(key)

    def put(self, key: Any, page: Any) -> None:
        if self.maxsize <= 0:
            return
        with self._lock:
            if len(self._pages) >= self.maxsize:
                self._pages.clear()
            self._pages[key] = page

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


_PAGE_CACHES: weakref.WeakKeyDictionary[Any, PageCache] = weakref.WeakKeyDictionary()
_PAGE_CACHES_LOCK = threading.Lock()


def _page_cache(projector: Projector) -> PageCache:
    """The pages read through ``projector``, by (query, generation, position, day, reader's
    secret access). A generation's rows change only with its position (rows and position
    commit together; a rebuild makes a new generation), so a page read at a position is the
    page at that position for as long as the position stays; withholding, which depends on
    the reader, runs on every request."""
    with _PAGE_CACHES_LOCK:
        cache = _PAGE_CACHES.get(projector)
        if cache is None:
            size = int(os.environ.get(PAGE_CACHE_VARIABLE, "128"))
            cache = _PAGE_CACHES[projector] = PageCache(size)
        return cache


@dataclass(frozen=True)
class Access:
    """Whose secrets a reader may read, as SQL can ask it (cases/secrecy.py:
    ``may_read_secrets``): a reader matches a row by its secret text (``q``, guarded filters)
    only where it may read that row's secrets, so a guess at a withheld text that matches
    gives the same rows as one that does not."""

    every_case: bool  # registrar, auditor: every case of their bodies
    bodies: tuple[str, ...]  # the token's scope (empty: every body)
    officer: str | None  # an officer: the cases where this is the officer

    @classmethod
    def of(cls, actor: Any) -> Access:
        if actor is None:
            return cls(False, (), None)
        every = actor.has_role(roles.AUDITOR, roles.REGISTRAR)
        officer = actor.name if not every and actor.has_role(roles.OFFICER) else None
        return cls(every, tuple(sorted(actor.bodies)), officer)

    def clause(self, table: Any, listing: Listing) -> Any:
        """The rows whose secrets this reader may read."""
        body, officer = listing.access_columns
        if not self.every_case and (self.officer is None or officer is None):
            return false()
        conditions = [table.c[body].in_(self.bodies)] if self.bodies else []
        if not self.every_case:
            conditions.append(table.c[officer] == self.officer)
        return and_(true(), *conditions)


def _query_key(query: Query, today: date, restricted: Access, *scope: Any) -> Any:
    """What a page (or its statement) depends on, within ``scope`` (the generation and
    position, or the table), as a hashable key; None for an unhashable filter value (never
    cached)."""
    key = (query.listing.name, *scope, tuple(query.filters.items()), query.sort, query.order,
           query.limit, query.cursor, today, restricted)
    try:
        hash(key)
    except TypeError:
        return None
    return key


_STATE_STATEMENTS: dict[Any, Any] = {}
# each page's (statement, columns read, full-text plan) by query, table and day
_PAGE_STATEMENTS = PageCache(512)
_CONVERTED: dict[tuple[Any, tuple[str, ...]], tuple[str, ...]] = {}


def _converted(table: Any, columns: tuple[str, ...]) -> tuple[str, ...]:
    """The columns whose values JSON needs converted (dates, UUIDs: all but text, numbers
    and booleans)."""
    key = (table, columns)
    found = _CONVERTED.get(key)
    if found is None:
        plain = (String, Integer, Boolean)
        found = _CONVERTED[key] = tuple(
            c for c in columns if not isinstance(table.c[c].type, plain)
        )
    return found


def _json(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


__all__ = [
    "LISTINGS", "InvalidQuery", "Listing", "Page", "Query", "Registers", "UnknownCursor", "parse"
]
