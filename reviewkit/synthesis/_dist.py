"""Distribution functions, a sign test and two one-dimensional solvers on ``scipy.special``.

Why not ``scipy.stats`` / ``scipy.optimize``: importing them costs about 1.4 s and 0.8 s,
and every build step is a fresh Python process. ``scipy.stats`` itself evaluates these
distributions with the same special functions (ndtr/ndtri for the normal, stdtr/stdtrit for
Student's t, chdtrc/chdtri for chi-square, fdtrc for F, bdtr for the binomial), so the
values are identical; the tests compare them with ``scipy.stats``.

The solvers are plain bisection (for monotone functions) and golden-section search (for a
unimodal maximum inside a bracket); both are a dozen lines, deterministic, and need no
derivative, which is all the engine needs (Q-profile bounds, Paule-Mandel, REML).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from scipy import special


def z_crit(level: float) -> float:
    """Two-sided critical value of the standard normal: Phi^-1((1 + level)/2)."""
    return float(special.ndtri(0.5 + level / 2.0))


def t_crit(level: float, df: float) -> float:
    """Two-sided critical value of Student's t with ``df`` degrees of freedom."""
    return float(-special.stdtrit(df, 0.5 - level / 2.0))


def norm_sf(x: float) -> float:
    """Upper tail of the standard normal, P(Z > x)."""
    return float(special.ndtr(-x))


def norm_isf(p: float) -> float:
    """Upper-tail quantile of the standard normal: z with P(Z > z) = p."""
    return float(-special.ndtri(p))


def t_sf(x: float, df: float) -> float:
    """Upper tail of Student's t, P(T > x)."""
    return float(special.stdtr(df, -x))


def t_isf(p: float, df: float) -> float:
    """Upper-tail quantile of Student's t: t with P(T > t) = p (accurate for small p)."""
    return float(-special.stdtrit(df, p))


def chi2_sf(x: float, df: float) -> float:
    """Upper tail of chi-square, P(X > x)."""
    return float(special.chdtrc(df, x))


def chi2_isf(p: float, df: float) -> float:
    """Upper-tail quantile of chi-square: x with P(X > x) = p."""
    return float(special.chdtri(df, p))


def f_sf(x: float, df1: float, df2: float) -> float:
    """Upper tail of the F distribution."""
    return float(special.fdtrc(df1, df2, x))


def sign_test_p(successes: int, n: int) -> float:
    """Exact two-sided binomial test of ``successes`` out of ``n`` against 0.5.

    The binomial(n, 1/2) distribution is symmetric, so the two-sided p (sum of the
    probabilities of outcomes no more likely than the observed one, as
    ``scipy.stats.binomtest``) is min(1, 2 P(X <= min(x, n - x))).
    """
    if n == 0:
        return 1.0
    low = min(successes, n - successes)
    return min(1.0, 2.0 * float(special.bdtr(low, n, 0.5)))


def wilson_interval(successes: int, n: int, level: float) -> tuple[float, float]:
    """Wilson score interval for a proportion (Wilson 1927; no continuity correction)."""
    z = z_crit(level)
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2.0 * n)) / denom
    half = z * math.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def bisect_decreasing(
    f: Callable[[float], float], target: float, lo: float, hi: float, *, rtol: float = 1e-12
) -> float:
    """x in [lo, hi] with f(x) = target for a decreasing f, f(lo) >= target >= f(hi)."""
    for _ in range(400):
        mid = 0.5 * (lo + hi)
        if f(mid) > target:
            lo = mid
        else:
            hi = mid
        if hi - lo <= rtol * max(abs(lo), abs(hi)):
            break
    return 0.5 * (lo + hi)


def golden_max(f: Callable[[float], float], lo: float, hi: float, *, tol: float) -> float:
    """Maximiser of a unimodal f on [lo, hi] by golden-section search (to ``tol``)."""
    invphi = (math.sqrt(5.0) - 1.0) / 2.0
    a, b = lo, hi
    c, d = b - invphi * (b - a), a + invphi * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(300):
        if b - a <= tol:
            break
        if fc >= fd:
            b, d, fd = d, c, fc
            c = b - invphi * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + invphi * (b - a)
            fd = f(d)
    return 0.5 * (a + b)
