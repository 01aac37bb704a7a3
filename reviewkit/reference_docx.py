"""Make the reference DOCX that gives the manuscript its Word styles and page.

The file is derived from pandoc's own default (``pandoc -o custom-reference.docx
--print-default-data-file reference.docx``) by editing its XML, so every style
name pandoc writes keeps existing. Settings: font and size, line spacing (1.5,
or 2 for "double"), A4 page and margins, a page-number footer, continuous line
numbers. The zip is written with fixed dates and sorted entries, so the same
settings give the same bytes on every run (python-docx's ``save`` would stamp
the current time).

Regenerate the committed file (from the project root)::

    python -m reviewkit.reference_docx layout/templates/reference.docx
    python -m reviewkit.reference_docx out.docx --line-spacing 2 --line-numbers
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from reviewkit.errors import InputError

__all__ = [
    "PAPER_SIZES",
    "default_reference_docx",
    "effective_layout",
    "make_reference_docx",
    "reference_for_profile",
    "template_layout",
]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
FOOTER_REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
FOOTER_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"
FOOTER_PART = "word/footer1.xml"
FOOTER_REL_ID = "rIdReviewkitFooter1"

#: Page sizes in twentieths of a point (twips): width, height.
PAPER_SIZES = {"A4": (11906, 16838), "letter": (12240, 15840)}
TWIPS_PER_CM = 1440 / 2.54
FIXED_ZIP_DATE = (1980, 1, 1, 0, 0, 0)

for _prefix, _uri in {
    "w": W,
    "r": R,
    "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "o": "urn:schemas-microsoft-com:office:office",
    "v": "urn:schemas-microsoft-com:vml",
    "w10": "urn:schemas-microsoft-com:office:word",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "sl": "http://schemas.openxmlformats.org/schemaLibrary/2006/main",
}.items():
    ET.register_namespace(_prefix, _uri)


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def default_reference_docx() -> bytes:
    """pandoc's built-in reference.docx (from the pandoc in pypandoc-binary)."""
    import pypandoc

    return subprocess.run(
        [pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.docx"],
        capture_output=True,
        check=True,
    ).stdout


# ------------------------------------------------------------- XML helpers --


def _child(parent: ET.Element, tag: str, *, before: tuple[str, ...] = ()) -> ET.Element:
    """The child ``w:tag`` of ``parent``, created if missing.

    A new child goes before the first existing child whose tag is in
    ``before`` (WordprocessingML prescribes the order of children).
    """
    found = parent.find(_w(tag))
    if found is not None:
        return found
    element = ET.Element(_w(tag))
    for index, existing in enumerate(list(parent)):
        if existing.tag in {_w(b) for b in before}:
            parent.insert(index, element)
            return element
    parent.append(element)
    return element


def _set(element: ET.Element, **attrs: str) -> ET.Element:
    for key, value in attrs.items():
        element.set(_w(key), value)
    return element


def _remove(parent: ET.Element, tag: str) -> None:
    for found in parent.findall(_w(tag)):
        parent.remove(found)


# Children order (subsets) of w:style, w:pPr and w:rPr.
_STYLE_AFTER_PPR = ("rPr", "tblPr", "trPr", "tcPr", "tblStylePr")
_PPR_ORDER = (
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl",
    "numPr", "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku",
    "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi",
    "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents",
    "suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap",
    "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange",
)  # fmt: skip
_RPR_ORDER = (
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
    "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden",
    "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect",
    "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout",
    "specVanish", "oMath",
)  # fmt: skip


def _after(order: tuple[str, ...], tag: str) -> tuple[str, ...]:
    return order[order.index(tag) + 1 :]


def _ppr(style: ET.Element) -> ET.Element:
    return _child(style, "pPr", before=_STYLE_AFTER_PPR)


def _rpr(style: ET.Element) -> ET.Element:
    return _child(style, "rPr", before=_STYLE_AFTER_PPR[1:])


def _p(ppr: ET.Element, tag: str) -> ET.Element:
    return _child(ppr, tag, before=_after(_PPR_ORDER, tag))


def _r(rpr: ET.Element, tag: str) -> ET.Element:
    return _child(rpr, tag, before=_after(_RPR_ORDER, tag))


def _fonts(rpr: ET.Element, font: str) -> None:
    """Set an explicit font on all scripts (replacing theme fonts)."""
    fonts = _r(rpr, "rFonts")
    fonts.attrib.clear()
    _set(fonts, ascii=font, hAnsi=font, eastAsia=font, cs=font)


def _size(rpr: ET.Element, half_points: int) -> None:
    _set(_r(rpr, "sz"), val=str(half_points))
    _set(_r(rpr, "szCs"), val=str(half_points))


def _toggle(rpr: ET.Element, tag: str, on: bool) -> None:
    """Bold/italic on or explicitly off (a style may inherit it otherwise)."""
    for name in (tag, tag + "Cs"):
        _remove(rpr, name)
        element = _r(rpr, name)
        if not on:
            _set(element, val="0")


def _spacing(ppr: ET.Element, **attrs: str) -> None:
    _set(_p(ppr, "spacing"), **attrs)


# ------------------------------------------------------------------ styles --


def _edit_styles(
    xml: bytes, *, font: str, size_pt: float, line_spacing: float, heading_color: str
) -> bytes:
    root = ET.fromstring(xml)
    body = round(size_pt * 2)
    line = str(round(240 * line_spacing))
    styles = {s.get(_w("styleId")): s for s in root.findall(_w("style"))}

    def style(style_id: str, name: str, based_on: str = "Normal") -> ET.Element:
        if style_id not in styles:
            new = ET.SubElement(
                root, _w("style"), {_w("type"): "paragraph", _w("styleId"): style_id}
            )
            new.set(_w("customStyle"), "1")
            _set(ET.SubElement(new, _w("name")), val=name)
            _set(ET.SubElement(new, _w("basedOn")), val=based_on)
            ET.SubElement(new, _w("qFormat"))
            styles[style_id] = new
        return styles[style_id]

    # Defaults: font, size, line spacing for every paragraph.
    defaults = root.find(_w("docDefaults"))
    default_rpr = defaults.find(f"{_w('rPrDefault')}/{_w('rPr')}")
    _fonts(default_rpr, font)
    _size(default_rpr, body)
    default_ppr = defaults.find(f"{_w('pPrDefault')}/{_w('pPr')}")
    _spacing(default_ppr, after="120", line=line, lineRule="auto")

    # No theme fonts anywhere (headings, title, TOC heading used Cambria/Calibri).
    for rfonts in root.iter(_w("rFonts")):
        if any(k.endswith("Theme") or k.endswith("theme") for k in rfonts.attrib):
            rfonts.attrib.clear()
            _set(rfonts, ascii=font, hAnsi=font, eastAsia=font, cs=font)

    # Title block.
    for style_id, half_points, bold in (("Title", body + 6, True), ("Subtitle", body + 2, False)):
        rpr = _rpr(style(style_id, style_id))
        _size(rpr, half_points)
        _toggle(rpr, "b", bold)
        _toggle(rpr, "i", False)
        _remove(rpr, "color")
        _remove(rpr, "spacing")  # the Subtitle was letter-spaced
        _spacing(
            _ppr(style(style_id, style_id)), before="0", after="120", line=line, lineRule="auto"
        )
    for style_id in ("Author", "Date"):
        _size(_rpr(style(style_id, style_id, "Title")), body)
        _toggle(_rpr(styles[style_id]), "b", False)
    affiliation = style("Affiliation", "Affiliation")
    _set(_p(_ppr(affiliation), "jc"), val="center")
    _spacing(_ppr(affiliation), before="0", after="0")
    _size(_rpr(affiliation), body - 2)

    # Title-page lines (corresponding author, ORCID, running title, counts):
    # left-aligned, no space between them.
    info = style("TitlePageInfo", "Title Page Info")
    _set(_p(_ppr(info), "jc"), val="left")
    _spacing(_ppr(info), before="0", after="60")

    # Abstract: body size, may break across pages.
    abstract = style("Abstract", "Abstract")
    _size(_rpr(abstract), body)
    _remove(_ppr(abstract), "keepNext")
    _remove(_ppr(abstract), "keepLines")
    _spacing(_ppr(abstract), before="0", after="120")

    # Headings: body font, bold, black; level 1 a little larger.
    for level in range(1, 10):
        heading = styles.get(f"Heading{level}")
        if heading is None:
            continue
        rpr = _rpr(heading)
        _size(rpr, body + 2 if level == 1 else body)
        _toggle(rpr, "b", True)
        _toggle(rpr, "i", level >= 3)
        _remove(rpr, "color")
        if heading_color != "auto":
            _set(_r(rpr, "color"), val=heading_color)
        _spacing(_ppr(heading), before="240", after="120")

    # Captions: upright (pandoc's default is italic).
    _toggle(_rpr(style("Caption", "caption")), "i", False)
    _spacing(_ppr(styles["Caption"]), before="120", after="120")
    # Figures and all captions centred, as typst sets them in the PDF.
    for style_id in ("Caption", "Figure"):
        _set(_p(_ppr(style(style_id, style_id)), "jc"), val="center")

    # Table cells ("Compact"): single spacing, a little smaller.
    compact = style("Compact", "Compact", "BodyText")
    _spacing(_ppr(compact), before="20", after="20", line="240", lineRule="auto")
    _size(_rpr(compact), body - 2)

    # Reference list: hanging indent of 1.27 cm (0.5 in).
    bibliography = style("Bibliography", "Bibliography")
    _set(_p(_ppr(bibliography), "ind"), left="720", hanging="720")
    _spacing(_ppr(bibliography), before="0", after="120")

    # Tables: rules above and below (plus pandoc's rule under the header row).
    table = styles.get("Table")
    if table is not None:
        tblpr = table.find(_w("tblPr"))
        borders = tblpr.find(_w("tblBorders"))
        if borders is None:
            borders = ET.Element(_w("tblBorders"))
            cell_margins = tblpr.find(_w("tblCellMar"))
            index = list(tblpr).index(cell_margins) if cell_margins is not None else len(tblpr)
            tblpr.insert(index, borders)
        for side in ("top", "bottom"):
            _set(_child(borders, side), val="single", sz="8", space="0", color="000000")

    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


# ------------------------------------------------------------------- page ---


def _edit_document(
    xml: bytes,
    *,
    paper: str,
    margin_cm: float,
    line_numbers: bool,
    page_numbers: bool,
) -> bytes:
    root = ET.fromstring(xml)
    body = root.find(_w("body"))
    for old in body.findall(_w("sectPr")):
        body.remove(old)
    sect = ET.SubElement(body, _w("sectPr"))
    if page_numbers:
        ref = ET.SubElement(sect, _w("footerReference"))
        _set(ref, type="default")
        ref.set(f"{{{R}}}id", FOOTER_REL_ID)
    _set(ET.SubElement(ET.SubElement(sect, _w("footnotePr")), _w("numRestart")), val="eachSect")
    width, height = PAPER_SIZES[paper]
    _set(ET.SubElement(sect, _w("pgSz")), w=str(width), h=str(height))
    margin = str(round(margin_cm * TWIPS_PER_CM))
    _set(
        ET.SubElement(sect, _w("pgMar")),
        top=margin, right=margin, bottom=margin, left=margin,
        header="709", footer="709", gutter="0",
    )  # fmt: skip
    if line_numbers:
        _set(ET.SubElement(sect, _w("lnNumType")), countBy="1", restart="continuous")
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


def _footer_xml() -> bytes:
    """A footer with the page number (a PAGE field), centred."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:ftr xmlns:w="{W}" xmlns:r="{R}"><w:p>'
        '<w:pPr><w:suppressLineNumbers/><w:jc w:val="center"/></w:pPr>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        "<w:r><w:t>1</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        "</w:p></w:ftr>"
    ).encode()


def _insert_before_end(xml: bytes, closing_tag: str, element: str) -> bytes:
    """Add ``element`` as the last child (plain text edit: keeps the bytes)."""
    text = xml.decode("utf-8")
    end = text.rindex(closing_tag)
    return (text[:end] + element + text[end:]).encode("utf-8")


def _add_footer_relationship(xml: bytes) -> bytes:
    if FOOTER_REL_ID.encode() in xml:
        return xml
    return _insert_before_end(
        xml,
        "</Relationships>",
        f'<Relationship Type="{FOOTER_REL_TYPE}" Id="{FOOTER_REL_ID}" Target="footer1.xml" />',
    )


def _add_footer_content_type(xml: bytes) -> bytes:
    if f"/{FOOTER_PART}".encode() in xml:
        return xml
    return _insert_before_end(
        xml,
        "</Types>",
        f'<Override PartName="/{FOOTER_PART}" ContentType="{FOOTER_CONTENT_TYPE}" />',
    )


def _edit_settings(xml: bytes) -> bytes:
    """Automatic hyphenation on (Word hyphenates in the language of the text,
    which pandoc sets from ``lang``), so a narrow table column breaks a long
    word with a hyphen; Word's CT_Settings order puts it after defaultTabStop."""
    if b"autoHyphenation" in xml:
        return xml
    text = xml.decode("utf-8")
    anchor = text.find("<w:defaultTabStop")
    if anchor == -1:
        return _insert_before_end(xml, "</w:settings>", "<w:autoHyphenation/>")
    end = text.index("/>", anchor) + 2
    return (text[:end] + "<w:autoHyphenation/>" + text[end:]).encode("utf-8")


# ------------------------------------------------------- a journal template --


def _twips(value: str | None) -> float | None:
    return None if value is None else int(value) / TWIPS_PER_CM


def template_layout(path: os.PathLike[str] | str) -> dict:
    """Font, size, line spacing, page and numbering of a Word template, as the
    profile's ``text`` and ``page`` keys would give them (keys it does not set
    are left out). Read from styles.xml (document defaults, then the Normal
    style), theme1.xml (a theme font) and the last section of document.xml."""
    with zipfile.ZipFile(path) as source:
        names = set(source.namelist())
        styles = ET.fromstring(source.read("word/styles.xml"))
        document = ET.fromstring(source.read("word/document.xml"))
        theme = (
            ET.fromstring(source.read("word/theme/theme1.xml"))
            if "word/theme/theme1.xml" in names
            else None
        )
        footers = [source.read(n) for n in names if n.startswith("word/footer")]
    found: dict = {}
    layers = [styles.find(f"{_w('docDefaults')}/{_w('rPrDefault')}/{_w('rPr')}")]
    player = [styles.find(f"{_w('docDefaults')}/{_w('pPrDefault')}/{_w('pPr')}")]
    for style in styles.findall(_w("style")):
        if style.get(_w("type")) == "paragraph" and style.get(_w("default")) == "1":
            layers.append(style.find(_w("rPr")))
            player.append(style.find(_w("pPr")))
    for rpr in filter(lambda e: e is not None, layers):
        fonts = rpr.find(_w("rFonts"))
        if fonts is not None:
            name = fonts.get(_w("ascii")) or fonts.get(_w("hAnsi"))
            theme_key = fonts.get(_w("asciiTheme")) or fonts.get(_w("hAnsiTheme"))
            if name:
                found["font"] = name
            elif theme_key is not None and theme is not None:
                kind = "majorFont" if theme_key.startswith("major") else "minorFont"
                a = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
                latin = theme.find(f".//{a}{kind}/{a}latin")
                if latin is not None and latin.get("typeface"):
                    found["font"] = latin.get("typeface")
        size = rpr.find(_w("sz"))
        if size is not None and size.get(_w("val")):
            found["size_pt"] = int(size.get(_w("val"))) / 2
    for ppr in filter(lambda e: e is not None, player):
        spacing = ppr.find(_w("spacing"))
        auto = spacing is not None and spacing.get(_w("lineRule"), "auto") == "auto"
        if auto and spacing.get(_w("line")):
            found["line_spacing"] = int(spacing.get(_w("line"))) / 240
    sections = list(document.iter(_w("sectPr")))
    if sections:
        sect = sections[-1]
        size = sect.find(_w("pgSz"))
        if size is not None and size.get(_w("w")):
            found["width_cm"] = _twips(size.get(_w("w")))
            found["height_cm"] = _twips(size.get(_w("h")))
        margins = sect.find(_w("pgMar"))
        if margins is not None:
            found["margins_cm"] = {
                side: _twips(margins.get(_w(side)) or "0")
                for side in ("top", "right", "bottom", "left")
            }
        found["line_numbers"] = sect.find(_w("lnNumType")) is not None
        found["page_numbers"] = any(b"PAGE" in footer for footer in footers)
    return found


def effective_layout(profile: dict) -> dict:
    """The layout both formats use: the profile's ``text`` and ``page`` keys,
    replaced by what the journal's Word template (``docx.reference``) sets."""
    text, page = profile["text"], profile["page"]
    width, height = PAPER_SIZES[page["paper"]]
    margin = page["margin_cm"]
    layout = {
        "font": text["font"],
        "size_pt": text["size_pt"],
        "line_spacing": text["line_spacing"],
        "line_numbers": text["line_numbers"],
        "page_numbers": text["page_numbers"],
        "width_cm": width / TWIPS_PER_CM,
        "height_cm": height / TWIPS_PER_CM,
        "margins_cm": dict.fromkeys(("top", "right", "bottom", "left"), margin),
    }
    reference = profile["docx"].get("reference")
    if reference:
        layout.update(template_layout(reference))

    def rounded(value):
        if isinstance(value, dict):
            return {k: rounded(v) for k, v in value.items()}
        return round(value, 3) if isinstance(value, float) else value

    return {key: rounded(value) for key, value in layout.items()}


# -------------------------------------------------------------------- main --


def make_reference_docx(
    path: os.PathLike[str] | str,
    *,
    font: str = "Times New Roman",
    size_pt: float = 12,
    line_spacing: float = 1.5,
    line_numbers: bool = False,
    page_numbers: bool = True,
    paper: str = "A4",
    margin_cm: float = 2.5,
    heading_color: str = "000000",
    base: bytes | None = None,
) -> Path:
    """Write a reference DOCX for pandoc's ``--reference-doc`` and return its path.

    ``line_spacing``: 1 single, 1.5, 2 double (Word's "multiple" rule, applied
    to all text except table cells). ``line_numbers``: continuous line numbers
    (``w:lnNumType w:countBy="1" w:restart="continuous"``). ``page_numbers``:
    a centred PAGE field in the footer. ``paper``: a key of PAPER_SIZES.
    ``heading_color``: hex RGB or "auto". ``base``: the DOCX bytes to start
    from (default: pandoc's own reference.docx).
    """
    if paper not in PAPER_SIZES:
        raise ValueError(f"paper {paper!r}: expected one of {sorted(PAPER_SIZES)}")
    if not 0.5 <= line_spacing <= 3:
        raise ValueError(f"line_spacing {line_spacing!r}: expected a number from 0.5 to 3")
    with zipfile.ZipFile(io.BytesIO(base or default_reference_docx())) as source:
        parts = {name: source.read(name) for name in source.namelist()}

    parts["word/styles.xml"] = _edit_styles(
        parts["word/styles.xml"],
        font=font,
        size_pt=size_pt,
        line_spacing=line_spacing,
        heading_color=heading_color,
    )
    parts["word/document.xml"] = _edit_document(
        parts["word/document.xml"],
        paper=paper,
        margin_cm=margin_cm,
        line_numbers=line_numbers,
        page_numbers=page_numbers,
    )
    parts["word/settings.xml"] = _edit_settings(parts["word/settings.xml"])
    if page_numbers:
        parts[FOOTER_PART] = _footer_xml()
        parts["word/_rels/document.xml.rels"] = _add_footer_relationship(
            parts["word/_rels/document.xml.rels"]
        )
        parts["[Content_Types].xml"] = _add_footer_content_type(parts["[Content_Types].xml"])

    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w") as target:
        for name in sorted(parts):
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, parts[name], compresslevel=9)
    return out


def reference_for_profile(profile: dict, path: os.PathLike[str] | str) -> Path:
    """The reference DOCX of a journal profile (reviewkit.profiles): a copy of
    the journal's own Word template (``docx.reference``) or one made from the
    profile's ``docx`` and ``page`` settings."""
    out = Path(path)
    template = profile["docx"].get("reference")
    if template:
        try:
            with zipfile.ZipFile(template) as source:
                source.getinfo("word/styles.xml")
        except (zipfile.BadZipFile, KeyError, OSError):
            raise InputError(
                f"{profile['source']}: docx.reference: {template} is not a Word .docx file "
                "with styles (save the journal's template as .docx)"
            ) from None
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, out)
        return out
    text, page = profile["text"], profile["page"]
    return make_reference_docx(
        out,
        font=text["font"],
        size_pt=text["size_pt"],
        line_spacing=text["line_spacing"],
        line_numbers=text["line_numbers"],
        page_numbers=text["page_numbers"],
        paper=page["paper"],
        margin_cm=page["margin_cm"],
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--font", default="Times New Roman")
    parser.add_argument("--size-pt", type=float, default=12)
    parser.add_argument("--line-spacing", type=float, default=1.5)
    parser.add_argument("--line-numbers", action="store_true")
    parser.add_argument("--no-page-numbers", dest="page_numbers", action="store_false")
    parser.add_argument("--paper", default="A4", choices=sorted(PAPER_SIZES))
    parser.add_argument("--margin-cm", type=float, default=2.5)
    args = parser.parse_args(argv)
    make_reference_docx(
        args.output,
        font=args.font,
        size_pt=args.size_pt,
        line_spacing=args.line_spacing,
        line_numbers=args.line_numbers,
        page_numbers=args.page_numbers,
        paper=args.paper,
        margin_cm=args.margin_cm,
    )


if __name__ == "__main__":
    main()
