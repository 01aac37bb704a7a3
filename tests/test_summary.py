"""Summary statistics of the example review, checked against the seed's Table 1."""

import pytest
from conftest import STUDIES_CSV, STUDIES_SCHEMA

from reviewkit.summary import before_after_ratios, reported_below, summarise
from reviewkit.validation import InclusionWindow, validate_studies


@pytest.fixture(scope="module")
def studies():
    return validate_studies(STUDIES_CSV, STUDIES_SCHEMA, InclusionWindow(2014, 2024))


def test_counts_and_sample_sizes(studies):
    summary = summarise(studies)
    assert summary["n_studies"] == 15
    assert summary["n_participants"] == 532  # 60 + 31 + 20 + ... + 42 in the seed's table
    assert summary["sample_size"] == {"median": 32.0, "min": 20, "max": 60}
    assert summary["years"] == {"min": 2017, "max": 2024, "n_reported": 15, "n_missing": 0}
    assert sum(summary["by_year"].values()) == 15
    assert summary["by_year"]["2020"] == 3


def test_counts_by_design_keep_what_the_seed_says(studies):
    assert summarise(studies)["by_design"] == {
        "rct": 2,
        "quasi_controlled": 4,
        "static_group": 2,
        "quasi_prepost": 1,
        "quasi_unspecified": 1,
        "one_group_prepost": 3,
        "pre_experimental": 2,
    }


def test_p_value_reporting(studies):
    reporting = summarise(studies)["p_reporting"]
    # exact: Siregar, Dahniarti, Nurhayati, Yuliana, Susanti; inequality: Kartika,
    # Fitriani (p < 0,05) and Dewi (printed 0,000); none: the other seven.
    assert (reporting["exact"], reporting["inequality"], reporting["none"]) == (5, 3, 7)
    assert reporting["rounded_zero"] == 1
    assert reporting["below_005"] == 8
    assert (reporting["min_exact"], reporting["max_exact"]) == (0.001, 0.032)


def test_before_after_ratios_normalise_units(studies):
    ratios = before_after_ratios(studies).set_index("id")
    assert list(ratios.index) == [
        "enggar2024",
        "dewi2020",
        "siregar2020",
        "pratiwi2018",
        "fitriani2021",
    ]
    assert ratios.loc["pratiwi2018", "before_base"] == 400  # 0,4 liter/hari in ml
    assert ratios.loc["pratiwi2018", "per_day"]
    assert ratios.loc["dewi2020", "after_base"] == 1  # 1 cc = 1 ml
    assert set(ratios["base_unit"]) == {"ml"}
    assert ratios.loc["siregar2020", "ratio"] == pytest.approx(615 / 305)
    summary = summarise(studies)["before_after"]
    assert summary["n_studies"] == 5
    assert summary["ratio_median"] == pytest.approx(2.0)
    assert summary["ratio_min"] == pytest.approx(1.5)
    assert summary["ratio_max"] == pytest.approx(1 / 0.3)


def test_a_study_without_a_year_is_counted_not_guessed(tmp_path, seed_rows):
    from conftest import write_rows

    seed_rows[3]["year"] = ""  # Dahniarti (2017), the earliest
    path = write_rows(tmp_path / "studies.csv", seed_rows)
    summary = summarise(validate_studies(path, STUDIES_SCHEMA, InclusionWindow(2014, 2024)))
    assert summary["years"] == {"min": 2018, "max": 2024, "n_reported": 14, "n_missing": 1}
    assert sum(summary["by_year"].values()) == 14


def test_directions_against_the_comparator_and_within_the_intervention_arm(studies):
    summary = summarise(studies)
    # Enggar and Siregar report only the rise within their intervention group.
    assert summary["direction"]["not_reported"] == 2
    assert summary["direction_within"] == {"increase": 2}
    assert summary["n_reporting_increase"] == 13
    assert summary["p_reporting"]["by_test"] == {"not_stated": 8}


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("=", 0.007, True),
        ("=", 0.05, False),
        ("<", 0.05, True),
        ("<", 0.1, False),
        (None, None, False),
    ],
)
def test_reported_below(operator, value, expected):
    assert reported_below(operator, value) is expected


def test_before_after_ratios_keep_the_label_the_figures_draw(seed_rows, tmp_path):
    """The figure names a study as the reference list does ("Dewi dkk. (2020)"), not
    as the authors cell has it ("Dewi et al.")."""
    import pandas as pd

    from reviewkit.summary import before_after_ratios

    rows = pd.DataFrame(
        {
            "id": ["a"],
            "label": ["Dewi dkk. (2020)"],
            "authors": ["Dewi et al."],
            "year": [2020],
            "design": ["one_group_prepost"],
            "values_group": ["single_group"],
            "value_before": [0.3],
            "value_after": [1.0],
            "value_unit": ["cc"],
        }
    )
    assert before_after_ratios(rows)["label"].tolist() == ["Dewi dkk. (2020)"]
