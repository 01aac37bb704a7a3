"""Mantel-Haenszel and Peto pooling of 2x2 tables against metafor's published results.

Sources: metafor reference manual, ``rma.mh`` and ``rma.peto`` examples on dat.bcg
(https://wviechtb.github.io/metafor/reference/rma.mh.html, .../rma.peto.html), metafor
tests/testthat/test_misc_metan_vs_rma.mh_with_dat.bcg.r and ..._rma.peto_... (vs Stata
metan), and the dat.egger2001 examples of the metadat reference manual (Peto, 2 decimals).
"""

import json
import math
from dataclasses import asdict

import pytest

from reviewkit.synthesis import BinaryPooled, mantel_haenszel, peto_odds_ratio
from tests.published_data import BCG, EGGER2001


def r4(x):
    return round(x, 4)


def _cols(rows):
    return (
        [r[0] for r in rows],
        [r[0] + r[1] for r in rows],
        [r[2] for r in rows],
        [r[2] + r[3] for r in rows],
    )


@pytest.fixture(scope="module")
def bcg():
    return _cols(BCG)


def test_mh_odds_ratio_matches_metafor(bcg):
    res = mantel_haenszel(*bcg, measure="OR")
    assert isinstance(res, BinaryPooled) and (res.method, res.measure, res.k) == ("MH", "logOR", 13)
    assert (r4(res.estimate), r4(res.se), r4(res.z)) == (-0.4734, 0.0410, -11.5444)
    assert (r4(res.ci_low), r4(res.ci_high)) == (-0.5538, -0.3930)
    assert (r4(math.exp(res.estimate)), r4(math.exp(res.ci_low)), r4(math.exp(res.ci_high))) == (
        0.6229,
        0.5748,
        0.6750,
    )
    assert (r4(res.q), res.q_df, round(res.i2, 2), round(res.h2, 2)) == (163.9426, 12, 92.68, 13.66)
    assert r4(res.cmh) == 135.6889
    assert (r4(res.tarone), res.tarone_df) == (171.7567, 12)


def test_mh_risk_ratio_matches_metafor(bcg):
    res = mantel_haenszel(*bcg, measure="RR")
    assert res.measure == "logRR"
    assert (r4(res.estimate), r4(res.se), r4(res.z)) == (-0.4537, 0.0393, -11.5338)
    assert (r4(res.ci_low), r4(res.ci_high)) == (-0.5308, -0.3766)
    assert r4(math.exp(res.estimate)) == 0.6353
    assert (r4(res.q), round(res.i2, 2), round(res.h2, 2)) == (152.5676, 92.13, 12.71)
    assert res.cmh is None and res.tarone is None


def test_mh_risk_difference_matches_metafor(bcg):
    # Sato, Greenland & Robins (1989) variance, as metafor (Stata metan: z = 11.56)
    res = mantel_haenszel(*bcg, measure="RD")
    assert res.measure == "RD"
    assert (r4(res.estimate), r4(res.ci_low), r4(res.ci_high)) == (-0.0033, -0.0039, -0.0027)
    assert (r4(res.z), r4(res.q)) == (-11.4708, 386.7759)


def test_peto_matches_metafor(bcg):
    res = peto_odds_ratio(*bcg)
    assert (res.method, res.measure) == ("Peto", "logOR")
    assert (r4(res.estimate), r4(res.se), r4(res.z)) == (-0.4744, 0.0407, -11.6689)
    assert (r4(res.ci_low), r4(res.ci_high)) == (-0.5541, -0.3948)
    assert r4(math.exp(res.estimate)) == 0.6222
    assert (r4(res.q), round(res.i2, 2), round(res.h2, 2)) == (167.7302, 92.85, 13.98)


def test_peto_with_zero_cells_matches_metadat_examples():
    # metadat dat.egger2001 examples (print digits=2); trial 8 has no event in one group
    published = [
        (7, (-0.80, 0.24, 7.61, 21.13)),
        (15, (-0.60, 0.11, 21.99, 36.34)),
        (16, (0.01, 0.03, 55.80, 73.12)),
    ]
    for first, expected in published:
        res = peto_odds_ratio(*zip(*EGGER2001[:first], strict=True))
        got = (round(res.estimate, 2), round(res.se, 2), round(res.q, 2), round(res.i2, 2))
        assert got == expected


def test_double_zero_tables_are_counted_and_left_out_of_q():
    a, n1, c, n2 = [0, 3, 5], [20, 30, 40], [0, 6, 9], [20, 30, 40]
    res = mantel_haenszel(a, n1, c, n2, measure="OR")
    assert res.k == 3 and res.k_double_zero == 1 and res.q_df == 1
    # a double-zero table adds nothing to the MH sums
    alone = mantel_haenszel(a[1:], n1[1:], c[1:], n2[1:], measure="OR")
    assert res.estimate == pytest.approx(alone.estimate) and res.se == pytest.approx(alone.se)
    assert peto_odds_ratio(a, n1, c, n2).q_df == 1


def test_not_estimable_and_invalid_input():
    res = mantel_haenszel([0, 0], [10, 10], [0, 0], [10, 10], measure="RR")
    assert res.estimate is None and "not_estimable" in res.notes
    assert peto_odds_ratio([0], [10], [0], [10]).estimate is None
    with pytest.raises(ValueError, match="measure"):
        mantel_haenszel([1], [10], [2], [10], measure="HR")
    with pytest.raises(ValueError, match="exceed"):
        mantel_haenszel([11], [10], [2], [10])
    with pytest.raises(ValueError, match="different lengths"):
        peto_odds_ratio([1, 2], [10], [2], [10])


def test_json_serialisable(bcg):
    data = json.loads(json.dumps(asdict(mantel_haenszel(*bcg))))
    assert data["measure"] == "logOR" and data["method"] == "MH"
