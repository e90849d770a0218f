"""Files the file tests attach: a real PDF with text (fpdf2), a DOCX (python-docx), an ODT
(odfpy), plain text; and a case with a document to attach them to."""

from __future__ import annotations

import io
from typing import Any

from fpdf import FPDF


def pdf_bytes(text: str, *, pdfa: str | None = None) -> bytes:
    """A one-page PDF whose page says ``text``; with ``pdfa`` (e.g. ``"2b"``) its XMP
    metadata claims that PDF/A conformance."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(0, 10, text=text)
    if pdfa:
        pdf.set_xmp_metadata(
            '<rdf:Description rdf:about="" '
            'xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">'
            f"<pdfaid:part>{pdfa[0]}</pdfaid:part>"
            f"<pdfaid:conformance>{pdfa[1:].upper()}</pdfaid:conformance>"
            "</rdf:Description>")
    return bytes(pdf.output())


def docx_bytes(text: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def odt_bytes(text: str) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    document = OpenDocumentText()
    document.text.addElement(P(text=text))
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def case_with_document(client: Any, body: str = "RS", **case: Any) -> str:
    """Register a case (for ``body``) with one incoming document; its dnr."""
    made = client.post("/api/cases", json={
        "title": "Yttrande över remiss", "responsible_body": body, "officer": "linda",
        **case})
    assert made.status_code == 201, made.get_json()
    dnr = made.get_json()["dnr"]
    document = client.post(f"/api/cases/{dnr}/documents", json={
        "direction": "incoming", "date": "2020-03-02", "description": "Remiss från kommunen",
        "counterpart": "Luleå kommun"})
    assert document.status_code == 201, document.get_json()
    return dnr


def attach(client: Any, dnr: str, data: bytes, name: str | None = "brev.pdf",
           media_type: str = "application/pdf", document: int = 1) -> Any:
    """POST ``data`` as field ``file`` of a multipart form."""
    return client.post(
        f"/api/cases/{dnr}/documents/{document}/files",
        data={"file": (io.BytesIO(data), name, media_type)},
        content_type="multipart/form-data",
    )
