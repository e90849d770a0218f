"""The diary on the desk: a case's page, and the forms of the commands on cases."""

from __future__ import annotations

from flask import Response

from diarium.domain.roles import STAFF
from diarium.web.auth import requires
from diarium.web.desk.common import PREFIX, desk_blueprint, page
from diarium.web.desk.forms import form_links
from diarium.web.disclosure import disclose
from diarium.web.routes.cases import dumped_case
from diarium.web.routes.common import diarium

desk = desk_blueprint("desk_cases")


@desk.get(f"{PREFIX}/cases/<path:dnr>")
@requires(*STAFF)
def case_page(dnr: str) -> Response:
    """A case: status, officer, documents, referrals, proposals, decisions, secrecy, and
    its timeline."""
    case = disclose(dumped_case(diarium().view_case(dnr)))
    return page("case.html", heading=f"Ärende {case['dnr']}", case=case,
                actions=form_links(dnr=case["dnr"]))
