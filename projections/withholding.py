"""What a reader may not read in a register row: withheld from the rows it is shown (who
may read a case's secrets: cases/secrecy.py, ``may_read_secrets``), and not matched by its
filters on secret text (:class:`Access`, the same rule as SQL): its full-text search matches
the public text only (:meth:`Access.text_match`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, false, or_, true
from sqlalchemy.sql.elements import False_, True_

from diarium.cases.secrecy import may_read_secrets
from diarium.domain import roles
from diarium.domain.case.terms import DOCUMENT_SECRET_FIELDS
from diarium.projections import search
from diarium.projections.registers.base import WITHHELD_TITLE

if TYPE_CHECKING:
    from diarium.projections.listings import Listing

WITHHELD_TEXT = "[sekretess]"


def withhold_case(item: dict[str, Any], row: dict[str, Any], actor: Any) -> list[str]:
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


def withhold_document(item: dict[str, Any], row: dict[str, Any], actor: Any) -> list[str]:
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


def withhold_sender(item: dict[str, Any], row: dict[str, Any], actor: Any) -> list[str]:
    """An incoming referral's sender and their reference, where its letter's counterpart is
    secret (OSL 5:2), for those who may not read the case's secrets."""
    if not row["sender_secret"] or may_read_secrets(
        actor, responsible_body=row["responsible_body"], officer=row["officer"]
    ):
        return ["sender", "sender_reference"] if row["sender_secret"] else []
    item["sender"] = item["sender_reference"] = None
    item["withheld"] = ["sender", "sender_reference"]
    return []


def withhold_subject(item: dict[str, Any], row: dict[str, Any], actor: Any) -> list[str]:
    """The subject of an incoming referral's deadline names its sender: the subject without
    it where the sender is secret."""
    if not row["secret_subject"] or may_read_secrets(
        actor, responsible_body=row["body"], officer=row["officer"]
    ):
        return ["subject"] if row["secret_subject"] else []
    item["subject"] = row["public_subject"] or WITHHELD_TEXT
    item["withheld"] = ["subject"]
    return []


def withhold_text(field: str) -> Callable[[dict[str, Any], dict[str, Any], Any], list[str]]:
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
        return and_(*conditions) if conditions else true()

    def text_match(
        self, table: Any, listing: Listing, query: str, dialect: str
    ) -> TextMatch | None:
        """The rows ``query`` matches for this reader (None: the query has no words): by the
        full text where it may read the row's secrets, else by the public text only
        (projections/search.py). The public text is part of the full text, so that is the
        full text matching and, where the reader may not read the secrets, the public too."""
        full = search.search_clause(table, query, dialect)
        if full is None:
            return None
        readable = self.clause(table, listing)
        if isinstance(readable, True_):
            return TextMatch(full, true(), False)
        public = search.search_clause(table, query, dialect, public=True)
        if isinstance(readable, False_):
            return TextMatch(public, true(), True)
        either = or_(public, readable)
        return TextMatch(and_(full, either), either, False)


@dataclass(frozen=True)
class TextMatch:
    """What a full-text query asks of a reader's rows: ``clause`` (the WHERE clause), and
    for SQLite's FTS5 rowid-order plan the table it reads matches from (``public``) and what
    is left of ``clause`` for the rows it reads (``rest``)."""

    clause: Any
    rest: Any
    public: bool
