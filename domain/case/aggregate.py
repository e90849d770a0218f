"""The case aggregate: every lifecycle rule of an ärende is enforced here.

``Case`` is its parts together (domain/case/part.py), one per topic: each holds that topic's
commands, the methods that decide them and the methods that apply their events."""

from __future__ import annotations

from diarium.domain.case import secrecy
from diarium.domain.case.decisions import Decisions, RecordExtractSent
from diarium.domain.case.documents import Documents
from diarium.domain.case.incoming_referrals import IncomingReferrals
from diarium.domain.case.lifecycle import Lifecycle, ReopenCase
from diarium.domain.case.referrals import Referrals
from diarium.domain.case.secrecy import CaseSecrecy
from diarium.domain.case.terms import Status

# The commands a case takes in each status; any other is refused by a lifecycle rule
# (case-cancelled, case-closed, reopen-only-closed): tests/test_case_takes.py
MARKINGS = frozenset({secrecy.MarkSecret, secrecy.LiftSecrecy, secrecy.MarkDocumentSecret,
                      secrecy.LiftDocumentSecrecy})  # a secrecy assessment comes at any time
TAKEN_WHEN = {
    Status.CANCELLED: MARKINGS,
    Status.CLOSED: MARKINGS | {ReopenCase, RecordExtractSent},
}


class Case(Lifecycle, Documents, Referrals, IncomingReferrals, Decisions, CaseSecrecy):
    """An ärende, identified by its dnr, whose state is rebuilt from its events."""

    def takes(self, command_type: type) -> bool:
        """Whether the case, in its status, takes a command of ``command_type`` at all (the
        command's other rules are checked when it is given)."""
        taken = TAKEN_WHEN.get(self.status)
        return command_type is not ReopenCase if taken is None else command_type in taken
