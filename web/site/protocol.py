"""A meeting's protocol as the public reads it, as HTML and as PDF/A-2b: only once adjusted,
through the same secrecy filter as the API with no reader (``web/disclosure.py``), personal
identity numbers masked in the whole document, answered conditionally (``public_page``)."""

from __future__ import annotations

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


@site.get("/moten/<ref>/protokoll")
@public
@public_page
def protocol_page(ref: str) -> Any:
    """Protokollet som webbsida, med länk till PDF/A-versionen."""
    found = adjusted_protocol(ref)
    if found is None:
        return not_yet(ref)
    meeting, body = found
    return masked(render_protocol(meeting, body, "site/protocol.html",
                                  pdf_href=f"/moten/{ref}/protokoll.pdf"))


@site.get("/moten/<ref>/protokoll.pdf")
@public
@public_page
def protocol_pdf(ref: str) -> Any:
    """Protokollet som PDF/A-2b."""
    found = adjusted_protocol(ref)
    if found is None:
        return not_yet(ref)
    meeting, body = found
    return pdf_response(html_to_pdf(masked(render_protocol(meeting, body))), ref)


