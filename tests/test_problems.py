"""One vocabulary of problem types (web/problems.py): every problem response names a type of
PROBLEM_TYPES, with a status that type documents, and ``GET /problems/<type>`` documents it
(HTML, and JSON when asked for), without a token."""

from __future__ import annotations

from typing import Any

import pytest
from markupsafe import escape

from diarium.web.problems import PROBLEM_TYPES
from tests.meetings_support import setup_bodies
from tests.test_hostile_input import BODY_ROUTES, CASE, MALFORMED_BODIES, malformed

FEW_ROLES = ("registrar",)


def test_every_type_has_a_page_in_html_and_json(client_as: Any) -> None:
    anonymous = client_as(None)
    for slug, kind in PROBLEM_TYPES.items():
        page = anonymous.get(f"/problems/{slug}")
        assert page.status_code == 200 and page.mimetype == "text/html", slug
        text = page.get_data(as_text=True)
        assert all(str(escape(t)) in text for t in (kind.title_sv, kind.when, kind.action_sv))
        described = anonymous.get(f"/problems/{slug}", headers={"Accept": "application/json"})
        assert described.get_json() == {
            "type": f"/problems/{slug}", "title": kind.title, "statuses": list(kind.statuses),
            "description": kind.when, "action": kind.action,
            "sv": {"title": kind.title_sv, "description": kind.when_sv,
                   "action": kind.action_sv},
        }
    index = anonymous.get("/problems", headers={"Accept": "application/json"}).get_json()
    assert [t["type"] for t in index] == [f"/problems/{slug}" for slug in PROBLEM_TYPES]
    assert all(f'href="/problems/{slug}"' in anonymous.get("/problems").get_data(as_text=True)
               for slug in PROBLEM_TYPES)
    unknown = anonymous.get("/problems/about:blank")
    assert unknown.status_code == 404
    assert unknown.get_json()["type"] == "/problems/not-found"


def test_the_openapi_document_names_the_types(client: Any) -> None:
    spec = client.get("/api/openapi.json").get_json()
    kinds = spec["components"]["schemas"]["Problem"]["properties"]["type"]["enum"]
    assert kinds == [f"/problems/{slug}" for slug in PROBLEM_TYPES]
    assert "/problems/{slug}" in spec["paths"] and "/problems" in spec["paths"]
    feed = spec["paths"]["/api/feed"]["get"]["responses"]
    assert "400" in feed and "422" not in feed  # a bad query parameter is a 400
    assert "400" in spec["paths"]["/api/cases"]["post"]["responses"]  # a body not JSON


def _hostile(client: Any, client_as: Any) -> list[tuple[str, Any]]:
    """Responses to hostile and faulty requests across the API: (what, response)."""
    setup_bodies(client)
    dnr = client.post("/api/cases", json=CASE).get_json()["dnr"]
    client.post(f"/api/cases/{dnr}/close", json={"closed_on": "2020-09-23"})
    registrar = client_as(*FEW_ROLES, name="problems.registrar", bodies=["RS"])
    seen = [(f"{body} to {path}", malformed(client, path, body))
            for body in MALFORMED_BODIES for path in BODY_ROUTES]
    gets = {
        "unknown route": "/api/nowhere", "unknown case": "/api/cases/999-1999",
        "bad as_of": f"/api/audit/cases/{dnr}?as_of=yesterday",
        "as_of out of range": f"/api/audit/cases/{dnr}?as_of=0001-01-01",
        "bad register filter": "/api/registers/documents?registered_on=igår",
        "bad dialect": "/api/registers/documents?dialect=excel-us",
        "unknown register parameter": "/api/registers/diary?nonsense=1",
        "bad cursor": "/api/registers/diary?cursor=garbage",
        "bad feed parameter": "/api/feed?after=x", "beyond the head": "/api/feed?after=99999",
        "control character in a query": "/api/audit/events?actor=a%00b",
        "control character in a path": "/api/cases/1%002020",
        "unknown problem type": "/problems/nonsense",
        "unknown meeting": "/api/meetings/RS-1999-01-01",
    }
    seen += [(what, client.get(path)) for what, path in gets.items()]
    seen += [
        ("invalid body", client.post("/api/cases", json={"title": ""})),
        ("rule broken", client.post(f"/api/cases/{dnr}/close",
                                    json={"closed_on": "2020-09-24"})),
        ("method", client.delete("/api/cases")),
        ("no token", client_as(None).get("/api/registers/diary")),
        ("bad token", client_as(None).get("/api/cases/1-2020",
                                          headers={"Authorization": "Bearer nonsense"})),
        ("role", registrar.get("/api/audit/verify")),
    ]
    return seen


def test_every_problem_a_hostile_request_gets_is_documented(
    client: Any, client_as: Any
) -> None:
    anonymous = client_as(None)
    found: dict[str, set[int]] = {}
    for what, response in _hostile(client, client_as):
        assert response.status_code >= 400, what
        assert response.content_type == "application/problem+json", what
        problem = response.get_json()
        assert problem["status"] == response.status_code, what
        slug = problem["type"].removeprefix("/problems/")
        assert slug in PROBLEM_TYPES, (what, problem)
        assert response.status_code in PROBLEM_TYPES[slug].statuses, (what, problem)
        found.setdefault(slug, set()).add(response.status_code)
    for slug in found:
        assert anonymous.get(f"/problems/{slug}").status_code == 200, slug
    assert set(found) >= {
        "malformed-body", "invalid-body", "invalid-query", "unauthenticated", "forbidden",
        "not-found", "method-not-allowed", "body-too-large", "rule-violation",
        "position-beyond-head",
    }
    assert found["invalid-query"] == {400}  # one status for every bad query parameter


@pytest.mark.parametrize("path", ["/api/audit/cases/1-2020?as_of=yesterday",
                                  "/api/registers/diary?registered_from=yesterday",
                                  "/api/feed?limit=many"])
def test_a_bad_query_parameter_is_a_400_everywhere(client: Any, path: str) -> None:
    client.post("/api/cases", json=CASE)
    response = client.get(path)
    assert response.status_code == 400
    assert response.get_json()["type"] == "/problems/invalid-query"
    assert response.get_json()["invalid-params"]
