"""Heterogeneity by study characteristics: subgroup analysis and meta-regression.

Inputs: effect sizes ``yi``, sampling variances ``vi`` and, per study, a subgroup label or the
value(s) of moderator variables.

* ``subgroup_analysis``: a separate random-effects meta-analysis in every subgroup (each with
  its own tau^2) and the test for subgroup differences, Q_between = sum w_g (mu_g - mu_w)^2
  with w_g = 1/SE_g^2 on G - 1 df, plus I^2 for subgroup differences
  max(0, (Q_between - (G-1))/Q_between) (Borenstein & Higgins, Prev Sci 2013;14:134;
  Cochrane Handbook v6, 10.11.3.1; as RevMan and R's meta with separate tau^2).
* ``meta_regression``: mixed-effects meta-regression y = X beta + u + e (metafor ``rma``
  with ``mods``), tau^2 by REML (or DL, PM; FE for a fixed-effects meta-regression),
  Wald z tests or Knapp-Hartung t tests, QE (residual heterogeneity), QM (omnibus test of
  the moderators; F with Knapp-Hartung), residual I^2 and H^2, R^2 (proportional reduction
  of tau^2) and the Q-profile interval for the residual tau^2 (Viechtbauer 2007).

Both return a result with ``run=False`` and a ``reason`` instead of numbers when there are
fewer than ``MIN_STUDIES_MODERATORS`` (10) studies: the Cochrane Handbook v6 (10.11.5.1)
advises that meta-regression should generally not be considered with fewer than ten
studies, and subgroup comparisons with few studies are just as underpowered and prone to
spurious findings (see docs/synthesis-engine.md).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from reviewkit.conventions import MIN_STUDIES_MODERATORS

from . import _dist
from ._checks import as_1d, check_level, check_n, check_same_length
from .meta import (
    MetaResult,
    Method,
    QProfile,
    Test,
    _check_fixed_tau2,
    _check_method,
    _check_qprofile,
    _intercept,
    _labels,
    _prepare,
    _qe,
    _qprofile,
    _resolve_test,
    _tau2,
    _typical_variance,
    _wls,
    meta_analysis,
)

__all__ = [
    "MIN_STUDIES_MODERATORS",
    "Coefficient",
    "MetaRegression",
    "Subgroup",
    "SubgroupAnalysis",
    "meta_regression",
    "subgroup_analysis",
]


def _not_enough(k: int, minimum: int, what: str) -> str:
    return f"not run: {what} needs at least {minimum} studies, k = {k}"


@dataclass(frozen=True)
class Subgroup:
    """One subgroup: its name, its studies' labels and its own meta-analysis."""

    name: str
    k: int
    labels: tuple[str, ...]
    result: MetaResult


@dataclass(frozen=True)
class SubgroupAnalysis:
    """Subgroup analysis with the test for subgroup differences.

    run is False (and every statistic None, ``subgroups`` empty) when k < min_studies or
    there is only one subgroup; ``reason`` says why. q_between is computed from each
    subgroup's estimate and its inverse-variance SE (without Knapp-Hartung rescaling), on
    df_between = G - 1; i2_between in percent.
    """

    run: bool
    reason: str | None
    k: int
    min_studies: int
    method: str
    level: float
    subgroups: tuple[Subgroup, ...] = ()
    q_between: float | None = None
    df_between: int | None = None
    p_between: float | None = None
    i2_between: float | None = None


def subgroup_analysis(
    yi: Sequence[float],
    vi: Sequence[float],
    groups: Sequence[str],
    *,
    labels: Sequence[str] | None = None,
    method: Method = "REML",
    test: Test | None = None,
    prediction: str = "hts",
    level: float = 0.95,
    min_studies: int = MIN_STUDIES_MODERATORS,
    qprofile: QProfile = "exact",
) -> SubgroupAnalysis:
    """Separate meta-analyses per subgroup (first-seen order) and the test for subgroup
    differences (see module docstring). Keyword arguments ``method``, ``test``,
    ``prediction``, ``level`` and ``qprofile`` go to each subgroup's ``meta_analysis``."""
    _check_method(method)
    _check_qprofile(qprofile)
    level = check_level(level)
    min_studies = check_n(min_studies, "min_studies", 2)
    y, v = _prepare(yi, vi)
    k = int(y.size)
    check_same_length(yi=y, groups=groups)
    names = _labels(labels, k)
    if k < min_studies:
        return SubgroupAnalysis(
            False, _not_enough(k, min_studies, "a subgroup analysis"), k, min_studies, method, level
        )
    keys = list(dict.fromkeys(str(g) for g in groups))
    if len(keys) < 2:
        return SubgroupAnalysis(
            False, "not run: all studies are in one subgroup", k, min_studies, method, level
        )
    subgroups = []
    est, var = [], []
    for key in keys:
        idx = [i for i in range(k) if str(groups[i]) == key]
        res = meta_analysis(
            y[idx],
            v[idx],
            method=method,
            test=test,
            prediction=prediction,
            level=level,
            qprofile=qprofile,
        )
        classic = (
            res
            if res.test == "z"
            else meta_analysis(
                y[idx], v[idx], method=method, test="z", heterogeneity_ci=False, level=level
            )
        )
        subgroups.append(Subgroup(key, len(idx), tuple(names[i] for i in idx), res))
        est.append(classic.estimate)
        var.append(classic.se**2)
    w = 1.0 / np.array(var)
    mu = float(np.sum(w * np.array(est)) / np.sum(w))
    q_b = float(np.sum(w * (np.array(est) - mu) ** 2))
    df_b = len(keys) - 1
    i2_b = max(0.0, 100.0 * (q_b - df_b) / q_b) if q_b > 0 else 0.0
    return SubgroupAnalysis(
        True,
        None,
        k,
        min_studies,
        method,
        level,
        tuple(subgroups),
        q_b,
        df_b,
        _dist.chi2_sf(q_b, df_b),
        i2_b,
    )


@dataclass(frozen=True)
class Coefficient:
    """One meta-regression coefficient with its z or t test and confidence interval."""

    name: str
    estimate: float
    se: float
    stat: float
    p: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class MetaRegression:
    """Mixed-effects (or, with method "FE", fixed-effects) meta-regression.

    run is False (statistics None) when k < min_studies or the model has as many
    coefficients as studies; ``reason`` says why. test: "z", "knha" or "adhoc"; df: t
    degrees of freedom k - p (None for z). tau2 (residual), i2, h2 (residual, percent and
    ratio), r2 (percent of the intercept-only model's tau2 explained; None when that tau2
    is 0 or for FE); qe on qe_df = k - p (residual heterogeneity); qm on qm_df moderators
    (chi-square), or an F statistic on (qm_df, df) under Knapp-Hartung; Q-profile limits
    of the residual tau2 and of i2 and h2.
    """

    run: bool
    reason: str | None
    k: int
    min_studies: int
    method: str
    level: float
    test: str | None = None
    coefficients: tuple[Coefficient, ...] = ()
    df: int | None = None
    tau2: float | None = None
    tau: float | None = None
    i2: float | None = None
    h2: float | None = None
    r2: float | None = None
    qe: float | None = None
    qe_df: int | None = None
    qe_p: float | None = None
    qm: float | None = None
    qm_df: int | None = None
    qm_p: float | None = None
    kh_q: float | None = None
    tau2_ci_low: float | None = None
    tau2_ci_high: float | None = None
    i2_ci_low: float | None = None
    i2_ci_high: float | None = None
    h2_ci_low: float | None = None
    h2_ci_high: float | None = None
    notes: tuple[str, ...] = ()


def _design_matrix(
    moderators: Mapping[str, Sequence[object]] | Sequence[float], k: int, intercept: bool
) -> tuple[np.ndarray, list[str]]:
    """Columns from moderators: numbers as they are; text dummy-coded with the
    alphabetically first level as reference (as R's factor coding), named name+level."""
    if not isinstance(moderators, Mapping):
        moderators = {"x": moderators}
    if not moderators:
        raise ValueError("give at least one moderator")
    cols: list[np.ndarray] = []
    names: list[str] = []
    if intercept:
        cols.append(np.ones(k))
        names.append("intercept")
    for name, values in moderators.items():
        if len(values) != k:
            raise ValueError(f"moderator {name!r} has {len(values)} values for {k} studies")
        if all(isinstance(x, int | float | np.integer | np.floating) for x in values):
            col = as_1d([float(x) for x in values], name)
            if not np.all(np.isfinite(col)):
                raise ValueError(f"moderator {name!r} has missing values; drop those studies")
            cols.append(col)
            names.append(str(name))
            continue
        text = [str(x) for x in values]
        levels = sorted(set(text))
        if len(levels) < 2:
            raise ValueError(f"moderator {name!r} has a single level {levels}")
        for level_name in levels[1:] if intercept else levels:
            cols.append(np.array([1.0 if t == level_name else 0.0 for t in text]))
            names.append(f"{name}{level_name}")
    return np.column_stack(cols), names


def meta_regression(
    yi: Sequence[float],
    vi: Sequence[float],
    moderators: Mapping[str, Sequence[object]] | Sequence[float],
    *,
    method: Method = "REML",
    test: Test | None = None,
    level: float = 0.95,
    intercept: bool = True,
    heterogeneity_ci: bool = True,
    min_studies: int = MIN_STUDIES_MODERATORS,
    tau2: float | None = None,
    qprofile: QProfile = "exact",
) -> MetaRegression:
    """Meta-regression of ``yi`` on ``moderators`` (a numeric sequence, or a mapping of
    names to numeric or text columns; text is dummy-coded). Default test as
    ``meta_analysis``: "adhoc" Knapp-Hartung for random effects, "z" for FE.

    beta = (X'WX)^-1 X'W y with w = 1/(v + tau^2); Var(beta) = (X'WX)^-1, times q (Knapp-
    Hartung, q = RSS/(k - p); "adhoc": max(1, q)) with t on k - p df. QE = RSS at tau^2 = 0 on
    k - p df; QM = b' Var(b)^-1 b over the non-intercept coefficients (divided by their
    number m and referred to F(m, k - p) under Knapp-Hartung). Residual I^2 = 100 tau^2/
    (tau^2 + s^2), s^2 = (k - p)/tr(P), P = W - WX(X'WX)^-1X'W with w = 1/v (metafor).
    R^2 = max(0, 100 (tau^2_0 - tau^2)/tau^2_0), tau^2_0 from the model without moderators.
    ``tau2`` fixes the residual tau^2 instead of estimating it (metafor ``tau2=``).
    ``qprofile`` chooses the Q-profile bounds as ``meta_analysis`` ("exact" or "metafor").
    """
    _check_method(method)
    _check_qprofile(qprofile)
    test = _resolve_test(method, test, None)
    level = check_level(level)
    min_studies = check_n(min_studies, "min_studies", 2)
    y, v = _prepare(yi, vi)
    k = int(y.size)
    x, names = _design_matrix(moderators, k, intercept)
    p = x.shape[1]
    if k < min_studies:
        return MetaRegression(
            False, _not_enough(k, min_studies, "a meta-regression"), k, min_studies, method, level
        )
    if np.linalg.matrix_rank(x) < p:
        raise ValueError("the moderators are collinear (the design matrix is not of full rank)")
    if k <= p:
        return MetaRegression(
            False,
            f"not run: {p} coefficients need more than {p} studies, k = {k}",
            k,
            min_studies,
            method,
            level,
        )
    notes: list[str] = []
    fixed = _check_fixed_tau2(tau2, method)
    tau2 = _tau2(method, y, v, x) if fixed is None else fixed
    if fixed is not None:
        notes.append("tau2_fixed")
    elif method != "FE" and tau2 == 0.0:
        notes.append("tau2_at_zero_boundary")
    beta, vb, rss, _ = _wls(y, v, x, tau2)
    df: int | None = None
    kh_q = None
    if test != "z":
        if method == "FE":
            notes.append("knapp_hartung_with_common_effect_model")
        kh_q = rss / (k - p)
        factor = kh_q
        if test == "adhoc" and kh_q < 1.0:
            factor = 1.0
            notes.append("adhoc_q_below_1_set_to_1")
        vb = vb * factor
        df = k - p
    se = np.sqrt(np.diag(vb))
    crit = _dist.z_crit(level) if df is None else _dist.t_crit(level, df)
    coefs = []
    for j, name in enumerate(names):
        stat = float(beta[j] / se[j])
        pval = 2.0 * (_dist.norm_sf(abs(stat)) if df is None else _dist.t_sf(abs(stat), df))
        coefs.append(
            Coefficient(
                name,
                float(beta[j]),
                float(se[j]),
                stat,
                pval,
                float(beta[j] - crit * se[j]),
                float(beta[j] + crit * se[j]),
            )
        )
    mods = list(range(1, p)) if intercept else list(range(p))
    qm = qm_p = None
    if mods:
        b = beta[mods]
        qm = float(b @ np.linalg.solve(vb[np.ix_(mods, mods)], b))
        if df is None:
            qm_p = _dist.chi2_sf(qm, len(mods))
        else:
            qm = qm / len(mods)
            qm_p = _dist.f_sf(qm, len(mods), df)
    qe = _qe(y, v, x, 0.0)
    qe_df = k - p
    s2 = _typical_variance(v, x)
    if method == "FE":
        i2 = max(0.0, 100.0 * (qe - qe_df) / qe) if qe > 0 else 0.0
        h2 = qe / qe_df
    else:
        i2 = 100.0 * tau2 / (tau2 + s2)
        h2 = (tau2 + s2) / s2
    r2 = None
    if method != "FE" and intercept:
        tau2_0 = _tau2(method, y, v, _intercept(k))
        if tau2_0 > 0:
            r2 = max(0.0, 100.0 * (tau2_0 - tau2) / tau2_0)
        else:
            notes.append("r2_undefined_tau2_without_moderators_is_0")
    het: dict[str, float] = {}
    if heterogeneity_ci and method != "FE":
        lo, hi, ci_notes = _qprofile(y, v, x, level, qprofile, tau2)
        notes.extend(ci_notes)
        het = {
            "tau2_ci_low": lo,
            "tau2_ci_high": hi,
            "i2_ci_low": 100.0 * lo / (lo + s2),
            "i2_ci_high": 100.0 * hi / (hi + s2),
            "h2_ci_low": (lo + s2) / s2,
            "h2_ci_high": (hi + s2) / s2,
        }
    return MetaRegression(
        True,
        None,
        k,
        min_studies,
        method,
        level,
        test=test,
        coefficients=tuple(coefs),
        df=df,
        tau2=tau2,
        tau=math.sqrt(tau2),
        i2=i2,
        h2=h2,
        r2=r2,
        qe=qe,
        qe_df=qe_df,
        qe_p=_dist.chi2_sf(qe, qe_df),
        qm=qm,
        qm_df=len(mods) if mods else None,
        qm_p=qm_p,
        kh_q=kh_q,
        notes=tuple(notes),
        **het,
    )
