"""Import of a generated legacy diary (``diarium import``, docs/import.md): cases/s on each
backend, the re-run (nothing added), beside plain registration in the same run.

    python -m bench.import [--cases 100000] [--backend sqlite --backend postgres]
        [--baseline 2000] [--batch 500]

The file is generated once (seeded): cases over 15 years with old dnrs, 0–4 documents each
(one case in 50 with a PDF file), a body's decision with its § on a third of them, seven in
ten closed and a few cancelled. Per backend, on a fresh store with the bodies set up: the
check of every row, the write (in batches of ``--batch`` cases, one transaction each), the
re-run (every row found imported: nothing written); then, in a fresh store, ``--baseline``
live registrations one after another through ``Diarium.handle`` (the plain registration
rate). Figures are reported, never asserted.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import machine, set_up_bodies, store

HEADING = ["dnr", "title", "registered_on", "body", "officer", "status", "closed_on",
           "documents", "decisions"]
OFFICERS = ("Anna Berg", "Per Lind", "Linda Ylivainio", "Erik Nilsson", "Sara Öberg")
SUBJECTS = ("Remiss", "Yttrande", "Avtal", "Upphandling", "Anmälan", "Begäran om allmän handling",
            "Motion", "Medborgarförslag", "Delårsrapport", "Tillsyn")


def generate(path: Path, cases: int, files: Path) -> None:
    """A legacy diary of ``cases`` rows at ``path`` (its PDF beside it, in ``files``)."""
    from tests.files_support import pdf_bytes

    files.mkdir(exist_ok=True)
    (files / "brev.pdf").write_bytes(pdf_bytes("Ett brev ur det äldre diariet"))
    rng = random.Random(19)
    years = list(range(2008, 2023))
    per_year = cases // len(years) + 1
    paragraphs = dict.fromkeys(years, 0)
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADING)
        for n in range(cases):
            year, sequence = years[n // per_year], n % per_year + 1
            registered = date(year, 1, 1) + timedelta(days=rng.randrange(300))
            documents = [
                f"{registered + timedelta(days=i * 7)}|{rng.choice(('in', 'ut', 'upprättad'))}|"
                f"Motpart {rng.randrange(500)}|Handling {i + 1} i ärendet"
                + ("|filer/brev.pdf" if i == 0 and n % 50 == 0 else "")
                for i in range(rng.randrange(5))
            ]
            roll = rng.random()
            status = "avslutat" if roll < 0.7 else "makulerat" if roll < 0.73 else "pågående"
            decisions = ""
            if status != "makulerat" and rng.random() < 1 / 3:
                paragraphs[year] += 1
                decisions = (f"{registered + timedelta(days=40)}|RS|{paragraphs[year]}|"
                             "Regionstyrelsen beslutar enligt förslaget.")
            closed = registered + timedelta(days=60) if status != "pågående" else ""
            out.writerow([
                f"{sequence}-{year}", f"{rng.choice(SUBJECTS)} nr {n}", registered, "RS",
                rng.choice(OFFICERS), status, closed, "\n".join(documents), decisions,
            ])


def timed_import(url: str, path: Path, batch: int) -> dict[str, float]:
    """Seconds to check and write the file, and to re-run it; cases per second."""
    from diarium.cases.importing.importer import Importer
    from diarium.cases.importing.legacy import read_rows
    from diarium.web.cli.main import init_db

    app = init_db(url)
    set_up_bodies(app)
    importer = Importer(app, files_root=path.parent, source="bench", batch=batch)
    started = time.perf_counter()
    plan = importer.validate(read_rows(path))
    checked = time.perf_counter()
    assert not plan.faults, plan.faults[:5]
    written = importer.write(plan.cases)
    done = time.perf_counter()
    again = Importer(app, files_root=path.parent, source="bench", batch=batch)
    rerun = again.validate(read_rows(path))
    rerun_done = time.perf_counter()
    assert not rerun.cases and rerun.skipped == written, (len(rerun.cases), rerun.skipped)
    app.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
    return {"cases": written, "check": checked - started, "write": done - checked,
            "total": done - started, "rerun": rerun_done - done}


def registration_rate(url: str, cases: int) -> float:
    """Live registrations per second, one after another (the baseline)."""
    from diarium.domain.actor import Actor
    from diarium.domain.case.lifecycle import RegisterCase
    from diarium.web.cli.main import init_db

    app = init_db(url)
    set_up_bodies(app)
    by = Actor("bench", roles=("registrar",))
    started = time.perf_counter()
    for n in range(cases):
        app.handle(RegisterCase(f"Ärende {n}", "RS", registered_on=date(2022, 1, 3)), by)
    rate = cases / (time.perf_counter() - started)
    app.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--baseline", type=int, default=2_000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    print(machine())
    print("| backend | cases | check s | write s | import cases/s | plain registration/s "
          "| ratio | re-run s (nothing added) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "legacy.csv"
        generate(path, args.cases, Path(directory) / "filer")
        for backend in args.backend or ["sqlite", "postgres"]:
            with store(backend) as url:
                run = timed_import(url, path, args.batch)
            with store(backend) as url:
                plain = registration_rate(url, args.baseline)
            rate = run["cases"] / run["total"]
            print(f"| {backend} | {run['cases']:,.0f} | {run['check']:.0f} | {run['write']:.0f} "
                  f"| {rate:,.0f} | {plain:,.0f} | {rate / plain:.1f} | {run['rerun']:.0f} |",
                  flush=True)


if __name__ == "__main__":
    main()
