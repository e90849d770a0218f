"""A meeting's protocol as the public reads it, as HTML and as PDF/A-2b: only once adjusted,
through the same secrecy filter as the API with no reader (``web/disclosure.py``), personal
identity numbers masked in the whole document, answered conditionally (``public_page``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint

from diarium.domain.identity_numbers import masked
from diarium.domain.meeting.terms import MeetingNotFound
from diarium.web.auth import public
from diarium.web.disclosure import public_meeting
from diarium.web.protocol import render_protocol
from diarium.web.protocol_pdf import html_to_pdf, pdf_response
from diarium.web.routes.common import diarium
from diarium.web.site.common import public_page, render

site = Blueprint("site_protocol", __name__)


def adjusted_protocol(ref: str) -> tuple[Any, Any] | None:
    """The meeting as the public sees it (with or without a token) and its body, when its
    protocol is adjusted."""
    try:
        meeting = diarium().meetings.get_meeting(ref)
    except MeetingNotFound:
        return None
    if meeting.adjusted_on is None:
        return None
    return public_meeting(meeting), diarium().bodies.get_body(meeting.body)


def not_yet(ref: str) -> tuple[str, int]:
    """404: no such meeting, or its protocol not adjusted yet."""
    return render("protocol_missing.html", heading="Protokollet finns inte",
                  message=f"Det finns inget justerat protokoll för sammanträdet {ref}."), 404


def of_adjusted_protocol(view: Callable[[str, Any, Any], Any]) -> Callable[[str], Any]:
    """A view of a meeting's adjusted protocol, called with ``ref``, the meeting as the public
    sees it and its body; 404 (:func:`not_yet`) while there is none."""

    @wraps(view)
    def answer(ref: str) -> Any:
        found = adjusted_protocol(ref)
        return not_yet(ref) if found is None else view(ref, *found)

    return answer


@site.get("/moten/<ref>/protokoll")
@public
@public_page
@of_adjusted_protocol
def protocol_page(ref: str, meeting: Any, body: Any) -> Any:
    """Protokollet som webbsida, med länk till PDF/A-versionen."""
    return masked(render_protocol(meeting, body, "site/protocol.html",
                                  pdf_href=f"/moten/{ref}/protokoll.pdf"))


@site.get("/moten/<ref>/protokoll.pdf")
@public
@public_page
@of_adjusted_protocol
def protocol_pdf(ref: str, meeting: Any, body: Any) -> Any:
    """Protokollet som PDF/A-2b."""
    return pdf_response(html_to_pdf(masked(render_protocol(meeting, body))), ref)
