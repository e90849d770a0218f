"""``diarium backup DEST`` and ``diarium restore SRC``: a whole store, consistent while the
server writes (cases/store/backup.py, docs/deployment.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def run_backup(args: argparse.Namespace) -> None:
    """Copy the store (and its file directory) into the new directory DEST."""
    from diarium.cases.store.backup import BackupError, backup
    from diarium.cases.store.persistence import database_url

    try:
        manifest = backup(database_url(args.database_url), Path(args.dest))
    except BackupError as refused:
        sys.exit(f"diarium: {refused}")
    print(f"diarium: backed up the {manifest.backend} store up to position "
          f"{manifest.position} into {args.dest} (files: {manifest.files})")


def run_restore(args: argparse.Namespace) -> None:
    """Restore SRC into the empty store, then check its hash chain ends where the backup did."""
    from diarium.cases.application import Diarium
    from diarium.cases.outbound.chain_verification import verify_chain
    from diarium.cases.store.backup import BackupError, restore
    from diarium.cases.store.persistence import database_url

    url = database_url(args.database_url)
    try:
        manifest = restore(Path(args.src), url)
    except BackupError as refused:
        sys.exit(f"diarium: {refused}")
    report = verify_chain(Diarium(url))
    if not report.ok or (report.head_position or 0) != manifest.position:
        sys.exit(f"diarium: restored, but the chain is not intact up to {manifest.position}: "
                 f"{len(report.findings)} finding(s), head {report.head_position}")
    print(f"diarium: restored {args.src} up to position {manifest.position}; chain intact "
          f"(head {report.head_position} {report.head_hash})")


def register(commands: Any) -> None:
    """Add ``backup`` and ``restore`` to the ``diarium`` parser."""
    made = commands.add_parser("backup", help="copy the whole store into a new directory")
    made.add_argument("dest", help="a new (or empty) directory")
    made.set_defaults(run=run_backup)
    back = commands.add_parser("restore", help="restore a backup into an empty store")
    back.add_argument("src", help="a directory written by diarium backup")
    back.set_defaults(run=run_restore)
