"""Word documents made in memory for the upload tests: a real .docx (the parts Word writes that
mammoth reads), and the bad files a contributor might send."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"


def _run(text: str, bold: bool = False, italic: bool = False) -> str:
    props = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def docx(
    paragraphs: list[list[tuple[str, str]]], main_type: str = DOCX_MAIN, extra: dict[str, bytes] | None = None
) -> bytes:
    """A .docx whose paragraphs are runs of (style, text), style "", "b" or "i"."""
    body = "".join(
        "<w:p>" + "".join(_run(text, "b" in style, "i" in style) for style, text in runs) + "</w:p>"
        for runs in paragraphs
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'
    )
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main_type}"/></Types>'
    )
    rels = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{RELS}">'
        f'<Relationship Id="rId1" Type="{OFFICE_DOCUMENT}" Target="word/document.xml"/></Relationships>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("word/document.xml", document)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def essay_docx(paragraphs: list[str]) -> bytes:
    """Plain paragraphs, the second word of the first one bold and its third italic."""
    first = paragraphs[0].split(" ")
    runs = [("", first[0] + " "), ("b", first[1]), ("", " "), ("i", first[2]), ("", " " + " ".join(first[3:]))]
    return docx([runs, *[[("", p)] for p in paragraphs[1:]]])


def macro_docm(paragraphs: list[str]) -> bytes:
    return docx([[("", p)] for p in paragraphs], DOCM_MAIN, {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macros"})


def zip_bomb() -> bytes:
    """A small archive that would unpack to 60 MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", f'<Types><Override ContentType="{DOCX_MAIN}"/></Types>')
        archive.writestr("word/document.xml", b"\0" * (60 * 1024 * 1024))
    return buffer.getvalue()


def empty_docx() -> bytes:
    return docx([[("", "   ")]])
