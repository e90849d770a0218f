"""``diarium demo``'s board has members whose term covers today (as well as 2020): a meeting
scheduled today is accepted and its attendance recorded with the current members, also on
a day just past a term of office's end (cases/demo/recent.py)."""

from __future__ import annotations

from datetime import date

import pytest

from diarium.cases.application import Diarium
from diarium.cases.demo.cases import load_demo
from diarium.cases.demo.meetings import CHAIR, MEMBERS
from diarium.cases.demo.recent import load_recent
from diarium.cases.tokens import TokenStore
from diarium.domain.meeting.terms import MemberRole
from diarium.web import create_app
from tests.test_cli import run


def hold_meeting_today(diarium: Diarium) -> None:
    """Schedule a meeting of RS today through the API and record its attendance."""
    token, _ = TokenStore.for_application(diarium).issue(name="sekreterare.idag",
                                                         roles=["secretary"])
    client = create_app(diarium).test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    today = diarium.today().isoformat()
    scheduled = client.post("/api/meetings", json={"body": "RS", "date": today})
    assert scheduled.status_code == 201, scheduled.get_json()
    ref = scheduled.get_json()["ref"]
    attendance = client.put(f"/api/meetings/{ref}/attendance", json={
        "chair": CHAIR, "attendees": [
            {"name": name, "capacity": "ledamot", "party": party}
            for name, party, role, _ in MEMBERS if role is MemberRole.MEMBER]})
    assert attendance.status_code == 200, attendance.get_json()
    meeting = client.get(f"/api/meetings/{ref}").get_json()
    assert meeting["date"] == today and len(meeting["attendees"]) == 11


def test_after_diarium_demo_a_meeting_today_has_its_members(database_url: str) -> None:
    assert run(database_url, "demo").returncode == 0
    diarium = Diarium(database_url)
    try:
        hold_meeting_today(diarium)
    finally:
        diarium.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]


@pytest.mark.parametrize("today", [date(2027, 1, 3), date(2030, 12, 31)])
def test_members_serve_on_the_first_and_last_days_of_a_term(database_url: str, today: date) -> None:
    diarium = Diarium(database_url, create_tables=True)
    diarium.today = lambda: today  # type: ignore[method-assign]
    try:
        load_demo(diarium)
        load_recent(diarium)
        hold_meeting_today(diarium)
    finally:
        diarium.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
