"""Synthesis without meta-analysis: vote counting, combined p-values, ratios, sensitivity."""

import math

import pytest
from scipy import stats

import reviewkit.synthesis as synthesis
from reviewkit.synthesis import (
    FLAG_P_INEQUALITY,
    FLAG_R_ASSUMED,
    CombinedP,
    combined_p_sensitivity,
    correlation_sensitivity,
    describe_ratios,
    fisher_combined,
    one_sided_p,
    smcc_from_p,
    stouffer_combined,
    unflagged,
    vote_count,
    without_flagged,
)

# ---------------------------------------------------------------- vote counting


def test_vote_count_by_direction():
    dirs = ["increase"] * 7 + ["decrease"] * 2 + ["unclear", None, "no data"]
    vc = vote_count(dirs)
    assert (vc.n_increase, vc.n_decrease, vc.n_informative) == (7, 2, 9)
    assert vc.n_favoured == 7 and vc.n_excluded == 3
    assert vc.excluded_by_label == {"unclear": 1, "no_data": 2}
    assert vc.proportion == pytest.approx(7 / 9)
    # exact two-sided sign test: P(X <= 2) + P(X >= 7), X ~ Bin(9, 0.5) = 2 * 46/512
    assert vc.p_sign_test == pytest.approx(2 * 46 / 512)
    # Wilson interval, written out: (p + z^2/2n -/+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)
    z, n, p = stats.norm.ppf(0.975), 9, 7 / 9
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    assert vc.ci_low == pytest.approx(centre - half, rel=1e-9)
    assert vc.ci_high == pytest.approx(centre + half, rel=1e-9)


def test_vote_count_favoured_decrease_and_numeric_directions():
    vc = vote_count([1, -1, -1, 0, float("nan")], favoured="decrease")
    assert (vc.n_increase, vc.n_decrease, vc.n_favoured) == (1, 2, 2)
    assert vc.excluded_by_label == {"no_change": 1, "no_data": 1}
    assert vc.p_sign_test == pytest.approx(1.0)


def test_vote_count_no_informative_study():
    vc = vote_count(["unclear", None])
    assert vc.n_informative == 0 and vc.n_excluded == 2
    assert vc.proportion is None and vc.p_sign_test is None and vc.ci_low is None


def test_vote_count_rejects_unknown_labels():
    with pytest.raises(ValueError, match="unknown direction 'significant'"):
        vote_count(["increase", "significant"])
    with pytest.raises(ValueError, match="favoured"):
        vote_count(["increase"], favoured="up")
    with pytest.raises(ValueError, match=r"\+1, -1 or 0"):
        vote_count([2])


def test_no_significance_counting_function():
    assert not [name for name in synthesis.__all__ if "signif" in name.lower()]


# ---------------------------------------------------------------- one-sided p


def test_one_sided_p():
    assert one_sided_p(0.04, favoured=True) == pytest.approx(0.02)
    assert one_sided_p(0.04, favoured=False) == pytest.approx(0.98)
    assert one_sided_p(1.0, favoured=True) == pytest.approx(0.5)
    for bad in (0, 1.5, -0.2):
        with pytest.raises(ValueError, match="p_two_sided"):
            one_sided_p(bad, favoured=True)


# ---------------------------------------------------------------- combining p-values


P_ONE = [0.01, 0.20, 0.03, 0.60]
N = [20, 50, 35, 12]


def test_stouffer_matches_formula_and_scipy():
    res = stouffer_combined(P_ONE, N)
    z = [stats.norm.isf(p) for p in P_ONE]
    w = [math.sqrt(n) for n in N]
    big_z = sum(a * b for a, b in zip(w, z, strict=True)) / math.sqrt(sum(x * x for x in w))
    assert isinstance(res, CombinedP) and res.method == "stouffer_sqrt_n"
    assert res.statistic == pytest.approx(big_z, rel=1e-12)
    ref = stats.combine_pvalues(P_ONE, method="stouffer", weights=w)
    assert res.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert res.p == pytest.approx(ref.pvalue, rel=1e-12)
    assert res.k == 4 and res.df is None


def test_fisher_matches_formula_and_scipy():
    res = fisher_combined(P_ONE)
    x2 = -2 * sum(math.log(p) for p in P_ONE)
    assert res.statistic == pytest.approx(x2, rel=1e-12)
    assert res.df == 8
    ref = stats.combine_pvalues(P_ONE, method="fisher")
    assert res.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert res.p == pytest.approx(ref.pvalue, rel=1e-12)
    assert res.p == pytest.approx(stats.chi2.sf(x2, 8))


def test_combined_p_invalid_inputs():
    with pytest.raises(ValueError, match="different lengths"):
        stouffer_combined([0.1, 0.2], [10])
    with pytest.raises(ValueError, match=r"p_one_sided\[1\]"):
        fisher_combined([0.1, 0.0])
    with pytest.raises(ValueError, match=r"p_one_sided\[0\]"):
        stouffer_combined([1.2], [10])
    with pytest.raises(ValueError, match="no p-values"):
        fisher_combined([])
    with pytest.raises(ValueError, match=r"n\[0\]"):
        stouffer_combined([0.1], [0])


def test_single_p_combines_to_itself():
    assert stouffer_combined([0.03], [40]).p == pytest.approx(0.03)
    assert fisher_combined([0.03]).p == pytest.approx(0.03)


# ---------------------------------------------------------------- ratios


def test_describe_ratios():
    s = describe_ratios([1.2, 0.8, None, 1.5, float("nan")])
    assert (s.n, s.n_missing) == (3, 2)
    assert (s.median, s.minimum, s.maximum) == (1.2, 0.8, 1.5)
    assert describe_ratios([1.0, 2.0]).median == 1.5
    empty = describe_ratios([None])
    assert empty.n == 0 and empty.median is None
    with pytest.raises(ValueError, match="ratios"):
        describe_ratios([-1.0])


# ---------------------------------------------------------------- sensitivity


def test_unflagged_and_without_flagged():
    flags = [(), (FLAG_P_INEQUALITY,), ("continuity_correction_0.5",), ()]
    assert unflagged(flags) == [True, False, True, True]
    out = without_flagged(lambda idx: idx, flags)
    assert out == {"all": [0, 1, 2, 3], "without_flagged": [0, 2, 3]}
    assert without_flagged(len, [(FLAG_P_INEQUALITY,)])["without_flagged"] is None


def test_combined_p_sensitivity_drops_bounded_p():
    flags = [(), (FLAG_P_INEQUALITY,), (), ()]
    out = combined_p_sensitivity(P_ONE, N, flags)
    assert out["all"]["fisher"].k == 4
    sub = out["without_flagged"]
    assert sub["fisher"].k == 3
    keep = [0, 2, 3]
    ref = stouffer_combined([P_ONE[i] for i in keep], [N[i] for i in keep])
    assert sub["stouffer"].statistic == pytest.approx(ref.statistic)
    with pytest.raises(ValueError, match="different lengths"):
        combined_p_sensitivity(P_ONE, N, flags[:2])


def test_correlation_sensitivity():
    effects = [smcc_from_p(0.018, 50, direction=-1), smcc_from_p(0.2, 30, direction=1)]
    out = correlation_sensitivity(effects)
    assert list(out) == [0.3, 0.5, 0.7]
    assert out[0.5][0].yi == pytest.approx(effects[0].yi)
    assert out[0.7][1].yi == pytest.approx(effects[1].yi * math.sqrt(0.6))
    assert all(FLAG_R_ASSUMED in e.flags for es in out.values() for e in es)
    with pytest.raises(ValueError, match="at least one"):
        correlation_sensitivity(effects, rs=())
