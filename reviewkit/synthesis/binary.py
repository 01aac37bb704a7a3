"""Common-effect pooling of 2x2 tables: Mantel-Haenszel (OR, RR, RD) and Peto's odds ratio.

Inputs: per study the events and group sizes of group 1 (e.g. intervention) and group 2
(control). Estimates are on the log scale for OR and RR (measure codes "logOR", "logRR") and
on the risk scale for RD.

Formulas as metafor's ``rma.mh`` and ``rma.peto`` (Viechtbauer, J Stat Softw 2010;36(3)):

* MH odds ratio: OR = sum(a d / N) / sum(b c / N); variance of log OR by Robins, Breslow &
  Greenland (Biometrics 1986;42:311).
* MH risk ratio: RR = sum(a n2 / N) / sum(c n1 / N); variance of log RR by Greenland &
  Robins (Biometrics 1985;41:55).
* MH risk difference: RD = sum(a n2 - c n1)/N / sum(n1 n2 / N); variance by Sato,
  Greenland & Robins (Biometrics 1989;45:1323), which metafor uses (Stata's metan uses the
  Greenland & Robins 1985 variance, which differs slightly).
* Peto: log OR = sum(O - E) / sum V, SE = 1/sqrt(sum V), with E = n1 (a + c)/N and
  V = (a + c)(b + d) n1 n2 / (N^2 (N - 1)) (Yusuf et al., Prog Cardiovasc Dis 1985;27:335).

The pooled estimate uses the raw counts (no continuity correction; metafor's default). The
heterogeneity Q uses each study's own estimate with 0.5 added to tables with a zero cell, and
leaves out studies with no events (or only events) in both groups (metafor ``drop00=TRUE``);
for Peto, Q = sum (O - E)^2 / V - (sum (O - E))^2 / sum V. I^2 and H^2 from Q, as metafor.
For OR, the Cochran-Mantel-Haenszel test (with continuity correction) and Tarone's test for
heterogeneity are reported too. Peto's method is meant for rare events with balanced groups
(Cochrane Handbook v6, 10.4.4.2).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from . import _dist
from ._checks import check_level, check_n, check_same_length
from .effect_sizes import log_odds_ratio, log_risk_ratio, risk_difference

__all__ = ["BinaryPooled", "mantel_haenszel", "peto_odds_ratio"]

MHMeasure = Literal["OR", "RR", "RD"]


@dataclass(frozen=True)
class BinaryPooled:
    """Common-effect result of ``mantel_haenszel`` or ``peto_odds_ratio``.

    method: "MH" or "Peto"; measure: "logOR", "logRR" or "RD"; k: tables; estimate, se,
    ci_low, ci_high, z, p (Wald, normal); q, q_df, q_p, i2 (percent), h2 from the per-study
    estimates (q_df = studies with an estimable effect - 1); cmh, cmh_p (Cochran-Mantel-
    Haenszel test, OR only) and tarone, tarone_df, tarone_p (Tarone's heterogeneity test,
    OR only); k_double_zero: tables without events (or only events) in both groups; notes.
    Exponentiate estimate and limits for OR/RR on the ratio scale.
    """

    method: str
    measure: str
    k: int
    level: float
    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    z: float | None
    p: float | None
    q: float
    q_df: int
    q_p: float
    i2: float
    h2: float
    k_double_zero: int
    cmh: float | None = None
    cmh_p: float | None = None
    tarone: float | None = None
    tarone_df: int | None = None
    tarone_p: float | None = None
    notes: tuple[str, ...] = ()


def _tables(
    events1: Sequence[int], n1: Sequence[int], events2: Sequence[int], n2: Sequence[int]
) -> tuple[np.ndarray, ...]:
    k = check_same_length(events1=events1, n1=n1, events2=events2, n2=n2)
    if k == 0:
        raise ValueError("no studies to combine (k = 0)")
    a = np.array([check_n(x, f"events1[{i}]", 0) for i, x in enumerate(events1)], float)
    m1 = np.array([check_n(x, f"n1[{i}]", 1) for i, x in enumerate(n1)], float)
    c = np.array([check_n(x, f"events2[{i}]", 0) for i, x in enumerate(events2)], float)
    m2 = np.array([check_n(x, f"n2[{i}]", 1) for i, x in enumerate(n2)], float)
    bad = np.flatnonzero((a > m1) | (c > m2))
    if bad.size:
        i = int(bad[0])
        raise ValueError(
            f"events exceed group size in table {i} ({a[i]:g}/{m1[i]:g}, {c[i]:g}/{m2[i]:g})"
        )
    return a, m1 - a, c, m2 - c


def _double_zero(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray) -> np.ndarray:
    return ((a == 0) & (c == 0)) | ((b == 0) & (d == 0))


def _q_from_studies(yi: list[float], vi: list[float], est: float) -> tuple[float, int]:
    if len(yi) < 2:
        return 0.0, max(len(yi) - 1, 0)
    y, w = np.array(yi), 1.0 / np.array(vi)
    return max(0.0, float(np.sum(w * (y - est) ** 2))), len(yi) - 1


def _heterogeneity(q: float, df: int) -> tuple[float, float, float]:
    """Q p-value, I^2 = max(0, 100 (Q - df)/Q), H^2 = Q/df (metafor, from Q)."""
    if df < 1:
        return 1.0, 0.0, 1.0
    i2 = max(0.0, 100.0 * (q - df) / q) if q > 0 else 0.0
    return _dist.chi2_sf(q, df), i2, q / df


def _wald(est: float, se: float, level: float) -> tuple[float, float, float, float]:
    crit = _dist.z_crit(level)
    z = est / se
    return est - crit * se, est + crit * se, z, 2.0 * _dist.norm_sf(abs(z))


def mantel_haenszel(
    events1: Sequence[int],
    n1: Sequence[int],
    events2: Sequence[int],
    n2: Sequence[int],
    *,
    measure: MHMeasure = "OR",
    level: float = 0.95,
) -> BinaryPooled:
    """Mantel-Haenszel common-effect estimate of the OR, RR or RD (see module docstring).

    The estimate is None (with a note) when it is not estimable, e.g. no events at all.
    """
    if measure not in ("OR", "RR", "RD"):
        raise ValueError(f"measure must be 'OR', 'RR' or 'RD', got {measure!r}")
    level = check_level(level)
    a, b, c, d = _tables(events1, n1, events2, n2)
    m1, m2 = a + b, c + d
    big_n = m1 + m2
    notes: list[str] = []
    est = se = None
    cmh = cmh_p = tarone = tarone_p = None
    tarone_df = None
    if measure == "OR":
        pi, qi = (a + d) / big_n, (b + c) / big_n
        ri, si = a * d / big_n, b * c / big_n
        r, s = float(np.sum(ri)), float(np.sum(si))
        if r > 0 and s > 0:
            est = math.log(r / s)
            se = math.sqrt(
                0.5
                * (
                    float(np.sum(pi * ri)) / r**2
                    + float(np.sum(pi * si + qi * ri)) / (r * s)
                    + float(np.sum(qi * si)) / s**2
                )
            )
        xt, yt = a + c, b + d
        if np.sum(xt) > 0 and np.sum(yt) > 0:
            num = (abs(float(np.sum(a - m1 / big_n * xt))) - 0.5) ** 2
            cmh = num / float(np.sum(m1 / big_n * (m2 / big_n) * xt * (yt / (big_n - 1))))
            cmh_p = _dist.chi2_sf(cmh, 1)
        if est is not None:
            tarone, tarone_df = _tarone(a, m1, m2, xt, yt, big_n, math.exp(est))
            tarone_p = _dist.chi2_sf(tarone, tarone_df) if tarone_df >= 1 else None
    elif measure == "RR":
        r = float(np.sum(a * m2 / big_n))
        s = float(np.sum(c * m1 / big_n))
        if np.sum(a) > 0 and np.sum(c) > 0:
            est = math.log(r / s)
            se = math.sqrt(
                float(np.sum(m1 / big_n * (m2 / big_n) * (a + c) - a / big_n * c)) / (r * s)
            )
    else:
        denom = float(np.sum(m1 * m2 / big_n))
        est = float(np.sum(a * m2 / big_n - c * m1 / big_n)) / denom
        var_num = (
            est
            * float(
                np.sum(
                    c * (m1 / big_n) ** 2
                    - a * (m2 / big_n) ** 2
                    + m1 / big_n * (m2 / big_n) * (m2 - m1) / 2
                )
            )
            + float(np.sum(a * (m2 - c) / big_n + c * (m1 - a) / big_n)) / 2
        )
        se = math.sqrt(var_num / denom**2)
    if est is None:
        notes.append("not_estimable")

    per_study = {"OR": log_odds_ratio, "RR": log_risk_ratio, "RD": risk_difference}[measure]
    dz = _double_zero(a, b, c, d)
    effects = [
        per_study(int(a[i]), int(m1[i]), int(c[i]), int(m2[i])) for i in range(a.size) if not dz[i]
    ]
    if est is None:
        q, q_df = 0.0, max(len(effects) - 1, 0)
    else:
        q, q_df = _q_from_studies([e.yi for e in effects], [e.vi for e in effects], est)
    q_p, i2, h2 = _heterogeneity(q, q_df)
    if est is None:
        ci_low = ci_high = z = p = None
    else:
        ci_low, ci_high, z, p = _wald(est, se, level)
    return BinaryPooled(
        method="MH",
        measure={"OR": "logOR", "RR": "logRR", "RD": "RD"}[measure],
        k=int(a.size),
        level=level,
        estimate=est,
        se=se,
        ci_low=ci_low,
        ci_high=ci_high,
        z=z,
        p=p,
        q=q,
        q_df=q_df,
        q_p=q_p,
        i2=i2,
        h2=h2,
        k_double_zero=int(np.sum(dz)),
        cmh=cmh,
        cmh_p=cmh_p,
        tarone=tarone,
        tarone_df=tarone_df,
        tarone_p=tarone_p,
        notes=tuple(notes),
    )


def _tarone(
    a: np.ndarray,
    m1: np.ndarray,
    m2: np.ndarray,
    xt: np.ndarray,
    yt: np.ndarray,
    big_n: np.ndarray,
    or_mh: float,
) -> tuple[float, int]:
    """Tarone's (1985) correction of the Breslow-Day test (as metafor ``rma.mh``): expected
    cell counts under the common MH odds ratio, tables with positive margins only."""
    if or_mh == 1.0:
        n11 = m1 / big_n * xt
    else:
        big_a = or_mh * (m1 + xt) + (m2 - xt)
        big_b = np.sqrt(big_a**2 - 4.0 * m1 * xt * or_mh * (or_mh - 1.0))
        n11 = (big_a - big_b) / (2.0 * (or_mh - 1.0))
    pos = (n11 > 0) & (xt > 0) & (yt > 0)
    n11 = n11[pos]
    n12 = m1[pos] - n11
    n21 = xt[pos] - n11
    n22 = n11 - m1[pos] - xt[pos] + big_n[pos]
    var = 1.0 / (1.0 / n11 + 1.0 / n12 + 1.0 / n21 + 1.0 / n22)
    dev = a[pos] - n11
    bd = max(0.0, float(np.sum(dev**2 / var)))
    ta = max(0.0, bd - float(np.sum(dev)) ** 2 / float(np.sum(var)))
    return ta, int(np.sum(pos)) - 1


def peto_odds_ratio(
    events1: Sequence[int],
    n1: Sequence[int],
    events2: Sequence[int],
    n2: Sequence[int],
    *,
    level: float = 0.95,
) -> BinaryPooled:
    """Peto's one-step odds ratio (see module docstring); measure "logOR"."""
    level = check_level(level)
    a, b, c, d = _tables(events1, n1, events2, n2)
    m1, m2 = a + b, c + d
    big_n = m1 + m2
    xt, yt = a + c, b + d
    e = xt * m1 / big_n
    var = xt * yt * (m1 / big_n) * (m2 / big_n) / (big_n - 1.0)
    dz = _double_zero(a, b, c, d)
    k_yi = int(np.sum(~dz))
    notes: list[str] = []
    if float(np.sum(var)) == 0.0:
        notes.append("not_estimable")
        est = se = ci_low = ci_high = z = p = None
        q = 0.0
    else:
        est = float(np.sum(a - e)) / float(np.sum(var))
        se = 1.0 / math.sqrt(float(np.sum(var)))
        ci_low, ci_high, z, p = _wald(est, se, level)
        keep = var > 0
        q = max(
            0.0,
            float(np.sum((a[keep] - e[keep]) ** 2 / var[keep]))
            - float(np.sum(a - e)) ** 2 / float(np.sum(var)),
        )
    q_df = max(k_yi - 1, 0)
    q_p, i2, h2 = _heterogeneity(q, q_df) if int(np.sum(var > 0)) > 1 else (1.0, 0.0, 1.0)
    return BinaryPooled(
        method="Peto",
        measure="logOR",
        k=int(a.size),
        level=level,
        estimate=est,
        se=se,
        ci_low=ci_low,
        ci_high=ci_high,
        z=z,
        p=p,
        q=q,
        q_df=q_df,
        q_p=q_p,
        i2=i2,
        h2=h2,
        k_double_zero=int(np.sum(dz)),
        notes=tuple(notes),
    )
