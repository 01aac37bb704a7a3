"""Check the study table against its JSON Schema and the review's rules.

The schema (schemas/studies.schema.yaml) says what each column is; this module
turns each text cell into the schema's type, lets `jsonschema` check the
row, and adds the checks a schema cannot express (duplicate ids, the
inclusion window from config.yaml, group sizes that must add up, citation
keys that must exist). Every problem becomes one line for people:

    data/studies.csv: row 7, column n_total: "3O" is not a whole number

Rows are numbered as a spreadsheet shows them (the header is row 1).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pandas as pd
import yaml

from reviewkit.errors import MAX_REPORTED_LINES, InputError
from reviewkit.tables_io import read_table_cells, shown

#: Checking stops after this many problems (a wrong file would otherwise take
#: minutes to list problems that nobody reads; the first 50 are shown).
MAX_PROBLEMS = 1_000
NOTE_PREFIX = "x_"  # columns for the user's own notes; never validated, never used
NUMBER_PATTERN = re.compile(r"^[+-]?(\d+([.,]\d+)?|[.,]\d+)$")
INTEGER_PATTERN = re.compile(r"^[+-]?\d+$")
#: Spreadsheets keep 15 significant digits; a longer whole number is a typing slip
#: (and would overflow the 64-bit integers the later steps compute with).
MAX_DIGITS = 15


@dataclass(frozen=True)
class InclusionWindow:
    year_from: int
    year_to: int

    def __post_init__(self) -> None:
        if self.year_from > self.year_to:  # one config mistake, not one per study
            raise InputError(
                f"config.yaml: inclusion: year_from {self.year_from} is after year_to "
                f"{self.year_to}; expected year_from <= year_to"
            )


def load_schema(path: Path | str) -> dict:
    with open(path, encoding="utf-8") as handle:
        schema = yaml.safe_load(handle)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def column_spec(schema: dict, name: str) -> dict | None:
    """The schema of a column: a named property or one matching a pattern (rob_*)."""
    if name in schema["properties"]:
        return schema["properties"][name]
    for pattern, spec in schema.get("patternProperties", {}).items():
        if re.match(pattern, name):
            return spec
    return None


def parse_cell(text: str, column_type: str) -> tuple[object, str | None]:
    """Text cell -> (value, None) or (None, what was expected)."""
    if column_type == "integer":
        if INTEGER_PATTERN.match(text):
            if len(text.lstrip("+-")) > MAX_DIGITS:
                return None, f"has more than {MAX_DIGITS} digits; expected a whole number"
            return int(text), None
        return None, "is not a whole number"
    if column_type == "number":
        if NUMBER_PATTERN.match(text):
            value = float(text.replace(",", "."))
            if math.isfinite(value):
                return value, None
            return None, "is too large to be a number"
        return None, "is not a number (write 0,3 or 0.3, without thousands separators)"
    return text, None


def describe_rule(error: jsonschema.ValidationError, shown: str) -> str:
    """What a value broke, in words people use: '"RCT" is not one of: rct, ...'."""
    rule = error.validator_value
    if error.validator == "enum":
        return f"{shown} is not one of: {', '.join(map(str, rule))}"
    if error.validator == "minimum":
        return f"{shown} must be at least {format_plain(rule)}"
    if error.validator == "exclusiveMinimum":
        return f"{shown} must be greater than {format_plain(rule)}"
    if error.validator == "maximum":
        return f"{shown} must be at most {format_plain(rule)}"
    if error.validator == "exclusiveMaximum":
        return f"{shown} must be less than {format_plain(rule)}"
    if error.validator == "pattern":
        return f"{shown} does not match the pattern {rule}"
    return error.message


def describe_schema_error(
    error: jsonschema.ValidationError, typed_cells: pd.Series
) -> tuple[str, str]:
    """Map one jsonschema error on a row to (column, message).

    The value is quoted as the user typed it ("1,5"), not as parsed.
    """
    if error.validator == "dependentRequired":
        # jsonschema says: "'value_unit' is a dependency of 'value_before'"
        needed, given = re.findall(r"'([^']+)'", error.message)[:2]
        return needed, f"empty, but a value is required when {given} is given"
    column = str(error.path[0]) if error.path else ""
    return column, describe_rule(error, f'"{shown(str(typed_cells.get(column, "")).strip())}"')


def format_plain(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def sorted_by_row(problems: list[tuple[int, str]]) -> list[str]:
    return [message for _, message in sorted(problems, key=lambda item: item[0])]


def check_columns(cells: pd.DataFrame, schema: dict, source: str) -> list[str]:
    known = list(schema["properties"])
    if not any(column_spec(schema, str(name)) for name in cells.columns):
        # Not the table at all: one line instead of one per column.
        found = ", ".join(f'"{shown(name)}"' for name in list(cells.columns)[:8])
        sheets = cells.attrs.get("sheets") or []
        where = (
            f'the first sheet "{sheets[0]}" (the one read; the workbook has sheets: '
            f"{', '.join(sheets)})"
            if sheets
            else "the header row"
        )
        return [
            f"{source}: {where} has none of the expected columns ({', '.join(known[:6])}, ...); "
            f"found {found or 'nothing'}"
        ]
    problems = []
    for name in cells.columns:
        if column_spec(schema, name) is None and not name.startswith(NOTE_PREFIX):
            problems.append(
                f'{source}: column "{name}" is not known; expected one of: {", ".join(known)} '
                f"(start a column name with {NOTE_PREFIX} to keep your own notes)"
            )
    duplicated = sorted({name for name in cells.columns if list(cells.columns).count(name) > 1})
    problems += [f'{source}: column "{name}" appears more than once' for name in duplicated]
    for name in schema["required"]:
        if name not in cells.columns:
            problems.append(f'{source}: column "{name}" is missing (a required column)')
    sheets = cells.attrs.get("sheets") or []
    if problems and len(sheets) > 1:
        problems.append(
            f'{source}: only the first sheet "{sheets[0]}" is read; the workbook also has '
            f"sheets: {', '.join(sheets[1:])}"
        )
    return problems


def convert_row(cells: pd.Series, schema: dict, source: str, row_number: int):
    """One row of text cells -> (typed dict without empty cells, problems)."""
    row, problems = {}, []
    for column, text in cells.items():
        spec = column_spec(schema, column)
        if column.startswith(NOTE_PREFIX) or spec is None:
            continue
        text = str(text).strip()
        if not text:
            if column in schema["required"]:
                problems.append(
                    f"{source}: row {row_number}, column {column}: empty, but a value is required"
                )
            continue
        value, expected = parse_cell(text, spec.get("type", "string"))
        if expected:
            problems.append(
                f'{source}: row {row_number}, column {column}: "{shown(text)}" {expected}'
            )
        else:
            row[column] = value
    return row, problems


def check_rules(
    rows: dict[int, dict], window: InclusionWindow, source: str
) -> list[tuple[int, str]]:
    """Checks across cells and rows that JSON Schema cannot state: (row, message) pairs."""
    problems = []
    first_row_of_id: dict[str, int] = {}
    for number, row in rows.items():
        where = f"{source}: row {number}"
        study_id = row.get("id")
        if study_id in first_row_of_id:
            problems.append(
                (
                    number,
                    f'{where}, column id: "{study_id}" is a duplicate of row '
                    f"{first_row_of_id[study_id]}",
                )
            )
        elif study_id:
            first_row_of_id[study_id] = number
        year = row.get("year")
        if year is not None and not window.year_from <= year <= window.year_to:
            problems.append(
                (
                    number,
                    f"{where}, column year: {year} is outside the inclusion window "
                    f"{window.year_from} to {window.year_to} (config.yaml, inclusion)",
                )
            )
        for arm in ("intervention", "control"):
            events, size = row.get(f"events_{arm}"), row.get(f"n_{arm}")
            if events is not None and size is not None and events > size:
                problems.append(
                    (
                        number,
                        f"{where}, column events_{arm}: {events} is more than n_{arm} ({size})",
                    )
                )
        groups = [row.get("n_intervention"), row.get("n_control")]
        total = row.get("n_total")
        if None not in groups and total is not None and sum(groups) != total:
            problems.append(
                (
                    number,
                    f"{where}, columns n_intervention + n_control: {groups[0]} + {groups[1]} = "
                    f"{sum(groups)}, but n_total is {total}",
                )
            )
    return problems


def validate_cells(
    cells: pd.DataFrame,
    schema: dict,
    source: str,
    extra_rules: Callable[[dict[int, dict]], list[tuple[int, str]]] | None = None,
    what: str = "rows",
    item: str = "row",
) -> pd.DataFrame:
    """Validate a frame of text cells against a table schema; return typed rows or raise
    InputError with every problem, in row order. `extra_rules` adds checks across rows."""
    problems = check_columns(cells, schema, source)
    if problems:
        raise InputError(problems)  # row checks make no sense with the wrong columns
    if cells.empty:
        raise InputError(f"{source}: no {what}; expected one row per {item}")
    validator = jsonschema.Draft202012Validator(schema)
    rows: dict[int, dict] = {}
    row_problems: list[tuple[int, str]] = []
    for row_number, row_cells in cells.iterrows():
        row, cell_problems = convert_row(row_cells, schema, source, row_number)
        row_problems += [(row_number, message) for message in cell_problems]
        for error in sorted(validator.iter_errors(row), key=lambda e: list(map(str, e.path))):
            if error.validator in {"required", "type"}:
                continue  # already reported as an empty or unreadable cell
            column, message = describe_schema_error(error, row_cells)
            row_problems.append(
                (row_number, f"{source}: row {row_number}, column {column}: {message}")
            )
        rows[row_number] = row
        if len(row_problems) >= MAX_PROBLEMS:  # a wrong file: say so quickly
            shown_lines = sorted_by_row(row_problems)[: MAX_REPORTED_LINES - 1]
            raise InputError(
                [
                    *shown_lines,
                    f"{source}: ... and {len(row_problems) - len(shown_lines):,} more problems "
                    f"in rows up to {row_number}; checking stopped there (the table has "
                    f"{len(cells):,} rows): fix these first",
                ]
            )
    if extra_rules is not None:
        row_problems += extra_rules(rows)
    if row_problems:
        raise InputError(sorted_by_row(row_problems))
    # Optional columns the user left out come back empty, so later steps see every column;
    # pattern columns (rob_*) follow in the user's order.
    columns = list(schema["properties"]) + [
        name
        for name in cells.columns
        if name not in schema["properties"] and column_spec(schema, name) is not None
    ]
    typed = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=columns)
    return typed.astype(column_dtypes(schema, columns))


def validate_study_cells(
    cells: pd.DataFrame, schema: dict, window: InclusionWindow, source: str
) -> pd.DataFrame:
    """The study table: the schema plus the review's rules across cells and rows."""
    return validate_cells(
        cells,
        schema,
        source,
        lambda rows: check_rules(rows, window, source),
        "studies",
        "included study",
    )


def column_dtypes(schema: dict, columns: list[str]) -> dict[str, str]:
    kinds = {"integer": "Int64", "number": "Float64", "string": "string"}
    return {name: kinds[column_spec(schema, name).get("type", "string")] for name in columns}


def check_citation_keys(study_ids: list[str], bib_keys: set[str], source: str, bib: str) -> None:
    missing = [key for key in study_ids if key not in bib_keys]
    if missing:
        raise InputError(
            f'{source}: study id "{key}" has no entry in {bib}; add one with that citation key'
            for key in missing
        )


def validate_studies(path: Path | str, schema_path: Path | str, window: InclusionWindow):
    """Read and validate the user's study table (.csv or .xlsx)."""
    schema = load_schema(schema_path)
    return validate_study_cells(read_table_cells(path), schema, window, str(path))


def read_validated(path: Path | str, schema_path: Path | str) -> pd.DataFrame:
    """Read the workflow's own normalised copy (results/data/studies.csv) with its types."""
    schema = load_schema(schema_path)
    header = pd.read_csv(path, nrows=0).columns.tolist()
    return pd.read_csv(
        path, dtype=column_dtypes(schema, header), keep_default_na=False, na_values=[""]
    )
