"""The digital notice board (anslagstavla, KL 8:9-12), bodies and their meetings."""

from __future__ import annotations

from flask import Blueprint

site = Blueprint("site_board", __name__)
