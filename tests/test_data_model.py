"""The review's data model: its own vocabulary, an optional outcomes table, and the long
results frame everything after validation reads (docs/data-model.md)."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import ROOT, STUDIES_CSV, STUDIES_SCHEMA, write_rows

from reviewkit.errors import InputError
from reviewkit.results import read_results, results_frame, write_results
from reviewkit.validation import InclusionWindow, validate_outcomes, validate_studies
from reviewkit.vocabulary import IMPLICIT_OUTCOME, Vocabulary

WINDOW = InclusionWindow(2014, 2024)
OUTCOMES = {
    "outcomes": [
        {"code": "volume", "labels": {"en": "breast-milk volume", "id": "volume ASI"}},
        {
            "code": "frequency",
            "labels": {"en": "breastfeeding frequency", "id": "frekuensi menyusui"},
        },
    ],
    "primary_outcome": "volume",
}
STUDY_ROWS = [
    {
        "id": "alpha2020",
        "authors": "Alpha",
        "year": "2020",
        "design": "rct",
        "n_total": "40",
        "n_intervention": "20",
        "n_control": "20",
        "main_result": "Two outcomes.",
    },
    {
        "id": "beta2021",
        "authors": "Beta",
        "year": "",
        "design": "one_group_prepost",
        "n_total": "30",
        "n_intervention": "",
        "n_control": "",
        "main_result": "Volume only.",
    },
]
OUTCOME_ROWS = [
    {
        "id": "alpha2020",
        "outcome": "volume",
        "timepoint": "",
        "primary_timepoint": "",
        "n_total": "",
        "mean_intervention": "5",
        "sd_intervention": "2",
        "mean_control": "4",
        "sd_control": "2",
        "effect_direction": "increase",
    },
    {
        "id": "alpha2020",
        "outcome": "frequency",
        "timepoint": "",
        "primary_timepoint": "",
        "n_total": "",
        "mean_intervention": "",
        "sd_intervention": "",
        "mean_control": "",
        "sd_control": "",
        "effect_direction": "increase",
    },
    {
        "id": "beta2021",
        "outcome": "volume",
        "timepoint": "day 3",
        "primary_timepoint": "",
        "n_total": "",
        "mean_intervention": "",
        "sd_intervention": "",
        "mean_control": "",
        "sd_control": "",
        "effect_direction": "increase",
    },
]


@pytest.fixture
def vocabulary() -> Vocabulary:
    return Vocabulary.from_config(OUTCOMES, language="en")


@pytest.fixture
def tables(tmp_path):
    studies = write_rows(tmp_path / "studies.csv", [dict(row) for row in STUDY_ROWS])
    outcomes = write_rows(tmp_path / "outcomes.csv", [dict(row) for row in OUTCOME_ROWS])
    return studies, outcomes


def problems(call) -> list[str]:
    with pytest.raises(InputError) as caught:
        call()
    return caught.value.lines


def validated(studies, outcomes, vocabulary):
    table = validate_studies(studies, STUDIES_SCHEMA, WINDOW, vocabulary, str(outcomes))
    rows = validate_outcomes(str(outcomes), STUDIES_SCHEMA, vocabulary, table, str(studies))
    return table, rows


# --- the vocabulary -------------------------------------------------------------------------


def test_the_defaults_are_the_nursing_designs_and_volume_units():
    vocabulary = Vocabulary.from_config({})
    assert vocabulary.design_codes[:3] == ["rct", "quasi_controlled", "static_group"]
    assert vocabulary.comparison("quasi_prepost") == "unclear"
    assert vocabulary.evidence_level("rct") == "1.c"
    assert (vocabulary.unit("l/hari").factor, vocabulary.unit("l/hari").per_day) == (1000, True)
    assert vocabulary.outcome_codes == [IMPLICIT_OUTCOME]
    assert Vocabulary.from_config(vocabulary.to_config()) == vocabulary  # summary.json round trip


def test_a_declared_vocabulary_replaces_the_defaults_and_its_values_are_enforced(tmp_path):
    vocabulary = Vocabulary.from_config(
        {
            "designs": [
                {"code": "cohort", "comparison": "between", "labels": {"en": "Cohort"}},
                {"code": "case_series", "comparison": "within", "labels": {"en": "Case series"}},
            ]
        },
        language="en",
    )
    rows = [dict(STUDY_ROWS[0], design="cohort"), dict(STUDY_ROWS[1], design="rct")]
    path = write_rows(tmp_path / "studies.csv", rows)
    assert problems(lambda: validate_studies(path, STUDIES_SCHEMA, WINDOW, vocabulary)) == [
        f'{path}: row 3, column design: "rct" is not one of: cohort, case_series '
        "(config.yaml, vocabulary.designs)"
    ]


def test_a_unit_outside_the_vocabulary_names_the_allowed_units(tmp_path, seed_rows):
    seed_rows[0]["value_unit"] = "gram"
    path = write_rows(tmp_path / "studies.csv", seed_rows)
    assert problems(lambda: validate_studies(path, STUDIES_SCHEMA, WINDOW)) == [
        f'{path}: row 2, column value_unit: "gram" is not one of: ml, cc, l, ml/hari, cc/hari, '
        "l/hari (config.yaml, vocabulary.units)"
    ]


def test_vocabulary_mistakes_are_one_line_each():
    config = {
        "designs": [
            {"code": "rct", "comparison": "between", "labels": {"en": "RCT"}},
            {"code": "rct", "comparison": "within", "labels": {"id": "Pra-pasca"}},
        ],
        "outcomes": [{"code": "volume", "labels": {"en": "volume"}}],
        "primary_outcome": "weight",
    }
    assert problems(lambda: Vocabulary.from_config(config, language="en")) == [
        'config.yaml: vocabulary.designs: code "rct" is declared twice',
        'config.yaml: vocabulary.designs: "rct" has no label for the review\'s language "en" '
        "(labels given: id)",
        'config.yaml: vocabulary.primary_outcome: "weight" is not a declared outcome '
        "(vocabulary.outcomes: volume)",
    ]


def test_a_study_may_leave_its_year_empty(tmp_path, seed_rows):
    seed_rows[3]["year"] = ""
    path = write_rows(tmp_path / "studies.csv", seed_rows)
    table = validate_studies(path, STUDIES_SCHEMA, WINDOW)
    assert pd.isna(table.set_index("id").loc["dahniarti2017", "year"])


def test_a_study_without_a_year_passes_the_bibliography_check(tmp_path, seed_rows, caplog):
    """The data step compares each study's year with its reference: an empty year
    is compared with nothing (it raised a TypeError, a traceback for the user),
    and a year that differs is still reported."""
    from reviewkit.prepare import validated_studies

    seed_rows[3]["year"] = ""
    seed_rows[4]["year"] = str(int(seed_rows[4]["year"]) + 1)
    path = write_rows(tmp_path / "studies.csv", seed_rows)
    window = {"year_from": WINDOW.year_from, "year_to": WINDOW.year_to}
    table = validated_studies(path, STUDIES_SCHEMA, ROOT / "data/references.bib", window, "none")
    assert len(table) == len(seed_rows)
    differing = [
        r.getMessage() for r in caplog.records if "differs from the year" in r.getMessage()
    ]
    assert [line.split(": ")[1] for line in differing] == ["row 6"]


# --- the outcomes table ---------------------------------------------------------------------


def test_an_outcomes_table_is_validated_against_the_studies(tables, vocabulary):
    studies, outcomes = tables
    table, rows = validated(studies, outcomes, vocabulary)
    assert list(table["id"]) == ["alpha2020", "beta2021"]
    assert list(rows["outcome"]) == ["volume", "frequency", "volume"]
    assert rows.loc[2, "mean_intervention"] == 5.0  # typed; index = the sheet's row numbers


def test_outcome_rows_must_belong_to_a_study_and_not_repeat(tables, vocabulary):
    studies, outcomes = tables
    rows = [dict(row) for row in OUTCOME_ROWS]
    rows.append(dict(rows[0]))  # the same study, outcome and timepoint again
    rows.append(dict(rows[1], id="gamma2022"))
    rows.append(dict(rows[1], outcome="weight"))
    write_rows(outcomes, rows)
    assert problems(lambda: validated(studies, outcomes, vocabulary)) == [
        f'{outcomes}: row 5, columns id, outcome, timepoint: study "alpha2020", outcome '
        '"volume" repeats row 2',
        f'{outcomes}: row 6, column id: "gamma2022" is not a study in {studies}',
        f'{outcomes}: row 7, column outcome: "weight" is not one of: volume, frequency '
        "(config.yaml, vocabulary.outcomes)",
    ]


def test_every_study_needs_a_result(tables, vocabulary):
    studies, outcomes = tables
    write_rows(outcomes, [dict(row) for row in OUTCOME_ROWS[:2]])
    assert problems(lambda: validated(studies, outcomes, vocabulary)) == [
        f'{studies}: row 3, column id: study "beta2021" has no row in {outcomes}; '
        "add its results there"
    ]


def test_result_columns_belong_in_one_table_only(tables, vocabulary):
    studies, outcomes = tables
    write_rows(studies, [dict(row, p_value="0,01") for row in STUDY_ROWS])
    assert problems(lambda: validated(studies, outcomes, vocabulary)) == [
        f'{studies}: column "p_value" is a result column; with an outcomes table '
        f"(config.yaml, outcomes) results go in {outcomes} only"
    ]


def test_several_timepoints_need_the_synthesised_one_marked(tables, vocabulary):
    studies, outcomes = tables
    later = dict(OUTCOME_ROWS[2], timepoint="day 7")
    write_rows(outcomes, [*(dict(row) for row in OUTCOME_ROWS), later])
    assert problems(lambda: validated(studies, outcomes, vocabulary)) == [
        f'{outcomes}: rows 4, 5, column primary_timepoint: study "beta2021" reports outcome '
        '"volume" at 2 timepoints; write "yes" in exactly one of these rows (the one the '
        "synthesis uses), found 0"
    ]
    write_rows(
        outcomes, [*(dict(row) for row in OUTCOME_ROWS), dict(later, primary_timepoint="yes")]
    )
    table, rows = validated(studies, outcomes, vocabulary)
    frame = results_frame(table, rows, vocabulary)
    beta = frame[frame["id"] == "beta2021"].set_index("timepoint")
    assert beta["synthesised"].to_dict() == {"day 3": False, "day 7": True}


def test_sizes_a_result_needs_may_come_from_its_study(tables, vocabulary):
    studies, outcomes = tables
    rows = [dict(row) for row in OUTCOME_ROWS]
    rows[2].update(mean_intervention="3", sd_intervention="1", mean_control="2", sd_control="1")
    write_rows(outcomes, rows)  # beta2021 gives no arm sizes anywhere
    assert problems(lambda: validated(studies, outcomes, vocabulary)) == [
        f"{outcomes}: row 4, column n_intervention: empty (here and in {studies}), but a "
        "value is required when mean_intervention is given",
        f"{outcomes}: row 4, column n_control: empty (here and in {studies}), but a "
        "value is required when mean_intervention is given",
    ]


def test_an_outcomes_table_needs_declared_outcomes(tables):
    studies, outcomes = tables
    table = validate_studies(studies, STUDIES_SCHEMA, WINDOW, None, str(outcomes))
    assert problems(
        lambda: validate_outcomes(str(outcomes), STUDIES_SCHEMA, Vocabulary(), table, str(studies))
    ) == [
        f"config.yaml: outcomes names {outcomes}, but vocabulary.outcomes declares no "
        "outcome; declare each outcome code with its labels (docs/data-model.md)"
    ]


def test_an_outcomes_sheet_of_the_same_workbook(tmp_path, vocabulary):
    workbook = tmp_path / "studies.xlsx"
    with pd.ExcelWriter(workbook) as writer:
        pd.DataFrame(STUDY_ROWS).to_excel(writer, sheet_name="studies", index=False)
        pd.DataFrame(OUTCOME_ROWS).to_excel(writer, sheet_name="outcomes", index=False)
    table = validate_studies(workbook, STUDIES_SCHEMA, WINDOW, vocabulary, f"{workbook}#outcomes")
    rows = validate_outcomes(f"{workbook}#outcomes", STUDIES_SCHEMA, vocabulary, table, "s")
    assert list(rows["outcome"]) == ["volume", "frequency", "volume"]
    assert problems(
        lambda: validate_outcomes(f"{workbook}#results", STUDIES_SCHEMA, vocabulary, table, "s")
    ) == [f'{workbook}: has no sheet "results"; its sheets are: studies, outcomes']


def test_controlled_designs_only_have_a_within_arm_direction(tmp_path, seed_rows):
    for row in seed_rows:
        row.setdefault("direction_within", "")
    seed_rows[1]["direction_within"] = "increase"  # Dewi: one-group design
    path = write_rows(tmp_path / "studies.csv", seed_rows)
    assert problems(lambda: validate_studies(path, STUDIES_SCHEMA, WINDOW, Vocabulary())) == [
        f"{path}: row 3, column direction_within: only for controlled designs; "
        '"one_group_prepost" has no control group stated, so its direction goes in '
        "effect_direction"
    ]


def test_a_paired_test_cannot_compare_two_groups(tmp_path, seed_rows):
    for row in seed_rows:
        row.setdefault("p_test", "")
        row.setdefault("p_comparison", "")
    seed_rows[2].update(p_test="paired_t", p_comparison="between_groups")
    path = write_rows(tmp_path / "studies.csv", seed_rows)
    assert problems(lambda: validate_studies(path, STUDIES_SCHEMA, WINDOW)) == [
        f'{path}: row 4, column p_test: "paired_t" does not fit p_comparison "between_groups" '
        "(a paired test compares one group before and after, an independent test two groups)"
    ]


# --- the long results frame -----------------------------------------------------------------


def test_without_an_outcomes_table_each_study_is_one_result():
    table = validate_studies(STUDIES_CSV, STUDIES_SCHEMA, WINDOW)
    frame = results_frame(table)
    assert len(frame) == 15 and set(frame["outcome"]) == {IMPLICIT_OUTCOME}
    assert frame["synthesised"].all()
    yuliana = frame.set_index("id").loc["yuliana2019"]
    assert yuliana["outcome_text"] == "frekuensi menyusui dan volume ASI"  # the report's words
    assert yuliana["p_value"] == pytest.approx(0.002)


def test_the_long_frame_has_one_row_per_study_outcome_and_timepoint(tables, vocabulary, tmp_path):
    studies, outcomes = tables
    rows = [dict(row) for row in OUTCOME_ROWS]
    rows[1]["n_total"] = "36"  # frequency analysed in fewer participants
    write_rows(outcomes, rows)
    table, result_rows = validated(studies, outcomes, vocabulary)
    frame = results_frame(table, result_rows, vocabulary)
    # primary outcome first, then the study table's order
    assert list(zip(frame["outcome"], frame["id"], strict=True)) == [
        ("volume", "alpha2020"),
        ("volume", "beta2021"),
        ("frequency", "alpha2020"),
    ]
    # the outcome's own n replaces the study's sizes, arms included (they add up to 40)
    assert list(frame["n_total"]) == [40, 30, 36]
    assert list(frame["n_intervention"].astype(object)) == [20, pd.NA, pd.NA]
    assert pd.isna(frame.loc[1, "year"]) and frame.loc[1, "timepoint"] == "day 3"
    assert list(frame["main_result"]) == ["Two outcomes.", "Volume only.", "Two outcomes."]
    path = tmp_path / "results.csv"
    write_results(frame, path)
    pd.testing.assert_frame_equal(read_results(path), frame)
