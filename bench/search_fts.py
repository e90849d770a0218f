"""Time SQLite full-text register queries on an existing, already projected store, read-only.

    .venv/bin/python bench/search_fts.py --database /work/main/var/bench-1m.sqlite

Opens the file with ``mode=ro`` (nothing is written: no tracking table, no WAL switch, no
projection), uses the active generation given (``--generation``, default 1), and reports
p50/p95/p99 of diary queries with ``q`` (alone, with filters, through a cursor, other sorts).
``--compare`` times each query both ways, alternating sample by sample so both see the same
machine load: the plain query that ranks every match, and FTS5 rowid order
(``projections.search.ordered_page``).
"""

from __future__ import annotations

import os
import random
import sys
import time
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine

from bench.common import argument_parser
from bench.registers import percentiles
from diarium.projections import search
from diarium.projections.listings import LISTINGS
from diarium.projections.page_cache import PAGE_CACHE_VARIABLE
from diarium.projections.queries import Query, Registers
from diarium.projections.registers import build

ONE_WORD = ["samlokalisering", "politikerportal", "ambulanssjukvård", "tandvårdstaxa",
            "Gällivare", "Pajala"]
TWO_WORDS = ["samlokalisering Luleåområdet", "elnätsanalys Kiruna", "hjälpmedel Piteå"]
BODIES = ["RS", "RF", "HSN", "RUN", "PRN", "HSNI", "HSNB", "Nära vård"]


class ReadOnlyProjector:
    """Just what ``Registers`` needs from a projector, without touching the database."""

    def __init__(self, url: str, generation: int) -> None:
        self.engine = create_engine(url)
        self.datastore = SimpleNamespace(engine=self.engine)  # Registers reads through it
        self.dialect = self.engine.dialect.name
        self.projections = build(self.dialect)
        self.generation = generation

    def active_generation(self, name: str) -> tuple[int, int]:
        return self.generation, 0


def main() -> None:
    parser = argument_parser(__doc__, repeat=100)
    parser.add_argument("--database", required=True)
    parser.add_argument("--generation", type=int, default=1)
    parser.add_argument("--only", default="", help="run only queries whose name contains this")
    parser.add_argument("--compare", action="store_true",
                        help="also time the plain query (ranking every match), interleaved")
    args = parser.parse_args()
    os.environ[PAGE_CACHE_VARIABLE] = "0"  # time the queries, not the page cache
    url = f"sqlite:///file:{args.database}?mode=ro&uri=true"
    registers = Registers(ReadOnlyProjector(url, args.generation))  # type: ignore[arg-type]
    today = date(2025, 1, 1)
    rnd = random.Random(7)
    diary = LISTINGS["diary"]
    spec = diary.filter_map

    def run(sort: str = "registered", order: str = "desc", cursor: str | None = None,
            **filters: Any) -> Any:
        parsed = {k: spec[k].parse(str(v)) for k, v in filters.items()}
        return registers.page(Query(diary, parsed, sort, order, 50, cursor), today,
                              state=(args.generation, 0))

    def page_three() -> Any:
        q = rnd.choice(ONE_WORD)
        first = run(q=q)
        second = run(q=q, cursor=first.next_cursor)
        return run(q=q, cursor=second.next_cursor)

    cases = {
        "one word, newest first": lambda: run(q=rnd.choice(ONE_WORD)),
        "two words, newest first": lambda: run(q=rnd.choice(TWO_WORDS)),
        "one word, oldest first": lambda: run(q=rnd.choice(ONE_WORD), order="asc"),
        "one word + body": lambda: run(q=rnd.choice(ONE_WORD), body=rnd.choice(BODIES)),
        "one word + status=closed": lambda: run(q=rnd.choice(ONE_WORD), status="closed"),
        "one word, pages 1-3 via cursor": page_three,
        "one word, by dnr": lambda: run(q=rnd.choice(ONE_WORD), sort="dnr"),
        "one word, by last activity": lambda: run(q=rnd.choice(ONE_WORD), sort="last_activity"),
    }
    fast = search.ordered_page
    plain: Any = lambda *a, **k: None  # noqa: E731
    modes = {"plain": plain, "rowid order": fast} if args.compare else {"": fast}
    print(f"{'query':<34} {'plan':<12} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for name, query in cases.items():
        if args.only and args.only not in name:
            continue
        samples: dict[str, list[float]] = {mode: [] for mode in modes}
        for round_ in range(args.repeat + 3):
            for mode, plan in modes.items():
                search.ordered_page = plan  # type: ignore[assignment]
                state = rnd.getstate()  # the same parameters for every plan
                started = time.perf_counter()
                query()
                if round_ >= 3:  # the first rounds warm the cache
                    samples[mode].append(time.perf_counter() - started)
                rnd.setstate(state)
            rnd.random()
        for mode in modes:
            p50, p95, p99 = percentiles(samples[mode])
            print(f"{name:<34} {mode:<12} {p50:8.2f} {p95:8.2f} {p99:8.2f}", flush=True)
    search.ordered_page = fast  # type: ignore[assignment]


if __name__ == "__main__":
    main()
