"""records.xlsx: the deduplicated records with empty decision columns, text
that is never a formula, and the same bytes from the same records."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from reviewkit.search.dedupe import deduplicate
from reviewkit.search.readers import read_search_folder
from reviewkit.search.screening import DECISION_COLUMNS
from reviewkit.search.workbook import RECORD_SHEET_COLUMNS, write_records_workbook

FIXTURES = Path(__file__).parent / "fixtures" / "search"
EPOCH = 1_700_000_000  # 2023-11-14T22:13:20Z


@pytest.fixture(scope="module")
def dedup():
    return deduplicate(read_search_folder(FIXTURES / "formats").records)


def test_records_and_empty_decision_columns(tmp_path, dedup):
    path = tmp_path / "records.xlsx"
    write_records_workbook(path, dedup.records, dedup.merges, EPOCH)
    sheet = load_workbook(path)["records"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == RECORD_SHEET_COLUMNS + DECISION_COLUMNS
    assert len(rows) - 1 == len(dedup.records) == 7
    assert {row[0] for row in rows[1:]} == set(dedup.records["record_id"])
    decisions = [row[len(RECORD_SHEET_COLUMNS) :] for row in rows[1:]]
    assert all(value is None for row in decisions for value in row)
    authors = {row[0]: row[2] for row in rows[1:]}
    first = dedup.records.iloc[0]
    assert authors[first["record_id"]] == "; ".join(first["authors"])


def test_text_that_looks_like_a_formula_stays_text(tmp_path, dedup):
    records = dedup.records.copy()
    records.loc[0, "title"] = "=1+1"
    records.loc[1, "journal"] = "@SUM(A1)"
    records.loc[2, "abstract"] = "-2 +3\tcontrol\x07char"
    path = tmp_path / "records.xlsx"
    write_records_workbook(path, records, dedup.merges, EPOCH)
    sheet = load_workbook(path)["records"]
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value]
    assert all(cell.data_type in {"s", "n"} for cell in cells)
    values = {cell.value for cell in cells}
    assert {"=1+1", "@SUM(A1)", '=HYPERLINK("https://example.org")'} <= values
    assert "-2 +3\tcontrol\ufffdchar" in values  # a control character cannot be stored


def test_byte_reproducible(tmp_path, dedup):
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_records_workbook(first, dedup.records, dedup.merges, EPOCH)
    write_records_workbook(second, dedup.records, dedup.merges, EPOCH)
    assert first.read_bytes() == second.read_bytes()
    properties = load_workbook(first).properties
    assert properties.created.isoformat() == "2023-11-14T22:13:20"
    assert properties.modified.isoformat() == "2023-11-14T22:13:20"


def test_earlier_decisions_are_carried_over(tmp_path, dedup):
    record_id = dedup.records["record_id"].iloc[3]
    decisions = pd.DataFrame(
        [
            {
                "record_id": record_id,
                "title_abstract": "include",
                "full_text": "exclude",
                "exclusion_reason": "Wrong design",
                "study_id": "",
                "notes": "checked twice",
            }
        ]
    )
    path = tmp_path / "records.xlsx"
    write_records_workbook(path, dedup.records, dedup.merges, EPOCH, decisions)
    rows = list(load_workbook(path)["records"].iter_rows(values_only=True))
    decided = {row[0]: row[len(RECORD_SHEET_COLUMNS) :] for row in rows[1:]}
    assert decided[record_id] == ("include", "exclude", "Wrong design", None, "checked twice")


def test_duplicates_sheet(tmp_path):
    dedup = deduplicate(read_search_folder(FIXTURES / "known").records)
    path = tmp_path / "records.xlsx"
    write_records_workbook(path, dedup.records, dedup.merges, EPOCH)
    rows = list(load_workbook(path)["duplicates"].iter_rows(values_only=True))
    assert rows[0][:4] == ("kept_id", "removed_id", "rule", "similarity")
    assert [row[2] for row in rows[1:]] == dedup.merges["rule"].tolist()
