"""The review's synthesis: which effects the data allow, pooling only where justified,
and the same numbers as metafor for dat.bcg fed through the study table."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import STUDIES_CSV, STUDIES_SCHEMA, as_read, write_rows
from two_outcomes import (
    BCG_STUDIES,
    BCG_WINDOW,
    NORMAND1999,
    VOCABULARY,
    bcg_config,
    write_tables,
)

from reviewkit.errors import InputError
from reviewkit.pooling import (
    FLAG_COMPARISON_ASSUMED,
    FLAG_EQUAL_GROUPS,
    FLAG_SPLIT_2_1,
    FLAG_T_TEST_ASSUMED,
    REASON_CATEGORICAL,
    REFUSED_TESTS,
    SynthesisSettings,
    derive_effect,
    effects_markdown,
    read_own_columns,
    synthesise,
)
from reviewkit.results import results_frame
from reviewkit.rob import check_rob_columns
from reviewkit.synthesis import meta_analysis, smd_from_means, smd_from_p
from reviewkit.validation import InclusionWindow, validate_outcomes, validate_studies
from reviewkit.vocabulary import Vocabulary

BCG_CSV = BCG_STUDIES


@pytest.fixture(scope="module")
def example():
    studies = validate_studies(STUDIES_CSV, STUDIES_SCHEMA, InclusionWindow(2014, 2024))
    return synthesise(studies, SynthesisSettings())


@pytest.fixture(scope="module")
def main(example):
    """The example's single outcome."""
    return example[0]["outcomes"]["main"]


def bcg_settings(**changes) -> SynthesisSettings:
    """The synthesis settings of examples/bcg/config.yaml (metafor's defaults), changed."""
    return SynthesisSettings.from_config({**bcg_config(), **changes})


def bcg_synthesis(**changes):
    studies = validate_studies(BCG_CSV, STUDIES_SCHEMA, BCG_WINDOW)
    settings = bcg_settings(**changes)
    return synthesise(studies, settings, own_columns=read_own_columns(BCG_CSV, settings))


@pytest.fixture(scope="module")
def bcg():
    return bcg_synthesis()


def test_bcg_through_the_study_table_matches_metafor_reml(bcg):
    summary, effects = bcg
    between = summary["outcomes"]["main"]["groups"]["between"]
    assert between["pooled"] and between["k"] == 13 and between["measure"] == "logRR"
    assert round(between["estimate"], 4) == -0.7145
    assert round(between["se"], 4) == 0.1798
    assert (round(between["ci_low"], 4), round(between["ci_high"], 4)) == (-1.0669, -0.3622)
    assert round(between["tau2"], 4) == 0.3132
    assert round(between["i2"], 2) == 92.22
    assert round(between["q"], 4) == 152.2330
    assert summary["outcomes"]["main"]["groups"]["within"]["k_with_effect"] == 0
    assert effects["flags"].eq("").all()  # counts need no assumption
    assert set(effects["role"]) == {"main"}


def test_bcg_vote_count_favours_fewer_cases(bcg):
    votes = bcg[0]["outcomes"]["main"]["vote_count"]
    assert list(votes) == ["between"]  # every trial compares two groups
    assert (votes["between"]["n_favoured"], votes["between"]["n_informative"]) == (11, 13)


def test_dl_estimator_from_config_matches_metafor(tmp_path):
    studies = validate_studies(BCG_CSV, STUDIES_SCHEMA, BCG_WINDOW)
    summary, _ = synthesise(studies, SynthesisSettings.from_config({"estimator": "DL"}))
    between = summary["outcomes"]["main"]["groups"]["between"]
    assert round(between["estimate"], 4) == -0.7141
    assert round(between["tau2"], 4) == 0.3088


def test_each_outcome_is_pooled_on_its_own(tmp_path):
    """Two published data sets as two outcomes of the same trials (tests/two_outcomes.py):
    the tuberculosis outcome still gives metafor's dat.bcg estimate, and the length of
    stay outcome the random-effects g of dat.normand1999's nine trials alone."""
    studies_csv, outcomes_csv = write_tables(tmp_path)
    vocabulary = Vocabulary.from_config(VOCABULARY, language="en")
    window = BCG_WINDOW
    studies = validate_studies(studies_csv, STUDIES_SCHEMA, window, vocabulary, str(outcomes_csv))
    rows = validate_outcomes(
        str(outcomes_csv), STUDIES_SCHEMA, vocabulary, studies, str(studies_csv)
    )
    results = results_frame(studies, rows, vocabulary)
    summary, effects = synthesise(studies, SynthesisSettings(), "none", results, vocabulary)
    assert summary["outcome_order"] == ["tb", "stay"] and summary["primary_outcome"] == "tb"
    tb = summary["outcomes"]["tb"]["groups"]["between"]
    assert (tb["k"], tb["measure"], round(tb["estimate"], 4)) == (13, "logRR", -0.7145)
    stay = summary["outcomes"]["stay"]["groups"]["between"]
    own = [smd_from_means(m1, s1, n1, m2, s2, n2) for n1, m1, s1, n2, m2, s2 in NORMAND1999]
    expected = meta_analysis([e.yi for e in own], [e.vi for e in own])
    assert (stay["k"], stay["measure"]) == (9, "SMD")
    assert stay["estimate"] == pytest.approx(expected.estimate, abs=1e-12)
    assert stay["tau2"] == pytest.approx(expected.tau2, abs=1e-12)
    votes = summary["outcomes"]["stay"]["vote_count"]["between"]
    assert (votes["n_favoured"], votes["n_informative"]) == (6, 9)  # shorter stay in 6 of 9
    assert summary["outcomes"]["stay"]["n_studies"] == 9
    assert list(effects["outcome"]).count("stay") == 9


def test_example_effects_come_only_from_what_the_studies_report(example):
    _summary, effects = example
    by_id = effects.set_index("id")
    # Siregar: the p belongs to the change within the intervention arm (n = 20 split
    # 10 + 10, assumed), its test is not stated: g_z, a sensitivity analysis only.
    siregar = by_id.loc["siregar2020"]
    assert siregar["comparison"] == "within_arm" and siregar["measure"] == "SMCC"
    assert set(siregar["flags"].split(";")) == {FLAG_EQUAL_GROUPS, FLAG_T_TEST_ASSUMED}
    assert siregar["role"] == "sensitivity"
    # Dahniarti: a categorical outcome; its p cannot come from a t-test.
    assert pd.isna(by_id.loc["dahniarti2017", "yi"])
    assert by_id.loc["dahniarti2017", "reason_no_effect"] == REASON_CATEGORICAL
    # Susanti: controlled design, comparison not stated: read as between groups (flagged).
    susanti = by_id.loc["susanti2022"]
    assert susanti["comparison"] == "between" and FLAG_COMPARISON_ASSUMED in susanti["flags"]
    # Dewi: one group, printed p = 0,000 entered as p < 0,0005 and flagged.
    dewi = by_id.loc["dewi2020"]
    assert dewi["comparison"] == "within" and dewi["imputed"]
    # Nurhayati: p but no direction; Fitriani: design without a stated control; Enggar: no p.
    assert by_id.loc["nurhayati2021", "reason_no_effect"] == "direction of effect not reported"
    assert pd.isna(by_id.loc["fitriani2021", "yi"])
    assert pd.isna(by_id.loc["enggar2024", "yi"])


def test_p_values_whose_test_is_not_stated_enter_only_a_sensitivity_analysis(example, main):
    assert main["untested_p"]["setting"] == "sensitivity"
    assert (main["n_with_effect"], main["n_sensitivity_only"]) == (0, 5)
    assert not any(group["pooled"] for group in main["groups"].values())
    included = main["sensitivity"]["untested_p_included"]["groups"]
    assert included["within"]["ids"] == ["dewi2020", "kartika2019", "yuliana2019"]
    assert included["within"]["pooled"] and included["within"]["measure"] == "SMCC"
    studies = validate_studies(STUDIES_CSV, STUDIES_SCHEMA, InclusionWindow(2014, 2024))
    summary, _ = synthesise(studies, SynthesisSettings(untested_p="main"))
    as_main = summary["outcomes"]["main"]
    assert as_main["groups"]["within"]["estimate"] == included["within"]["estimate"]
    assert as_main["sensitivity"]["untested_p_excluded"]["groups"]["within"]["k_with_effect"] == 0


def test_chi_square_and_rank_test_p_values_are_never_inverted(tmp_path, seed_rows):
    seed_rows[14]["p_test"] = "mann_whitney"  # Susanti
    seed_rows[9]["p_test"] = "wilcoxon"  # Yuliana
    seed_rows[2].update(p_test="chi2")  # Siregar
    path = write_rows(tmp_path / "studies.csv", seed_rows)
    studies = validate_studies(path, STUDIES_SCHEMA, InclusionWindow(2014, 2024))
    summary, effects = synthesise(studies, SynthesisSettings(untested_p="main"))
    by_id = effects.set_index("id")
    for study, test in (("susanti2022", "mann_whitney"), ("yuliana2019", "wilcoxon")):
        assert pd.isna(by_id.loc[study, "yi"])
        assert by_id.loc[study, "reason_no_effect"] == REFUSED_TESTS[test]
    assert by_id.loc["siregar2020", "reason_no_effect"] == REFUSED_TESTS["chi2"]
    main = summary["outcomes"]["main"]
    assert {item["id"] for item in main["not_converted"]} == {
        "dahniarti2017",
        "siregar2020",
        "susanti2022",
        "yuliana2019",
    }
    # still counted: their one-sided p-values are combined within their group
    assert "susanti2022" in main["combined_p"]["between"]["ids"]


def test_with_counts_a_chi_square_study_gets_its_effect_from_the_counts(tmp_path, seed_rows):
    for row in seed_rows:
        row.update(events_intervention="", events_control="")
    row = seed_rows[3]  # Dahniarti: static group comparison, categorical outcome
    row.update(p_test="chi2", n_intervention="15", n_control="15")
    row.update(events_intervention="15", events_control="9")  # hypothetical counts
    path = write_rows(tmp_path / "studies.csv", seed_rows)
    studies = validate_studies(path, STUDIES_SCHEMA, InclusionWindow(2014, 2024))
    _, effects = synthesise(studies, SynthesisSettings(binary_measure="OR"))
    dahniarti = effects.set_index("id").loc["dahniarti2017"]
    assert (dahniarti["measure"], dahniarti["role"]) == ("logOR", "main")
    assert dahniarti["method"] == "log_odds_ratio"


def test_comparison_groups_are_never_pooled_together(main):
    groups = main["sensitivity"]["untested_p_included"]["groups"]
    assert groups["between"]["ids"] == ["susanti2022"]
    assert groups["within_arm"]["ids"] == ["siregar2020"]
    assert groups["within"]["ids"] == ["dewi2020", "kartika2019", "yuliana2019"]
    assert "unclear" not in groups  # never pooled


def test_too_few_studies_are_described_not_pooled():
    studies = validate_studies(STUDIES_CSV, STUDIES_SCHEMA, InclusionWindow(2014, 2024))
    summary, _ = synthesise(studies, SynthesisSettings(min_studies_to_pool=4, untested_p="main"))
    within = summary["outcomes"]["main"]["groups"]["within"]
    assert not within["pooled"] and "fewer than 4" in within["reason"]
    assert "estimate" not in within


def test_every_assumption_behind_a_pooled_result_is_varied(main):
    sensitivity = main["sensitivity"]
    assert sensitivity["without_p_bounds"]["changed"] == ["dewi2020", "kartika2019"]
    assert not sensitivity["without_p_bounds"]["groups"]["within"]["pooled"]  # only Yuliana
    split = sensitivity["groups_2_to_1"]
    assert split["changed"] == ["siregar2020", "susanti2022"]
    assert split["groups"]["between"]["ids"] == ["susanti2022"]
    moved = sensitivity["comparison_as_within_arm"]
    assert moved["changed"] == ["susanti2022"]
    assert moved["groups"]["between"]["k_with_effect"] == 0
    assert moved["groups"]["within_arm"]["ids"] == ["siregar2020", "susanti2022"]
    by_r = {
        item["r"]: item["groups"]["within"]["estimate"]
        for item in sensitivity["pre_post_correlation"]
    }
    assert by_r[0.3] > by_r[0.5] > by_r[0.7]  # d = g_z sqrt(2(1 - r))
    assert {item["measure"] for item in sensitivity["pre_post_correlation"]} == {"SMCR"}


def test_a_2_to_1_split_changes_the_effect_as_the_formula_says(tmp_path, seed_rows):
    """Susanti (n = 42, p = 0,004): 21 + 21 in the main reading, 28 + 14 at 2:1."""
    studies = validate_studies(STUDIES_CSV, STUDIES_SCHEMA, InclusionWindow(2014, 2024))
    results = results_frame(studies)
    susanti = results[results["id"] == "susanti2022"].iloc[0]
    equal = derive_effect(susanti, SynthesisSettings())
    unequal = derive_effect(susanti, SynthesisSettings(), split=(2, 1))
    assert (equal.inputs["n1"], equal.inputs["n2"]) == (21, 21)
    assert (unequal.inputs["n1"], unequal.inputs["n2"]) == (28, 14)
    assert unequal.effect.yi == pytest.approx(smd_from_p(0.004, 28, 14, direction=1).yi)
    assert FLAG_SPLIT_2_1 in unequal.flags


def test_vote_counting_runs_per_comparison_group(main):
    votes = main["vote_count"]
    assert list(votes) == ["between", "within_arm", "within", "unclear"]
    between = votes["between"]
    # Anindita, Maharani, Dahniarti, Susanti: increase against the control group;
    # Enggar and Siregar report no comparison with control, Nurhayati and Rahayu no direction.
    assert (between["n_favoured"], between["n_informative"], between["n_excluded"]) == (4, 4, 4)
    assert between["p_sign_test"] == pytest.approx(2 * 0.5**4)
    assert votes["within_arm"]["ids"] == ["enggar2024", "siregar2020"]
    assert (votes["within"]["n_favoured"], votes["within"]["n_informative"]) == (5, 5)
    assert votes["unclear"]["ids"] == ["fitriani2021", "lestari2023"]


def test_combined_p_values_never_mix_comparisons(main):
    combined = main["combined_p"]
    assert combined["between"]["ids"] == ["dahniarti2017", "susanti2022"]
    assert combined["between"]["k_comparison_assumed"] == 1  # Susanti
    assert combined["within_arm"]["ids"] == ["siregar2020"]
    assert combined["within"]["ids"] == ["dewi2020", "kartika2019", "yuliana2019"]
    assert combined["within"]["k_bound"] == 2
    assert combined["within"]["without_bounds"]["stouffer"]["k"] == 1
    assert "unclear" not in combined  # what Fitriani's p compares is not known


@pytest.mark.parametrize(
    ("setting", "within", "unclear"),
    [("within_group", 7, None), ("not_counted", 5, None), ("own_group", 5, 2)],
)
def test_studies_without_a_stated_control_are_counted_where_the_config_says(
    setting, within, unclear
):
    studies = validate_studies(STUDIES_CSV, STUDIES_SCHEMA, InclusionWindow(2014, 2024))
    summary, effects = synthesise(studies, SynthesisSettings(control_not_stated=setting))
    votes = summary["outcomes"]["main"]["vote_count"]
    assert votes["within"]["n_informative"] == within
    assert votes.get("unclear", {}).get("n_informative") == unclear
    fitriani = effects.set_index("id").loc["fitriani2021"]
    if setting == "within_group":
        assert fitriani["comparison"] == "within" and FLAG_COMPARISON_ASSUMED in fitriani["flags"]
        assert "fitriani2021" in summary["outcomes"]["main"]["combined_p"]["within"]["ids"]
    else:
        assert pd.isna(fitriani["yi"])


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
    assert "hanya dalam analisis sensitivitas" in as_read(dewi)
    siregar = next(line for line in lines if "@siregar2020" in line)
    assert "Dalam kelompok intervensi (pra-pasca)" in as_read(siregar)
    dahniarti = next(line for line in lines if "@dahniarti2017" in line)
    assert "hasil kategoris" in as_read(dahniarti)


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
    sensitivity = summary["outcomes"]["main"]["sensitivity"]["untested_p_included"]
    assert "dewi2020" not in sensitivity["groups"]["within"]["ids"]
