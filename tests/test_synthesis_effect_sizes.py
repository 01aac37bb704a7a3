"""Effect sizes: published metafor checks, hand-computed values and input validation.

Published sources: metafor ``escalc`` reference manual examples (signed p-values), metadat
``dat.normand1999`` examples (escalc MD and ROM, and their REML meta-analyses), metafor's
dat.bcg / dat.colditz1994 escalc values.
"""

import json
import math
from dataclasses import asdict

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.meta_analysis import effectsize_2proportions, effectsize_smd

from reviewkit.synthesis import (
    FLAG_CONTINUITY,
    FLAG_DOUBLE_ZERO,
    FLAG_P_INEQUALITY,
    FLAG_R_ASSUMED,
    FLAG_T_TEST_ASSUMED,
    MEASURES,
    METHOD_DESCRIPTIONS,
    P_VALUE_TESTS,
    ConversionRefused,
    Effect,
    descriptive_ratio_of_means,
    effect_from_p,
    hedges_j,
    log_odds_ratio,
    log_ratio_of_means,
    log_risk_ratio,
    mean_difference,
    meta_analysis,
    p_bound_for_rounded_zero,
    ratio_of_means,
    risk_difference,
    smcc_from_p,
    smcc_from_t,
    smcc_to_between_scale,
    smcc_to_smcr,
    smd_from_means,
    smd_from_p,
    smd_from_t,
)
from tests.published_data import NORMAND1999

# ---------------------------------------------------------------- published checks (escalc.Rd)


@pytest.mark.parametrize("exact_j", [False, True])
def test_smd_from_signed_p_matches_metafor(exact_j):
    e = smd_from_p(0.018, 20, 20, direction=-1, exact_j=exact_j)
    assert round(e.yi, 4) == -0.7664
    assert e.measure == "SMD"
    assert e.flags == ()
    # metafor SMD "LS" variance
    assert e.vi == pytest.approx(1 / 20 + 1 / 20 + e.yi**2 / 80, rel=1e-12)


def test_smcc_from_signed_p_matches_metafor():
    e = smcc_from_p(0.018, 50, direction=-1)
    assert round(e.yi, 4) == -0.3408
    assert e.method == "smcc_from_p"
    assert e.measure == "SMCC"
    assert e.vi == pytest.approx(1 / 50 + e.yi**2 / 100, rel=1e-12)


def test_smcc_approximate_j_misses_the_published_rounding():
    # Why the exact J is the default: with J = 1 - 3/(4m-1), g_z = -0.340853 -> -0.3409,
    # while metafor (exact J) publishes -0.3408.
    e = smcc_from_p(0.018, 50, direction=-1, exact_j=False)
    assert e.yi == pytest.approx(-0.340853, abs=1e-6)
    assert e.method == "smcc_from_p:approx_J"


# ---------------------------------------------------------------- formulas


def test_hedges_j_values():
    assert hedges_j(38, exact=False) == pytest.approx(1 - 3 / 151)
    # exact J(m) = Gamma(m/2)/(sqrt(m/2) Gamma((m-1)/2)); m=2 gives 1/sqrt(pi)
    assert hedges_j(2) == pytest.approx(1 / math.sqrt(math.pi))
    # m=3: Gamma(1.5)/(sqrt(1.5) Gamma(1)) = sqrt(pi)/2/sqrt(1.5)
    assert hedges_j(3) == pytest.approx(math.sqrt(math.pi) / 2 / math.sqrt(1.5))
    assert 0 < hedges_j(10, exact=False) - hedges_j(10) < 5e-4
    with pytest.raises(ValueError, match="degree of freedom"):
        hedges_j(1)


def test_smd_from_means_hand_computed():
    # pooled SD = sqrt((9*4 + 14*9)/23) = sqrt(162/23); d = 2/sp; approximate J = 1 - 3/91
    e = smd_from_means(12.0, 2.0, 10, 10.0, 3.0, 15, exact_j=False)
    sp = math.sqrt(162 / 23)
    g = (1 - 3 / 91) * 2 / sp
    assert e.yi == pytest.approx(g, rel=1e-12)
    assert e.vi == pytest.approx(1 / 10 + 1 / 15 + g**2 / 50, rel=1e-12)
    assert e.method == "hedges_g_from_means:approx_J"
    exact = smd_from_means(12.0, 2.0, 10, 10.0, 3.0, 15)
    assert exact.yi == pytest.approx(hedges_j(23) * 2 / sp, rel=1e-12)
    assert exact.method == "hedges_g_from_means"


def test_smd_from_means_agrees_with_statsmodels():
    # statsmodels' g uses J = 1 - 3/(4N - 9), i.e. the approximate J with m = N - 2
    # (its variance uses N - 3.94 instead of N, so only the estimate is compared)
    smd, _ = effectsize_smd(12.0, 2.0, 10, 10.0, 3.0, 15)
    e = smd_from_means(12.0, 2.0, 10, 10.0, 3.0, 15, exact_j=False)
    assert e.yi == pytest.approx(float(smd), rel=1e-12)


def test_smd_from_p_equals_smd_from_t_and_sign():
    up = smd_from_p(0.04, 12, 14, direction=1)
    down = smd_from_p(0.04, 12, 14, direction=-1)
    assert up.yi > 0 and down.yi == pytest.approx(-up.yi)
    t = float(stats.t.isf(0.02, 24))
    assert up.yi == pytest.approx(smd_from_t(t, 12, 14).yi, rel=1e-12)


def test_p_equal_one_gives_zero_effect():
    assert smd_from_p(1.0, 10, 10, direction=1).yi == 0.0
    assert smcc_from_p(1.0, 10, direction=-1).yi == 0.0


def test_smcc_from_t_hand_computed():
    e = smcc_from_t(2.5, 26, exact_j=False)
    g = (1 - 3 / 99) * 2.5 / math.sqrt(26)
    assert e.yi == pytest.approx(g, rel=1e-12)
    assert e.vi == pytest.approx(1 / 26 + g**2 / 52, rel=1e-12)


def test_mean_difference_and_units():
    e = mean_difference(5.0, 2.0, 10, 3.0, 1.0, 20)
    assert e.yi == 2.0
    assert e.vi == pytest.approx(4 / 10 + 1 / 20)
    assert e.measure == "MD"
    assert mean_difference(5, 2, 10, 3, 1, 20, unit1="ml", unit2=" ML ").yi == 2.0
    with pytest.raises(ValueError, match="units differ"):
        mean_difference(5, 2, 10, 3, 1, 20, unit1="ml", unit2="L/day")


# ---------------------------------------------------------------- p entered as a bound


def test_p_inequality_is_flagged_and_conservative():
    exact = smd_from_p(0.01, 15, 15, direction=1)
    bound = smd_from_p(0.05, 15, 15, direction=1, operator="<")
    assert bound.flags == (FLAG_P_INEQUALITY,)
    assert bound.imputed and not exact.imputed
    assert 0 < bound.yi < exact.yi
    zero = smcc_from_p(p_bound_for_rounded_zero(3), 20, direction=1, operator="<")
    assert FLAG_P_INEQUALITY in zero.flags


def test_p_bound_for_rounded_zero():
    assert p_bound_for_rounded_zero(3) == pytest.approx(0.0005)
    assert p_bound_for_rounded_zero(2) == pytest.approx(0.005)


@pytest.mark.parametrize("bad_p", [0, 0.0, -0.1, 1.2, float("nan")])
def test_invalid_p_raises(bad_p):
    with pytest.raises(ValueError, match="p"):
        smd_from_p(bad_p, 10, 10, direction=1)
    with pytest.raises(ValueError, match="p"):
        smcc_from_p(bad_p, 10, direction=1)


def test_p_zero_message_points_to_bound():
    with pytest.raises(ValueError, match=r"0\.0005 with operator '<'"):
        smd_from_p(0, 10, 10, direction=1)


def test_bad_operator_direction_and_sizes():
    with pytest.raises(ValueError, match="gives no effect size"):
        smd_from_p(0.2, 10, 10, direction=1, operator=">")
    with pytest.raises(ValueError, match="operator"):
        smd_from_p(0.2, 10, 10, direction=1, operator="<=")
    with pytest.raises(ValueError, match="direction"):
        smd_from_p(0.2, 10, 10, direction=0)
    with pytest.raises(ValueError, match="n1"):
        smd_from_p(0.2, 1, 10, direction=1)
    with pytest.raises(ValueError, match="whole number"):
        smcc_from_p(0.2, 10.5, direction=1)
    with pytest.raises(ValueError, match="n must be >= 3"):
        smcc_from_p(0.2, 2, direction=1)


# ---------------------------------------------------------------- within -> between scale


def test_smcc_to_smcr_formula_and_flag():
    gz = smcc_from_p(0.018, 50, direction=-1)
    d = smcc_to_smcr(gz, 0.5)
    assert d.yi == pytest.approx(gz.yi)  # sqrt(2(1 - 0.5)) = 1
    d3 = smcc_to_smcr(gz, 0.3)
    assert d3.yi == pytest.approx(gz.yi * math.sqrt(1.4))
    # Var = 2(1-r) Var(g_z) = 2(1-r)/n + d^2/(2n)  (metafor SMCR, LS)
    assert d3.vi == pytest.approx(1.4 * gz.vi)
    assert d3.vi == pytest.approx(1.4 / 50 + d3.yi**2 / 100)
    assert d3.measure == "SMCR"
    assert FLAG_R_ASSUMED in d3.flags and d3.imputed
    assert d3.method == "smcc_to_between_scale_assumed_r(r=0.3)"
    reported = smcc_to_between_scale(gz, 0.3, r_reported=True)
    assert FLAG_R_ASSUMED not in reported.flags
    assert reported.method == "smcc_to_between_scale(r=0.3)"
    # the old name is the same function
    assert smcc_to_smcr is smcc_to_between_scale
    # the converted effect shares the SMD's scale but stays a within-group comparison
    smd = smd_from_t(2.0, 10, 10)
    assert (d3.scale, d3.comparison) == (smd.scale, "within_group")
    assert (gz.scale, gz.comparison) == ("sd_of_change_scores", "within_group")
    assert smd.comparison == "between_groups"


def test_smcc_to_smcr_rejects_bad_input():
    gz = smcc_from_t(2.0, 20)
    with pytest.raises(ValueError, match="r must lie"):
        smcc_to_smcr(gz, 1.0)
    with pytest.raises(ValueError, match="SMCC"):
        smcc_to_smcr(smd_from_t(2.0, 10, 10), 0.5)


def test_flags_are_kept_through_conversion():
    gz = smcc_from_p(0.05, 20, direction=1, operator="<")
    d = smcc_to_smcr(gz, 0.7)
    assert d.flags == (FLAG_P_INEQUALITY, FLAG_R_ASSUMED)


# ---------------------------------------------------------------- ratio of means


def test_ratio_of_means_descriptive():
    assert ratio_of_means is descriptive_ratio_of_means
    e = descriptive_ratio_of_means(200.0, 250.0)
    assert e.yi == pytest.approx(1.25)
    assert e.vi is None and e.se is None and e.ci() is None
    assert e.measure == "ROM_descriptive"
    with pytest.raises(ValueError, match="positive"):
        ratio_of_means(0.0, 5.0)


# ---------------------------------------------------------------- 2x2 tables


def test_binary_measures_hand_computed():
    # a=4, b=119 (n1=123), c=11, d=128 (n2=139): first dat.bcg trial
    rr = log_risk_ratio(4, 123, 11, 139)
    assert rr.yi == pytest.approx(math.log((4 / 123) / (11 / 139)))
    assert rr.vi == pytest.approx(1 / 4 - 1 / 123 + 1 / 11 - 1 / 139)
    assert round(rr.yi, 4) == -0.8893 and round(rr.vi, 4) == 0.3256  # metafor dat.bcg row 1
    odds = log_odds_ratio(4, 123, 11, 139)
    assert round(odds.yi, 4) == -0.9387 and round(odds.vi, 4) == 0.3571  # metafor dat.colditz
    rd = risk_difference(4, 123, 11, 139)
    p1, p2 = 4 / 123, 11 / 139
    assert rd.yi == pytest.approx(p1 - p2)
    assert rd.vi == pytest.approx(p1 * (1 - p1) / 123 + p2 * (1 - p2) / 139)
    assert rr.flags == odds.flags == rd.flags == ()


def test_log_risk_ratio_agrees_with_statsmodels():
    yi, vi = effectsize_2proportions(
        np.array([4]), np.array([123]), np.array([11]), np.array([139]), statistic="risk-ratio"
    )
    e = log_risk_ratio(4, 123, 11, 139)
    assert e.yi == pytest.approx(float(yi[0]), rel=1e-12)
    assert e.vi == pytest.approx(float(vi[0]), rel=1e-12)


def test_zero_cell_adds_half_to_all_cells():
    # a=0, b=10, c=5, d=5 -> 0.5, 10.5, 5.5, 5.5; n1 = n2 = 11
    rr = log_risk_ratio(0, 10, 5, 10)
    assert rr.yi == pytest.approx(math.log(0.5 / 11) - math.log(5.5 / 11))
    assert rr.vi == pytest.approx(1 / 0.5 - 1 / 11 + 1 / 5.5 - 1 / 11)
    assert rr.flags == (FLAG_CONTINUITY,)
    odds = log_odds_ratio(0, 10, 5, 10)
    assert odds.yi == pytest.approx(math.log(0.5 * 5.5 / (10.5 * 5.5)))
    assert odds.vi == pytest.approx(1 / 0.5 + 1 / 10.5 + 1 / 5.5 + 1 / 5.5)
    rd = risk_difference(0, 10, 5, 10)
    assert rd.yi == pytest.approx(0.5 / 11 - 5.5 / 11)
    assert rd.flags == (FLAG_CONTINUITY,)


def test_all_zero_events_double_zero():
    e = log_risk_ratio(0, 20, 0, 30)
    assert e.flags == (FLAG_CONTINUITY, FLAG_DOUBLE_ZERO)
    assert e.yi == pytest.approx(math.log(0.5 / 21) - math.log(0.5 / 31))
    assert math.isfinite(e.vi)
    assert FLAG_DOUBLE_ZERO in log_odds_ratio(20, 20, 30, 30).flags  # all events


def test_binary_invalid_counts():
    with pytest.raises(ValueError, match="exceed"):
        log_risk_ratio(12, 10, 1, 10)
    with pytest.raises(ValueError, match="events1"):
        log_odds_ratio(-1, 10, 1, 10)
    with pytest.raises(ValueError, match="n2"):
        risk_difference(1, 10, 0, 0)


# ---------------------------------------------------------------- Effect dataclass


def test_effect_is_frozen_and_ci():
    e = Effect(0.5, 0.04, "SMD", "hedges_g_from_t")
    with pytest.raises(AttributeError):
        e.yi = 1.0  # type: ignore[misc]
    lo, hi = e.ci()
    assert lo == pytest.approx(0.5 - 1.959964 * 0.2, abs=1e-6)
    assert hi == pytest.approx(0.5 + 1.959964 * 0.2, abs=1e-6)


def test_every_method_is_described():
    effects = [
        smd_from_means(1, 1, 5, 0, 1, 5),
        mean_difference(1, 1, 5, 0, 1, 5),
        smd_from_t(2, 5, 5),
        smd_from_p(0.1, 5, 5, direction=1),
        smcc_from_t(2, 5),
        smcc_from_p(0.1, 5, direction=1),
        smcc_to_smcr(smcc_from_t(2, 5), 0.5),
        log_risk_ratio(1, 5, 2, 5),
        log_odds_ratio(1, 5, 2, 5),
        risk_difference(1, 5, 2, 5),
        ratio_of_means(1, 2),
        log_ratio_of_means(2, 1, 5, 1, 1, 5),
        log_ratio_of_means(2, 1, 5, 1, 1, 5, correct=False),
        smcc_to_between_scale(smcc_from_t(2, 5), 0.5, r_reported=True),
        effect_from_p(0.1, "not_stated", n=5, direction=1),
    ]
    for e in effects:
        base = e.method.split(":")[0].split("(")[0]
        assert base in METHOD_DESCRIPTIONS, e.method


# ---------------------------------------------------------------- MD and ROM (escalc parity)


def test_mean_difference_and_log_ratio_of_means_match_metafor():
    # metadat dat.normand1999 examples: escalc(measure="MD") yi/vi and escalc("ROM") yi/vi
    # (ROM with metafor's default bias correction)
    md = [mean_difference(m1, s1, n1, m2, s2, n2) for n1, m1, s1, n2, m2, s2 in NORMAND1999]
    assert [(round(e.yi, 4), round(e.vi, 4)) for e in md] == [
        (-20.0, 40.5080),
        (-2.0, 2.0806),
        (-55.0, 15.6984),
        (-71.0, 150.2222),
        (-4.0, 17.3077),
        (1.0, 1.1673),
        (11.0, 94.5891),
        (-10.0, 6.3109),
        (7.0, 19.8423),
    ]
    rom = [log_ratio_of_means(m1, s1, n1, m2, s2, n2) for n1, m1, s1, n2, m2, s2 in NORMAND1999]
    assert [(round(e.yi, 4), round(e.vi, 4)) for e in rom] == [
        (-0.3101, 0.0094),
        (-0.0707, 0.0028),
        (-0.6202, 0.0018),
        (-0.7312, 0.0119),
        (-0.2453, 0.0695),
        (0.0548, 0.0033),
        (0.2383, 0.0429),
        (-0.3889, 0.0094),
        (0.2652, 0.0280),
    ]
    assert {e.measure for e in rom} == {"logROM"} and rom[0].scale == "log_ratio"
    # and their published REML meta-analyses: MD -15.1060 (SE 8.9466), tau^2 684.6462;
    # ROM -0.2177 (SE 0.1179), tau^2 0.1082, exp: 0.80 (0.64, 1.01)
    res = meta_analysis([e.yi for e in md], [e.vi for e in md], test="z")
    assert (round(res.estimate, 4), round(res.se, 4)) == (-15.1060, 8.9466)
    # 684.64614 here: metafor's Fisher scoring stops once tau^2 changes by < 1e-5
    assert res.tau2 == pytest.approx(684.6462, abs=1e-4)
    res = meta_analysis([e.yi for e in rom], [e.vi for e in rom], test="z")
    assert (round(res.estimate, 4), round(res.se, 4), round(res.tau2, 4)) == (
        -0.2177,
        0.1179,
        0.1082,
    )
    assert [round(math.exp(x), 2) for x in (res.estimate, res.ci_low, res.ci_high)] == [
        0.80,
        0.64,
        1.01,
    ]


def test_log_ratio_of_means_formula_and_input():
    # metafor (escalc ROM) applies Lajeunesse's (2015, eq. 8) bias correction by default;
    # correct=False gives Hedges et al.'s (1999) plain ln(m1/m2)
    plain = log_ratio_of_means(12.0, 3.0, 10, 8.0, 2.0, 12, correct=False)
    assert plain.yi == pytest.approx(math.log(1.5))
    assert plain.vi == pytest.approx(9 / (10 * 144) + 4 / (12 * 64))
    assert plain.method == "log_ratio_of_means_uncorrected"
    corrected = log_ratio_of_means(12.0, 3.0, 10, 8.0, 2.0, 12)
    assert corrected.yi == pytest.approx(math.log(1.5) + (9 / 1440 - 4 / 768) / 2)
    assert corrected.vi == plain.vi
    with pytest.raises(ValueError, match="positive means"):
        log_ratio_of_means(0.0, 1.0, 10, 8.0, 2.0, 12)


# ---------------------------------------------------------------- conversions by test


def test_effect_from_p_uses_t_only_for_t_tests():
    assert P_VALUE_TESTS == (
        "independent_t",
        "paired_t",
        "chi2",
        "mann_whitney",
        "wilcoxon",
        "not_stated",
    )
    # published escalc checks through the dispatcher
    g = effect_from_p(0.018, "independent_t", n1=20, n2=20, direction=-1)
    assert round(g.yi, 4) == -0.7664 and g.measure == "SMD"
    gz = effect_from_p(0.018, "paired_t", n=50, direction=-1)
    assert round(gz.yi, 4) == -0.3408 and gz.measure == "SMCC"
    for test in ("chi2", "mann_whitney", "wilcoxon"):
        with pytest.raises(ConversionRefused) as info:
            effect_from_p(0.01, test, n1=20, n2=20, direction=1)
        assert isinstance(info.value, ValueError) and info.value.test == test
        assert "never" in info.value.reason or "no exact inverse" in info.value.reason
    with pytest.raises(ConversionRefused, match="counts are known"):
        effect_from_p(0.01, "chi2", n=30, direction=1)


def test_effect_from_p_not_stated_is_flagged_or_refused():
    e = effect_from_p(0.04, "not_stated", n1=15, n2=15, direction=1)
    assert e.yi == smd_from_p(0.04, 15, 15, direction=1).yi
    assert FLAG_T_TEST_ASSUMED in e.flags and e.imputed
    e = effect_from_p(0.05, "not_stated", n=20, direction=-1, operator="<")
    assert e.measure == "SMCC" and e.flags == (FLAG_P_INEQUALITY, FLAG_T_TEST_ASSUMED)
    with pytest.raises(ConversionRefused, match="not stated"):
        effect_from_p(0.04, "not_stated", n=20, direction=1, assume_t_when_not_stated=False)
    with pytest.raises(ValueError, match="test must be one of"):
        effect_from_p(0.04, "anova", n=20, direction=1)
    with pytest.raises(ValueError, match="n1 and n2"):
        effect_from_p(0.04, "independent_t", n1=20, direction=1)
    with pytest.raises(ValueError, match="needs n"):
        effect_from_p(0.04, "paired_t", direction=1)
    with pytest.raises(ValueError, match="not both"):
        effect_from_p(0.04, "not_stated", n=10, n1=5, n2=5, direction=1)


# ---------------------------------------------------------------- measure codes


def test_every_effect_carries_scale_and_comparison_and_serialises():
    for code, (scale, comparison, _) in MEASURES.items():
        assert comparison in ("between_groups", "within_group"), code
        assert scale
    e = smcc_from_p(0.03, 20, direction=1)
    data = json.loads(json.dumps(asdict(e)))
    assert data == {
        "yi": e.yi,
        "vi": e.vi,
        "measure": "SMCC",
        "method": "smcc_from_p",
        "flags": [],
        "scale": "sd_of_change_scores",
        "comparison": "within_group",
    }
    with pytest.raises(ValueError, match="unknown measure"):
        Effect(0.1, 0.01, "g", "x")
