"""The records workbook ``results/search/records.xlsx``: the deduplicated
records with empty decision columns for screening, and the merges for audit.

Sheet ``records``: one row per kept record (record_id, title, authors joined
with "; ", year, journal, DOI, PubMed id, database, file, position, abstract)
then the decision columns :data:`reviewkit.search.screening.DECISION_COLUMNS`,
empty or carried over from earlier decisions. Sheet ``duplicates``: the
merges table of :mod:`reviewkit.search.dedupe`.

Every text cell is stored as text (a title starting with "=" stays a title,
never a formula), characters a workbook cannot hold (control characters) are
replaced by U+FFFD, and the zip is written with fixed dates
(:func:`reviewkit.submission.normalised_zip`), so the same records give the
same bytes.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from reviewkit.search.screening import DECISION_COLUMNS, DECISION_VALUES

RECORD_SHEET_COLUMNS = [
    "record_id",
    "title",
    "authors",
    "year",
    "journal",
    "doi",
    "pmid",
    "database",
    "source_file",
    "position",
    "abstract",
]
EXCEL_CELL_LIMIT = 32767
WIDTHS = {"record_id": 22, "title": 60, "authors": 30, "journal": 30, "abstract": 60}


def _value(value: object) -> object:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)[:EXCEL_CELL_LIMIT]
        return value or None
    return value


def _append(sheet, values: list[object]) -> None:
    sheet.append([_value(v) for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # never a formula, whatever the text starts with


def records_workbook_bytes(
    records: pd.DataFrame, merges: pd.DataFrame, decisions: pd.DataFrame | None = None
) -> bytes:
    """The workbook as bytes (not yet normalised)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "records"
    header = [*RECORD_SHEET_COLUMNS, *DECISION_COLUMNS]
    _append(sheet, header)
    known = decisions.set_index("record_id") if decisions is not None and len(decisions) else None
    for row in records[RECORD_SHEET_COLUMNS].itertuples(index=False):
        decided = [""] * len(DECISION_COLUMNS)
        if known is not None and row.record_id in known.index:
            decided = [known.at[row.record_id, column] for column in DECISION_COLUMNS]
        _append(sheet, [*row, *decided])
    bold = Font(bold=True)
    for index, name in enumerate(header, start=1):
        sheet.cell(row=1, column=index).font = bold
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(name, 14)
    sheet.freeze_panes = "B2"
    last = max(sheet.max_row, 2)
    for column in ("title_abstract", "full_text"):
        letter = get_column_letter(header.index(column) + 1)
        allowed = ",".join(v for v in DECISION_VALUES[column] if v)
        rule = DataValidation(type="list", formula1=f'"{allowed}"', allow_blank=True)
        rule.add(f"{letter}2:{letter}{last}")
        sheet.add_data_validation(rule)

    duplicates = workbook.create_sheet("duplicates")
    _append(duplicates, list(merges.columns))
    for row in merges.itertuples(index=False):
        _append(duplicates, list(row))
    for cell in duplicates[1]:
        cell.font = bold
    duplicates.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_records_workbook(
    path: Path | str,
    records: pd.DataFrame,
    merges: pd.DataFrame,
    epoch: int,
    decisions: pd.DataFrame | None = None,
) -> None:
    """Write ``records.xlsx``; ``epoch`` (Unix seconds) dates the file and its
    zip entries (use :func:`reviewkit.reproducible.build_epoch`)."""
    from reviewkit.submission import normalised_zip

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    normalised_zip(records_workbook_bytes(records, merges, decisions), target, epoch)
