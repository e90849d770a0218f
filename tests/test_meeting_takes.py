"""What a meeting takes in each status (``Meeting.takes``, which the desk's meeting page asks
before it offers a form) agrees with the rules the commands are refused by."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from diarium.domain.meeting import commands as mc
from tests import meetings_support as ms

DAYS = (f"2020-{month:02}-{day:02}" for month, day in itertools.product(range(2, 10),
                                                                      range(1, 29)))
STATUSES = ("scheduled", "closed", "adjusted", "posted")
# a command of each kind as the API takes it: (type, method, path after the meeting, body)
ATTEMPTS = [
    (mc.AddAgendaItem, "post", "/agenda",
     {"kind": "other", "title": "Övrigt", "added_on": "2020-01-20"}),
    (mc.PublishMeetingNotice, "post", "/notice", {"published_on": "2020-01-20"}),
    (mc.RecordParagraph, "post", "/paragraphs", {"title": "Val av justerare"}),
    (mc.EnterNote, "post", "/paragraphs/{p}/notes", {"authors": "Anders Öberg (S)",
                                                    "text": "Antecknas."}),
    (mc.CloseMeeting, "post", "/close", {"closed_at": "16.10"}),
    (mc.AdjustProtocol, "post", "/adjustment",
     {"signed_by": [ms.CHAIR, "Glenn Berggård"], "adjusted_on": "2020-12-01"}),
    (mc.PostProtocol, "post", "/posting", {"posted_on": "2020-12-02"}),
    (mc.CertifyCorrection, "post", "/corrections",
     {"paragraph": "{p}", "corrects": "stavfel", "text": "Rättat.",
      "certified_by": [ms.CHAIR, "Glenn Berggård"], "certified_on": "2020-12-03"}),
]


def _meeting(client: Any, status: str) -> tuple[str, int]:
    """A meeting of RS in ``status``, with one decided paragraph; its ref and that §."""
    day = next(DAYS)
    ref = ms.schedule(client, day=day)
    ms.attend(client, ref)
    number = ms.paragraph(client, "Ärende", ref=ref)
    ms.ok(ms.decide(client, number, ref=ref), 201)
    if status != "scheduled":
        ms.ok(client.post(f"/api/meetings/{ref}/close", json={"closed_at": "16.10"}))
    if status in ("adjusted", "posted"):
        ms.ok(client.post(f"/api/meetings/{ref}/adjustment", json={
            "signed_by": [ms.CHAIR, "Glenn Berggård"], "adjusted_on": "2020-11-01"}))
    if status == "posted":
        ms.ok(client.post(f"/api/meetings/{ref}/posting", json={"posted_on": "2020-11-02"}))
    return ref, number


@pytest.mark.parametrize("status", STATUSES)
def test_a_meeting_takes_exactly_what_its_rules_let_through(
    diarium: Any, client: Any, status: str
) -> None:
    ms.setup_bodies(client, last_paragraph=0)
    for command_type, method, path, body in ATTEMPTS:
        ref, number = _meeting(client, status)
        takes = diarium.meetings.get_meeting(ref).takes(command_type)
        filled = {k: number if v == "{p}" else v for k, v in body.items()}
        answer = getattr(client, method)(f"/api/meetings/{ref}{path.format(p=number)}",
                                         json=filled)
        problem = answer.get_json() if answer.status_code >= 400 else {}
        assert (answer.status_code < 300) is takes, (status, command_type.__name__, problem)
        if not takes:
            assert answer.status_code == 409, (status, command_type.__name__, problem)
