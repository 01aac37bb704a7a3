"""Read a study table the way people keep it: CSV or Excel, as plain text cells.

Every cell comes back as a string (empty string for an empty cell) so that the
validation step, not the reader, decides what a value means and can quote the
value exactly as the user typed it. The frame's index is the row number a
spreadsheet shows (the header is row 1), so messages point at the right row.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pandas as pd

from reviewkit.errors import InputError

CSV_SEPARATORS = (",", ";")


def detect_separator(header_line: str) -> str:
    """Comma or semicolon, whichever splits the header into more columns.

    Spreadsheets set to an Indonesian (or most European) locale export CSV
    with semicolons because the comma is their decimal mark. The header holds
    no numbers, so counting there is unambiguous.
    """
    return max(CSV_SEPARATORS, key=header_line.count)


def read_csv_cells(path: Path) -> pd.DataFrame:
    try:
        text = path.read_bytes().decode("utf-8-sig")  # utf-8-sig also strips a BOM
    except UnicodeDecodeError as error:
        raise InputError(
            f"{path}: byte {error.start} is not UTF-8 text; save the file as "
            '"CSV UTF-8" (Excel) or "Text CSV, UTF-8" (LibreOffice)'
        ) from None
    header = text.splitlines()[0] if text.strip() else ""
    if not header.strip():
        raise InputError(f"{path}: the file is empty; expected a header row and one row per study")
    separator = detect_separator(header)
    rows = list(csv.reader(io.StringIO(text), delimiter=separator))
    width = len(rows[0])
    body, row_numbers = [], []
    for row_number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank lines at the end of an export are not studies
        if len(row) != width:
            raise InputError(
                f"{path}: row {row_number} has {len(row)} cells but the header has {width}; "
                f'check for a stray "{separator}" or an unclosed quote'
            )
        body.append(row)
        row_numbers.append(row_number)
    columns = [name.strip() for name in rows[0]]
    return pd.DataFrame(body, columns=columns, index=row_numbers, dtype="object")


def excel_cell_text(value: object) -> str:
    """Excel stores 60 as the float 60.0: give back what the user typed."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):  # a date cell; validation will reject it where a number is due
        return value.isoformat()
    return str(value)


def read_excel_cells(path: Path, sheet: str | None = None) -> pd.DataFrame:
    """The first sheet, or the sheet named `sheet`."""
    if sheet is not None:
        try:
            from openpyxl import load_workbook

            names = load_workbook(path, read_only=True).sheetnames
        except Exception as error:  # openpyxl raises many types for a damaged file
            raise InputError(f"{path}: cannot be read as an Excel workbook ({error})") from None
        if sheet not in names:
            raise InputError(f'{path}: has no sheet "{sheet}"; its sheets are: {", ".join(names)}')
    try:
        frame = pd.read_excel(path, dtype=object, sheet_name=sheet or 0, engine="openpyxl")
    except Exception as error:  # openpyxl raises many types for a damaged file
        raise InputError(f"{path}: cannot be read as an Excel workbook ({error})") from None
    frame.columns = [str(name).strip() for name in frame.columns]
    frame = frame.map(excel_cell_text)
    frame.index = frame.index + 2  # the sheet's own row numbers: header is row 1
    return frame[frame.apply(lambda row: any(cell.strip() for cell in row), axis=1)]


def split_sheet(spec: Path | str) -> tuple[Path, str | None]:
    """'data/studies.xlsx#outcomes' -> (Path('data/studies.xlsx'), 'outcomes')."""
    text = str(spec)
    if "#" in text:
        file, sheet = text.split("#", 1)
        return Path(file), sheet or None
    return Path(text), None


def read_table_cells(path: Path | str) -> pd.DataFrame:
    """Read `.csv` or `.xlsx` (`file.xlsx#sheet` for a sheet other than the first)
    into a frame of strings indexed by sheet row number."""
    path, sheet = split_sheet(path)
    if not path.exists():
        raise InputError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if sheet is not None and suffix not in {".xlsx", ".xlsm"}:
        raise InputError(f"{path}#{sheet}: only an Excel workbook has sheets; name the file alone")
    if suffix == ".csv":
        frame = read_csv_cells(path)
    elif suffix in {".xlsx", ".xlsm"}:
        frame = read_excel_cells(path, sheet)
    else:
        raise InputError(f'{path}: unsupported file type "{suffix}"; expected .csv or .xlsx')
    return frame
