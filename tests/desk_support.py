"""Helpers for the staff's desk (web/desk/): test clients signed in through the sign-in page
(a real session cookie), and forms sent as a browser sends them (with the page's CSRF
token). A test module takes the fixture as::

    from tests.desk_support import signed_in_clients, submit  # noqa: F401
"""

from __future__ import annotations

import re
from typing import Any

import pytest

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(client: Any, url: str) -> str:
    """The CSRF token of the form on the page at ``url``."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    found = CSRF.search(response.get_data(as_text=True))
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def sign_in(client: Any, secret: str, url: str = "/app/logga-in",
            headers: dict[str, str] | None = None, **fields: str) -> Any:
    """Sign ``client`` in with the token ``secret`` (and the form's other ``fields``, such as
    ``next``) through the sign-in form at ``url``; the answer to the form."""
    token = csrf_of(client, url)
    return client.post(url, headers=headers or {},
                       data={"token": secret, "csrf_token": token, **fields})


def submit(client: Any, url: str, data: dict[str, Any], form_url: str | None = None) -> Any:
    """Send the form at ``form_url`` (default ``url``) to ``url`` with ``data``, as a
    browser does: with the page's CSRF token."""
    token = csrf_of(client, form_url or url)
    return client.post(url, data={**data, "csrf_token": token})


@pytest.fixture(name="desk_as")
def signed_in_clients(app: Any, tokens: Any) -> Any:
    """Test clients signed in to the desk: ``desk_as("registrar", name="anna")``."""
    from diarium.domain.roles import ALL_ROLES

    def make(*roles: str, name: str = "desk.user", bodies: tuple[str, ...] = ()) -> Any:
        secret, _ = tokens.issue(name=name, roles=list(roles or ALL_ROLES), bodies=list(bodies))
        client = app.test_client()
        answer = sign_in(client, secret)
        assert answer.status_code == 303, answer.get_data(as_text=True)
        return client

    return make
