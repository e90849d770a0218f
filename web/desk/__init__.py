"""The staff's desk: registrars, case officers and committee secretaries at work in a browser.

Server-rendered Swedish pages under ``/app/`` on the same application service, roles and
rules as the API: every page declares its policy with the API's decorators (web/auth.py), the
forms load the API's own marshmallow schemas and hand the command to ``Diarium.handle``
(web/desk/forms.py), and the case views go through the same secrecy filter
(web/disclosure.py). A person signs in with a personal token or, where configured, with the
organisation's identity provider (OIDC); the session is kept server-side
(cases/sessions.py) and every form carries a CSRF token.
"""

from __future__ import annotations

from flask import Flask

from diarium.web.desk import case_forms, cases, diary, meetings, registers, signin, work
from diarium.web.desk.common import init_session
from diarium.web.desk.forms import register_command_forms

BLUEPRINTS = (signin.desk, work.desk, diary.desk, cases.desk, registers.desk, meetings.desk)
FORMS = (*case_forms.FORMS, *meetings.FORMS, *meetings.SHAPED)


def init_desk(app: Flask) -> None:
    """Register the desk's pages and forms (after the API's routes, whose policies and
    schemas the forms take) and its sessions."""
    init_session(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    register_command_forms(app, FORMS)
