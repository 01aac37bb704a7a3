"""Synthesis without meta-analysis (SWiM; Campbell et al., BMJ 2020;368:l6890).

Vote counting by direction of effect with an exact sign test and a Wilson interval
(Cochrane Handbook v6, chapter 12; never by statistical significance), combined one-sided
p-values (Stouffer weighted by sqrt(n), Fisher), a descriptive summary of ratios, and
sensitivity helpers (without flagged values; over assumed pre-post correlations).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

import numpy as np

from . import _dist
from ._checks import check_level, check_n, check_p, check_same_length
from .effect_sizes import FLAG_P_INEQUALITY, Effect, smcc_to_between_scale

__all__ = [
    "CombinedP",
    "RatioSummary",
    "VoteCount",
    "combined_p_sensitivity",
    "correlation_sensitivity",
    "describe_ratios",
    "fisher_combined",
    "one_sided_p",
    "stouffer_combined",
    "unflagged",
    "vote_count",
    "without_flagged",
]

T = TypeVar("T")

_INCREASE = {"increase", "+", "up", "positive"}
_DECREASE = {"decrease", "-", "down", "negative"}
_EXCLUDED = {"unclear", "no_data", "no data", "none", "no_change", "no change", "mixed", "", "nan"}


@dataclass(frozen=True)
class VoteCount:
    """Vote count by direction of effect.

    n_favoured of n_informative (= n_increase + n_decrease) studies point in the
    ``favoured`` direction; proportion = n_favoured/n_informative with a Wilson interval;
    p_sign_test: exact two-sided binomial test of proportion 0.5. Studies with an unclear
    direction, no change or no data are not counted but reported (n_excluded,
    excluded_by_label). Statistics are None when no study has a clear direction.
    """

    favoured: str
    n_increase: int
    n_decrease: int
    n_informative: int
    n_favoured: int
    n_excluded: int
    excluded_by_label: Mapping[str, int]
    proportion: float | None
    ci_low: float | None
    ci_high: float | None
    p_sign_test: float | None
    level: float


@dataclass(frozen=True)
class CombinedP:
    """Combined one-sided p-value: method, statistic (Z or X^2), df (Fisher: 2k), p, k."""

    method: str
    statistic: float
    df: int | None
    p: float
    k: int


@dataclass(frozen=True)
class RatioSummary:
    """Descriptive summary of ratios (e.g. after/before means): n, median, minimum, maximum,
    and n_missing (None/NaN entries left out). Statistics are None when n = 0."""

    n: int
    median: float | None
    minimum: float | None
    maximum: float | None
    n_missing: int


# --------------------------------------------------------------------------- vote counting


def _direction_label(d: object) -> str:
    """Normalise one direction entry to "increase", "decrease" or an excluded label."""
    if d is None:
        return "no_data"
    if isinstance(d, bool):
        raise ValueError(f"direction must be text or +1/-1/0, got {d!r}")
    if isinstance(d, int | float | np.integer | np.floating):
        if isinstance(d, float | np.floating) and math.isnan(d):
            return "no_data"
        if d == 1:
            return "increase"
        if d == -1:
            return "decrease"
        if d == 0:
            return "no_change"
        raise ValueError(f"numeric direction must be +1, -1 or 0, got {d!r}")
    s = str(d).strip().lower()
    if s in _INCREASE:
        return "increase"
    if s in _DECREASE:
        return "decrease"
    if s in _EXCLUDED:
        return s.replace(" ", "_") or "no_data"
    raise ValueError(
        f"unknown direction {d!r}; use 'increase'/'decrease' (or +1/-1), or one of "
        f"{sorted(x for x in _EXCLUDED if x)} for studies that are not counted"
    )


def vote_count(
    directions: Sequence[object],
    *,
    favoured: Literal["increase", "decrease"] = "increase",
    level: float = 0.95,
) -> VoteCount:
    """Count studies by direction of effect; sign test and Wilson interval.

    p = two-sided exact binomial test of n_favoured out of n_informative against 0.5 (as
    ``scipy.stats.binomtest``); CI = Wilson score interval for the proportion (as
    ``binomtest(...).proportion_ci(method="wilson")``), both computed with
    ``scipy.special`` (see ``_dist``) to keep the import cheap. Limits: ignores effect size and
    precision; low power with few studies (Nikolakopoulos, Res Synth Methods 2020;11:714).
    """
    if favoured not in ("increase", "decrease"):
        raise ValueError(f"favoured must be 'increase' or 'decrease', got {favoured!r}")
    level = check_level(level)
    labels = [_direction_label(d) for d in directions]
    n_inc = labels.count("increase")
    n_dec = labels.count("decrease")
    excluded: dict[str, int] = {}
    for lab in labels:
        if lab not in ("increase", "decrease"):
            excluded[lab] = excluded.get(lab, 0) + 1
    n_inf = n_inc + n_dec
    n_fav = n_inc if favoured == "increase" else n_dec
    prop = lo = hi = p = None
    if n_inf > 0:
        lo, hi = _dist.wilson_interval(n_fav, n_inf, level)
        prop, p = n_fav / n_inf, _dist.sign_test_p(n_fav, n_inf)
    return VoteCount(
        favoured=favoured,
        n_increase=n_inc,
        n_decrease=n_dec,
        n_informative=n_inf,
        n_favoured=n_fav,
        n_excluded=sum(excluded.values()),
        excluded_by_label=excluded,
        proportion=prop,
        ci_low=lo,
        ci_high=hi,
        p_sign_test=p,
        level=level,
    )


# --------------------------------------------------------------------------- combining p


def one_sided_p(p_two_sided: float, favoured: bool) -> float:
    """One-sided p in the favoured direction: p/2 if the study's effect points that way,
    else 1 - p/2 (Cochrane Handbook v6, chapter 12)."""
    p = check_p(p_two_sided, "p_two_sided")
    return p / 2.0 if favoured else 1.0 - p / 2.0


def _check_ps(p_one_sided: Sequence[float]) -> np.ndarray:
    if len(p_one_sided) == 0:
        raise ValueError("no p-values to combine")
    return np.array([check_p(p, f"p_one_sided[{i}]") for i, p in enumerate(p_one_sided)])


def stouffer_combined(p_one_sided: Sequence[float], n: Sequence[float]) -> CombinedP:
    """Weighted Stouffer: z_i = Phi^-1(1 - p_i), w_i = sqrt(n_i),
    Z = sum(w_i z_i) / sqrt(sum w_i^2), p = 1 - Phi(Z) (one-sided)."""
    check_same_length(p_one_sided=p_one_sided, n=n)
    p = _check_ps(p_one_sided)
    sizes = np.array([check_n(x, f"n[{i}]", 1) for i, x in enumerate(n)], dtype=float)
    w = np.sqrt(sizes)
    z = np.array([_dist.norm_isf(x) for x in p])
    big_z = float(np.sum(w * z) / math.sqrt(float(np.sum(w**2))))
    return CombinedP("stouffer_sqrt_n", big_z, None, _dist.norm_sf(big_z), int(p.size))


def fisher_combined(p_one_sided: Sequence[float]) -> CombinedP:
    """Fisher: X^2 = -2 sum ln p_i on 2k df; p = P(chi2_{2k} > X^2)."""
    p = _check_ps(p_one_sided)
    x2 = float(-2.0 * np.sum(np.log(p)))
    df = 2 * int(p.size)
    return CombinedP("fisher", x2, df, _dist.chi2_sf(x2, df), int(p.size))


# --------------------------------------------------------------------------- ratios


def describe_ratios(values: Iterable[float | None]) -> RatioSummary:
    """Median, minimum and maximum of ratios (descriptive only, no pooling)."""
    vals: list[float] = []
    missing = 0
    for v in values:
        if v is None or (isinstance(v, float | np.floating) and math.isnan(v)):
            missing += 1
            continue
        x = float(v)
        if not math.isfinite(x) or x < 0:
            raise ValueError(f"ratios must be finite and >= 0, got {v!r}")
        vals.append(x)
    if not vals:
        return RatioSummary(0, None, None, None, missing)
    arr = np.array(vals)
    return RatioSummary(
        int(arr.size), float(np.median(arr)), float(arr.min()), float(arr.max()), missing
    )


# --------------------------------------------------------------------------- sensitivity


def unflagged(
    flags_per_study: Sequence[Iterable[str]], drop: Iterable[str] = (FLAG_P_INEQUALITY,)
) -> list[bool]:
    """True for studies carrying none of the ``drop`` flags (default: p entered at a bound)."""
    bad = set(drop)
    return [not (set(f) & bad) for f in flags_per_study]


def without_flagged(
    analysis: Callable[[list[int]], T],
    flags_per_study: Sequence[Iterable[str]],
    drop: Iterable[str] = (FLAG_P_INEQUALITY,),
) -> dict[str, T | None]:
    """Run ``analysis(indices)`` on all studies and on the unflagged ones only.

    Returns {"all": ..., "without_flagged": ...}; the latter is None when every study is
    flagged. ``analysis`` receives the list of study indices to use.
    """
    keep = unflagged(flags_per_study, drop)
    idx_all = list(range(len(keep)))
    idx_keep = [i for i, k in enumerate(keep) if k]
    return {
        "all": analysis(idx_all),
        "without_flagged": analysis(idx_keep) if idx_keep else None,
    }


def combined_p_sensitivity(
    p_one_sided: Sequence[float],
    n: Sequence[float],
    flags_per_study: Sequence[Iterable[str]],
    drop: Iterable[str] = (FLAG_P_INEQUALITY,),
) -> dict[str, dict[str, CombinedP] | None]:
    """Stouffer and Fisher on all studies and again without flagged p-values.

    Returns {"all": {"stouffer": ..., "fisher": ...}, "without_flagged": {...} or None}.
    """
    check_same_length(p_one_sided=p_one_sided, n=n, flags_per_study=flags_per_study)

    def run(idx: list[int]) -> dict[str, CombinedP]:
        ps = [p_one_sided[i] for i in idx]
        return {
            "stouffer": stouffer_combined(ps, [n[i] for i in idx]),
            "fisher": fisher_combined(ps),
        }

    return without_flagged(run, flags_per_study, drop)


def correlation_sensitivity(
    effects: Sequence[Effect], rs: Sequence[float] = (0.3, 0.5, 0.7)
) -> dict[float, tuple[Effect, ...]]:
    """Each SMCC effect on the between-group scale for every assumed pre-post r
    (d = g_z sqrt(2(1 - r)); see ``smcc_to_between_scale``)."""
    if len(rs) == 0:
        raise ValueError("give at least one correlation value")
    return {float(r): tuple(smcc_to_between_scale(e, r) for e in effects) for r in rs}
