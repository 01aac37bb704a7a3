"""The synthesis table: every row of the seed's Table 1, regenerated."""

import pytest
from conftest import STUDIES_CSV, STUDIES_SCHEMA

from reviewkit.study_characteristics import (
    build_study_table,
    column_widths,
    location,
    study_table_markdown,
    to_pipe_table,
)
from reviewkit.typeface import text_width
from reviewkit.validation import InclusionWindow, validate_studies

# The page and table cells as the layout sets them, typed here so that a wrong
# constant in the code cannot move the expectation with it: A4 less 2 x 2.5 cm,
# 11 pt cell text, Word's default cell margins of 108 twips (5.4 pt) each side.
TEXT_WIDTH_PT = 16 / 2.54 * 72
CELL_SIZE_PT = 11.0
CELL_PADDING_PT = 2 * 5.4


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
    dashes = [len(cell) for cell in lines[1].strip("|").split("|")]  # colon included
    assert all(cell.startswith(":-") for cell in lines[1].strip("|").split("|"))  # left-aligned
    assert lines[0].startswith("| No | [Peneliti \\(Tahun\\)]{.study-header} |")
    # every cell is literal text (the comma escaped), the study a citation
    assert lines[2].startswith("| 1 | [@enggar2024]{.study} | RSUD Mokopido\\, Tolitoli |")
    # Widths from the content: the result column gets the most room, No the least,
    # and every column is at least as wide as its longest word ("postpartum",
    # "Peningkatan"), measured in Times metrics at the 11 pt of table cells.
    assert dashes.index(max(dashes)) == 5 and dashes.index(min(dashes)) == 0
    display = build_study_table(studies, "id").drop(columns="id")
    for share, column in zip(dashes, display.columns, strict=True):
        width = TEXT_WIDTH_PT * share / sum(dashes)
        words = [w for cell in display[column].astype(str) for w in cell.split()]
        widest = max(text_width(w, CELL_SIZE_PT) for w in words) + CELL_PADDING_PT
        assert width >= widest - 1, (column, width, widest)


def test_widths_give_every_column_its_longest_word():
    import pandas as pd

    table = pd.DataFrame({"a": ["x"] * 3, "b": ["Antarkelompok " * 20] * 3})
    narrow, wide = column_widths(table)
    assert narrow * TEXT_WIDTH_PT >= text_width("x", CELL_SIZE_PT) + CELL_PADDING_PT
    assert wide * TEXT_WIDTH_PT >= text_width("Antarkelompok", CELL_SIZE_PT) + CELL_PADDING_PT
    assert wide > 0.9  # the long text takes the room the short one does not need


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
