"""``diarium files collect``: remove stored files no event references (failed uploads)."""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import Any


def collect(args: argparse.Namespace) -> None:
    """Remove unreferenced files older than the grace period; print how many."""
    from diarium.cases.application import Diarium

    app = Diarium(args.database_url, create_tables=True)
    removed = app.files.collect_orphans(timedelta(hours=args.grace_hours))
    for key in removed:
        print(f"removed {key}")
    print(f"diarium: removed {len(removed)} unreferenced file(s) from {app.files.store.url}")


def register(commands: Any) -> None:
    """Add the ``files`` command to the ``diarium`` parser."""
    files_parser = commands.add_parser("files", help="documents' files")
    files_commands = files_parser.add_subparsers(dest="files_command", required=True)
    collect_parser = files_commands.add_parser(
        "collect", help="remove stored files no event references (after a grace period)")
    collect_parser.add_argument("--grace-hours", type=float, default=24.0,
                                help="keep unreferenced files younger than this")
    collect_parser.set_defaults(run=collect)
