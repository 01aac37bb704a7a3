"""A review of many studies: what moves from the manuscript to the supplement.

A table with one row per study, or a figure with one row per study, is read
in a manuscript of 15 studies; with 1,000 it is 40 pages of table and a
figure 250 inches tall (137 megapixels at 300 dpi), and pandoc's citeproc
spends minutes numbering 10,000 citations. Above the threshold of config.yaml
``large_review.per_study_in_supplement_above`` (default 100 studies, counted
from the rows of the study table; docs/large-reviews.md):

* Table 1 becomes a summary by design (studies, participants, sample size,
  years) with a total row (:func:`summary_table_markdown`); the table of each
  study and the table of effect sizes move to the supplementary tables
  document (:func:`appendix_markdown`, Table S1 and S2, built as DOCX and PDF
  into the submission folder) and stay in the supplementary spreadsheet. The
  studies are named there as the study table names them, "Authors (year)",
  with their citation key: a reference list of thousands of studies is not
  typeset (pandoc's citeproc takes minutes for it); the bibliographic data of
  every study is the bibliography file itself, which the review shares.
* The figures with one row per study are drawn aggregated
  (reviewkit.figures, reviewkit.synthesis_figures: ``*_aggregated``).
* The text says where the per-study detail is (reviewkit/text/<lang>/
  characteristics.md and effects_table.md).

:func:`count_study_rows` counts the rows as the validation does (rows with
at least one filled cell), without pandas, so the Snakefile can decide while
it is read which files the build makes; the data step then records the same
decision in summary.json (``large_review``), which the figure and text steps
read.
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from reviewkit.vocabulary import Vocabulary

__all__ = [
    "APPENDIX_DOCX",
    "APPENDIX_PDF",
    "DEFAULT_THRESHOLD",
    "appendix_markdown",
    "count_study_rows",
    "is_large",
    "pdf_limit_of",
    "settings_of",
    "summary_table_markdown",
    "wants_pdf",
]

DEFAULT_THRESHOLD = 100
#: Up to this many studies the supplementary tables are also typeset as a PDF.
#: One typst compile holds the whole document in memory: 10,000 studies (about
#: 500 pages of table) took 27 s and 3 GB on the 2-core benchmark machine,
#: 1,000 studies 3 s and 0.4 GB (docs/large-reviews.md). Above it, Word and the
#: spreadsheet carry the tables.
DEFAULT_PDF_LIMIT = 2000
#: The pandoc reader of the supplementary tables. The tool writes that Markdown
#: itself (a metadata block, pipe tables with captions, escaped text, g~z~), and
#: this subset of pandoc's Markdown reads it into the same document as the full
#: reader (tests/test_large_review_e2e.py) in half the time: 6 s instead of 13 s
#: for 10,000 studies. No raw HTML, no citations, no maths.
APPENDIX_READER = (
    "markdown_strict-raw_html+pipe_tables+table_captions+yaml_metadata_block"
    "+subscript+superscript+all_symbols_escapable+intraword_underscores"
)
#: The pandoc defaults file the supplementary tables start from instead of
#: common.yaml: its filters less the two that act only on citations, which this
#: document has none of (layout/defaults/appendix.yaml says more).
APPENDIX_DEFAULTS = "appendix.yaml"
#: File names of the supplementary tables document in the submission folder.
APPENDIX_DOCX = "supplementary-tables.docx"
APPENDIX_PDF = "supplementary-tables.pdf"
#: The supplementary spreadsheet (reviewkit.submission.write_supplement).
SPREADSHEET = "supplementary-data.xlsx"


def threshold_of(config: dict | None) -> int:
    """``large_review.per_study_in_supplement_above`` of config.yaml (default 100)."""
    section = (config or {}).get("large_review") or {}
    return int(section.get("per_study_in_supplement_above", DEFAULT_THRESHOLD))


def pdf_limit_of(config: dict | None) -> int:
    """``large_review.supplement_pdf_up_to`` of config.yaml (default 2,000 studies)."""
    section = (config or {}).get("large_review") or {}
    return int(section.get("supplement_pdf_up_to", DEFAULT_PDF_LIMIT))


def wants_pdf(n_studies: int, limit: int = DEFAULT_PDF_LIMIT) -> bool:
    """The supplementary tables are typeset as a PDF too (up to ``limit`` studies)."""
    return int(n_studies) <= int(limit)


def is_large(n_studies: int, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """Per-study tables and figures leave the manuscript above ``threshold`` studies."""
    return int(n_studies) > int(threshold)


def settings_of(
    n_studies: int, threshold: int = DEFAULT_THRESHOLD, pdf_limit: int = DEFAULT_PDF_LIMIT
) -> dict:
    """The ``large_review`` entry of summary.json (``tables_pdf`` is None above the
    PDF limit)."""
    return {
        "per_study_in_supplement": is_large(n_studies, threshold),
        "threshold": int(threshold),
        "n_studies": int(n_studies),
        "tables_file": APPENDIX_DOCX,
        "tables_pdf": APPENDIX_PDF if wants_pdf(n_studies, pdf_limit) else None,
        "data_file": SPREADSHEET,
    }


def count_study_rows(path: Path | str, at_most: int | None = None) -> int:
    """Rows of the study table with at least one filled cell (the studies, once the
    table is valid; reviewkit.tables_io reads them so), counted up to ``at_most``:
    the Snakefile needs only to know whether the thresholds are passed, and reads
    the table each time the workflow is read. A file that cannot be read counts 0:
    the data step then reports what is wrong with it."""
    from reviewkit.tables_io import split_sheet

    file, sheet = split_sheet(path)
    try:
        if file.suffix.lower() == ".csv":
            return _csv_rows(file, at_most)
        if file.suffix.lower() in {".xlsx", ".xlsm"}:
            return _excel_rows(file, sheet, at_most)
    except (OSError, UnicodeDecodeError, csv.Error, ValueError, KeyError):
        return 0
    return 0


def _filled(rows, at_most: int | None) -> int:
    """How many rows have a filled cell, counted up to ``at_most``."""
    filled = (row for row in rows if any(v is not None and str(v).strip() for v in row))
    return sum(1 for _ in itertools.islice(filled, at_most))


def _csv_rows(file: Path, at_most: int | None) -> int:
    from reviewkit.tables_io import detect_separator

    with open(file, encoding="utf-8-sig", newline="") as handle:
        header = handle.readline()
        if not header.strip():
            return 0
        separator = detect_separator(header)
        csv.field_size_limit(max(csv.field_size_limit(), file.stat().st_size + 1))
        return _filled(csv.reader(handle, delimiter=separator), at_most)


def _excel_rows(file: Path, sheet: str | None, at_most: int | None) -> int:
    from openpyxl import load_workbook

    book = load_workbook(file, read_only=True, data_only=True)
    try:
        chosen = book[sheet] if sheet else book.worksheets[0]
        rows = chosen.iter_rows(values_only=True)
        next(rows, None)
        return _filled(rows, at_most)
    finally:
        book.close()


# ------------------------------------------------------------------ tables


def summary_table_markdown(
    studies: pd.DataFrame, language: str, vocabulary: Vocabulary | None = None
) -> str:
    """Table 1 of a large review: one row per design (in the vocabulary's order) and
    a total row: studies, participants, median sample size (range), years."""
    import pandas as pd

    from reviewkit.i18n import section
    from reviewkit.numfmt import format_number
    from reviewkit.study_characteristics import to_pipe_table
    from reviewkit.vocabulary import Vocabulary

    words = section(language, "large_review")
    headers = words["summary_headers"]
    vocabulary = vocabulary or Vocabulary()
    separator = "–"

    def row(label: str, chosen: pd.DataFrame) -> list[str]:
        sizes = chosen["n_total"].astype(int)
        years = chosen["year"].dropna().astype(int)
        if not len(years):
            span = "–"
        elif years.min() == years.max():
            span = str(years.min())
        else:
            span = f"{years.min()}{separator}{years.max()}"
        median = format_number(float(sizes.median()), language)
        return [
            label,
            format_number(len(chosen), language),
            format_number(int(sizes.sum()), language),
            f"{median} ({format_number(int(sizes.min()), language)}{separator}"
            f"{format_number(int(sizes.max()), language)})",
            span,
        ]

    rows = [
        row(vocabulary.design_label(code, language), studies[studies["design"] == code])
        for code in vocabulary.design_codes
        if (studies["design"] == code).any()
    ]
    rows.append(row(words["total"], studies))
    columns = [headers[key] for key in ("design", "studies", "participants", "sample", "years")]
    return to_pipe_table(pd.DataFrame(rows, columns=columns))


def _caption(language: str, number: int, key: str) -> str:
    from reviewkit.i18n import section
    from reviewkit.safe_markdown import literal

    words = section(language, "large_review")
    return f": {literal(words['table_label'].format(n=number))} {literal(words[key])}"


def appendix_markdown(
    studies: pd.DataFrame,
    effects: pd.DataFrame,
    language: str,
    vocabulary: Vocabulary | None = None,
    level: float = 0.95,
    title: str | None = None,
) -> str:
    """The supplementary tables document (Markdown for pandoc): Table S1, the
    characteristics of each study, and Table S2, each result's derived effect, the
    studies named as the study table names them ("Authors (year) [key]", literal
    text, no citations; see the module docstring)."""
    from reviewkit.i18n import section, tag
    from reviewkit.numfmt import format_number
    from reviewkit.pooling import effects_markdown
    from reviewkit.safe_markdown import literal
    from reviewkit.study_characteristics import build_study_table, headers, to_pipe_table

    words = section(language, "large_review")
    table = build_study_table(studies, language, vocabulary)
    study = headers(language)["study"]
    table[study] = named(table[study], table["id"])
    table = table.drop(columns="id")
    parts = [
        "---",
        f"title: {_yaml_string(title or words['appendix_title'])}",
        f"lang: {tag(language)}",
        f"reviewkit-language: {language}",
        "---",
        "",
        literal(words["appendix_intro"].format(n=format_number(len(studies), language))),
        "",
        to_pipe_table(table).rstrip(),
        _caption(language, 1, "table_s1"),
        "",
    ]
    if len(effects):
        labelled = effects.assign(label=named(effects["label"], effects["id"]))
        parts += [
            effects_markdown(labelled, language, vocabulary, level, cite=False).rstrip(),
            _caption(language, 2, "table_s2"),
            "",
        ]
    return "\n".join(parts) + "\n"


def named(labels, keys) -> list[str]:
    """ "Authors (year) [key]": the study as the study table names it, with its key."""
    return [f"{label} [{key}]" for label, key in zip(labels, keys, strict=True)]


def _yaml_string(text: str) -> str:
    """A YAML double-quoted scalar (pandoc reads metadata as Markdown: escaped)."""
    import json

    from reviewkit.safe_markdown import literal

    return json.dumps(str(literal(text)), ensure_ascii=False)


# ------------------------------------------------------------------ document


def build_appendix(
    markdown: Path | str,
    *,
    docx: Path | str,
    pdf: Path | str | None = None,
    reference_docx: Path | str | None = None,
    epoch: int | None = None,
) -> None:
    """The supplementary tables document as DOCX and (``pdf`` not None) PDF (pandoc,
    typst), with the manuscript's layout (the default defaults files and the
    profile's Word reference document) and no bibliography: it cites nothing."""
    from concurrent.futures import ThreadPoolExecutor

    from reviewkit.assemble import build_docx, build_pdf

    common = {
        "bibliography": None,
        "csl": None,
        "timestamp": epoch,
        "from_format": APPENDIX_READER,
        "base_defaults": APPENDIX_DEFAULTS,
    }
    jobs = [lambda: build_docx(markdown, docx, reference_docx=reference_docx, **common)]
    if pdf is not None:
        jobs.append(lambda: build_pdf(markdown, pdf, **common))
    with ThreadPoolExecutor(max_workers=2) as pool:
        for future in [pool.submit(job) for job in jobs]:
            future.result()
