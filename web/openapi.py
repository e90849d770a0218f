"""The OpenAPI document, generated from the marshmallow schemas and route docstrings."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec_webframeworks.flask import FlaskPlugin
from flask import Flask
from werkzeug.routing import IntegerConverter

from diarium.web.problems import PROBLEM_TYPES
from diarium.web.schemas import cases as schemas

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "properties": {
        "type": {"type": "string", "enum": [f"/problems/{slug}" for slug in PROBLEM_TYPES],
                 "description": "The problem type; GET it for what it means and what to do"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "rule": {"type": "string", "description": "Code of the broken rule (409)"},
        "head": {"type": "integer", "description": "The feed log's head position "
                                                   "(position-beyond-head, 409)"},
        "invalid-params": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "reason": {"type": "string"}},
            },
        },
    },
    "required": ["type", "title", "status"],
}


def _problem_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }


def build_spec(app: Flask) -> dict[str, Any]:
    """Describe every documented route of ``app``."""
    spec = APISpec(
        title="diarium",
        version="0.1.0",
        openapi_version="3.0.3",
        plugins=[FlaskPlugin(), MarshmallowPlugin()],
        info={"description": "Event-sourced case management for Swedish public bodies."},
    )
    spec.components.schema("Problem", PROBLEM_SCHEMA)
    position = {"type": "integer", "minimum": 0}  # the feed's head (web/routes/feed.py)
    spec.components.header("Head", {"description": "The log's head position", "schema": position})
    for name, description in {
        "NotFound": "No such resource",
        "Conflict": "A rule of the process was broken, or a concurrent write won",
        "Invalid": "The body has invalid fields (invalid-body)",
        "BadQuery": "A query parameter is unknown, repeated or invalid (invalid-query)",
        "Malformed": "The body is not JSON, or not sent as application/json (malformed-body)",
        "TooLarge": "The file is over the size limit (file-too-large)",
        "Forbidden": "The token may not read this: a role, a body, or secret content",
    }.items():
        spec.components.response(name, _problem_response(description))
    for name in dir(schemas):
        value = getattr(schemas, name)
        if (
            isinstance(value, type)
            and issubclass(value, schemas.Schema)
            and value not in (schemas.Schema, schemas.CommandSchema)
            and name.removesuffix("Schema") not in spec.components.schemas  # added as nested
        ):
            spec.components.schema(name.removesuffix("Schema"), schema=value)
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            view = app.view_functions[rule.endpoint]
            if view.__doc__ and "---" in view.__doc__:
                spec.path(view=view, app=app, parameters=_path_parameters(rule))
    return ecma_patterns(spec.to_dict())


def ecma_patterns(node: Any) -> Any:
    """Write the schemas' regular expressions as OpenAPI means them (ECMA-262, unanchored
    search), with the meaning marshmallow gives them (Python ``re.match``: anchored at the
    start): ``\\A``/``\\Z`` become ``^``/``$`` and every pattern is anchored at its start."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                value = value.replace("\\A", "^").replace("\\Z", "$")
                node[key] = value if value.startswith("^") else f"^(?:{value})"
            else:
                ecma_patterns(value)
    elif isinstance(node, list):
        for item in node:
            ecma_patterns(item)
    return node


def _converter_schema(converter: Any) -> dict[str, Any]:
    """What a path variable's converter accepts: ``<int:…>`` takes no sign, so no negatives."""
    if not isinstance(converter, IntegerConverter):
        return {"type": "string"}
    schema: dict[str, Any] = {"type": "integer"}
    if not converter.signed:
        schema["minimum"] = max(0, converter.min or 0)
    if converter.max is not None:
        schema["maximum"] = converter.max
    return schema


def _path_parameters(rule: Any) -> list[dict[str, Any]]:
    """Declare the rule's path variables (``<int:number>`` becomes an integer)."""
    return [
        {
            "in": "path",
            "name": name,
            "required": True,
            "schema": _converter_schema(converter),
        }
        for name, converter in rule._converters.items()
    ]
