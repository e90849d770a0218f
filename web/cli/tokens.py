"""``diarium tokens create|revoke|list``: API tokens, stored only as hashes (cases/tokens.py)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

from diarium.cases.tokens import Token, TokenError, TokenStore
from diarium.domain.roles import ROLES


def _store(args: argparse.Namespace) -> TokenStore:
    from diarium.web.cli.main import init_db

    return TokenStore.for_application(init_db(args.database_url))  # creates the tables once


def _describe(token: Token) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "roles": list(token.roles),
        "bodies": list(token.bodies),
        "created_at": token.created_at.isoformat(),
        "created_by": token.created_by,
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
        "active": token.active,
    }


def create(args: argparse.Namespace) -> None:
    expires = None
    if args.expires:
        expires = datetime.fromisoformat(args.expires)
        expires = expires if expires.tzinfo else expires.replace(tzinfo=UTC)
    try:
        secret, token = _store(args).issue(
            name=args.name, roles=args.role, bodies=args.body or [], expires_at=expires,
            by=args.by,
        )
    except TokenError as refused:
        sys.exit(f"diarium: {refused}")
    if args.quiet:
        print(secret)
        return
    print(f"diarium: token {token.id} for {token.name} ({', '.join(token.roles)})"
          + (f", bodies {', '.join(token.bodies)}" if token.bodies else ""), file=sys.stderr)
    print("diarium: it is shown only now; store it safely", file=sys.stderr)
    print(secret)


def revoke(args: argparse.Namespace) -> None:
    try:
        token = _store(args).revoke(args.id, by=args.by)
    except TokenError as unknown:
        sys.exit(f"diarium: {unknown}")
    print(f"diarium: token {token.id} ({token.name}) revoked at {token.revoked_at}")


def list_tokens(args: argparse.Namespace) -> None:
    tokens = _store(args).list(include_revoked=args.all)
    print(json.dumps([_describe(t) for t in tokens], ensure_ascii=False, indent=2))


def register(commands: Any) -> None:
    """Add ``tokens create|revoke|list`` to the ``diarium`` command."""
    parser = commands.add_parser("tokens", help="API tokens: create, revoke, list")
    sub = parser.add_subparsers(dest="tokens_command", required=True)

    make = sub.add_parser("create", help="issue a token (printed once on stdout)")
    make.add_argument("--name", required=True, help="the actor recorded for its commands")
    make.add_argument("--role", action="append", required=True, choices=list(ROLES),
                      help="a role (repeat for several)")
    make.add_argument("--body", action="append", help="scope to a body (repeatable)")
    make.add_argument("--expires", help="ISO date-time when it stops working")
    make.add_argument("--by", default="cli", help="who issues it (recorded)")
    make.add_argument("--quiet", action="store_true", help="print only the token")
    make.set_defaults(run=create)

    gone = sub.add_parser("revoke", help="revoke a token at once")
    gone.add_argument("id", help="the token's id (the 12 hex digits after dia_)")
    gone.add_argument("--by", default="cli")
    gone.set_defaults(run=revoke)

    show = sub.add_parser("list", help="list tokens (never their secrets)")
    show.add_argument("--all", action="store_true", help="include revoked tokens")
    show.set_defaults(run=list_tokens)
