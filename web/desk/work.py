"""My work (Mitt arbete): the signed-in person's start page on the desk."""

from __future__ import annotations

from flask import Response

from diarium.domain.roles import STAFF
from diarium.web.auth import requires
from diarium.web.desk.common import PREFIX, desk_blueprint, page

desk = desk_blueprint("desk_work")


@desk.get(f"{PREFIX}/")
@requires(*STAFF)
def my_work() -> Response:
    """My open cases, my deadlines, referrals awaiting answers, unsent extracts."""
    return page("work.html", heading="Mitt arbete")
