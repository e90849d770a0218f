"""Search with the text of documents' files indexed (issue 16): the diary's full-text queries
on two stores with the same cases and documents, made in the same run: the baseline without
files, and one where every document has a file whose text the diary indexes.

    .venv/bin/python bench/file_search.py [--cases 4000] [--words 400] [--repeat 100]
        [--backend sqlite --backend postgres] [--sample 20]

The cases are those of ``bench/registers.py`` (``--cases`` of them: 4,000 make about 10,000
documents). Each document of the second store gets a plain-text file of ``--words`` words
(Swedish-looking words from a vocabulary of a few thousand, with a rare and a common marker
word); its text is put into ``reg_file_text`` as if it had been read, so the catch-up times
the indexing, not the parsers. The reading itself is timed apart: ``--sample`` PDFs through
``cases/files/text.py`` (one child process each).

Reports per backend: the catch-up of the diary in both stores, the size of the store, and
p50/p95 of the same queries on both (``Registers.page``, 50 rows, newest first; PostgreSQL
after ``ANALYZE``, as autovacuum would have it), as an
auditor (full text) and as a reader without access (public text), with the ratio
with-files / baseline. Nothing here asserts timings.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text

import bench.registers as register_bench
from bench.common import argument_parser, machine, store
from diarium.cases.application import Diarium
from diarium.cases.files.stores import BLOB_URL_VARIABLE
from diarium.cases.files.text import extract_stream
from diarium.domain.actor import Actor
from diarium.domain.events import case as ev
from diarium.projections import file_texts
from diarium.projections.listings import LISTINGS
from diarium.projections.page_cache import PAGE_CACHE_VARIABLE
from diarium.projections.queries import Query, Registers
from diarium.projections.runner import Projector

RARE = "grundvattentäkt"  # in 1 % of the files
COMMON = "verksamhetsplan"  # in 30 % of the files
SYLLABLES = ["lan", "sto", "ber", "ga", "vik", "sjö", "mark", "tun", "el", "ny", "hag", "rå",
             "kul", "fors", "dal", "skog", "bo", "vä", "ting", "lid", "ås", "myr", "sel", "ka"]
AUDITOR = Actor("revisor", "bench", roles=("auditor",))
OUTSIDER = Actor("sekreterare", "bench", roles=("secretary",))
QUERIES = {  # name: (query, in the baseline too?)
    "title word": ("samlokalisering", True),
    "title, two words": ("samlokalisering Luleåområdet", True),
    "counterpart word": ("Socialstyrelsen", True),
    "word in 1 % of files": (RARE, False),
    "word in 30 % of files": (COMMON, False),
    "file word + title word": (f"{COMMON} Kiruna", False),
    "no match": ("zyxwvutsrq", True),
}


def vocabulary(rnd: random.Random, size: int = 4000) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 4))))
    return sorted(words)


def file_text(index: int, number: int, words: list[str], length: int) -> str:
    rnd = random.Random(index * 10 + number)
    chosen = rnd.choices(words, k=length)
    if rnd.random() < 0.01:
        chosen[rnd.randrange(length)] = RARE
    if rnd.random() < 0.3:
        chosen[rnd.randrange(length)] = COMMON
    return " ".join(chosen)


def fill(diarium: Diarium, cases: int, length: int, with_files: bool) -> tuple[int, int]:
    """The cases (and their documents' files): (events, files)."""
    register_bench.ARGS = SimpleNamespace(cases=cases)  # make_events reads the size there
    words = vocabulary(random.Random(16))
    recorder, mapper = diarium.recorder, diarium.mapper
    sequence: dict[int, int] = {}
    batch: list[Any] = []
    texts: dict[str, str] = {}
    written = 0
    for index in range(cases):
        events = register_bench.make_events(index, sequence)
        if with_files:
            last = events[-1]
            version = last.originator_version
            for event in [e for e in events if isinstance(e, ev.DocumentRegistered)]:
                body = file_text(index, event.number, words, length)
                data = body.encode()
                sha = hashlib.sha256(data).hexdigest()
                texts[sha] = body
                version += 1
                events.append(ev.DocumentFileAttached(
                    originator_id=last.originator_id, originator_version=version,
                    timestamp=last.timestamp, occurred_on=last.occurred_on,
                    actor="registrator", request_id=None, document_number=event.number,
                    version=1, sha256=sha, size=len(data), media_type="text/plain",
                    claimed_media_type="text/plain", file_name=f"{event.number}.txt",
                    pdfa=None))
        batch.extend(mapper.to_stored_event(e) for e in events)
        if len(batch) >= 5000:
            recorder.insert_events(batch)
            written += len(batch)
            batch = []
    if batch:
        recorder.insert_events(batch)
        written += len(batch)
    if texts:  # as the projection would have read them
        now = datetime.now(UTC)
        with diarium.recorder.datastore.engine.begin() as connection:  # type: ignore[attr-defined]
            file_texts.create(connection)
            rows = [{"sha256": k, "status": "indexed", "text": v, "extracted_at": now}
                    for k, v in texts.items()]
            for start in range(0, len(rows), 1000):
                connection.execute(insert(file_texts.file_texts), rows[start : start + 1000])
    return written, len(texts)


def timed_queries(diarium: Diarium, repeat: int) -> dict[str, tuple[float, float]]:
    projector = Projector(diarium, ["diary"])
    registers = Registers(projector)
    listing = LISTINGS["diary"]
    today = date(2025, 1, 1)
    found: dict[str, tuple[float, float]] = {}
    for reader, actor in (("auditor", AUDITOR), ("no access", OUTSIDER)):
        for name, (words, _) in QUERIES.items():
            query = Query(listing, {"q": words}, "registered", "desc", 50, None)
            for _ in range(3):
                registers.page(query, today, actor)
            samples = []
            for _ in range(repeat):
                started = time.perf_counter()
                registers.page(query, today, actor)
                samples.append(time.perf_counter() - started)
            p50, p95, _ = register_bench.percentiles(samples)
            found[f"{reader}: {name}"] = (p50, p95)
    return found


def size_of(url: str) -> str:
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        total = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
        return f"{total / 1024**2:.0f} MB"
    return "-"


def run_backend(backend: str, args: Any) -> list[str]:
    results: dict[str, dict[str, Any]] = {}
    with store(backend) as base_url, store(backend) as files_url:
        for label, url, with_files in (("baseline", base_url, False),
                                       ("files", files_url, True)):
            diarium = Diarium(url, create_tables=True)
            events, files = fill(diarium, args.cases, args.words, with_files)
            projector = Projector(diarium, ["diary"], batch_size=2000)
            projector.ensure_schema()
            started = time.monotonic()
            projector.catch_up()
            elapsed = time.monotonic() - started
            if backend == "postgres":  # statistics, as autovacuum would gather them
                with diarium.recorder.datastore.engine.begin() as conn:  # type: ignore[attr-defined]
                    conn.execute(text("ANALYZE"))
            results[label] = {"events": events, "files": files, "catch_up": elapsed,
                              "size": size_of(url)}
            print(f"{backend} {label}: {events} events, {files} files, diary catch-up "
                  f"{elapsed:.1f} s, {results[label]['size']}", flush=True)
        for _ in range(2):  # interleaved: a noisy neighbour hits both
            for label, url in (("baseline", base_url), ("files", files_url)):
                diarium = Diarium(url)
                measured = timed_queries(diarium, args.repeat)
                best = results[label].setdefault("queries", {})
                for name, value in measured.items():
                    if name not in best or value[0] < best[name][0]:
                        best[name] = value
                diarium.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
    base, files = results["baseline"], results["files"]
    lines = [
        f"**{backend}**: {files['files']} documents with a file of {args.words} words; "
        f"diary catch-up {base['catch_up']:.1f} s without files, {files['catch_up']:.1f} s "
        f"with ({files['catch_up'] / base['catch_up']:.2f}×); store {base['size']} / "
        f"{files['size']}.",
        "",
        "| query (50 rows, newest first) | baseline p50 / p95 ms | with files p50 / p95 ms "
        "| ratio p50 |",
        "|---|---|---|---:|",
    ]
    for name in files["queries"]:
        with_p50, with_p95 = files["queries"][name]
        in_base = QUERIES[name.split(": ", 1)[1]][1]
        base_p50, base_p95 = base["queries"][name]
        ratio = f"{with_p50 / base_p50:.2f}" if in_base else "–"
        base_text = f"{base_p50:.2f} / {base_p95:.2f}" + ("" if in_base else " (no match)")
        lines.append(f"| {name} | {base_text} | {with_p50:.2f} / {with_p95:.2f} | {ratio} |")
    return lines


def reading(sample: int) -> str:
    """The time to read a PDF's text in a bounded child process (``sample`` of them)."""
    from fpdf import FPDF

    words = vocabulary(random.Random(16))
    durations = []
    for index in range(sample):
        pdf = FPDF()
        pdf.add_page()
        pdf.set_font("helvetica", size=11)
        pdf.multi_cell(0, 6, text=file_text(index, 1, words, 400))
        data = bytes(pdf.output())
        started = time.perf_counter()
        read = extract_stream(io.BytesIO(data), "application/pdf")
        durations.append(time.perf_counter() - started)
        assert read.status == "indexed", read.status
    p50, p95, _ = register_bench.percentiles(durations)
    return (f"Reading one PDF page of 400 words (cases/files/text.py, a child process each): "
            f"p50 {p50:.0f} ms, p95 {p95:.0f} ms over {sample} files.")


def main() -> None:
    parser = argument_parser(__doc__, repeat=100)
    parser.add_argument("--cases", type=int, default=4000)
    parser.add_argument("--words", type=int, default=400)
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--sample", type=int, default=20)
    args = parser.parse_args()
    os.environ[PAGE_CACHE_VARIABLE] = "0"  # time the queries, not the page cache
    report = [f"Machine: {machine()}.", ""]
    with tempfile.TemporaryDirectory() as files:
        os.environ.setdefault(BLOB_URL_VARIABLE, f"file://{files}")  # no file is read here
        for backend in args.backend or ["sqlite"]:
            report += [*run_backend(backend, args), ""]
    if args.sample:
        report.append(reading(args.sample))
    print("\n".join(report))


if __name__ == "__main__":
    main()
