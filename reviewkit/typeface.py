"""One typeface for the DOCX, the PDF and the figures.

The Word file names a font (the profile's ``text.font`` or the one its
journal template declares, e.g. Times New Roman); Word renders it on the
editor's machine. The PDF cannot rely on the machine (typst runs with
``ignore_system_fonts=True``), so it is set in the same font when typst has
it (embedded in typst, shipped in ``layout/fonts/`` or in a profile's
``pdf.font_paths``), otherwise in a shipped font with the same metrics
(:data:`METRIC_COMPATIBLE`: TeX Gyre Termes for Times New Roman, GUST Font
Licence, from the GUST e-foundry). Same glyph widths mean the same line
breaks and the same table widths. The figures load the same font files into
matplotlib. See docs/pandoc-and-typst.md ("Fonts").

Line spacing: Word's "multiple" spacing L gives a baseline distance of
L x (ascent + descent + line gap) of the font (hhea table; 1.15 em for Times
New Roman). typst's baseline distance is the font's cap height plus
``leading``, so the PDF gets ``leading = L x single - cap height``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from reviewkit.errors import InputError
from reviewkit.paths import LAYOUT_DIR

__all__ = [
    "FONTS_DIR",
    "METRIC_COMPATIBLE",
    "font_file",
    "font_paths",
    "linestretch",
    "pdf_family",
    "text_width",
    "typst_families",
    "use_in_matplotlib",
]

#: Fonts shipped with the tool (each folder with its licence).
FONTS_DIR = LAYOUT_DIR / "fonts"
#: Word font -> a shipped font with the same advance widths.
METRIC_COMPATIBLE = {
    "Times New Roman": "TeX Gyre Termes",
    "Times": "TeX Gyre Termes",
}
#: Word's single line height (em) for fonts Word has and this machine has not.
WORD_SINGLE_LINE = {"Times New Roman": 1.15, "Times": 1.15}
#: typst's leading unit in the template (manuscript.typst: linestretch * 0.65em).
TYPST_LEADING_UNIT = 0.65
#: Width measurements fall back to this family (TeX Gyre Termes = Times widths).
DEFAULT_FAMILY = "TeX Gyre Termes"
_DEFAULT_FILES = {
    False: FONTS_DIR / "tex-gyre-termes" / "texgyretermes-regular.otf",
    True: FONTS_DIR / "tex-gyre-termes" / "texgyretermes-bold.otf",
}


def font_paths(extra: Sequence[os.PathLike[str] | str] = ()) -> list[str]:
    """Folders typst and matplotlib read fonts from: the shipped ones, then ``extra``."""
    return [str(FONTS_DIR), *(str(path) for path in extra)]


@cache
def _fonts(paths: tuple[str, ...]):
    import typst

    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=True, font_paths=paths)


def typst_families(extra: Sequence[os.PathLike[str] | str] = ()) -> list[str]:
    """Font families typst can use (embedded, shipped, ``extra`` folders)."""
    return list(_fonts(tuple(font_paths(extra))).families())


def pdf_family(
    font: str, extra: Sequence[os.PathLike[str] | str] = (), override: str | None = None
) -> str:
    """The family the PDF is set in for the Word font ``font``.

    ``override`` (a profile's ``pdf.font``) wins; otherwise ``font`` itself when
    typst has it, else its metric-compatible substitute. Raises InputError when
    there is neither.
    """
    families = typst_families(extra)
    wanted = override or font
    if wanted in families:
        return wanted
    substitute = METRIC_COMPATIBLE.get(wanted)
    if not override and substitute in families:
        return substitute
    raise InputError(
        f'font "{wanted}" is not available for the PDF (available: {", ".join(families)}); '
        "put its .otf/.ttf files in a folder named in the profile's pdf.font_paths, "
        "or name one of the available fonts as pdf.font"
    )


def font_file(
    family: str,
    extra: Sequence[os.PathLike[str] | str] = (),
    *,
    bold: bool = False,
    italic: bool = False,
) -> Path | None:
    """The file of one face of a family, None for fonts embedded in typst."""
    if family == DEFAULT_FAMILY and not italic:
        return _DEFAULT_FILES[bold]
    candidates = [f for f in _fonts(tuple(font_paths(extra))).fonts() if f.family == family]
    if not candidates:
        return None

    def distance(info) -> tuple:
        style = str(info.style).lower()
        return (
            ("italic" in style or "oblique" in style) != italic,
            abs(int(info.weight) - (700 if bold else 400)),
        )

    best = min(candidates, key=distance)
    return Path(best.path) if best.path else None


@cache
def _metrics(path: str) -> dict:
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        units = font["head"].unitsPerEm
        hhea = font["hhea"]
        os2 = font["OS/2"]
        return {
            "single": (hhea.ascent - hhea.descent + hhea.lineGap) / units,
            "cap": getattr(os2, "sCapHeight", 0) / units or 0.7,
            "cmap": dict(font.getBestCmap()),
            "widths": {name: w / units for name, (w, _) in font["hmtx"].metrics.items()},
        }


def linestretch(line_spacing: float, word_font: str, family: str, extra=()) -> float:
    """typst's ``linestretch`` giving Word's line spacing ``line_spacing`` (see module doc)."""
    path = font_file(family, extra) or font_file(DEFAULT_FAMILY)
    metrics = _metrics(str(path))
    single = WORD_SINGLE_LINE.get(word_font, metrics["single"])
    leading = line_spacing * single - metrics["cap"]
    return round(leading / TYPST_LEADING_UNIT, 3)


def text_width(
    text: str,
    size_pt: float,
    *,
    family: str = DEFAULT_FAMILY,
    bold: bool = False,
    italic: bool = False,
    extra=(),
) -> float:
    """Width of ``text`` in points, set in ``family`` at ``size_pt`` (no kerning)."""
    widths = _char_widths(family, tuple(str(path) for path in extra), bold, italic)
    return size_pt * sum(map(widths.__getitem__, text))


class _CharWidths(dict):
    """Character -> advance width (em) of one font file, filled in as characters are
    first met: tables of thousands of studies measure millions of characters."""

    def __init__(self, path: str):
        super().__init__()
        metrics = _metrics(path)
        self.cmap, self.widths = metrics["cmap"], metrics["widths"]
        self.fallback = self.widths.get(self.cmap.get(ord("n"), ""), 0.5)

    def __missing__(self, ch: str) -> float:
        width = self.widths.get(self.cmap.get(ord(ch), ""), self.fallback)
        self[ch] = width
        return width


@cache
def _char_widths(family: str, extra: tuple[str, ...], bold: bool, italic: bool) -> _CharWidths:
    path = font_file(family, extra, bold=bold, italic=italic) or font_file(
        DEFAULT_FAMILY, bold=bold, italic=italic
    )
    return _CharWidths(str(path))


def use_in_matplotlib(family: str, extra: Sequence[os.PathLike[str] | str] = ()) -> str:
    """Register the files of ``family`` with matplotlib; the family name to use.

    Fonts embedded in typst have no file: matplotlib then falls back to the
    shipped Times-metric font, the closest in look.
    """
    from matplotlib import font_manager

    if font_file(family, extra) is None:
        family = DEFAULT_FAMILY
    for info in _fonts(tuple(font_paths(extra))).fonts():
        if info.family == family and info.path:
            font_manager.fontManager.addfont(info.path)
    return family
