"""Effect sizes with their sampling variances.

Formulas follow metafor's ``escalc`` (Viechtbauer, J Stat Softw 2010;36(3)), the Cochrane
Handbook v6 (section 6.5.2.3) and Borenstein et al. (Introduction to Meta-Analysis, 2009).

Sign conventions: two-group measures are group 1 minus group 2 (e.g. intervention minus
control; log ratios are log(group 1 / group 2)); within-group measures are after minus
before. Functions taking a p-value get the sign from ``direction`` (+1: group 1 higher, or
increase after; -1: the opposite).

Flags (``Effect.flags``):

* ``"p_inequality"``: p was reported as an inequality ("p < 0.05", or "p = 0.000", entered
  as the bound 0.0005) and entered at the bound, so the effect is a conservative
  (smaller) value. Run the synthesis again without such effects.
* ``"continuity_correction_0.5"``: a 2x2 table had a zero cell; 0.5 was added to all four
  cells (metafor ``add=1/2, to="only0"``).
* ``"double_zero"``: no events (or only events) in both groups; the estimate rests on the
  continuity correction alone (Cochrane suggests excluding such studies from RR/OR).
* ``"pre_post_r_assumed"``: a within-group effect was put on the between-group scale with a
  pre-post correlation that the study did not report.
* ``"t_test_assumed"``: a p-value whose test was not stated was inverted as if it came from
  a t-test (``effect_from_p(..., test="not_stated")``).

Every ``Effect`` carries its measure code and, derived from it, its ``scale`` (what one unit
means) and ``comparison`` (between two groups, or change within one group), listed in
``MEASURES``: effects with different codes never belong on one axis or in one pooled
estimate (``meta_analysis_of_effects`` refuses them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from scipy import special

from . import _dist
from ._checks import check_direction, check_finite, check_level, check_n, check_p

__all__ = [
    "FLAG_CONTINUITY",
    "FLAG_DOUBLE_ZERO",
    "FLAG_P_INEQUALITY",
    "FLAG_R_ASSUMED",
    "FLAG_T_TEST_ASSUMED",
    "MEASURES",
    "METHOD_DESCRIPTIONS",
    "P_VALUE_TESTS",
    "ConversionRefused",
    "Effect",
    "descriptive_ratio_of_means",
    "effect_from_p",
    "hedges_j",
    "log_odds_ratio",
    "log_ratio_of_means",
    "log_risk_ratio",
    "mean_difference",
    "p_bound_for_rounded_zero",
    "ratio_of_means",
    "risk_difference",
    "smcc_from_p",
    "smcc_from_t",
    "smcc_to_between_scale",
    "smcc_to_smcr",
    "smd_from_means",
    "smd_from_p",
    "smd_from_t",
]

FLAG_P_INEQUALITY = "p_inequality"
FLAG_CONTINUITY = "continuity_correction_0.5"
FLAG_DOUBLE_ZERO = "double_zero"
FLAG_R_ASSUMED = "pre_post_r_assumed"
FLAG_T_TEST_ASSUMED = "t_test_assumed"

Operator = Literal["=", "<"]

#: Every measure code: (scale, comparison, description). ``scale`` says what one unit of
#: ``yi`` is; ``comparison`` is "between_groups" (group 1 vs group 2) or "within_group"
#: (after vs before in one group). SMD and SMCR share a scale (SD of raw scores) but not a
#: comparison: SMCR is a within-group change converted with a pre-post correlation.
MEASURES: dict[str, tuple[str, str, str]] = {
    "SMD": ("sd_of_raw_scores", "between_groups", "Hedges' g, standardised mean difference"),
    "MD": ("raw_units", "between_groups", "raw mean difference, in the outcome's unit"),
    "logROM": ("log_ratio", "between_groups", "log ratio of means ln(m1/m2)"),
    "SMCC": (
        "sd_of_change_scores",
        "within_group",
        "g_z, standardised mean change (change-score SD)",
    ),
    "SMCR": (
        "sd_of_raw_scores",
        "within_group",
        "standardised mean change converted to the raw-score SD with a pre-post r",
    ),
    "logRR": ("log_ratio", "between_groups", "log risk ratio"),
    "logOR": ("log_ratio", "between_groups", "log odds ratio"),
    "RD": ("risk_difference", "between_groups", "risk difference"),
    "ROM_descriptive": (
        "ratio_descriptive",
        "within_group",
        "ratio of means after/before, descriptive (no variance)",
    ),
}

#: Human-readable description of every ``Effect.method`` identifier (base name, before any
#: ``:approx_J`` or ``(r=...)`` suffix), for a supplementary table.
METHOD_DESCRIPTIONS: dict[str, str] = {
    "hedges_g_from_means": "Hedges' g from means, SDs and sizes (pooled SD, small-sample "
    "correction J); Var = 1/n1 + 1/n2 + g^2/(2(n1+n2))",
    "mean_difference": "raw mean difference; Var = sd1^2/n1 + sd2^2/n2",
    "hedges_g_from_t": "Hedges' g from an independent-samples t: d = t sqrt(1/n1 + 1/n2), g = J d",
    "hedges_g_from_p": "Hedges' g from a two-sided p: t = T^-1_{n1+n2-2}(1 - p/2), "
    "d = t sqrt(1/n1 + 1/n2), g = J d",
    "smcc_from_t": "standardised mean change g_z from a paired t: d_z = t/sqrt(n), "
    "g_z = J(n-1) d_z; Var = 1/n + g_z^2/(2n)",
    "smcc_from_p": "standardised mean change g_z from a two-sided paired p: "
    "t = T^-1_{n-1}(1 - p/2), d_z = t/sqrt(n), g_z = J(n-1) d_z",
    "smcc_to_between_scale": "SMCC g_z converted to the between-group (raw-score SD) scale "
    "with a pre-post correlation r: d = g_z sqrt(2(1-r)); Var = 2(1-r) Var(g_z)",
    "smcc_to_between_scale_assumed_r": "SMCC g_z converted to the between-group (raw-score "
    "SD) scale with an ASSUMED pre-post correlation r (not reported): d = g_z sqrt(2(1-r)); "
    "Var = 2(1-r) Var(g_z)",
    "smcr_from_smcc": "within-group change on the between-group (raw-score SD) scale: "
    "d = g_z sqrt(2(1-r)); Var = 2(1-r) Var(g_z) = 2(1-r)/n + d^2/(2n)",
    "log_ratio_of_means": "log ratio of means ln(m1/m2) + (sd1^2/(n1 m1^2) - sd2^2/(n2 m2^2))/2 "
    "(bias-corrected, Lajeunesse 2015); Var = sd1^2/(n1 m1^2) + sd2^2/(n2 m2^2) "
    "(Hedges et al. 1999)",
    "log_ratio_of_means_uncorrected": "log ratio of means ln(m1/m2); "
    "Var = sd1^2/(n1 m1^2) + sd2^2/(n2 m2^2) (Hedges et al. 1999)",
    "log_risk_ratio": "log risk ratio from a 2x2 table; Var = 1/a - 1/n1 + 1/c - 1/n2",
    "log_odds_ratio": "log odds ratio from a 2x2 table; Var = 1/a + 1/b + 1/c + 1/d",
    "risk_difference": "risk difference from a 2x2 table; Var = p1(1-p1)/n1 + p2(1-p2)/n2",
    "ratio_after_over_before": "ratio of means after/before, descriptive only (no variance)",
}


@dataclass(frozen=True)
class Effect:
    """One study's effect size.

    yi: the estimate (log scale for logRR/logOR/logROM); vi: its sampling variance, or None
    when it cannot be computed (descriptive measures); measure: a code of ``MEASURES``
    ("SMD", "MD", "logROM", "SMCC", "SMCR", "logRR", "logOR", "RD", "ROM_descriptive");
    method: formula identifier (see ``METHOD_DESCRIPTIONS``); flags: caveats (see module
    docstring); scale and comparison: filled in from ``MEASURES`` (never pass them).
    """

    yi: float
    vi: float | None
    measure: str
    method: str
    flags: tuple[str, ...] = ()
    scale: str = ""
    comparison: str = ""

    def __post_init__(self) -> None:
        if self.measure not in MEASURES:
            raise ValueError(
                f"unknown measure code {self.measure!r}; expected one of {sorted(MEASURES)}"
            )
        scale, comparison, _ = MEASURES[self.measure]
        object.__setattr__(self, "scale", scale)
        object.__setattr__(self, "comparison", comparison)

    @property
    def se(self) -> float | None:
        """Standard error sqrt(vi), or None."""
        return None if self.vi is None else math.sqrt(self.vi)

    def ci(self, level: float = 0.95) -> tuple[float, float] | None:
        """Wald interval yi -/+ z_{(1+level)/2} * se (on the scale of yi), or None."""
        level = check_level(level)
        if self.vi is None:
            return None
        half = _dist.z_crit(level) * math.sqrt(self.vi)
        return (self.yi - half, self.yi + half)

    @property
    def imputed(self) -> bool:
        """True when the value rests on an entered bound, an assumed correlation or an
        assumed t-test."""
        return bool({FLAG_P_INEQUALITY, FLAG_R_ASSUMED, FLAG_T_TEST_ASSUMED} & set(self.flags))


def hedges_j(m: float, exact: bool = True) -> float:
    """Small-sample correction factor J for m degrees of freedom.

    Exact (Hedges 1981; metafor ``.cmicalc``, the default here):
    J = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)).
    Approximation (Cochrane Handbook; Borenstein 2009): J = 1 - 3/(4m - 1); it is larger than
    the exact value by about 3e-4 at m = 10 and 2e-5 at m = 38.
    """
    if not m > 1:
        raise ValueError(f"the correction J needs more than 1 degree of freedom, got m={m}")
    if exact:
        log_j = special.gammaln(m / 2) - 0.5 * math.log(m / 2) - special.gammaln((m - 1) / 2)
        return math.exp(log_j)
    return 1.0 - 3.0 / (4.0 * m - 1.0)


def _method(base: str, exact_j: bool) -> str:
    return base if exact_j else f"{base}:approx_J"


def _p_flags(operator: str) -> tuple[str, ...]:
    if operator == "=":
        return ()
    if operator == "<":
        return (FLAG_P_INEQUALITY,)
    if operator in (">", ">="):
        raise ValueError(
            "a p reported as 'p > ...' (not significant) gives no effect size; "
            "use its direction in vote counting instead"
        )
    raise ValueError(f"operator must be '=' or '<', got {operator!r}")


def p_bound_for_rounded_zero(decimals: int = 3) -> float:
    """Bound to enter for a p printed as zero with ``decimals`` places: 0.5 * 10^-decimals.

    "p = 0.000" (3 decimals) means p < 0.0005; enter it with operator "<".
    """
    decimals = check_n(decimals, "decimals", 1)
    return 0.5 * 10.0 ** (-decimals)


def _t_from_p(p: float, df: int) -> float:
    """t = T^-1_df(1 - p/2): the absolute t statistic behind a two-sided p."""
    return _dist.t_isf(p / 2.0, df)


# --------------------------------------------------------------------------- two groups


def smd_from_means(
    m1: float,
    sd1: float,
    n1: int,
    m2: float,
    sd2: float,
    n2: int,
    *,
    exact_j: bool = True,
) -> Effect:
    """Hedges' g (SMD, group 1 minus group 2) from means, SDs and sizes.

    s_p = sqrt(((n1-1) sd1^2 + (n2-1) sd2^2)/(n1+n2-2)); d = (m1 - m2)/s_p; g = J(m) d with
    m = n1 + n2 - 2 (J exact, or 1 - 3/(4m - 1) with ``exact_j=False``, see ``hedges_j``);
    Var(g) = 1/n1 + 1/n2 + g^2/(2(n1+n2))
    (metafor ``escalc(measure="SMD", vtype="LS")``; Borenstein 2009 ch. 4).
    """
    m1, m2 = check_finite(m1, "m1"), check_finite(m2, "m2")
    sd1, sd2 = check_finite(sd1, "sd1"), check_finite(sd2, "sd2")
    n1, n2 = check_n(n1, "n1", 2), check_n(n2, "n2", 2)
    if sd1 < 0 or sd2 < 0:
        raise ValueError("standard deviations must not be negative")
    m = n1 + n2 - 2
    sp = math.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / m)
    if sp == 0:
        raise ValueError("pooled SD is zero; the SMD is undefined")
    g = hedges_j(m, exact_j) * (m1 - m2) / sp
    vi = 1 / n1 + 1 / n2 + g**2 / (2 * (n1 + n2))
    return Effect(g, vi, "SMD", _method("hedges_g_from_means", exact_j))


def mean_difference(
    m1: float,
    sd1: float,
    n1: int,
    m2: float,
    sd2: float,
    n2: int,
    *,
    unit1: str | None = None,
    unit2: str | None = None,
) -> Effect:
    """Raw mean difference m1 - m2 with Var = sd1^2/n1 + sd2^2/n2 (metafor "MD", LS).

    Only meaningful when both groups use the same unit: if ``unit1`` and ``unit2`` are both
    given and differ (case-insensitive), a ValueError asks to convert first.
    """
    if unit1 is not None and unit2 is not None and unit1.strip().lower() != unit2.strip().lower():
        raise ValueError(f"units differ ({unit1!r} vs {unit2!r}); convert to one unit first")
    m1, m2 = check_finite(m1, "m1"), check_finite(m2, "m2")
    sd1, sd2 = check_finite(sd1, "sd1"), check_finite(sd2, "sd2")
    n1, n2 = check_n(n1, "n1", 1), check_n(n2, "n2", 1)
    if sd1 < 0 or sd2 < 0:
        raise ValueError("standard deviations must not be negative")
    return Effect(m1 - m2, sd1**2 / n1 + sd2**2 / n2, "MD", "mean_difference")


def smd_from_t(t: float, n1: int, n2: int, *, exact_j: bool = True) -> Effect:
    """Hedges' g from an independent-samples t (sign of t = direction).

    d = t sqrt(1/n1 + 1/n2); g = J d, m = n1 + n2 - 2; Var = 1/n1 + 1/n2 + g^2/(2(n1+n2)).
    """
    t = check_finite(t, "t")
    n1, n2 = check_n(n1, "n1", 2), check_n(n2, "n2", 2)
    g = hedges_j(n1 + n2 - 2, exact_j) * t * math.sqrt(1 / n1 + 1 / n2)
    vi = 1 / n1 + 1 / n2 + g**2 / (2 * (n1 + n2))
    return Effect(g, vi, "SMD", _method("hedges_g_from_t", exact_j))


def smd_from_p(
    p: float,
    n1: int,
    n2: int,
    *,
    direction: int,
    operator: Operator = "=",
    exact_j: bool = True,
) -> Effect:
    """Hedges' g from a two-sided p of a two-group comparison (Cochrane Handbook 6.5.2.3).

    t = T^-1_df(1 - p/2), df = n1 + n2 - 2, signed by ``direction``; then as ``smd_from_t``.
    ``operator="<"`` enters p at its bound and flags ``"p_inequality"``.
    Check (metafor escalc.Rd): p = 0.018, direction -1, n1 = n2 = 20 gives g = -0.7664.
    """
    flags = _p_flags(operator)
    p = check_p(p)
    direction = check_direction(direction)
    n1, n2 = check_n(n1, "n1", 2), check_n(n2, "n2", 2)
    t = direction * _t_from_p(p, n1 + n2 - 2)
    e = smd_from_t(t, n1, n2, exact_j=exact_j)
    return Effect(e.yi, e.vi, "SMD", _method("hedges_g_from_p", exact_j), flags)


# --------------------------------------------------------------------------- one group pre/post


def smcc_from_t(t: float, n: int, *, exact_j: bool = True) -> Effect:
    """Standardised mean change g_z (change-score SD) from a paired t.

    d_z = t / sqrt(n); g_z = J(n-1) d_z; Var(g_z) = 1/n + g_z^2/(2n)
    (metafor ``escalc(measure="SMCC", vtype="LS")``; Gibbons et al. 1993).
    """
    t = check_finite(t, "t")
    n = check_n(n, "n", 3)
    g = hedges_j(n - 1, exact_j) * t / math.sqrt(n)
    return Effect(g, 1 / n + g**2 / (2 * n), "SMCC", _method("smcc_from_t", exact_j))


def smcc_from_p(
    p: float,
    n: int,
    *,
    direction: int,
    operator: Operator = "=",
    exact_j: bool = True,
) -> Effect:
    """g_z from a two-sided p of a one-group before/after (paired) comparison.

    t = T^-1_{n-1}(1 - p/2), signed by ``direction`` (+1 = increase); then as ``smcc_from_t``.
    Check (metafor escalc.Rd): p = 0.018, direction -1, n = 50 gives g_z = -0.3408.
    """
    flags = _p_flags(operator)
    p = check_p(p)
    direction = check_direction(direction)
    n = check_n(n, "n", 3)
    e = smcc_from_t(direction * _t_from_p(p, n - 1), n, exact_j=exact_j)
    return Effect(e.yi, e.vi, "SMCC", _method("smcc_from_p", exact_j), flags)


def smcc_to_between_scale(effect: Effect, r: float, *, r_reported: bool = False) -> Effect:
    """SMCC (g_z) converted to the between-group (raw-score SD) scale with pre-post correlation r.

    d = g_z sqrt(2(1 - r)) (Morris & DeShon, Psychol Methods 2002;7:105): the change divided
    by the SD of the raw scores instead of the SD of the change scores, so that it is on the
    scale of Hedges' g. It is still a within-group change (``comparison="within_group"``),
    never a controlled comparison.
    Var(d) = 2(1 - r) Var(g_z) treating r as known; with Var(g_z) = 1/n + g_z^2/(2n) this equals
    2(1 - r)/n + d^2/(2n), metafor's "SMCR" large-sample variance (Becker 1988).
    The result has measure "SMCR". Unless ``r_reported`` is True, r is an assumption: the
    method is ``smcc_to_between_scale_assumed_r(r=...)`` and the flag ``"pre_post_r_assumed"``
    is added; run it for several r (``correlation_sensitivity``).
    """
    if effect.measure != "SMCC":
        raise ValueError(f"expected an SMCC effect, got measure {effect.measure!r}")
    if effect.vi is None:
        raise ValueError("the SMCC effect has no variance")
    r = check_finite(r, "r")
    if not -1.0 < r < 1.0:
        raise ValueError(f"the pre-post correlation r must lie in (-1, 1), got {r}")
    factor = 2.0 * (1.0 - r)
    flags = effect.flags if r_reported else (*effect.flags, FLAG_R_ASSUMED)
    base = "smcc_to_between_scale" if r_reported else "smcc_to_between_scale_assumed_r"
    return Effect(
        effect.yi * math.sqrt(factor),
        effect.vi * factor,
        "SMCR",
        f"{base}(r={r:g})",
        tuple(dict.fromkeys(flags)),
    )


#: Older name of ``smcc_to_between_scale`` (kept so existing callers keep working).
smcc_to_smcr = smcc_to_between_scale


# --------------------------------------------------------------------------- conversions by test

#: Tests a reported p-value can come from (argument ``test`` of ``effect_from_p``).
P_VALUE_TESTS = ("independent_t", "paired_t", "chi2", "mann_whitney", "wilcoxon", "not_stated")

_REFUSAL_REASONS = {
    "chi2": (
        "a chi-square p is not a t-test p and is never inverted through t; a chi-square "
        "with 1 df from a 2x2 table corresponds to a log odds ratio only when the four counts "
        "are known, and then the counts are used directly (log_odds_ratio / log_risk_ratio)"
    ),
    "mann_whitney": (
        "a Mann-Whitney (rank-sum) p has no exact inverse through the t distribution; count "
        "the study by its direction of effect instead"
    ),
    "wilcoxon": (
        "a Wilcoxon signed-rank p has no exact inverse through the t distribution; count the "
        "study by its direction of effect instead"
    ),
}


class ConversionRefused(ValueError):
    """A p-value that must not be converted to an effect size.

    ``test``: the test behind the p-value; ``reason``: one sentence for the report. The
    caller counts such a study (vote counting by direction, combined p-values) instead of
    giving it an effect size.
    """

    def __init__(self, test: str, reason: str) -> None:
        super().__init__(f"no effect size from a {test} p-value: {reason}")
        self.test = test
        self.reason = reason


def effect_from_p(
    p: float,
    test: str,
    *,
    n: int | None = None,
    n1: int | None = None,
    n2: int | None = None,
    direction: int,
    operator: Operator = "=",
    exact_j: bool = True,
    assume_t_when_not_stated: bool = True,
) -> Effect:
    """Effect size from a two-sided p, only where the inversion is valid for its ``test``.

    * ``"independent_t"`` (needs n1, n2): Hedges' g as ``smd_from_p``.
    * ``"paired_t"`` (needs n): g_z as ``smcc_from_p``.
    * ``"chi2"``, ``"mann_whitney"``, ``"wilcoxon"``: raises ``ConversionRefused`` (a
      ValueError) with the reason. A chi-square or rank-test p is never inverted through t:
      the t inverse assumes a t-test (Cochrane Handbook v6, 6.5.2.3). A chi-square with 1 df
      from a 2x2 table corresponds to a log odds ratio only when the counts are known; then
      use the counts (``log_odds_ratio``), not the p.
    * ``"not_stated"``: inverted as a t-test (independent with n1, n2; paired with n) and
      flagged ``"t_test_assumed"`` so a sensitivity analysis can drop it; with
      ``assume_t_when_not_stated=False`` it is refused instead.
    """
    if test not in P_VALUE_TESTS:
        raise ValueError(f"test must be one of {P_VALUE_TESTS}, got {test!r}")
    if test in _REFUSAL_REASONS:
        raise ConversionRefused(test, _REFUSAL_REASONS[test])
    if test == "not_stated" and not assume_t_when_not_stated:
        raise ConversionRefused(
            test, "the test behind the p-value was not stated and assuming a t-test is switched off"
        )
    two_groups = n1 is not None or n2 is not None
    if two_groups and n is not None:
        raise ValueError("give n (one group, paired) or n1 and n2 (two groups), not both")
    if test == "independent_t" or (test == "not_stated" and two_groups):
        if n1 is None or n2 is None:
            raise ValueError("an independent-samples p needs both n1 and n2")
        effect = smd_from_p(p, n1, n2, direction=direction, operator=operator, exact_j=exact_j)
    else:
        if n is None:
            raise ValueError("a paired (before/after) p needs n")
        effect = smcc_from_p(p, n, direction=direction, operator=operator, exact_j=exact_j)
    if test == "not_stated":
        return Effect(
            effect.yi,
            effect.vi,
            effect.measure,
            effect.method,
            (*effect.flags, FLAG_T_TEST_ASSUMED),
        )
    return effect


# --------------------------------------------------------------------------- ratios of means


def log_ratio_of_means(
    m1: float,
    sd1: float,
    n1: int,
    m2: float,
    sd2: float,
    n2: int,
    *,
    correct: bool = True,
) -> Effect:
    """Log ratio of means (response ratio) of group 1 over group 2, from means and SDs.

    yi = ln(m1/m2) (Hedges, Gurevitch & Curtis, Ecology 1999;80:1150), plus by default the
    small-sample bias correction 1/2 (sd1^2/(n1 m1^2) - sd2^2/(n2 m2^2)) (Lajeunesse,
    Ecology 2015;96:2056, eq. 8), as metafor's ``escalc(measure="ROM")`` does by default;
    ``correct=False`` gives the plain ln(m1/m2). Var = sd1^2/(n1 m1^2) + sd2^2/(n2 m2^2)
    (Hedges et al. 1999, eq. 1; metafor vtype "LS"). Both means must be positive
    (ratio-scale outcomes); the result is unit-free.
    """
    m1, m2 = check_finite(m1, "m1"), check_finite(m2, "m2")
    sd1, sd2 = check_finite(sd1, "sd1"), check_finite(sd2, "sd2")
    n1, n2 = check_n(n1, "n1", 1), check_n(n2, "n2", 1)
    if m1 <= 0 or m2 <= 0:
        raise ValueError("a ratio of means needs positive means in both groups")
    if sd1 < 0 or sd2 < 0:
        raise ValueError("standard deviations must not be negative")
    term1, term2 = sd1**2 / (n1 * m1**2), sd2**2 / (n2 * m2**2)
    yi = math.log(m1 / m2)
    if correct:
        yi += 0.5 * (term1 - term2)
    method = "log_ratio_of_means" if correct else "log_ratio_of_means_uncorrected"
    return Effect(yi, term1 + term2, "logROM", method)


def descriptive_ratio_of_means(mean_before: float, mean_after: float) -> Effect:
    """Ratio of means after/before in one group, DESCRIPTIVE only: without SDs there is no
    variance (vi=None), so it is summarised (median, range), never pooled or tested.

    Unit-free, so studies in different units can be put side by side. Not to be confused
    with ``log_ratio_of_means`` (two groups, with SDs, poolable).
    """
    before = check_finite(mean_before, "mean_before")
    after = check_finite(mean_after, "mean_after")
    if before <= 0 or after < 0:
        raise ValueError(
            "a ratio of means needs a positive 'before' mean and a non-negative 'after' mean"
        )
    return Effect(after / before, None, "ROM_descriptive", "ratio_after_over_before")


#: Older name of ``descriptive_ratio_of_means`` (kept so existing callers keep working).
ratio_of_means = descriptive_ratio_of_means


# --------------------------------------------------------------------------- 2x2 tables


def _table(events1: int, n1: int, events2: int, n2: int) -> tuple[float, ...]:
    """Return cells a, b, c, d (with 0.5 added to all if any is zero) and the flags."""
    n1, n2 = check_n(n1, "n1", 1), check_n(n2, "n2", 1)
    a, c = check_n(events1, "events1", 0), check_n(events2, "events2", 0)
    if a > n1 or c > n2:
        raise ValueError(f"events exceed group size ({a}/{n1}, {c}/{n2})")
    b, d = n1 - a, n2 - c
    return float(a), float(b), float(c), float(d)


def _corrected(
    events1: int, n1: int, events2: int, n2: int
) -> tuple[float, float, float, float, tuple[str, ...]]:
    a, b, c, d = _table(events1, n1, events2, n2)
    flags: tuple[str, ...] = ()
    if min(a, b, c, d) == 0:
        if (a == 0 and c == 0) or (b == 0 and d == 0):
            flags = (FLAG_CONTINUITY, FLAG_DOUBLE_ZERO)
        else:
            flags = (FLAG_CONTINUITY,)
        a, b, c, d = a + 0.5, b + 0.5, c + 0.5, d + 0.5
    return a, b, c, d, flags


def log_risk_ratio(events1: int, n1: int, events2: int, n2: int) -> Effect:
    """log RR = log(a/n1) - log(c/n2); Var = 1/a - 1/n1 + 1/c - 1/n2 (metafor "RR").

    If any cell is zero, 0.5 is added to all four cells (n1, n2 grow by 1) and it is flagged.
    """
    a, b, c, d, flags = _corrected(events1, n1, events2, n2)
    m1, m2 = a + b, c + d
    yi = math.log(a / m1) - math.log(c / m2)
    return Effect(yi, 1 / a - 1 / m1 + 1 / c - 1 / m2, "logRR", "log_risk_ratio", flags)


def log_odds_ratio(events1: int, n1: int, events2: int, n2: int) -> Effect:
    """log OR = log(ad/(bc)); Var = 1/a + 1/b + 1/c + 1/d (Woolf; metafor "OR").

    Same zero-cell rule as ``log_risk_ratio``.
    """
    a, b, c, d, flags = _corrected(events1, n1, events2, n2)
    yi = math.log(a * d / (b * c))
    return Effect(yi, 1 / a + 1 / b + 1 / c + 1 / d, "logOR", "log_odds_ratio", flags)


def risk_difference(events1: int, n1: int, events2: int, n2: int) -> Effect:
    """RD = p1 - p2; Var = p1(1-p1)/n1 + p2(1-p2)/n2 (metafor "RD", vtype "LS").

    Same zero-cell rule as metafor's default (``to="only0"`` also applies to RD), so the
    estimate and variance use the corrected table when a cell is zero.
    """
    a, b, c, d, flags = _corrected(events1, n1, events2, n2)
    m1, m2 = a + b, c + d
    p1, p2 = a / m1, c / m2
    return Effect(p1 - p2, p1 * (1 - p1) / m1 + p2 * (1 - p2) / m2, "RD", "risk_difference", flags)
