"""Table 1: the characteristics of the included studies, regenerated from the study data.

One row per study (never per outcome: results live in the results frame). A
study without a publication year is shown as "(n.d.)" / "(t.t.)". Every cell
is data and reaches pandoc as literal text (reviewkit.safe_markdown).
"""

from __future__ import annotations

import pandas as pd

from reviewkit.i18n import message, section
from reviewkit.safe_markdown import Markdown, as_markdown, citation, literal
from reviewkit.table_widths import column_widths, separator_line
from reviewkit.vocabulary import Vocabulary

COLUMNS = ("no", "study", "location", "design", "sample", "result")


def headers(language: str) -> dict[str, str]:
    """Column headings in the manuscript's language (catalogue section study_table)."""
    words = section(language, "study_table")
    return {column: words[column] for column in COLUMNS}


def location(facility: object, region: object) -> str:
    """'RSUD Mokopido, Tolitoli'; the region is not repeated when the facility names it."""
    parts = [str(part) for part in (facility, region) if not pd.isna(part) and str(part)]
    if len(parts) == 2 and parts[1].lower() in parts[0].lower():
        parts = parts[:1]
    return ", ".join(parts)


def study_label(authors: object, year: object, language: str) -> str:
    """'Dewi et al. (2020)'; without a year 'Dewi et al. (n.d.)' / '(t.t.)'."""
    shown = message(language, "data.no_year") if pd.isna(year) else str(int(year))
    return f"{authors} ({shown})"


def design_text(
    design: str, as_reported: object, language: str, vocabulary: Vocabulary | None = None
) -> str:
    """The design as the report words it; the vocabulary label when it gives none."""
    if not pd.isna(as_reported) and str(as_reported).strip():
        return str(as_reported)
    return (vocabulary or Vocabulary()).design_label(design, language)


def sample_text(n_total: int, participants: object) -> str:
    return f"{int(n_total)} {participants}" if not pd.isna(participants) else str(int(n_total))


def study_cell(key: str, label: object) -> Markdown:
    """A study as the reference list identifies it: ``[@key]{.study}``.

    layout/filters/studies.lua turns it into "Dewi dkk. (2020)" with an
    author-date style and "Dewi dkk. (11)" with a numbered one (the author part
    rendered by citeproc, the number the reference list's). ``label`` is not
    written: it only stands in for the width of the cell.
    """
    del label
    return Markdown(f"[{citation(str(key))}]{{.study}}")


def build_study_table(
    studies: pd.DataFrame, language: str, vocabulary: Vocabulary | None = None
) -> pd.DataFrame:
    """One row per study in data order, headed in the manuscript's language."""
    table = pd.DataFrame(
        {
            "no": range(1, len(studies) + 1),
            "id": studies["id"].tolist(),
            "study": [
                study_label(a, y, language)
                for a, y in zip(studies["authors"], studies["year"], strict=True)
            ],
            "location": [
                location(f, r) for f, r in zip(studies["facility"], studies["region"], strict=True)
            ],
            "design": [
                design_text(d, r, language, vocabulary)
                for d, r in zip(studies["design"], studies["design_as_reported"], strict=True)
            ],
            "sample": [
                sample_text(n, p)
                for n, p in zip(studies["n_total"], studies["participants"], strict=True)
            ],
            "result": studies["main_result"].tolist(),
        }
    )
    return table.rename(columns=headers(language))


def to_pipe_table(
    table: pd.DataFrame,
    widths: list[float] | None = None,
    *,
    markdown_columns: list[int] = (),
    display: pd.DataFrame | None = None,
    header_classes: dict[int, str] | None = None,
) -> Markdown:
    """A pandoc pipe table whose separator line sets the relative column widths.

    The separator line is longer than pandoc's ``columns`` (72), so pandoc
    always takes the relative widths from its dashes (``SEPARATOR_DASHES`` in
    all) and the table spans the text width in both DOCX and PDF. ``widths``:
    relative widths, default :func:`column_widths` of ``display`` (the text as
    the reader sees it; default the table itself). Every cell and header is
    data and is escaped as literal text (reviewkit.safe_markdown), except cells
    that are ``Markdown`` already (study cells, the tool's own subscripts) and
    the cells of ``markdown_columns`` (positions), which must hold tool-built
    Markdown only.
    """
    widths = widths or column_widths(display if display is not None else table)
    rows = []
    for row in table.itertuples(index=False, name=None):  # iterrows: a Series a row
        cells = [
            str(value) if index in markdown_columns else as_markdown(value)
            for index, value in enumerate(row)
        ]
        rows.append("| " + " | ".join(cells) + " |")
    header_classes = header_classes or {}
    names = [
        f"[{literal(name)}]{{.{header_classes[index]}}}"
        if index in header_classes
        else as_markdown(name)
        for index, name in enumerate(table.columns)
    ]
    header = "| " + " | ".join(names) + " |"
    return Markdown("\n".join([header, separator_line(widths), *rows]) + "\n")


def study_table_markdown(
    studies: pd.DataFrame, language: str, vocabulary: Vocabulary | None = None
) -> Markdown:
    """Table 1 for the manuscript: the study column cites each study (study_cell)."""
    display = build_study_table(studies, language, vocabulary).drop(columns="id")
    table = display.copy()
    position = list(table.columns).index(headers(language)["study"])
    table.iloc[:, position] = [
        study_cell(key, label)
        for key, label in zip(studies["id"], display.iloc[:, position], strict=True)
    ]
    return to_pipe_table(
        table,
        markdown_columns=[position],
        display=display,
        header_classes={position: "study-header"},
    )
