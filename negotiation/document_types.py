"""The kinds of document Parley takes, told by their content, never by the name alone.

A document's kind is what its first bytes (and, for the office formats, the parts inside
the zip) say it is; its name must end as that kind's names do, so a page of script called
"statement.pdf" or a spreadsheet renamed ".txt" is refused. Nothing here trusts the
Content-Type a browser sends. The kinds are few and common (PDF, pictures, office
documents, plain text), so a small table of signatures decides, with no system library.
Pictures are raster only: an SVG can carry script.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

# How much of the start of a file the plain-text check reads (text is checked whole
# up to this, then assumed to go on alike).
TEXT_SAMPLE = 64 * 1024


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    content_type: str
    extensions: tuple[str, ...]
    # Shown in the browser (a PDF, a picture, text); anything else downloads.
    inline: bool


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("pdf", "PDF", "application/pdf", (".pdf",), True),
        Kind("png", "PNG picture", "image/png", (".png",), True),
        Kind("jpeg", "JPEG picture", "image/jpeg", (".jpg", ".jpeg"), True),
        Kind("webp", "WebP picture", "image/webp", (".webp",), True),
        Kind(
            "docx",
            "Word document",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",),
            False,
        ),
        Kind(
            "xlsx",
            "Excel workbook",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            (".xlsx",),
            False,
        ),
        Kind(
            "pptx",
            "PowerPoint presentation",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            (".pptx",),
            False,
        ),
        Kind(
            "odt", "OpenDocument text", "application/vnd.oasis.opendocument.text", (".odt",), False
        ),
        Kind(
            "ods",
            "OpenDocument spreadsheet",
            "application/vnd.oasis.opendocument.spreadsheet",
            (".ods",),
            False,
        ),
        Kind("txt", "Text", "text/plain", (".txt",), True),
        Kind("csv", "CSV table", "text/csv", (".csv",), False),
    )
}

# The part an OOXML package must hold, per kind.
_OOXML_PARTS = {
    "docx": "word/document.xml",
    "xlsx": "xl/workbook.xml",
    "pptx": "ppt/presentation.xml",
}
# What an OpenDocument package's first member, "mimetype", says, per kind.
_ODF_TYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}


def sniff(head: bytes, whole: io.BufferedIOBase | io.BytesIO | None = None) -> str | None:
    """The kind of a file by its content: `head` is its first bytes (at least 16), and
    `whole` a seekable reader of all of it (needed to look inside zip packages). None
    when it is none of the kinds, or a damaged package."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"PK\x03\x04"):
        return _package_kind(whole) if whole is not None else None
    return "txt" if _is_text(head) else None


def _package_kind(whole: io.BufferedIOBase | io.BytesIO) -> str | None:
    try:
        whole.seek(0)
        with zipfile.ZipFile(whole) as package:
            names = set(package.namelist())
            if "mimetype" in names:
                declared = package.read("mimetype")[:100].decode("ascii", "replace").strip()
                return _ODF_TYPES.get(declared)
            if "[Content_Types].xml" in names:
                for kind, part in _OOXML_PARTS.items():
                    if part in names:
                        return kind
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, RuntimeError):
        return None
    finally:
        whole.seek(0)
    return None


def _is_text(head: bytes) -> bool:
    """UTF-8 text with no control characters but tabs and line ends (a cut at the end of
    the sample may split one character, which is forgiven)."""
    if not head or b"\x00" in head:
        return False
    sample = head[:TEXT_SAMPLE]
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(sample) - 3:
            return False
        text = sample[: error.start].decode("utf-8")
    return not any((ord(ch) < 32 and ch not in "\t\n\r\f") or ord(ch) == 127 for ch in text)


def kind_for(sniffed: str, filename: str) -> Kind | None:
    """The kind a file is taken as: what its content says, when its name agrees. Plain
    text named ".csv" is a CSV table."""
    lower = filename.lower()
    if sniffed == "txt" and lower.endswith(".csv"):
        sniffed = "csv"
    kind = KINDS.get(sniffed)
    if kind is None or not lower.endswith(kind.extensions):
        return None
    return kind


def allowed_labels(names: list[str]) -> str:
    """ "PDF, PNG picture, …" of the kinds taken, for an error message."""
    return ", ".join(KINDS[name].label for name in names if name in KINDS)


def allowed_extensions(names: list[str]) -> list[str]:
    return [ext for name in names if name in KINDS for ext in KINDS[name].extensions]
