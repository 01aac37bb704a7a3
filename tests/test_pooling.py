"""The review's synthesis: which effects the data allow, pooling only where justified,
and the same numbers as metafor for dat.bcg fed through the study table."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import ROOT, STUDIES_CSV, STUDIES_SCHEMA, as_read

from reviewkit.errors import InputError
from reviewkit.pooling import (
    FLAG_COMPARISON_ASSUMED,
    FLAG_EQUAL_GROUPS,
    SynthesisSettings,
    effects_markdown,
    synthesise,
)
from reviewkit.rob import check_rob_columns
from reviewkit.validation import InclusionWindow, validate_studies

BCG_CSV = ROOT / "examples" / "bcg" / "data" / "studies.csv"


@pytest.fixture(scope="module")
def example():
    studies = validate_studies(STUDIES_CSV, STUDIES_SCHEMA, InclusionWindow(2014, 2024))
    return synthesise(studies, SynthesisSettings())


@pytest.fixture(scope="module")
def bcg():
    studies = validate_studies(BCG_CSV, STUDIES_SCHEMA, InclusionWindow(1940, 1990))
    return synthesise(studies, SynthesisSettings(favoured_direction="decrease"))


def test_bcg_through_the_study_table_matches_metafor_reml(bcg):
    summary, effects = bcg
    between = summary["groups"]["between"]
    assert between["pooled"] and between["k"] == 13 and between["measure"] == "logRR"
    assert round(between["estimate"], 4) == -0.7145
    assert round(between["se"], 4) == 0.1798
    assert (round(between["ci_low"], 4), round(between["ci_high"], 4)) == (-1.0669, -0.3622)
    assert round(between["tau2"], 4) == 0.3132
    assert round(between["i2"], 2) == 92.22
    assert round(between["q"], 4) == 152.2330
    assert summary["groups"]["within"]["k_with_effect"] == 0
    assert effects["flags"].eq("").all()  # counts need no assumption


def test_bcg_vote_count_favours_fewer_cases(bcg):
    votes = bcg[0]["vote_count"]
    assert (votes["n_favoured"], votes["n_informative"]) == (
        11,
        13,
    )  # two trials went the other way


def test_dl_estimator_from_config_matches_metafor(tmp_path):
    studies = validate_studies(BCG_CSV, STUDIES_SCHEMA, InclusionWindow(1940, 1990))
    summary, _ = synthesise(studies, SynthesisSettings.from_config({"estimator": "DL"}))
    between = summary["groups"]["between"]
    assert round(between["estimate"], 4) == -0.7141
    assert round(between["tau2"], 4) == 0.3088


def test_example_effects_come_only_from_what_the_studies_report(example):
    summary, effects = example
    by_id = effects.set_index("id")
    # Siregar: controlled design, p = 0,007, n = 20 split 10 + 10 (assumed), increase.
    siregar = by_id.loc["siregar2020"]
    assert siregar["comparison"] == "between" and siregar["measure"] == "SMD"
    assert set(siregar["flags"].split(";")) == {FLAG_COMPARISON_ASSUMED, FLAG_EQUAL_GROUPS}
    assert siregar["yi"] == pytest.approx(1.30, abs=0.01)
    # Dewi: one group, printed p = 0,000 entered as p < 0,0005 and flagged.
    dewi = by_id.loc["dewi2020"]
    assert dewi["comparison"] == "within" and dewi["imputed"]
    # Nurhayati: p but no direction; Fitriani: design without a stated control; Enggar: no p.
    assert by_id.loc["nurhayati2021", "reason_no_effect"] == "direction of effect not reported"
    assert pd.isna(by_id.loc["fitriani2021", "yi"])
    assert pd.isna(by_id.loc["enggar2024", "yi"])
    assert summary["n_with_effect"] == 6 and summary["n_imputed"] == 2


def test_between_and_within_are_never_pooled_together(example):
    groups = example[0]["groups"]
    assert set(groups["between"]["ids"]) == {"siregar2020", "dahniarti2017", "susanti2022"}
    assert set(groups["within"]["ids"]) == {"dewi2020", "kartika2019", "yuliana2019"}
    assert groups["between"]["measure"] == "SMD" and groups["within"]["measure"] == "SMCC"


def test_too_few_studies_are_described_not_pooled():
    studies = validate_studies(STUDIES_CSV, STUDIES_SCHEMA, InclusionWindow(2014, 2024))
    summary, _ = synthesise(studies, SynthesisSettings(min_studies_to_pool=4))
    between = summary["groups"]["between"]
    assert not between["pooled"] and "fewer than 4" in between["reason"]
    assert "estimate" not in between


def test_sensitivity_without_imputed_p_and_by_correlation(example):
    sensitivity = example[0]["sensitivity"]
    assert not sensitivity["without_imputed"]["within"]["pooled"]  # only Yuliana remains
    estimates = {item["r"]: item["estimate"] for item in sensitivity["correlation"]}
    assert estimates[0.3] > estimates[0.5] > estimates[0.7]  # d = g_z sqrt(2(1 - r))


def test_vote_count_and_combined_p(example):
    summary = example[0]
    votes = summary["vote_count"]
    assert (votes["n_favoured"], votes["n_informative"], votes["n_excluded"]) == (13, 13, 2)
    assert votes["p_sign_test"] == pytest.approx(2 * 0.5**13)
    combined = summary["combined_p"]
    assert combined["k"] == 7 and combined["k_bound"] == 3
    assert combined["without_bounds"]["stouffer"]["k"] == 4


def test_risk_of_bias_is_not_assessed_unless_the_data_hold_it(example):
    assert example[0]["risk_of_bias"] == {"assessed": False, "tool": None}


def test_rob_columns_must_match_the_tool():
    with pytest.raises(InputError, match=r"risk_of_bias\.tool to none"):
        check_rob_columns(["id", "rob_overall"], "none", "s.csv")
    with pytest.raises(InputError) as caught:
        check_rob_columns(["id", "rob_randomisation", "rob_overall"], "rob2", "s.csv")
    assert any('"rob_deviations" is missing' in line for line in caught.value.lines)


def test_supplementary_table_lists_every_study_in_indonesian(example):
    lines = effects_markdown(example[1], "id").splitlines()
    assert len(lines) == 2 + 15
    dewi = next(line for line in lines if "@dewi2020" in line)
    # The cells are literal text; the subscript g~z~ is the tool's own Markdown.
    assert "| g~z~ dari p berpasangan |" in dewi
    assert "p < 0,0005, n = 31, meningkat" in as_read(dewi) and "p dari batas (<)" in as_read(dewi)


def test_recorded_risk_of_bias_is_summarised_and_drawn(tmp_path, seed_rows):
    from conftest import write_rows

    from reviewkit.rob import TOOLS
    from reviewkit.synthesis_figures import make_synthesis_figure

    columns = TOOLS["rob2"].columns()
    judgements = ["low", "some_concerns", "high"]
    for number, row in enumerate(seed_rows):
        for offset, column in enumerate(columns):
            row[column] = judgements[(number + offset) % 3]
    path = write_rows(tmp_path / "studies.csv", seed_rows)
    studies = validate_studies(path, STUDIES_SCHEMA, InclusionWindow(2014, 2024))
    check_rob_columns(list(studies.columns), "rob2", str(path))
    summary, effects = synthesise(studies, SynthesisSettings(), rob_tool="rob2")
    overall = [row["rob_overall"] for row in seed_rows]
    assert summary["risk_of_bias"] == {
        "assessed": True,
        "tool": "RoB 2",
        "overall": {j: overall.count(j) for j in ["low", "some_concerns", "high"]},
    }
    figure = make_synthesis_figure("rob_summary", studies, effects, summary, "id", "rob2")
    assert figure.get_axes()


def test_an_unknown_judgement_is_rejected(tmp_path, seed_rows):
    from conftest import write_rows

    for row in seed_rows:
        row["rob_overall"] = "low"
    seed_rows[0]["rob_overall"] = "medium"
    path = write_rows(tmp_path / "studies.csv", seed_rows)
    with pytest.raises(InputError) as caught:
        validate_studies(path, STUDIES_SCHEMA, InclusionWindow(2014, 2024))
    assert caught.value.lines == [
        f'{path}: row 2, column rob_overall: "medium" is not one of: low, some_concerns, high, '
        "critical, no_information"
    ]


def test_a_study_too_small_for_a_formula_gets_a_reason_not_a_crash(tmp_path, seed_rows):
    from conftest import write_rows

    seed_rows[1]["n_total"] = "2"  # Dewi: one group with a p-value; a paired t needs n >= 3
    path = write_rows(tmp_path / "studies.csv", seed_rows)
    studies = validate_studies(path, STUDIES_SCHEMA, InclusionWindow(2014, 2024))
    summary, effects = synthesise(studies, SynthesisSettings())
    dewi = effects.set_index("id").loc["dewi2020"]
    assert pd.isna(dewi["yi"])
    assert dewi["reason_no_effect"].startswith("no effect size: ")
    assert "dewi2020" not in summary["groups"]["within"]["ids"]
