"""What a case takes in each status (``Case.takes``, which the desk's case page asks before it
offers a form) agrees with the lifecycle rules the commands are refused by."""

from __future__ import annotations

from typing import Any

import pytest

from diarium.domain.case.decisions import RecordExtractSent, RecordProposal
from diarium.domain.case.documents import RegisterDocument
from diarium.domain.case.lifecycle import AssignOfficer, CancelCase, CloseCase, ReopenCase
from diarium.domain.case.referrals import SendReferral
from diarium.domain.case.secrecy import MarkSecret
from tests.bodies_support import diarium_with_bodies  # noqa: F401 (the fixture)

# a command of each kind as the API takes it: (type, path after the case, body)
ATTEMPTS = [
    (RegisterDocument, "/documents", {"direction": "incoming", "description": "Brev",
                                      "date": "2020-01-02"}),
    (AssignOfficer, "/officer", {"officer": "olle"}),
    (SendReferral, "/referrals", {"recipients": ["Miljönämnden"], "answer_by": "2099-01-01"}),
    (RecordProposal, "/proposals", {"points": ["Bevilja"], "summary": "Ansökan",
                                     "justification": "Enligt riktlinjerna"}),
    (CloseCase, "/close", {}),
    (ReopenCase, "/reopen", {"reason": "Nya uppgifter"}),
    (CancelCase, "/cancel", {"reason": "Registrerat av misstag"}),
    (MarkSecret, "/secrecy", {"statute": "OSL 21:1", "marking_body": "RS"}),
]
LIFECYCLE = {"case-closed", "case-cancelled", "close-only-open", "reopen-only-closed"}


def _case(client: Any, status: str) -> str:
    dnr = client.post("/api/cases", json={"title": "Ärende", "responsible_body": "RS",
                                          "officer": "tester"}).get_json()["dnr"]
    if status != "open":
        path, body = {"closed": ("close", {}),
                      "cancelled": ("cancel", {"reason": "Registrerat av misstag"})}[status]
        assert client.post(f"/api/cases/{dnr}/{path}", json=body).status_code == 200
    return dnr


@pytest.mark.parametrize("status", ["open", "closed", "cancelled"])
def test_a_case_takes_exactly_what_its_lifecycle_rules_let_through(
    diarium: Any, client: Any, status: str
) -> None:
    for command_type, path, body in ATTEMPTS:
        dnr = _case(client, status)
        takes = diarium.get_case(dnr).takes(command_type)
        method = "put" if path == "/officer" else "post"
        answer = getattr(client, method)(f"/api/cases/{dnr}{path}", json=body)
        problem = answer.get_json() if answer.status_code >= 400 else {}
        if takes:  # recorded (a valid command, of a kind the case takes now)
            assert answer.status_code < 300, (status, command_type.__name__, problem)
        else:  # refused by a rule of the lifecycle
            assert problem.get("rule") in LIFECYCLE, (status, command_type.__name__, problem)
    assert diarium.get_case(_case(client, "closed")).takes(RecordExtractSent)
