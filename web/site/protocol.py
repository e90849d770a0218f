"""A meeting's protocol as the public reads it, as HTML and as PDF/A-2b."""

from __future__ import annotations

from flask import Blueprint

site = Blueprint("site_protocol", __name__)
