"""The protocol as PDF/A-2b: the protocol's HTML page (web/templates/protocol.html) printed by
WeasyPrint with its print stylesheet (web/static/protocol-print.css), fonts from the system
(DejaVu) embedded. Nothing is fetched from outside: the page's stylesheets are read from the
app's own static folder, any other URL is refused."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

STATIC = Path(__file__).parent / "static"
BASE_URL = "http://diarium.invalid/"  # the page's own URLs resolve here, served from STATIC
PDF_VARIANT = "pdf/a-2b"
PDF = "application/pdf"
logging.getLogger("weasyprint").setLevel(logging.ERROR)  # CSS it ignores is not an error


class ExternalResource(ValueError):
    """A URL the protocol may not fetch (only the app's own stylesheets are read)."""


def _fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """WeasyPrint's URL fetcher: ``/static/<name>.css`` from the app's folder, nothing else."""
    parts = urlsplit(url)
    _, static, name = parts.path.rpartition("/static/")  # under the app's script root, if any
    path = STATIC / name
    if (f"{parts.scheme}://{parts.netloc}/" != BASE_URL or not static or "/" in name
            or not name.endswith(".css") or not path.is_file()):
        raise ExternalResource(url)
    return {"string": path.read_bytes(), "mime_type": "text/css", "encoding": "utf-8"}


class PrintingUnavailable(RuntimeError):
    """The PDF cannot be printed here: WeasyPrint or the system's Pango is missing."""


@lru_cache(maxsize=32)
def html_to_pdf(html: str) -> bytes:
    """``html`` (a protocol page) as PDF/A-2b; its title and language become the PDF's.
    Printing takes about a second per ten paragraphs; the same page (the same text, after the
    reader's secrecy filter and masking) is printed once per process, then kept (the last 32)."""
    try:
        from weasyprint import HTML  # imported when needed: it loads Pango
    except (ImportError, OSError) as missing:  # Pango (a system library) is not installed
        raise PrintingUnavailable(str(missing)) from missing

    document = HTML(string=html, base_url=BASE_URL, url_fetcher=_fetch, media_type="print")
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
    assert pdf is not None
    return pdf


def pdf_response(pdf: bytes, ref: str) -> Any:
    """The PDF answered inline, named ``protokoll-<ref>.pdf``."""
    from flask import Response

    response = Response(pdf, mimetype=PDF)
    response.headers["Content-Disposition"] = f'inline; filename="protokoll-{ref}.pdf"'
    return response
