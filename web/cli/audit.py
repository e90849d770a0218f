"""``diarium audit ...`` and ``diarium webhooks run``: the auditors' and subscribers' commands."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any


def _app(args: argparse.Namespace) -> Any:
    from diarium.cases.application import Diarium

    return Diarium(args.database_url, create_tables=True)


def verify(args: argparse.Namespace) -> None:
    """Walk the hash chain; exit 1 when anything was altered, removed or inserted."""
    from diarium.cases.outbound.chain_verification import verify_chain

    head = None
    if args.expect_position is not None or args.expect_hash is not None:
        if args.expect_position is None or args.expect_hash is None:
            sys.exit("diarium: give --expect-position and --expect-hash together")
        head = (args.expect_position, args.expect_hash)
    from diarium.web.cli.progress import Progress

    app = _app(args)
    with Progress("verify", total=app.recorder.max_notification_id() or 0,
                  unit="events") as shown:
        report = verify_chain(app, expect_head=head, progress=shown.reach)
    files = app.files.verify() if args.files else None  # reads every stored byte
    if args.json:
        result = report.as_dict()
        if files is not None:
            result["files"] = {"checked": files[0], "ok": not files[1],
                               "findings": [asdict(f) for f in files[1]]}
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        for finding in report.findings:
            where = f" case {finding.case} v{finding.version}" if finding.case else ""
            print(f"position {finding.position}: {finding.kind}{where}: {finding.detail}")
        state = "intact" if report.ok else f"{len(report.findings)} finding(s)"
        print(f"diarium: checked {report.checked} events; chain {state}; head "
              f"{report.head_position} {report.head_hash}")
        if files is not None:
            for f in files[1]:
                print(f"{f.kind}: case {f.dnr} document {f.document} version {f.version} "
                      f"sha256 {f.sha256}: {f.detail}")
            state = "intact" if not files[1] else f"{len(files[1])} changed or missing"
            print(f"diarium: checked {files[0]} stored files; {state}")
    if not report.ok or (files is not None and files[1]):
        sys.exit(1)


def export(args: argparse.Namespace) -> None:
    """Write one case's archive export (JSON or CITS ERMS XML), or with ``--package DIR`` its
    E-ARK CSIP package (a folder, or a zip when DIR ends in .zip): everything, secret content
    included, for the archive."""
    from diarium.cases.application import CaseNotFound
    from diarium.cases.outbound import erms
    from diarium.cases.outbound import export as packages

    app = _app(args)
    try:
        app.view_case(args.dnr)
    except CaseNotFound:
        sys.exit(f"diarium: no case {args.dnr}")
    if args.package:
        from diarium.cases.outbound.package import PackageExists, write_package
        from diarium.web.cli.progress import Progress

        try:
            with Progress(f"export {args.dnr}", unit="files") as shown:
                written = write_package(app, args.dnr, Path(args.package),
                                        progress=shown.reach_of)
        except PackageExists:
            sys.exit(f"diarium: {args.package} exists; a package is never written over")
        print(f"diarium: wrote the package of {args.dnr} to {written}")
        return
    if args.format == "xml":
        data = erms.xml_package(app, args.dnr)
    else:
        data = json.dumps(packages.json_package(app, args.dnr), ensure_ascii=False,
                          indent=2).encode("utf-8")
    if args.output in (None, "-"):
        sys.stdout.buffer.write(data)
    else:
        with open(args.output, "wb") as out:
            out.write(data)
        print(f"diarium: wrote {args.output}", file=sys.stderr)


def run_webhooks(args: argparse.Namespace) -> None:
    """Deliver webhooks until interrupted (or one round with --once)."""
    from diarium.cases.outbound.webhook_delivery import WebhookWorker

    worker = WebhookWorker(_app(args), poll_interval=args.poll_interval, timeout=args.timeout,
                           concurrency=args.concurrency, max_backoff=args.max_backoff)
    if args.once:
        print(f"diarium: delivered {worker.run_once()}")
        worker.close()
        return
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    print("diarium: delivering webhooks (Ctrl-C stops)", flush=True)
    worker.run(stop)
    worker.close()


def register(commands: Any) -> None:
    """Add the ``audit`` and ``webhooks`` commands to the ``diarium`` parser."""
    audit_parser = commands.add_parser("audit", help="tamper evidence and archive export")
    audit_commands = audit_parser.add_subparsers(dest="audit_command", required=True)
    verify_parser = audit_commands.add_parser("verify", help="check the hash chain")
    verify_parser.add_argument("--expect-position", type=int, default=None,
                               help="a head position recorded earlier")
    verify_parser.add_argument("--expect-hash", default=None, help="its log hash")
    verify_parser.add_argument("--json", action="store_true", help="print the full report")
    verify_parser.add_argument("--files", action="store_true",
                               help="also re-hash every stored file (reads every byte)")
    verify_parser.set_defaults(run=verify)
    export_parser = audit_commands.add_parser("export", help="export a case package")
    export_parser.add_argument("dnr")
    export_parser.add_argument("--format", choices=["json", "xml"], default="json")
    export_parser.add_argument("-o", "--output", default=None, help="file (default: stdout)")
    export_parser.add_argument("--package", default=None, metavar="DIR",
                               help="write the E-ARK CSIP archive package to the new folder "
                                    "DIR (a zip when DIR ends in .zip)")
    export_parser.set_defaults(run=export)

    hooks_parser = commands.add_parser("webhooks", help="webhook deliveries")
    hooks_commands = hooks_parser.add_subparsers(dest="webhooks_command", required=True)
    run_parser = hooks_commands.add_parser("run", help="run the delivery worker")
    run_parser.add_argument("--once", action="store_true", help="one round, then exit")
    run_parser.add_argument("--poll-interval", type=float, default=0.2)
    run_parser.add_argument("--timeout", type=float, default=5.0, help="per request, seconds")
    run_parser.add_argument("--concurrency", type=int, default=4)
    run_parser.add_argument("--max-backoff", type=float, default=300.0)
    run_parser.set_defaults(run=run_webhooks)
