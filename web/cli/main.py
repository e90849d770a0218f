"""The ``diarium`` command: serve, db init, demo."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from diarium.cases.application import Diarium
from diarium.cases.store.persistence import DATABASE_URL_VARIABLE, database_url

DEFAULT_WORKERS = 2
DEFAULT_THREADS = 8


def gunicorn_options(workers: int = DEFAULT_WORKERS, threads: int = DEFAULT_THREADS) -> list[str]:
    """How ``diarium serve`` runs gunicorn: ``workers`` processes of ``threads`` request
    threads each (the ``gthread`` worker). Threads let a process's registrations share one
    commit (group commit, cases/store/group_commit.py) and overlap waits on the store; the HTTP
    benchmark runs its bare baseline with the same options."""
    return ["--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads)]


def init_db(url: str | None = None) -> Diarium:
    """Create every table once, not in every worker at boot: events, tokens, webhooks and
    the registers."""
    from diarium.cases.outbound.webhook_subscriptions import WebhookStore
    from diarium.projections.runner import Projector

    diarium = Diarium(url, create_tables=True)
    WebhookStore(diarium)
    Projector(diarium).ensure_schema()
    return diarium


def serve(args: argparse.Namespace) -> None:
    """Create the tables, then run the app in gunicorn: several workers, several threads each."""
    url = database_url(args.database_url)
    init_db(url)
    os.environ[DATABASE_URL_VARIABLE] = url
    command = [
        sys.executable, "-m", "gunicorn",
        "--bind", f"{args.host}:{args.port}",
        *gunicorn_options(args.workers, args.threads),
        # metrics in multiprocess mode; request lines from the app (DIARIUM_LOG_FORMAT)
        "--config", "python:diarium.web.gunicorn_conf",
        "diarium.web.wsgi:app",
    ]
    print(f"diarium: serving {url.split('@')[-1]} on http://{args.host}:{args.port}", flush=True)
    os.execv(sys.executable, command)


# who the demo's tokens sign in as: (name, roles, what for); Linda Ylivainio is the demo
# cases' officer and the board's secretary
DEMO_PEOPLE = (
    ("demo.registrator", ("registrar",), "registrator"),
    ("Linda Ylivainio", ("officer",), "handläggare (hennes ärenden)"),
    ("demo.sekreterare", ("secretary", "chair"), "sekreterare och ordförande"),
    ("demo.revisor", ("auditor",), "revisor"),
    ("demo.admin", ("admin",), "administratör"),
    ("demo.tjanst", ("service",), "tjänst (flödet, webhooks)"),
)


def demo(args: argparse.Namespace) -> None:
    """Load the demo cases (a store that has them already is left as it is) and print, every
    time, fresh tokens to sign in with (the demo's earlier tokens are revoked)."""
    from diarium.cases.demo.cases import DEMO_STEPS, load_demo
    from diarium.cases.demo.recent import load_recent
    from diarium.domain.rules import RuleViolation
    from diarium.web.cli.progress import Progress

    diarium = init_db(args.database_url)
    shown = Progress("demo", total=DEMO_STEPS + 1, unit="steps")
    try:
        dnrs = load_demo(diarium, step=shown.update)
    except RuleViolation as refused:
        shown.close()
        print(f"diarium: demo already loaded ({refused})")
    else:
        recent = load_recent(diarium)  # the notice board: a meeting posted, one called
        shown.update()
        shown.close()
        print(f"diarium: loaded {len(dnrs)} demo cases: {', '.join(dnrs)}")
        print(f"diarium: on the notice board (/anslagstavla): {recent['held']}, "
              f"{recent['upcoming']}")
    print_demo_tokens(diarium)


def print_demo_tokens(diarium: Any) -> None:
    """Issue the demo's tokens anew (revoking the demo's live ones of the same names)."""
    from diarium.cases.tokens import TokenStore

    tokens = TokenStore.for_application(diarium)
    names = {name for name, *_ in DEMO_PEOPLE}
    for token in tokens.list():
        if token.name in names and token.created_by == "demo":
            tokens.revoke(token.id, by="demo")
    print("diarium: open http://127.0.0.1:8000/app/ and sign in with one of these tokens "
          "(the public site is http://127.0.0.1:8000/):")
    issued = {}
    for name, roles, label in DEMO_PEOPLE:
        issued[roles[0]], _ = tokens.issue(name=name, roles=list(roles), by="demo")
        print(f"    {label:32} {issued[roles[0]]}")
    print("diarium: or try the API, e.g. as the registrar:")
    print(f"    export AUTH='Authorization: Bearer {issued['registrar']}'")
    print('    curl -H "$AUTH" localhost:8000/api/cases/1338-2020')


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="diarium", description=__doc__)
    parser.add_argument(
        "--database-url", default=None,
        help=f"SQLAlchemy URL (default: ${DATABASE_URL_VARIABLE}, else ./var/diarium.sqlite)",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve_parser = commands.add_parser("serve", help="run the HTTP API in gunicorn")
    serve_parser.add_argument("--host", default="127.0.0.1")
    serve_parser.add_argument("--port", type=int, default=8000)
    serve_parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS,
                              help="worker processes (default %(default)s)")
    serve_parser.add_argument("--threads", type=int, default=DEFAULT_THREADS,
                              help="request threads per worker (default %(default)s)")
    serve_parser.set_defaults(run=serve)

    db_parser = commands.add_parser("db", help="database administration")
    db_commands = db_parser.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("init", help="create the tables").set_defaults(
        run=lambda a: (init_db(a.database_url), print("diarium: tables ready"))
    )

    commands.add_parser("demo", help="load a realistic demo").set_defaults(run=demo)

    from diarium.web.cli.audit import register as register_audit_commands

    register_audit_commands(commands)  # audit verify|export, webhooks run

    from diarium.projections.cli import register as register_projection_commands

    register_projection_commands(commands)  # projections run|rebuild [NAME]|status

    from diarium.web.cli.tokens import register as register_token_commands

    register_token_commands(commands)  # tokens create|revoke|list

    from diarium.web.cli.meetings import register as register_meeting_commands

    register_meeting_commands(commands)  # meetings record-legal-force

    from diarium.web.cli.files import register as register_file_commands

    register_file_commands(commands)  # files collect

    from diarium.web.cli.backup import register as register_backup_commands

    register_backup_commands(commands)  # backup DEST, restore SRC (docs/deployment.md)
    from diarium.web.cli.importing import register as register_import_command

    register_import_command(commands)  # import FILE (docs/import.md)

    args = parser.parse_args(argv)
    args.run(args)


if __name__ == "__main__":
    main()
