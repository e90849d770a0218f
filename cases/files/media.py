"""What a file is, told from its bytes (puremagic), not from the client's word: its media
type, whether it is whole, and the PDF/A conformance a PDF claims. A file that is empty,
cut short, or whose content is another type than the client or its name says is refused
(:class:`FileRejected`, a 422 naming the field ``file``)."""

from __future__ import annotations

import mimetypes
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import puremagic

OCTET_STREAM = "application/octet-stream"
TEXT = "text/plain"
_SNIFF = 64 * 1024  # bytes read to tell text from binary
_TAIL = 1024  # a PDF's %%EOF lies within its last 1024 bytes (ISO 32000-1, 7.5.5)
# zip-based types: a client may call any of them a zip
_ZIP_CLAIMS = {"application/zip", "application/x-zip-compressed"}
# what a text file may be called (its bytes cannot tell these apart)
_TEXT_CLAIMS = ("text/", "application/json", "application/xml", "message/")
# types whose last bytes tell that the file is whole
_ENDINGS = {"image/png": b"IEND\xaeB`\x82", "image/gif": b";"}
_PDFA = re.compile(
    rb"pdfaid:part(?:>|=[\"'])\s*(\d)\s*(?:</pdfaid:part>|[\"']).{0,400}?"
    rb"pdfaid:conformance(?:>|=[\"'])\s*([A-Za-z])", re.S,
)
_PDFA_PART = re.compile(rb"pdfaid:part(?:>|=[\"'])\s*(\d)")


class FileRejected(ValueError):
    """The file cannot be taken: empty, cut short, or not what it is said to be."""


@dataclass(frozen=True)
class Detected:
    """What the bytes of a file are."""

    media_type: str
    pdfa: str | None = None  # e.g. "2b": the PDF/A part and conformance level the file claims


def _bare(media_type: str | None) -> str | None:
    """``media_type`` without parameters, lower case; ``None`` for no claim."""
    if not media_type:
        return None
    bare = media_type.split(";", 1)[0].strip().lower()
    return None if bare in ("", OCTET_STREAM) else bare


def _is_text(path: Path) -> bool:
    with path.open("rb") as f:
        head = f.read(_SNIFF)
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:  # a character cut at the sniff's end is still text
        return error.start >= len(head) - 3 and len(head) == _SNIFF
    return True


def _magic(path: Path) -> str | None:
    """The best match of the file's magic bytes (puremagic), a zip's by what it holds."""
    try:
        found = puremagic.magic_file(str(path))
    except (puremagic.PureError, ValueError, OSError):
        return None
    if not found or not found[0].mime_type:
        return None
    media_type = found[0].mime_type.lower()
    return _zip_content(path) if _zip_based(media_type) else media_type


# what an Office Open XML package's main part is (its [Content_Types].xml override)
_OOXML = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/presentation.xml":
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def _zip_content(path: Path) -> str:
    """What a zip container is: an OpenDocument file says so in its ``mimetype`` entry, an
    Office Open XML file by its main part; otherwise a zip (or a damaged one: a zip too)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                if declared.startswith("application/"):
                    return declared
            for part, media_type in _OOXML.items():
                if part in names:
                    return media_type
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        with path.open("rb") as f:  # cut short: the local headers still tell
            head = f.read(64 * 1024)
        for part, media_type in _OOXML.items():
            if part.encode() in head:
                return media_type
        if b"mimetypeapplication/vnd.oasis.opendocument" in head:
            start = head.index(b"mimetype") + len(b"mimetype")
            return head[start:head.index(b"PK", start)].decode("ascii", "replace")
    return "application/zip"


def _tail(path: Path, size: int) -> bytes:
    with path.open("rb") as f:
        f.seek(max(0, size - _TAIL))
        return f.read()


def _require_whole(path: Path, media_type: str, size: int) -> None:
    """Refuse a file of a type whose structure shows that its end is missing."""
    if media_type == "application/pdf":
        if b"%%EOF" not in _tail(path, size):
            raise FileRejected("The PDF is cut short: no %%EOF marker at its end.")
    elif media_type == "image/jpeg":
        if not _tail(path, size).rstrip(b"\x00").endswith(b"\xff\xd9"):
            raise FileRejected("The JPEG image is cut short: no end-of-image marker.")
    elif media_type in _ENDINGS:
        if not _tail(path, size).endswith(_ENDINGS[media_type]):
            raise FileRejected(f"The {media_type} file is cut short.")
    elif _zip_based(media_type):
        try:
            with zipfile.ZipFile(path) as archive:
                archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError):
            raise FileRejected(
                f"The file is cut short or damaged: its {media_type} (zip) directory cannot "
                "be read.") from None


def _zip_based(media_type: str) -> bool:
    return media_type == "application/zip" or media_type.startswith(
        ("application/vnd.openxmlformats-officedocument", "application/vnd.oasis.opendocument",
         "application/epub"))


def pdfa_claim(path: Path) -> str | None:
    """The PDF/A part and conformance level a PDF's XMP metadata claims (``"2b"``), the part
    alone when no level is given (PDF/A-4), or ``None`` (read in chunks; memory stays flat)."""
    overlap = 1024
    carry = b""
    with path.open("rb") as f:
        while chunk := f.read(1024 * 1024):
            window = carry + chunk
            if found := _PDFA.search(window):
                return (found[1] + found[2]).decode("ascii").lower()
            if found := _PDFA_PART.search(window):
                rest = window[found.start():] + f.read(4096)
                full = _PDFA.search(rest)
                return (full[1] + full[2]).decode("ascii").lower() if full else found[
                    1].decode("ascii")
            carry = window[-overlap:]
    return None


def _agrees(detected: str, claimed: str) -> bool:
    if claimed == detected:
        return True
    if detected == TEXT:
        return claimed.startswith(_TEXT_CLAIMS)
    return _zip_based(detected) and claimed in _ZIP_CLAIMS


def detect(
    path: Path, size: int, *, claimed: str | None = None, file_name: str | None = None
) -> Detected:
    """The media type of the file at ``path`` (``size`` bytes), told from its content, with
    its PDF/A claim; :class:`FileRejected` when it is empty, cut short, or is positively
    another type than ``claimed`` (the Content-Type given) or ``file_name``'s extension say."""
    if size == 0:
        raise FileRejected("The file is empty (0 bytes).")
    media_type = _magic(path) or (TEXT if _is_text(path) else OCTET_STREAM)
    known = media_type != OCTET_STREAM
    by_name = mimetypes.guess_type(file_name)[0] if file_name else None
    _require_whole(path, media_type, size)
    for said, what in ((_bare(claimed), "its Content-Type"), (_bare(by_name), "its name")):
        if known and said is not None and not _agrees(media_type, said):
            raise FileRejected(
                f"The file's content is {media_type}, but {what} says {said}: "
                "send it with its true type and name.")
    pdfa = pdfa_claim(path) if media_type == "application/pdf" else None
    return Detected(media_type, pdfa)
