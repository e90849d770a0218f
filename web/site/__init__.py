"""The public website (e-diary, notice board, bodies and meetings, protocols, open data):
server-rendered Swedish pages without a token, every one through the same secrecy filter as
the API (``cases/secrecy.py``), personal identity numbers masked (``masked``)."""

from __future__ import annotations

from flask import Flask

from diarium.web.site import board, diary, oparl, pages, protocol
from diarium.web.site.common import site_context


def init_site(app: Flask) -> None:
    """Register the public website's pages and what every page's template is given."""
    for module in (pages, diary, board, protocol, oparl):
        app.register_blueprint(module.site)
    app.context_processor(site_context)
    app.jinja_env.filters["masked"] = masked_filter


def masked_filter(text: object) -> object:
    """Jinja filter ``masked``: personal identity numbers in a text masked."""
    from diarium.domain.identity_numbers import masked

    return masked(text) if isinstance(text, str) else text
