"""Table 1: the characteristics of the included studies, regenerated from the study data.

One row per study (never per outcome: results live in the results frame). A
study without a publication year is shown as "(n.d.)" / "(t.t.)".
"""

from __future__ import annotations

import pandas as pd

from reviewkit.i18n import message
from reviewkit.safe_markdown import Markdown, as_markdown, citation
from reviewkit.vocabulary import Vocabulary

HEADERS = {
    "id": {
        "no": "No",
        "study": "Peneliti (Tahun)",
        "location": "Lokasi Penelitian",
        "design": "Desain Penelitian",
        "sample": "Jumlah Sampel",
        "result": "Hasil Utama",
    },
    "en": {
        "no": "No",
        "study": "Researcher (Year)",
        "location": "Setting",
        "design": "Design",
        "sample": "Sample",
        "result": "Main Result",
    },
}
# Relative column widths for the manuscript (No is narrow, the result wide).
COLUMN_WIDTHS = {"no": 6, "study": 14, "location": 14, "design": 14, "sample": 10, "result": 28}


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


def build_study_table(
    studies: pd.DataFrame, language: str, vocabulary: Vocabulary | None = None
) -> pd.DataFrame:
    """One row per study in data order, headed in the manuscript's language."""
    headers = HEADERS[language]
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
    return table.rename(columns=headers)


def to_pipe_table(
    table: pd.DataFrame,
    widths: list[int],
    cite_column: str | None = None,
    keys: list[str] | None = None,
) -> Markdown:
    """A pandoc pipe table whose separator line sets the relative column widths.

    pandoc turns the dashes of the separator line into relative widths when a
    row is longer than the page, which keeps a long 'result' column readable
    in both DOCX and PDF. With `cite_column`, that column's cells become
    narrative citations (@key) so every study is linked to the reference list.

    Every cell and header is data: it is escaped as literal text
    (reviewkit.safe_markdown), except cells that are ``Markdown`` already
    (citations built with ``safe_markdown.citation``).
    """
    rows = []
    for index, (_, row) in enumerate(table.iterrows()):
        cells = [as_markdown(value) for value in row]
        if cite_column is not None and keys is not None:
            cells[list(table.columns).index(cite_column)] = citation(keys[index])
        rows.append("| " + " | ".join(cells) + " |")
    header = "| " + " | ".join(as_markdown(name) for name in table.columns) + " |"
    # ":---" aligns every column left, as text in a table reads best.
    separator = "|" + "|".join(":" + "-" * max(3, width - 1) for width in widths) + "|"
    return Markdown("\n".join([header, separator, *rows]) + "\n")


def study_table_markdown(
    studies: pd.DataFrame, language: str, vocabulary: Vocabulary | None = None
) -> Markdown:
    table = build_study_table(studies, language, vocabulary)
    keys = table.pop("id").tolist()
    study_header = HEADERS[language]["study"]
    return to_pipe_table(table, list(COLUMN_WIDTHS.values()), cite_column=study_header, keys=keys)
