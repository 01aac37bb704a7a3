"""Egger's regression test and funnel-plot data against metafor's published results.

Source: metafor reference manual, ``regtest`` examples on dat.egger2001 without ISIS-4
(https://wviechtb.github.io/metafor/reference/regtest.html) and metafor
tests/testthat/test_misc_pub_bias.r (all 16 trials).
"""

import json
from dataclasses import asdict

import pytest
from scipy import stats

from reviewkit.synthesis import (
    MIN_STUDIES_SMALL_STUDY,
    egger_test,
    funnel_data,
    log_odds_ratio,
    meta_analysis,
)
from tests.published_data import EGGER2001


def r4(x):
    return round(x, 4)


@pytest.fixture(scope="module")
def egger():
    effects = [log_odds_ratio(*row) for row in EGGER2001]
    return [e.yi for e in effects], [e.vi for e in effects]


def test_classical_egger_test_matches_metafor(egger):
    # regtest(res, model="lm"): t = -3.1783, df = 13, p = 0.0073;
    # limit estimate b = -0.1512 (CI -0.5130, 0.2106)
    y, v = egger[0][:15], egger[1][:15]
    res = egger_test(y, v)
    assert res.run and (res.model, res.stat_type, res.df) == ("lm", "t", 13)
    assert (r4(res.stat), r4(res.p)) == (-3.1783, 0.0073)
    assert (r4(res.limit_estimate), r4(res.limit_ci_low), r4(res.limit_ci_high)) == (
        -0.1512,
        -0.5130,
        0.2106,
    )
    # same as the textbook form: regress y/SE on 1/SE and test the intercept (OLS)
    se = [x**0.5 for x in v]
    ols = stats.linregress([1 / s for s in se], [a / s for a, s in zip(y, se, strict=True)])
    assert res.stat == pytest.approx(ols.intercept / ols.intercept_stderr, rel=1e-10)


def test_mixed_effects_egger_test_matches_metafor(egger):
    # regtest(res): z = -2.8062, p = 0.0050; b = -0.1639 (CI -0.5681, 0.2402)
    res = egger_test(egger[0][:15], egger[1][:15], model="rma")
    assert (res.stat_type, res.df, res.method) == ("z", None, "REML")
    assert (r4(res.stat), r4(res.p)) == (-2.8062, 0.0050)
    assert (r4(res.limit_estimate), r4(res.limit_ci_low), r4(res.limit_ci_high)) == (
        -0.1639,
        -0.5681,
        0.2402,
    )
    # all 16 trials (metafor test_misc_pub_bias.r): zval -4.6686
    assert r4(egger_test(*egger, model="rma").stat) == -4.6686


def test_no_number_below_ten_studies(egger):
    assert MIN_STUDIES_SMALL_STUDY == 10
    res = egger_test(egger[0][:9], egger[1][:9])
    assert not res.run and res.stat is None and res.p is None and res.limit_estimate is None
    assert res.reason == "not run: Egger's test needs at least 10 studies, k = 9"
    assert egger_test(egger[0][:9], egger[1][:9], min_studies=5).run
    funnel = funnel_data(egger[0][:9], egger[1][:9])
    assert not funnel.run and funnel.yi == () and funnel.centre is None
    assert funnel.reason == "not run: a funnel plot needs at least 10 studies, k = 9"
    json.dumps(asdict(res))
    json.dumps(asdict(funnel))


def test_funnel_data(egger):
    y, v = egger[0][:15], egger[1][:15]
    res = funnel_data(y, v, labels=[f"s{i}" for i in range(15)])
    fe = meta_analysis(y, v, method="FE")
    assert (
        res.run
        and res.centre == pytest.approx(fe.estimate)
        and res.centre_source == "common_effect"
    )
    assert res.se == pytest.approx(tuple(x**0.5 for x in v)) and res.labels[0] == "s0"
    assert res.se_max == pytest.approx(max(v) ** 0.5)
    half = stats.norm.ppf(0.975) * res.se_max
    assert (res.lower_at_se_max, res.upper_at_se_max) == pytest.approx(
        (res.centre - half, res.centre + half)
    )
    given = funnel_data(y, v, centre=-0.87)
    assert given.centre == -0.87 and given.centre_source == "given"
    with pytest.raises(ValueError, match="model"):
        egger_test(y, v, model="ols")
