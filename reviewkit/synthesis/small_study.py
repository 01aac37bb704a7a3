"""Small-study effects: Egger's regression test and the data for a funnel plot.

Inputs: effect sizes ``yi`` and sampling variances ``vi`` (one per study).

* ``egger_test``: regression of the effects on their standard errors (Egger et al., BMJ
  1997;315:629; Sterne & Egger in Rothstein et al. 2005), as metafor's ``regtest`` with
  predictor "sei". ``model="lm"`` (default; the classical test): weighted least squares of y
  on SE with weights 1/v and a multiplicative dispersion, t test of the slope on k - 2 df
  (identical to regressing y/SE on 1/SE and testing the intercept). ``model="rma"``
  (metafor's default): mixed-effects meta-regression of y on SE (REML unless ``method``
  says otherwise), z test of the slope. Both report the "limit estimate", the intercept
  (the expected effect of a study with SE -> 0), with its interval.
* ``funnel_data``: each study's effect and SE, the centre line and the pseudo-confidence
  region centre -/+ z_{(1+level)/2} SE drawn from SE = 0 to the largest SE (metafor
  ``funnel``; Sterne et al., BMJ 2011;343:d4002).

Both return ``run=False`` with a reason, never a number, when there are fewer than
``MIN_STUDIES_SMALL_STUDY`` (10) studies: "tests for funnel plot asymmetry should be used
only when there are at least 10 studies" (Cochrane Handbook v6, 13.3.5.4; Sterne et al. 2011);
with fewer, the test cannot tell chance from asymmetry and a funnel plot cannot be read.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from reviewkit.conventions import MIN_STUDIES_SMALL_STUDY

from . import _dist
from ._checks import check_level, check_n
from .meta import Method, Test, _labels, _prepare, meta_analysis
from .moderators import meta_regression

__all__ = ["MIN_STUDIES_SMALL_STUDY", "EggerTest", "FunnelData", "egger_test", "funnel_data"]


def _not_enough(k: int, minimum: int, what: str) -> str:
    return f"not run: {what} needs at least {minimum} studies, k = {k}"


@dataclass(frozen=True)
class EggerTest:
    """Egger's regression test for funnel-plot asymmetry.

    run False (statistics None) when k < min_studies; ``reason`` says why. model: "lm" or
    "rma"; stat_type "t" (df = k - 2) or "z"; stat, p: test of the slope on the SE (the
    asymmetry); slope: its estimate; limit_estimate (intercept) with limit_ci_low/high.
    """

    run: bool
    reason: str | None
    k: int
    min_studies: int
    model: str
    level: float
    predictor: str = "sei"
    method: str | None = None
    stat_type: str | None = None
    stat: float | None = None
    df: int | None = None
    p: float | None = None
    slope: float | None = None
    limit_estimate: float | None = None
    limit_ci_low: float | None = None
    limit_ci_high: float | None = None


def egger_test(
    yi: Sequence[float],
    vi: Sequence[float],
    *,
    model: Literal["lm", "rma"] = "lm",
    method: Method = "REML",
    test: Test = "z",
    level: float = 0.95,
    min_studies: int = MIN_STUDIES_SMALL_STUDY,
) -> EggerTest:
    """Egger's regression test (see module docstring). ``method`` and ``test`` apply to
    ``model="rma"`` only (metafor's ``regtest`` default: the fitted model's method, z test)."""
    if model not in ("lm", "rma"):
        raise ValueError(f"model must be 'lm' or 'rma', got {model!r}")
    level = check_level(level)
    min_studies = check_n(min_studies, "min_studies", 3)
    y, v = _prepare(yi, vi)
    k = int(y.size)
    if k < min_studies:
        return EggerTest(
            False, _not_enough(k, min_studies, "Egger's test"), k, min_studies, model, level
        )
    sei = np.sqrt(v)
    if model == "rma":
        reg = meta_regression(
            y,
            v,
            {"sei": sei},
            method=method,
            test=test,
            level=level,
            min_studies=min_studies,
            heterogeneity_ci=False,
        )
        intercept, slope = reg.coefficients
        return EggerTest(
            True,
            None,
            k,
            min_studies,
            model,
            level,
            method=method,
            stat_type="z" if reg.df is None else "t",
            stat=slope.stat,
            df=reg.df,
            p=slope.p,
            slope=slope.estimate,
            limit_estimate=intercept.estimate,
            limit_ci_low=intercept.ci_low,
            limit_ci_high=intercept.ci_high,
        )
    # weighted least squares with multiplicative dispersion (R: lm(yi ~ sei, weights=1/vi))
    x = np.column_stack([np.ones(k), sei])
    w = 1.0 / v
    xtwx = (x * w[:, None]).T @ x
    beta = np.linalg.solve(xtwx, (x * w[:, None]).T @ y)
    df = k - 2
    sigma2 = float(np.sum(w * (y - x @ beta) ** 2)) / df
    se = np.sqrt(np.diag(np.linalg.inv(xtwx)) * sigma2)
    stat = float(beta[1] / se[1])
    crit = _dist.t_crit(level, df)
    return EggerTest(
        True,
        None,
        k,
        min_studies,
        model,
        level,
        stat_type="t",
        stat=stat,
        df=df,
        p=2.0 * _dist.t_sf(abs(stat), df),
        slope=float(beta[1]),
        limit_estimate=float(beta[0]),
        limit_ci_low=float(beta[0] - crit * se[0]),
        limit_ci_high=float(beta[0] + crit * se[0]),
    )


@dataclass(frozen=True)
class FunnelData:
    """Data for a funnel plot (effects on x, standard errors on y, inverted).

    run False (no points) when k < min_studies. centre: the pooled estimate the funnel is
    drawn around (``centre_source`` says which); the pseudo-confidence limits are the lines
    from (centre, 0) to (lower_at_se_max, se_max) and (upper_at_se_max, se_max), i.e.
    centre -/+ z_{(1+level)/2} SE.
    """

    run: bool
    reason: str | None
    k: int
    min_studies: int
    level: float
    labels: tuple[str, ...] = ()
    yi: tuple[float, ...] = ()
    se: tuple[float, ...] = ()
    centre: float | None = None
    centre_source: str | None = None
    se_max: float | None = None
    lower_at_se_max: float | None = None
    upper_at_se_max: float | None = None


def funnel_data(
    yi: Sequence[float],
    vi: Sequence[float],
    *,
    labels: Sequence[str] | None = None,
    centre: float | None = None,
    level: float = 0.95,
    min_studies: int = MIN_STUDIES_SMALL_STUDY,
) -> FunnelData:
    """Points and pseudo-confidence limits for a funnel plot (see module docstring).

    ``centre`` defaults to the common-effect (inverse-variance) estimate, as RevMan draws
    its funnel plots; pass the random-effects estimate to centre there instead.
    """
    level = check_level(level)
    min_studies = check_n(min_studies, "min_studies", 1)
    y, v = _prepare(yi, vi)
    k = int(y.size)
    names = _labels(labels, k)
    if k < min_studies:
        return FunnelData(
            False, _not_enough(k, min_studies, "a funnel plot"), k, min_studies, level
        )
    if centre is None:
        centre = meta_analysis(y, v, method="FE", heterogeneity_ci=False).estimate
        source = "common_effect"
    else:
        centre = float(centre)
        if not math.isfinite(centre):
            raise ValueError(f"centre must be a finite number, got {centre!r}")
        source = "given"
    se = np.sqrt(v)
    se_max = float(np.max(se))
    half = _dist.z_crit(level) * se_max
    return FunnelData(
        True,
        None,
        k,
        min_studies,
        level,
        tuple(names),
        tuple(float(x) for x in y),
        tuple(float(x) for x in se),
        float(centre),
        source,
        se_max,
        float(centre) - half,
        float(centre) + half,
    )
