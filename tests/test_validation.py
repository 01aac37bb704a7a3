"""Validation: what a user sees when the study table has a mistake."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import STUDIES_CSV, STUDIES_SCHEMA, write_rows

from reviewkit.errors import InputError
from reviewkit.tables_io import detect_separator
from reviewkit.validation import InclusionWindow, check_citation_keys, validate_studies

WINDOW = InclusionWindow(2014, 2024)


def problems_for(path) -> list[str]:
    with pytest.raises(InputError) as caught:
        validate_studies(path, STUDIES_SCHEMA, WINDOW)
    return caught.value.lines


def test_the_example_data_is_valid_and_typed():
    table = validate_studies(STUDIES_CSV, STUDIES_SCHEMA, WINDOW)
    assert len(table) == 15
    assert table["n_total"].sum() == 532
    dewi = table.set_index("id").loc["dewi2020"]
    assert dewi["value_before"] == pytest.approx(0.3)  # "0,3" with a decimal comma
    assert dewi["p_operator"] == "<" and dewi["p_value"] == pytest.approx(0.0005)
    assert pd.isna(table.set_index("id").loc["enggar2024", "p_value"])  # not reported: stays empty


def test_a_mistyped_whole_number_names_file_row_column_and_value(tmp_path, seed_rows):
    seed_rows[5]["n_total"] = "3O"
    path = write_rows(tmp_path / "studies.csv", seed_rows)
    assert problems_for(path) == [f'{path}: row 7, column n_total: "3O" is not a whole number']


def test_every_problem_is_reported_in_row_order(tmp_path, seed_rows):
    seed_rows[0]["design"] = "RCT"
    seed_rows[1]["year"] = "2012"
    seed_rows[2]["p_value"] = "1,5"
    seed_rows[3]["n_total"] = "0"
    seed_rows[4]["authors"] = ""
    seed_rows[14]["id"] = "dewi2020"
    path = write_rows(tmp_path / "studies.csv", seed_rows)
    assert problems_for(path) == [
        f'{path}: row 2, column design: "RCT" is not one of: rct, quasi_controlled, '
        "static_group, quasi_prepost, quasi_unspecified, one_group_prepost, pre_experimental "
        "(config.yaml, vocabulary.designs)",
        f"{path}: row 3, column year: 2012 is outside the inclusion window 2014 to 2024 "
        "(config.yaml, inclusion)",
        f'{path}: row 4, column p_value: "1,5" must be at most 1',
        f'{path}: row 5, column n_total: "0" must be at least 1',
        f"{path}: row 6, column authors: empty, but a value is required",
        f'{path}: row 16, column id: "dewi2020" is a duplicate of row 3',
    ]


def test_p_value_of_zero_is_rejected(tmp_path, seed_rows):
    seed_rows[2]["p_value"] = "0"
    path = write_rows(tmp_path / "studies.csv", seed_rows)
    assert problems_for(path) == [f'{path}: row 4, column p_value: "0" must be greater than 0']


def test_group_sizes_must_add_up_to_the_total(tmp_path, seed_rows):
    seed_rows[2].update(n_intervention="10", n_control="12")
    path = write_rows(tmp_path / "studies.csv", seed_rows)
    assert problems_for(path) == [
        f"{path}: row 4, columns n_intervention + n_control: 10 + 12 = 22, but n_total is 20"
    ]


def test_values_need_their_partner_and_unit(tmp_path, seed_rows):
    seed_rows[0].update(value_after="", value_unit="")
    path = write_rows(tmp_path / "studies.csv", seed_rows)
    assert problems_for(path) == [
        f"{path}: row 2, column value_after: empty, but a value is required when value_before "
        "is given",
        f"{path}: row 2, column value_unit: empty, but a value is required when value_before "
        "is given",
    ]


def test_missing_and_unknown_columns(tmp_path, seed_rows):
    for row in seed_rows:
        row["desing"] = row.pop("design")
        row["x_notes"] = "my own note"  # x_ columns are the user's and allowed
    path = write_rows(tmp_path / "studies.csv", seed_rows)
    problems = problems_for(path)
    assert problems[0].startswith(f'{path}: column "desing" is not known; expected one of: id, ')
    assert problems[1] == f'{path}: column "design" is missing (a required column)'
    assert len(problems) == 2


def test_semicolon_csv_with_bom_and_decimal_commas_reads_like_the_original(tmp_path, seed_rows):
    path = write_rows(tmp_path / "studies.csv", seed_rows, delimiter=";", encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    original = validate_studies(STUDIES_CSV, STUDIES_SCHEMA, WINDOW)
    pd.testing.assert_frame_equal(validate_studies(path, STUDIES_SCHEMA, WINDOW), original)


def test_xlsx_reads_like_the_csv(tmp_path):
    original = validate_studies(STUDIES_CSV, STUDIES_SCHEMA, WINDOW)
    # As a spreadsheet user types it: numbers as numbers, text as text.
    sheet = original.astype(object).where(original.notna(), None)
    path = tmp_path / "studies.xlsx"
    sheet.to_excel(path, index=False)
    pd.testing.assert_frame_equal(validate_studies(path, STUDIES_SCHEMA, WINDOW), original)


def test_xlsx_errors_use_the_sheet_row_numbers(tmp_path):
    original = validate_studies(STUDIES_CSV, STUDIES_SCHEMA, WINDOW).astype(object)
    original.loc[original.index[2], "year"] = 2030
    path = tmp_path / "studies.xlsx"
    original.where(original.notna(), None).to_excel(path, index=False)
    assert problems_for(path) == [
        f"{path}: row 4, column year: 2030 is outside the inclusion window 2014 to 2024 "
        "(config.yaml, inclusion)"
    ]


def test_a_file_that_is_not_utf8_gets_a_hint(tmp_path, seed_rows):
    seed_rows[0]["main_result"] = "Peningkatan \u00b1 50 ml"
    path = write_rows(tmp_path / "studies.csv", seed_rows, encoding="cp1252")
    (problem,) = problems_for(path)
    assert problem.startswith(f"{path}: byte ") and 'save the file as "CSV UTF-8"' in problem


def test_a_row_with_too_many_cells_is_named(tmp_path):
    path = tmp_path / "studies.csv"
    path.write_text("id,authors\na1,X,extra\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 2 has 3 cells but the header has 2"):
        validate_studies(path, STUDIES_SCHEMA, WINDOW)


def test_separator_is_taken_from_the_header():
    assert detect_separator("id;authors;year") == ";"
    assert detect_separator("id,authors,year") == ","


def test_study_without_bibliography_entry_is_named():
    with pytest.raises(InputError) as caught:
        check_citation_keys(
            ["dewi2020", "new2024"], {"dewi2020"}, "data/studies.csv", "data/references.bib"
        )
    assert caught.value.lines == [
        'data/studies.csv: study id "new2024" has no entry in data/references.bib; '
        "add one with that citation key"
    ]
