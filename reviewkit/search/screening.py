"""Screening decisions: ``data/screening.csv`` or ``data/screening.xlsx``.

One row per record (the decision columns of ``results/search/records.xlsx``,
copied or filled in): ``record_id``, ``title_abstract`` (include / exclude),
``full_text`` (include / exclude / not_retrieved), ``exclusion_reason``
(required when full_text = exclude), ``study_id`` (the study of an included
report, a row id of the study table; several reports may share one study),
``notes`` (free text, never read). Other columns, e.g. a title copied along
for reading, are ignored. Values are compared case-insensitively, and
"not retrieved" or "not-retrieved" count as not_retrieved.

:func:`read_screening` checks the file against the records and the study
table and reports one line per problem: file, row (as the spreadsheet shows
it; the header is row 1), column, value and what was expected. Problems of
one kind are listed up to :data:`MAX_PER_KIND` times, then counted.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path

import pandas as pd

from reviewkit.errors import InputError
from reviewkit.tables_io import read_table_cells

DECISION_COLUMNS = ["title_abstract", "full_text", "exclusion_reason", "study_id", "notes"]
DECISION_VALUES = {
    "title_abstract": ("", "include", "exclude"),
    "full_text": ("", "include", "exclude", "not_retrieved"),
}
MAX_PER_KIND = 50


class Problems:
    """Problem lines grouped by kind, capped per kind, in the order found."""

    def __init__(self, shown: str):
        self.shown = shown
        self.kinds: dict[str, list[str]] = {}

    def add(self, kind: str, line: str) -> None:
        self.kinds.setdefault(kind, []).append(line)

    def lines(self) -> list[str]:
        out: list[str] = []
        for kind, lines in self.kinds.items():
            out += lines[:MAX_PER_KIND]
            if len(lines) > MAX_PER_KIND:
                out.append(
                    f"{self.shown}: ... and {len(lines) - MAX_PER_KIND} more of the same kind "
                    f"({kind})"
                )
        return out

    def raise_if_any(self) -> None:
        if self.kinds:
            raise InputError(self.lines())


def _code(value: str) -> str:
    return "_".join(value.strip().lower().replace("-", " ").split())


def read_screening(
    path: Path | str,
    record_ids: Collection[str],
    duplicate_of: Mapping[str, str] | None = None,
    study_ids: Collection[str] | None = None,
    shown: str | None = None,
    study_table: str = "the study table",
    require_complete: bool = True,
) -> pd.DataFrame:
    """The validated decisions, one row per record id named in the file, with
    columns ``record_id``, the decision columns (codes in lower case) and
    ``row`` (the spreadsheet row).

    ``record_ids``: the deduplicated records; ``duplicate_of``: removed id ->
    kept id (to say which record to decide on instead); ``study_ids``: the ids
    of the study table, or None to skip the study checks. With
    ``require_complete`` every record needs a title/abstract decision and
    every title/abstract include a full-text decision.
    """
    path = Path(path)
    shown = shown or str(path)
    cells = read_table_cells(path)
    problems = Problems(shown)
    missing = [c for c in ("record_id", "title_abstract") if c not in cells.columns]
    for column in missing:
        problems.add(
            "missing column",
            f"{shown}: no column {column!r}; expected record_id, title_abstract, full_text, "
            f"exclusion_reason, study_id (columns found: {', '.join(cells.columns) or 'none'})",
        )
    problems.raise_if_any()
    for column in DECISION_COLUMNS:
        if column not in cells.columns:
            cells[column] = ""
    known = set(record_ids)
    duplicate_of = duplicate_of or {}
    studies = set(study_ids) if study_ids is not None else None
    rows: list[dict] = []
    seen: dict[str, int] = {}
    for row_number, cell in cells.iterrows():
        record_id = cell["record_id"].strip()
        where = f"{shown}: row {row_number}"
        if not record_id:
            if any(cell[c].strip() for c in DECISION_COLUMNS[:4]):
                problems.add(
                    "empty record id",
                    f"{where}, column record_id: empty; expected a record id from "
                    "results/search/records.xlsx",
                )
            continue
        if record_id in seen:
            problems.add(
                "record decided twice",
                f'{where}, column record_id: "{record_id}" is also on row {seen[record_id]}; '
                "expected one row per record",
            )
            continue
        seen[record_id] = int(row_number)
        if record_id not in known:
            if record_id in duplicate_of:
                problems.add(
                    "duplicate record",
                    f'{where}, column record_id: "{record_id}" was removed as a duplicate of '
                    f'"{duplicate_of[record_id]}"; expected the decision on that record',
                )
            else:
                problems.add(
                    "unknown record id",
                    f'{where}, column record_id: "{record_id}" is not a record of '
                    "results/search/records.xlsx",
                )
            continue
        decision = {"record_id": record_id, "row": int(row_number)}
        for column in DECISION_COLUMNS:
            text = cell[column].strip()
            if column in DECISION_VALUES:
                code = _code(text)
                if code not in DECISION_VALUES[column]:
                    allowed = ", ".join(v for v in DECISION_VALUES[column] if v)
                    problems.add(
                        f"{column} value",
                        f'{where}, column {column}: "{text}"; expected {allowed} or empty',
                    )
                    code = ""
                text = code
            decision[column] = text
        rows.append(decision)
        title_abstract, full_text = decision["title_abstract"], decision["full_text"]
        if full_text and title_abstract != "include":
            problems.add(
                "full text without title/abstract include",
                f'{where}, column full_text: "{full_text}" but title_abstract is '
                f'"{title_abstract or "empty"}"; a full-text decision needs '
                "title_abstract = include",
            )
        if require_complete and title_abstract == "include" and not full_text:
            problems.add(
                "missing full-text decision",
                f"{where}, column full_text: empty; expected include, exclude or not_retrieved "
                "for a record included on title/abstract",
            )
        if full_text == "exclude" and not decision["exclusion_reason"]:
            problems.add(
                "exclusion without reason",
                f"{where}, column exclusion_reason: empty; expected the reason the full text "
                "was excluded",
            )
        if full_text == "include" and decision["exclusion_reason"]:
            problems.add(
                "included with a reason",
                f'{where}, column exclusion_reason: "{decision["exclusion_reason"]}" but '
                "full_text = include; expected empty",
            )
        study = decision["study_id"]
        if full_text == "include":
            if not study:
                problems.add(
                    "included report without study",
                    f"{where}, column study_id: empty; expected the study id (from "
                    f"{study_table}) this included report belongs to",
                )
            elif studies is not None and study not in studies:
                problems.add(
                    "included report without study",
                    f'{where}, column study_id: "{study}" is not a study id of {study_table}',
                )
        elif study:
            problems.add(
                "study id on a report not included",
                f'{where}, column study_id: "{study}" but full_text is '
                f'"{full_text or "empty"}"; a study id belongs to included reports only',
            )
    if require_complete:
        for record_id in (r for r in record_ids if r not in seen):
            problems.add(
                "record without decision",
                f'{shown}: record "{record_id}" has no row; expected a title_abstract decision '
                "for every record of results/search/records.xlsx",
            )
        for decision in rows:
            if not decision["title_abstract"]:
                problems.add(
                    "record without decision",
                    f"{shown}: row {decision['row']}, column title_abstract: empty; expected "
                    "include or exclude",
                )
    if studies is not None:
        reported = {d["study_id"] for d in rows if d["full_text"] == "include"}
        for study in sorted(studies - reported):
            problems.add(
                "study without included report",
                f'{study_table}: study "{study}" has no included report in {shown} '
                f'(expected a row with full_text = include and study_id = "{study}")',
            )
    problems.raise_if_any()
    columns = ["record_id", *DECISION_COLUMNS, "row"]
    return pd.DataFrame(rows, columns=columns)
