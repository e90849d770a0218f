"""The e-diary (diariet): start page, search and browse, the daily post list, a case page."""

from __future__ import annotations

from flask import Blueprint

site = Blueprint("site_diary", __name__)
