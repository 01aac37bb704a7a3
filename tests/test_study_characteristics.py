"""The synthesis table: every row of the seed's Table 1, regenerated."""

import pytest
from conftest import STUDIES_CSV, STUDIES_SCHEMA

from reviewkit.study_characteristics import (
    build_study_table,
    location,
    study_table_markdown,
    to_pipe_table,
)
from reviewkit.validation import InclusionWindow, validate_studies


@pytest.fixture(scope="module")
def studies():
    return validate_studies(STUDIES_CSV, STUDIES_SCHEMA, InclusionWindow(2014, 2024))


def test_rows_follow_the_data(studies):
    table = build_study_table(studies, "id")
    assert list(table.columns) == [
        "No",
        "id",
        "Peneliti (Tahun)",
        "Lokasi Penelitian",
        "Desain Penelitian",
        "Jumlah Sampel",
        "Hasil Utama",
    ]
    first = table.iloc[0]
    assert first["Peneliti (Tahun)"] == "Enggar & Rizkyanti (2024)"
    assert first["Lokasi Penelitian"] == "RSUD Mokopido, Tolitoli"
    assert first["Jumlah Sampel"] == "60 ibu postpartum"
    assert table.iloc[-1]["No"] == 15
    assert table.iloc[-1]["Lokasi Penelitian"] == "RSUD Karanganyar"


def test_english_headers(studies):
    assert "Researcher (Year)" in build_study_table(studies, "en").columns


@pytest.mark.parametrize(
    ("facility", "region", "expected"),
    [
        ("RSUD Mokopido", "Tolitoli", "RSUD Mokopido, Tolitoli"),
        ("RSUD Kota Mataram", "Mataram", "RSUD Kota Mataram"),
        (None, "Bantul", "Bantul"),
    ],
)
def test_location(facility, region, expected):
    assert location(facility, region) == expected


def test_markdown_cites_each_study_and_sets_widths(studies):
    lines = study_table_markdown(studies, "id").splitlines()
    assert len(lines) == 2 + 15
    widths = [len(cell) for cell in lines[1].strip("|").split("|")]
    assert widths == [6, 14, 14, 14, 10, 28]  # the result column gets the most room
    assert all(cell.startswith(":-") for cell in lines[1].strip("|").split("|"))  # left-aligned
    assert lines[2].startswith("| 1 | @enggar2024 | RSUD Mokopido\\, Tolitoli |")  # literal ","


def test_pipes_in_cells_are_escaped():
    import pandas as pd

    text = to_pipe_table(pd.DataFrame({"a": ["x | y"]}), [3])
    assert text.splitlines()[2] == "| x \\| y |"


def test_a_study_without_a_year_says_so_in_the_table_s_language(studies):
    undated = studies.assign(year=studies["year"].mask(studies["id"] == "dewi2020"))
    table = build_study_table(undated, "id")
    by_id = dict(zip(table["id"], table["Peneliti (Tahun)"], strict=True))
    assert by_id["dewi2020"] == "Dewi et al. (t.t.)"  # "tanpa tahun", as APA in Indonesian
    english = build_study_table(undated, "en")
    assert "Dewi et al. (n.d.)" in list(english["Researcher (Year)"])


def test_designs_use_the_review_s_own_labels(studies):
    from reviewkit.vocabulary import Vocabulary

    vocabulary = Vocabulary.from_config(
        {"designs": [{"code": "rct", "comparison": "between", "labels": {"en": "Trial"}}]}
    )
    trials = studies[studies["design"] == "rct"].assign(design_as_reported=None)
    assert set(build_study_table(trials, "en", vocabulary)["Design"]) == {"Trial"}
