"""The decisions register's tables: bodies, meetings and their paragraphs (what the handlers
look up), decisions, what members put on record (reservations, conflicts of interest) and
protocol extracts per recipient, with the columns withholding needs (OSL 5:2)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

from diarium.projections.batch import TableSpec
from diarium.projections.tables import case_columns, row_id, table_name


def decision_tables(metadata: MetaData, generation: int) -> dict[str, TableSpec]:
    """The tables of generation ``generation``, with the key a batch finds each row by."""
    def t(base: str) -> str:
        return table_name(base, generation)

    body = Table(
        t("decision_body"), metadata,
        Column("body_id", Uuid, primary_key=True),
        Column("code", String(50), nullable=False),
        Column("name", Text, nullable=False),
    )
    meeting = Table(
        t("meeting"), metadata,
        Column("meeting_id", Uuid, primary_key=True),
        Column("ref", String(100), nullable=False),
        Column("body", String(50), nullable=False),
        Column("meeting_on", Date, nullable=False),
        Column("parties", JSON, nullable=False),
        Column("adjusted_on", Date),
        Column("posted_on", Date),
    )
    paragraph = Table(
        t("paragraph"), metadata,
        Column("meeting_id", Uuid, primary_key=True),
        Column("number", Integer, primary_key=True, autoincrement=False),
        Column("dnr", String(50)),
        Column("title", Text, nullable=False),
        Column("adjusted_on", Date),
        Column("posted_on", Date),
    )
    name = t("decision")
    decision = Table(
        name, metadata,
        row_id(),
        Column("key", String(200), nullable=False),
        *case_columns(required=False),
        Column("title", Text),
        Column("case_decision_number", Integer),
        Column("kind", String(32)),
        Column("text", Text),
        Column("decided_on", Date, nullable=False),
        Column("body", String(200)),
        Column("meeting_id", Uuid),
        Column("meeting_ref", String(100)),
        Column("meeting_on", Date),
        Column("paragraph", Integer),
        Column("higher_body", String(200)),
        Column("delegated", Boolean, nullable=False),
        Column("delegate", String(200)),
        Column("delegation_point", String(50)),
        Column("delegated_number", Integer),
        Column("reported_on", Date),
        Column("reported_meeting", String(100)),
        Column("reported_paragraph", Integer),
        Column("adjusted_on", Date),
        Column("posted_on", Date),
        Column("legal_force_on", Date),
        # for withholding at query time (OSL 5:2): who may read the case's secrets, and
        # whether its marking covers decisions
        Column("responsible_body", String(200)),
        Column("officer", String(200)),
        Column("secret_text", Boolean, nullable=False),
        UniqueConstraint("key", name=f"{name}_key"),
        Index(f"{name}_decided", "decided_on", "id"),
        Index(f"{name}_body", "body", "decided_on", "id"),
        Index(f"{name}_case", "case_id", "case_decision_number"),
        Index(f"{name}_meeting", "meeting_id", "paragraph"),
        Index(f"{name}_delegate", "delegate", "decided_on", "id"),
        Index(f"{name}_dnr", "dnr"),
    )

    def member_table(base: str, extra: list[Column]) -> Table:
        n = t(base)
        return Table(
            n, metadata,
            row_id(),
            Column("meeting_id", Uuid, nullable=False),
            Column("meeting_ref", String(100), nullable=False),
            Column("body", String(50), nullable=False),
            Column("meeting_on", Date, nullable=False),
            Column("paragraph", Integer, nullable=False),
            Column("dnr", String(50)),
            Column("member", String(200), nullable=False),
            Column("party", String(100)),
            *extra,
            # the case's marking covers its decisions (domain/secrecy.py: a reservation's
            # reason, a conflict's note), and who may read it
            Column("secret_text", Boolean, nullable=False, default=False),
            Column("responsible_body", String(200)), Column("officer", String(200)),
            UniqueConstraint("meeting_id", "paragraph", "member", name=f"{n}_member"),
            Index(f"{n}_meeting_on", "meeting_on", "id"),
            Index(f"{n}_member_on", "member", "meeting_on", "id"),
            Index(f"{n}_dnr", "dnr"),
        )

    reservation = member_table(
        "reservation", [Column("reason", Text), Column("reason_given_on", Date)]
    )
    conflict = member_table("conflict", [Column("note", Text)])
    ename = t("extract")
    extract = Table(
        ename, metadata,
        row_id(),
        Column("decision_key", String(200), nullable=False),
        *case_columns(required=False),
        Column("body", String(200)),
        Column("meeting_on", Date),
        Column("paragraph", Integer),
        Column("decided_on", Date, nullable=False),
        Column("recipient", String(300), nullable=False),
        Column("listed", Boolean, nullable=False),
        Column("sent_on", Date),
        UniqueConstraint("decision_key", "recipient", name=f"{ename}_recipient"),
        Index(f"{ename}_decided", "decided_on", "id"),
        Index(f"{ename}_sent", "sent_on", "id"),
        Index(f"{ename}_dnr", "dnr"),
        Index(f"{ename}_case", "case_id"),  # the batches load a case's extracts by it
    )
    return {
        "body": TableSpec(body, ("body_id",), prefetch_by="body_id"),
        "meeting": TableSpec(meeting, ("meeting_id",), prefetch_by="meeting_id"),
        "paragraph": TableSpec(paragraph, ("meeting_id", "number"), prefetch_by="meeting_id"),
        # a case's rows come from its own decisions and from paragraphs of meetings held
        # after its registration (an agenda takes only registered cases)
        "decision": TableSpec(decision, ("key",), prefetch_by="case_id", own_rows=True),
        "reservation": TableSpec(
            reservation, ("meeting_id", "paragraph", "member"), prefetch_by="meeting_id"
        ),
        "conflict": TableSpec(
            conflict, ("meeting_id", "paragraph", "member"), prefetch_by="meeting_id"
        ),
        "extract": TableSpec(
            extract, ("decision_key", "recipient"), prefetch_by="case_id", own_rows=True
        ),
    }
