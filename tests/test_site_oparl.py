"""Open data as OParl 1.1 (``/oparl/v1.1/``), crawled from the System as the public: every
object validates against its vendored OParl 1.1 schema (tests/data/oparl/), every list is
reached, lists page and filter by ``modified_since``, bad parameters are 400 problems, and no
secret text of the leak test's world appears anywhere."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft4Validator, FormatChecker

from tests import meetings_support as ms
from tests.test_leaks import DNR, MARK, OTHER, SECRET_TITLE, world  # noqa: F401 (the fixture)

SCHEMAS = Path(__file__).parent / "data" / "oparl"
SYSTEM = "/oparl/v1.1/system"
TYPE = "https://schema.oparl.org/1.1/"
LISTS = ("organization", "person", "meeting", "paper", "membership", "file",
         "legislativeTermList")


def schema(kind: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / f"{kind}.json").read_text(encoding="utf-8"))


def validate(obj: dict[str, Any]) -> dict[str, str]:
    """Validate an OParl object and the objects embedded in it (the schemas name them with
    the keyword ``schema``); the types of all of them, by id."""
    kind = obj["type"].removeprefix(TYPE)
    found = schema(kind)
    types = {obj["id"]: kind}
    errors = [e.message for e in Draft4Validator(found, format_checker=FormatChecker())
              .iter_errors(obj)]
    assert errors == [], (kind, obj["id"], errors)
    for name, spec in found["properties"].items():
        inner = spec.get("schema") or (spec.get("items") or {}).get("schema")
        if inner and name in obj and isinstance(obj[name], (dict, list)):
            for item in obj[name] if isinstance(obj[name], list) else [obj[name]]:
                assert item["type"] == TYPE + inner.removesuffix(".json"), (name, item)
                types.update(validate(item))
    for key in ("id", "web"):
        if key in obj:
            assert obj[key].startswith("http://localhost/"), obj[key]
    assert obj.get("created") and obj.get("modified"), obj["id"]
    return types


def path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def urls_in(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for value in node.values():
            yield from urls_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from urls_in(value)
    elif isinstance(node, str) and node.startswith("http://localhost/oparl/"):
        yield node


def crawl(public: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """Every answer under /oparl reached from the System by following every URL given;
    the types of the objects seen (by id)."""
    seen: dict[str, Any] = {}
    types: dict[str, str] = {}
    todo = [SYSTEM]
    while todo:
        at = todo.pop()
        if at in seen:
            continue
        response = public.get(at)
        assert response.status_code == 200, (at, response.status_code)
        assert MARK not in response.get_data(as_text=True).lower(), at
        body = seen[at] = response.get_json()
        objects = body.get("data", [body])
        for obj in objects:
            types.update(validate(obj))
        todo.extend(path(u) for u in urls_in(body) if path(u) not in seen)
    return seen, types


@pytest.fixture
def public(client_as: Any, world: dict[str, Any]) -> Any:  # noqa: F811
    return client_as(None)


def test_every_object_type_validates_and_every_list_is_reached(public: Any) -> None:
    seen, types = crawl(public)
    assert set(types.values()) == {
        "System", "Body", "Organization", "Person", "Membership", "Meeting", "AgendaItem",
        "Paper", "Consultation", "File", "LegislativeTerm", "Location"}
    body = public.get("/oparl/v1.1/body/RS").get_json()
    for name in LISTS:
        assert path(body[name]) in seen, name
    papers = {p["reference"]: p for p in seen["/oparl/v1.1/body/RS/paper"]["data"]}
    assert set(papers) == {DNR, OTHER}
    assert papers[DNR]["name"] == "Utredning enligt socialtjänstlagen"  # the public title
    assert papers[DNR]["web"] == f"http://localhost/diarium/{DNR}"
    assert papers[DNR]["consultation"][0]["meeting"].endswith(f"/meeting/{ms.REF}")
    meeting = public.get(f"/oparl/v1.1/meeting/{ms.REF}").get_json()
    assert meeting["resultsProtocol"]["accessUrl"] == (
        f"http://localhost/moten/{ms.REF}/protokoll.pdf")
    person = public.get(path(meeting["participant"][0])).get_json()
    assert set(person) <= {"id", "type", "body", "name", "membership", "created",
                           "modified"}
    terms = {t["name"] for t in body["legislativeTerm"]}
    assert {"Mandatperioden 2019–2022", "Mandatperioden 2023–2026"} <= terms


def test_the_secret_title_is_nowhere_under_oparl(public: Any, client: Any) -> None:
    seen, _ = crawl(public)
    for at, answer in seen.items():
        assert SECRET_TITLE not in json.dumps(answer, ensure_ascii=False), at
    # the same crawl with a token that may read the secret case still shows the public view
    staff, _ = crawl(client)
    assert seen.keys() == staff.keys()
    assert all(MARK not in json.dumps(a, ensure_ascii=False).lower() for a in staff.values())


def test_lists_page_and_filter_by_modification(public: Any, client: Any) -> None:
    first = public.get("/oparl/v1.1/body/RS/person?limit=5").get_json()
    assert first["pagination"]["totalElements"] == len(ms.RS_MEMBERS)
    assert first["pagination"]["totalPages"] == 3 and len(first["data"]) == 5
    names, at = [], "/oparl/v1.1/body/RS/person?limit=5"
    while at:
        page = public.get(at).get_json()
        names += [p["name"] for p in page["data"]]
        at = path(page["links"]["next"]) if "next" in page["links"] else ""
    assert names == [m[0] for m in ms.RS_MEMBERS]  # in the order they were appointed
    papers = public.get("/oparl/v1.1/body/RS/paper").get_json()["data"]
    since = max(p["modified"] for p in papers)
    ms.ok(client.post(f"/api/cases/{OTHER}/documents", json={
        "direction": "outgoing", "date": "2020-09-05", "counterpart": "Bokföringsbyrån AB",
        "description": "Svar"}), 201)
    changed = public.get("/oparl/v1.1/body/RS/paper", query_string={
        "modified_since": since}).get_json()
    assert [p["reference"] for p in changed["data"]] == [OTHER]
    later = changed["data"][0]["modified"]
    assert public.get("/oparl/v1.1/body/RS/paper", query_string={
        "modified_until": since}).get_json()["pagination"]["totalElements"] == 1
    assert later > since


@pytest.mark.parametrize("query", [
    "page=0", "page=x", "limit=1000", "limit=", "modified_since=yesterday",
    "created_until=2020-13-01", "modified_since=2020-01-01&modified_since=2020-01-02",
    "unknown=1", "modified_since=0001-01-01",
])
def test_bad_parameters_are_400_problems(public: Any, query: str) -> None:
    response = public.get(f"/oparl/v1.1/body/RS/paper?{query}")
    assert response.status_code == 400, query
    assert response.content_type == "application/problem+json"
    assert response.get_json()["invalid-params"]


def test_unknown_objects_are_404(public: Any) -> None:
    for at in ("/oparl/v1.1/body/XX", "/oparl/v1.1/paper/9-2020", "/oparl/v1.1/person/x",
               "/oparl/v1.1/meeting/RS-2020-01-01", "/oparl/v1.1/legislativeterm/2020",
               "/oparl/v1.1/body/RS/party/XYZ", "/oparl/v1.1/body/RS/membership/99",
               f"/oparl/v1.1/meeting/{ms.REF}/agendaitem/99"):
        response = public.get(at)
        assert response.status_code == 404, at
        assert response.content_type == "application/problem+json", at


def test_personal_identity_numbers_are_masked(public: Any, client: Any) -> None:
    number = "19121212-1212"
    ref = ms.schedule(client, day="2020-11-18")
    ms.ok(client.post(f"/api/meetings/{ref}/agenda", json={
        "kind": "other", "title": f"Information om {number}", "added_on": "2020-09-30"}), 201)
    ms.ok(client.post("/api/bodies/RS/members", json={
        "name": f"Nils {number}", "party": f"Parti {number}", "role": "ersättare",
        "period_from": "2019-01-01", "period_to": "2022-12-31"}), 201)
    seen, _ = crawl(public)
    shown = json.dumps(seen, ensure_ascii=False)
    assert number not in shown and "191212" not in shown
    assert "Information om ÅÅÅÅMMDD-XXXX" in shown and "Nils ÅÅÅÅMMDD-XXXX" in shown


def test_a_listed_paper_is_the_paper_itself(public: Any) -> None:
    """A list reads its page's papers from the diary's rows in one query; each is the same
    object as the paper read alone (secret titles withheld alike)."""
    listed = public.get("/oparl/v1.1/body/RS/paper?limit=100").get_json()["data"]
    assert listed
    for paper in listed:
        alone = public.get(path(paper["id"])).get_json()
        assert paper == alone, paper["reference"]
