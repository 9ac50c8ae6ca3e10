"""A contributor's uploaded Word document (.docx) turned into paragraphs, with its emphasis.

Converted with mammoth (pure Python, maintained, made for exactly this: a .docx's semantic structure,
paragraphs, bold and italic, as clean HTML, ignoring fonts and colours); python-docx reads the
same files but needs lxml, a compiled library, in the layer, and leaves emphasis to be put
together from runs by hand. Before mammoth sees a byte, the file is checked as a zip archive:

- not a zip, or no Word document inside: refused (a .doc, a PDF, a renamed image...);
- a macro-enabled document (.docm content, or a VBA project inside): refused, never converted;
- a zip bomb: more than MAX_UNPACKED_BYTES once unpacked, or a part compressed more than
  MAX_RATIO to one: refused from the archive's directory, without unpacking anything.

Pure logic (bytes in, paragraphs out); the function that calls it deletes the upload whatever the outcome.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import ClassVar

from shared.errors import InvalidRequest

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAIN_PART = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
MACRO_MARKERS = (b"macroEnabled", b"vbaProject", b"vbaData")
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_RATIO = 100
MAX_PARTS = 1_000
NOT_DOCX = "the file is not a Word document (.docx): save it from Word as .docx, or paste the text"
# Bold and italic spans kept with the text (its item holds both in DynamoDB's 400 KB): beyond, dropped.
MAX_EMPHASIS_SPANS = 400


@dataclass(frozen=True)
class Converted:
    paragraphs: list[str]
    # emphasis kept as offsets in the paragraphs as stored: {"paragraph": 1-based, "start", "end", "style"}
    emphasis: list[dict[str, object]]


def check_archive(data: bytes) -> zipfile.ZipFile:
    """The document's archive, once it is known to be a safe .docx; else a 400 saying why."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise InvalidRequest(NOT_DOCX) from None
    if len(parts) > MAX_PARTS:
        raise InvalidRequest("the document holds too many parts to be a plain essay: save it again as .docx")
    unpacked = 0
    for part in parts:
        unpacked += part.file_size
        if part.file_size > MAX_RATIO * max(part.compress_size, 1) and part.file_size > 1024 * 1024:
            raise InvalidRequest("the document is packed suspiciously tightly (a zip bomb?): it was refused")
    if unpacked > MAX_UNPACKED_BYTES:
        raise InvalidRequest(
            f"the document unpacks to more than {MAX_UNPACKED_BYTES // (1024 * 1024)} MB: "
            "remove the images, or paste the text"
        )
    names = {part.filename for part in parts}
    if "[Content_Types].xml" not in names:
        raise InvalidRequest(NOT_DOCX)
    try:
        types = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError):  # RuntimeError: an encrypted part
        raise InvalidRequest(NOT_DOCX) from None
    if any(marker in types for marker in MACRO_MARKERS) or any("vbaProject" in name for name in names):
        raise InvalidRequest(
            "the document contains macros (a .docm): we accept only plain .docx documents; "
            "save it from Word as 'Word Document (.docx)'"
        )
    if MAIN_PART not in types:
        raise InvalidRequest(NOT_DOCX)
    return archive


class _Paragraphs(HTMLParser):
    """mammoth's HTML: block elements are paragraphs; <strong> and <em> are kept as emphasis spans."""

    BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "td"})
    STYLES: ClassVar[dict[str, str]] = {"strong": "strong", "b": "strong", "em": "em", "i": "em"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.emphasis: list[dict[str, object]] = []
        self._pieces: list[tuple[str, frozenset[str]]] = []
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self._close()
        elif tag in self.STYLES:
            self._open.append(self.STYLES[tag])
        elif tag == "br":
            self._pieces.append((" ", frozenset(self._open)))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self._close()
        elif tag in self.STYLES and self.STYLES[tag] in self._open:
            self._open.remove(self.STYLES[tag])

    def handle_data(self, data: str) -> None:
        self._pieces.append((data, frozenset(self._open)))

    def _close(self) -> None:
        """The paragraph so far, its whitespace made single spaces as the store keeps paragraphs."""
        text, spans = "", []
        for piece, styles in self._pieces:
            words = " ".join(piece.split())
            if not words:
                if piece and text and not text.endswith(" "):
                    text += " "
                continue
            if piece[:1].isspace() and text and not text.endswith(" "):
                text += " "
            start = len(text)
            text += words
            spans += [(style, start, len(text)) for style in styles]
            if piece[-1:].isspace():
                text += " "
        self._pieces = []
        stripped = text.rstrip()
        if stripped:
            self.paragraphs.append(stripped)
            number = len(self.paragraphs)
            for style, start, end in _merged(spans):
                self.emphasis.append({"paragraph": number, "start": start, "end": end, "style": style})

    def close(self) -> None:
        super().close()
        self._close()


def _merged(spans: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Adjacent spans of one style as one (mammoth splits runs where Word did)."""
    result: list[tuple[str, int, int]] = []
    for style, start, end in sorted(spans):
        if result and result[-1][0] == style and start <= result[-1][2] + 1:
            result[-1] = (style, result[-1][1], max(end, result[-1][2]))
        else:
            result.append((style, start, end))
    return sorted(result, key=lambda s: (s[1], s[0]))


def convert(data: bytes) -> Converted:
    """The document's paragraphs and emphasis; a 400 for anything that is not a plain .docx."""
    check_archive(data)
    import mammoth  # imported on first upload only: the text submissions never pay for it

    try:
        html = mammoth.convert_to_html(io.BytesIO(data)).value
    except Exception:  # mammoth on a damaged part: the contributor's file, not our fault
        raise InvalidRequest(NOT_DOCX) from None
    parser = _Paragraphs()
    parser.feed(html)
    parser.close()
    return Converted(parser.paragraphs, parser.emphasis[:MAX_EMPHASIS_SPANS])
