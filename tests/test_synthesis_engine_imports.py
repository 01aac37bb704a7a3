"""The engine imports without scipy.stats / scipy.optimize, and its scipy.special-based
distribution helpers give scipy.stats' values."""

import subprocess
import sys

import pytest
from scipy import stats

from reviewkit.synthesis import _dist


def test_engine_import_does_not_load_scipy_stats_or_optimize():
    code = (
        "import sys, reviewkit.synthesis; "
        "print(sorted(m for m in ('scipy.stats', 'scipy.optimize') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("df", [1, 2, 5, 12, 100])
def test_distribution_helpers_match_scipy_stats(df):
    assert _dist.t_crit(0.95, df) == pytest.approx(stats.t.ppf(0.975, df), rel=1e-12)
    assert _dist.t_sf(2.1, df) == pytest.approx(stats.t.sf(2.1, df), rel=1e-12)
    assert _dist.t_isf(0.00025, df) == pytest.approx(stats.t.isf(0.00025, df), rel=1e-12)
    assert _dist.chi2_sf(7.3, df) == pytest.approx(stats.chi2.sf(7.3, df), rel=1e-12)
    assert _dist.chi2_isf(0.025, df) == pytest.approx(stats.chi2.isf(0.025, df), rel=1e-12)
    assert _dist.f_sf(3.2, 2, df) == pytest.approx(stats.f.sf(3.2, 2, df), rel=1e-12)
    assert _dist.z_crit(0.9) == pytest.approx(stats.norm.ppf(0.95), rel=1e-12)
    assert _dist.norm_isf(1e-6) == pytest.approx(stats.norm.isf(1e-6), rel=1e-12)


@pytest.mark.parametrize(("x", "n"), [(0, 5), (3, 10), (5, 10), (9, 12), (7, 7)])
def test_sign_test_and_wilson_match_binomtest(x, n):
    ref = stats.binomtest(x, n, 0.5)
    assert _dist.sign_test_p(x, n) == pytest.approx(ref.pvalue, rel=1e-12)
    ci = ref.proportion_ci(confidence_level=0.95, method="wilson")
    assert _dist.wilson_interval(x, n, 0.95) == pytest.approx((ci.low, ci.high), rel=1e-12)
