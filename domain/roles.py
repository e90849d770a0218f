"""Roles: what a token's holder may do. Enforced per endpoint by ``web/auth.py``; the policy of
every route is listed in the README (Roles) and checked by tests/test_access_matrix.py."""

from __future__ import annotations

from diarium.domain.actor import Actor

REGISTRAR = "registrar"  # registers cases and documents, assigns officers, marks secrecy
OFFICER = "officer"  # works own cases: documents, referrals, proposals, delegated decisions
SECRETARY = "secretary"  # meetings, protocols, extracts
CHAIR = "chair"  # chairs meetings: adjusts protocols and certifies corrections
ADJUSTER = "adjuster"  # adjusts protocols and certifies corrections
AUDITOR = "auditor"  # reads everything, history and secret fields included; writes nothing
SERVICE = "service"  # an integration: the feed, own webhooks, withheld views of what it acts on
ADMIN = "admin"  # bodies, members, delegation order, tokens

ROLES: dict[str, str] = {
    REGISTRAR: "Register cases and documents, assign case officers, mark and lift secrecy.",
    OFFICER: "Work own cases (where the token's name is the case officer): documents, "
    "referrals, proposals, delegated decisions, secrecy.",
    SECRETARY: "Meetings, agendas, protocols, protocol extracts.",
    CHAIR: "Adjust protocols and certify corrections (as chair).",
    ADJUSTER: "Adjust protocols and certify corrections (as adjuster).",
    AUDITOR: "Read everything, history and secret fields included; write nothing.",
    SERVICE: "Read the event feed and manage its own webhooks; read a case and a paragraph "
    "(secret fields withheld) to act on an item.",
    ADMIN: "Bodies, members, the delegation order, tokens.",
}

ALL_ROLES: tuple[str, ...] = tuple(ROLES)
# Roles that read case content (secret fields only where secrecy.may_read_secrets allows).
STAFF: tuple[str, ...] = (REGISTRAR, OFFICER, SECRETARY, CHAIR, ADJUSTER, AUDITOR, ADMIN)
# Roles that may read secret content: registrar and auditor (within their bodies), an officer
# only on own cases (cases/secrecy.py: may_read_secrets).
SECRET_READERS: tuple[str, ...] = (REGISTRAR, AUDITOR, OFFICER)


def unknown_roles(roles: list[str] | tuple[str, ...]) -> list[str]:
    """The names in ``roles`` that are not roles."""
    return [r for r in roles if r not in ROLES]


def may_mark_secret(actor: Actor, officer: str | None) -> bool:
    """Whether ``actor`` may mark a case whose case officer is ``officer`` secret: a
    registrar, or an officer on own case (the policy of web/routes/secrecy.py)."""
    if actor.has_role(REGISTRAR):
        return True
    return actor.has_role(OFFICER) and officer is not None and officer == actor.name
