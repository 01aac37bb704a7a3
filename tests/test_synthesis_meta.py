"""Meta-analysis: metafor's published dat.bcg results, statsmodels as a second opinion,
edge cases (k=1, k=2, tau^2 at zero) and pooling by design group."""

import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.meta_analysis import combine_effects

from reviewkit.synthesis import (
    GroupPooling,
    MetaResult,
    leave_one_out,
    log_odds_ratio,
    log_risk_ratio,
    meta_analysis,
    pool_by_group,
    risk_difference,
    tau2_dl,
    tau2_reml,
)

# dat.bcg (Colditz et al. 1994): tpos, tneg, cpos, cneg
BCG = [
    (4, 119, 11, 128),
    (6, 300, 29, 274),
    (3, 228, 11, 209),
    (62, 13536, 248, 12619),
    (33, 5036, 47, 5761),
    (180, 1361, 372, 1079),
    (8, 2537, 10, 619),
    (505, 87886, 499, 87892),
    (29, 7470, 45, 7232),
    (17, 1699, 65, 1600),
    (186, 50448, 141, 27197),
    (5, 2493, 3, 2338),
    (27, 16886, 29, 17825),
]


def _bcg(measure=log_risk_ratio):
    effects = [measure(tp, tp + tn, cp, cp + cn) for tp, tn, cp, cn in BCG]
    return [e.yi for e in effects], [e.vi for e in effects]


@pytest.fixture(scope="module")
def bcg():
    return _bcg()


def r4(x):
    return round(x, 4)


# ---------------------------------------------------------------- published metafor results


def test_reml_matches_metafor(bcg):
    res = meta_analysis(*bcg)  # REML is the default
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
    res = meta_analysis(*bcg, method="DL")
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
    dl = meta_analysis(y, v, method="DL")
    assert (r4(dl.estimate), r4(dl.tau2), r4(dl.i2)) == (-0.7474, 0.3663, 92.6455)
    y, v = _bcg(risk_difference)
    dl = meta_analysis(y, v, method="DL")
    assert (r4(dl.estimate), r4(dl.ci_low), r4(dl.ci_high)) == (-0.0071, -0.0101, -0.0040)
    assert (r4(dl.stat), r4(dl.i2)) == (-4.5128, 95.6596)
    assert r4(meta_analysis(y, v, method="FE").q) == 276.4737


# ---------------------------------------------------------------- second opinion: statsmodels


def test_dl_and_fixed_agree_with_statsmodels(bcg):
    y, v = np.array(bcg[0]), np.array(bcg[1])
    sm = combine_effects(y, v, method_re="dl")
    frame = sm.summary_frame()
    dl = meta_analysis(y, v, method="DL")
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


def test_prediction_interval_follows_metafor(bcg):
    res = meta_analysis(*bcg)
    half = stats.norm.ppf(0.975) * math.sqrt(res.tau2 + res.se**2)
    assert res.pi_low == pytest.approx(res.estimate - half)
    assert res.pi_high == pytest.approx(res.estimate + half)
    kh = meta_analysis(*bcg, knapp_hartung=True)
    half = stats.t.ppf(0.975, 12) * math.sqrt(kh.tau2 + kh.se**2)
    assert kh.pi_low == pytest.approx(kh.estimate - half)
    assert kh.pi_high == pytest.approx(kh.estimate + half)


def test_level_parameter(bcg):
    r90 = meta_analysis(*bcg, level=0.90)
    r95 = meta_analysis(*bcg)
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
    for method in ("REML", "DL"):
        res = meta_analysis(y, v, method=method)
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
        meta_analysis([0.1, 0.2], [0.01, 0.02], method="PM")


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
