"""The decisions register's tables: bodies, meetings and their paragraphs (what the handlers
look up), decisions, what members put on record (reservations, conflicts of interest) and
protocol extracts per recipient, with the columns withholding needs (OSL 5:2)."""

from __future__ import annotations

import sqlalchemy as sa

from diarium.projections.batch import TableSpec
from diarium.projections.tables import POSITION, case_columns, row_id, table_name


def decision_tables(metadata: sa.MetaData, generation: int) -> dict[str, TableSpec]:
    """The tables of generation ``generation``, with the key a batch finds each row by."""
    def t(base: str) -> str:
        return table_name(base, generation)

    # bodies and meetings are also listed (GET /api/bodies, GET /api/meetings): ``id`` is
    # the position of the event that set each up, the listings' unique sort key
    bname, mname = t("decision_body"), t("meeting")
    body = sa.Table(
        bname, metadata,
        sa.Column("body_id", sa.Uuid, primary_key=True),
        sa.Column("id", POSITION, nullable=False),
        sa.Column("code", sa.String(50), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("parent", sa.String(50)),
        sa.Column("established_on", sa.Date, nullable=False),
        sa.UniqueConstraint("id", name=f"{bname}_id"),
        sa.Index(f"{bname}_code", "code", "id"),
    )
    meeting = sa.Table(
        mname, metadata,
        sa.Column("meeting_id", sa.Uuid, primary_key=True),
        sa.Column("id", POSITION, nullable=False),
        sa.Column("ref", sa.String(100), nullable=False),
        sa.Column("body", sa.String(50), nullable=False),
        sa.Column("meeting_on", sa.Date, nullable=False),
        sa.Column("session", sa.Integer, nullable=False),
        sa.Column("place", sa.Text),
        sa.Column("starts_at", sa.String(20)),
        sa.Column("parties", sa.JSON, nullable=False),
        sa.Column("closed", sa.Boolean, nullable=False),
        sa.Column("adjusted_on", sa.Date),
        sa.Column("posted_on", sa.Date),
        sa.UniqueConstraint("id", name=f"{mname}_id"),
        sa.Index(f"{mname}_on", "meeting_on", "id"),
        sa.Index(f"{mname}_body", "body", "meeting_on", "id"),
        sa.Index(f"{mname}_ref", "ref"),
    )
    paragraph = sa.Table(
        t("paragraph"), metadata,
        sa.Column("meeting_id", sa.Uuid, primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("dnr", sa.String(50)),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("adjusted_on", sa.Date),
        sa.Column("posted_on", sa.Date),
    )
    name = t("decision")
    decision = sa.Table(
        name, metadata,
        row_id(),
        sa.Column("key", sa.String(200), nullable=False),
        *case_columns(required=False),
        sa.Column("title", sa.Text),
        sa.Column("case_decision_number", sa.Integer),
        sa.Column("kind", sa.String(32)),
        sa.Column("text", sa.Text),
        sa.Column("decided_on", sa.Date, nullable=False),
        sa.Column("body", sa.String(200)),
        sa.Column("meeting_id", sa.Uuid),
        sa.Column("meeting_ref", sa.String(100)),
        sa.Column("meeting_on", sa.Date),
        sa.Column("paragraph", sa.Integer),
        sa.Column("higher_body", sa.String(200)),
        sa.Column("delegated", sa.Boolean, nullable=False),
        sa.Column("delegate", sa.String(200)),
        sa.Column("delegation_point", sa.String(50)),
        sa.Column("delegated_number", sa.Integer),
        sa.Column("reported_on", sa.Date),
        sa.Column("reported_meeting", sa.String(100)),
        sa.Column("reported_paragraph", sa.Integer),
        sa.Column("adjusted_on", sa.Date),
        sa.Column("posted_on", sa.Date),
        sa.Column("legal_force_on", sa.Date),  # null: not posted, or not appealable
        sa.Column("appealable", sa.Boolean, nullable=False),  # KL 13:2
        # for withholding at query time (OSL 5:2): who may read the case's secrets, and
        # whether its marking covers decisions
        sa.Column("responsible_body", sa.String(200)),
        sa.Column("officer", sa.String(200)),
        sa.Column("secret_text", sa.Boolean, nullable=False),
        sa.UniqueConstraint("key", name=f"{name}_key"),
        sa.Index(f"{name}_decided", "decided_on", "id"),
        sa.Index(f"{name}_body", "body", "decided_on", "id"),
        sa.Index(f"{name}_case", "case_id", "case_decision_number"),
        sa.Index(f"{name}_meeting", "meeting_id", "paragraph"),
        sa.Index(f"{name}_delegate", "delegate", "decided_on", "id"),
        sa.Index(f"{name}_dnr", "dnr"),
    )

    def member_table(base: str, extra: list[sa.Column]) -> sa.Table:
        n = t(base)
        return sa.Table(
            n, metadata,
            row_id(),
            sa.Column("meeting_id", sa.Uuid, nullable=False),
            sa.Column("meeting_ref", sa.String(100), nullable=False),
            sa.Column("body", sa.String(50), nullable=False),
            sa.Column("meeting_on", sa.Date, nullable=False),
            sa.Column("paragraph", sa.Integer, nullable=False),
            sa.Column("dnr", sa.String(50)),
            sa.Column("member", sa.String(200), nullable=False),
            sa.Column("party", sa.String(100)),
            *extra,
            # the case's marking covers its decisions (domain/secrecy.py: a reservation's
            # reason, a conflict's note), and who may read it
            sa.Column("secret_text", sa.Boolean, nullable=False, default=False),
            sa.Column("responsible_body", sa.String(200)), sa.Column("officer", sa.String(200)),
            sa.UniqueConstraint("meeting_id", "paragraph", "member", name=f"{n}_member"),
            sa.Index(f"{n}_meeting_on", "meeting_on", "id"),
            sa.Index(f"{n}_member_on", "member", "meeting_on", "id"),
            sa.Index(f"{n}_dnr", "dnr"),
        )

    reservation = member_table(
        "reservation", [sa.Column("reason", sa.Text), sa.Column("reason_given_on", sa.Date)]
    )
    conflict = member_table("conflict", [sa.Column("note", sa.Text)])
    ename = t("extract")
    extract = sa.Table(
        ename, metadata,
        row_id(),
        sa.Column("decision_key", sa.String(200), nullable=False),
        *case_columns(required=False),
        sa.Column("body", sa.String(200)),
        sa.Column("meeting_ref", sa.String(100)),
        sa.Column("meeting_on", sa.Date),
        sa.Column("paragraph", sa.Integer),
        sa.Column("decided_on", sa.Date, nullable=False),
        sa.Column("recipient", sa.String(300), nullable=False),
        sa.Column("listed", sa.Boolean, nullable=False),
        sa.Column("sent_on", sa.Date),
        sa.UniqueConstraint("decision_key", "recipient", name=f"{ename}_recipient"),
        sa.Index(f"{ename}_decided", "decided_on", "id"),
        sa.Index(f"{ename}_sent", "sent_on", "id"),
        sa.Index(f"{ename}_dnr", "dnr"),
        sa.Index(f"{ename}_meeting", "meeting_ref", "paragraph"),
        sa.Index(f"{ename}_case", "case_id"),  # the batches load a case's extracts by it
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
