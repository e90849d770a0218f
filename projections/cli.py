"""``diarium projections run|rebuild [NAME]|status``: the projection worker and its tools."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import time
from typing import Any

from diarium.projections.registers import NAMES


def _projector(args: argparse.Namespace) -> Any:
    from diarium.cases.application import Diarium
    from diarium.projections.runner import Projector

    projector = Projector(Diarium(args.database_url), batch_size=args.batch_size)
    projector.ensure_schema()
    return projector


def run(args: argparse.Namespace) -> None:
    """Follow the log until SIGTERM/SIGINT (or, with --once, until caught up)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    projector = _projector(args)
    if args.once:
        started = time.monotonic()
        read = projector.catch_up()
        print(f"diarium: caught up, {read} notifications in {time.monotonic() - started:.1f} s")
        return

    def stop(signum: int, frame: Any) -> None:
        projector.stop(timeout=0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"diarium: following the log ({', '.join(projector.projections)})", flush=True)
    projector.run_forever(poll_interval=args.poll)


def rebuild(args: argparse.Namespace) -> None:
    from diarium.web.cli.progress import Progress

    projector = _projector(args)
    for name in [args.name] if args.name else list(projector.projections):
        started = time.monotonic()
        with Progress(f"rebuild {name}", total=projector.head(), unit="events") as shown:
            state = projector.rebuild(name, grace=args.grace, progress=shown.reach)
        print(
            f"diarium: rebuilt {name} as generation {state.generation} up to position "
            f"{state.position} ({state.events} events) in {time.monotonic() - started:.1f} s",
            flush=True,
        )


def status(args: argparse.Namespace) -> None:
    rows = _projector(args).status()
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"{'projection':<12} {'gen':>4} {'state':<9} {'position':>10} {'lag':>8} {'events':>10}"
          f" schema")
    for row in rows:
        if "error" in row:
            print(f"error: {row['error']}")
            continue
        print(
            f"{row['name']:<12} {row['generation']:>4} {row['state']:<9} {row['position']:>10} "
            f"{row['lag']:>8} {row['events']:>10} {row['schema']}"
            + (f" (rebuilt from generation {row['upgraded']['from_generation']})"
               if "upgraded" in row else "")
        )
        if "failures" in row:
            print(_failure_line(row))


def _failure_line(row: dict[str, Any]) -> str:
    """A projection's open failures as ``status`` prints them."""
    last = row["last_failure"]
    state = (f"STOPPED before position {row['stopped_before']}" if "stopped_before" in row
             else "events skipped")
    return (f"  {row['name']}: {row['failures']} failure(s), {state}; last at position "
            f"{last['position']} ({last['event_type']} of {last['originator_id']} "
            f"v{last['originator_version']}): {last['error']}; after a fix: diarium "
            f"projections acknowledge {row['name']} [--skip]")


def acknowledge(args: argparse.Namespace) -> None:
    """Acknowledge a projection's failures (a stopped one retries, or --skip goes past)."""
    count = _projector(args).acknowledge(args.name, skip=args.skip)
    print(f"diarium: {count} failure(s) of {args.name} acknowledged")


def register(commands: Any) -> None:
    """Add ``projections`` to the ``diarium`` command's subcommands."""
    parser = commands.add_parser("projections", help="the registers' projections")
    sub = parser.add_subparsers(dest="projections_command", required=True)
    run_parser = sub.add_parser("run", help="follow the log and keep the registers up to date")
    run_parser.add_argument("--poll", type=float, default=1.0, help="seconds between polls")
    run_parser.add_argument("--once", action="store_true", help="catch up, then exit")
    run_parser.set_defaults(run=run)
    rebuild_parser = sub.add_parser("rebuild", help="rebuild from the log into fresh tables")
    rebuild_parser.add_argument("name", nargs="?", choices=NAMES, help="one projection (all)")
    rebuild_parser.add_argument(
        "--grace", type=float, default=1.0, help="seconds before dropping the old tables"
    )
    rebuild_parser.set_defaults(run=rebuild)
    status_parser = sub.add_parser("status", help="position and lag of each projection")
    status_parser.add_argument("--json", action="store_true")
    status_parser.set_defaults(run=status)
    acknowledge_parser = sub.add_parser(
        "acknowledge", help="acknowledge the events a projection recorded as not applied"
    )
    acknowledge_parser.add_argument("name", choices=NAMES)
    acknowledge_parser.add_argument(
        "--skip", action="store_true", help="a stopped projection goes on past its event"
    )
    acknowledge_parser.set_defaults(run=acknowledge)
    for sub_parser in (run_parser, rebuild_parser, status_parser, acknowledge_parser):
        sub_parser.add_argument("--batch-size", type=int, default=1000)
