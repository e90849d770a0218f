"""The site's own pages: the accessibility statement (lag 2018:1937)."""

from __future__ import annotations

from flask import Blueprint

from diarium.web.auth import public
from diarium.web.site.common import public_page, render

site = Blueprint("site_pages", __name__)


@site.get("/tillganglighet")
@public
@public_page
def accessibility_statement() -> str:
    """Tillgänglighetsredogörelse: how the site meets WCAG 2.1 AA (lag 2018:1937)."""
    return render("accessibility.html", heading="Tillgänglighetsredogörelse")
