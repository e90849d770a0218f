"""Open data: the public register as OParl 1.1 JSON (``/oparl/v1.1/...``)."""

from __future__ import annotations

from flask import Blueprint

site = Blueprint("site_oparl", __name__, url_prefix="/oparl/v1.1")
