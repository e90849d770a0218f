"""The desk's forms: one for each command route of the API, made from that route.

A :class:`CommandForm` names the API endpoint it stands for; at start-up the form takes that
route's access policy and marshmallow schema (so a form cannot allow what the API refuses,
nor parse differently), and its fields are drawn from the schema. A form sent is turned
field by field into the JSON the API would get (:func:`form_values`: no rule is decided
here), loaded with the schema into the command and handed to ``Diarium.handle`` as the
signed-in person. A refusal (a field the schema refuses, or a rule of the case process) is
shown in Swedish next to its field, with everything typed kept; success redirects to the
page the command belongs to, with a receipt.

A form with a file (``file=...``) is sent as ``multipart/form-data``: its command is
carried out with the uploaded file through the API's own file handling
(``web/routes/files.py: with_file``), within the file size limit, and a refused file
records nothing and is shown next to the file field. Fields get Swedish hints (an empty
date is today's date, as on the API; a list takes one item a line), and a form may fill
in today's date in fields of its choice (``today``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from flask import Flask, Response, current_app, flash, g, redirect, request, url_for
from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from diarium.cases.application import ConcurrentModification
from diarium.cases.files.service import FileTooLarge, max_file_bytes
from diarium.domain.rules import DateRequired, RuleViolation
from diarium.web.auth import POLICY, policy_of
from diarium.web.desk.common import PREFIX, desk_blueprint, page
from diarium.web.desk.swedish import (
    field_hint,
    field_label,
    option_label,
    swedish_error,
    swedish_rule,
)
from diarium.web.routes.common import actor, diarium
from diarium.web.routes.files import allow_file_size, with_file

GENERAL = "_"  # errors not about one field


@dataclass(frozen=True)
class CommandForm:
    """A page with the form of one API command route.

    ``endpoint``: the API's endpoint (e.g. ``"cases.send_referral"``); ``title``: the page's
    Swedish heading; ``rule``: the page's URL rule (default: the API's, under ``/app`` instead
    of ``/api``); ``receipt``: the Swedish message after success; ``after``: where success leads
    (default: the meeting of the URL, at its paragraph, or the case of the URL or that the
    command wrote); ``hidden``: fields given by the page (not shown); ``template``: a template
    of its own (default ``form.html``); ``intro``: a Swedish paragraph above the form; ``file``:
    the label of a file field (the form is then sent as multipart and its command carried out
    with the file, field ``file`` of the command); ``schema``: the schema when the API route
    takes no JSON body (a file alone); ``today``: date fields filled in with today's date when
    the form is shown; ``omit``: fields the form does not offer (left to their defaults, e.g. a
    migration's); ``shape``: for a form drawn by its own template in rows (a command whose JSON
    holds lists of parts), what turns the sent form into the API's JSON (presentation only) in
    place of :func:`form_values`."""

    endpoint: str
    title: str
    rule: str | None = None
    receipt: str = "Sparat."
    after: Callable[[dict[str, Any], Any], str] | None = None
    hidden: tuple[str, ...] = ()
    template: str = "form.html"
    intro: str | None = None
    file: str | None = None
    schema: type[Schema] | None = None
    today: tuple[str, ...] = ()
    omit: tuple[str, ...] = ()
    shape: Callable[[MultiDict[str, str]], dict[str, Any]] | None = None


@dataclass
class Widget:
    """One field of a form as the template draws it."""

    name: str  # the form's field name (dotted inside a nested part)
    label: str
    kind: str  # text, textarea, date, number, select, checkboxes, checkbox, lines, fieldset,
    # file
    required: bool = False
    options: list[tuple[str, str]] = field(default_factory=list)
    children: list[Widget] = field(default_factory=list)
    hint: str | None = None


def _choices(item: fields.Field) -> list[str] | None:
    if isinstance(item, fields.Enum):
        return [str(member.value) for member in item.enum]
    for validator in item.validators:
        if isinstance(validator, validate.OneOf):
            return [str(choice) for choice in validator.choices]
    return None


def widgets(schema: Schema, skip: Iterable[str] = (), prefix: str = "") -> list[Widget]:
    """The fields of ``schema`` (by their wire names) as widgets, in declared order."""
    found = []
    for attribute, item in schema.fields.items():
        name = item.data_key or attribute
        if item.dump_only or name in skip:
            continue
        full = f"{prefix}{name}"
        kind = _kind(item)
        widget = Widget(full, field_label(name), kind, bool(item.required),
                        hint=field_hint(name, kind, bool(item.required)))
        choices = _choices(item.inner) if isinstance(item, fields.List) else _choices(item)
        if choices is not None:
            widget.options = [(c, option_label(name, c)) for c in choices]
            if isinstance(item, fields.List):
                widget.kind = "checkboxes"
        if isinstance(item, fields.Nested) and not item.many:
            widget.children = widgets(item.schema, prefix=f"{full}.")
        found.append(widget)
    return found


KINDS: tuple[tuple[type[fields.Field], str], ...] = (  # a field's type → its widget, first match
    (fields.Nested, "fieldset"), (fields.Enum, "select"), (fields.Boolean, "checkbox"),
    (fields.Date, "date"), (fields.Integer, "number"), (fields.List, "lines"),
)


def _kind(item: fields.Field) -> str:
    for kind, widget in KINDS:
        if isinstance(item, kind):
            return widget
    return "textarea" if getattr(item, "long", False) else "text"


def form_values(schema: Schema, form: Any, prefix: str = "") -> dict[str, Any]:
    """The JSON body the API would get for this sent form: empty fields left out (their
    defaults apply), a list from its lines or ticked boxes, a whole number as a number, a
    tick as ``true``, a nested part when any of its fields is filled."""
    values: dict[str, Any] = {}
    for attribute, item in schema.fields.items():
        name = item.data_key or attribute
        full = f"{prefix}{name}"
        if item.dump_only:
            continue
        if isinstance(item, fields.Nested) and not item.many:
            inner = form_values(item.schema, form, f"{full}.")
            if inner:
                values[name] = inner
        elif isinstance(item, fields.List):
            given = [v.strip() for raw in form.getlist(full) for v in raw.splitlines()]
            if any(given):
                values[name] = [v for v in given if v]
        elif isinstance(item, fields.Boolean):
            if full in form:
                values[name] = form.get(full) not in ("", "0", "false", "nej")
        else:
            raw = form.get(full, "")
            if raw.strip():
                whole = re.fullmatch(r"-?\d{1,12}", raw.strip())
                values[name] = int(raw) if isinstance(item, fields.Integer) and whole else raw
    return values


def flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's error messages by dotted field name (list items under their field)."""
    if isinstance(messages, list | tuple):
        return {prefix or GENERAL: [str(m) for m in messages]}
    found: dict[str, list[str]] = {}
    for key, inner in messages.items():
        name = prefix if isinstance(key, int) else (f"{prefix}.{key}" if prefix else str(key))
        for dotted, texts in flatten(inner, name).items():
            found.setdefault(dotted, []).extend(texts)
    return found


def default_after(path: dict[str, Any], result: Any) -> str:
    """The page the command belongs to: its meeting (at its paragraph), or its case."""
    if "ref" in path:
        at = f"#p{path['paragraph']}" if "paragraph" in path else ""
        return f"{PREFIX}/meetings/{path['ref']}{at}"
    dnr = path.get("dnr") or getattr(result, "dnr", None)
    return f"{PREFIX}/cases/{dnr}" if dnr else f"{PREFIX}/"


def register_command_forms(app: Flask, forms: Iterable[CommandForm]) -> None:
    """Add a page (GET: the form; POST: send it) for each form, with its API route's policy
    and schema."""
    api_rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    blueprint = desk_blueprint("desk_forms")
    registered = app.extensions.setdefault("diarium_desk_forms", {})
    pages: dict[str, tuple[CommandForm, Schema]] = {}  # desk endpoint: form, schema
    for form in forms:
        api_view = app.view_functions[form.endpoint]
        schema = (form.schema or api_view.command_schema)()
        rule = form.rule or PREFIX + api_rules[form.endpoint].rule.removeprefix("/api")
        view = _form_view(form, schema)
        setattr(view, POLICY, policy_of(api_view))
        blueprint.add_url_rule(rule, view.__name__, view, methods=["GET", "POST"])
        variables = frozenset(re.findall(r"<(?:[a-z]+:)?(\w+)>", rule))
        registered[form.endpoint] = (form, f"desk_forms.{view.__name__}", variables)
        app.extensions.setdefault("diarium_desk_commands", {})[form.endpoint] = schema.command
        pages[f"desk_forms.{view.__name__}"] = (form, schema)

    @blueprint.url_value_preprocessor  # runs before the CSRF check reads the form
    def _file_size(endpoint: str | None, _values: Any) -> None:
        if endpoint in pages and pages[endpoint][0].file:
            allow_file_size()

    @blueprint.errorhandler(RequestEntityTooLarge)
    def _too_large(_error: Exception) -> Response:
        """A form past the size limit (read before the view): shown again, unfilled."""
        form, schema = pages[request.endpoint or ""]
        text = _too_large_text() if form.file else "Formuläret är för stort för att tas emot."
        return _render(form, schema, dict(request.view_args or {}), MultiDict(),
                       {"file" if form.file else GENERAL: [text]}, 413)

    app.register_blueprint(blueprint)


def form_links(*endpoints: str, takes: Callable[[type], bool] | None = None,
               **path: Any) -> list[tuple[str, str]]:
    """(title, URL) of the forms the signed-in person may use here: those of ``endpoints``
    (default: every form) whose URL takes exactly the variables of ``path``, whose command
    the aggregate ``takes`` in its state (e.g. ``Case.takes``: not closing a closed case),
    and whose API route's policy lets this person through on ``path`` (the same check as
    sending it)."""
    registered = current_app.extensions["diarium_desk_forms"]
    commands = current_app.extensions["diarium_desk_commands"]
    who = actor()
    found = []
    for endpoint in endpoints or registered:
        form, desk_endpoint, variables = registered[endpoint]
        if variables != set(path) or (takes is not None and not takes(commands[endpoint])):
            continue
        policy = policy_of(current_app.view_functions[desk_endpoint])
        if policy is not None and policy.refused(who, dict(path)) is None:
            found.append((form.title, url_for(desk_endpoint, **path)))
    return found


def _send(form: CommandForm, schema: Any, path: dict[str, Any]) -> Any:
    """Carry out the sent form's command as the signed-in person (with its file)."""
    values = form.shape(request.form) if form.shape else form_values(schema, request.form)
    if not form.file:
        return diarium().handle(schema.command_of(values, **path), actor())
    command = schema.command_of(values, **path, file=None)  # the fields, checked first
    return with_file(lambda stored: replace(command, file=stored))


def _form_view(form: CommandForm, schema: Any) -> Callable[..., Response]:
    def view(**path: Any) -> Response:
        errors: dict[str, list[str]] = {}
        status = 200
        values = request.form
        exists(path)
        if request.method == "GET":
            values = MultiDict({name: diarium().today().isoformat() for name in form.today})
        else:
            try:
                result = _send(form, schema, path)
            except ValidationError as error:
                errors, status = _swedish(flatten(error.messages)), 422
            except DateRequired as error:
                errors, status = {error.field: ["Ange datumet."]}, 422
            except RuleViolation as error:
                errors, status = {error.field or GENERAL: [swedish_rule(error)]}, 409
                g.refused_rule = error.rule.code  # counted (web/observability.py)
            except FileTooLarge:
                errors, status = {"file": [_too_large_text()]}, 413
            except ConcurrentModification:
                errors, status = {GENERAL: [
                    "Någon annan ändrade ärendet samtidigt, så inget sparades. Det du fyllde i "
                    "finns kvar: skicka formuläret igen."]}, 409
            else:
                flash(form.receipt, "receipt")
                return redirect((form.after or default_after)(path, result), 303)
        return _render(form, schema, path, values, errors, status)

    view.__name__ = view.__qualname__ = form.endpoint.replace(".", "_")
    view.desk_command = schema.command.__name__  # type: ignore[attr-defined]  # its log line
    return view


def exists(path: dict[str, Any]) -> None:
    """The case or meeting the form's URL names exists (else the desk's page saying so)."""
    if "dnr" in path:
        diarium().view_case(path["dnr"])
    if "ref" in path:
        diarium().meetings.get_meeting(path["ref"])


def _render(form: CommandForm, schema: Any, path: dict[str, Any], values: Any,
            errors: dict[str, list[str]], status: int) -> Response:
    """The form's page: its fields with what was typed, and the errors next to them (a
    shaped form's template draws its own rows)."""
    drawn = [] if form.shape else widgets(schema, skip=(*form.hidden, *form.omit))
    if form.file:
        drawn.append(Widget("file", form.file, "file", True, hint=_file_hint()))
    return page(form.template, status, heading=form.title, form=form, path=path,
                widgets=drawn, values=values, errors=errors)


def _file_hint() -> str:
    return (f"Högst {_megabytes(max_file_bytes())}. Filens typ läses av från innehållet. "
            "Välj filen igen om formuläret visas med fel.")


def _too_large_text() -> str:
    return f"Filen är för stor: högst {_megabytes(max_file_bytes())} får laddas upp."


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.0f} MiB" if size >= 2**20 else f"{size} byte"


def _swedish(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    return {name: [swedish_error(text) for text in texts] for name, texts in errors.items()}
