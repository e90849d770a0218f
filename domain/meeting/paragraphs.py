"""A meeting's paragraphs (§): opened in order, motions (yrkanden), the decision procedure
(beslutsgång, votering) and the decision."""

from __future__ import annotations

from datetime import date

from diarium.domain import rules
from diarium.domain.actor import Actor
from diarium.domain.aggregate import decides, evolves
from diarium.domain.body.aggregate import Body
from diarium.domain.case.terms import DecisionKind
from diarium.domain.events import meeting as ev
from diarium.domain.meeting import commands as mc
from diarium.domain.meeting.state import (
    MeetingState,
    Motion,
    Paragraph,
    ParagraphDecision,
    Step,
)
from diarium.domain.meeting.terms import BodyKind, MemberRole, Vote
from diarium.domain.rules import require


class Paragraphs(MeetingState):
    """The part of a meeting that records its paragraphs, motions, votes and decisions."""

    def record_paragraph(
        self, command: mc.RecordParagraph, number: int, by: Actor, today: date
    ) -> Paragraph:
        """Open the next paragraph (§ ``number``, allocated from the body's year)."""
        dnr = command.dnr
        self.check_paragraph(dnr=dnr, today=today)
        item = next((i for i in self.agenda if i.dnr == dnr), None) if dnr else None
        self._at_meeting(
            ev.ParagraphRecorded, command, by,
            number=number,
            agenda_item=item.number if item else None,
            sections=[{"heading": s.heading, "text": s.text} for s in command.sections],
        )
        return self.paragraphs[-1]

    def check_paragraph(self, *, dnr: str | None, today: date) -> None:
        """Refuse a new paragraph before allocating its number."""
        self._require_held(today)
        self._require_not_adjusted()
        if dnr is not None:
            items = [i for i in self.agenda if i.dnr == dnr]
            require(bool(items), rules.CASE_NOT_ON_AGENDA, f"{dnr} is not on the agenda")
            require(
                any(not i.withdrawn for i in items),
                rules.AGENDA_ITEM_WITHDRAWN,
                f"{dnr} was withdrawn from the agenda",
            )

    @decides(mc.MakeMotion)
    def make_motion(self, command: mc.MakeMotion, by: Actor, today: date) -> Motion:
        """Record a motion (yrkande); without a mover it is the standing proposal."""
        p = self._editable(command.paragraph)
        mover, supporters = command.mover, command.supporters
        for name in ([mover] if mover else []) + supporters:
            self._require_participant(p, name)
        self._at_meeting(
            ev.MotionMade, command, by,
            number=len(p.motions) + 1,
            supporters=list(dict.fromkeys(supporters)),
        )
        return p.motions[-1]

    @decides(mc.RecordProcedureStep)
    def record_procedure_step(
        self, command: mc.RecordProcedureStep, by: Actor, today: date
    ) -> Step:
        """Record how the chair put proposals and what the body decided (by acclamation or
        by a vote, where a tie goes to the chair's casting vote)."""
        paragraph, proposals = command.paragraph, command.proposals
        adopted, votes = command.adopted, command.votes
        p = self._editable(paragraph)
        known = {m.number for m in p.motions}
        for number in proposals:
            require(number in known, rules.MOTION_UNKNOWN, f"§ {paragraph} has no motion {number}")
        require(
            bool(proposals) and len(set(proposals)) == len(proposals),
            rules.PROCEDURE_PROPOSALS,
            "Put one or more distinct motions",
        )
        casting = False
        if votes is None:
            require(
                adopted in proposals or (adopted is None and len(proposals) == 1),
                rules.PROCEDURE_PROPOSALS,
                "The outcome is one of the motions put (or, for one motion, its rejection)",
            )
            outcome = adopted
        else:
            require(
                len(proposals) in (1, 2),
                rules.PROCEDURE_PROPOSALS,
                "A vote puts one motion (ja/nej) or two against each other",
            )
            for name in votes:
                self._require_participant(p, name)
            yes = sum(1 for v in votes.values() if v == Vote.YES)
            no = sum(1 for v in votes.values() if v == Vote.NO)
            if yes == no:
                chair_vote = votes.get(self.chair) if self.chair else None
                require(
                    chair_vote in (Vote.YES, Vote.NO),
                    rules.CASTING_VOTE,
                    f"{yes}-{no}: the chair ({self.chair}) must have voted ja or nej",
                )
                casting = True
                yes_wins = chair_vote == Vote.YES
            else:
                yes_wins = yes > no
            outcome = proposals[0] if yes_wins else (proposals[1] if len(proposals) == 2 else None)
            require(
                adopted is None or adopted == outcome,
                rules.VOTE_OUTCOME,
                f"ja {yes}, nej {no}{' (casting vote)' if casting else ''}: "
                f"motion {outcome} was adopted, not {adopted}",
            )
        self._at_meeting(
            ev.ProcedureStepRecorded, command, by,
            number=len(p.procedure) + 1,
            proposals=list(proposals),
            outcome=outcome,
            votes={k: str(v) for k, v in votes.items()} if votes is not None else None,
            casting_vote=casting,
        )
        return p.procedure[-1]

    def check_decision(
        self, command: mc.DecideParagraph, body: Body, today: date
    ) -> Paragraph:
        """Refuse a decision before recording it on the case (``body``: the meeting's)."""
        paragraph, higher_body = command.paragraph, command.higher_body
        p = self._editable(paragraph)
        require(p.decision is None, rules.PARAGRAPH_DECIDED, f"§ {paragraph} is decided")
        require(
            (command.kind == DecisionKind.PROPOSED_TO_HIGHER_BODY) == (higher_body is not None)
            and higher_body != self.body,
            rules.HIGHER_BODY,
        )
        self._require_quorum(p, body)
        return p

    def quorum(self, p: Paragraph, body: Body) -> tuple[int, int]:
        """(members present, members) at ``p``: the body's ledamot seats held on the meeting
        date, and the serving members (ledamöter and tjänstgörande ersättare) present at the
        paragraph, less those who declared a conflict of interest (they take no part)."""
        seats = sum(
            1 for m in body.members_on(self.meeting_date) if m.role == MemberRole.MEMBER
        )
        present = sum(
            1 for a in self.attendees if a.serving_at(p.number) and not p.conflicted(a.name)
        )
        return present, seats

    def _require_quorum(self, p: Paragraph, body: Body) -> None:
        """A body decides only with more than half of its members present (KL 6:27; the
        council KL 5:42)."""
        present, seats = self.quorum(p, body)
        law = "KL 5:42" if body.kind == BodyKind.COUNCIL else "KL 6:27"
        require(
            2 * present > seats,
            rules.QUORUM,
            f"{present} of the {seats} members of {self.body} present at § {p.number}: "
            f"more than half must be present ({law})",
        )

    def decide(
        self,
        command: mc.DecideParagraph,
        case_decision_number: int | None,
        body: Body,
        by: Actor,
        today: date,
    ) -> None:
        """Record the paragraph's decision (with the number of the decision it recorded on
        the paragraph's case, if any)."""
        self.check_decision(command, body, today)
        self._at_meeting(
            ev.ParagraphDecided, command, by,
            kind=str(command.kind),
            case_decision_number=case_decision_number,
        )

    # -- evolution --------------------------------------------------------------------

    @evolves(ev.ParagraphRecorded)
    def _paragraph_recorded(self, event: ev.ParagraphRecorded) -> None:
        self.paragraphs.append(
            Paragraph(
                event.number, event.title, event.dnr, event.agenda_item,
                [dict(s) for s in event.sections],
            )
        )

    @evolves(ev.MotionMade)
    def _motion_made(self, event: ev.MotionMade) -> None:
        self.paragraph(event.paragraph).motions.append(
            Motion(event.number, event.mover, event.text, list(event.supporters))
        )

    @evolves(ev.ProcedureStepRecorded)
    def _procedure_step_recorded(self, event: ev.ProcedureStepRecorded) -> None:
        self.paragraph(event.paragraph).procedure.append(
            Step(
                event.number, event.description, list(event.proposals), event.outcome,
                dict(event.votes) if event.votes is not None else None, event.casting_vote,
            )
        )

    @evolves(ev.ParagraphDecided)
    def _paragraph_decided(self, event: ev.ParagraphDecided) -> None:
        self.paragraph(event.paragraph).decision = ParagraphDecision(
            event.kind, event.text, event.higher_body, event.case_decision_number
        )
