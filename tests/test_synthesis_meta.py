"""Meta-analysis: metafor's published dat.bcg results, statsmodels as a second opinion,
edge cases (k=1, k=2, tau^2 at zero) and pooling by design group.

Published sources: metafor reference manual, ``rma.uni`` and ``confint.rma`` examples
(https://wviechtb.github.io/metafor/reference/rma.uni.html, .../confint.rma.html,
.../predict.rma.html; metafor 5.x, same numbers as Viechtbauer, J Stat Softw 2010;36(3));
metafor tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r (vs Stata metan);
DerSimonian & Kacker, Contemp Clin Trials 2007;28:105, Tables 3-4 (CLASP);
pimeta reference manual, ``pima(method="HTS")`` on ``sbp`` (Nagashima et al.).
"""

import json
import math
from dataclasses import asdict

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.meta_analysis import combine_effects

from reviewkit.synthesis import (
    PI_VERY_IMPRECISE_BELOW,
    GroupPooling,
    MetaResult,
    leave_one_out,
    log_odds_ratio,
    log_risk_ratio,
    meta_analysis,
    meta_analysis_of_effects,
    pool_by_group,
    risk_difference,
    smcc_from_p,
    smd_from_p,
    tau2_dl,
    tau2_pm,
    tau2_reml,
)
from tests.published_data import BCG, CLASP, EGGER2001, SBP_SE, SBP_Y


def _bcg(measure=log_risk_ratio):
    effects = [measure(tp, tp + tn, cp, cp + cn) for tp, tn, cp, cn, *_ in BCG]
    return [e.yi for e in effects], [e.vi for e in effects]


@pytest.fixture(scope="module")
def bcg():
    return _bcg()


def r4(x):
    return round(x, 4)


# ---------------------------------------------------------------- published metafor results


def test_reml_matches_metafor(bcg):
    res = meta_analysis(*bcg, test="z")  # REML is the default; metafor's default test is z
    assert res.method == "REML" and res.test == "z" and res.k == 13
    assert r4(res.estimate) == -0.7145
    assert r4(res.se) == 0.1798
    assert r4(res.ci_low) == -1.0669
    assert r4(res.ci_high) == -0.3622
    assert r4(res.stat) == -3.9744
    assert r4(res.tau2) == 0.3132
    assert round(res.i2, 2) == 92.22
    assert round(res.h2, 2) == 12.86
    assert r4(res.q) == 152.2330
    assert res.q_df == 12
    assert res.df is None
    assert res.p == pytest.approx(2 * stats.norm.sf(abs(res.stat)))


def test_dl_matches_metafor(bcg):
    res = meta_analysis(*bcg, method="DL", test="z")
    assert r4(res.estimate) == -0.7141
    assert r4(res.ci_low) == -1.0644
    assert r4(res.ci_high) == -0.3638
    assert r4(res.tau2) == 0.3088
    assert round(res.i2, 2) == 92.12
    assert r4(res.stat) == -3.9952  # metafor test file vs Stata metan


def test_common_effect_matches_metafor(bcg):
    res = meta_analysis(*bcg, method="FE")
    assert r4(res.estimate) == -0.4303
    assert r4(res.ci_low) == -0.5097
    assert r4(res.ci_high) == -0.3509
    assert r4(res.stat) == -10.6247
    assert res.tau2 == 0.0
    assert res.pi_low is None and res.pi_high is None
    # metafor's FE I^2 from Q: 100 (Q - df)/Q
    assert res.i2 == pytest.approx(100 * (res.q - 12) / res.q)


def test_reml_knapp_hartung_matches_metafor(bcg):
    res = meta_analysis(*bcg, knapp_hartung=True)
    assert res.test == "knha" and res.df == 12
    assert r4(res.se) == 0.1808
    assert r4(res.ci_low) == -1.1084
    assert r4(res.ci_high) == -0.3206
    assert res.p == pytest.approx(2 * stats.t.sf(abs(res.stat), 12))


def test_log_odds_ratio_and_risk_difference_match_metafor():
    # metafor tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r (vs Stata metan)
    y, v = _bcg(log_odds_ratio)
    fe = meta_analysis(y, v, method="FE")
    assert (r4(fe.estimate), r4(fe.ci_low), r4(fe.ci_high)) == (-0.4361, -0.5190, -0.3533)
    assert r4(fe.q) == 163.1649
    dl = meta_analysis(y, v, method="DL", test="z")
    assert (r4(dl.estimate), r4(dl.tau2), r4(dl.i2)) == (-0.7474, 0.3663, 92.6455)
    y, v = _bcg(risk_difference)
    dl = meta_analysis(y, v, method="DL", test="z")
    assert (r4(dl.estimate), r4(dl.ci_low), r4(dl.ci_high)) == (-0.0071, -0.0101, -0.0040)
    assert (r4(dl.stat), r4(dl.i2)) == (-4.5128, 95.6596)
    assert r4(meta_analysis(y, v, method="FE").q) == 276.4737


# ---------------------------------------------------------------- second opinion: statsmodels


def test_dl_and_fixed_agree_with_statsmodels(bcg):
    y, v = np.array(bcg[0]), np.array(bcg[1])
    sm = combine_effects(y, v, method_re="dl")
    frame = sm.summary_frame()
    dl = meta_analysis(y, v, method="DL", test="z")
    fe = meta_analysis(y, v, method="FE")
    assert dl.tau2 == pytest.approx(sm.tau2, rel=1e-10)
    assert dl.estimate == pytest.approx(frame.loc["random effect", "eff"], rel=1e-10)
    assert dl.se == pytest.approx(frame.loc["random effect", "sd_eff"], rel=1e-10)
    assert dl.ci_low == pytest.approx(frame.loc["random effect", "ci_low"], rel=1e-10)
    assert fe.estimate == pytest.approx(frame.loc["fixed effect", "eff"], rel=1e-10)
    assert fe.se == pytest.approx(frame.loc["fixed effect", "sd_eff"], rel=1e-10)
    assert dl.q == pytest.approx(sm.q, rel=1e-10)
    # with DL, the tau^2-based and the Q-based I^2 coincide
    assert dl.i2 == pytest.approx(100 * sm.i2, rel=1e-10)
    assert dl.h2 == pytest.approx(sm.h2, rel=1e-10)


@pytest.mark.filterwarnings("ignore::statsmodels.stats.meta_analysis.InvalidTestWarning")
def test_knapp_hartung_agrees_with_statsmodels_hksj(bcg):
    y, v = np.array(bcg[0]), np.array(bcg[1])
    frame = combine_effects(y, v, method_re="dl", use_t=True).summary_frame()
    kh = meta_analysis(y, v, method="DL", knapp_hartung=True)
    assert kh.se == pytest.approx(frame.loc["random effect wls", "sd_eff"], rel=1e-10)
    assert kh.ci_low == pytest.approx(frame.loc["random effect wls", "ci_low"], rel=1e-10)
    assert kh.ci_high == pytest.approx(frame.loc["random effect wls", "ci_upp"], rel=1e-10)


# ---------------------------------------------------------------- internal consistency


def test_reml_solves_the_reml_estimating_equation(bcg):
    y, v = np.array(bcg[0]), np.array(bcg[1])
    t2 = tau2_reml(y, v)
    w = 1 / (v + t2)
    mu = np.sum(w * y) / np.sum(w)
    # REML fixed point: tau2 = sum w^2((y-mu)^2 - v)/sum w^2 + 1/sum w
    rhs = np.sum(w**2 * ((y - mu) ** 2 - v)) / np.sum(w**2) + 1 / np.sum(w)
    assert t2 == pytest.approx(rhs, rel=1e-6)
    assert tau2_dl(y, v) == pytest.approx(meta_analysis(y, v, method="DL").tau2)


def test_metafor_prediction_interval_is_available(bcg):
    # metafor predict.rma example (digits=2): pi.lb -1.87, pi.ub 0.44
    res = meta_analysis(*bcg, test="z", prediction="metafor")
    assert (round(res.pi_low, 2), round(res.pi_high, 2)) == (-1.87, 0.44)
    assert res.pi_method == "metafor" and res.pi_df is None
    half = stats.norm.ppf(0.975) * math.sqrt(res.tau2 + res.se**2)
    assert res.pi_low == pytest.approx(res.estimate - half)
    assert res.pi_high == pytest.approx(res.estimate + half)
    kh = meta_analysis(*bcg, knapp_hartung=True, prediction="metafor")
    half = stats.t.ppf(0.975, 12) * math.sqrt(kh.tau2 + kh.se**2)
    assert kh.pi_low == pytest.approx(kh.estimate - half)
    assert kh.pi_high == pytest.approx(kh.estimate + half)


def test_level_parameter(bcg):
    r90 = meta_analysis(*bcg, level=0.90, test="z")
    r95 = meta_analysis(*bcg, test="z")
    assert r90.ci_high - r90.ci_low < r95.ci_high - r95.ci_low
    assert r90.ci_high == pytest.approx(r90.estimate + stats.norm.ppf(0.95) * r90.se)
    assert r90.estimate == r95.estimate
    with pytest.raises(ValueError, match="level"):
        meta_analysis(*bcg, level=95)


def test_weights_are_percent(bcg):
    res = meta_analysis(*bcg)
    assert sum(res.weights) == pytest.approx(100.0)
    assert len(res.weights) == 13


# ---------------------------------------------------------------- edge cases


def test_single_study():
    res = meta_analysis([0.4], [0.04])
    assert res.k == 1
    assert res.estimate == 0.4
    assert res.se == pytest.approx(0.2)
    assert (res.tau2, res.q, res.q_df, res.q_p, res.i2, res.h2) == (0.0, 0.0, 0, 1.0, 0.0, 1.0)
    assert "single_study" in res.notes
    kh = meta_analysis([0.4], [0.04], knapp_hartung=True)
    assert kh.test == "z" and "knapp_hartung_needs_k_2_used_z" in kh.notes


def test_two_studies_knapp_hartung_uses_t1():
    res = meta_analysis([0.2, 0.6], [0.04, 0.05], knapp_hartung=True)
    assert res.k == 2 and res.df == 1
    assert res.ci_high - res.estimate == pytest.approx(stats.t.ppf(0.975, 1) * res.se)


def test_homogeneous_studies_tau2_at_zero_boundary():
    y, v = [0.3, 0.3, 0.3, 0.3], [0.02, 0.05, 0.04, 0.1]
    for method in ("REML", "DL", "PM"):
        res = meta_analysis(y, v, method=method, test="z")
        fe = meta_analysis(y, v, method="FE")
        assert res.tau2 == 0.0
        assert "tau2_at_zero_boundary" in res.notes
        assert res.estimate == pytest.approx(fe.estimate)
        assert res.se == pytest.approx(fe.se)
        assert (res.i2, res.h2) == (0.0, 1.0)


def test_little_heterogeneity_reml_boundary():
    # Q < k - 1, so DL is 0; the REML likelihood is maximal at 0 too
    y, v = [0.10, 0.12, 0.09], [0.05, 0.05, 0.05]
    assert tau2_dl(y, v) == 0.0
    assert tau2_reml(y, v) == 0.0
    assert tau2_pm(y, v) == 0.0


def test_invalid_inputs():
    with pytest.raises(ValueError, match="different lengths"):
        meta_analysis([0.1, 0.2], [0.01])
    with pytest.raises(ValueError, match="vi must be finite and > 0"):
        meta_analysis([0.1, 0.2], [0.01, 0.0])
    with pytest.raises(ValueError, match="yi contains missing"):
        meta_analysis([0.1, float("nan")], [0.01, 0.02])
    with pytest.raises(ValueError, match="k = 0"):
        meta_analysis([], [])
    with pytest.raises(ValueError, match="method"):
        meta_analysis([0.1, 0.2], [0.01, 0.02], method="ML")
    with pytest.raises(ValueError, match="test"):
        meta_analysis([0.1, 0.2], [0.01, 0.02], test="hksj")
    with pytest.raises(ValueError, match="contradicts"):
        meta_analysis([0.1, 0.2], [0.01, 0.02], knapp_hartung=False, test="knha")
    with pytest.raises(ValueError, match="prediction"):
        meta_analysis([0.1, 0.2], [0.01, 0.02], prediction="riley")
    with pytest.raises(ValueError, match="tau2"):
        meta_analysis([0.1, 0.2], [0.01, 0.02], tau2=-0.1)
    with pytest.raises(ValueError, match="common-effect"):
        meta_analysis([0.1, 0.2], [0.01, 0.02], method="FE", tau2=0.1)


# ---------------------------------------------------------------- leave-one-out


def test_leave_one_out(bcg):
    y, v = bcg
    loo = leave_one_out(y, v, labels=[f"s{i}" for i in range(13)])
    assert len(loo) == 13
    third = loo[2]
    assert third.omitted == 2 and third.label == "s2"
    direct = meta_analysis(y[:2] + y[3:], v[:2] + v[3:])
    assert isinstance(third.result, MetaResult) and third.result.k == 12
    assert third.result.estimate == pytest.approx(direct.estimate)
    assert third.result.tau2 == pytest.approx(direct.tau2)
    with pytest.raises(ValueError, match="at least 2"):
        leave_one_out([0.1], [0.01])
    with pytest.raises(ValueError, match="different lengths"):
        leave_one_out(y, v, labels=["a"])


# ---------------------------------------------------------------- pooling by design group


def test_pool_by_group_never_across_groups():
    yi = [0.5, 0.7, 0.2, None, 1.1, 0.9]
    vi = [0.04, 0.05, 0.06, None, 0.03, 0.02]
    groups = ["controlled", "controlled", "controlled", "uncontrolled", "uncontrolled", "single"]
    labels = ["A", "B", "C", "D", "E", "F"]
    out = pool_by_group(yi, vi, groups, min_studies=2, labels=labels, method="DL")
    assert list(out) == ["controlled", "uncontrolled", "single"]
    ctrl = out["controlled"]
    assert isinstance(ctrl, GroupPooling) and ctrl.pooled and ctrl.reason is None
    assert ctrl.result.k == 3
    assert ctrl.result.estimate == pytest.approx(
        meta_analysis(yi[:3], vi[:3], method="DL").estimate
    )
    unc = out["uncontrolled"]
    assert not unc.pooled and unc.result is None
    assert (unc.k_studies, unc.k_with_effect) == (2, 1)
    assert unc.labels == ("D", "E") and unc.labels_with_effect == ("E",)
    assert unc.reason.startswith("described, not pooled")
    assert "at least 2" in unc.reason
    assert not out["single"].pooled


def test_pool_by_group_min_studies_and_nan():
    yi = [0.5, float("nan"), 0.3]
    vi = [0.04, 0.05, 0.06]
    out = pool_by_group(yi, vi, ["g", "g", "g"], min_studies=3)
    assert not out["g"].pooled and out["g"].k_with_effect == 2
    assert pool_by_group(yi, vi, ["g", "g", "g"], min_studies=2)["g"].pooled
    with pytest.raises(ValueError, match="different lengths"):
        pool_by_group(yi, vi, ["g", "g"])
    with pytest.raises(ValueError, match="min_studies"):
        pool_by_group(yi, vi, ["g"] * 3, min_studies=0)


# ---------------------------------------------------------------- defaults: honest numbers


def test_default_is_adhoc_knapp_hartung_with_t_k_minus_2_prediction(bcg):
    res = meta_analysis(*bcg)
    assert (res.method, res.test, res.df, res.pi_method, res.pi_df) == (
        "REML",
        "adhoc",
        12,
        "hts",
        11,
    )
    # q = 1.0113 >= 1 on dat.bcg, so the ad hoc variant equals metafor's test="knha"
    # (published: SE 0.1808, CI -1.1084 to -0.3206)
    assert res.kh_q > 1
    assert (r4(res.se), r4(res.ci_low), r4(res.ci_high)) == (0.1808, -1.1084, -0.3206)
    # the common-effect model keeps the z test
    assert meta_analysis(*bcg, method="FE").test == "z"


def test_hts_prediction_interval_matches_pimeta():
    # pimeta reference manual, pima(sbp$y, sbp$sigmak, method = "HTS"): DerSimonian-Laird,
    # -0.3341 [95% PI -0.7598, 0.0917], d.f. 8, tau^2 0.0282 (Higgins et al. 2009)
    res = meta_analysis(SBP_Y, [s * s for s in SBP_SE], method="DL", test="z")
    assert (r4(res.estimate), r4(res.pi_low), r4(res.pi_high)) == (-0.3341, -0.7598, 0.0917)
    assert res.pi_df == 8 and r4(res.tau2) == 0.0282
    assert res.pi_very_imprecise is False


def test_hts_prediction_interval_formula_and_limits(bcg):
    res = meta_analysis(*bcg, test="z")
    half = stats.t.ppf(0.975, 11) * math.sqrt(res.tau2 + res.se**2)
    assert (res.pi_low, res.pi_high) == pytest.approx((res.estimate - half, res.estimate + half))
    # wider than metafor's normal-quantile interval (-1.87, 0.44)
    assert res.pi_low < -1.87 and res.pi_high > 0.44
    # fewer than 3 studies: no t(k-2) interval, and it says why
    two = meta_analysis([0.2, 0.6], [0.04, 0.05])
    assert two.pi_low is None and two.pi_high is None and two.pi_method is None
    assert "prediction_interval_needs_k_3" in two.notes
    assert meta_analysis([0.2], [0.04]).pi_low is None
    # 3 and 4 studies: computed but flagged very imprecise (t(1) = 12.71, t(2) = 4.30)
    y, v = [0.1, 0.5, 0.9, 0.3], [0.04, 0.05, 0.03, 0.06]
    assert PI_VERY_IMPRECISE_BELOW == 5
    assert meta_analysis(y[:3], v[:3]).pi_very_imprecise is True
    assert meta_analysis(y, v).pi_very_imprecise is True
    assert meta_analysis([*y, 0.4], [*v, 0.05]).pi_very_imprecise is False


def test_adhoc_knapp_hartung_never_narrower_than_wald():
    # dat.egger2001 without ISIS-4, log odds ratios, REML: published (metafor regtest.Rd
    # example) estimate -0.8745, SE 0.2080, tau^2 0.1911, Q(14) 20.9184. Here q < 1, so plain
    # Knapp-Hartung shrinks the SE below the Wald SE, while the ad hoc variant keeps 0.2080
    # and only swaps z for t(14) (Knapp & Hartung 2003; Roever et al. 2015).
    effects = [log_odds_ratio(*row) for row in EGGER2001[:15]]
    y, v = [e.yi for e in effects], [e.vi for e in effects]
    wald = meta_analysis(y, v, test="z")
    assert (r4(wald.estimate), r4(wald.se), r4(wald.tau2), r4(wald.q)) == (
        -0.8745,
        0.2080,
        0.1911,
        20.9184,
    )
    knha = meta_analysis(y, v, test="knha")
    adhoc = meta_analysis(y, v, test="adhoc")
    assert knha.kh_q < 1 and knha.se < wald.se
    assert r4(adhoc.se) == 0.2080
    assert "adhoc_q_below_1_set_to_1" in adhoc.notes
    half = stats.t.ppf(0.975, 14) * 0.2080
    assert (adhoc.ci_low, adhoc.ci_high) == pytest.approx(
        (-0.8745 - half, -0.8745 + half), abs=1e-4
    )
    assert adhoc.ci_high - adhoc.ci_low > wald.ci_high - wald.ci_low


# ---------------------------------------------------------------- Q-profile intervals


def test_qprofile_intervals_match_metafor_confint(bcg):
    # metafor confint.rma example (REML): tau^2 0.3132 (0.1197, 1.1115), tau 0.5597 (0.3460,
    # 1.0543), I^2 92.2214 (81.9177, 97.6781), H^2 12.8558 (5.5303, 43.0680); the DL fit
    # gives the same bounds (metafor tests/testthat/test_misc_confint.r)
    for method in ("REML", "DL"):
        res = meta_analysis(*bcg, method=method, test="z")
        assert (r4(res.tau2_ci_low), r4(res.tau2_ci_high)) == (0.1197, 1.1115)
        assert (r4(res.tau_ci_low), r4(res.tau_ci_high)) == (0.3460, 1.0543)
        assert (round(res.i2_ci_low, 2), round(res.i2_ci_high, 2)) == (81.92, 97.68)
        assert (round(res.h2_ci_low, 2), round(res.h2_ci_high, 2)) == (5.53, 43.07)
    res = meta_analysis(*bcg, test="z")
    # metafor finds the bounds with uniroot(tol = .Machine$double.eps^0.25 = 1.2e-4), so its
    # 4th decimals of I^2/H^2 (which magnify tau^2 errors about 124-fold at the lower bound)
    # are only that accurate: the tau^2 behind its printed I^2 bounds lies within that tolerance
    # of the exact roots (qprofile="metafor" reproduces them: the tests below)
    s2 = res.tau2 * (100 - res.i2) / res.i2
    for published_i2, ours in ((81.9177, res.tau2_ci_low), (97.6781, res.tau2_ci_high)):
        assert abs(s2 * published_i2 / (100 - published_i2) - ours) < 1.22e-4
    for published_h2, ours in ((5.5303, res.tau2_ci_low), (43.0680, res.tau2_ci_high)):
        assert abs(s2 * (published_h2 - 1) - ours) < 1.22e-4


def test_qprofile_bounds_solve_the_generalised_q_equation(bcg):
    y, v = np.array(bcg[0]), np.array(bcg[1])
    res = meta_analysis(y, v)

    def gen_q(t2):
        w = 1 / (v + t2)
        return np.sum(w * (y - np.sum(w * y) / np.sum(w)) ** 2)

    assert gen_q(res.tau2_ci_low) == pytest.approx(stats.chi2.ppf(0.975, 12), rel=1e-10)
    assert gen_q(res.tau2_ci_high) == pytest.approx(stats.chi2.ppf(0.025, 12), rel=1e-10)


@pytest.mark.parametrize("method", ["REML", "DL"])
def test_qprofile_metafor_reproduces_every_published_confint_number(bcg, method):
    """metafor confint.rma example (REML; DL gives the same bounds): tau^2 (0.1197, 1.1115),
    tau (0.3460, 1.0543), I^2 (81.9177, 97.6781), H^2 (5.5303, 43.0680), all to 4 decimals
    when the bounds are where metafor's uniroot stops."""
    res = meta_analysis(*bcg, method=method, test="z", qprofile="metafor")
    assert (r4(res.tau2_ci_low), r4(res.tau2_ci_high)) == (0.1197, 1.1115)
    assert (r4(res.tau_ci_low), r4(res.tau_ci_high)) == (0.3460, 1.0543)
    assert (r4(res.i2_ci_low), r4(res.i2_ci_high)) == (81.9177, 97.6781)
    assert (r4(res.h2_ci_low), r4(res.h2_ci_high)) == (5.5303, 43.0680)
    assert res.notes == ()
    # the exact roots differ in the 4th decimal of I^2 and H^2 (docs/synthesis-engine.md)
    exact = meta_analysis(*bcg, method=method, test="z")
    assert (r4(exact.i2_ci_low), r4(exact.h2_ci_low), r4(exact.h2_ci_high)) == (
        81.9206,
        5.5311,
        43.0677,
    )
    assert 0 < abs(res.tau2_ci_low - exact.tau2_ci_low) < 1.22e-4
    assert 0 < abs(res.tau2_ci_high - exact.tau2_ci_high) < 1.22e-4
    # the point estimates do not depend on the choice
    assert (res.estimate, res.tau2, res.i2) == (exact.estimate, exact.tau2, exact.i2)


def test_qprofile_metafor_takes_metafors_steps(bcg):
    """metafor 3.8-1 on R 4.2.2, confint(rma(yi, vi, data = escalc("RR", ai = tpos, bi = tneg,
    ci = cpos, di = cneg, data = dat.bcg)), verbose = TRUE) prints every tau^2 its uniroot
    tries in [0, 100] after the two ends: 15 for the lower bound, 13 for the upper."""
    from reviewkit.synthesis import _zeroin

    y, v = np.array(bcg[0]), np.array(bcg[1])

    def gen_q(t2):
        w = 1 / (v + t2)
        return np.sum(w * (y - np.sum(w * y) / np.sum(w)) ** 2)

    trace = {
        "lower": [84.7025, 42.3512, 21.1756, 10.5878, 5.2939, 2.6470, 1.3235, 0.6617, 0.3309,
                  0.1654, 0.0827, 0.1301, 0.1191, 0.1198, 0.1197],
        "upper": [97.1440, 48.5720, 24.2860, 12.1430, 6.0715, 3.0357, 1.5179, 0.7589, 1.2251,
                  1.1014, 1.1124, 1.1115, 1.1114],
    }  # fmt: skip

    def search(target):
        tried = []

        def f(t2):
            tried.append(t2)
            return gen_q(t2) - target

        return _zeroin.zeroin(f, 0.0, 100.0), tried

    res = meta_analysis(y, v, test="z", qprofile="metafor")
    for side, quantile, bound in (
        ("lower", 0.975, res.tau2_ci_low),
        ("upper", 0.025, res.tau2_ci_high),
    ):
        found, tried = search(stats.chi2.ppf(quantile, 12))
        assert [r4(t) for t in tried[2:]] == trace[side]
        assert found.iterations == len(trace[side])
        assert found.root == pytest.approx(bound, rel=1e-12)


def test_qprofile_metafor_differs_visibly_with_precise_studies():
    """Ten studies with SE 0.02 (v = 0.0004): metafor 3.8-1 (R 4.2.2) confint(rma(y, v))
    prints tau^2 (0, 0.0009), tau (0, 0.0305), I^2 (0, 69.9158), H^2 (1, 3.3240). uniroot's
    1.2e-4 tolerance is 1 % of this tau^2 bound, so the exact I^2 bound is 69.69, not
    69.92: why exact is the default (docs/synthesis.md)."""
    y = [0.0104, 0.0246, 0.0099, -0.0391, 0.0272, 0.0134, -0.0161, 0.0174, 0.0109, 0.0088]
    res = meta_analysis(y, [0.0004] * 10, test="z", qprofile="metafor")
    assert (res.tau2_ci_low, r4(res.tau2_ci_high), r4(res.tau_ci_high)) == (0.0, 0.0009, 0.0305)
    assert (r4(res.i2_ci_high), r4(res.h2_ci_high)) == (69.9158, 3.3240)
    exact = meta_analysis(y, [0.0004] * 10, test="z")
    assert round(exact.i2_ci_high, 2) == 69.69


def test_qprofile_metafor_edge_cases_as_metafor():
    """metafor 3.8-1 confint() (R 4.2.2): y = (0.10, 0.12, 0.09), v = 0.05 each: tau^2 0,
    CI (0, 0), a null set; y = (-3, 0, 3), v = 1 each: tau^2 8, CI (1.4398, >100.0000),
    I^2 (59.0123, >99.0099): the upper bound lies beyond metafor's search interval [0, 100],
    so only an inequality is printed; the exact bound is given, with a note."""
    homogeneous = meta_analysis([0.10, 0.12, 0.09], [0.05] * 3, qprofile="metafor")
    assert (homogeneous.tau2_ci_low, homogeneous.tau2_ci_high) == (0.0, 0.0)
    assert "tau2_ci_upper_bound_at_zero" in homogeneous.notes
    wide = meta_analysis([-3.0, 0.0, 3.0], [1.0] * 3, test="z", qprofile="metafor")
    exact = meta_analysis([-3.0, 0.0, 3.0], [1.0] * 3, test="z")
    assert (r4(wide.tau2_ci_low), r4(wide.i2_ci_low)) == (1.4398, 59.0123)
    assert wide.tau2_ci_high == exact.tau2_ci_high > 100
    assert wide.notes == ("tau2_ci_upper_bound_beyond_metafor_search",)
    # with tau^2 fixed small and the studies far apart, both bounds lie beyond [0, 100]
    far = ([-50.0, 0.0, 50.0], [0.01] * 3)
    both = meta_analysis(*far, tau2=1.0, test="z", qprofile="metafor")
    exact = meta_analysis(*far, tau2=1.0, test="z")
    assert (both.tau2_ci_low, both.tau2_ci_high) == (exact.tau2_ci_low, exact.tau2_ci_high)
    assert both.tau2_ci_low > 100
    assert both.notes == (
        "tau2_fixed",
        "tau2_ci_upper_bound_beyond_metafor_search",
        "tau2_ci_lower_bound_beyond_metafor_search",
    )
    with pytest.raises(ValueError, match="qprofile"):
        meta_analysis([-3.0, 0.0, 3.0], [1.0] * 3, qprofile="uniroot")


def test_qprofile_lower_bound_zero_and_fe_without_interval():
    y, v = [0.10, 0.12, 0.09], [0.05, 0.05, 0.05]
    res = meta_analysis(y, v)
    assert res.tau2 == 0.0 and res.tau2_ci_low == 0.0
    # Q(0) is below even the lower chi-square quantile: the whole interval is at 0
    assert res.tau2_ci_high == 0.0 and "tau2_ci_upper_bound_at_zero" in res.notes
    assert meta_analysis(y, v, method="FE").tau2_ci_low is None
    assert meta_analysis(y, v, heterogeneity_ci=False).tau2_ci_low is None


# ---------------------------------------------------------------- Paule-Mandel and others


def test_paule_mandel_and_others_match_dersimonian_kacker_2007():
    # DerSimonian & Kacker 2007, Tables 3-4 (CLASP, log odds ratios), reproduced in metafor
    # tests/testthat/test_analysis_example_dersimonian2007.r: tau, mu, se
    effects = [log_odds_ratio(*row) for row in CLASP]
    y, v = [e.yi for e in effects], [e.vi for e in effects]
    published = {
        "PM": (0.3681, -0.3811, 0.2060),
        "DL": (0.2323, -0.3240, 0.1540),
        "REML": (0.1843, -0.2980, 0.1343),
    }
    for method, expected in published.items():
        res = meta_analysis(y, v, method=method, test="z")
        assert (r4(res.tau), r4(res.estimate), r4(res.se)) == expected
    assert tau2_pm(y, v) == pytest.approx(meta_analysis(y, v, method="PM").tau2)


def test_paule_mandel_solves_its_equation_and_agrees_with_statsmodels(bcg):
    y, v = np.array(bcg[0]), np.array(bcg[1])
    t2 = tau2_pm(y, v)
    w = 1 / (v + t2)
    mu = np.sum(w * y) / np.sum(w)
    assert np.sum(w * (y - mu) ** 2) == pytest.approx(12, rel=1e-10)
    sm = combine_effects(y, v, method_re="pm")
    assert t2 == pytest.approx(sm.tau2, rel=1e-6)


def test_fixed_tau2(bcg):
    res = meta_analysis(*bcg, tau2=0.5, test="z")
    assert res.tau2 == 0.5 and "tau2_fixed" in res.notes
    w = 1 / (np.array(bcg[1]) + 0.5)
    assert res.estimate == pytest.approx(np.sum(w * np.array(bcg[0])) / np.sum(w))


# ---------------------------------------------------------------- measures and serialisation


def test_pooling_effects_refuses_mixed_measures():
    g = [smd_from_p(0.01, 20, 20, direction=1), smd_from_p(0.04, 15, 16, direction=1)]
    gz = [smcc_from_p(0.02, 30, direction=1), smcc_from_p(0.03, 25, direction=1)]
    res = meta_analysis_of_effects([*g, smd_from_p(0.2, 30, 30, direction=1)])
    assert res.effect_measure == "SMD"
    with pytest.raises(ValueError, match="different measures"):
        meta_analysis_of_effects(g + gz)
    with pytest.raises(ValueError, match="k = 0"):
        meta_analysis_of_effects([])


def test_results_are_json_serialisable(bcg):
    res = meta_analysis(*bcg)
    data = json.loads(json.dumps(asdict(res)))
    assert data["tau2_ci_low"] == res.tau2_ci_low and data["test"] == "adhoc"
    loo = leave_one_out(*bcg)
    json.dumps([asdict(x) for x in loo])
    json.dumps({k: asdict(g) for k, g in pool_by_group(bcg[0], bcg[1], ["a"] * 13).items()})
