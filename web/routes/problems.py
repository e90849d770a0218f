"""``/problems/<type>``: what each problem type means, as a page (HTML, Swedish with English)
or, asked for with ``Accept: application/json``, as JSON. Public: it holds no data."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request

from diarium.web.auth import public
from diarium.web.problems import PROBLEM_TYPES, ProblemType, problem

api = Blueprint("problems", __name__, url_prefix="/problems")
_DOCUMENTED = """
  responses:
    "200":
      description: The documentation (HTML by default; JSON with Accept application/json)
      content:
        text/html: {schema: {type: string}}
        application/json: {schema: {type: %s}}%s
"""


def described(slug: str, kind: ProblemType) -> dict[str, Any]:
    """The JSON documentation of one problem type."""
    return {
        "type": f"/problems/{slug}", "title": kind.title, "statuses": list(kind.statuses),
        "description": kind.when, "action": kind.action,
        "sv": {"title": kind.title_sv, "description": kind.when_sv, "action": kind.action_sv},
    }


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(
        ["text/html", "application/json", "application/problem+json"])
    return best is not None and best != "text/html"


def _answer(kinds: list[tuple[str, ProblemType]], heading: str, single: bool) -> Response:
    if _wants_json():
        documented = [described(slug, kind) for slug, kind in kinds]
        return jsonify(documented[0] if single else documented)
    return Response(render_template("problems.html", kinds=kinds, heading=heading,
                                    single=single), mimetype="text/html")


@api.get("")
@public  # documentation of the error types, no data
def index() -> Response:
    return _answer(list(PROBLEM_TYPES.items()), "Problemtyper (problem types)", single=False)


index.__doc__ = f"""Every problem type
---
get:
  summary: Every problem type a response can have, with its statuses and what to do
{_DOCUMENTED % ("array, items: {type: object}", "")}"""


@api.get("/<slug>")
@public
def problem_type(slug: str) -> Response:
    kind = PROBLEM_TYPES.get(slug)
    if kind is None:
        return problem(404, "not-found", "No such problem type",
                       f"No problem type {slug!r}; see /problems.")
    return _answer([(slug, kind)], f"{kind.title_sv} ({kind.title})", single=True)


problem_type.__doc__ = f"""One problem type
---
get:
  summary: What a problem type means, when it happens and what to do
  description: "The types: {", ".join(PROBLEM_TYPES)}."
{_DOCUMENTED % ("object", '''
    "404": {$ref: "#/components/responses/NotFound"}''')}"""
