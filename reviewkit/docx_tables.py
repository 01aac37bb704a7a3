"""Finish the tables of a DOCX pandoc wrote: rows that stay whole, columns in cm.

pandoc marks the header row of each table as repeated on every page
(``w:tblHeader``) but cannot say that a row must not break across pages, and
it writes the column grid for a text width of its own (5.5 in). This step
edits ``word/document.xml`` as text (no re-serialisation, so every namespace
and attribute stays as pandoc wrote it):

* every table row gets ``w:cantSplit`` (a row moves to the next page whole);
* each table's ``w:gridCol`` widths are scaled to the text width of the
  section the table is in (page width minus left and right margins, read
  from that section's ``w:sectPr``), keeping pandoc's proportions; Word and
  LibreOffice then lay the columns out alike, and a test can read the width
  of every column in twips.

* a paragraph section break left as a marker by layout/filters/tables.lua
  (``w:sectPr`` holding only ``<w:pgSz w:orient="portrait|landscape"/>``)
  becomes a copy of the document's own last section (page size, margins,
  footer, line numbering), turned sideways for ``landscape``: so a wide
  table gets a landscape page whatever Word template the journal sent.

The zip is rewritten entry by entry with each entry's original date and
compression, so the output stays byte-for-byte reproducible.
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

__all__ = ["finish_document_xml", "finish_docx"]

_ROW = re.compile(r"<w:tr(?:\s[^>]*)?>(<w:trPr\s*/>|<w:trPr>)?")
_GRID = re.compile(r"<w:tblGrid>(.*?)</w:tblGrid>", re.S)
_GRID_COL = re.compile(r'<w:gridCol w:w="(\d+)"\s*/>')
_SECT = re.compile(r"<w:sectPr[ >].*?</w:sectPr>", re.S)


def _attr(xml: str, element: str, name: str) -> int | None:
    found = re.search(rf"<w:{element}\b[^>]*\bw:{name}=\"(\d+)\"", xml)
    return int(found.group(1)) if found else None


def _text_width(sect: str) -> int | None:
    width = _attr(sect, "pgSz", "w")
    left, right = _attr(sect, "pgMar", "left"), _attr(sect, "pgMar", "right")
    if width is None or left is None or right is None:
        return None
    return width - left - right


def _rows(xml: str) -> str:
    def replace(match: re.Match) -> str:
        row = match.group(0)
        if match.group(1) is None:
            return row + "<w:trPr><w:cantSplit/></w:trPr>"
        if match.group(1).endswith("/>"):
            return row[: -len(match.group(1))] + "<w:trPr><w:cantSplit/></w:trPr>"
        return row + "<w:cantSplit/>"

    return _ROW.sub(replace, xml)


def _grids(xml: str) -> str:
    sections = [(m.end(), _text_width(m.group(0))) for m in _SECT.finditer(xml)]

    def width_after(position: int) -> int | None:
        for end, width in sections:
            if end > position:
                return width
        return None

    def replace(match: re.Match) -> str:
        widths = [int(w) for w in _GRID_COL.findall(match.group(1))]
        target = width_after(match.start())
        if not widths or target is None or sum(widths) == 0:
            return match.group(0)
        total = sum(widths)
        scaled = [round(target * w / total) for w in widths]
        cols = "".join(f'<w:gridCol w:w="{w}" />' for w in scaled)
        return f"<w:tblGrid>{cols}</w:tblGrid>"

    return _GRID.sub(replace, xml)


_MARKER = re.compile(r'<w:sectPr><w:pgSz w:orient="(portrait|landscape)"\s*/></w:sectPr>')


def _turned(sect: str) -> str:
    width, height = _attr(sect, "pgSz", "w"), _attr(sect, "pgSz", "h")
    if width is None or height is None:
        return sect
    size = f'<w:pgSz w:w="{max(width, height)}" w:h="{min(width, height)}" w:orient="landscape" />'
    return re.sub(r"<w:pgSz\b[^>]*/>", size, sect, count=1)


def _sections(xml: str) -> str:
    if not _MARKER.search(xml):
        return xml
    own = [m.group(0) for m in _SECT.finditer(xml) if not _MARKER.fullmatch(m.group(0))]
    if not own:
        return xml
    body = own[-1]
    return _MARKER.sub(lambda m: _turned(body) if m.group(1) == "landscape" else body, xml)


def finish_document_xml(xml: str) -> str:
    """The edits of the module docstring on the text of word/document.xml."""
    return _grids(_rows(_sections(xml)))


def finish_docx(path: os.PathLike[str] | str) -> None:
    """Apply :func:`finish_document_xml` to a DOCX file in place."""
    path = Path(path)
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info.filename)) for info in source.infolist()]
    tmp = path.with_name(f".{path.name}.tables.tmp")
    try:
        with zipfile.ZipFile(tmp, "w") as target:
            for info, data in entries:
                if info.filename == "word/document.xml":
                    data = finish_document_xml(data.decode("utf-8")).encode("utf-8")
                target.writestr(info, data, compress_type=info.compress_type)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
