"""The case aggregate: every lifecycle rule of an ärende is enforced here.

``Case`` is its parts together (domain/case/part.py), one per topic: each holds that topic's
commands, the methods that decide them and the methods that apply their events."""

from __future__ import annotations

from diarium.domain.case.decisions import Decisions
from diarium.domain.case.documents import Documents
from diarium.domain.case.incoming_referrals import IncomingReferrals
from diarium.domain.case.lifecycle import Lifecycle
from diarium.domain.case.referrals import Referrals
from diarium.domain.case.secrecy import CaseSecrecy


class Case(Lifecycle, Documents, Referrals, IncomingReferrals, Decisions, CaseSecrecy):
    """An ärende, identified by its dnr, whose state is rebuilt from its events."""
