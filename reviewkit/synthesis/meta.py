"""Inverse-variance meta-analysis: common effect (FE), random effects (REML, DerSimonian-Laird,
Paule-Mandel), Knapp-Hartung (HKSJ) intervals with the ad hoc variant, prediction intervals
(t with k-2 df by default), Q, I^2, H^2 with Q-profile confidence intervals, leave-one-out and
pooling by design group.

Inputs: effect sizes ``yi`` with sampling variances ``vi`` (one per study), or a sequence of
``Effect`` objects of one measure (``meta_analysis_of_effects``).

Sources: metafor's ``rma.uni``, ``predict.rma`` and ``confint.rma.uni`` (Viechtbauer, J Stat
Softw 2010;36(3); metafor 4.x/5.x); Higgins, Thompson & Spiegelhalter, J R Stat Soc A
2009;172:137 and Cochrane Handbook v6.5 section 10.10.4.3 (prediction interval);
Knapp & Hartung, Stat Med 2003;22:2693 and Roever, Knapp & Friede, BMC Med Res Methodol
2015;15:99 (ad hoc variant); Viechtbauer, Stat Med 2007;26:37 (Q-profile); Paule & Mandel,
J Res Natl Bur Stand 1982;87:377 (Paule-Mandel); R's ``uniroot`` (``_zeroin``) for the
Q-profile bounds where metafor stops. See docs/synthesis-engine.md.

The model-fitting core (``_wls``, ``_tau2``, ``_qprofile``) takes a design matrix so that
meta-regression (``moderators.py``) and the regression tests for small-study effects
(``small_study.py``) use exactly the same estimators.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from reviewkit import conventions

from . import _dist, _zeroin
from ._checks import as_1d, check_level, check_n, check_same_length

if TYPE_CHECKING:
    from .effect_sizes import Effect

__all__ = [
    "METHODS",
    "PI_MIN_STUDIES",
    "PI_VERY_IMPRECISE_BELOW",
    "PREDICTIONS",
    "QPROFILES",
    "TESTS",
    "GroupPooling",
    "LeaveOneOut",
    "MetaResult",
    "leave_one_out",
    "meta_analysis",
    "meta_analysis_of_effects",
    "pool_by_group",
    "tau2_dl",
    "tau2_pm",
    "tau2_reml",
]

Method = Literal["REML", "DL", "PM", "FE"]
Test = Literal["z", "knha", "adhoc"]
Prediction = Literal["hts", "metafor"]
QProfile = Literal["exact", "metafor"]
#: "FE" is the common-effect (equal-effects, "fixed-effect") model.
METHODS = ("REML", "DL", "PM", "FE")
#: "z": Wald test and interval; "knha": Knapp-Hartung / HKSJ; "adhoc": Knapp-Hartung whose
#: scale factor q is never below 1 (modified Knapp-Hartung).
TESTS = ("z", "knha", "adhoc")
#: "hts": Higgins-Thompson-Spiegelhalter, t with k-2 df (default); "metafor": metafor's
#: ``predict.rma`` default (normal quantile; t with k-1 df under Knapp-Hartung).
PREDICTIONS = ("hts", "metafor")
#: Q-profile bounds: "exact": the roots of the generalised Q equation to machine precision
#: (default); "metafor": where metafor's ``confint`` search stops (R's ``uniroot`` with
#: tol = eps^0.25 on [0, max(100, 10 tau^2)]), for parity checks.
QPROFILES = ("exact", "metafor")
#: metafor's ``confint.rma.uni`` searches tau^2 in [min(0, tau^2), max(100, 10 tau^2)].
QPROFILE_METAFOR_MAX = 100.0
#: Below 5 studies the t(k-2) multiplier is >= 4.30 (t(2)), more than twice the normal 1.96:
#: the interval is flagged ``pi_very_imprecise`` and should be reported as such
#: (defined in reviewkit.conventions, which the text step reads without the engine).
PI_VERY_IMPRECISE_BELOW = conventions.PI_VERY_IMPRECISE_BELOW
#: The t(k-2) prediction interval needs at least 3 studies (defined in reviewkit.conventions).
PI_MIN_STUDIES = conventions.PI_MIN_STUDIES


@dataclass(frozen=True)
class MetaResult:
    """Result of one meta-analysis.

    method: "REML", "DL", "PM" or "FE" (common effect); test: "z", "knha" (Knapp-Hartung, t
    with k-1 df) or "adhoc" (Knapp-Hartung with q >= 1); estimate, se, ci_low, ci_high; stat
    (z or t), df (None for z), p; tau2, tau; i2 (percent), h2; q, q_df, q_p (Cochran's Q on
    k-1 df); pi_low, pi_high (prediction interval; None for FE or too few studies); weights
    (percent, in input order); notes: remarks such as boundary estimates or k=1.
    effect_measure: the measure code of the pooled effects when known (e.g. "SMD"), else None
    (named so it does not clash with a caller's own "measure" key when merged into a dict);
    kh_q: the Knapp-Hartung scale q = sum w (y - est)^2 / (k-1) before any truncation;
    pi_method ("hts" or "metafor"), pi_df (None for a normal quantile), pi_very_imprecise
    (k < PI_VERY_IMPRECISE_BELOW); Q-profile confidence limits of tau2, tau, i2 and h2 (None
    for FE, k = 1, or when not requested).
    """

    method: str
    test: str
    k: int
    level: float
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    stat: float
    df: int | None
    p: float
    tau2: float
    tau: float
    i2: float
    h2: float
    q: float
    q_df: int
    q_p: float
    pi_low: float | None
    pi_high: float | None
    weights: tuple[float, ...]
    notes: tuple[str, ...] = ()
    effect_measure: str | None = None
    kh_q: float | None = None
    pi_method: str | None = None
    pi_df: int | None = None
    pi_very_imprecise: bool | None = None
    tau2_ci_low: float | None = None
    tau2_ci_high: float | None = None
    tau_ci_low: float | None = None
    tau_ci_high: float | None = None
    i2_ci_low: float | None = None
    i2_ci_high: float | None = None
    h2_ci_low: float | None = None
    h2_ci_high: float | None = None


@dataclass(frozen=True)
class LeaveOneOut:
    """Meta-analysis with one study left out (``omitted``: index; ``label``: its label)."""

    omitted: int
    label: str
    result: MetaResult


@dataclass(frozen=True)
class GroupPooling:
    """Synthesis of one design group.

    pooled is False when the group has fewer than ``min_studies`` effect sizes; ``reason``
    then says why ("described, not pooled: ..."). ``labels`` are all studies of the group;
    ``labels_with_effect`` those with an effect size (the ones entering ``result``).
    """

    group: str
    k_studies: int
    k_with_effect: int
    pooled: bool
    result: MetaResult | None
    reason: str | None
    labels: tuple[str, ...]
    labels_with_effect: tuple[str, ...]


# --------------------------------------------------------------------------- input checks


def _prepare(yi: Sequence[float], vi: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    check_same_length(yi=yi, vi=vi)
    y, v = as_1d(yi, "yi"), as_1d(vi, "vi")
    if y.size == 0:
        raise ValueError("no studies to combine (k = 0)")
    if not np.all(np.isfinite(y)):
        raise ValueError("yi contains missing or infinite values; drop those studies first")
    if not np.all(np.isfinite(v)) or np.any(v <= 0):
        raise ValueError("vi must be finite and > 0 for every study")
    return y, v


def _intercept(k: int) -> np.ndarray:
    return np.ones((k, 1))


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")


def _check_fixed_tau2(tau2: float | None, method: str) -> float | None:
    if tau2 is None:
        return None
    if method == "FE":
        raise ValueError("tau2 cannot be fixed for the common-effect model (it is 0)")
    value = float(tau2)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"a fixed tau2 must be finite and >= 0, got {tau2!r}")
    return value


def _resolve_test(method: str, test: str | None, knapp_hartung: bool | None) -> str:
    """Default: "adhoc" for random-effects models, "z" for the common-effect model.

    ``knapp_hartung`` (kept for callers written before ``test`` existed): True means "knha"
    (or "adhoc" when that is also given), False means "z".
    """
    if knapp_hartung is not None:
        if knapp_hartung and test is None:
            test = "knha"
        elif not knapp_hartung and test is None:
            test = "z"
        elif (knapp_hartung and test == "z") or (not knapp_hartung and test != "z"):
            raise ValueError(
                f"knapp_hartung={knapp_hartung} contradicts test={test!r}; give only test="
            )
    if test is None:
        test = "z" if method == "FE" else "adhoc"
    if test not in TESTS:
        raise ValueError(f"test must be one of {TESTS}, got {test!r}")
    return test


# --------------------------------------------------------------------------- model core


def _wls(
    y: np.ndarray, v: np.ndarray, x: np.ndarray, tau2: float
) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    """Weighted least squares with w = 1/(v + tau2), via QR of sqrt(W) X (as metafor).

    Returns beta, its covariance (X'WX)^-1, the weighted residual sum of squares
    RSS = sum w (y - X beta)^2 (the generalised Q), and the weights.
    """
    w = 1.0 / (v + tau2)
    sw = np.sqrt(w)
    q, r = np.linalg.qr(x * sw[:, None])
    beta = np.linalg.solve(r, q.T @ (sw * y))
    r_inv = np.linalg.inv(r)
    vb = r_inv @ r_inv.T
    resid = y - x @ beta
    return beta, vb, float(np.sum(w * resid**2)), w


def _qe(y: np.ndarray, v: np.ndarray, x: np.ndarray, tau2: float) -> float:
    """Generalised Q: residual sum of squares with weights 1/(v + tau2); decreasing in tau2."""
    if x.shape[1] == 1 and np.all(x == 1.0):
        w = 1.0 / (v + tau2)
        mu = float(np.sum(w * y) / np.sum(w))
        return float(np.sum(w * (y - mu) ** 2))
    return _wls(y, v, x, tau2)[2]


def _trace_p(v: np.ndarray, x: np.ndarray, tau2: float = 0.0) -> float:
    """tr(P), P = W - W X (X'WX)^-1 X'W, w = 1/(v + tau2). For an intercept only:
    sum w - sum w^2 / sum w."""
    w = 1.0 / (v + tau2)
    _, vb, _, _ = _wls(np.zeros_like(v), v, x, tau2)
    lever = w * np.einsum("ij,jk,ik->i", x, vb, x)
    return float(np.sum(w * (1.0 - lever)))


def _typical_variance(v: np.ndarray, x: np.ndarray) -> float:
    """'Typical' within-study variance s^2 = (k - p)/tr(P) with w = 1/v (Higgins & Thompson
    2002; metafor). Intercept only: (k-1) sum w / ((sum w)^2 - sum w^2)."""
    return (v.size - x.shape[1]) / _trace_p(v, x, 0.0)


def _is_intercept(x: np.ndarray) -> bool:
    return x.shape[1] == 1 and bool(np.all(x == 1.0))


def _reml_loglik_intercept(tau2s: np.ndarray, y: np.ndarray, v: np.ndarray) -> np.ndarray:
    """:func:`_reml_loglik` of the intercept-only model at every tau2 of ``tau2s`` at
    once (one row of k terms per tau2): log det(X'WX) = log sum w, RSS = sum w (y - mu)^2.
    Evaluating the 402-point grid in one array operation instead of 402 calls is what
    makes REML, and leave-one-out over hundreds of studies, fast (issue 11)."""
    vt = v[None, :] + np.asarray(tau2s, dtype=float)[:, None]
    w = 1.0 / vt
    sw = np.sum(w, axis=1)
    mu = np.sum(w * y[None, :], axis=1) / sw
    rss = np.sum(w * (y[None, :] - mu[:, None]) ** 2, axis=1)
    return -0.5 * (np.sum(np.log(vt), axis=1) + np.log(sw) + rss)


def _reml_loglik(tau2: float, y: np.ndarray, v: np.ndarray, x: np.ndarray) -> float:
    """Restricted log-likelihood without constants:
    -1/2 [sum log(v + tau2) + log det(X'WX) + RSS(tau2)], w = 1/(v + tau2)."""
    if _is_intercept(x):
        return float(_reml_loglik_intercept(np.array([tau2]), y, v)[0])
    _, vb, rss, _ = _wls(y, v, x, tau2)
    _, logdet_inv = np.linalg.slogdet(vb)
    return -0.5 * float(np.sum(np.log(v + tau2)) - logdet_inv + rss)


def _tau2_reml(y: np.ndarray, v: np.ndarray, x: np.ndarray) -> float:
    k, p = x.shape
    if k <= p:
        return 0.0
    spread = float(np.max((y - np.mean(y)) ** 2)) + float(np.max(v))
    upper = 10.0 * spread + 1e-12
    grid = np.concatenate(([0.0], upper * np.logspace(-10, 0, 401)))
    intercept = _is_intercept(x)
    if intercept:
        ll = _reml_loglik_intercept(grid, y, v)
    else:
        ll = np.array([_reml_loglik(t, y, v, x) for t in grid])
    i = int(np.argmax(ll))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    best = _dist.golden_max(lambda t: _reml_loglik(t, y, v, x), lo, hi, tol=1e-12 * max(1.0, hi))
    # polish with Fisher scoring (metafor's algorithm), kept only while it improves the fit:
    # score = 1/2 (y'PPy - tr P), information = 1/2 tr(PP)
    for _ in range(50):
        if intercept:
            score, info = _fisher_intercept(best, y, v)
        else:
            w = 1.0 / (v + best)
            _, vb, _, _ = _wls(y, v, x, best)
            wx = x * w[:, None]
            pmat = np.diag(w) - wx @ vb @ wx.T
            py = pmat @ y
            score = 0.5 * (float(py @ py) - float(np.trace(pmat)))
            info = 0.5 * float(np.sum(pmat * pmat))
        step = max(0.0, best + score / info)
        if not _reml_loglik(step, y, v, x) > _reml_loglik(best, y, v, x):
            break
        best = step
    if _reml_loglik(0.0, y, v, x) >= _reml_loglik(best, y, v, x):
        return 0.0
    return best


def _fisher_intercept(tau2: float, y: np.ndarray, v: np.ndarray) -> tuple[float, float]:
    """REML score and information of the intercept-only model without the k x k matrix
    P = W - w w'/sum w: P y = w (y - mu), tr P = sum w - sum w^2 / sum w, and
    tr(PP) = sum w^2 - 2 sum w^3 / sum w + (sum w^2)^2 / (sum w)^2."""
    w = 1.0 / (v + tau2)
    sw, sw2 = float(np.sum(w)), float(np.sum(w**2))
    mu = float(np.sum(w * y)) / sw
    py = w * (y - mu)
    trace = sw - sw2 / sw
    trace_pp = sw2 - 2.0 * float(np.sum(w**3)) / sw + (sw2 / sw) ** 2
    return 0.5 * (float(py @ py) - trace), 0.5 * trace_pp


def _tau2_dl(y: np.ndarray, v: np.ndarray, x: np.ndarray) -> float:
    k, p = x.shape
    if k <= p:
        return 0.0
    return max(0.0, (_qe(y, v, x, 0.0) - (k - p)) / _trace_p(v, x, 0.0))


def _upper_bracket(y: np.ndarray, v: np.ndarray, x: np.ndarray, target: float) -> float:
    """A tau2 where the generalised Q has fallen below ``target`` (doubling search)."""
    hi = max(float(np.var(y)), float(np.max(v)), 1e-8)
    for _ in range(2000):
        if _qe(y, v, x, hi) < target:
            return hi
        hi *= 2.0
    raise ValueError("could not bracket the heterogeneity variance (Q does not decrease)")


def _solve_qe(y: np.ndarray, v: np.ndarray, x: np.ndarray, target: float) -> float:
    """tau2 >= 0 with generalised Q(tau2) = target; 0 when Q(0) <= target."""
    if _qe(y, v, x, 0.0) <= target:
        return 0.0
    hi = _upper_bracket(y, v, x, target)
    return _dist.bisect_decreasing(lambda t: _qe(y, v, x, t), target, 0.0, hi)


def _tau2_pm(y: np.ndarray, v: np.ndarray, x: np.ndarray) -> float:
    k, p = x.shape
    if k <= p:
        return 0.0
    return _solve_qe(y, v, x, float(k - p))


def _tau2(method: str, y: np.ndarray, v: np.ndarray, x: np.ndarray) -> float:
    if method == "REML":
        return _tau2_reml(y, v, x)
    if method == "DL":
        return _tau2_dl(y, v, x)
    if method == "PM":
        return _tau2_pm(y, v, x)
    return 0.0


def _check_qprofile(qprofile: str) -> None:
    if qprofile not in QPROFILES:
        raise ValueError(f"qprofile must be one of {QPROFILES}, got {qprofile!r}")


def _qprofile(
    y: np.ndarray,
    v: np.ndarray,
    x: np.ndarray,
    level: float,
    qprofile: str = "exact",
    tau2: float = 0.0,
) -> tuple[float, float, tuple[str, ...]]:
    """Q-profile confidence interval for tau2 (Viechtbauer 2007; metafor ``confint``).

    The bounds solve Q(tau2) = chi2_{k-p, (1+level)/2} (lower) and chi2_{k-p, (1-level)/2}
    (upper) with Q the generalised Q; a bound is 0 when Q(0) is already below its target.
    ``qprofile="metafor"`` returns where metafor's search stops instead (``tau2``, the
    model's estimate, sets the end of its search interval).
    """
    if qprofile == "metafor":
        return _qprofile_metafor(y, v, x, level, tau2)
    df = x.shape[0] - x.shape[1]
    alpha = 1.0 - level
    lower = _solve_qe(y, v, x, _dist.chi2_isf(alpha / 2.0, df))
    upper = _solve_qe(y, v, x, _dist.chi2_isf(1.0 - alpha / 2.0, df))
    notes = ("tau2_ci_upper_bound_at_zero",) if upper == 0.0 else ()
    return lower, upper, notes


def _qprofile_metafor(
    y: np.ndarray, v: np.ndarray, x: np.ndarray, level: float, tau2: float
) -> tuple[float, float, tuple[str, ...]]:
    """The Q-profile bounds where metafor's ``confint.rma.uni`` (type "QP") stops.

    metafor searches each bound with R's ``uniroot`` (``_zeroin``: tol = eps^0.25, maxiter
    = 1000) on [tau2_min, tau2_max] = [min(0, tau2), max(100, 10 tau2, 10 tau2_min)] for
    the root of Q(t) - target. When Q(tau2_min) is below chi2_{(1-level)/2}, both bounds
    are tau2_min (metafor: "<", a null set for tau2_min = 0); when Q(tau2_min) is below
    chi2_{(1+level)/2}, the lower bound is tau2_min. When a bound lies beyond tau2_max,
    metafor prints only ">tau2_max"; this function then gives the exact root (a number that
    satisfies metafor's inequality, rather than tau2_max itself) and the note
    ``tau2_ci_upper_bound_beyond_metafor_search`` (or ``..._lower_...``).
    """
    df = x.shape[0] - x.shape[1]
    alpha = 1.0 - level
    crit_u = _dist.chi2_isf(alpha / 2.0, df)  # the lower bound's target
    crit_l = _dist.chi2_isf(1.0 - alpha / 2.0, df)  # the upper bound's target
    t_min = min(0.0, float(tau2))
    t_max = max(QPROFILE_METAFOR_MAX, 10.0 * float(tau2), 10.0 * t_min)
    q_min, q_max = _qe(y, v, x, t_min), _qe(y, v, x, t_max)
    notes: list[str] = []

    def bound(target: float, which: str) -> float:
        if q_max > target:
            notes.append(f"tau2_ci_{which}_bound_beyond_metafor_search")
            return _solve_qe(y, v, x, target)
        found = _zeroin.zeroin(
            lambda t: _qe(y, v, x, t) - target,
            t_min,
            t_max,
            tol=_zeroin.R_DEFAULT_TOL,
            maxiter=1000,
            f_lower=q_min - target,
            f_upper=q_max - target,
        )
        if not found.converged:
            notes.append("tau2_ci_search_not_converged")
        return found.root

    if q_min < crit_l:
        lower = upper = t_min
    else:
        upper = bound(crit_l, "upper")
        lower = t_min if q_min < crit_u else bound(crit_u, "lower")
    if upper == 0.0:
        notes.append("tau2_ci_upper_bound_at_zero")
    return lower, upper, tuple(notes)


# --------------------------------------------------------------------------- public tau2


def tau2_dl(yi: Sequence[float], vi: Sequence[float]) -> float:
    """DerSimonian-Laird: tau^2 = max(0, (Q - (k-1)) / (sum w - sum w^2 / sum w)), w = 1/v."""
    y, v = _prepare(yi, vi)
    return _tau2_dl(y, v, _intercept(y.size))


def tau2_pm(yi: Sequence[float], vi: Sequence[float]) -> float:
    """Paule-Mandel: the tau^2 >= 0 at which the generalised Q,
    sum (y_i - mu(tau^2))^2 / (v_i + tau^2), equals its expectation k - 1 (0 if Q(0) <= k-1).

    Solved by bisection (the generalised Q decreases in tau^2). Identical to the empirical
    Bayes estimator (Viechtbauer et al., Res Synth Methods 2015;6:195).
    """
    y, v = _prepare(yi, vi)
    return _tau2_pm(y, v, _intercept(y.size))


def tau2_reml(yi: Sequence[float], vi: Sequence[float]) -> float:
    """REML estimate of tau^2 (>= 0) by direct maximisation of the restricted likelihood.

    A log-spaced grid over [0, upper] locates the global maximum (guarding against local
    maxima; upper = 10 (max (y_i - mean y)^2 + max v_i)), golden-section search refines it,
    and Fisher scoring steps (metafor's algorithm) polish it while they raise the likelihood.
    Unlike plain Fisher scoring, this cannot stop at a boundary or local maximum when the
    global one lies elsewhere.
    """
    y, v = _prepare(yi, vi)
    return _tau2_reml(y, v, _intercept(y.size))


# --------------------------------------------------------------------------- main function


def meta_analysis(
    yi: Sequence[float],
    vi: Sequence[float],
    *,
    method: Method = "REML",
    test: Test | None = None,
    knapp_hartung: bool | None = None,
    prediction: Prediction = "hts",
    level: float = 0.95,
    heterogeneity_ci: bool = True,
    effect_measure: str | None = None,
    tau2: float | None = None,
    qprofile: QProfile = "exact",
) -> MetaResult:
    """Inverse-variance meta-analysis of effect sizes ``yi`` with sampling variances ``vi``.

    Weights w_i = 1/(v_i + tau^2) (tau^2 = 0 for "FE"); estimate = sum w y / sum w;
    SE = 1/sqrt(sum w).

    ``test`` (default "adhoc" for random effects, "z" for FE; see docs/synthesis-engine.md):
    "z" gives a Wald interval; "knha" (metafor ``test="knha"``) multiplies the SE by sqrt(q),
    q = sum w (y - est)^2 / (k-1), and uses t with k-1 df; "adhoc" (metafor
    ``test="adhoc"``) does the same with q replaced by max(1, q). ``knapp_hartung=True/False``
    is the older spelling of test="knha"/"z".

    Q = sum (1/v)(y - est_FE)^2 on k-1 df. For REML/DL/PM: I^2 = 100 tau^2/(tau^2 + s^2),
    H^2 = (tau^2 + s^2)/s^2, s^2 = (k-1) sum(1/v) / ((sum 1/v)^2 - sum 1/v^2); for FE, as
    metafor: I^2 = max(0, 100 (Q - (k-1))/Q), H^2 = Q/(k-1). With ``heterogeneity_ci`` the
    Q-profile interval for tau^2 and the I^2 and H^2 intervals that follow from it are added:
    ``qprofile="exact"`` (default) solves for its bounds to machine precision,
    ``qprofile="metafor"`` stops where metafor's ``confint`` does (R's ``uniroot``, tol
    eps^0.25 ~ 1.2e-4 in tau^2), which reproduces its printed 4th decimals.

    Prediction interval: ``prediction="hts"`` (default): est -/+ t_{k-2} sqrt(tau^2 + SE^2),
    only when k >= 3 (None otherwise, note ``prediction_interval_needs_k_3``), flagged
    ``pi_very_imprecise`` when k < 5. ``prediction="metafor"``: metafor's default, the normal
    quantile (t with k-1 df under Knapp-Hartung). SE is the one of the chosen test. No
    prediction interval for FE.

    ``tau2`` fixes tau^2 at a given value instead of estimating it (metafor ``tau2=``; for
    sensitivity analyses), noted as ``tau2_fixed``.

    With k = 1, tau^2 = 0, Q = 0 (p = 1), and the z test is used.
    """
    _check_method(method)
    test = _resolve_test(method, test, knapp_hartung)
    if prediction not in PREDICTIONS:
        raise ValueError(f"prediction must be one of {PREDICTIONS}, got {prediction!r}")
    _check_qprofile(qprofile)
    level = check_level(level)
    y, v = _prepare(yi, vi)
    k = int(y.size)
    x = _intercept(k)
    notes: list[str] = []

    fixed = _check_fixed_tau2(tau2, method)
    tau2 = _tau2(method, y, v, x) if fixed is None else fixed
    if fixed is not None:
        notes.append("tau2_fixed")
    elif method != "FE" and k > 1 and tau2 == 0.0:
        notes.append("tau2_at_zero_boundary")
    if k == 1:
        notes.append("single_study")

    w = 1.0 / (v + tau2)
    est = float(np.sum(w * y) / np.sum(w))
    se = float(1.0 / math.sqrt(np.sum(w)))

    df: int | None = None
    kh_q: float | None = None
    if test != "z" and k < 2:
        notes.append("knapp_hartung_needs_k_2_used_z")
        test = "z"
    if test != "z":
        if method == "FE":
            notes.append("knapp_hartung_with_common_effect_model")
        kh_q = float(np.sum(w * (y - est) ** 2) / (k - 1))
        factor = kh_q
        if test == "adhoc" and kh_q < 1.0:
            factor = 1.0
            notes.append("adhoc_q_below_1_set_to_1")
        se *= math.sqrt(factor)
        df = k - 1
    crit = _dist.z_crit(level) if df is None else _dist.t_crit(level, df)
    stat = est / se if se > 0 else math.copysign(math.inf, est)
    p = 2.0 * (_dist.norm_sf(abs(stat)) if df is None else _dist.t_sf(abs(stat), df))

    q = _qe(y, v, x, 0.0) if k > 1 else 0.0
    q_df = k - 1
    q_p = _dist.chi2_sf(q, q_df) if k > 1 else 1.0
    s2_typ = _typical_variance(v, x) if k > 1 else None
    if k == 1:
        i2, h2 = 0.0, 1.0
    elif method == "FE":
        i2 = max(0.0, 100.0 * (q - q_df) / q) if q > 0 else 0.0
        h2 = q / q_df
    else:
        i2 = float(100.0 * tau2 / (tau2 + s2_typ))
        h2 = float((tau2 + s2_typ) / s2_typ)

    het_ci: dict[str, float] = {}
    if heterogeneity_ci and method != "FE" and k > 1:
        lo, hi, ci_notes = _qprofile(y, v, x, level, qprofile, tau2)
        notes.extend(ci_notes)
        het_ci = {
            "tau2_ci_low": lo,
            "tau2_ci_high": hi,
            "tau_ci_low": math.sqrt(lo),
            "tau_ci_high": math.sqrt(hi),
            "i2_ci_low": 100.0 * lo / (lo + s2_typ),
            "i2_ci_high": 100.0 * hi / (hi + s2_typ),
            "h2_ci_low": (lo + s2_typ) / s2_typ,
            "h2_ci_high": (hi + s2_typ) / s2_typ,
        }

    pi_low = pi_high = None
    pi_df: int | None = None
    pi_method: str | None = None
    imprecise: bool | None = None
    if method != "FE":
        if prediction == "hts":
            if k >= PI_MIN_STUDIES:
                pi_df = k - 2
                half = _dist.t_crit(level, pi_df) * math.sqrt(tau2 + se**2)
                pi_low, pi_high = est - half, est + half
                pi_method = "hts"
                imprecise = k < PI_VERY_IMPRECISE_BELOW
            else:
                notes.append("prediction_interval_needs_k_3")
        else:
            half = crit * math.sqrt(tau2 + se**2)
            pi_low, pi_high = est - half, est + half
            pi_method, pi_df = "metafor", df
            imprecise = k < PI_VERY_IMPRECISE_BELOW

    return MetaResult(
        method=method,
        test=test,
        k=k,
        level=level,
        estimate=est,
        se=se,
        ci_low=est - crit * se,
        ci_high=est + crit * se,
        stat=stat,
        df=df,
        p=p,
        tau2=tau2,
        tau=math.sqrt(tau2),
        i2=i2,
        h2=h2,
        q=q,
        q_df=q_df,
        q_p=q_p,
        pi_low=pi_low,
        pi_high=pi_high,
        weights=tuple(float(x) for x in 100.0 * w / np.sum(w)),
        notes=tuple(notes),
        effect_measure=effect_measure,
        kh_q=kh_q,
        pi_method=pi_method,
        pi_df=pi_df,
        pi_very_imprecise=imprecise,
        **het_ci,
    )


def meta_analysis_of_effects(effects: Sequence[Effect], **kwargs: object) -> MetaResult:
    """``meta_analysis`` of ``Effect`` objects that share one measure code.

    Refuses (ValueError) effects without a variance and a mix of measures, so that, e.g.,
    Hedges' g (SMD) and g_z (SMCC) never end up in one pooled estimate. The result carries
    the measure code. Keyword arguments go to ``meta_analysis``.
    """
    if len(effects) == 0:
        raise ValueError("no studies to combine (k = 0)")
    measures = sorted({e.measure for e in effects})
    if len(measures) > 1:
        raise ValueError(f"effects use different measures {measures}; pool one measure at a time")
    if any(e.vi is None for e in effects):
        raise ValueError(f"some {measures[0]} effects have no variance and cannot be pooled")
    return meta_analysis(
        [e.yi for e in effects], [e.vi for e in effects], effect_measure=measures[0], **kwargs
    )


def _labels(labels: Sequence[str] | None, k: int) -> list[str]:
    if labels is None:
        return [str(i + 1) for i in range(k)]
    if len(labels) != k:
        raise ValueError(f"inputs have different lengths: labels={len(labels)}, yi={k}")
    return [str(x) for x in labels]


def leave_one_out(
    yi: Sequence[float],
    vi: Sequence[float],
    *,
    labels: Sequence[str] | None = None,
    method: Method = "REML",
    test: Test | None = None,
    knapp_hartung: bool | None = None,
    prediction: Prediction = "hts",
    level: float = 0.95,
    qprofile: QProfile = "exact",
    heterogeneity_ci: bool = True,
) -> tuple[LeaveOneOut, ...]:
    """Refit the meta-analysis k times, each time omitting one study (needs k >= 2).
    ``heterogeneity_ci=False``: without the Q-profile intervals of each refit (a root
    search each), for a caller that reads only the estimates."""
    y, v = _prepare(yi, vi)
    if y.size < 2:
        raise ValueError("leave-one-out needs at least 2 studies")
    names = _labels(labels, int(y.size))
    out = []
    for i in range(y.size):
        keep = np.arange(y.size) != i
        res = meta_analysis(
            y[keep],
            v[keep],
            method=method,
            test=test,
            knapp_hartung=knapp_hartung,
            prediction=prediction,
            level=level,
            qprofile=qprofile,
            heterogeneity_ci=heterogeneity_ci,
        )
        out.append(LeaveOneOut(i, names[i], res))
    return tuple(out)


def pool_by_group(
    yi: Sequence[float | None],
    vi: Sequence[float | None],
    groups: Sequence[str],
    *,
    min_studies: int = 2,
    labels: Sequence[str] | None = None,
    method: Method = "REML",
    test: Test | None = None,
    knapp_hartung: bool | None = None,
    prediction: Prediction = "hts",
    level: float = 0.95,
    qprofile: QProfile = "exact",
) -> dict[str, GroupPooling]:
    """Pool each design group separately (never across groups).

    A study has an effect size when both yi and vi are present (not None/NaN). A group is pooled
    only if it has at least ``min_studies`` such studies; otherwise it comes back with
    ``pooled=False`` and the reason ("described, not pooled"). Groups keep first-seen order.
    """
    n = check_same_length(yi=yi, vi=vi, groups=groups)
    min_studies = check_n(min_studies, "min_studies", 1)
    names = _labels(labels, n)
    ys = [np.nan if x is None else float(x) for x in yi]
    vs = [np.nan if x is None else float(x) for x in vi]
    out: dict[str, GroupPooling] = {}
    for g in dict.fromkeys(str(x) for x in groups):
        idx = [i for i in range(n) if str(groups[i]) == g]
        has = [i for i in idx if math.isfinite(ys[i]) and math.isfinite(vs[i])]
        all_labels = tuple(names[i] for i in idx)
        eff_labels = tuple(names[i] for i in has)
        if len(has) < min_studies:
            reason = (
                f"described, not pooled: {len(has)} of {len(idx)} studies have an effect size "
                f"with a variance; pooling needs at least {min_studies}"
            )
            out[g] = GroupPooling(
                g, len(idx), len(has), False, None, reason, all_labels, eff_labels
            )
            continue
        res = meta_analysis(
            [ys[i] for i in has],
            [vs[i] for i in has],
            method=method,
            test=test,
            knapp_hartung=knapp_hartung,
            prediction=prediction,
            level=level,
            qprofile=qprofile,
        )
        out[g] = GroupPooling(g, len(idx), len(has), True, res, None, all_labels, eff_labels)
    return out
