"""Shared set-up for the meeting tests: Regionstyrelsen (RS) and its members in 2020, from
seeds 000, 001, 002 and 004, recorded through the HTTP API."""

from __future__ import annotations

from typing import Any

MEETING = "2020-10-14"
REF = "RS-2020-10-14"
CHAIR = "Kenneth Backgård"

# name, party, role, position
RS_MEMBERS: list[tuple[str, str, str, str | None]] = [
    ("Kenneth Backgård", "SJVP", "ledamot", "ordförande"),
    ("Linda Frohm", "M", "ledamot", "förste vice ordförande"),
    ("Anders Öberg", "S", "ledamot", "andre vice ordförande"),
    ("Glenn Berggård", "V", "ledamot", None),
    ("Marianne Sandström", "SD", "ledamot", None),
    ("Nils-Olov Lindfors", "C", "ledamot", None),
    ("Elisabeth Lindberg", "S", "ledamot", None),
    ("Carina Strömbäck", "S", "ledamot", None),
    ("Ann-Sofie Isaksson", "S", "ledamot", None),
    ("Johannes Sundelin", "S", "ledamot", None),
    ("Anna-Stina Nordmark Nilsson", "SJVP", "ledamot", None),
    ("Doris Messner", "SJVP", "ersättare", None),
    ("Anita Sköld", "M", "ersättare", None),
]
SERVING = [m[0] for m in RS_MEMBERS if m[2] == "ledamot"]


def ok(response: Any, status: int = 200) -> Any:
    """The JSON of a response that must have ``status``."""
    assert response.status_code == status, (response.status_code, response.get_json())
    return response.get_json()


def refused(response: Any, rule: str) -> dict[str, Any]:
    """A 409 problem naming ``rule``."""
    assert response.status_code == 409, (response.status_code, response.get_json())
    assert response.content_type == "application/problem+json"
    problem = response.get_json()
    assert problem["rule"] == rule, problem
    return problem


def setup_bodies(client: Any, *, last_paragraph: int = 159) -> None:
    """RF and RS with RS's members; RS's 2020 numbering continues after § 159."""
    ok(client.post("/api/bodies", json={
        "code": "RF", "name": "Regionfullmäktige", "kind": "fullmäktige",
        "established_on": "2019-01-01",
    }), 201)
    ok(client.post("/api/bodies", json={
        "code": "RS", "name": "Regionstyrelsen", "kind": "styrelse", "parent": "RF",
        "established_on": "2019-01-01",
    }), 201)
    for name, party, role, position in RS_MEMBERS:
        ok(client.post("/api/bodies/RS/members", json={
            "name": name, "party": party, "role": role, "position": position,
            "period_from": "2019-01-01", "period_to": "2022-12-31",
        }), 201)
    if last_paragraph:
        ok(client.post("/api/bodies/RS/paragraph-years", json={
            "year": 2020, "last_paragraph": last_paragraph,
        }), 201)


def register_case(client: Any, dnr: str, title: str, body: str = "RS") -> None:
    ok(client.post("/api/cases", json={
        "title": title, "responsible_body": body, "dnr": dnr, "registered_on": "2020-09-01",
    }), 201)


def schedule(client: Any, body: str = "RS", day: str = MEETING) -> str:
    return ok(client.post("/api/meetings", json={
        "body": body, "date": day, "place": "Regionhuset, Luleå", "starts_at": "09.00",
        "scheduled_on": "2020-01-15",
    }), 201)["ref"]


def attend(client: Any, ref: str = REF, attendees: list[dict[str, Any]] | None = None) -> None:
    """Every RS ledamot serves, the ersättare are present without serving, the secretary."""
    if attendees is None:
        attendees = [{"name": n, "capacity": "ledamot"} for n in SERVING]
        attendees += [
            {"name": "Doris Messner", "capacity": "ersättare"},
            {"name": "Linda Ylivainio", "capacity": "övrig", "title": "sekreterare"},
        ]
    ok(client.put(f"/api/meetings/{ref}/attendance", json={
        "chair": CHAIR, "secretary": "Linda Ylivainio", "attendees": attendees,
    }))
    ok(client.put(f"/api/meetings/{ref}/adjusters", json={"adjusters": ["Glenn Berggård"]}))


def paragraph(client: Any, title: str, dnr: str | None = None, ref: str = REF) -> int:
    """Open the next paragraph (putting its case on the agenda first) and return its §."""
    if dnr is not None:
        agenda = ok(client.get(f"/api/meetings/{ref}"))["agenda"]
        if not any(item["dnr"] == dnr for item in agenda):
            ok(client.post(f"/api/meetings/{ref}/agenda", json={
                "kind": "case", "title": title, "dnr": dnr, "added_on": "2020-09-30",
            }), 201)
    return ok(client.post(f"/api/meetings/{ref}/paragraphs", json={
        "title": title, "dnr": dnr,
    }), 201)["paragraph"]


def decide(
    client: Any, number: int, text: str = "Regionstyrelsen beslutar enligt förslaget.",
    kind: str = "decided", higher_body: str | None = None, ref: str = REF,
) -> Any:
    return client.post(f"/api/meetings/{ref}/paragraphs/{number}/decision", json={
        "kind": kind, "text": text, "higher_body": higher_body,
    })


def motion(
    client: Any, number: int, mover: str | None, text: str = "bifalla förslaget.",
    supporters: list[str] | None = None, ref: str = REF,
) -> Any:
    return client.post(f"/api/meetings/{ref}/paragraphs/{number}/motions", json={
        "mover": mover, "text": text, "supporters": supporters or [],
    })


def close_and_adjust(client: Any, ref: str = REF, adjusted_on: str = "2020-10-19") -> None:
    ok(client.post(f"/api/meetings/{ref}/close", json={"closed_at": "16.10"}))
    ok(client.post(f"/api/meetings/{ref}/adjustment", json={
        "signed_by": [CHAIR, "Glenn Berggård"], "adjusted_on": adjusted_on,
    }))
