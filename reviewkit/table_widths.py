"""Relative widths of a table's columns from its content, for pandoc pipe tables
(Table 1, the effects table, the tables the text blocks write). Without pandas:
the text step, which imports no pandas, measures its tables too."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: Table cells are set 1 pt smaller than the 12 pt body text (reference_docx,
#: manuscript.typst), with 5.4 pt of padding left and right (Word's default
#: cell margin, 108 twips; typst's inset is set to the same).
CELL_SIZE_PT = 11.0
CELL_PADDING_PT = 2 * 5.4
#: The narrowest text width the widths are planned for: A4 with 2.5 cm margins.
TEXT_WIDTH_PT = 16 / 2.54 * 72
#: Length of a pipe table's separator line: the precision of the relative widths
#: (pandoc divides each cell's length, colon included, by the total).
SEPARATOR_DASHES = 1000
#: Room added to a column's longest word, so rounding never leaves it short.
SAFETY_PT = 1.0


def _words(text: str) -> list[str]:
    return [word for word in str(text).split() if word]


def column_widths(
    table: Any,
    *,
    size_pt: float = CELL_SIZE_PT,
    padding_pt: float = CELL_PADDING_PT,
    text_width_pt: float = TEXT_WIDTH_PT,
) -> list[float]:
    """Relative column widths (summing to 1) from the content, as a browser's
    automatic table layout does: every column at least as wide as its longest
    word (the header set bold), so no word has to break; the rest of the text
    width shared in proportion to how much wider each column would be unwrapped.
    Widths are measured with the shipped Times-metric font (reviewkit.typeface),
    whose glyph widths are those of Times New Roman in Word.
    """
    from reviewkit.typeface import text_width

    minimum, natural = [], []
    # a DataFrame's columns, or (header, cells) pairs: a header may repeat
    for column, values in table.items() if hasattr(table, "items") else table:
        cells = [str(value) for value in values]
        longest_word = max(
            [text_width(w, size_pt) for cell in cells for w in _words(cell)]
            + [text_width(w, size_pt, bold=True) for w in _words(column)]
            + [0.0]
        )
        longest_cell = max(
            [text_width(cell, size_pt) for cell in cells]
            + [text_width(str(column), size_pt, bold=True), 0.0]
        )
        minimum.append(longest_word + padding_pt + SAFETY_PT)
        natural.append(max(longest_cell + padding_pt, longest_word + padding_pt + SAFETY_PT))
    spare = text_width_pt - sum(minimum)
    extra = [n - m for n, m in zip(natural, minimum, strict=True)]
    if spare <= 0 or sum(extra) <= 0:
        widths = minimum if spare <= 0 else natural
    elif sum(natural) <= text_width_pt:
        widths = natural
    else:
        widths = [m + spare * e / sum(extra) for m, e in zip(minimum, extra, strict=True)]
    total = sum(widths)
    return [width / total for width in widths]


def separator_line(widths: list[float], right: Iterable[int] = ()) -> str:
    """The separator line of a pipe table: ``SEPARATOR_DASHES`` dashes shared in
    proportion to ``widths`` (at least 4 a column, pandoc's minimum), longer than
    pandoc's ``columns``, so that the table spans the text width with these relative
    widths. Columns are aligned left (text reads best so), those in ``right`` right."""
    total = sum(widths)
    lengths = [max(4, round(SEPARATOR_DASHES * width / total)) for width in widths]
    right = set(right)
    cells = (
        "-" * (n - 1) + ":" if i in right else ":" + "-" * (n - 1) for i, n in enumerate(lengths)
    )
    return "|" + "|".join(cells) + "|"
