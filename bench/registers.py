"""Register benchmark: fill a store with N cases, project it, time the register queries.

    .venv/bin/python bench/registers.py --cases 100000 --database-url sqlite:///var/bench.sqlite
    .venv/bin/python bench/registers.py --cases 100000 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:54329/diarium_bench

Reports (and with --markdown prints a table row block for docs/benchmarks.md):

- fill: events written with the application recorder's ``insert_events`` in large batches
  (events are made as the Case aggregate makes them, encoded by the application's mapper);
- raw: reading and decoding every notification with the library alone
  (``recorder.select_notifications`` + ``mapper.to_domain_event``), events/s;
- catch-up: the projector building every register from position 0, events/s;
- p50/p95/p99 of typical register queries (``Registers.page``: generation lookup, SQL,
  row conversion), each run ``--repeat`` times with varied parameters.

The store must be empty (or made by an earlier run with the same --cases: then the fill is
skipped); the register tables are dropped and rebuilt from position 0 on every run. Nothing
here asserts timings.
"""

from __future__ import annotations

import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eventsourcing.utils import get_topic
from sqlalchemy import inspect, text

from bench.common import argument_parser
from diarium.cases.application import Diarium
from diarium.domain.case.aggregate import Case
from diarium.domain.dnr import case_id
from diarium.domain.events import case as ev
from diarium.projections.listings import LISTINGS
from diarium.projections.page_cache import PAGE_CACHE_VARIABLE
from diarium.projections.queries import Query, Registers
from diarium.projections.runner import Projector

BODIES = ["RS", "RF", "HSN", "RUN", "PRN", "HSNI", "HSNB", "Nära vård"]
UNITS = [f"Enhet {n}" for n in ("stab", "ekonomi", "HR", "IT", "juridik", "kultur", "vård",
                                "kollektivtrafik", "folkhälsa", "upphandling", "fastighet")]
OFFICERS = [f"{f} {s}" for f in ("Anna", "Linda", "Per", "Johan", "Maria", "Karin", "Erik",
                                 "Sara", "Lars", "Eva", "Mikael", "Helena", "Nils", "Ida")
            for s in ("Ylivainio", "Lundberg", "Nilsson", "Öberg", "Lindqvist", "Isaksson",
                      "Holmström", "Backman", "Sundqvist", "Marklund", "Larsson", "Åström")]
KINDS = ["Förstudie av", "Översyn av", "Revisionsrapport om", "Yttrande över remiss om",
         "Riktlinje för", "Avtal om", "Upphandling av", "Motion om", "Medborgarförslag om",
         "Delårsrapport för", "Utredning av", "Fullmakt för", "Handlingsplan för",
         "Redovisning av", "Ansökan om medel för"]
TOPICS = ["fysisk samlokalisering av verksamheter", "politikerportal", "fordonshantering",
          "jämställdhetsintegrering", "Länsservice säljverksamhet", "elnätsanalys",
          "ambulanssjukvård", "digitala vårdmöten", "regional utvecklingsstrategi",
          "kollektivtrafik i inlandet", "tandvårdstaxa", "läkemedelsförsörjning",
          "kompetensförsörjning inom vården", "lokalförsörjningsplan", "hjälpmedel",
          "folkhälsostrategi", "kulturstöd", "näringslivsstöd", "beredskapslager",
          "psykiatrisk vård", "primärvårdens tillgänglighet", "IT-säkerhet", "arkivreglemente",
          "investeringsbudget", "internkontrollplan", "miljöpolicy", "ledningssystem"]
PLACES = ["i Luleåområdet", "i Bodenområdet", "i Kiruna", "i Gällivare", "i Piteå",
          "i Kalix", "i Haparanda", "i Jokkmokk", "i Arjeplog", "i Arvidsjaur", "i Älvsbyn",
          "i Överkalix", "i Övertorneå", "i Pajala", "i Region Norrbotten", ""]
COUNTERPARTS = ["Luleå kommun", "Socialstyrelsen", "Regeringskansliet", "Försäkringskassan",
                "Trafikverket", "Länsstyrelsen i Norrbottens län", "IVO", "SKR", "Boden kommun",
                "Kiruna kommun", "Privatperson", "Tillväxtverket", "Arbetsförmedlingen"]
DOCS = ["Skrivelse om {t}", "Tjänsteskrivelse: {k} {t}", "Yttrande över {t}",
        "Protokollsutdrag om {t}", "Kallelse till möte om {t}", "Underlag och bilagor: {t}",
        "Beslutsunderlag {k} {t} med ekonomisk konsekvensbeskrivning"]
RECIPIENTS = ["HSN", "RUN", "PRN", "Luleå kommun", "Kiruna kommun", "Revisorerna",
              "Pensionärsrådet", "Funktionshindersrådet"]
CASE_TOPIC = get_topic(Case)
EPOCH = date(2015, 1, 5)


def make_events(index: int, sequence: dict[int, int]) -> list[Any]:
    """The events of case ``index``: as the Case aggregate records them."""
    rnd = random.Random(index)
    registered = EPOCH + timedelta(days=int(index * 3650 / ARGS.cases))
    sequence[registered.year] = sequence.get(registered.year, 0) + 1
    dnr = f"{sequence[registered.year]}-{registered.year}"
    cid = case_id(dnr)
    kind, topic, place = rnd.choice(KINDS), rnd.choice(TOPICS), rnd.choice(PLACES)
    title = f"{kind} {topic} {place}".strip()
    stamp = datetime(registered.year, registered.month, registered.day, 9, tzinfo=UTC)
    version = 1
    common = {"actor": "registrator", "request_id": None}
    events: list[Any] = [ev.CaseRegistered(
        originator_id=cid, originator_version=1, timestamp=stamp, originator_topic=CASE_TOPIC,
        dnr=dnr, series="default", year=registered.year, sequence=sequence[registered.year],
        title=title, public_title="Ärende med sekretess" if rnd.random() < 0.03 else None,
        responsible_body=rnd.choice(BODIES), unit=rnd.choice(UNITS),
        officer=rnd.choice(OFFICERS) if rnd.random() < 0.9 else None,
        classification=f"{rnd.randint(1, 9)}.{rnd.randint(1, 9)}", origin=None,
        migrated=False, occurred_on=registered, **common,
    )]

    def add(cls: type, day: date, **fields: Any) -> None:
        nonlocal version
        version += 1
        events.append(cls(originator_id=cid, originator_version=version, timestamp=stamp,
                          occurred_on=day, **common, **fields))

    day = registered
    for number in range(1, rnd.randint(1, 4) + 1):
        day += timedelta(days=rnd.randint(0, 10))
        add(ev.DocumentRegistered, day, number=number,
            direction=rnd.choice(["incoming", "outgoing", "drawn_up"]),
            counterpart=rnd.choice(COUNTERPARTS),
            description=rnd.choice(DOCS).format(t=topic, k=kind.lower()))
    if rnd.random() < 0.3:
        recipients = rnd.sample(RECIPIENTS, rnd.randint(2, 3))
        add(ev.ReferralSent, day, number=1, recipients=recipients,
            answer_by=day + timedelta(days=30), document_number=None)
        for recipient in recipients:
            if rnd.random() < 0.7:
                add(ev.ReferralAnswered, day + timedelta(days=20), referral_number=1,
                    recipient=recipient, document_number=None)
    if rnd.random() < 0.4:
        day += timedelta(days=rnd.randint(5, 40))
        delegated = rnd.random() < 0.3
        body = events[0].responsible_body
        add(ev.DecisionRecorded, day, number=1, kind=rnd.choice(["decided", "noted"]),
            text=f"Beslutar i ärendet {title.lower()} enligt förslaget.",
            body=None if delegated else body, paragraph=None if delegated else index + 1,
            higher_body=None, delegate="Regiondirektören" if delegated else None,
            delegation_point="2.3.8" if delegated else None)
        if rnd.random() < 0.5:
            add(ev.ProtocolExtractSent, day + timedelta(days=3), decision_number=1,
                recipient=rnd.choice(["Regiondirektör", "Ekonomidirektör", "Hälso- och "
                                      "sjukvårdsdirektör"]))
    if rnd.random() < 0.6:
        add(ev.CaseClosed, day + timedelta(days=rnd.randint(1, 60)), reason=None)
    return events


def fill(diarium: Diarium) -> int:
    recorder, mapper = diarium.recorder, diarium.mapper
    sequence: dict[int, int] = {}
    batch: list[Any] = []
    written = 0
    started = time.monotonic()
    for index in range(ARGS.cases):
        batch.extend(mapper.to_stored_event(e) for e in make_events(index, sequence))
        if index % 1000 == 999:  # one recorder write per 1,000 cases (any size works)
            recorder.insert_events(batch)
            written += len(batch)
            batch = []
            if index % 50000 < 2000:
                print(f"  fill: {index} cases, {written} events, "
                      f"{written / (time.monotonic() - started):,.0f} ev/s", flush=True)
    if batch:
        recorder.insert_events(batch)
        written += len(batch)
    return written


def copy_from(diarium: Diarium, sqlite_path: str) -> int:
    """Fill a PostgreSQL store with the stored events (and chain) of a filled SQLite store.

    The rows are the very bytes the SQLite fill encoded, so both backends are measured on the
    same log; far faster than encoding them again (the 1M fill is Python-bound).
    """
    import sqlite3
    import uuid

    source = sqlite3.connect(sqlite_path)
    columns = {
        "diarium_events": "id, originator_id, originator_version, topic, state",
        "diarium_events_chain": "id, prev_id, originator_id, originator_version, recorded_at, "
                                "occurred_on, actor, request_id, case_hash, log_hash",
    }
    written = 0
    raw = diarium.recorder.datastore.engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            for table, names in columns.items():
                rows = source.execute(f"SELECT {names} FROM {table} ORDER BY id")
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for count, row in enumerate(rows, 1):
                        copy.write_row((row[0], row[1], uuid.UUID(bytes=row[2]), *row[3:])
                                       if table.endswith("_chain") else
                                       (row[0], uuid.UUID(bytes=row[1]), *row[2:]))
                        if count % 500_000 == 0:
                            print(f"  copy {table}: {count:,} rows", flush=True)
                written = max(written, count)
            cursor.execute("SELECT setval('diarium_events_id_seq', %s)", (written,))
        raw.commit()
    finally:
        raw.close()
    return written


def raw_rate(diarium: Diarium) -> tuple[int, float]:
    """Read and decode every notification with the library alone."""
    recorder, mapper = diarium.recorder, diarium.mapper
    started = time.monotonic()
    position, count = 0, 0
    while True:
        notifications = recorder.select_notifications(
            position, 1000, inclusive_of_start=False
        )
        if not notifications:
            break
        for n in notifications:
            mapper.to_domain_event(n)
        count += len(notifications)
        position = notifications[-1].id
    return count, count / (time.monotonic() - started)


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    pick = lambda p: ordered[min(len(ordered) - 1, int(p * len(ordered)))]  # noqa: E731
    return pick(0.5) * 1000, pick(0.95) * 1000, pick(0.99) * 1000


def queries(registers: Registers, rnd: random.Random) -> dict[str, Callable[[], Any]]:
    today = date(2025, 1, 1)
    years = list(range(2015, 2025))
    with registers.engine.connect() as conn:
        generation, _ = registers.projector.active_generation("diary")
        dnrs = [r[0] for r in conn.execute(text(
            f"SELECT dnr FROM reg_case_g{generation} ORDER BY id LIMIT 5000"
        ))]

    def run(name: str, **filters: Any) -> Callable[[], Any]:
        listing = LISTINGS[name]
        sort = filters.pop("sort", listing.default_sort)
        order = filters.pop("order", listing.default_order)
        return lambda: registers.page(Query(listing, filters, sort, order, 50, None), today)

    def parsed(listing: str, **filters: Any) -> dict[str, Any]:
        spec = LISTINGS[listing].filter_map
        return {k: spec[k].parse(str(v)) if k in spec else v for k, v in filters.items()}

    def deep() -> Any:  # a page far down the listing, reached through its cursor
        listing = LISTINGS["diary"]
        first = registers.page(Query(listing, {}, "registered", "desc", 500, None), today)
        return registers.page(
            Query(listing, {}, "registered", "desc", 50, first.next_cursor), today
        )

    def month() -> dict[str, Any]:
        start = date(rnd.choice(years), rnd.randint(1, 12), 1)
        return {"registered_from": start, "registered_to": start + timedelta(days=30)}

    return {
        "diary: newest cases": lambda: run("diary")(),
        "diary: status=open, body": lambda: run("diary", **parsed(
            "diary", status="open", body=rnd.choice(BODIES)))(),
        "diary: officer": lambda: run("diary", officer=rnd.choice(OFFICERS))(),
        "diary: year, by dnr": lambda: run("diary", year=rnd.choice(years), sort="dnr",
                                           order="asc")(),
        "diary: registered in a month": lambda: run("diary", **month())(),
        "diary: full text (one word)": lambda: run("diary", q=rnd.choice(
            ["samlokalisering", "politikerportal", "ambulanssjukvård", "tandvårdstaxa",
             "Gällivare", "Pajala"]))(),
        "diary: full text (two words)": lambda: run("diary", q=rnd.choice(
            ["samlokalisering Luleåområdet", "elnätsanalys Kiruna", "hjälpmedel Piteå"]))(),
        "diary: page 11 via cursor": deep,
        "diary: one dnr": lambda: run("diary", dnr=rnd.choice(dnrs))(),
        "documents: one case": lambda: run("documents", dnr=rnd.choice(dnrs),
                                           sort="registered", order="asc")(),
        "documents: counterpart, year": lambda: run("documents", **parsed(
            "documents", counterpart=rnd.choice(COUNTERPARTS), year=rnd.choice(years)))(),
        "decisions: body, year": lambda: run("decisions", **parsed(
            "decisions", body=rnd.choice(BODIES), year=rnd.choice(years)))(),
        "decisions: delegated": lambda: run("decisions", delegated=True)(),
        "extracts: one case": lambda: run("extracts", dnr=rnd.choice(dnrs))(),
        "referrals: overdue": lambda: run("referrals", status="overdue")(),
        "referrals: recipient, outstanding": lambda: run(
            "referrals", status="outstanding", recipient=rnd.choice(RECIPIENTS))(),
        "deadlines: open, by due date": lambda: run("deadlines", status="open")(),
    }


def main() -> None:
    os.environ[PAGE_CACHE_VARIABLE] = "0"  # time the queries, not the page cache
    diarium = Diarium(ARGS.database_url, create_tables=True)
    engine = diarium.recorder.datastore.engine
    head = diarium.recorder.max_notification_id() or 0
    print(f"{engine.dialect.name}: {ARGS.cases} cases; log head {head}", flush=True)
    if head == 0:
        started = time.monotonic()
        written = copy_from(diarium, ARGS.copy_from) if ARGS.copy_from else fill(diarium)
        print(f"fill: {written} events in {time.monotonic() - started:.0f} s "
              f"({written / (time.monotonic() - started):,.0f} ev/s)", flush=True)
    if ARGS.fill_only:
        return
    if ARGS.queries_only:
        query_phase(diarium, head, None)
        return
    count, raw = raw_rate(diarium)
    print(f"raw read+decode: {count} notifications, {raw:,.0f} ev/s", flush=True)

    with engine.begin() as conn:  # start the registers from nothing
        cascade = " CASCADE" if engine.dialect.name == "postgresql" else ""
        for table in inspect(engine).get_table_names():
            if table.startswith("reg_") or table == "diarium_projection_tracking":
                conn.execute(text(f"DROP TABLE IF EXISTS {table}{cascade}"))
    projector = Projector(diarium, batch_size=ARGS.batch_size)
    projector.ensure_schema()
    started = time.monotonic()
    projector.catch_up()
    elapsed = time.monotonic() - started
    print(f"catch-up (every register from 0, batch {ARGS.batch_size}): {count} notifications "
          f"in {elapsed:.0f} s, {count / elapsed:,.0f} ev/s ({count / elapsed / raw:.0%} of raw)",
          flush=True)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    query_phase(diarium, count, elapsed)


def query_phase(diarium: Diarium, count: int, elapsed: float | None) -> None:
    """Time the queries on the current registers (and add the growth row, if asked: with
    ``elapsed`` None the rebuild time already in the results file is kept)."""
    engine = diarium.recorder.datastore.engine
    projector = Projector(diarium, batch_size=ARGS.batch_size)
    projector.ensure_schema()
    registers = Registers(projector)
    rnd = random.Random(7)
    print(f"{'query':<36} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    measured: dict[str, tuple[float, float]] = {}
    for name, query in queries(registers, rnd).items():
        for _ in range(5):
            query()  # warm the cache
        samples = []
        for _ in range(ARGS.repeat):
            started = time.perf_counter()
            query()
            samples.append(time.perf_counter() - started)
        p50, p95, p99 = percentiles(samples)
        flag = "" if p95 < 50 else "  (over 50 ms)"
        print(f"{name:<36} {p50:8.2f} {p95:8.2f} {p99:8.2f}{flag}", flush=True)
        measured[name] = (p50, p95)
    if ARGS.growth_results:
        from bench import growth

        backend = "sqlite" if engine.dialect.name == "sqlite" else "postgres"
        if elapsed is None:
            earlier = [r for r in json.loads(Path(ARGS.growth_results).read_text())
                       if (r["backend"], r["cases"]) == (backend, ARGS.cases)]
            elapsed = earlier[0]["rebuild"]
        row = {"backend": backend,
               "cases": ARGS.cases, "events": count, "fill": None, "rebuild": elapsed,
               "queries": {g: measured[g]
                           for g in growth.QUERIES},
               "read": growth.case_reads(ARGS.database_url, ARGS.cases, rnd, ARGS.repeat)}
        growth.add_row(ARGS.growth_results, row)
        print(f"case read p50/p95 ms: {row['read'][0]:.2f} / {row['read'][1]:.2f} "
              f"(growth row added to {ARGS.growth_results})", flush=True)
    print(f"machine: {platform.processor() or platform.machine()}, python "
          f"{platform.python_version()}, {platform.platform()}")


if __name__ == "__main__":
    parser = argument_parser(__doc__, repeat=200)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--fill-only", action="store_true", help="fill the store and stop")
    parser.add_argument("--queries-only", action="store_true",
                        help="time the queries on the registers as they are (no catch-up)")
    parser.add_argument("--growth-results", metavar="FILE",
                        help="add this store's row to bench/growth.py's --results file")
    parser.add_argument("--copy-from", metavar="SQLITE_FILE",
                        help="fill an empty PostgreSQL store by copying the stored events of a "
                             "SQLite store filled with the same --cases")
    ARGS = parser.parse_args()
    main()
