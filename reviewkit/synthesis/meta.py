"""Inverse-variance meta-analysis: common effect, random effects (REML, DerSimonian-Laird),
Knapp-Hartung intervals, heterogeneity, prediction interval, leave-one-out and pooling by
design group.

Definitions follow metafor's ``rma.uni`` and ``predict.rma`` (Viechtbauer 2010; metafor 4.x);
checked against ``dat.bcg`` results in the tests.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import optimize, stats

from ._checks import as_1d, check_level, check_n, check_same_length

__all__ = [
    "GroupPooling",
    "LeaveOneOut",
    "MetaResult",
    "leave_one_out",
    "meta_analysis",
    "pool_by_group",
    "tau2_dl",
    "tau2_reml",
]

Method = Literal["REML", "DL", "FE"]
_METHODS = ("REML", "DL", "FE")


@dataclass(frozen=True)
class MetaResult:
    """Result of one meta-analysis.

    method: "REML", "DL" or "FE" (common/fixed effect); test: "z" or "knha" (Knapp-Hartung,
    t with k-1 df); estimate, se, ci_low, ci_high; stat (z or t), df (None for z), p;
    tau2, tau; i2 (percent), h2; q, q_df, q_p (Cochran's Q on k-1 df);
    pi_low, pi_high (prediction interval; None for FE); weights (percent, in input order);
    notes: remarks such as boundary estimates or k=1.
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


# --------------------------------------------------------------------------- helpers


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


def _q_stat(y: np.ndarray, v: np.ndarray) -> float:
    """Cochran's Q = sum w_i (y_i - mu_FE)^2 with w_i = 1/v_i."""
    w = 1.0 / v
    mu = np.sum(w * y) / np.sum(w)
    return float(np.sum(w * (y - mu) ** 2))


def tau2_dl(yi: Sequence[float], vi: Sequence[float]) -> float:
    """DerSimonian-Laird: tau^2 = max(0, (Q - (k-1)) / (sum w - sum w^2 / sum w)), w = 1/v."""
    y, v = _prepare(yi, vi)
    if y.size == 1:
        return 0.0
    w = 1.0 / v
    c = np.sum(w) - np.sum(w**2) / np.sum(w)
    return max(0.0, float((_q_stat(y, v) - (y.size - 1)) / c))


def _reml_loglik(tau2: float, y: np.ndarray, v: np.ndarray) -> float:
    """Restricted log-likelihood (constant dropped):
    -1/2 [sum log(v_i + tau2) + log(sum w_i) + sum w_i (y_i - mu(tau2))^2], w_i = 1/(v_i+tau2).
    """
    w = 1.0 / (v + tau2)
    mu = np.sum(w * y) / np.sum(w)
    return -0.5 * float(np.sum(np.log(v + tau2)) + math.log(np.sum(w)) + np.sum(w * (y - mu) ** 2))


def tau2_reml(yi: Sequence[float], vi: Sequence[float]) -> float:
    """REML estimate of tau^2 (>= 0) by direct maximisation of the restricted likelihood.

    A log-spaced grid over [0, upper] locates the global maximum (guarding against local
    maxima; upper = 10 (max (y_i - mean y)^2 + max v_i)), bounded Brent refines it, and
    Fisher scoring steps (metafor's algorithm) polish it while they raise the likelihood.
    Unlike plain Fisher scoring, this cannot stop at a boundary or local maximum when the
    global one lies elsewhere.
    """
    y, v = _prepare(yi, vi)
    if y.size == 1:
        return 0.0
    upper = 10.0 * (float(np.max((y - np.mean(y)) ** 2)) + float(np.max(v))) + 1e-12
    grid = np.concatenate(([0.0], upper * np.logspace(-10, 0, 401)))
    ll = np.array([_reml_loglik(t, y, v) for t in grid])
    i = int(np.argmax(ll))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    res = optimize.minimize_scalar(
        lambda t: -_reml_loglik(t, y, v),
        bounds=(lo, hi),
        method="bounded",
        options={"xatol": 1e-12 * max(1.0, hi)},
    )
    best = float(res.x)
    # polish with Fisher scoring (metafor's algorithm), kept only while it improves the fit
    for _ in range(50):
        w = 1.0 / (v + best)
        sw, sw2, sw3 = float(np.sum(w)), float(np.sum(w**2)), float(np.sum(w**3))
        py = w * (y - np.sum(w * y) / sw)
        score = 0.5 * (float(np.sum(py**2)) - (sw - sw2 / sw))
        info = 0.5 * (sw2 - 2.0 * sw3 / sw + (sw2 / sw) ** 2)
        step = max(0.0, best + score / info)
        if not _reml_loglik(step, y, v) > _reml_loglik(best, y, v):
            break
        best = step
    if _reml_loglik(0.0, y, v) >= _reml_loglik(best, y, v):
        return 0.0
    return best


def _z_or_t(level: float, df: int | None) -> float:
    if df is None:
        return float(stats.norm.ppf(0.5 + level / 2))
    return float(stats.t.ppf(0.5 + level / 2, df))


# --------------------------------------------------------------------------- main function


def meta_analysis(
    yi: Sequence[float],
    vi: Sequence[float],
    *,
    method: Method = "REML",
    knapp_hartung: bool = False,
    level: float = 0.95,
) -> MetaResult:
    """Inverse-variance meta-analysis of effect sizes ``yi`` with sampling variances ``vi``.

    Weights w_i = 1/(v_i + tau^2) (tau^2 = 0 for "FE"); estimate = sum w y / sum w;
    SE = 1/sqrt(sum w); Wald CI and z test. With ``knapp_hartung`` (metafor ``test="knha"``):
    SE_KH = SE * sqrt(sum w (y - est)^2 / (k-1)), t distribution with k-1 df, no truncation.
    Q = sum (1/v)(y - est_FE)^2 on k-1 df. For REML/DL: I^2 = 100 tau^2/(tau^2 + s^2) and
    H^2 = (tau^2 + s^2)/s^2 with s^2 = (k-1) sum(1/v) / ((sum 1/v)^2 - sum 1/v^2); for FE,
    as in metafor: I^2 = max(0, 100 (Q - (k-1))/Q), H^2 = Q/(k-1).
    Prediction interval (metafor ``predict.rma`` default): est -/+ crit sqrt(tau^2 + SE^2),
    crit from the normal, or from t(k-1) with Knapp-Hartung (SE then being SE_KH).
    With k = 1, tau^2 = 0, Q = 0 (p = 1), and the z test is used.
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    level = check_level(level)
    y, v = _prepare(yi, vi)
    k = int(y.size)
    notes: list[str] = []

    if method == "REML":
        tau2 = tau2_reml(y, v)
    elif method == "DL":
        tau2 = tau2_dl(y, v)
    else:
        tau2 = 0.0
    if method != "FE" and k > 1 and tau2 == 0.0:
        notes.append("tau2_at_zero_boundary")
    if k == 1:
        notes.append("single_study")

    w = 1.0 / (v + tau2)
    est = float(np.sum(w * y) / np.sum(w))
    se = float(1.0 / math.sqrt(np.sum(w)))

    test = "z"
    df: int | None = None
    if knapp_hartung:
        if k < 2:
            notes.append("knapp_hartung_needs_k_2_used_z")
        else:
            s2 = float(np.sum(w * (y - est) ** 2) / (k - 1))
            se *= math.sqrt(s2)
            test, df = "knha", k - 1
    crit = _z_or_t(level, df)
    stat = est / se
    p = float(2 * (stats.norm.sf(abs(stat)) if df is None else stats.t.sf(abs(stat), df)))

    q = _q_stat(y, v) if k > 1 else 0.0
    q_df = k - 1
    q_p = float(stats.chi2.sf(q, q_df)) if k > 1 else 1.0
    wf = 1.0 / v
    if k == 1:
        i2, h2 = 0.0, 1.0
    elif method == "FE":
        i2 = max(0.0, 100.0 * (q - q_df) / q) if q > 0 else 0.0
        h2 = q / q_df
    else:
        s2_typ = q_df * np.sum(wf) / (np.sum(wf) ** 2 - np.sum(wf**2))
        i2 = float(100.0 * tau2 / (tau2 + s2_typ))
        h2 = float((tau2 + s2_typ) / s2_typ)

    if method == "FE":
        pi_low = pi_high = None
    else:
        half = crit * math.sqrt(tau2 + se**2)
        pi_low, pi_high = est - half, est + half

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
    knapp_hartung: bool = False,
    level: float = 0.95,
) -> tuple[LeaveOneOut, ...]:
    """Refit the meta-analysis k times, each time omitting one study (needs k >= 2)."""
    y, v = _prepare(yi, vi)
    if y.size < 2:
        raise ValueError("leave-one-out needs at least 2 studies")
    names = _labels(labels, int(y.size))
    out = []
    for i in range(y.size):
        keep = np.arange(y.size) != i
        res = meta_analysis(
            y[keep], v[keep], method=method, knapp_hartung=knapp_hartung, level=level
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
    knapp_hartung: bool = False,
    level: float = 0.95,
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
            knapp_hartung=knapp_hartung,
            level=level,
        )
        out[g] = GroupPooling(g, len(idx), len(has), True, res, None, all_labels, eff_labels)
    return out
