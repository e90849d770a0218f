"""A command is stated once for the wire (its schema) and once for the domain (its dataclass):
the two must agree, and every command has exactly one handler."""

from __future__ import annotations

import dataclasses
from typing import Any

from diarium.cases.application import Diarium
from diarium.web import create_app
from diarium.web.schemas.cases import CommandSchema


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def _loaded(schema: type) -> set[str]:
    """The command fields a schema loads from a body."""
    return {f.attribute or n for n, f in schema().fields.items() if not f.dump_only}


def _command_routes(app: Any) -> list[tuple[Any, type]]:
    return [(rule, app.view_functions[rule.endpoint].command_schema)
            for rule in app.url_map.iter_rules()
            if hasattr(app.view_functions[rule.endpoint], "command_schema")]


def test_every_command_route_gives_exactly_the_commands_fields(tmp_path: Any) -> None:
    """The URL's variables and the schema's fields together are the command's fields."""
    app = create_app(Diarium(f"sqlite:///{tmp_path / 'd.db'}", create_tables=True))
    routes = _command_routes(app)
    assert routes, "no route uses the command decorator"
    for rule, schema in routes:
        command = {f.name for f in dataclasses.fields(schema.command)}
        required = {f.name for f in dataclasses.fields(schema.command)
                    if f.default is dataclasses.MISSING
                    and f.default_factory is dataclasses.MISSING}
        given = set(rule.arguments) | _loaded(schema)
        assert given <= command, (rule.rule, given - command)
        assert required <= given, (rule.rule, required - given)


def test_every_command_schema_names_a_command_with_its_fields() -> None:
    for schema in _subclasses(CommandSchema):
        if schema.command is object:
            continue
        assert dataclasses.is_dataclass(schema.command), schema
        assert _loaded(schema) <= {f.name for f in dataclasses.fields(schema.command)}, schema


def test_every_command_a_route_takes_has_one_handler(tmp_path: Any) -> None:
    diarium = Diarium(f"sqlite:///{tmp_path / 'd.db'}", create_tables=True)
    for _, schema in _command_routes(create_app(diarium)):
        assert schema.command in diarium.handlers, schema.command


def test_every_event_is_applied_by_an_aggregate() -> None:
    """Each event class has exactly one method that applies it (``@evolves``), so a new event
    cannot be stored that replay would refuse."""
    from diarium.domain.body.aggregate import Body
    from diarium.domain.body.paragraph_year import ParagraphYear
    from diarium.domain.case.aggregate import Case
    from diarium.domain.events import EVENT_CLASSES
    from diarium.domain.meeting.aggregate import Meeting
    from diarium.domain.secret_reads import SecretReads
    from diarium.domain.series import SeriesYear

    applied: list[type] = []
    for aggregate in (Case, Meeting, Body, ParagraphYear, SeriesYear, SecretReads):
        applied += aggregate.evolvers()
    assert sorted(e.__name__ for e in applied) == sorted(e.__name__ for e in EVENT_CLASSES)
