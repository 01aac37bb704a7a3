"""The review-level synthesis with each method config.yaml can choose, through the study
table, against published metafor output (dat.bcg, Colditz et al. JAMA 1994; dat.normand1999,
Normand Stat Med 1999): model and estimator, Knapp-Hartung, prediction intervals, Q-profile
intervals, Mantel-Haenszel and Peto, raw mean difference and ratio of means, subgroups,
meta-regression, Egger's test and the funnel plot, each refused where it cannot run.

Published numbers are those of docs/synthesis-engine.md ("Published numbers reproduced in
the tests"), where each source is named."""

from __future__ import annotations

import json
import math

import pytest
from conftest import STUDIES_CSV, STUDIES_SCHEMA, write_rows
from scipy import stats
from two_outcomes import (
    BCG_STUDIES,
    BCG_WINDOW,
    NORMAND1999,
    VOCABULARY,
    bcg_config,
    bcg_rows,
    outcome_rows,
    write_csv,
)

from reviewkit.errors import InputError
from reviewkit.pooling import (
    FLAG_T_TEST_ASSUMED,
    HETEROGENEITY_FEW_STUDIES,
    SynthesisSettings,
    read_own_columns,
    synthesise,
)
from reviewkit.results import results_frame
from reviewkit.validation import InclusionWindow, validate_outcomes, validate_studies
from reviewkit.vocabulary import Vocabulary

BCG_CSV = BCG_STUDIES


def bcg_between(path=BCG_CSV, **config) -> dict:
    """The BCG trials' pooled between-group entry with these synthesis settings."""
    settings = SynthesisSettings.from_config({"favoured_direction": "decrease", **config})
    studies = validate_studies(path, STUDIES_SCHEMA, BCG_WINDOW)
    summary, _ = synthesise(studies, settings, own_columns=read_own_columns(path, settings))
    json.dumps(summary, allow_nan=False)  # what the data step writes
    return summary["outcomes"]["main"]["groups"]["between"]


def r4(value: float) -> float:
    return round(value, 4)


@pytest.fixture(scope="module")
def bcg_example() -> dict:
    """The BCG example as its config.yaml asks (metafor's defaults)."""
    return bcg_between(**bcg_config())


@pytest.fixture(scope="module")
def example_k3() -> dict:
    """The shipped review with untested p-values in the main analysis: three
    uncontrolled pre-post studies (g_z) are pooled, tau² is estimated at 0."""
    studies = validate_studies(STUDIES_CSV, STUDIES_SCHEMA, InclusionWindow(2014, 2024))
    settings = SynthesisSettings(untested_p="main", subgroup="design", moderator="year")
    summary, effects = synthesise(studies, settings)
    json.dumps(summary, allow_nan=False)
    return summary, effects


# --- model, test, intervals -----------------------------------------------------------------


def test_bcg_example_holds_metafor_confint_q_profile_intervals(bcg_example):
    """metafor confint.rma example: tau² 0.3132 (0.1197, 1.1115), tau 0.5597 (0.3460,
    1.0543), I² 92.2214 (81.9177, 97.6781), H² 12.8558 (5.5303, 43.0680)."""
    g = bcg_example
    assert (g["method"], g["test"], g["model"]) == ("REML", "z", "random_effects")
    assert (r4(g["estimate"]), r4(g["ci_low"]), r4(g["ci_high"])) == (-0.7145, -1.0669, -0.3622)
    assert (r4(g["tau2"]), r4(g["tau2_ci_low"]), r4(g["tau2_ci_high"])) == (0.3132, 0.1197, 1.1115)
    assert (r4(g["tau"]), r4(g["tau_ci_low"]), r4(g["tau_ci_high"])) == (0.5597, 0.3460, 1.0543)
    assert (r4(g["i2"]), r4(g["i2_ci_low"]), r4(g["i2_ci_high"])) == (92.2214, 81.9177, 97.6781)
    assert (r4(g["h2"]), r4(g["h2_ci_low"]), r4(g["h2_ci_high"])) == (12.8558, 5.5303, 43.0680)
    # metafor's predict.rma: -1.87 to 0.44 (normal quantile, as the example's config asks)
    assert (round(g["pi_low"], 2), round(g["pi_high"], 2)) == (-1.87, 0.44)
    assert g["pi_method"] == "metafor" and g["heterogeneity_not_estimable"] is False


def test_bcg_example_asks_for_metafors_confint_and_exact_is_the_default(bcg_example):
    """The example's config sets confint: metafor (recorded in synthesis.json's settings);
    without it the bounds are the exact roots: metafor's uniroot stops within 1.2e-4 of them
    in tau², which the I² lower bound magnifies ~124-fold (81.9206 exact, 81.9177 metafor;
    docs/synthesis-engine.md)."""
    assert bcg_config()["confint"] == "metafor"
    assert SynthesisSettings().confint == "exact"
    assert SynthesisSettings.from_config(bcg_config()).as_dict()["confint"] == "metafor"
    exact = bcg_between(**{**bcg_config(), "confint": "exact"})
    assert r4(exact["i2_ci_low"]) == 81.9206
    for key in ("tau2_ci_low", "tau2_ci_high"):
        assert 0 < abs(exact[key] - bcg_example[key]) < 1.22e-4


def test_bcg_example_subgroups_and_meta_regression_have_metafors_intervals(bcg_example):
    """metafor 3.8-1 (R 4.2.2) confint(rma(yi, vi, data = dat, subset = alloc == "...")):
    random tau² (0.1065, 1.8137), I² (70.8037, 97.6350); systematic (0.0595, 8.0461), I²
    (48.6230, 99.2243); alternate (k = 2) lower 0.0031, I² 9.6826, upper ">100" (beyond its
    search interval: the exact bound is given). confint.rma example, mods = ~ ablat: tau²
    (0.0167, 0.7849), I² (32.1080, 95.6976)."""
    # the example's design_as_reported names them "random allocation" etc.
    subgroups = {
        sub["name"].removesuffix(" allocation"): sub
        for sub in bcg_example["subgroups"]["subgroups"]
    }
    keys = ("tau2_ci_low", "tau2_ci_high", "i2_ci_low", "i2_ci_high")
    got = {
        name: tuple(r4(sub[key]) for key in keys)
        for name, sub in subgroups.items()
        if name != "alternate"
    }
    assert got == {
        "random": (0.1065, 1.8137, 70.8037, 97.6350),
        "systematic": (0.0595, 8.0461, 48.6230, 99.2243),
    }
    alternate = subgroups["alternate"]
    assert (r4(alternate["tau2_ci_low"]), r4(alternate["i2_ci_low"])) == (0.0031, 9.6826)
    assert alternate["tau2_ci_high"] > 100
    assert "tau2_ci_upper_bound_beyond_metafor_search" in alternate["notes"]
    regression = bcg_example["meta_regression"]
    assert (r4(regression["tau2_ci_low"]), r4(regression["tau2_ci_high"])) == (0.0167, 0.7849)
    assert (r4(regression["i2_ci_low"]), r4(regression["i2_ci_high"])) == (32.1080, 95.6976)


def test_knapp_hartung_is_on_by_default_and_false_gives_z():
    """metafor rma(..., test="knha") on dat.bcg: SE 0.1808, CI -1.1084 to -0.3206; q = 1.0113
    is above 1, so the ad hoc variant the review uses gives the same."""
    default = bcg_between()
    assert SynthesisSettings().test == "adhoc" and default["test"] == "adhoc"
    assert (r4(default["se"]), r4(default["ci_low"]), r4(default["ci_high"])) == (
        0.1808,
        -1.1084,
        -0.3206,
    )
    assert default["df"] == 12 and r4(default["kh_q"]) == 1.0113
    z = bcg_between(knapp_hartung=False)
    assert (z["test"], r4(z["se"]), z["df"]) == ("z", 0.1798, None)


def test_prediction_interval_uses_t_on_k_minus_2_by_default():
    g = bcg_between()
    assert (g["pi_method"], g["pi_df"], g["pi_very_imprecise"]) == ("hts", 11, False)
    half = stats.t.ppf(0.975, 11) * math.sqrt(g["tau2"] + g["se"] ** 2)
    assert g["pi_low"] == pytest.approx(g["estimate"] - half, rel=1e-12)
    assert g["pi_high"] == pytest.approx(g["estimate"] + half, rel=1e-12)
    assert g["pi_reason"] is None


def test_no_prediction_interval_below_3_studies(tmp_path):
    rows = bcg_rows()[:2]
    path = write_rows(tmp_path / "studies.csv", rows)
    g = bcg_between(path, min_studies_to_pool=2)
    assert g["pooled"] and g["k"] == 2
    assert (g["pi_low"], g["pi_high"], g["pi_reason"]) == (None, None, "fewer_than_3_studies")


def test_few_studies_tau2_at_zero_means_heterogeneity_could_not_be_estimated(example_k3):
    within = example_k3[0]["outcomes"]["main"]["groups"]["within"]
    assert within["pooled"] and within["k"] == 3 < HETEROGENEITY_FEW_STUDIES
    assert within["tau2"] == 0.0 and within["heterogeneity_not_estimable"] is True
    assert within["tau2_ci_low"] == 0.0 and within["tau2_ci_high"] > 0  # the data allow some
    # t(1) prediction interval, far wider than the confidence interval, and flagged
    assert within["pi_very_imprecise"] is True and within["pi_df"] == 1
    assert within["pi_low"] < within["ci_low"] and within["pi_high"] > within["ci_high"]
    assert example_k3[0]["thresholds"]["heterogeneity_few_studies"] == 10


@pytest.mark.parametrize("estimator", ["FE", "common"])
def test_common_effect_model_from_config(estimator):
    """metafor rma(method="FE") on dat.bcg: -0.4303 (-0.5097 to -0.3509)."""
    g = bcg_between(estimator=estimator)
    assert (g["method"], g["model"], g["test"]) == ("FE", "common_effect", "z")
    assert (r4(g["estimate"]), r4(g["ci_low"]), r4(g["ci_high"])) == (-0.4303, -0.5097, -0.3509)
    assert g["tau2"] is None and g["heterogeneity_not_estimable"] is None
    assert (g["pi_low"], g["pi_reason"]) == (None, "common_effect_model")


def test_estimators_from_config():
    """DerSimonian-Laird (metafor vs metan): -0.7141, tau² 0.3088; Paule-Mandel: the tau²
    at which the generalised Q equals k - 1."""
    dl = bcg_between(estimator="DL", knapp_hartung=False)
    assert (r4(dl["estimate"]), r4(dl["tau2"])) == (-0.7141, 0.3088)
    pm = bcg_between(estimator="PM")
    assert pm["method"] == "PM"
    effects = [row for row in bcg_rows()]
    y, v = [], []
    for row in effects:
        a, n1 = int(row["events_intervention"]), int(row["n_intervention"])
        c, n2 = int(row["events_control"]), int(row["n_control"])
        y.append(math.log(a / n1) - math.log(c / n2))
        v.append(1 / a - 1 / n1 + 1 / c - 1 / n2)
    w = [1 / (vi + pm["tau2"]) for vi in v]
    mu = sum(wi * yi for wi, yi in zip(w, y, strict=True)) / sum(w)
    generalised_q = sum(wi * (yi - mu) ** 2 for wi, yi in zip(w, y, strict=True))
    assert generalised_q == pytest.approx(len(y) - 1, rel=1e-9)


# --- Mantel-Haenszel and Peto -----------------------------------------------------------------


def test_mantel_haenszel_risk_ratio_through_the_study_table():
    """metafor rma.mh(measure="RR") on dat.bcg: -0.4537, SE 0.0393, (-0.5308, -0.3766),
    Q 152.5676, I² 92.13 %."""
    g = bcg_between(binary_method="mantel_haenszel")
    assert (g["pooling_method"], g["method"], g["model"]) == (
        "mantel_haenszel",
        "MH",
        "common_effect",
    )
    assert (r4(g["estimate"]), r4(g["se"]), r4(g["ci_low"]), r4(g["ci_high"])) == (
        -0.4537,
        0.0393,
        -0.5308,
        -0.3766,
    )
    assert (r4(g["q"]), round(g["i2"], 2), g["effect_measure"]) == (152.5676, 92.13, "logRR")
    assert g["tau2"] is None and g["pi_reason"] == "common_effect_model"
    assert len(g["leave_one_out"]) == 13


def test_mantel_haenszel_odds_ratio_and_risk_difference():
    """metafor rma.mh on dat.bcg: OR -0.4734, SE 0.0410, (-0.5538, -0.3930), CMH 135.6889,
    Tarone 171.7567; RD -0.0033 (-0.0039, -0.0027)."""
    odds = bcg_between(binary_method="mantel_haenszel", binary_measure="OR")
    assert (r4(odds["estimate"]), r4(odds["se"])) == (-0.4734, 0.0410)
    assert (r4(odds["ci_low"]), r4(odds["ci_high"])) == (-0.5538, -0.3930)
    assert (r4(odds["cmh"]), r4(odds["tarone"])) == (135.6889, 171.7567)
    rd = bcg_between(binary_method="mantel_haenszel", binary_measure="RD")
    assert (r4(rd["estimate"]), r4(rd["ci_low"]), r4(rd["ci_high"])) == (-0.0033, -0.0039, -0.0027)


def test_peto_odds_ratio_through_the_study_table():
    """metafor rma.peto on dat.bcg: -0.4744, SE 0.0407, (-0.5541, -0.3948), Q 167.7302,
    I² 92.85 %."""
    g = bcg_between(binary_method="peto", binary_measure="OR")
    assert (g["pooling_method"], g["method"]) == ("peto", "Peto")
    assert (r4(g["estimate"]), r4(g["se"]), r4(g["ci_low"]), r4(g["ci_high"])) == (
        -0.4744,
        0.0407,
        -0.5541,
        -0.3948,
    )
    assert (r4(g["q"]), round(g["i2"], 2)) == (167.7302, 92.85)
    with pytest.raises(ValueError, match="odds ratios only"):
        SynthesisSettings(binary_method="peto", binary_measure="RR")


# --- continuous measures --------------------------------------------------------------------

UNITS = [
    {"code": "days", "base": "days", "factor": 1},
    {"code": "weeks", "base": "days", "factor": 7},
    {"code": "hours", "base": "hours", "factor": 1},
]


def two_outcome_synthesis(tmp_path, units=None, **config):
    """dat.bcg (tb) and dat.normand1999 (stay) as two outcomes of the same trials
    (tests/two_outcomes.py); `units` gives each stay row's mean_unit (and rescales)."""
    (tmp_path / "data").mkdir(exist_ok=True)
    studies = [
        {
            k: v
            for k, v in row.items()
            if k not in ("outcome", "events_intervention", "events_control", "effect_direction")
        }
        for row in bcg_rows()
    ]
    rows = outcome_rows()
    stay = [row for row in rows if row["outcome"] == "stay"]
    for row, unit in zip(stay, units or [], strict=False):
        if unit:
            row["mean_unit"] = unit
        if unit == "weeks":
            for column in ("mean_intervention", "sd_intervention", "mean_control", "sd_control"):
                row[column] = repr(float(row[column]) / 7)
    studies_csv = write_csv(tmp_path / "data" / "studies.csv", studies)
    outcomes_csv = write_csv(tmp_path / "data" / "outcomes.csv", rows)
    vocabulary = Vocabulary.from_config({**VOCABULARY, "units": UNITS}, language="en")
    table = validate_studies(studies_csv, STUDIES_SCHEMA, BCG_WINDOW, vocabulary, str(outcomes_csv))
    outcomes = validate_outcomes(
        str(outcomes_csv), STUDIES_SCHEMA, vocabulary, table, str(studies_csv)
    )
    results = results_frame(table, outcomes, vocabulary)
    settings = SynthesisSettings.from_config({"favoured_direction": "decrease", **config})
    summary, effects = synthesise(table, settings, "none", results, vocabulary)
    json.dumps(summary, allow_nan=False)
    return summary["outcomes"], effects


def test_raw_mean_difference_in_one_unit_matches_metafor(tmp_path):
    """metadat dat.normand1999 example: rma(MD, REML) -15.1060 (SE 8.9466), tau² 684.6462."""
    outcomes, effects = two_outcome_synthesis(
        tmp_path, ["days"] * 9, continuous_measure="MD", knapp_hartung=False
    )
    stay = outcomes["stay"]["groups"]["between"]
    assert (stay["measure"], stay["unit"], stay["k"]) == ("MD", "days", 9)
    assert (r4(stay["estimate"]), r4(stay["se"])) == (-15.1060, 8.9466)
    assert stay["tau2"] == pytest.approx(684.6462, abs=2e-4)  # metafor stops at 1e-5 in tau²
    assert set(effects.loc[effects["outcome"] == "stay", "unit"]) == {"days"}
    # event counts in the same review stay log risk ratios
    assert outcomes["tb"]["groups"]["between"]["measure"] == "logRR"


def test_mean_difference_converts_units_of_one_dimension_and_needs_them(tmp_path):
    outcomes, _ = two_outcome_synthesis(tmp_path, ["days"] * 9, continuous_measure="MD")
    all_days = outcomes["stay"]["groups"]["between"]
    # the first trial's means and SDs given in weeks (divided by 7): converted to days
    outcomes, _ = two_outcome_synthesis(tmp_path, ["weeks"] + ["days"] * 8, continuous_measure="MD")
    weeks_first = outcomes["stay"]["groups"]["between"]
    assert weeks_first["pooled"] and weeks_first["unit"] == "days"
    assert weeks_first["estimate"] == pytest.approx(all_days["estimate"], rel=1e-9)
    outcomes, _ = two_outcome_synthesis(tmp_path, ["days"] * 8, continuous_measure="MD")
    unit_missing = outcomes["stay"]["groups"]["between"]
    assert unit_missing["pooled"] is False
    assert unit_missing["reason"] == (
        "raw mean differences need the unit of the means (mean_unit), not given for: coetzee1968"
    )


def test_mean_differences_in_different_units_are_not_pooled(tmp_path):
    outcomes, _ = two_outcome_synthesis(tmp_path, ["days"] * 8 + ["hours"], continuous_measure="MD")
    stay = outcomes["stay"]["groups"]["between"]
    assert stay["pooled"] is False
    assert stay["reason"] == (
        "raw mean differences in different units (days, hours) are not pooled; "
        "continuous_measure SMD compares them"
    )


def test_ratio_of_means_with_variance_matches_metafor(tmp_path):
    """metadat dat.normand1999 example: rma(ROM, REML) -0.2177 (SE 0.1179), tau² 0.1082."""
    outcomes, _ = two_outcome_synthesis(tmp_path, continuous_measure="ROM", knapp_hartung=False)
    stay = outcomes["stay"]["groups"]["between"]
    assert (stay["measure"], r4(stay["estimate"]), r4(stay["se"])) == ("logROM", -0.2177, 0.1179)
    assert r4(stay["tau2"]) == 0.1082
    default, _ = two_outcome_synthesis(tmp_path)
    assert default["stay"]["groups"]["between"]["measure"] == "SMD"


def test_effects_from_p_values_stay_g_so_md_is_not_pooled_with_them(tmp_path, seed_rows):
    """Two trials given means and SDs (MD) and Susanti's p-value (g): different measures."""
    means = ("mean_intervention", "sd_intervention", "mean_control", "sd_control", "mean_unit")
    for row in seed_rows:
        row.update(dict.fromkeys(means, ""))
    for row, (n1, m1, s1, n2, m2, s2) in zip(
        (seed_rows[6], seed_rows[8]), NORMAND1999[:2], strict=True
    ):  # Anindita, Maharani: hypothetical means (dat.normand1999's first two trials)
        row.update(n_total=str(n1 + n2), n_intervention=str(n1), n_control=str(n2))
        row.update(zip(means, (str(m1), str(s1), str(m2), str(s2), "ml"), strict=True))
    path = write_rows(tmp_path / "studies.csv", seed_rows)
    studies = validate_studies(path, STUDIES_SCHEMA, InclusionWindow(2014, 2024))
    settings = SynthesisSettings(untested_p="main", continuous_measure="MD")
    summary, effects = synthesise(studies, settings)
    between = summary["outcomes"]["main"]["groups"]["between"]
    assert between["ids"] == ["anindita2022", "maharani2023", "susanti2022"]
    assert between["pooled"] is False
    assert between["reason"] == "effects use different measures (MD 2, SMD 1)"
    assert (
        effects.set_index("id").loc["anindita2022", "yi"] == NORMAND1999[0][1] - NORMAND1999[0][4]
    )


# --- p-values: one path, the engine's -----------------------------------------------------------


def test_p_values_go_through_the_engines_conversion(tmp_path, seed_rows):
    seed_rows[14]["p_test"] = "chi2"  # Susanti: a chi-square p is never inverted
    path = write_rows(tmp_path / "studies.csv", seed_rows)
    studies = validate_studies(path, STUDIES_SCHEMA, InclusionWindow(2014, 2024))
    _, effects = synthesise(studies, SynthesisSettings(untested_p="main"))
    by_id = effects.set_index("id")
    assert math.isnan(by_id.loc["susanti2022", "yi"])
    assert by_id.loc["susanti2022", "reason_no_effect"].startswith("chi-square p-value")
    dewi = by_id.loc["dewi2020", "flags"].split(";")
    assert dewi.count(FLAG_T_TEST_ASSUMED) == 1  # the engine's flag, once


# --- subgroups, meta-regression, small-study effects --------------------------------------------


def test_bcg_subgroups_by_allocation_match_metafor(bcg_example):
    """metafor rma.uni examples, separate REML fits by allocation: random -0.9710 (0.2760)
    tau² 0.3925 Q 110.2133; alternate -0.5408 (0.2816) 0.1326 5.5625; systematic -0.4242
    (0.3597) 0.4003 16.5919."""
    sub = bcg_example["subgroups"]
    assert (sub["column"], sub["run"], sub["k"], sub["ids_missing"]) == (
        "design_as_reported",
        True,
        13,
        [],
    )
    found = {
        item["name"]: (r4(item["estimate"]), r4(item["se"]), r4(item["tau2"]), r4(item["q"]))
        for item in sub["subgroups"]
    }
    published = {
        "random allocation": (-0.9710, 0.2760, 0.3925, 110.2133),
        "alternate allocation": (-0.5408, 0.2816, 0.1326, 5.5625),
        "systematic allocation": (-0.4242, 0.3597, 0.4003, 16.5919),
    }
    assert found == published
    weights = [1 / se**2 for _, se, _, _ in published.values()]
    means = [estimate for estimate, *_ in published.values()]
    mu = sum(w * m for w, m in zip(weights, means, strict=True)) / sum(weights)
    q_between = sum(w * (m - mu) ** 2 for w, m in zip(weights, means, strict=True))
    assert sub["q_between"] == pytest.approx(q_between, rel=1e-3) and sub["df_between"] == 2


def test_bcg_meta_regression_on_latitude_matches_metafor(bcg_example):
    """metafor rma(yi, vi, mods = ~ ablat) on dat.bcg: intercept 0.2515 (0.2491), slope
    -0.0291 (0.0072), tau² 0.0764 (metafor stops ~7e-6 short of the REML maximum)."""
    reg = bcg_example["meta_regression"]
    assert (reg["column"], reg["run"], reg["k"], reg["test"]) == ("x_latitude", True, 13, "z")
    intercept, slope = reg["coefficients"]
    assert (intercept["name"], r4(intercept["estimate"]), r4(intercept["se"])) == (
        "intercept",
        0.2515,
        0.2491,
    )
    assert (slope["name"], r4(slope["estimate"]), r4(slope["se"])) == (
        "x_latitude",
        -0.0291,
        0.0072,
    )
    assert reg["tau2"] == pytest.approx(0.0764, abs=1e-4)


def test_egger_test_and_funnel_data_run_with_13_trials(bcg_example):
    """Egger's test is the regression of y/SE on 1/SE, tested at its intercept (Egger et al.
    BMJ 1997); scipy's linregress gives it independently."""
    small = bcg_example["small_study"]
    egger, funnel = small["egger"], small["funnel"]
    rows = bcg_rows()
    y, se = [], []
    for row in rows:
        a, n1 = int(row["events_intervention"]), int(row["n_intervention"])
        c, n2 = int(row["events_control"]), int(row["n_control"])
        y.append(math.log(a / n1) - math.log(c / n2))
        se.append(math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2))
    fit = stats.linregress([1 / s for s in se], [yi / s for yi, s in zip(y, se, strict=True)])
    assert egger["run"] and egger["df"] == 11
    assert egger["stat"] == pytest.approx(fit.intercept / fit.intercept_stderr, rel=1e-9)
    assert funnel["run"] and funnel["ids"] == [row["id"] for row in rows]
    assert funnel["se"] == pytest.approx(se, rel=1e-12)
    assert funnel["centre"] == bcg_example["estimate"]


def test_below_10_studies_nothing_is_run_and_nothing_is_a_number(example_k3):
    summary, _ = example_k3
    within = summary["outcomes"]["main"]["groups"]["within"]
    for test in ("egger", "funnel"):
        entry = within["small_study"][test]
        assert entry["run"] is False and entry["k"] == 3
        assert entry["reason"].startswith("not run:") and "at least 10 studies" in entry["reason"]
        assert set(entry) == {"run", "reason", "k", "min_studies"}
    for analysis, column in (("subgroups", "design"), ("meta_regression", "year")):
        entry = within[analysis]
        assert (entry["column"], entry["run"]) == (column, False)
        assert "at least 10 studies, k = 3" in entry["reason"]
        assert not {"q_between", "coefficients", "tau2"} & set(entry)
    between = summary["outcomes"]["main"]["groups"]["between"]
    assert between["small_study"]["egger"]["reason"] == "not run: the group is not pooled"
    assert summary["funnel_plot"] == {"drawn": False, "panels": [], "min_studies": 10}


def test_a_moderator_column_of_ones_own_is_read_and_checked(tmp_path):
    rows = bcg_rows()
    rows[3]["x_latitude"] = "52,0"  # a decimal comma is a number
    path = write_rows(tmp_path / "studies.csv", rows)
    settings = SynthesisSettings(moderator="x_latitude", subgroup="x_alloc")
    with pytest.raises(InputError) as missing:
        read_own_columns(path, settings)
    assert missing.value.lines == [
        f'{path}: column "x_alloc" is missing; config.yaml synthesis.subgroup names it'
    ]
    rows[5]["x_latitude"] = "north"
    path = write_rows(tmp_path / "studies.csv", rows)
    with pytest.raises(InputError) as wrong:
        read_own_columns(path, SynthesisSettings(moderator="x_latitude"))
    assert wrong.value.lines == [
        f'{path}: row 7, column x_latitude: "north" is not a number '
        "(config.yaml synthesis.moderator needs numbers)"
    ]
    rows[5]["x_latitude"] = ""  # an empty cell leaves the study out of the regression
    path = write_rows(tmp_path / "studies.csv", rows)
    g = bcg_between(path, moderator="x_latitude")
    assert g["meta_regression"]["ids_missing"] == ["stein1953"]
    assert g["meta_regression"]["k"] == 12


def test_settings_and_thresholds_are_recorded(example_k3):
    summary, _ = example_k3
    settings = summary["settings"]
    assert (settings["knapp_hartung"], settings["test"], settings["prediction"]) == (
        True,
        "adhoc",
        "hts",
    )
    assert (settings["model"], settings["binary_method"], settings["continuous_measure"]) == (
        "random_effects",
        "inverse_variance",
        "SMD",
    )
    assert summary["thresholds"]["prediction_interval_min_studies"] == 3
    assert summary["thresholds"]["small_study_min_studies"] == 10
