"""The protocol as the seed writes it: Swedish phrases for each element of a paragraph; the
same context renders the staff page, the public page and the PDF/A (web/protocol_pdf.py)."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from flask import current_app

from diarium.domain.body.aggregate import Body
from diarium.domain.case.terms import DecisionKind
from diarium.domain.meeting.aggregate import Meeting
from diarium.domain.meeting.state import Conflict, Paragraph, Step
from diarium.domain.meeting.terms import (
    NOT_APPEALABLE,
    Capacity,
    appeal_period_end,
    appealable,
    taken_down_on,
)
from diarium.domain.secrecy import WITHHELD

CAPACITY_HEADINGS = {
    Capacity.MEMBER.value: "Beslutande ledamöter",
    Capacity.SERVING_SUBSTITUTE.value: "Tjänstgörande ersättare",
    Capacity.SUBSTITUTE.value: "Ej tjänstgörande ersättare",
    Capacity.OTHER.value: "Övriga närvarande",
}
KEPT_AT_VARIABLE = "DIARIUM_PROTOCOL_KEPT_AT"  # where the signed protocol is kept (anslagsbevis)
MONTHS = [
    "januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
    "oktober", "november", "december",
]


def swedish_date(day: date | None) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}" if day else ""


def join(names: list[str]) -> str:
    """``A``, ``A och B``, ``A, B och C``."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " och " + names[-1]


def genitive(name: str) -> str:
    return name if name.endswith(("s", "x", "z")) else name + "s"


def protocol_context(meeting: Meeting, body: Body) -> dict[str, Any]:
    """Everything the template needs, phrased."""
    parties = {m.name: m.party for m in body.members if m.party}
    parties.update({a.name: a.party for a in meeting.attendees if a.party})

    def who(name: str) -> str:
        party = parties.get(name)
        return f"{name} ({party})" if party else name

    groups = []
    for capacity, heading in CAPACITY_HEADINGS.items():
        people = []
        for a in meeting.attendees:
            if a.capacity != capacity:
                continue
            line = who(a.name)
            if a.name == meeting.chair:
                line += ", ordförande"
            if a.title:
                line += f", {a.title}"
            if a.replacing:
                line += f", ersätter {a.replacing}"
            if a.from_paragraph or a.to_paragraph:
                line += f", §§ {a.from_paragraph or ''}–{a.to_paragraph or ''}"
            people.append(line)
        if people:
            groups.append({"heading": heading, "people": people})

    body_genitive = genitive(body.name)
    return {
        "meeting": meeting,
        "body": body,
        "body_genitive": body_genitive,
        "date_text": swedish_date(meeting.meeting_date),
        "swedish_date": swedish_date,
        "attendance": groups,
        "who": who,
        "paragraphs": [
            _paragraph(meeting, p, body.name, body_genitive, who) for p in meeting.paragraphs
        ],
        "first": meeting.paragraphs[0].number if meeting.paragraphs else None,
        "last": meeting.paragraphs[-1].number if meeting.paragraphs else None,
        "appeal_period_ends": swedish_date(meeting.appeal_period_ends),
        "adjusters_text": join([who(a) for a in meeting.adjusters]),
        "signed_text": join([who(a) for a in meeting.signed_by]),
        "draft": meeting.adjusted_on is None,
        "notice": _notice(meeting),
    }


def render_protocol(meeting: Meeting, body: Body, template: str = "protocol.html",
                    **extra: Any) -> str:
    """The protocol page (``protocol.html``, or the public site's) of a meeting as given
    (already through the secrecy filter for its reader)."""
    from flask import render_template

    return render_template(template, **protocol_context(meeting, body), **extra)


def kept_at() -> str:
    """Where the adjusted protocols are kept (``DIARIUM_PROTOCOL_KEPT_AT``, app config or
    environment; default "Registraturen"), as the notice board and the anslagsbevis state
    it (KL 8:12)."""
    return str(current_app.config.get(KEPT_AT_VARIABLE) or os.environ.get(KEPT_AT_VARIABLE)
               or "Registraturen")


def _notice(meeting: Meeting) -> dict[str, str] | None:
    """The anslagsbevis once the protocol is posted: it stays on the notice board until the
    appeal period has run out (KL 8:12, 13:5) and is taken down the day after."""
    if meeting.posted_on is None or meeting.appeal_period_ends is None:
        return None
    return {
        "meeting_date": swedish_date(meeting.meeting_date),
        "adjusted_on": swedish_date(meeting.adjusted_on),
        "posted_on": swedish_date(meeting.posted_on),
        "taken_down_on": swedish_date(taken_down_on(meeting.posted_on)),
        "kept_at": kept_at(),
    }


def _paragraph(
    meeting: Meeting, p: Paragraph, body_name: str, body_genitive: str, who: Any
) -> dict[str, Any]:
    def motion_owner(number: int) -> str:
        motion = next(m for m in p.motions if m.number == number)
        if motion.mover is None:
            return "det liggande förslaget"
        if motion.mover == meeting.chair:
            return "eget förslag"
        return f"{genitive(motion.mover)} förslag"

    motions = []
    for m in p.motions:
        if m.mover is None:
            continue
        mover = "Ordföranden" if m.mover == meeting.chair else who(m.mover)
        motions.append(f"{mover} föreslår {m.text}")
        if m.supporters:
            motions.append(f"{join([who(s) for s in m.supporters])} stödjer "
                           f"{'ordförandens' if m.mover == meeting.chair else genitive(m.mover)} "
                           "förslag.")
    procedure = [_step(s, body_name, motion_owner, who) for s in p.procedure]
    decision = p.decision
    posted = meeting.paragraph_posted_on(p)
    appeals = appealable(decision.kind if decision else None)
    return {
        "p": p,
        "decision_heading": f"{body_genitive} beslut",
        "decision_text": decision.text if decision else "",
        "proposal": decision is not None and decision.kind == DecisionKind.PROPOSED_TO_HIGHER_BODY,
        "reservations": (
            f"{join([who(r.member) for r in p.reservations])} reserverar sig mot beslutet."
            if p.reservations else ""
        ),
        "reservation_reasons": [(who(r.member), r.reason) for r in p.reservations if r.reason],
        "conflicts": [_conflict(c, who) for c in p.conflicts],
        "motions": motions,
        "procedure": procedure,
        "immediately": p.immediately_adjusted_on is not None,
        "corrections": [
            {
                "corrects": c.corrects,
                "text": c.text,
                "certified_on": c.certified_on.isoformat(),
                "certified_by": join([who(n) for n in c.certified_by]),
            }
            for c in p.corrections
        ],
        "appeal_ends": (
            swedish_date(appeal_period_end(posted)) if posted and appeals else ""
        ),
        "not_appealable": "" if appeals else NOT_APPEALABLE.format(
            higher_body=decision.higher_body if decision else ""
        ),
    }


def _conflict(conflict: Conflict, who: Any) -> str:
    """The jäv sentence: the protocol's own words when a note gives them, else the generated
    one; never both. A note withheld by secrecy leaves the generated sentence (the fact of jäv
    is public) and the mark that the protocol's own words are withheld."""
    generated = f"{who(conflict.member)} anmäler jäv och deltar inte i behandlingen av ärendet."
    if not conflict.note:
        return generated
    if conflict.note == WITHHELD:
        return f"{generated} {WITHHELD}"
    return conflict.note


def _step(step: Step, body_name: str, owner: Any, who: Any) -> dict[str, Any]:
    lowered = body_name[:1].lower() + body_name[1:]
    if step.description:
        text = step.description
    else:
        put = [owner(n) for n in step.proposals]
        if len(put) == 1:
            text = f"Ordföranden ställer {put[0]} under proposition och finner att {lowered} "
            text += "bifaller förslaget." if step.outcome else "avslår förslaget."
        else:
            adopted = owner(step.outcome) if step.outcome else "inget förslag"
            adopted = adopted.replace("eget förslag", "ordförandens förslag")
            text = (
                f"Ordföranden ställer {join(put)} mot varandra och finner att {lowered} "
                f"bifaller {adopted}."
            )
    vote = None
    if step.votes is not None:
        tally = step.tally or {}
        vote = {
            "yes": [who(n) for n, v in step.votes.items() if v == "ja"],
            "no": [who(n) for n, v in step.votes.items() if v == "nej"],
            "abstain": [who(n) for n, v in step.votes.items() if v == "avstår"],
            "summary": f"{tally.get('ja', 0)} ja-röster, {tally.get('nej', 0)} nej-röster"
            f" och {tally.get('avstår', 0)} som avstår.",
            "casting": step.casting_vote,
        }
    return {"text": text, "vote": vote}
