"""Subgroup analysis and meta-regression against metafor's published dat.bcg results.

Sources: metafor reference manual, ``rma.uni`` examples (subgroups by allocation, mods =
~ ablat + year, ~ factor(alloc)), ``confint.rma`` (mods = ~ ablat), the package index page
(mods = ~ ablat, test = "knha") and ``regplot`` (mods = ~ ablat);
https://wviechtb.github.io/metafor/reference/ (metafor 5.x; the same model as Viechtbauer,
J Stat Softw 2010;36(3), section 3.3).
"""

import json
from dataclasses import asdict

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.meta_analysis import combine_effects

from reviewkit.synthesis import (
    MIN_STUDIES_MODERATORS,
    log_risk_ratio,
    meta_analysis,
    meta_regression,
    subgroup_analysis,
)
from tests.published_data import BCG


def r4(x):
    return round(x, 4)


@pytest.fixture(scope="module")
def bcg():
    effects = [log_risk_ratio(tp, tp + tn, cp, cp + cn) for tp, tn, cp, cn, *_ in BCG]
    return {
        "y": np.array([e.yi for e in effects]),
        "v": np.array([e.vi for e in effects]),
        "ablat": [row[4] for row in BCG],
        "year": [row[5] for row in BCG],
        "alloc": [row[6] for row in BCG],
    }


def metafor_reml_tau2(y, v, x):
    """metafor's REML algorithm (rma.uni source): Fisher scoring from the Hedges (HE)
    estimate, stopping when tau^2 changes by less than 1e-5."""
    k, p = x.shape
    resid = np.eye(k) - x @ np.linalg.inv(x.T @ x) @ x.T
    tau2 = max(0.0, (y @ resid @ y - np.trace(resid @ np.diag(v))) / (k - p))
    change = 1.0
    while change > 1e-5:
        w = np.diag(1 / (v + tau2))
        pm = w - w @ x @ np.linalg.inv(x.T @ w @ x) @ x.T @ w
        adj = (y @ pm @ pm @ y - np.trace(pm)) / np.trace(pm @ pm)
        while tau2 + adj < 0:
            adj /= 2
        change = abs(adj)
        tau2 += adj
    return tau2


def coef_table(res):
    return {
        c.name: (r4(c.estimate), r4(c.se), r4(c.stat), r4(c.ci_low), r4(c.ci_high))
        for c in res.coefficients
    }


# ---------------------------------------------------------------- meta-regression


def test_meta_regression_on_latitude_matches_metafor(bcg):
    # published (regplot / confint examples): intercept 0.2515 (SE 0.2491, z 1.0095, CI
    # -0.2368 to 0.7397), ablat -0.0291 (0.0072, -4.0444, -0.0432 to -0.0150), tau^2 0.0764,
    # I^2 68.39 %, H^2 3.16, R^2 75.62 %, QE(11) 30.7331, QM(1) 16.3571.
    # metafor's Fisher scoring stops at tau^2 = 0.0763547 (change < 1e-5); the REML maximum is
    # 0.0763480 (checked below), so with our own tau^2 the 4th decimals of tau^2, z, QM and
    # R^2 round differently; at metafor's tau^2 every published number is reproduced.
    x = np.column_stack([np.ones(13), bcg["ablat"]])
    t2_metafor = metafor_reml_tau2(bcg["y"], bcg["v"], x)
    assert r4(t2_metafor) == 0.0764
    res = meta_regression(bcg["y"], bcg["v"], {"ablat": bcg["ablat"]}, test="z", tau2=t2_metafor)
    assert coef_table(res) == {
        "intercept": (0.2515, 0.2491, 1.0095, -0.2368, 0.7397),
        "ablat": (-0.0291, 0.0072, -4.0444, -0.0432, -0.0150),
    }
    assert (round(res.i2, 2), round(res.h2, 2), round(res.r2, 2)) == (68.39, 3.16, 75.62)
    assert (r4(res.qe), res.qe_df, r4(res.qm), res.qm_df) == (30.7331, 11, 16.3571, 1)
    # with Knapp-Hartung (package index page): SE 0.2839 / 0.0082, t 0.8857 / -3.5483 on 11 df,
    # CI -0.3735 to 0.8764 / -0.0472 to -0.0111, F(1, 11) = 12.5905, p = 0.0046
    kh = meta_regression(bcg["y"], bcg["v"], {"ablat": bcg["ablat"]}, test="knha", tau2=t2_metafor)
    assert coef_table(kh) == {
        "intercept": (0.2515, 0.2839, 0.8857, -0.3735, 0.8764),
        "ablat": (-0.0291, 0.0082, -3.5483, -0.0472, -0.0111),
    }
    assert (kh.df, r4(kh.qm), r4(kh.qm_p)) == (11, 12.5905, 0.0046)


def test_meta_regression_own_reml_is_the_maximum(bcg):
    y, v = bcg["y"], bcg["v"]
    res = meta_regression(y, v, bcg["ablat"], test="z")
    assert res.run and res.method == "REML" and res.coefficients[1].name == "x"
    x = np.column_stack([np.ones(13), bcg["ablat"]])
    w = np.diag(1 / (v + res.tau2))
    pm = w - w @ x @ np.linalg.inv(x.T @ w @ x) @ x.T @ w
    # REML score equation y'PPy = tr(P) holds at our estimate
    assert y @ pm @ pm @ y == pytest.approx(np.trace(pm), rel=1e-6)
    assert abs(res.tau2 - metafor_reml_tau2(y, v, x)) < 1e-5
    published = {"intercept": (0.2515, 0.2491), "x": (-0.0291, 0.0072)}
    assert {c.name: (r4(c.estimate), r4(c.se)) for c in res.coefficients} == published
    assert (round(res.i2, 2), r4(res.qe)) == (68.39, 30.7331)
    assert res.qm == pytest.approx(16.3571, abs=2e-3)


def test_meta_regression_residual_heterogeneity_interval(bcg):
    # metafor confint.rma example, mods = ~ ablat: tau^2 0.0764 (0.0167, 0.7849),
    # I^2 68.3931 (32.1080, 95.6976), H^2 3.1639 (1.4729, 23.2428)
    # Our bounds are the exact roots (0.016680, 0.784835); metafor finds them with
    # uniroot(tol = 1.2e-4), which puts its upper bound at 0.7849 and its I^2 lower bound at
    # 32.1080 (ours 32.0979): both within that tolerance, expressed in tau^2.
    res = meta_regression(bcg["y"], bcg["v"], {"ablat": bcg["ablat"]})
    assert r4(res.tau2_ci_low) == 0.0167
    assert abs(res.tau2_ci_high - 0.7849) < 1.22e-4
    assert round(res.i2_ci_high, 2) == 95.70 and round(res.h2_ci_low, 2) == 1.47
    assert round(res.h2_ci_high, 1) == 23.2
    s2 = res.tau2 * (100 - res.i2) / res.i2
    assert abs(s2 * 32.1080 / (100 - 32.1080) - res.tau2_ci_low) < 1.22e-4
    x = np.column_stack([np.ones(13), bcg["ablat"]])
    for bound, quantile in ((res.tau2_ci_low, 0.975), (res.tau2_ci_high, 0.025)):
        w = np.diag(1 / (bcg["v"] + bound))
        pm = w - w @ x @ np.linalg.inv(x.T @ w @ x) @ x.T @ w
        assert bcg["y"] @ pm @ bcg["y"] == pytest.approx(stats.chi2.ppf(quantile, 11), rel=1e-9)


def test_meta_regression_residual_interval_where_metafor_stops(bcg):
    # the same confint.rma example to 4 decimals: tau^2 (0.0167, 0.7849), I^2 (32.1080,
    # 95.6976), H^2 (1.4729, 23.2428), with the bounds where metafor's uniroot stops
    res = meta_regression(bcg["y"], bcg["v"], {"ablat": bcg["ablat"]}, qprofile="metafor")
    assert (r4(res.tau2_ci_low), r4(res.tau2_ci_high)) == (0.0167, 0.7849)
    assert (r4(res.i2_ci_low), r4(res.i2_ci_high)) == (32.1080, 95.6976)
    assert (r4(res.h2_ci_low), r4(res.h2_ci_high)) == (1.4729, 23.2428)
    with pytest.raises(ValueError, match="qprofile"):
        meta_regression(bcg["y"], bcg["v"], bcg["ablat"], qprofile="R")


def test_meta_regression_two_moderators_and_a_factor(bcg):
    y, v = bcg["y"], bcg["v"]
    x = np.column_stack([np.ones(13), bcg["ablat"], bcg["year"]])
    # rma.uni example mods = cbind(ablat, year): intercept -3.5455 (29.0959), ablat -0.0280
    # (0.0102), year 0.0019 (0.0147); tau^2 0.1108, I^2 71.98 %, R^2 64.63 %, QE(10) 28.3251,
    # QM(2) 12.2043
    res = meta_regression(
        y,
        v,
        {"ablat": bcg["ablat"], "year": bcg["year"]},
        test="z",
        tau2=metafor_reml_tau2(y, v, x),
    )
    assert {c.name: (r4(c.estimate), r4(c.se)) for c in res.coefficients} == {
        "intercept": (-3.5455, 29.0959),
        "ablat": (-0.0280, 0.0102),
        "year": (0.0019, 0.0147),
    }
    assert (r4(res.tau2), round(res.i2, 2), round(res.r2, 2)) == (0.1108, 71.98, 64.63)
    assert (r4(res.qe), res.qe_df, r4(res.qm), res.qm_df) == (28.3251, 10, 12.2043, 2)
    # mods = ~ factor(alloc) (reference level "alternate"): intercept -0.5180 (0.4412),
    # random -0.4478 (0.5158), systematic 0.0890 (0.5600); tau^2 0.3615, QE(10) 132.3676,
    # QM(2) 1.7675, p 0.4132
    res = meta_regression(y, v, {"alloc": bcg["alloc"]}, test="z")
    assert {c.name: (r4(c.estimate), r4(c.se)) for c in res.coefficients} == {
        "intercept": (-0.5180, 0.4412),
        "allocrandom": (-0.4478, 0.5158),
        "allocsystematic": (0.0890, 0.5600),
    }
    assert (r4(res.tau2), r4(res.qe), r4(res.qm), r4(res.qm_p)) == (
        0.3615,
        132.3676,
        1.7675,
        0.4132,
    )


def test_fixed_effects_meta_regression(bcg):
    # rma.uni example, method = "FE", mods = ~ ablat + year: 17.1518 (10.8321), -0.0339
    # (0.0040), -0.0085 (0.0055); I^2 64.70 %, H^2 2.83, QM(2) 123.9079
    res = meta_regression(
        bcg["y"], bcg["v"], {"ablat": bcg["ablat"], "year": bcg["year"]}, method="FE"
    )
    assert res.test == "z" and res.tau2 == 0.0 and res.r2 is None
    assert {c.name: (r4(c.estimate), r4(c.se)) for c in res.coefficients} == {
        "intercept": (17.1518, 10.8321),
        "ablat": (-0.0339, 0.0040),
        "year": (-0.0085, 0.0055),
    }
    assert (round(res.i2, 2), round(res.h2, 2), r4(res.qm)) == (64.70, 2.83, 123.9079)


def test_meta_regression_not_run_below_ten_studies(bcg):
    assert MIN_STUDIES_MODERATORS == 10
    res = meta_regression(bcg["y"][:9], bcg["v"][:9], bcg["ablat"][:9])
    assert not res.run and res.coefficients == () and res.tau2 is None and res.qm is None
    assert res.reason == "not run: a meta-regression needs at least 10 studies, k = 9"
    assert meta_regression(bcg["y"][:9], bcg["v"][:9], bcg["ablat"][:9], min_studies=5).run
    json.dumps(asdict(res))


def test_meta_regression_invalid_input(bcg):
    with pytest.raises(ValueError, match="collinear"):
        meta_regression(bcg["y"], bcg["v"], {"a": bcg["ablat"], "b": [2 * a for a in bcg["ablat"]]})
    with pytest.raises(ValueError, match="values for 13 studies"):
        meta_regression(bcg["y"], bcg["v"], {"a": [1, 2]})
    with pytest.raises(ValueError, match="single level"):
        meta_regression(bcg["y"], bcg["v"], {"a": ["x"] * 13})


# ---------------------------------------------------------------- subgroups


def test_subgroups_match_metafor_and_test_for_differences(bcg):
    # rma.uni example, separate random-effects models by allocation (REML):
    # alternate k=2: -0.5408 (SE 0.2816), tau^2 0.1326, Q 5.5625;
    # random k=7: -0.9710 (0.2760), tau^2 0.3925, Q 110.2133;
    # systematic k=4: -0.4242 (0.3597), tau^2 0.4003, Q 16.5919
    res = subgroup_analysis(bcg["y"], bcg["v"], bcg["alloc"], test="z")
    assert res.run and [g.name for g in res.subgroups] == ["random", "alternate", "systematic"]
    got = {
        g.name: (g.k, r4(g.result.estimate), r4(g.result.se), r4(g.result.tau2), r4(g.result.q))
        for g in res.subgroups
    }
    assert got == {
        "alternate": (2, -0.5408, 0.2816, 0.1326, 5.5625),
        "random": (7, -0.9710, 0.2760, 0.3925, 110.2133),
        "systematic": (4, -0.4242, 0.3597, 0.4003, 16.5919),
    }
    # Q_between from the published subgroup estimates and SEs (to their 4 decimals)
    est = np.array([-0.5408, -0.9710, -0.4242])
    w = 1 / np.array([0.2816, 0.2760, 0.3597]) ** 2
    q_pub = np.sum(w * (est - np.sum(w * est) / np.sum(w)) ** 2)
    assert res.q_between == pytest.approx(q_pub, abs=2e-3)
    assert res.df_between == 2
    assert res.p_between == pytest.approx(stats.chi2.sf(res.q_between, 2))
    assert res.i2_between == 0.0  # Q_between 1.86 < df 2
    # second opinion: Q of a common-effect meta-analysis of the subgroup estimates
    sub_y = [g.result.estimate for g in res.subgroups]
    sub_v = [g.result.se**2 for g in res.subgroups]
    assert res.q_between == pytest.approx(
        combine_effects(np.array(sub_y), np.array(sub_v)).q, rel=1e-10
    )


def test_subgroup_test_uses_wald_ses_even_with_knapp_hartung(bcg):
    zres = subgroup_analysis(bcg["y"], bcg["v"], bcg["alloc"], test="z")
    kh = subgroup_analysis(bcg["y"], bcg["v"], bcg["alloc"])
    assert {g.result.test for g in kh.subgroups} == {"adhoc"}
    assert kh.q_between == pytest.approx(zres.q_between)
    assert kh.subgroups[0].result.estimate == pytest.approx(
        meta_analysis(bcg["y"][[0, 1, 2, 3, 6, 7, 8]], bcg["v"][[0, 1, 2, 3, 6, 7, 8]]).estimate
    )


def test_subgroups_not_run_below_ten_studies_or_one_group(bcg):
    res = subgroup_analysis(bcg["y"][:9], bcg["v"][:9], bcg["alloc"][:9])
    assert not res.run and res.subgroups == () and res.q_between is None
    assert res.reason == "not run: a subgroup analysis needs at least 10 studies, k = 9"
    one = subgroup_analysis(bcg["y"], bcg["v"], ["all"] * 13)
    assert not one.run and "one subgroup" in one.reason
    json.dumps(asdict(subgroup_analysis(bcg["y"], bcg["v"], bcg["alloc"])))
