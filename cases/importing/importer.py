"""Import a legacy diary (docs/import.md): every row is checked first, by the domain's own
rules on cases built in memory and nothing saved; only when no row is at fault are the cases
written, in batches (the counters, bodies and cases of a batch in one ``save``: one
transaction). A case already imported with the same data is skipped, so a re-run adds
nothing; its files are kept through the same ``Files`` service as the API's uploads."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby, islice
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from eventsourcing.application import project_aggregate
from sqlalchemy import select

from diarium.cases.store.event_rows import decoded
from diarium.domain import rules
from diarium.domain.actor import Actor
from diarium.domain.body.paragraph_year import ParagraphYear
from diarium.domain.case.aggregate import Case
from diarium.domain.case.decisions import RecordDecision
from diarium.domain.case.documents import RegisterDocument
from diarium.domain.case.lifecycle import CancelCase, CloseCase
from diarium.domain.case.terms import DecisionKind, SecrecyMarking, Status, StoredFile
from diarium.domain.dnr import case_id
from diarium.domain.meeting.commands import RecordDelegatedDecision
from diarium.domain.meeting.terms import BodyNotFound
from diarium.domain.migration import Migration
from diarium.domain.rules import DateRequired, RuleViolation
from diarium.domain.series import SeriesYear

from .legacy import Fault, Faulty, LegacyCase, LegacyDecision, parse_case

if TYPE_CHECKING:
    from diarium.cases.application import Diarium

Tick = Callable[[int], None]
CANCELLED_REASON = "Makulerat i det äldre diariet"


@dataclass
class Plan:
    """What validation found: the cases to write, those imported already, the faults."""

    cases: list[LegacyCase] = field(default_factory=list)
    skipped: int = 0
    faults: list[Fault] = field(default_factory=list)


@contextmanager
def at(column: str) -> Iterator[None]:
    """A refusal of the domain while building ``column``, as a fault of that column."""
    try:
        yield
    except RuleViolation as refused:
        raise Faulty(column, f"{refused.rule.code}: {refused.detail}") from None
    except DateRequired as missing:
        raise Faulty(column, str(missing)) from None


class _Touched:
    """The aggregates a batch (or the dry run) loads and changes: counters and bodies."""

    def __init__(self, app: Diarium, today: date, by: Actor) -> None:
        self.app, self.today, self.by = app, today, by
        self.bodies: dict[str, Any] = {}
        self.paragraph_years: dict[tuple[str, int], ParagraphYear] = {}
        self.series_years: dict[tuple[str, int], SeriesYear] = {}

    def body(self, code: str) -> Any:
        if code not in self.bodies:
            try:
                self.bodies[code] = self.app.bodies.get_body(code)
            except BodyNotFound:
                raise RuleViolation(rules.BODY_UNKNOWN, f"Body {code} is not set up") from None
        return self.bodies[code]

    def paragraph_year(self, code: str, year: int) -> ParagraphYear:
        key = (code, year)
        if key not in self.paragraph_years:
            self.paragraph_years[key] = self.app.bodies.paragraph_year(code, year) or (
                ParagraphYear.open(body=code, year=year, last_number=0,
                                   opened_on=self.today, by=self.by))
        return self.paragraph_years[key]

    def series_year(self, series: str, year: int) -> SeriesYear:
        key = (series, year)
        if key not in self.series_years:
            self.series_years[key] = self.app._series_year(series, year, self.today, self.by)
        return self.series_years[key]

    def changed(self) -> list[Any]:
        return [*self.series_years.values(), *self.bodies.values(),
                *self.paragraph_years.values()]


class Importer:
    """Imports legacy cases into ``app`` as ``by`` (one request id for the whole run)."""

    def __init__(self, app: Diarium, *, files_root: Path, source: str = "äldre diarium",
                 batch: int = 500, by: Actor | None = None) -> None:
        self.app, self.files_root, self.source, self.batch = app, files_root, source, batch
        self.by = by or Actor("import", request_id=f"import-{uuid4()}", roles=("registrar",))

    # -- validation -------------------------------------------------------------------

    def validate(self, rows: Iterable[dict[str, str]], tick: Tick = lambda n: None) -> Plan:
        """Check every row: its values, its dnr (format of its series, once in the file,
        new or imported already with the same data) and the case it makes by the domain's
        rules (dates not in the future, bodies set up, § and delegation points). Rows are
        taken in chunks: the cases a chunk's dnrs name are read in one query."""
        plan, seen = Plan(), set[str]()
        touched = _Touched(self.app, self.app.today(), self.by)
        numbered = enumerate(rows, start=2)  # as a spreadsheet numbers them
        while chunk := list(islice(numbered, self.batch)):
            parsed: list[tuple[int, LegacyCase | Faulty]] = []
            for number, row in chunk:
                try:
                    parsed.append((number, parse_case(number, row, self.files_root)))
                except Faulty as fault:
                    parsed.append((number, fault))
            stored = stored_cases(
                self.app, [c.dnr for _, c in parsed if isinstance(c, LegacyCase)])
            for number, legacy in parsed:
                try:
                    if isinstance(legacy, Faulty):
                        raise legacy
                    self._check(legacy, stored.get(legacy.dnr), seen, touched, plan)
                except Faulty as fault:
                    plan.faults.append(Fault(number, fault.column, fault.reason))
            tick(len(chunk))
        return plan

    def _check(self, legacy: LegacyCase, stored: Case | None, seen: set[str],
               touched: _Touched, plan: Plan) -> None:
        """Plan the row's case: skipped when ``stored`` is it, else built (dry)."""
        if legacy.dnr in seen:
            raise Faulty("dnr", f"{legacy.dnr} står på mer än en rad")
        seen.add(legacy.dnr)
        if stored is None:
            self._build(legacy, touched, [None] * len(legacy.documents), dry=True)
            plan.cases.append(legacy)
        elif _same(stored, legacy):
            plan.skipped += 1
        else:
            raise Faulty("dnr", f"{legacy.dnr} är redan registrerat med andra uppgifter")

    # -- writing ----------------------------------------------------------------------

    def write(self, cases: list[LegacyCase], tick: Tick = lambda n: None) -> int:
        """Write ``cases`` (validated) in batches; the number written."""
        for start in range(0, len(cases), self.batch):
            batch = cases[start:start + self.batch]
            files = [[self._file(d.path) for d in c.documents] for c in batch]

            def attempt(batch: list[LegacyCase] = batch,
                        files: list[list[StoredFile | None]] = files) -> None:
                touched = _Touched(self.app, self.app.today(), self.by)
                built = [self._build(c, touched, f) for c, f in zip(batch, files, strict=True)]
                self.app.save(*touched.changed(), *built)

            self.app._retrying(attempt, "The import")
            tick(len(batch))
        return len(cases)

    def _file(self, path: Path | None) -> StoredFile | None:
        """The file kept in the store (checked as an upload is), for its document."""
        if path is None:
            return None
        files = self.app.files
        with path.open("rb") as stream, files.staged(stream) as staged:
            return files.stored(staged, claimed_media_type=None, file_name=path.name)

    # -- one case ---------------------------------------------------------------------

    def _build(self, legacy: LegacyCase, touched: _Touched, files: list[StoredFile | None],
               *, dry: bool = False) -> Case:
        """The case of ``legacy`` with its documents, decisions and end, its number claimed
        on the series' counter (unless ``dry``); nothing saved."""
        dnr, by, today = legacy.dnr, self.by, touched.today
        source = Migration(f"{self.source} dnr {dnr}")
        with at("series"):
            dnr_format = self.app.series[legacy.series]
        with at("dnr"):
            year, sequence = dnr_format.parse(dnr)
        with at("body"):
            touched.body(legacy.body)
        with at("secrecy" if legacy.secrecy else "registered_on"):
            case: Case = Case.register(
                dnr=dnr, series=legacy.series, year=year, sequence=sequence,
                title=legacy.title, responsible_body=legacy.body, officer=legacy.officer,
                public_title=legacy.public_title,
                secrecy=SecrecyMarking(legacy.secrecy) if legacy.secrecy else None,
                registered_on=legacy.registered_on, by=by, today=today,
                migrated=True, migrated_source=source.source,
            )
        with at("documents"):
            for document, file in zip(legacy.documents, files, strict=True):
                case.register_document(RegisterDocument(
                    dnr, direction=document.direction, date=document.day,
                    description=document.description, counterpart=document.counterpart,
                    file=file,
                ), by, today)
        with at("decisions"):
            for decision in legacy.decisions:
                self._decide(case, legacy, decision, source, touched)
        with at("closed_on"):
            if legacy.status == Status.CLOSED:
                case.close(CloseCase(dnr, closed_on=legacy.closed_on), by, today)
            elif legacy.status == Status.CANCELLED:
                case.cancel(CancelCase(dnr, reason=CANCELLED_REASON,
                                       cancelled_on=legacy.closed_on), by, today)
        if not dry:
            touched.series_year(legacy.series, year).claim(
                sequence=sequence, claimed_on=legacy.registered_on, by=by)
        return case

    def _decide(self, case: Case, legacy: LegacyCase, decision: LegacyDecision,
                source: Migration, touched: _Touched) -> None:
        """A body's decision takes its § in the body's numbering of the year (as the case
        route's historical decision does); a delegate's is checked against the delegation
        order of the responsible body and recorded on the body too."""
        by, today, dnr = self.by, touched.today, legacy.dnr
        if decision.paragraph is not None:
            touched.body(decision.maker)
            case.record_decision(RecordDecision(
                dnr, kind=DecisionKind.DECIDED, text=decision.text, decided_on=decision.day,
                body=decision.maker, paragraph=decision.paragraph, historical=source,
            ), by, today)
            touched.paragraph_year(decision.maker, decision.day.year).record_historical(
                number=decision.paragraph, dnr=dnr, source=source.source,
                decided_on=decision.day, by=by,
            )
            return
        body = touched.body(legacy.body)
        delegated = RecordDelegatedDecision(
            legacy.body, point=decision.reference, delegate=decision.maker,
            text=decision.text, decided_on=decision.day, dnr=dnr,
        )
        body.check_delegated_decision(delegated, today)
        on_case = case.record_decision(RecordDecision(
            dnr, kind=DecisionKind.DECIDED, text=decision.text, decided_on=decision.day,
            delegate=decision.maker, delegation_point=decision.reference, historical=source,
        ), by, today)
        body.record_delegated_decision(delegated, on_case.number, by, today)


def _same(case: Case, legacy: LegacyCase) -> bool:
    """Whether the stored ``case`` is the one this row imported before."""
    ended = {Status.CLOSED: case.closed_on, Status.CANCELLED: case.cancelled_on}
    return (
        case.title, case.responsible_body, case.registered_on, case.officer, case.status,
        ended.get(case.status), len(case.documents), len(case.decisions), case.public_title,
        case.secrecy.statute if case.secrecy else None,
    ) == (
        legacy.title, legacy.body, legacy.registered_on, legacy.officer, legacy.status,
        legacy.closed_on, len(legacy.documents), len(legacy.decisions), legacy.public_title,
        legacy.secrecy,
    )


def stored_cases(app: Diarium, dnrs: list[str]) -> dict[str, Case]:
    """The cases stored under ``dnrs`` (those that are), read in one query and replayed."""
    ids = {case_id(dnr): dnr for dnr in dnrs}
    if not ids:
        return {}
    events = app.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    query = (
        select(events.c.originator_id, events.c.originator_version, events.c.topic,
               events.c.state)
        .where(events.c.originator_id.in_(list(ids)))
        .order_by(events.c.originator_id, events.c.originator_version)
    )
    with app.recorder.datastore.engine.connect() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(query).all()
    found: dict[str, Case] = {}
    for originator, group in groupby(rows, key=lambda row: row[0]):
        history = [decoded(app, *row) for row in group]
        found[ids[UUID(str(originator))]] = project_aggregate(None, history)
    return found
