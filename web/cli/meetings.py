"""``diarium meetings record-legal-force``: the daily legal-force sweep (cases/legal_force.py)."""

from __future__ import annotations

import argparse
from typing import Any


def record_legal_force(args: argparse.Namespace) -> None:
    """Record legal force for every decision whose appeal period has ended."""
    from diarium.cases.application import Diarium
    from diarium.cases.legal_force import record_legal_force as sweep

    recorded = sweep(Diarium(args.database_url, create_tables=True))
    for ref, paragraphs in recorded.items():
        print(f"{ref}: § {', '.join(map(str, paragraphs))}")
    count = sum(map(len, recorded.values()))
    print(f"diarium: legal force recorded for {count} decision(s)")


def register(commands: Any) -> None:
    """Add ``meetings record-legal-force`` to the ``diarium`` command."""
    parser = commands.add_parser("meetings", help="meetings: the daily legal-force sweep")
    sub = parser.add_subparsers(dest="meetings_command", required=True)
    sub.add_parser(
        "record-legal-force",
        help="record legal force (laga kraft) of decisions whose appeal period has ended "
        "(idempotent; run daily)",
    ).set_defaults(run=record_legal_force)
