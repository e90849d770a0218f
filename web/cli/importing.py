"""``diarium import FILE``: take over a legacy diary from CSV or XLSX (docs/import.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from diarium.web.cli.progress import Progress


def run_import(args: argparse.Namespace) -> None:
    """Check every row, print the faults; write only when there are none (not on
    ``--dry-run``). Exits 1 when a row is at fault."""
    from diarium.cases.importing.importer import Importer
    from diarium.cases.importing.legacy import Faulty, read_rows
    from diarium.domain.rules import RuleViolation
    from diarium.web.cli.main import init_db

    path = Path(args.file)
    if not path.is_file():
        sys.exit(f"diarium: no such file: {path}")
    try:
        rows = list(read_rows(path, args.format, args.dialect))
    except (Faulty, ValueError, OSError) as unreadable:
        sys.exit(f"diarium: cannot read {path}: {getattr(unreadable, 'reason', unreadable)}")
    importer = Importer(
        init_db(args.database_url), files_root=Path(args.files_root or path.parent),
        source=args.source or path.name, batch=args.batch,
    )
    with Progress("kontrollerar", total=len(rows), unit="rader") as shown:
        plan = importer.validate(rows, shown.update)
    for fault in plan.faults:
        print(f"fel: {fault}")
    print(f"diarium: {len(rows)} rader: {len(plan.cases)} nya ärenden, {plan.skipped} redan "
          f"importerade, {len(plan.faults)} rader med fel")
    if plan.faults:
        print("diarium: inget importerades (rätta raderna och kör igen)")
        sys.exit(1)
    if args.dry_run:
        print("diarium: provkörning (--dry-run): inget skrevs")
        return
    with Progress("importerar", total=len(plan.cases), unit="ärenden") as shown:
        try:
            written = importer.write(plan.cases, shown.update)
        except (Faulty, RuleViolation) as refused:  # the store changed since the check
            sys.exit(f"diarium: avbrutet efter {shown.done} ärenden: {refused}; kör igen "
                     "(det som redan skrevs hoppas över)")
    print(f"diarium: {written} ärenden importerade")


def register(commands: Any) -> None:
    """Add ``import`` to the ``diarium`` command."""
    parser = commands.add_parser("import", help="import a legacy diary (CSV or XLSX)")
    parser.add_argument("file", help="the legacy diary: .csv (UTF-8, , or ;) or .xlsx")
    parser.add_argument("--dry-run", action="store_true",
                        help="check every row and report; write nothing")
    parser.add_argument("--format", choices=("csv", "xlsx"), default=None,
                        help="default: from the file's suffix")
    parser.add_argument("--dialect", choices=("comma", "semicolon"), default=None,
                        help="the CSV's separator (default: told from the heading)")
    parser.add_argument("--files-root", default=None,
                        help="where documents' file paths start (default: the file's folder)")
    parser.add_argument("--source", default=None,
                        help="the old system's name, recorded on every case "
                             "(default: the file's name)")
    parser.add_argument("--batch", type=int, default=500,
                        help="cases written per transaction (default %(default)s)")
    parser.set_defaults(run=run_import)
