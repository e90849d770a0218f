"""Findings of an outside attacker's test: text no store, CSV or XML can carry safely is
refused at the door (web/text.py), JSON bodies are parsed with bounded depth, dates of queries
lie in a sane range, CSV cells are neutralised, the XML export always parses, and every
response carries safe headers."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from lxml import etree
from marshmallow import Schema, fields

from diarium.cases.application import Diarium
from diarium.domain.case.lifecycle import RegisterCase
from diarium.web import create_app
from tests.bodies_support import SETUP_EVENTS, diarium_with_bodies  # noqa: F401
from tests.projections_support import ACTOR

CASE = {"title": "Förstudie", "responsible_body": "RS", "registered_on": "2020-09-22"}
REFUSED_EVERYWHERE = ["\x00", "\x01", "\x1f", "\x7f", "\x85", "\x9f", "\ufdd0", "\ufdef",
                      "\ufffe", "\uffff", "\U0001fffe", "\U0010ffff"]
LINE_BREAKS = ["\t", "\n", "\r"]


def invalid(response: Any) -> list[str]:
    """The names of the parameters a problem response names."""
    assert response.content_type == "application/problem+json", response.get_data(as_text=True)
    return [p["name"] for p in response.get_json().get("invalid-params", [])]


# -- A: every text field of every schema -------------------------------------------------------


def _strings(field: fields.Field) -> list[fields.Field]:
    """The string fields in ``field`` (itself, list items, dict keys and values, tuples)."""
    inner: list[fields.Field | None] = []
    if isinstance(field, fields.List):
        inner = [field.inner]
    elif isinstance(field, fields.Dict):
        inner = [field.key_field, field.value_field]
    elif isinstance(field, fields.Tuple):
        inner = list(field.tuple_fields)
    found = [field] if isinstance(field, fields.String) else []
    return found + [s for f in inner if f is not None for s in _strings(f)]


def _subclasses(cls: type) -> set[type]:
    return {s for c in cls.__subclasses__() for s in {c, *_subclasses(c)}}


def test_every_string_field_of_every_schema_is_checked() -> None:
    from diarium.web.schemas.cases import Text

    create_app(Diarium("sqlite:///:memory:"))  # imports every route and its schemas
    schemas = [s for s in _subclasses(Schema) if not s.__module__.startswith("marshmallow.")
               or s.__name__.endswith("Schema")]
    assert len(schemas) > 60
    unchecked = [
        f"{schema.__module__}.{schema.__name__}.{name}"
        for schema in schemas
        for name, field in schema._declared_fields.items()
        for string in _strings(field)
        if not isinstance(string, Text)
    ]
    assert unchecked == []


@pytest.mark.parametrize("character", REFUSED_EVERYWHERE + LINE_BREAKS)
def test_short_texts_refuse_control_characters(client: Any, character: str) -> None:
    response = client.post("/api/cases", json={**CASE, "title": f"nul{character}byte"})
    assert response.status_code == 422
    assert invalid(response) == ["title"]


def test_a_nul_title_is_refused_and_nothing_is_recorded(client: Any, diarium: Diarium) -> None:
    response = client.post("/api/cases", json={**CASE, "title": "nul\u0000byte"})
    assert response.status_code == 422
    assert "U+0000" in response.get_json()["invalid-params"][0]["reason"]
    assert diarium.recorder.max_notification_id() == SETUP_EVENTS  # the bodies only


def test_long_texts_take_line_breaks_but_no_other_controls(client: Any) -> None:
    dnr = client.post("/api/cases", json=CASE).get_json()["dnr"]
    document = {"direction": "incoming", "date": "2020-09-22", "counterpart": "Luleå kommun"}
    for text in ("Rad ett\r\nRad två\tmed tabb", "Åäö 😀"):
        ok = client.post(f"/api/cases/{dnr}/documents", json={**document, "description": text})
        assert ok.status_code == 201, ok.get_json()
    for character in REFUSED_EVERYWHERE:
        refused = client.post(f"/api/cases/{dnr}/documents",
                              json={**document, "description": f"a{character}b"})
        assert refused.status_code == 422
        assert invalid(refused) == ["description"]
    tabbed = client.post(f"/api/cases/{dnr}/documents",
                         json={**document, "description": "ok", "counterpart": "a\tb"})
    assert invalid(tabbed) == ["counterpart"]


def test_list_items_and_nested_texts_are_checked(client: Any) -> None:
    dnr = client.post("/api/cases", json={**CASE, "officer": "tester"}).get_json()["dnr"]
    response = client.post(f"/api/cases/{dnr}/referrals",
                           json={"recipients": ["HSN", "R\x00UN"], "answer_by": "2020-12-01"})
    assert response.status_code == 422
    assert invalid(response) == ["recipients.1"]


@pytest.mark.parametrize("path", [
    "/api/registers/diary?q=nul%00byte",
    "/api/registers/decisions?body=R%01S",
    "/api/audit/events?actor=a%00b",
    "/api/feed?types=case.registered%7F",
])
def test_query_parameters_refuse_control_characters(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert response.get_json()["type"] == "/problems/invalid-query"
    assert invalid(response) == [path.split("?")[1].split("=")[0]]


def test_path_parameters_refuse_control_characters(client: Any) -> None:
    for path in ("/api/cases/1%002020", "/api/webhooks/ab%00cd", "/api/meetings/RS%01"):
        response = client.get(path)
        assert response.status_code == 404
        assert len(invalid(response)) == 1


# -- D: inputs that gave 500 -------------------------------------------------------------------


def test_json_nested_100k_deep_is_a_4xx_naming_the_body(client: Any) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    for path in ("/api/cases", "/api/cases/1-2020/documents", "/api/webhooks"):
        response = client.post(path, data=deep, content_type="application/json")
        assert response.status_code == 422, path
        assert invalid(response) == ["body"]
    nested = json.dumps({**CASE, "title": [[[[["x"]]]]]})
    assert client.post("/api/cases", data=nested, content_type="application/json"
                       ).status_code == 422


def test_a_raw_lone_surrogate_is_a_4xx_naming_the_field(client: Any) -> None:
    body = '{"title": "\\ud800", "responsible_body": "RS"}'
    response = client.post("/api/cases", data=body, content_type="application/json")
    assert response.status_code == 422
    assert invalid(response) == ["title"]
    key = client.post("/api/cases", data='{"\\udfff": 1}', content_type="application/json")
    assert key.status_code == 422
    assert invalid(key) == ["body"]


@pytest.mark.parametrize("query", [
    "recorded_from=0001-01-01", "recorded_to=9999-12-31T23:59:59", "occurred_from=0001-01-01",
])
def test_dates_out_of_range_are_a_400_naming_the_parameter(client: Any, query: str) -> None:
    response = client.get(f"/api/audit/events?{query}")
    assert response.status_code == 400
    assert invalid(response) == [query.split("=")[0]]


def test_as_of_out_of_range_is_a_400_naming_it(client: Any) -> None:
    dnr = client.post("/api/cases", json=CASE).get_json()["dnr"]
    for value in ("0001-01-01T00:00:00", "0001-01-01", "9999-12-31T23:59:59+14:00"):
        response = client.get(f"/api/audit/cases/{dnr}?as_of={value}")
        assert response.status_code == 400, value
        assert response.get_json()["type"] == "/problems/invalid-query"
        assert invalid(response) == ["as_of"]


# -- E: bodies that are not JSON: one problem type, never the web framework's words ------------

BODY_ROUTES = ["/api/cases", "/api/cases/1-2020/documents", "/api/webhooks", "/api/bodies",
               "/api/tokens"]
MALFORMED_BODIES = {  # name: (data, content type, status, problem type)
    "form": ("title=x", "application/x-www-form-urlencoded", 400, "malformed-body"),
    "no content type": (json.dumps(CASE), None, 400, "malformed-body"),
    "text/plain": (json.dumps(CASE), "text/plain", 400, "malformed-body"),
    "not json": ("{not json", "application/json", 400, "malformed-body"),
    "invalid utf-8": (b'{"title": "\xff\xfe"}', "application/json", 400, "malformed-body"),
    "empty": ("", "application/json", 400, "malformed-body"),
    "over 1 MiB": (b"[" + b"1," * 600_000 + b"1]", "application/json", 413, "body-too-large"),
}


def malformed(client: Any, path: str, body: str) -> Any:
    data, content_type, _, _ = MALFORMED_BODIES[body]
    headers = {} if content_type is None else {"Content-Type": content_type}
    return client.post(path, data=data, headers=headers)


@pytest.mark.parametrize("body", list(MALFORMED_BODIES))
def test_a_body_that_is_not_json_is_a_problem_of_its_own_type(client: Any, body: str) -> None:
    _, _, status, kind = MALFORMED_BODIES[body]
    client.post("/api/cases", json=CASE)  # 1-2020, for its documents route
    for path in BODY_ROUTES:
        response = malformed(client, path, body)
        assert response.status_code == status, (path, response.get_data(as_text=True))
        assert response.content_type == "application/problem+json"
        problem = response.get_json()
        assert problem["type"] == f"/problems/{kind}", path
        assert "browser" not in problem.get("detail", "") and problem["status"] == status


def test_http_errors_have_types_too(client: Any) -> None:
    for method, path, status, kind in [
        ("get", "/api/nowhere", 404, "not-found"),
        ("delete", "/api/cases", 405, "method-not-allowed"),
        ("get", "/problems/no-such-type", 404, "not-found"),
    ]:
        response = getattr(client, method)(path)
        assert response.status_code == status, path
        assert response.get_json()["type"] == f"/problems/{kind}", path
        assert "about:blank" not in response.get_data(as_text=True)
    assert "POST" in client.delete("/api/cases").headers["Allow"]


# -- B: CSV formula injection ------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example/")', "+1+cmd|'/C calc'!A0", "-2+3", "@SUM(A1:A2)",
            "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize(("query", "delimiter", "title", "sequence"), [
    ("format=csv", ",", "title", "sequence"),
    ("dialect=excel-sv", ";", "Ärendemening", "Löpnummer"),
])
def test_csv_cells_never_start_a_formula(
    diarium: Diarium, client: Any, query: str, delimiter: str, title: str, sequence: str
) -> None:
    from diarium.projections.runner import Projector

    titles = [*FORMULAS, "a;b", '=1;"2"']
    for text in titles:  # tab and CR are refused at the door: written through the app
        diarium.register_case(RegisterCase(title=text, responsible_body="RS"), ACTOR)
    Projector(diarium).catch_up()
    response = client.get(f"/api/registers/diary?{query}")
    text = response.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))
    expected = [t if t == "a;b" else f"'{t}" for t in titles]
    assert sorted(r[title] for r in rows) == sorted(expected)
    assert all(r[sequence].isdigit() for r in rows)  # numbers untouched


# -- C: the XML export always parses -----------------------------------------------------------


def test_the_xml_export_parses_whatever_the_texts_hold(diarium: Diarium, client: Any) -> None:
    dnr = diarium.register_case(RegisterCase(
        title="kontroll\x00\x01\x08\x0b\x1f\x7f\ufffe\uffff tecken", responsible_body="RS",
        officer="anna\x1b",
    ), ACTOR).dnr
    response = client.get(f"/api/audit/cases/{dnr}/export?format=xml")
    assert response.status_code == 200
    root = etree.fromstring(response.get_data())
    texts = " ".join(root.itertext())
    assert "kontroll\ufffd\ufffd" in texts
    from tests.archive_support import assert_valid_erms

    assert_valid_erms(root)  # the official ERMS_v3.xsd and its Schematron rules


# -- E: security headers on every route --------------------------------------------------------

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def _paths(app: Any) -> list[tuple[str, str]]:
    """Every route of the app with its methods and made-up arguments."""
    found = []
    for rule in app.url_map.iter_rules():
        path = rule.rule
        for argument in rule.arguments:
            path = path.replace(f"<{argument}>", "1").replace(f"<path:{argument}>", "1")
            path = path.replace(f"<int:{argument}>", "1")
        if path.endswith("/stream"):  # the SSE stream ends at once
            path += "?timeout=0"
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    return found


def test_every_response_of_every_route_has_safe_headers(app: Any, client_as: Any) -> None:
    routes = _paths(app)
    assert len(routes) > 50
    for who in (client_as(), client_as(None)):
        for method, path in routes:
            response = who.open(path, method=method, json={})
            for name, value in HEADERS.items():
                assert response.headers.get(name) == value, (method, path, name)
            csp = response.headers["Content-Security-Policy"]
            assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
            if response.mimetype != "text/html":
                assert csp.startswith("default-src 'none'"), (method, path)
            if who.environ_base.get("HTTP_AUTHORIZATION"):
                assert response.headers["Cache-Control"] == "no-store", (method, path)


def test_the_protocol_page_has_no_inline_style_and_its_stylesheet_is_served(app: Any) -> None:
    from pathlib import Path

    template = (Path(app.root_path) / "templates" / "protocol.html").read_text()
    assert "<style" not in template and "style=" not in template
    css = app.test_client().get("/static/protocol.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert "font-family" in css.get_data(as_text=True)
    assert css.headers["X-Content-Type-Options"] == "nosniff"


def test_an_unexpected_error_is_a_500_problem_without_its_text(diarium: Diarium) -> None:
    from diarium.web.auth import public

    app = create_app(diarium)

    @public
    def boom() -> Any:
        raise RuntimeError("secret detail of the failure")

    app.add_url_rule("/boom", "boom", boom)
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert response.content_type == "application/problem+json"
    assert response.get_json()["type"] == "/problems/internal-error"
    assert "secret" not in response.get_data(as_text=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_paragraph_beyond_every_integer_column_is_refused(client: Any) -> None:
    dnr = client.post("/api/cases", json=CASE).get_json()["dnr"]
    response = client.post(f"/api/cases/{dnr}/decisions", json={
        "kind": "decided", "text": "Beslutar.", "decided_on": "2020-10-01", "body": "RS",
        "paragraph": 2**70,
    })  # it would stop (now: be skipped by) the decisions projection
    assert response.status_code == 422
    assert invalid(response) == ["paragraph"]
