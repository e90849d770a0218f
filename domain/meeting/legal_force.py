"""Legal force (laga kraft) of a meeting's decisions, recorded once the appeal period ended.

No one records that a decision gained legal force: it follows from the posting of the
adjustment and the appeal period (three weeks, KL 13:5, run on past a day off, lag 1930:173).
``RecordLegalForce`` (run daily by ``diarium meetings record-legal-force``) turns that date
into a fact, one ``LegalForceReached`` per decision, so subscribers of the feed get each one
exactly once, in log order. A proposal to a higher body is preparatory and cannot be
appealed (KL 13:2): it gets none.
"""

from __future__ import annotations

from datetime import date

from diarium.domain.actor import Actor
from diarium.domain.aggregate import decides, evolves
from diarium.domain.events import meeting as ev
from diarium.domain.meeting import commands as mc
from diarium.domain.meeting.state import MeetingState, Paragraph
from diarium.domain.meeting.terms import appeal_period_end, appealable, legal_force_from


class LegalForce(MeetingState):
    """The part of a meeting that records when its decisions gained legal force."""

    def legal_force_due(self, today: date) -> list[Paragraph]:
        """The decided, appealable, posted paragraphs whose appeal period ended before
        ``today`` and whose legal force is not recorded yet."""
        due = []
        for p in self.paragraphs:
            posted_on = self.paragraph_posted_on(p)
            if (
                p.decision is not None
                and appealable(p.decision.kind)
                and posted_on is not None
                and p.number not in self.legal_force
                and legal_force_from(posted_on) <= today
            ):
                due.append(p)
        return due

    @decides(mc.RecordLegalForce)
    def record_legal_force(
        self, command: mc.RecordLegalForce, by: Actor, today: date
    ) -> list[int]:
        """Record legal force for each decision now due; the paragraphs recorded."""
        recorded = []
        for p in self.legal_force_due(today):
            posted_on = self.paragraph_posted_on(p)
            assert posted_on is not None and p.decision is not None
            self.record(
                ev.LegalForceReached, command, by,
                paragraph=p.number,
                kind=p.decision.kind,
                case_decision_number=p.decision.case_decision_number,
                posted_on=posted_on,
                appeal_period_ended=appeal_period_end(posted_on),
                occurred_on=legal_force_from(posted_on),
            )
            recorded.append(p.number)
        return recorded

    @evolves(ev.LegalForceReached)
    def _legal_force_reached(self, event: ev.LegalForceReached) -> None:
        self.legal_force[event.paragraph] = event.occurred_on
