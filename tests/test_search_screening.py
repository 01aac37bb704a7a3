"""Screening decisions: one line per problem with file, row, column, value and
what was expected; repeated problems are capped."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import write_rows

from reviewkit.errors import InputError
from reviewkit.search.screening import MAX_PER_KIND, read_screening

RECORDS = ["r1", "r2", "r3", "r4", "r5"]
GOOD = [
    {"record_id": "r1", "title_abstract": "include", "full_text": "include", "study_id": "s1"},
    {"record_id": "r2", "title_abstract": "Include", "full_text": "Include", "study_id": "s1"},
    {
        "record_id": "r3",
        "title_abstract": "include",
        "full_text": "exclude",
        "exclusion_reason": "No control group",
    },
    {"record_id": "r4", "title_abstract": "include", "full_text": "Not retrieved"},
    {"record_id": "r5", "title_abstract": "exclude"},
]


def write(tmp_path: Path, rows: list[dict]) -> Path:
    columns = ["record_id", "title_abstract", "full_text", "exclusion_reason", "study_id", "notes"]
    return write_rows(
        tmp_path / "screening.csv", [{c: row.get(c, "") for c in columns} for row in rows]
    )


def problems(path, **kwargs) -> list[str]:
    kwargs.setdefault("study_ids", {"s1"})
    with pytest.raises(InputError) as error:
        read_screening(
            path, RECORDS, shown="data/screening.csv", study_table="data/studies.csv", **kwargs
        )
    return error.value.lines


def test_valid_decisions_are_normalised(tmp_path):
    decisions = read_screening(write(tmp_path, GOOD), RECORDS, study_ids={"s1"})
    assert decisions["title_abstract"].tolist() == ["include"] * 4 + ["exclude"]
    assert decisions["full_text"].tolist() == [
        "include",
        "include",
        "exclude",
        "not_retrieved",
        "",
    ]
    assert decisions["row"].tolist() == [2, 3, 4, 5, 6]


def test_the_same_decisions_from_a_workbook(tmp_path):
    path = tmp_path / "screening.xlsx"
    pd.DataFrame(GOOD).fillna("").to_excel(path, index=False)
    decisions = read_screening(path, RECORDS, study_ids={"s1"})
    assert decisions["study_id"].tolist() == ["s1", "s1", "", "", ""]


def test_each_kind_of_problem_is_one_line(tmp_path):
    rows = [
        {"record_id": "r1", "title_abstract": "exclude", "full_text": "include", "study_id": "s1"},
        {"record_id": "r2", "title_abstract": "include", "full_text": "exclude"},
        {"record_id": "r3", "title_abstract": "include", "full_text": "include", "study_id": "s9"},
        {"record_id": "r4", "title_abstract": "maybe"},
        {"record_id": "r9", "title_abstract": "include"},
        {"record_id": "dup", "title_abstract": "exclude"},
        {"record_id": "r5", "title_abstract": "exclude", "study_id": "s1"},
        {"record_id": "r5", "title_abstract": "exclude"},
    ]
    lines = problems(write(tmp_path, rows), duplicate_of={"dup": "r1"}, study_ids={"s1", "s2"})
    assert lines == [
        'data/screening.csv: row 2, column full_text: "include" but title_abstract is '
        '"exclude"; a full-text decision needs title_abstract = include',
        "data/screening.csv: row 3, column exclusion_reason: empty; expected the reason the "
        "full text was excluded",
        'data/screening.csv: row 4, column study_id: "s9" is not a study id of data/studies.csv',
        'data/screening.csv: row 5, column title_abstract: "maybe"; expected include, exclude '
        "or empty",
        'data/screening.csv: row 6, column record_id: "r9" is not a record of '
        "results/search/records.xlsx",
        'data/screening.csv: row 7, column record_id: "dup" was removed as a duplicate of "r1"; '
        "expected the decision on that record",
        'data/screening.csv: row 8, column study_id: "s1" but full_text is "empty"; a study id '
        "belongs to included reports only",
        'data/screening.csv: row 9, column record_id: "r5" is also on row 8; expected one row '
        "per record",
        "data/screening.csv: row 5, column title_abstract: empty; expected include or exclude",
        'data/studies.csv: study "s2" has no included report in data/screening.csv (expected a '
        'row with full_text = include and study_id = "s2")',
    ]


def test_missing_decisions_only_when_complete_is_required(tmp_path):
    path = write(tmp_path, [{"record_id": "r1", "title_abstract": "include"}])
    lines = problems(path, study_ids=None)
    assert lines[0] == (
        "data/screening.csv: row 2, column full_text: empty; expected include, exclude or "
        "not_retrieved for a record included on title/abstract"
    )
    assert lines[1:] == [
        f'data/screening.csv: record "{r}" has no row; expected a title_abstract decision for '
        "every record of results/search/records.xlsx"
        for r in RECORDS[1:]
    ]
    partial = read_screening(path, RECORDS, require_complete=False)
    assert partial["record_id"].tolist() == ["r1"]


def test_identical_problems_are_capped(tmp_path):
    many = [{"record_id": f"x{i}", "title_abstract": "exclude"} for i in range(MAX_PER_KIND + 7)]
    lines = problems(write(tmp_path, GOOD + many))
    unknown = [line for line in lines if "is not a record of" in line]
    assert len(unknown) == MAX_PER_KIND
    assert lines[-1] == ("data/screening.csv: ... and 7 more of the same kind (unknown record id)")


def test_missing_columns_are_named(tmp_path):
    path = write_rows(tmp_path / "screening.csv", [{"id": "r1", "decision": "include"}])
    lines = problems(path)
    assert lines[0].startswith("data/screening.csv: no column 'record_id'; expected record_id")
    assert "(columns found: id, decision)" in lines[0]
