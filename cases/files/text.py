"""The text of a stored file, for the diary's full-text search (docs/files.md, "Text and
search"): PDF (pypdf), DOCX (python-docx), OpenDocument text, spreadsheet and presentation
(odfpy), XLSX and PPTX (their XML parts), plain text (UTF-8, else Latin-1).

A parser reads bytes that anyone may upload, so each extraction runs in a child process (a
fresh interpreter running this module) with a wall-clock timeout and a limit on its address
space (``RLIMIT_AS``); the text kept is capped. The outcome is the text
or a status that says why there is none (:class:`Extracted`); nothing here raises for a bad
file. The bounds come from the environment:

* ``DIARIUM_TEXT_TIMEOUT_SECONDS`` (default 30),
* ``DIARIUM_TEXT_MEMORY_BYTES`` (default 1 GiB),
* ``DIARIUM_TEXT_MAX_CHARS`` (default 1 Mi characters; the rest of a longer text is dropped).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree import ElementTree

TIMEOUT_VARIABLE = "DIARIUM_TEXT_TIMEOUT_SECONDS"
MEMORY_VARIABLE = "DIARIUM_TEXT_MEMORY_BYTES"
MAX_CHARS_VARIABLE = "DIARIUM_TEXT_MAX_CHARS"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MEMORY = 1024**3
DEFAULT_MAX_CHARS = 1024**2

INDEXED = "indexed"
UNSUPPORTED = "unsupported"
TIMEOUT = "timeout"
TOO_LARGE = "too-large"  # the parser needed more memory than the limit
FAILED = "failed"  # "failed: <why>"

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODF = "application/vnd.oasis.opendocument."
PLAIN = ("application/json", "application/xml")  # beside text/*
_COPY_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """The bounds of one extraction."""

    timeout: float = DEFAULT_TIMEOUT
    memory: int = DEFAULT_MEMORY
    max_chars: int = DEFAULT_MAX_CHARS

    @classmethod
    def from_environment(cls) -> Limits:
        env = os.environ.get
        return cls(
            float(env(TIMEOUT_VARIABLE) or DEFAULT_TIMEOUT),
            int(env(MEMORY_VARIABLE) or DEFAULT_MEMORY),
            int(env(MAX_CHARS_VARIABLE) or DEFAULT_MAX_CHARS),
        )


@dataclass(frozen=True)
class Extracted:
    """A file's text (``status`` ``indexed``), or why it has none: ``unsupported`` (a type
    without text, as an image), ``timeout``, ``too-large`` (memory), ``failed: <why>``."""

    status: str
    text: str = ""


class _Collected:
    """Pieces of text gathered up to a number of characters."""

    def __init__(self, limit: int) -> None:
        self.limit, self.size, self.parts = limit, 0, []  # type: ignore[var-annotated]

    @property
    def full(self) -> bool:
        return self.size >= self.limit

    def add(self, piece: str | None) -> None:
        if piece and not self.full:
            piece = piece[: self.limit - self.size]
            self.parts.append(piece)
            self.size += len(piece) + 1

    def text(self) -> str:
        return "\n".join(self.parts)


# -- extractors (run in the child) -------------------------------------------------------------


def _pdf(path: Path, out: _Collected) -> None:
    from pypdf import PdfReader

    for page in PdfReader(path).pages:
        out.add(page.extract_text())
        if out.full:
            return


def _docx(path: Path, out: _Collected) -> None:
    import docx

    document = docx.Document(str(path))
    for paragraph in document.paragraphs:
        out.add(paragraph.text)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                out.add(cell.text)
        if out.full:
            return


def _odf(path: Path, out: _Collected) -> None:
    from odf import teletype
    from odf.namespaces import TEXTNS
    from odf.opendocument import load

    wanted = {(TEXTNS, "p"), (TEXTNS, "h")}

    def walk(node: Any) -> Iterator[Any]:
        for child in node.childNodes:
            if getattr(child, "qname", None) in wanted:
                yield child
            elif child.childNodes:
                yield from walk(child)

    for paragraph in walk(load(str(path)).body):
        out.add(teletype.extractText(paragraph))
        if out.full:
            return


def _ooxml_parts(prefix: str, element: str) -> Callable[[Path, _Collected], None]:
    """An XLSX or PPTX: the text of the ``element`` elements (local name) of its XML parts
    under ``prefix``."""

    def extract(path: Path, out: _Collected) -> None:
        with zipfile.ZipFile(path) as archive:
            for name in sorted(archive.namelist()):
                if not (name.startswith(prefix) and name.endswith(".xml")):
                    continue
                with archive.open(name) as part:
                    for _, node in ElementTree.iterparse(part):
                        if node.tag.rsplit("}", 1)[-1] == element:
                            out.add(node.text)
                        node.clear()
                        if out.full:
                            return

    return extract


def _plain(path: Path, out: _Collected) -> None:
    with path.open("rb") as f:
        raw = f.read(4 * out.limit)  # a character is at most four bytes in UTF-8
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start >= len(raw) - 3:  # a character cut at the end of what was read
            decoded = raw[: error.start].decode("utf-8")
        else:
            decoded = raw.decode("latin-1")
    out.add(decoded)


_SHEETS = _ooxml_parts("xl/", "t")  # shared strings, inline strings
_SLIDES = _ooxml_parts("ppt/slides/", "t")


def extractor(media_type: str) -> Callable[[Path, _Collected], None] | None:
    """How to read the text of a file of ``media_type`` (None: it has none we read)."""
    if media_type == "application/pdf":
        return _pdf
    if media_type == DOCX:
        return _docx
    if media_type == XLSX:
        return _SHEETS
    if media_type == PPTX:
        return _SLIDES
    if media_type.startswith(ODF) and not media_type.endswith(("-template", "graphics")):
        return _odf
    if media_type.startswith("text/") or media_type in PLAIN:
        return _plain
    return None


def text_type(media_type: str, claimed: str | None) -> str:
    """The type to read a file as: the one detected from its bytes; but a file whose bytes
    tell nothing (``application/octet-stream``: text in Latin-1 is not told from binary) is
    read as plain text where the uploader said it is text."""
    if media_type == "application/octet-stream" and claimed and claimed.startswith("text/"):
        return "text/plain"
    return media_type


def _child(path: str, media_type: str, limits: Limits) -> tuple[str, str]:
    """In the child: bound the address space, extract; ``(status, text)``."""
    import resource

    with contextlib.suppress(ValueError, OSError):  # a lower hard limit is set: kept
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory, limits.memory))
    extract = extractor(media_type)
    assert extract is not None
    out = _Collected(limits.max_chars)
    try:
        extract(Path(path), out)
        return INDEXED, out.text()
    except MemoryError:
        out.parts = []
        return TOO_LARGE, ""
    except Exception as error:  # a damaged or hostile file: say why, in one line
        return f"{FAILED}: {_one_line(f'{type(error).__name__}: {error}')}", ""


def _one_line(why: str) -> str:
    return " ".join(why.replace("\x00", " ").split())[:200]


def main(argv: list[str]) -> None:
    """The child's entry point: ``python -m diarium.cases.files.text PATH MEDIA_TYPE MEMORY
    MAX_CHARS``; writes the status, a newline and the text to standard output."""
    path, media_type, memory, max_chars = argv
    logging.disable(logging.CRITICAL)  # a damaged file's many warnings: not wanted
    warnings.simplefilter("ignore")
    status, text = _child(path, media_type, Limits(0, int(memory), int(max_chars)))
    sys.stdout.buffer.write(f"{status}\n{text}".encode("utf-8", "replace"))


# -- in the parent -------------------------------------------------------------------------------


def extract_file(path: Path, media_type: str, limits: Limits | None = None) -> Extracted:
    """The text of the file at ``path`` of ``media_type``, read in a bounded child process
    (a fresh interpreter: nothing of a threaded parent is forked)."""
    limits = limits or Limits.from_environment()
    if extractor(media_type) is None:
        return Extracted(UNSUPPORTED)
    command = [sys.executable, "-m", __name__, str(path), media_type, str(limits.memory),
               str(limits.max_chars)]
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    try:
        out, err = child.communicate(timeout=limits.timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        return Extracted(TIMEOUT)
    status, _, text = out.decode("utf-8", "replace").partition("\n")
    if child.returncode != 0 or not status:
        if b"MemoryError" in err:
            return Extracted(TOO_LARGE)
        last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        return Extracted(f"{FAILED}: the reader stopped (exit code {child.returncode}) "
                         f"{_one_line(last[0])}".rstrip())
    return Extracted(status, text.replace("\x00", "") if status == INDEXED else "")


def extract_stream(stream: BinaryIO, media_type: str, limits: Limits | None = None) -> Extracted:
    """The text of the file ``stream`` holds (copied to a temporary file the child reads)."""
    if extractor(media_type) is None:
        return Extracted(UNSUPPORTED)
    with tempfile.NamedTemporaryFile(prefix="diarium-text-") as copy:
        shutil.copyfileobj(stream, copy, _COPY_CHUNK)
        copy.flush()
        return extract_file(Path(copy.name), media_type, limits)


if __name__ == "__main__":
    main(sys.argv[1:])
