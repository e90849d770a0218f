"""The diary (diarium) and the document register (OSL 5:2), from the case events.

One row per case, with what a registrar filters on, and one row per registered document
with the four particulars OSL 5:2 requires: date, dnr, sender or recipient, brief content.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from diarium.cases.files.stores import BlobStore
from diarium.cases.files.text import text_type
from diarium.cases.handlers import handles
from diarium.domain.events import case as ev
from diarium.domain.secrecy import DOCUMENT_MARKING, content_withheld, covered
from diarium.projections import file_texts, search
from diarium.projections.batch import TableSpec, UnitOfWork
from diarium.projections.registers.base import Projection
from diarium.projections.tables import case_columns, row_id, table_name

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def registered_on(event: ev.DocumentRegistered) -> date:
    """The day ``event``'s document was registered in the diary: as recorded, or (events
    stored before it was) the Swedish day of the event's recording time."""
    return event.registered_on or event.timestamp.astimezone(STOCKHOLM).date()


class DiaryProjection(Projection):
    name = "diary"
    description = "The diary (one row per case) and the document register (OSL 5:2)"
    # 2: documents: registered_on (the day of registration in the diary);
    # 3: decision texts and counterparts searched (Swedish search);
    # 4: the public text searched by readers without access (public_text, documents'
    # referral_senders; search_secret gone)
    # 5: the text of documents' files searched (file_text, documents' file_sha256; the text
    # of those no marking covers in public_text), read once per file into reg_file_text
    version = 5
    files: BlobStore | None = None  # where the files are read from (bind)

    prepares = (ev.DocumentFileAttached,)

    def bind(self, app: Any) -> None:
        self.files = app.files.store

    def prepare(self, engine: Any, events: list[tuple[int, Any]]) -> None:
        """Read the texts of the batch's files before its transaction (:meth:`_file` reads
        those this did not)."""
        file_texts.read_ahead(engine, self.files, [
            (e.sha256, text_type(e.media_type, e.claimed_media_type)) for _, e in events
            if isinstance(e, ev.DocumentFileAttached)
        ])

    def define(self, metadata: sa.MetaData, generation: int) -> dict[str, TableSpec]:
        name = table_name("case", generation)
        case = sa.Table(
            name,
            metadata,
            row_id(),  # the registration's position
            *case_columns(required=True),
            sa.Column("series", sa.String(50), nullable=False),
            sa.Column("year", sa.Integer, nullable=False),
            sa.Column("sequence", sa.Integer, nullable=False),
            sa.Column("title", sa.Text, nullable=False),
            sa.Column("public_title", sa.Text),
            sa.Column("secret", sa.Boolean, nullable=False),
            sa.Column("status", sa.String(16), nullable=False),
            sa.Column("responsible_body", sa.String(200), nullable=False),
            sa.Column("unit", sa.String(200)),
            sa.Column("officer", sa.String(200)),
            sa.Column("classification", sa.String(100)),
            sa.Column("origin", sa.String(200)),
            sa.Column("migrated", sa.Boolean, nullable=False),
            sa.Column("registered_on", sa.Date, nullable=False),
            sa.Column("last_activity", sa.Date, nullable=False),
            sa.Column("closed_on", sa.Date),
            sa.Column("cancelled_on", sa.Date),
            sa.Column("documents", sa.Integer, nullable=False),
            sa.Column("decisions", sa.Integer, nullable=False),
            sa.Column("document_text", sa.Text, nullable=False),  # descriptions, for search
            sa.Column("decision_text", sa.Text, nullable=False),  # decisions' texts, for search
            # documents' counterparts and incoming referrals' senders, one a line, for search
            sa.Column("counterpart_text", sa.Text, nullable=False),
            # the text of its documents' files (each one's latest version), for search
            sa.Column("file_text", sa.Text, nullable=False),
            # what of those four a reader without access may read, one a line, for search
            sa.Column("public_text", sa.Text, nullable=False),
            sa.Column("secret_fields", sa.String(200), nullable=False),  # CaseMarkedSecret.fields
            sa.Column("secrecy_statute", sa.String(100)),
            sa.Column("version", sa.Integer, nullable=False),
            *search.search_columns(self.dialect),
            sa.UniqueConstraint("case_id", name=f"{name}_case_id"),
            sa.UniqueConstraint("dnr", name=f"{name}_dnr"),
        )
        for columns in (
            ("registered_on", "id"),
            ("status", "registered_on", "id"),
            ("responsible_body", "registered_on", "id"),
            ("officer", "registered_on", "id"),
            ("series", "year", "sequence", "id"),
            ("year", "sequence", "id"),
            ("last_activity", "id"),
        ):
            sa.Index(f"{name}_{'_'.join(columns[:-1])}", *(case.c[c] for c in columns))
        search.search_indexes(case, self.dialect)  # an sa.Index on a bound column joins its table

        dname = table_name("document", generation)
        document = sa.Table(
            dname,
            metadata,
            row_id(),  # the registration's position
            *case_columns(required=True),
            sa.Column("number", sa.Integer, nullable=False),
            sa.Column("direction", sa.String(16), nullable=False),
            sa.Column("date", sa.Date, nullable=False),
            sa.Column("registered_on", sa.Date, nullable=False),  # in the diary
            sa.Column("counterpart", sa.String(300)),
            sa.Column("description", sa.Text, nullable=False),
            sa.Column("responsible_body", sa.String(200), nullable=False),
            sa.Column("secret", sa.Boolean, nullable=False),
            # DocumentMarkedSecret.fields
            sa.Column("secret_fields", sa.String(200), nullable=False),
            # the case's marking covers documents
            sa.Column("case_secret", sa.Boolean, nullable=False),
            # the senders of the incoming referrals this letter brought, one a line (search)
            sa.Column("referral_senders", sa.Text, nullable=False),
            # the latest version of its file (its text: reg_file_text), if it has one
            sa.Column("file_sha256", sa.String(64)),
            sa.UniqueConstraint("case_id", "number", name=f"{dname}_case_number"),
            sa.Index(f"{dname}_date", "date", "id"),
            sa.Index(f"{dname}_registered_on", "registered_on", "id"),
            sa.Index(f"{dname}_direction", "direction", "date", "id"),
            sa.Index(f"{dname}_dnr", "dnr", "number"),
            sa.Index(f"{dname}_counterpart", "counterpart", "date", "id"),
        )
        return {
            "case": TableSpec(case, ("case_id",), prefetch_by="case_id", own_rows=True),
            "document": TableSpec(document, ("id",)),
        }

    def create(self, connection: Any, generation: int, *, indexes: bool = True) -> None:
        search.create_search(connection, self.table("case", generation))
        file_texts.create(connection)
        super().create(connection, generation, indexes=indexes)

    def after_bulk(self, connection: Any, generation: int) -> None:
        super().after_bulk(connection, generation)
        search.optimize_search(connection, self.table("case", generation))

    def drop(self, connection: Any, generation: int) -> None:
        search.drop_search(connection, self.table("case", generation))
        super().drop(connection, generation)

    def after_flush(self, uow: UnitOfWork, generation: int) -> None:
        originals = uow.originals["case"]
        old, rows = [], []
        for row in uow.touched("case"):
            original = originals.get((row["case_id"],))
            if original is None or any(row[c] != original[c] for c in search.INDEXED):
                rows.append(row)
                if original is not None:
                    old.append(original)
        search.sync_search(uow.connection, self.table("case", generation), old, rows)

    def _reindex(self, case: dict[str, Any]) -> None:
        """The case's searched text, after its searched columns changed (PostgreSQL)."""
        search.reindex(case, self.dialect)

    @staticmethod
    def _add_line(case: dict[str, Any], column: str, line: str | None) -> None:
        """``line`` added to the case's searched ``column`` (once: the search needs no
        repeats)."""
        lines = case[column]
        if line and line not in lines.split("\n"):
            case[column] = f"{lines}\n{line}" if lines else line

    # -- handlers -------------------------------------------------------------------------

    @handles(ev.CaseRegistered)
    def _registered(self, uow: UnitOfWork, event: ev.CaseRegistered, position: int) -> None:
        case = uow.insert(
            "case",
            {
                "id": position,
                "case_id": event.originator_id,
                "dnr": event.dnr,
                "series": event.series,
                "year": event.year,
                "sequence": event.sequence,
                "title": event.title,
                "public_title": event.public_title,
                "secret": event.public_title is not None,
                "status": "open",
                "responsible_body": event.responsible_body,
                "unit": event.unit,
                "officer": event.officer,
                "classification": event.classification,
                "origin": event.origin,
                "migrated": event.migrated,
                "registered_on": event.occurred_on,
                "last_activity": event.occurred_on,
                "closed_on": None,
                "cancelled_on": None,
                "documents": 0,
                "decisions": 0,
                "document_text": "",
                "decision_text": "",
                "counterpart_text": "",
                "file_text": "",
                "public_text": "",
                "secret_fields": "",
                "secrecy_statute": None,
                "version": event.originator_version,
            },
        )
        self._reindex(case)

    def _case(self, uow: UnitOfWork, event: Any) -> dict[str, Any]:
        case = uow.get("case", event.originator_id)
        if case is None:
            raise LookupError(f"{type(event).__name__} for unregistered case {event.originator_id}")
        case["last_activity"] = max(case["last_activity"], event.occurred_on)
        case["version"] = event.originator_version
        return case

    @handles(ev.DocumentRegistered)
    def _document(self, uow: UnitOfWork, event: ev.DocumentRegistered, position: int) -> None:
        case = self._case(uow, event)
        case["documents"] += 1
        self._add_line(case, "document_text", event.description)
        self._add_line(case, "counterpart_text", event.counterpart)
        withheld = covered(_marked(case), "document")  # a new document has no marking of its own
        for name in ("description", "counterpart"):
            if name not in withheld:
                self._add_line(case, "public_text", getattr(event, name))
        self._reindex(case)
        uow.insert(
            "document",
            {
                "id": position,
                "case_id": event.originator_id,
                "dnr": case["dnr"],
                "number": event.number,
                "direction": event.direction,
                "date": event.occurred_on,
                "registered_on": registered_on(event),
                "counterpart": event.counterpart,
                "description": event.description,
                "responsible_body": case["responsible_body"],
                "secret": bool(covered(case["secret_fields"].split(","), "document")),
                "secret_fields": "",
                "case_secret": bool(covered(case["secret_fields"].split(","), "document")),
                "referral_senders": "",
                "file_sha256": None,
            },
        )

    @handles(*(e for e in ev.CASE_EVENTS if e.sets))
    def _attributes(self, uow: UnitOfWork, event: Any, position: int) -> None:
        """An event that gives case attributes new values (its ``sets``: the officer, the
        classification…) sets the same columns of the case row."""
        case = self._case(uow, event)
        for name in event.sets:
            case[name] = getattr(event, name)

    @handles(ev.DecisionRecorded)
    def _decision(self, uow: UnitOfWork, event: ev.DecisionRecorded, position: int) -> None:
        case = self._case(uow, event)
        case["decisions"] += 1
        self._add_line(case, "decision_text", event.text)
        if "text" not in covered(_marked(case), "decision"):
            self._add_line(case, "public_text", event.text)
        self._reindex(case)

    @handles(ev.ReferralSent, ev.ReferralAnswered, ev.ProposalRecorded, ev.ProtocolExtractSent)
    def _activity(self, uow: UnitOfWork, event: Any, position: int) -> None:
        self._case(uow, event)

    @handles(ev.IncomingReferralReceived)
    def _incoming_referral_received(
        self, uow: UnitOfWork, event: ev.IncomingReferralReceived, position: int
    ) -> None:
        case = self._case(uow, event)
        self._add_line(case, "counterpart_text", event.sender)  # its sender, searchable
        documents = uow.select("document", case_id=event.originator_id)
        for document in documents:
            if document["number"] == event.document_number:
                self._add_line(document, "referral_senders", event.sender)
        self._public_text(uow, case, documents)

    @handles(ev.IncomingReferralExtended, ev.IncomingReferralAnswered,
             ev.IncomingReferralDeclined)
    def _incoming_referral(self, uow: UnitOfWork, event: Any, position: int) -> None:
        self._case(uow, event)  # last activity

    @handles(ev.CaseClosed)
    def _closed(self, uow: UnitOfWork, event: ev.CaseClosed, position: int) -> None:
        case = self._case(uow, event)
        case["status"] = "closed"
        case["closed_on"] = event.occurred_on

    @handles(ev.CaseReopened)
    def _reopened(self, uow: UnitOfWork, event: ev.CaseReopened, position: int) -> None:
        case = self._case(uow, event)
        case["status"] = "open"
        case["closed_on"] = None

    @handles(ev.CaseCancelled)
    def _cancelled(self, uow: UnitOfWork, event: ev.CaseCancelled, position: int) -> None:
        case = self._case(uow, event)
        case["status"] = "cancelled"
        case["cancelled_on"] = event.occurred_on

    # -- secrecy (OSL 5:5): the marking is kept; withholding happens when queried -----------

    @handles(ev.CaseMarkedSecret, ev.CaseSecrecyLifted)
    def _case_secrecy(self, uow: UnitOfWork, event: Any, position: int) -> None:
        case = self._case(uow, event)
        marked = isinstance(event, ev.CaseMarkedSecret)
        case["secret_fields"] = ",".join(event.fields) if marked else ""
        case["secrecy_statute"] = event.statute if marked else None
        case["secret"] = marked or case["public_title"] is not None
        covers = marked and bool(covered(event.fields, "document"))
        documents = uow.select("document", case_id=event.originator_id)
        for document in documents:
            document["case_secret"] = covers
            document["secret"] = covers or bool(document["secret_fields"])
        self._public_text(uow, case, documents)

    def _public_text(
        self, uow: UnitOfWork, case: dict[str, Any], documents: list[dict[str, Any]],
        texts: dict[str, str] | None = None,
    ) -> None:
        """The case's ``public_text`` made again (``documents``: all of its documents): the
        descriptions, counterparts, incoming referrals' senders, files' texts and decision
        texts that no marking covers (OSL 5:2: a reader who may not read them matches only
        these; ``texts``: the documents' files' texts, if the caller has them)."""
        marked = _marked(case)
        lines: list[str] = []
        if texts is None:
            texts = file_texts.texts(uow.connection, (d["file_sha256"] for d in documents))
        for document in sorted(documents, key=lambda d: d["number"]):
            own = [f for f in document["secret_fields"].split(",") if f]
            withheld = covered(marked, "document") | covered(own, "document", DOCUMENT_MARKING)
            lines += [document[n] or "" for n in ("description", "counterpart")
                      if n not in withheld]
            if not content_withheld(
                covered(marked, "file") | covered(own, "file", DOCUMENT_MARKING)
            ):
                lines.append(texts.get(document["file_sha256"] or "", ""))
            if "sender" not in covered(marked, "incoming_referral") | covered(
                own, "incoming_referral", DOCUMENT_MARKING
            ):
                lines += document["referral_senders"].split("\n")
        if "text" not in covered(marked, "decision"):
            lines += case["decision_text"].split("\n")
        case["public_text"] = "\n".join(dict.fromkeys(line for line in lines if line))
        self._reindex(case)

    @handles(ev.DocumentFileAttached)
    def _file(self, uow: UnitOfWork, event: ev.DocumentFileAttached, position: int) -> None:
        """A document's file (a new version): read its text (once per file, in a bounded
        child process: cases/files/text.py), which replaces the text of the document's
        earlier version in the case's searched texts."""
        case = self._case(uow, event)
        file_texts.read(uow.connection, self.files, event.sha256,
                        text_type(event.media_type, event.claimed_media_type))
        documents = uow.select("document", case_id=event.originator_id)
        for document in documents:
            if document["number"] == event.document_number:
                document["file_sha256"] = event.sha256
        texts = file_texts.texts(uow.connection, (d["file_sha256"] for d in documents))
        case["file_text"] = "\n".join(
            texts[d["file_sha256"]] for d in sorted(documents, key=lambda d: d["number"])
            if d["file_sha256"] in texts
        )
        self._public_text(uow, case, documents, texts)

    @handles(ev.DocumentMarkedSecret, ev.DocumentSecrecyLifted)
    def _document_secrecy(self, uow: UnitOfWork, event: Any, position: int) -> None:
        case = self._case(uow, event)
        marked = isinstance(event, ev.DocumentMarkedSecret)
        documents = uow.select("document", case_id=event.originator_id)
        for document in documents:
            if document["number"] == event.document_number:
                document["secret_fields"] = ",".join(event.fields) if marked else ""
                document["secret"] = marked or document["case_secret"]
        self._public_text(uow, case, documents)


def _marked(case: dict[str, Any]) -> list[str]:
    """The fields the case's marking names (none if it is not marked)."""
    return [f for f in case["secret_fields"].split(",") if f]
