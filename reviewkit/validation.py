"""Check the study table (and an outcomes table) against the JSON Schema and the review's rules.

The schema (schemas/studies.schema.yaml) says what each column is; this module
turns each text cell into the schema's type, lets `jsonschema` check the
row, and adds the checks a schema cannot express (duplicate ids, the
inclusion window from config.yaml, group sizes that must add up, citation
keys that must exist). The codes allowed in `design`, `value_unit`,
`mean_unit` and `outcome` come from the review's vocabulary (`reviewkit.vocabulary`), not from
the schema's defaults. An outcomes table (one row per study, outcome and
timepoint; docs/data-model.md) is checked against the schema's result columns
and across tables: unknown study ids, repeated (study, outcome, timepoint),
studies without a result, result columns in both tables. Every problem
becomes one line for people:

    data/studies.csv: row 7, column n_total: "3O" is not a whole number

Rows are numbered as a spreadsheet shows them (the header is row 1).
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from reviewkit.errors import MAX_REPORTED_LINES, InputError
from reviewkit.fast_yaml import safe_load
from reviewkit.tables_io import read_table_cells, shown
from reviewkit.vocabulary import Vocabulary

if TYPE_CHECKING:
    import jsonschema

#: Checking stops after this many problems (a wrong file would otherwise take
#: minutes to list problems that nobody reads; the first 50 are shown).
MAX_PROBLEMS = 1_000
NOTE_PREFIX = "x_"  # columns for the user's own notes; never validated, never used
NUMBER_PATTERN = re.compile(r"^[+-]?(\d+([.,]\d+)?|[.,]\d+)$")
INTEGER_PATTERN = re.compile(r"^[+-]?\d+$")
# Columns whose allowed codes the review declares (config.yaml, vocabulary.<kind>).
VOCABULARY_COLUMNS = {
    "design": "designs",
    "value_unit": "units",
    "mean_unit": "units",
    "outcome": "outcomes",
}
SIZE_COLUMNS = ("n_total", "n_intervention", "n_control")
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


def load_schema(path: Path | str, *, check: bool = True) -> dict:
    """A table's schema; ``check=False`` where it only gives the column types of a
    file the data step wrote after checking it (jsonschema is then not imported:
    0.05 s of the figure step)."""
    with open(path, encoding="utf-8") as handle:
        schema = safe_load(handle)
    if check:
        import jsonschema

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
    message = describe_rule(error, f'"{shown(str(typed_cells.get(column, "")).strip())}"')
    kind = error.schema.get("x-vocabulary") if isinstance(error.schema, dict) else None
    if error.validator == "enum" and kind:
        message += f" (config.yaml, vocabulary.{kind})"
    return column, message


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


def row_rules(row: dict, where: str, vocabulary: Vocabulary | None = None) -> list[str]:
    """Checks within one row (a study, or a result merged with its study's sizes)."""
    problems = []
    for arm in ("intervention", "control"):
        events, size = row.get(f"events_{arm}"), row.get(f"n_{arm}")
        if events is not None and size is not None and events > size:
            problems.append(f"{where}, column events_{arm}: {events} is more than n_{arm} ({size})")
    groups = [row.get("n_intervention"), row.get("n_control")]
    total = row.get("n_total")
    if None not in groups and total is not None and sum(groups) != total:
        problems.append(
            f"{where}, columns n_intervention + n_control: {groups[0]} + {groups[1]} = "
            f"{sum(groups)}, but n_total is {total}"
        )
    test, compared = row.get("p_test"), row.get("p_comparison")
    if (test, compared) in {("paired_t", "between_groups"), ("independent_t", "within_group")}:
        problems.append(
            f'{where}, column p_test: "{test}" does not fit p_comparison "{compared}" (a paired '
            "test compares one group before and after, an independent test two groups)"
        )
    design = row.get("design")
    if vocabulary is not None and design in vocabulary.design_codes:
        comparison = vocabulary.comparison(design)
        if row.get("direction_within") is not None and comparison != "between":
            problems.append(
                f'{where}, column direction_within: only for controlled designs; "{design}" '
                "has no control group stated, so its direction goes in effect_direction"
            )
    return problems


def check_rules(
    rows: dict[int, dict],
    window: InclusionWindow,
    source: str,
    vocabulary: Vocabulary | None = None,
    single_table: bool = True,
) -> list[tuple[int, str]]:
    """Checks across cells and rows that JSON Schema cannot state: (row, message) pairs."""
    problems = []
    first_row_of_id: dict[str, int] = {}
    several_outcomes = vocabulary is not None and single_table and len(vocabulary.outcomes) > 1
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
        if several_outcomes and row.get("outcome") is None:
            codes = ", ".join(outcome.code for outcome in vocabulary.outcomes)
            problems.append(
                (
                    number,
                    f"{where}, column outcome: empty, but several outcomes are declared "
                    f"({codes}); name the one this row reports",
                )
            )
        problems += [(number, message) for message in row_rules(row, where, vocabulary)]
    return problems


def validate_cells(
    cells: pd.DataFrame,
    schema: dict,
    source: str,
    extra_rules: Callable[[dict[int, dict]], list[tuple[int, str]]] | None = None,
    what: str = "rows",
    item: str = "row",
    allow_empty: bool = False,
) -> pd.DataFrame:
    """Validate a frame of text cells against a table schema; return typed rows or raise
    InputError with every problem, in row order. `extra_rules` adds checks across rows."""
    problems = check_columns(cells, schema, source)
    if problems:
        raise InputError(problems)  # row checks make no sense with the wrong columns
    if cells.empty and not allow_empty:
        raise InputError(f"{source}: no {what}; expected one row per {item}")
    import jsonschema

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
    cells: pd.DataFrame,
    schema: dict,
    window: InclusionWindow,
    source: str,
    vocabulary: Vocabulary | None = None,
    single_table: bool = True,
) -> pd.DataFrame:
    """The study table: the schema plus the review's rules across cells and rows.

    A table with its header and no rows is valid: a new review has no studies yet,
    and every later step (summary, tables, synthesis, figures, text) says so."""
    return validate_cells(
        cells,
        schema,
        source,
        lambda rows: check_rules(rows, window, source, vocabulary, single_table),
        "studies",
        "included study",
        allow_empty=True,
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


def schema_for_vocabulary(schema: dict, vocabulary: Vocabulary) -> dict:
    """The schema with the review's codes as the allowed values of its vocabulary columns."""
    schema = copy.deepcopy(schema)
    properties = schema["properties"]
    codes = {
        "design": vocabulary.design_codes,
        "value_unit": vocabulary.unit_codes,
        "mean_unit": vocabulary.unit_codes,
        "outcome": [outcome.code for outcome in vocabulary.outcomes],
    }
    for column, kind in VOCABULARY_COLUMNS.items():
        if column == "outcome" and not vocabulary.declares_outcomes:
            continue  # free text: the review has one outcome
        properties[column]["enum"] = codes[column]
        properties[column]["x-vocabulary"] = kind
    return schema


def columns_of(schema: dict, *tables: str) -> list[str]:
    """Columns whose `x-table` is one of `tables` (study, result, both)."""
    return [name for name, spec in schema["properties"].items() if spec.get("x-table") in tables]


def without_result_columns(schema: dict) -> dict:
    """The study table's schema when results live in an outcomes table."""
    schema = copy.deepcopy(schema)
    results = set(columns_of(schema, "result"))
    schema["properties"] = {k: v for k, v in schema["properties"].items() if k not in results}
    schema["dependentRequired"] = {
        key: needs
        for key, needs in schema.get("dependentRequired", {}).items()
        if key not in results and not results & set(needs)
    }
    return schema


def outcomes_table_schema(schema: dict) -> dict:
    """The outcomes table: the study id plus the result columns (and overrides of sizes)."""
    study_id = {
        **schema["properties"]["id"],
        "description": "The id of the study (a row of the study table) the result belongs to.",
    }
    properties = {"id": study_id}
    properties.update({name: schema["properties"][name] for name in columns_of(schema, "result")})
    properties.update({name: schema["properties"][name] for name in columns_of(schema, "both")})
    return {
        "$schema": schema.get("$schema"),
        "title": "Results per study, outcome and timepoint",
        "description": schema.get("description", ""),
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "outcome"],
        "properties": properties,
        # Checked on the row merged with its study (sizes may come from there).
        "x-dependentRequired": schema.get("dependentRequired", {}),
    }


def result_columns_in_study_table(
    cells: pd.DataFrame, schema: dict, source: str, outcomes_source: str
) -> list[str]:
    results = set(columns_of(schema, "result"))
    return [
        f'{source}: column "{name}" is a result column; with an outcomes table '
        f"(config.yaml, outcomes) results go in {outcomes_source} only"
        for name in cells.columns
        if name in results
    ]


def validate_studies(
    path: Path | str,
    schema_path: Path | str,
    window: InclusionWindow,
    vocabulary: Vocabulary | None = None,
    outcomes_source: str | None = None,
) -> pd.DataFrame:
    """Read and validate the user's study table (.csv or .xlsx).

    With `outcomes_source` (the outcomes table named in config.yaml) the study
    table must hold no result columns: they are the outcomes table's."""
    schema = schema_for_vocabulary(load_schema(schema_path), vocabulary or Vocabulary())
    cells = read_table_cells(path)
    if outcomes_source:
        problems = result_columns_in_study_table(cells, schema, str(path), outcomes_source)
        if problems:
            raise InputError(problems)
        schema = without_result_columns(schema)
    return validate_study_cells(
        cells, schema, window, str(path), vocabulary, single_table=not outcomes_source
    )


def outcome_rules(
    rows: dict[int, dict],
    studies: pd.DataFrame,
    schema: dict,
    source: str,
    studies_source: str,
    vocabulary: Vocabulary,
) -> list[tuple[int, str]]:
    """Across the outcomes table and the study table: ids, repeats, timepoints, sizes."""
    problems: list[tuple[int, str]] = []
    study_rows = {row["id"]: row for _, row in studies.iterrows()}
    seen: dict[tuple, int] = {}
    by_outcome: dict[tuple[str, str], list[int]] = {}
    for number, row in rows.items():
        where = f"{source}: row {number}"
        study_id, outcome = row.get("id"), row.get("outcome")
        if study_id is None or outcome is None:
            continue  # reported as an empty required cell
        if study_id not in study_rows:
            problems.append(
                (number, f'{where}, column id: "{study_id}" is not a study in {studies_source}')
            )
            continue
        key = (study_id, outcome, row.get("timepoint") or "")
        if key in seen:
            at = f', timepoint "{key[2]}"' if key[2] else ""
            problems.append(
                (
                    number,
                    f'{where}, columns id, outcome, timepoint: study "{study_id}", outcome '
                    f'"{outcome}"{at} repeats row {seen[key]}',
                )
            )
            continue
        seen[key] = number
        by_outcome.setdefault((study_id, outcome), []).append(number)
        study = {k: v for k, v in study_rows[study_id].items() if not _empty(v)}
        if any(row.get(size) is not None for size in SIZE_COLUMNS):
            # Sizes go together: a result analysed in other numbers gives its own.
            study = {k: v for k, v in study.items() if k not in SIZE_COLUMNS}
            if row.get("n_total") is None:
                problems.append(
                    (
                        number,
                        f"{where}, column n_total: empty, but a value is required when the row "
                        "gives its own group sizes",
                    )
                )
        merged = {**study, **row}
        for key_column, needs in schema.get("x-dependentRequired", {}).items():
            if merged.get(key_column) is None:
                continue
            for need in needs:
                if merged.get(need) is None:
                    problems.append(
                        (
                            number,
                            f"{where}, column {need}: empty (here and in {studies_source}), "
                            f"but a value is required when {key_column} is given",
                        )
                    )
        problems += [(number, message) for message in row_rules(merged, where, vocabulary)]
    for (study_id, outcome), numbers in by_outcome.items():
        if len(numbers) < 2:
            continue
        marked = [n for n in numbers if rows[n].get("primary_timepoint") == "yes"]
        if len(marked) != 1:
            listed = ", ".join(map(str, numbers))
            problems.append(
                (
                    numbers[0],
                    f'{source}: rows {listed}, column primary_timepoint: study "{study_id}" '
                    f'reports outcome "{outcome}" at {len(numbers)} timepoints; write "yes" in '
                    f"exactly one of these rows (the one the synthesis uses), found {len(marked)}",
                )
            )
    return problems


def _empty(value: object) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def validate_outcomes(
    spec: str,
    schema_path: Path | str,
    vocabulary: Vocabulary,
    studies: pd.DataFrame,
    studies_source: str,
) -> pd.DataFrame:
    """Read and validate the outcomes table (`file` or `file#sheet`) against the studies.

    Returns the typed rows (index: the sheet's row numbers). Raises InputError with
    one line per problem: unknown study ids, repeated (study, outcome, timepoint),
    several timepoints without one marked, sizes the merged row lacks, and every
    study that has no result row."""
    if not vocabulary.declares_outcomes:
        raise InputError(
            f"config.yaml: outcomes names {spec}, but vocabulary.outcomes declares no "
            "outcome; declare each outcome code with its labels (docs/data-model.md)"
        )
    schema = outcomes_table_schema(schema_for_vocabulary(load_schema(schema_path), vocabulary))
    table = validate_cells(
        read_table_cells(spec),
        schema,
        spec,
        lambda rows: outcome_rules(rows, studies, schema, spec, studies_source, vocabulary),
        "results",
        "study, outcome and timepoint",
    )
    reported = set(table["id"])
    missing = [
        f'{studies_source}: row {number}, column id: study "{study_id}" has no row in {spec}; '
        "add its results there"
        for number, study_id in studies["id"].items()
        if study_id not in reported
    ]
    if missing:
        raise InputError(missing)
    return table


def read_validated(path: Path | str, schema_path: Path | str) -> pd.DataFrame:
    """Read the workflow's own normalised copy (results/data/studies.csv) with its types."""
    schema = load_schema(schema_path, check=False)
    header = pd.read_csv(path, nrows=0).columns.tolist()
    return pd.read_csv(
        path, dtype=column_dtypes(schema, header), keep_default_na=False, na_values=[""]
    )
