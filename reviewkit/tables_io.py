"""Read a study table the way people keep it: CSV or Excel, as plain text cells.

Every cell comes back as a string (empty string for an empty cell) so that the
validation step, not the reader, decides what a value means and can quote the
value exactly as the user typed it. The frame's index is the row number a
spreadsheet shows (the header is row 1), so messages point at the right row.

What cannot be a table cell is refused here with its row and column: control
characters (a NUL byte, an escape sequence), a cell longer than a spreadsheet
cell can be (32,767 characters), an Excel formula whose value was never saved.
An Excel workbook is read from its first sheet; ``frame.attrs["sheets"]``
names all of them, for the message when the table is elsewhere.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import TYPE_CHECKING

from reviewkit.errors import InputError
from reviewkit.safe_markdown import CONTROL, control_characters

if TYPE_CHECKING:  # pandas only where a table is read: the Snakefile counts rows without it
    import pandas as pd

CSV_SEPARATORS = (",", ";", "\t")
SEPARATOR_NAMES = {",": '","', ";": '";"', "\t": "a tab"}
#: The most characters an Excel or LibreOffice cell holds.
MAX_CELL_CHARACTERS = 32_767
#: How much of a value a message quotes.
SHOWN_CHARACTERS = 60


def shown(text: str) -> str:
    """A value for a message: control characters as \\xNN, long values cut."""
    text = CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", str(text))
    return text if len(text) <= SHOWN_CHARACTERS else text[: SHOWN_CHARACTERS - 1] + "…"


def detect_separator(header_line: str) -> str:
    """Comma, semicolon or tab, whichever splits the header into more columns.

    Spreadsheets set to an Indonesian (or most European) locale export CSV
    with semicolons because the comma is their decimal mark; "Text (tab
    delimited)" exports use tabs. The header holds no numbers, so counting
    there is unambiguous.
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
    # The csv module refuses fields over 128 KiB; over-long cells are reported below.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    rows = list(csv.reader(io.StringIO(text), delimiter=separator))
    width = len(rows[0])
    body, row_numbers = [], []
    for row_number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank lines at the end of an export are not studies
        if len(row) != width:
            raise InputError(
                f"{path}: row {row_number} has {len(row)} cells but the header has {width} "
                f"(separated by {SEPARATOR_NAMES[separator]}); check for a stray "
                f"{SEPARATOR_NAMES[separator]} or an unclosed quote"
            )
        body.append(row)
        row_numbers.append(row_number)
    columns = [name.strip() for name in rows[0]]
    import pandas as pd

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


def _sheet_rows(
    path: Path, data_only: bool, sheet: str | None = None
) -> tuple[list[str], list[tuple]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=data_only)
    try:
        names = list(book.sheetnames)
        if sheet is not None and sheet not in names:
            raise InputError(f'{path}: has no sheet "{sheet}"; its sheets are: {", ".join(names)}')
        chosen = book[sheet] if sheet is not None else (book.worksheets[0] if names else None)
        rows = list(chosen.iter_rows(values_only=True)) if chosen is not None else []
    finally:
        book.close()
    return names, rows


def read_excel_cells(path: Path, sheet: str | None = None) -> pd.DataFrame:
    """The first sheet (or the sheet named `sheet`) as text cells. A formula cell
    is read from the value Excel or LibreOffice saved with it; a formula without
    one is an error."""
    try:
        sheets, values = _sheet_rows(path, data_only=True, sheet=sheet)
        _, formulas = _sheet_rows(path, data_only=False, sheet=sheet)
    except InputError:
        raise
    except Exception as error:  # openpyxl raises many types for a damaged file
        detail = " ".join(str(error).split()) or type(error).__name__
        raise InputError(f"{path}: cannot be read as an Excel workbook ({detail})") from None
    while values and not any(excel_cell_text(v).strip() for v in values[-1]):
        values.pop()  # empty rows at the end
    if not values:
        raise InputError(
            f'{path}: the first sheet "{sheets[0] if sheets else ""}" is empty; the study table '
            f"must be on the first sheet (sheets: {', '.join(sheets)})"
        )
    header = [excel_cell_text(name).strip() for name in values[0]]
    problems = []
    body, row_numbers = [], []
    for number, (row, formula_row) in enumerate(
        zip(values[1:], formulas[1:], strict=False), start=2
    ):
        cells = [excel_cell_text(value) for value in row]
        cells += [""] * (len(header) - len(cells))
        for column, (value, formula) in enumerate(zip(row, formula_row, strict=False)):
            if value is None and isinstance(formula, str) and formula.startswith("="):
                name = header[column] if column < len(header) else f"#{column + 1}"
                problems.append(
                    f"{path}: row {number}, column {name}: a formula without a saved value "
                    f'("{shown(formula)}"); open and save the file in Excel or LibreOffice'
                )
        if any(cell.strip() for cell in cells):
            body.append(cells[: len(header)])
            row_numbers.append(number)
    if problems:
        raise InputError(problems)
    import pandas as pd

    frame = pd.DataFrame(body, columns=header, index=row_numbers, dtype="object")
    unnamed_and_empty = [
        position
        for position, name in enumerate(header)
        if not name and not any(cell.strip() for cell in frame.iloc[:, position])
    ]
    frame = frame.drop(columns=frame.columns[unnamed_and_empty]) if unnamed_and_empty else frame
    frame.attrs["sheets"] = sheets
    return frame


def check_cells(frame: pd.DataFrame, path: Path) -> None:
    """No control characters and no cell longer than a spreadsheet cell."""
    problems = []
    for column in frame.columns:
        values = frame[column].astype(str)
        suspect = values.str.contains(CONTROL.pattern, regex=True) | (
            values.str.len() > MAX_CELL_CHARACTERS
        )
        for row_number, text in values[suspect].items():
            found = control_characters(text)
            if found:
                problems.append(
                    f'{path}: row {row_number}, column {column}: "{shown(text)}" holds a '
                    f"control character ({', '.join(found)}); expected plain text"
                )
            elif len(text) > MAX_CELL_CHARACTERS:
                problems.append(
                    f"{path}: row {row_number}, column {column}: the cell has {len(text):,} "
                    f"characters; expected at most {MAX_CELL_CHARACTERS:,} (what a spreadsheet "
                    "cell holds)"
                )
    for name in frame.columns:
        if control_characters(str(name)):
            problems.append(f'{path}: row 1: column name "{shown(name)}" holds a control character')
    if problems:
        raise InputError(problems)


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
    if path.is_dir():
        raise InputError(f"{path}: is a folder; expected a .csv or .xlsx file")
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
    check_cells(frame, path)
    return frame
