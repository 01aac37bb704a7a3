"""The review's quantitative synthesis, per outcome and per comparison group.

Input: the long results frame (`reviewkit.results`: one row per study,
outcome and timepoint) and the review's vocabulary. This module decides, per
result, which reported numbers can become an effect size and how
(`derive_effect`), and runs the engine in `reviewkit.synthesis` the way the
guide asks (docs/synthesis.md; Cochrane Handbook v6 chapters 6, 10 and 12;
SWiM, Campbell et al. BMJ 2020;368:l6890):

- every outcome is synthesised on its own;
- results are grouped by what they compare: ``between`` (intervention vs
  control, the direction relative to the comparator), ``within_arm`` (the
  change within the intervention group of a controlled study), ``within``
  (the before/after change of an uncontrolled design) and ``unclear`` (the
  design does not say whether there was a control group; where these go is
  `synthesis.control_not_stated`). Groups are never pooled, counted or
  combined together;
- a p-value is converted to an effect size only when it can come from a
  t-test: chi-square and rank-test p-values and p-values of categorical
  outcomes are counted (direction, combined p), never inverted through t.
  A p-value whose test the report does not name is read as a t-test and, by
  default, enters only a sensitivity analysis (`synthesis.untested_p`);
- a group is pooled only with at least `min_studies_to_pool` effects, with the
  model config.yaml names (`synthesis.estimator`: REML, DL, PM or the
  common-effect model FE; Knapp-Hartung in its ad hoc form by default; a
  prediction interval with t on k - 2 df, only with k >= 3; Q-profile
  intervals for tau^2, I^2 and H^2, exact or as metafor's `confint` stops,
  `synthesis.confint`); a group of event counts may be pooled
  by Mantel-Haenszel or Peto (`binary_method`); means and SDs give Hedges'
  g, a raw mean difference (one unit per group) or a log ratio of means
  (`continuous_measure`);
- every pooled group of the main analysis gets Egger's test and funnel-plot
  data, a subgroup analysis (`synthesis.subgroup`) and a meta-regression
  (`synthesis.moderator`), each run only with at least 10 studies and
  otherwise reported as "not run" with the reason, never as a number;
- sensitivity analyses change one assumption each, starting from every
  effect that can be derived: p-values whose test was not stated (included or
  left out), p-values entered at a bound left out, assumed arm sizes split
  2:1 instead of 1:1, a controlled study's p of unstated comparison read as a
  within-arm (paired) test, and within-group changes re-expressed on the
  raw-score SD scale for each assumed pre-post correlation;
- vote counting by direction (sign test) and combined one-sided p-values
  (Stouffer weighted by sqrt(n), Fisher) run per outcome and group; no count
  of "significant" studies is made.

Every derived number is traceable: `effects_table` lists each result's
inputs, formula, flags and whether it enters the main or only a sensitivity
analysis.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import pandas as pd

from reviewkit.conventions import HETEROGENEITY_FEW_STUDIES
from reviewkit.errors import InputError
from reviewkit.i18n import message
from reviewkit.results import results_frame
from reviewkit.rob import JUDGEMENTS, TOOLS
from reviewkit.study_characteristics import study_label, to_pipe_table
from reviewkit.synthesis import (
    FLAG_P_INEQUALITY,
    METHOD_DESCRIPTIONS,
    MIN_STUDIES_MODERATORS,
    MIN_STUDIES_SMALL_STUDY,
    PI_MIN_STUDIES,
    PI_VERY_IMPRECISE_BELOW,
    ConversionRefused,
    Effect,
    describe_ratios,
    effect_from_p,
    egger_test,
    fisher_combined,
    funnel_data,
    leave_one_out,
    log_odds_ratio,
    log_ratio_of_means,
    log_risk_ratio,
    mantel_haenszel,
    mean_difference,
    meta_analysis,
    meta_regression,
    one_sided_p,
    peto_odds_ratio,
    risk_difference,
    smcc_to_smcr,
    smd_from_means,
    stouffer_combined,
    subgroup_analysis,
    vote_count,
)
from reviewkit.synthesis_config import COMMON_EFFECT, own_column
from reviewkit.vocabulary import Vocabulary

FLAG_EQUAL_GROUPS = "equal_groups_assumed"
FLAG_SPLIT_2_1 = "groups_2_to_1_assumed"
FLAG_COMPARISON_ASSUMED = "comparison_assumed_from_design"
FLAG_T_TEST_ASSUMED = "t_test_assumed"  # the engine's name for the same flag (effect_from_p)
REASON_NO_CONTROL_STATED = "design does not say whether there was a control group"
REASON_NOT_COUNTED = "control group not stated; not counted (synthesis.control_not_stated)"
REASON_NO_DATA = "no p-value, means or events"
REASON_NO_DIRECTION = "direction of effect not reported"
REASON_CATEGORICAL = (
    "categorical outcome: its p-value cannot come from a t-test; counted, not converted"
)
REASON_INDEPENDENT_PREPOST = (
    "independent-samples test of a before/after comparison: counted, not converted"
)
REFUSED_TESTS = {
    "chi2": "chi-square p-value: never inverted through t; counted, not converted",
    "mann_whitney": "Mann-Whitney p-value: no inverse through t; counted, not converted",
    "wilcoxon": "Wilcoxon p-value: no inverse through t; counted, not converted",
}
BINARY_FUNCTIONS = {"RR": log_risk_ratio, "OR": log_odds_ratio, "RD": risk_difference}
GROUPS = ("between", "within_arm", "within", "unclear")
POOLED_GROUPS = ("between", "within_arm", "within")
CHANGE_GROUPS = ("within_arm", "within")  # before/after changes (g_z)
ROLE_MAIN, ROLE_SENSITIVITY = "main", "sensitivity"
SPLIT_EQUAL, SPLIT_2_1 = (1, 1), (2, 1)


BINARY_MEASURES = ("logRR", "logOR", "RD")
BINARY_METHODS = {"mantel_haenszel": "MH", "peto": "Peto"}
PI_REASON_COMMON_EFFECT = "common_effect_model"
PI_REASON_FEW_STUDIES = "fewer_than_3_studies"


@dataclass(frozen=True)
class SynthesisSettings:
    """`synthesis:` of config.yaml (meaning and defaults: schemas/config.schema.yaml).

    `estimator` "common" is stored as "FE" (the common-effect model)."""

    meta_analysis: bool = True
    estimator: str = "REML"
    knapp_hartung: bool = True
    prediction: str = "hts"
    confint: str = "exact"
    min_studies_to_pool: int = 3
    confidence_level: float = 0.95
    binary_measure: str = "RR"
    binary_method: str = "inverse_variance"
    continuous_measure: str = "SMD"
    correlations: tuple[float, ...] = (0.3, 0.5, 0.7)
    favoured_direction: str = "increase"
    untested_p: str = "sensitivity"
    control_not_stated: str = "own_group"
    subgroup: str = ""
    moderator: str = ""

    def __post_init__(self) -> None:
        if self.estimator in COMMON_EFFECT:
            object.__setattr__(self, "estimator", "FE")
        if self.binary_method == "peto" and self.binary_measure != "OR":
            raise ValueError("binary_method peto pools odds ratios only (binary_measure OR)")
        if self.continuous_measure not in ("SMD", "MD", "ROM"):
            raise ValueError(
                f"continuous_measure must be SMD, MD or ROM, not {self.continuous_measure!r}"
            )

    @property
    def common_effect(self) -> bool:
        return self.estimator == "FE"

    @property
    def model(self) -> str:
        return "common_effect" if self.common_effect else "random_effects"

    @property
    def test(self) -> str:
        """The engine's test: ad hoc Knapp-Hartung for random effects unless switched off."""
        return "adhoc" if self.knapp_hartung and not self.common_effect else "z"

    @classmethod
    def from_config(cls, config: dict) -> SynthesisSettings:
        known = {name: config[name] for name in cls.__dataclass_fields__ if name in config}
        if "correlations" in known:
            known["correlations"] = tuple(known["correlations"])
        return cls(**known)

    def as_dict(self) -> dict:
        """The settings for synthesis.json, with the model and test they imply."""
        return {**asdict(self), "model": self.model, "test": self.test}


@dataclass(frozen=True)
class DerivedEffect:
    """One result's effect (or why it has none), with what it was computed from.

    comparison: the group its effect (or p-value) belongs to; role: "main",
    "sensitivity" (enters only sensitivity analyses) or None (no effect)."""

    id: str
    comparison: str | None
    effect: Effect | None
    inputs: dict
    flags: tuple[str, ...] = field(default_factory=tuple)
    reason: str | None = None
    role: str | None = None


def present(value: object) -> bool:
    return value is not None and not pd.isna(value)


def text(value: object) -> str | None:
    return str(value) if present(value) else None


def group_sizes(
    row: pd.Series, split: tuple[int, int] = SPLIT_EQUAL
) -> tuple[int, int, tuple[str, ...]]:
    """Arm sizes as reported, or the total split `split` (intervention first; flagged).

    1:1 puts the odd participant in the intervention arm; 2:1 gives the
    intervention arm round(2n/3)."""
    if present(row.get("n_intervention")) and present(row.get("n_control")):
        return int(row["n_intervention"]), int(row["n_control"]), ()
    total = int(row["n_total"])
    if split == SPLIT_EQUAL:
        return math.ceil(total / 2), total // 2, (FLAG_EQUAL_GROUPS,)
    first = round(total * split[0] / sum(split))
    return first, total - first, (FLAG_SPLIT_2_1,)


def direction_sign(direction: object) -> int | None:
    return {"increase": 1, "decrease": -1}.get(text(direction))


def p_group(
    row: pd.Series,
    vocabulary: Vocabulary,
    settings: SynthesisSettings,
    assumed_comparison: str = "between",
) -> tuple[str | None, tuple[str, ...], str | None]:
    """The group a result's p-value (and direction) belongs to: (group, flags, reason)."""
    comparison = vocabulary.comparison(str(row["design"]))
    if comparison == "unclear":
        mode = settings.control_not_stated
        if mode == "within_group":
            return "within", (FLAG_COMPARISON_ASSUMED,), None
        if mode == "own_group":
            return "unclear", (), REASON_NO_CONTROL_STATED
        return None, (), REASON_NOT_COUNTED
    if comparison == "within":
        return "within", (), None
    stated, test = text(row.get("p_comparison")), text(row.get("p_test"))
    if stated == "between_groups" or test == "independent_t":
        return "between", (), None
    if stated == "within_group" or test == "paired_t":
        return "within_arm", (), None
    # A controlled design's p may come from either test; read as `assumed_comparison`.
    return assumed_comparison, (FLAG_COMPARISON_ASSUMED,), None


def derive_effect(
    row: pd.Series,
    settings: SynthesisSettings,
    vocabulary: Vocabulary | None = None,
    *,
    split: tuple[int, int] = SPLIT_EQUAL,
    assumed_comparison: str = "between",
) -> DerivedEffect:
    """The best effect size the result's reported numbers allow, or why there is none.

    The engine refuses inputs its formulas cannot take (e.g. a one-group study of
    two participants: a paired t needs n >= 3); such a result gets no effect size and
    the refusal is its recorded reason, instead of stopping the build."""
    vocabulary = vocabulary or Vocabulary()
    try:
        return effect_from_reported_numbers(row, settings, vocabulary, split, assumed_comparison)
    except ValueError as refusal:
        return DerivedEffect(str(row["id"]), None, None, {}, reason=f"no effect size: {refusal}")


def effect_from_reported_numbers(
    row: pd.Series,
    settings: SynthesisSettings,
    vocabulary: Vocabulary,
    split: tuple[int, int],
    assumed_comparison: str,
) -> DerivedEffect:
    """In priority order: events per arm, means and SDs per arm, a p-value with
    direction and sizes, converted only where its test allows."""
    study = str(row["id"])
    if present(row.get("events_intervention")) and present(row.get("events_control")):
        e1, e2 = int(row["events_intervention"]), int(row["events_control"])
        n1, n2 = int(row["n_intervention"]), int(row["n_control"])
        effect = BINARY_FUNCTIONS[settings.binary_measure](e1, n1, e2, n2)
        inputs = {"kind": "events", "events1": e1, "n1": n1, "events2": e2, "n2": n2}
        return DerivedEffect(study, "between", effect, inputs, effect.flags, role=ROLE_MAIN)
    if present(row.get("mean_intervention")) and present(row.get("mean_control")):
        names = ("mean_intervention", "sd_intervention", "n_intervention")
        m1, s1, n1 = (float(row[c]) for c in names)
        m2, s2, n2 = (float(row[c]) for c in ("mean_control", "sd_control", "n_control"))
        inputs = {"kind": "means", "mean1": m1, "sd1": s1, "n1": int(n1)}
        inputs |= {"mean2": m2, "sd2": s2, "n2": int(n2)}
        measure = settings.continuous_measure
        if measure == "MD":
            reported = text(row.get("mean_unit"))
            unit, factor = md_unit(reported, vocabulary)
            effect = mean_difference(
                m1 * factor, s1 * factor, int(n1), m2 * factor, s2 * factor, int(n2)
            )
            inputs |= {"unit_as_reported": reported, "unit": unit}
        elif measure == "ROM":
            effect = log_ratio_of_means(m1, s1, int(n1), m2, s2, int(n2))
        else:
            effect = smd_from_means(m1, s1, int(n1), m2, s2, int(n2))
        return DerivedEffect(study, "between", effect, inputs, effect.flags, role=ROLE_MAIN)
    if not (present(row.get("p_value")) and present(row.get("p_operator"))):
        return DerivedEffect(study, None, None, {}, reason=REASON_NO_DATA)
    p, operator = float(row["p_value"]), str(row["p_operator"])
    given = {"kind": "p", "p": p, "operator": operator}
    group, assumed, reason = p_group(row, vocabulary, settings, assumed_comparison)
    if group is None or group == "unclear":
        return DerivedEffect(study, group, None, given, assumed, reason=reason)
    sign = direction_sign(
        row.get("direction_within" if group == "within_arm" else "effect_direction")
    )
    if sign is None and group == "within_arm" and FLAG_COMPARISON_ASSUMED in assumed:
        # Read as a within-arm test, the reported direction is that change's direction.
        sign = direction_sign(row.get("effect_direction"))
    if sign is None:
        return DerivedEffect(study, group, None, given, assumed, reason=REASON_NO_DIRECTION)
    given["direction"] = "increase" if sign > 0 else "decrease"
    test = text(row.get("p_test")) or "not_stated"
    if text(row.get("outcome_type")) == "categorical":
        return DerivedEffect(study, group, None, given, assumed, reason=REASON_CATEGORICAL)
    if group == "within" and test == "independent_t":
        return DerivedEffect(study, group, None, given, assumed, reason=REASON_INDEPENDENT_PREPOST)
    # One path for every p-value: the engine converts it only where its test allows
    # (a t-test; "not_stated" read as one and flagged) and refuses chi-square and rank tests.
    if group == "between":
        n1, n2, sizes = group_sizes(row, split)
        sizes_given = {"n1": n1, "n2": n2}
    elif group == "within_arm":  # paired test within the intervention arm
        n1, _, sizes = group_sizes(row, split)
        sizes_given = {"n": n1, "arm": True}
    else:
        sizes, sizes_given = (), {"n": int(row["n_total"])}
    try:
        effect = effect_from_p(
            p,
            test,
            direction=sign,
            operator=operator,
            **{key: value for key, value in sizes_given.items() if key != "arm"},
        )
    except ConversionRefused as refusal:
        return DerivedEffect(study, group, None, given, assumed, reason=REFUSED_TESTS[refusal.test])
    untested = tuple(flag for flag in effect.flags if flag == FLAG_T_TEST_ASSUMED)
    own = tuple(flag for flag in effect.flags if flag != FLAG_T_TEST_ASSUMED)
    role = ROLE_SENSITIVITY if untested and settings.untested_p == "sensitivity" else ROLE_MAIN
    flags = own + assumed + sizes + untested
    return DerivedEffect(study, group, effect, {**given, **sizes_given}, flags, role=role)


def md_unit(reported: str | None, vocabulary: Vocabulary) -> tuple[str | None, float]:
    """The unit a raw mean difference is expressed in, and the factor to it.

    Means are converted to their unit's base unit (cc -> ml, l -> 1000 ml); the
    result is named by the vocabulary's unit that is that base (factor 1, same
    per-day reading), e.g. "ml/hari". Without a reported unit: (None, 1)."""
    if reported is None:
        return None, 1.0
    unit = vocabulary.unit(reported)
    for candidate in vocabulary.units:
        if (
            candidate.base == unit.base
            and candidate.factor == 1.0
            and candidate.per_day == unit.per_day
        ):
            return candidate.code, unit.factor
    return (f"{unit.base}/day" if unit.per_day else unit.base), unit.factor


def inputs_text(inputs: dict, language: str) -> str:
    """The numbers an effect was computed from, in the manuscript's language."""
    from reviewkit.numfmt import format_number, format_p

    def num(value):
        return format_number(value, language)

    from reviewkit.i18n import section

    words = section(language, "effects_table.inputs")
    kind = inputs.get("kind")
    if kind == "events":
        return (
            f"{num(inputs['events1'])}/{num(inputs['n1'])} {words['vs']} "
            f"{num(inputs['events2'])}/{num(inputs['n2'])}"
        )
    if kind == "means":
        return (
            f"{num(inputs['mean1'])} ({num(inputs['sd1'])}; n = {num(inputs['n1'])}) vs "
            f"{num(inputs['mean2'])} ({num(inputs['sd2'])}; n = {num(inputs['n2'])})"
        )
    if kind == "p":
        text_ = format_p(inputs["p"], inputs["operator"], language)
        if "n" in inputs:
            text_ += f", n = {num(inputs['n'])}"
        if "n1" in inputs:
            text_ += f", n = {num(inputs['n1'])} + {num(inputs['n2'])}"
        if "direction" in inputs:
            text_ += f", {words[inputs['direction']]}"
        return text_
    return "–"


def method_description(method: str) -> str:
    base = method.split(":")[0].split("(")[0]
    return METHOD_DESCRIPTIONS.get(base, method)


EFFECTS_TABLE_COLUMNS = [
    "id",
    "outcome",
    "timepoint",
    "synthesised",
    "label",
    "design",
    "comparison",
    "role",
    "n_total",
    "inputs",
    "inputs_data",
    "measure",
    "unit",
    "yi",
    "vi",
    "ci_low",
    "ci_high",
    "method",
    "formula",
    "flags",
    "imputed",
    "reason_no_effect",
]


def effects_table(
    results: list[dict], derived: list[DerivedEffect], level: float, language: str = "en"
) -> pd.DataFrame:
    """The supplementary table: every result (rows of the results frame as dicts), its
    inputs, effect, formula, flags and role."""
    rows = []
    for result, item in zip(results, derived, strict=True):
        effect = item.effect
        interval = effect.ci(level) if effect is not None else None
        rows.append(
            {
                "id": item.id,
                "outcome": str(result["outcome"]),
                "timepoint": text(result.get("timepoint")),
                "synthesised": bool(result.get("synthesised", True)),
                "label": study_label(result["authors"], result["year"], language),
                "design": result["design"],
                "comparison": item.comparison,
                "role": item.role,
                "n_total": int(result["n_total"]),
                "inputs": inputs_text(item.inputs, "en"),
                "inputs_data": item.inputs,
                "measure": effect.measure if effect else None,
                "unit": item.inputs.get("unit") if effect and effect.measure == "MD" else None,
                "yi": effect.yi if effect else None,
                "vi": effect.vi if effect else None,
                "ci_low": interval[0] if interval else None,
                "ci_high": interval[1] if interval else None,
                "method": effect.method if effect else None,
                "formula": method_description(effect.method) if effect else None,
                "flags": ";".join(item.flags),
                "imputed": FLAG_P_INEQUALITY in item.flags,
                "reason_no_effect": item.reason,
            }
        )
    # A table without studies (a new review) still has its columns.
    return pd.DataFrame(rows) if rows else pd.DataFrame(columns=EFFECTS_TABLE_COLUMNS)


def result_dict(result) -> dict:
    data = asdict(result)
    data.pop("weights", None)
    data["notes"] = list(data["notes"])
    return data


@dataclass(frozen=True)
class StudyValues:
    """Per study id, the value of the subgroup column and of the moderator (None: empty)."""

    subgroup_column: str = ""
    subgroup: dict = field(default_factory=dict)
    moderator_column: str = ""
    moderator: dict = field(default_factory=dict)


def is_event_counts(rows: pd.DataFrame) -> bool:
    """Whether every effect of the group comes from two-group event counts."""
    return bool(
        len(rows)
        and rows["measure"].isin(BINARY_MEASURES).all()
        and all(item.get("kind") == "events" for item in rows["inputs_data"])
    )


def binary_pooling(rows: pd.DataFrame, settings: SynthesisSettings):
    """Mantel-Haenszel or Peto from the groups' 2x2 tables (the engine's `BinaryPooled`)."""
    counts = [
        rows["inputs_data"].map(lambda item, k=key: item[k]).tolist()
        for key in ("events1", "n1", "events2", "n2")
    ]
    level = settings.confidence_level
    if settings.binary_method == "peto":
        return peto_odds_ratio(*counts, level=level)
    return mantel_haenszel(*counts, measure=settings.binary_measure, level=level)


def binary_result_dict(result) -> dict:
    """A Mantel-Haenszel or Peto result with the keys of an inverse-variance one
    (None where a common-effect model has no such number) and its own tests."""
    data = asdict(result)
    measure = data.pop("measure")
    z = data.pop("z")
    return {
        **data,
        "test": "z",
        "stat": z,
        "df": None,
        "tau2": None,
        "tau": None,
        "pi_low": None,
        "pi_high": None,
        "effect_measure": measure,
        "kh_q": None,
        "pi_method": None,
        "pi_df": None,
        "pi_very_imprecise": None,
        **dict.fromkeys(
            [
                f"{name}_ci_{side}"
                for name in ("tau2", "tau", "i2", "h2")
                for side in ("low", "high")
            ]
        ),
        "notes": list(data["notes"]),
    }


def pooled_estimate(rows: pd.DataFrame, settings: SynthesisSettings) -> dict:
    """The pooled estimate of one group's effects with the configured model and method.

    Adds `model` (random_effects / common_effect), `pooling_method`
    (inverse_variance / mantel_haenszel / peto), `pi_reason` (why there is no
    prediction interval: a code, None when there is one) and
    `heterogeneity_not_estimable` (tau^2 estimated at 0 from fewer than
    HETEROGENEITY_FEW_STUDIES studies; None for a common-effect model)."""
    method = settings.binary_method
    if method in BINARY_METHODS and is_event_counts(rows):
        data = binary_result_dict(binary_pooling(rows, settings))
        return {
            **data,
            "model": "common_effect",
            "pooling_method": method,
            "pi_reason": PI_REASON_COMMON_EFFECT,
            "heterogeneity_not_estimable": None,
        }
    yi, vi = rows["yi"].astype(float).tolist(), rows["vi"].astype(float).tolist()
    result = meta_analysis(
        yi,
        vi,
        method=settings.estimator,
        test=settings.test,
        prediction=settings.prediction,
        level=settings.confidence_level,
        effect_measure=str(rows["measure"].iloc[0]),
        qprofile=settings.confint,
    )
    data = result_dict(result)
    if settings.common_effect:
        data.update(tau2=None, tau=None)  # not estimated: the model assumes none
        reason, not_estimable = PI_REASON_COMMON_EFFECT, None
    else:
        reason = None if result.pi_low is not None else PI_REASON_FEW_STUDIES
        not_estimable = bool(result.tau2 == 0.0 and result.k < HETEROGENEITY_FEW_STUDIES)
    return {
        **data,
        "model": settings.model,
        "pooling_method": "inverse_variance",
        "pi_reason": reason,
        "heterogeneity_not_estimable": not_estimable,
    }


def leave_one_out_entry(rows: pd.DataFrame, settings: SynthesisSettings, entry: dict) -> dict:
    """Each study left out once, with the model and method the group was pooled with."""
    ids = rows["id"].tolist()
    if entry["pooling_method"] in BINARY_METHODS:
        fits = {}
        for index, study in zip(rows.index, ids, strict=True):
            fits[study] = binary_pooling(rows.drop(index=index), settings)
        results = {study: (r.estimate, r.ci_low, r.ci_high) for study, r in fits.items()}
    else:
        loo = leave_one_out(
            rows["yi"].astype(float).tolist(),
            rows["vi"].astype(float).tolist(),
            labels=ids,
            method=settings.estimator,
            test=settings.test,
            prediction=settings.prediction,
            level=settings.confidence_level,
            heterogeneity_ci=False,  # only the estimates and their intervals are kept
        )
        results = {
            item.label: (item.result.estimate, item.result.ci_low, item.result.ci_high)
            for item in loo
        }
    estimates = [estimate for estimate, _, _ in results.values() if estimate is not None]
    return {
        "leave_one_out": {
            study: {"estimate": est, "ci_low": low, "ci_high": high}
            for study, (est, low, high) in results.items()
        },
        "leave_one_out_range": {"min": min(estimates), "max": max(estimates)}
        if estimates
        else None,
    }


def _not_run(result: dict) -> dict:
    """A test that did not run: its reason and k, never a statistic."""
    keep = ("run", "reason", "k", "min_studies")
    return {key: result[key] for key in keep if key in result}


def small_study_entry(rows: pd.DataFrame, settings: SynthesisSettings, entry: dict) -> dict:
    """Egger's test and the funnel-plot data, or why they were not run (k < 10)."""
    minimum = {"min_studies": MIN_STUDIES_SMALL_STUDY}
    if not entry.get("pooled"):
        off = {**_not_pooled(len(rows)), **minimum}
        return {"egger": off, "funnel": off}
    yi, vi = rows["yi"].astype(float).tolist(), rows["vi"].astype(float).tolist()
    level = settings.confidence_level
    egger = asdict(egger_test(yi, vi, level=level))
    funnel = asdict(
        funnel_data(yi, vi, labels=rows["id"].tolist(), centre=entry["estimate"], level=level)
    )
    if funnel["run"]:
        funnel["ids"] = list(funnel.pop("labels"))
        funnel.update(yi=list(funnel["yi"]), se=list(funnel["se"]), centre_source="pooled_estimate")
    return {
        "egger": egger if egger["run"] else _not_run(egger),
        "funnel": funnel if funnel["run"] else _not_run(funnel),
    }


def _meta_summary(result) -> dict:
    data = result_dict(result)
    keep = (
        "k",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "stat",
        "df",
        "p",
        "tau2",
        "tau2_ci_low",
        "tau2_ci_high",
        "i2",
        "i2_ci_low",
        "i2_ci_high",
        "q",
        "q_df",
        "q_p",
        "pi_low",
        "pi_high",
        "method",
        "test",
        "notes",
    )
    return {key: data[key] for key in keep}


def subgroup_entry(rows: pd.DataFrame, settings: SynthesisSettings, values: StudyValues) -> dict:
    """The subgroup analysis by `synthesis.subgroup` with the test for subgroup differences;
    studies with an empty cell are left out (listed in `ids_missing`)."""
    ids = rows["id"].tolist()
    labels = [values.subgroup.get(study) for study in ids]
    kept = [i for i, label in enumerate(labels) if label is not None]
    base = {
        "column": values.subgroup_column,
        "ids_missing": [study for study, label in zip(ids, labels, strict=True) if label is None],
    }
    if not kept:
        return {**base, "run": False, "reason": "not run: no study has a value", "k": 0}
    result = subgroup_analysis(
        rows["yi"].astype(float).to_numpy()[kept],
        rows["vi"].astype(float).to_numpy()[kept],
        [str(labels[i]) for i in kept],
        labels=[ids[i] for i in kept],
        method=settings.estimator,
        test=settings.test,
        prediction=settings.prediction,
        level=settings.confidence_level,
        qprofile=settings.confint,
    )
    data = asdict(result)
    if not result.run:
        return {**base, **_not_run(data)}
    data["subgroups"] = [
        {"name": sub.name, "ids": list(sub.labels), **_meta_summary(sub.result)}
        for sub in result.subgroups
    ]
    return {**base, **data}


def meta_regression_entry(
    rows: pd.DataFrame, settings: SynthesisSettings, values: StudyValues
) -> dict:
    """The meta-regression on `synthesis.moderator` (studies without a value left out)."""
    ids = rows["id"].tolist()
    x = [values.moderator.get(study) for study in ids]
    kept = [i for i, value in enumerate(x) if value is not None]
    column = values.moderator_column
    missing = [study for study, value in zip(ids, x, strict=True) if value is None]
    base = {"column": column, "ids_missing": missing}
    try:
        result = meta_regression(
            rows["yi"].astype(float).to_numpy()[kept],
            rows["vi"].astype(float).to_numpy()[kept],
            {column: [float(x[i]) for i in kept]},
            method=settings.estimator,
            test=settings.test,
            level=settings.confidence_level,
            qprofile=settings.confint,
        )
    except ValueError as refusal:  # e.g. the same value in every study (collinear)
        return {**base, "run": False, "reason": f"not run: {refusal}", "k": len(kept)}
    data = asdict(result)
    if not result.run:
        return {**base, **_not_run(data)}
    data["notes"] = list(data["notes"])
    return {**base, **data}


def md_units_reason(rows: pd.DataFrame) -> str | None:
    """Why raw mean differences of one group cannot be pooled (units), or None."""
    units = rows["unit"] if "unit" in rows else pd.Series(None, index=rows.index)
    missing = rows.loc[units.isna(), "id"].tolist()
    if missing:
        return (
            "raw mean differences need the unit of the means (mean_unit), not given for: "
            + ", ".join(missing)
        )
    if units.nunique() > 1:
        return (
            f"raw mean differences in different units ({', '.join(sorted(set(units)))}) "
            "are not pooled; continuous_measure SMD compares them"
        )
    return None


def pool_group(
    rows: pd.DataFrame,
    settings: SynthesisSettings,
    with_loo: bool = True,
    values: StudyValues | None = None,
) -> dict:
    """Pool one group's effects (rows of the effects table with a variance) if justified.

    `values` (the main analysis only): add Egger's test and funnel data, and the
    subgroup analysis and meta-regression the settings ask for."""
    rows = rows[rows["vi"].notna()]
    measures = rows["measure"].astype(str).value_counts(sort=False)
    entry = {
        "k_with_effect": len(rows),
        "pooled": False,
        "measure": rows["measure"].iloc[0] if len(rows) else None,
        "ids": rows["id"].tolist(),
    }
    if len(measures) > 1:
        counted = ", ".join(f"{code} {count}" for code, count in sorted(measures.items()))
        entry["reason"] = f"effects use different measures ({counted})"
    elif not settings.meta_analysis:
        entry["reason"] = "meta-analysis switched off in config.yaml"
    elif len(rows) < settings.min_studies_to_pool:
        entry["reason"] = f"fewer than {settings.min_studies_to_pool} studies with an effect size"
    elif entry["measure"] == "MD" and (why := md_units_reason(rows)):
        entry["reason"] = why
    else:
        result = pooled_estimate(rows, settings)
        if result["estimate"] is None:  # e.g. Mantel-Haenszel without any event
            entry["reason"] = "not estimable: " + "; ".join(result["notes"])
        else:
            entry.update(pooled=True, reason=None, **result)
            if entry["measure"] == "MD":
                entry["unit"] = str(rows["unit"].iloc[0])
            if with_loo:
                entry.update(leave_one_out_entry(rows, settings, entry))
    if values is not None and len(rows):
        entry["small_study"] = small_study_entry(rows, settings, entry)
        for key, column, analysis in (
            ("subgroups", values.subgroup_column, subgroup_entry),
            ("meta_regression", values.moderator_column, meta_regression_entry),
        ):
            if column:
                entry[key] = (
                    analysis(rows, settings, values)
                    if entry["pooled"]
                    else {"column": column, **_not_pooled(len(rows))}
                )
    return entry


def _not_pooled(k: int) -> dict:
    """An analysis of a pooled group (Egger, subgroups, meta-regression) left out."""
    return {"run": False, "reason": "not run: the group is not pooled", "k": k}


def pool(
    effects: pd.DataFrame,
    settings: SynthesisSettings,
    with_loo: bool = True,
    values: StudyValues | None = None,
) -> dict:
    """Pool each comparison group separately, where it has enough effects."""
    return {
        group: pool_group(effects[effects["comparison"] == group], settings, with_loo, values)
        for group in POOLED_GROUPS
    }


def _has_flag(flags: pd.Series, flag: str) -> pd.Series:
    return flags.fillna("").str.split(";").map(lambda items: flag in items)


def sensitivity_analyses(
    rows: pd.DataFrame,
    effects: pd.DataFrame,
    settings: SynthesisSettings,
    vocabulary: Vocabulary,
) -> dict:
    """Each assumption behind a pooled result changed once (see the module docstring).

    `rows` and `effects` are one outcome's synthesised results and their effects
    (same order). Every analysis starts from every derivable effect (main and
    sensitivity-only) and records which results it changed and the pooled
    estimate of every group."""
    derivable = effects[effects["role"].notna()]
    untested = _has_flag(effects["flags"], FLAG_T_TEST_ASSUMED)
    analyses: dict[str, object] = {}

    def entry(chosen: pd.DataFrame, changed: list[str]) -> dict:
        return {"changed": changed, "groups": pool(chosen, settings, with_loo=False)}

    if untested.any():
        ids = effects.loc[untested & effects["role"].notna(), "id"].tolist()
        if settings.untested_p == "sensitivity":
            analyses["untested_p_included"] = entry(derivable, ids)
        else:
            analyses["untested_p_excluded"] = entry(derivable[~untested[derivable.index]], ids)
    bounds = derivable["imputed"].astype(bool)
    if bounds.any():
        analyses["without_p_bounds"] = entry(
            derivable[~bounds], derivable.loc[bounds, "id"].tolist()
        )
    for name, flag, kwargs in (
        ("groups_2_to_1", FLAG_EQUAL_GROUPS, {"split": SPLIT_2_1}),
        ("comparison_as_within_arm", FLAG_COMPARISON_ASSUMED, {"assumed_comparison": "within_arm"}),
    ):
        changed = derivable.index[_has_flag(derivable["flags"], flag)]
        if name == "comparison_as_within_arm":
            changed = [i for i in changed if derivable.at[i, "comparison"] == "between"]
        if not len(changed):
            continue
        redone = effects.copy()
        derived = [
            derive_effect(rows.loc[index], settings, vocabulary, **kwargs) for index in changed
        ]
        # One assignment per column, not one per row (a row at a time costs a
        # millisecond each in pandas: seconds for thousands of studies).
        for column, values in (
            ("comparison", [again.comparison for again in derived]),
            ("measure", [again.effect.measure if again.effect else None for again in derived]),
            ("yi", [again.effect.yi if again.effect else None for again in derived]),
            ("vi", [again.effect.vi if again.effect else None for again in derived]),
            ("flags", [";".join(again.flags) for again in derived]),
        ):
            redone.loc[list(changed), column] = values
        analyses[name] = entry(redone.loc[derivable.index], derivable.loc[changed, "id"].tolist())
    by_correlation = []
    changes = derivable[derivable["comparison"].isin(CHANGE_GROUPS) & derivable["vi"].notna()]
    if len(changes):
        for r in settings.correlations:
            converted = changes.copy()
            on_raw_scale = [
                smcc_to_smcr(Effect(float(yi), float(vi), "SMCC", str(method)), r)
                for yi, vi, method in zip(
                    changes["yi"], changes["vi"], changes["method"], strict=True
                )
            ]
            converted["measure"] = [effect.measure for effect in on_raw_scale]
            converted["yi"] = [effect.yi for effect in on_raw_scale]
            converted["vi"] = [effect.vi for effect in on_raw_scale]
            pooled = pool(converted, settings, with_loo=False)
            by_correlation.append(
                {
                    "r": r,
                    "measure": "SMCR",
                    "groups": {group: pooled[group] for group in CHANGE_GROUPS},
                }
            )
        # Within-group changes re-expressed on the raw-score SD scale, d = g_z sqrt(2(1 - r)):
        # still changes over time, never a comparison with a control group.
        analyses["pre_post_correlation"] = by_correlation
    return analyses


def vote_groups(
    rows: pd.DataFrame, vocabulary: Vocabulary, settings: SynthesisSettings
) -> dict[str, list[tuple[str, str | None]]]:
    """(study id, direction) per comparison group; directions against each group's comparator."""
    groups: dict[str, list] = {group: [] for group in GROUPS}
    for row in rows.to_dict("records"):
        comparison = vocabulary.comparison(str(row["design"]))
        study = str(row["id"])
        if comparison == "between":
            groups["between"].append((study, text(row.get("effect_direction"))))
            if present(row.get("direction_within")) or text(row.get("p_comparison")) == (
                "within_group"
            ):
                groups["within_arm"].append((study, text(row.get("direction_within"))))
        elif comparison == "within":
            groups["within"].append((study, text(row.get("effect_direction"))))
        elif settings.control_not_stated == "own_group":
            groups["unclear"].append((study, text(row.get("effect_direction"))))
        elif settings.control_not_stated == "within_group":
            groups["within"].append((study, text(row.get("effect_direction"))))
    return groups


def vote_counts(
    rows: pd.DataFrame, vocabulary: Vocabulary, settings: SynthesisSettings, favoured: str
) -> dict:
    """Sign test by direction of effect, one per comparison group that has results."""
    counts = {}
    for group, items in vote_groups(rows, vocabulary, settings).items():
        if not items:
            continue
        votes = vote_count(
            [direction for _, direction in items],
            favoured=favoured,
            level=settings.confidence_level,
        )
        counts[group] = {
            **asdict(votes),
            "ids": [study for study, _ in items],
            "ids_favoured": [study for study, direction in items if direction == favoured],
        }
    return counts


def combined_p_values(
    rows: pd.DataFrame, vocabulary: Vocabulary, settings: SynthesisSettings, favoured: str
) -> dict:
    """Stouffer (weights sqrt(n)) and Fisher on one-sided p-values in the direction of
    benefit, per comparison group; p-values entered at a bound are left out again in
    `without_bounds`. Any test's p-value can be combined (only its direction and size
    are used). The `unclear` group is not combined: what its p-values compare is unknown."""
    collected: dict[str, list[tuple]] = {group: [] for group in POOLED_GROUPS}
    for row in rows.to_dict("records"):
        if not (present(row.get("p_value")) and present(row.get("p_operator"))):
            continue
        group, flags, _ = p_group(row, vocabulary, settings)
        if group not in collected:
            continue
        direction = text(
            row.get("direction_within" if group == "within_arm" else "effect_direction")
        )
        if direction not in ("increase", "decrease"):
            continue
        n = group_sizes(row)[0] if group == "within_arm" else int(row["n_total"])
        collected[group].append(
            (
                str(row["id"]),
                one_sided_p(float(row["p_value"]), favoured=direction == favoured),
                n,
                row["p_operator"] == "<",
                bool(flags),
            )
        )
    combined = {}
    for group, items in collected.items():
        if not items:
            continue
        ids, p_one, sizes, bounds, assumed = (list(column) for column in zip(*items, strict=True))

        kept = [i for i, bound in enumerate(bounds) if not bound]
        combined[group] = {
            "k": len(ids),
            "k_bound": sum(bounds),
            "k_comparison_assumed": sum(assumed),
            "ids": ids,
            "all": _combine(p_one, sizes, list(range(len(ids)))),
            "without_bounds": _combine(p_one, sizes, kept)
            if kept and len(kept) < len(ids)
            else None,
        }
    return combined


def _combine(p_one: list[float], sizes: list[int], chosen: list[int]) -> dict:
    ps = [p_one[i] for i in chosen]
    return {
        "stouffer": asdict(stouffer_combined(ps, [sizes[i] for i in chosen])),
        "fisher": asdict(fisher_combined(ps)),
    }


def ratio_summary(rows: pd.DataFrame) -> dict:
    """After/before ratios of means (descriptive only), overall and by whose values they are."""
    chosen = rows[rows["value_before"].notna() & rows["value_after"].notna()]
    ratios = chosen["value_after"].astype(float) / chosen["value_before"].astype(float)
    by_group = {}
    groups = (
        chosen["values_group"].astype(object).where(chosen["values_group"].notna(), "not_stated")
    )
    for name in ("intervention", "single_group", "not_stated"):
        picked = ratios[groups == name]
        if len(picked):
            by_group[name] = {
                **asdict(describe_ratios(picked.tolist())),
                "ids": chosen.loc[picked.index, "id"].tolist(),
            }
    return {**asdict(describe_ratios(ratios.tolist())), "by_values_group": by_group}


def outcome_synthesis(
    code: str,
    rows: pd.DataFrame,
    effects: pd.DataFrame,
    settings: SynthesisSettings,
    vocabulary: Vocabulary,
    values: StudyValues | None = None,
) -> dict:
    """Everything synthesis.json says about one outcome (see docs/synthesis.md)."""
    outcome = vocabulary.outcome(code)
    chosen = rows["synthesised"].astype(bool).to_numpy()
    rows, effects = rows[chosen], effects[chosen]
    main = effects[effects["role"] == ROLE_MAIN]
    with_main = main[main["vi"].notna()]
    untested = _has_flag(effects["flags"], FLAG_T_TEST_ASSUMED) & effects["role"].notna()
    counted = effects["role"].isna() & effects["reason_no_effect"].isin(
        [REASON_CATEGORICAL, REASON_INDEPENDENT_PREPOST, *REFUSED_TESTS.values()]
    )
    return {
        "code": code,
        "labels": dict(outcome.labels),
        "declared": vocabulary.declares_outcomes,
        "primary": code == vocabulary.primary,
        "favoured_direction": outcome.favoured_direction,
        "n_studies": int(rows["id"].nunique()),
        "n_results": len(rows),
        "n_with_effect": len(with_main),
        "n_sensitivity_only": int((effects["role"] == ROLE_SENSITIVITY).sum()),
        "n_without_effect": int(effects["role"].isna().sum()),
        "n_imputed": int(with_main["imputed"].sum()),
        "untested_p": {
            "setting": settings.untested_p,
            "ids": effects.loc[untested, "id"].tolist(),
        },
        "not_converted": [
            {"id": row["id"], "reason": row["reason_no_effect"]}
            for _, row in effects[counted].iterrows()
        ],
        "groups": pool(main, settings, values=values or StudyValues()),
        "sensitivity": sensitivity_analyses(rows, effects, settings, vocabulary),
        "vote_count": vote_counts(rows, vocabulary, settings, outcome.favoured_direction),
        "combined_p": combined_p_values(rows, vocabulary, settings, outcome.favoured_direction),
        "ratios": ratio_summary(rows),
    }


def funnel_plot_panels(outcomes: dict) -> dict:
    """Which outcome and group get a funnel-plot panel (those whose funnel data ran, k >= 10);
    `drawn` False means the figure only says that no group has enough studies."""
    panels = [
        {"outcome": code, "group": group}
        for code, outcome in outcomes.items()
        for group, entry in outcome["groups"].items()
        if entry.get("small_study", {}).get("funnel", {}).get("run")
    ]
    return {"drawn": bool(panels), "panels": panels, "min_studies": MIN_STUDIES_SMALL_STUDY}


def risk_of_bias_summary(studies: pd.DataFrame, tool: str) -> dict:
    if tool == "none":
        return {"assessed": False, "tool": None}
    overall = studies["rob_overall"].fillna("no_information")
    return {
        "assessed": True,
        "tool": TOOLS[tool].name,
        "overall": {
            judgement: int((overall == judgement).sum())
            for judgement in JUDGEMENTS
            if (overall == judgement).any()
        },
    }


def study_values(
    studies: pd.DataFrame, settings: SynthesisSettings, own_columns: pd.DataFrame | None = None
) -> StudyValues:
    """The subgroup and moderator values per study, from the validated study table or,
    for a column of the user's own (x_...), from `own_columns` (`read_own_columns`)."""

    def column(name: str) -> pd.Series:
        source = studies if name in studies.columns else own_columns
        if source is None or name not in source.columns:
            raise ValueError(f"the study table has no column {name!r}")
        return source.set_index("id")[name]

    subgroup, moderator = {}, {}
    if settings.subgroup:
        subgroup = {
            str(study): (str(value) if present(value) else None)
            for study, value in column(settings.subgroup).items()
        }
    if settings.moderator:
        moderator = {
            str(study): (float(value) if present(value) else None)
            for study, value in column(settings.moderator).items()
        }
    return StudyValues(settings.subgroup, subgroup, settings.moderator, moderator)


def read_own_columns(path, settings: SynthesisSettings) -> pd.DataFrame | None:
    """The user's own (x_...) columns the synthesis settings name, read from the study
    table as typed: text for a subgroup, numbers (decimal comma or point) for a
    moderator. InputError, one line per problem: the column is missing, or a
    moderator cell is not a number."""
    from reviewkit.tables_io import read_table_cells
    from reviewkit.validation import parse_cell

    wanted = {
        name: kind
        for name, kind in ((settings.subgroup, "string"), (settings.moderator, "number"))
        if name and own_column(name)
    }
    if not wanted:
        return None
    cells = read_table_cells(path)
    problems = []
    frame = pd.DataFrame({"id": cells["id"].astype(str).str.strip()})
    for name, kind in wanted.items():
        key = "subgroup" if kind == "string" else "moderator"
        if name not in cells.columns:
            problems.append(
                f'{path}: column "{name}" is missing; config.yaml synthesis.{key} names it'
            )
            continue
        values = []
        for row_number, cell in cells[name].items():
            cell = str(cell).strip()
            if not cell:
                values.append(None)
                continue
            value, expected = parse_cell(cell, kind)
            if expected:
                problems.append(
                    f'{path}: row {row_number}, column {name}: "{cell}" is not a number '
                    f"(config.yaml synthesis.{key} needs numbers)"
                )
            values.append(value)
        frame[name] = values
    if problems:
        raise InputError(problems)
    return frame


def synthesise(
    studies: pd.DataFrame,
    settings: SynthesisSettings,
    rob_tool: str = "none",
    results: pd.DataFrame | None = None,
    vocabulary: Vocabulary | None = None,
    language: str = "en",
    own_columns: pd.DataFrame | None = None,
):
    """Run the whole synthesis; returns (summary dict for synthesis.json, effects table).

    `results`: the long results frame (default: the study table's own results);
    `own_columns`: the user's x_ columns the settings name (`read_own_columns`)."""
    vocabulary = vocabulary or Vocabulary(favoured_direction=settings.favoured_direction)
    if results is None:
        results = results_frame(studies, vocabulary=vocabulary)
    values = study_values(studies, settings, own_columns)
    # rows as dicts: iterrows builds a Series a row (a third of the step at 10,000 studies)
    records = results.to_dict("records")
    derived = [derive_effect(row, settings, vocabulary) for row in records]
    effects = effects_table(records, derived, settings.confidence_level, language)
    flag_counts: dict[str, int] = {}
    for flags in effects.loc[effects["synthesised"], "flags"]:
        for flag in filter(None, flags.split(";")):
            flag_counts[flag] = flag_counts.get(flag, 0) + 1
    levels = studies["design"].map(vocabulary.evidence_level).dropna().value_counts()
    outcomes = {}
    for code in vocabulary.outcome_codes:
        chosen = (results["outcome"] == code).to_numpy()
        if chosen.any():
            outcomes[code] = outcome_synthesis(
                code, results[chosen], effects[chosen], settings, vocabulary, values
            )
    summary = {
        "settings": settings.as_dict(),
        "thresholds": {
            "min_studies_to_pool": settings.min_studies_to_pool,
            "prediction_interval_min_studies": PI_MIN_STUDIES,
            "prediction_interval_very_imprecise_below": PI_VERY_IMPRECISE_BELOW,
            "heterogeneity_few_studies": HETEROGENEITY_FEW_STUDIES,
            "small_study_min_studies": MIN_STUDIES_SMALL_STUDY,
            "moderators_min_studies": MIN_STUDIES_MODERATORS,
        },
        "funnel_plot": funnel_plot_panels(outcomes),
        "primary_outcome": vocabulary.primary,
        "outcome_order": list(outcomes),
        "groups_order": list(GROUPS),
        "outcomes": outcomes,
        "flags": dict(sorted(flag_counts.items())),
        "evidence_levels": {level: int(levels[level]) for level in sorted(levels.index)},
        "risk_of_bias": risk_of_bias_summary(studies, rob_tool),
    }
    return summary, effects


# --- the supplementary table in the manuscript ---------------------------------------------

# Words of the table: catalogue section effects_table (reviewkit/locales/); words
# added with the outcome and comparison-group model are under synthesis.*. Short
# method names there; the full formula is in effects.csv and docs/synthesis-engine.md.
EFFECT_COLUMNS = ("no", "study", "comparison", "inputs", "method", "effect", "notes")
NEW_METHOD_KEYS = ("mean_difference", "log_ratio_of_means")
NEW_FLAG_KEYS = {FLAG_T_TEST_ASSUMED: "t_test_assumed", FLAG_SPLIT_2_1: "groups_2_to_1"}
NEW_REASON_KEYS = {
    REASON_CATEGORICAL: "categorical",
    REASON_INDEPENDENT_PREPOST: "independent_prepost",
    REASON_NOT_COUNTED: "not_counted",
    REFUSED_TESTS["chi2"]: "chi2",
    REFUSED_TESTS["mann_whitney"]: "mann_whitney",
    REFUSED_TESTS["wilcoxon"]: "wilcoxon",
}


def comparison_label(group: object, language: str) -> str:
    """The comparison group's name in a table ("Antarkelompok", "Pra-pasca", ...)."""
    from reviewkit.i18n import section

    group = text(group)
    if group is None:
        return "–"
    words = section(language, "effects_table.comparisons")
    if group in words:
        return words[group]
    return message(language, f"synthesis.comparison.{group}")


def flag_label(flag: str, language: str) -> str:
    from reviewkit.i18n import section

    if flag in NEW_FLAG_KEYS:
        return message(language, f"synthesis.flag.{NEW_FLAG_KEYS[flag]}")
    return section(language, "effects_table.flags").get(flag, flag)


def reason_label(reason: str, language: str) -> str:
    from reviewkit.i18n import section

    if reason in NEW_REASON_KEYS:
        return message(language, f"synthesis.reason.{NEW_REASON_KEYS[reason]}")
    return section(language, "effects_table.reasons").get(reason, reason)


def outcome_label(code: str, language: str, vocabulary: Vocabulary | None) -> str | None:
    if vocabulary is None or not vocabulary.declares_outcomes:
        return None
    return vocabulary.outcome(code).label(language) or code


def effects_markdown(
    effects: pd.DataFrame,
    language: str,
    vocabulary: Vocabulary | None = None,
    level: float = 0.95,
    *,
    cite: bool = True,
):
    """Supplementary table of every result's derived effect, for the manuscript.

    With several outcomes, the study cell names the outcome (and timepoint).
    Markdown; every cell but the study citation is escaped as literal text.
    ``cite=False``: the study cell is its label as literal text, no citation
    (the supplementary tables of a large review, reviewkit.large_review)."""
    from reviewkit.i18n import section
    from reviewkit.numfmt import format_number, format_percent
    from reviewkit.safe_markdown import Markdown, literal
    from reviewkit.study_characteristics import study_cell

    words = section(language, "effects_table")
    separator = message(language, "text.interval_separator")
    several = effects["outcome"].nunique() > 1 or (effects["timepoint"].notna().any())
    rows = []
    for number, row in enumerate(effects.to_dict("records"), start=1):
        if present(row["yi"]):
            effect = (
                f"{row['measure']} {format_number(row['yi'], language, 2)} "
                f"[{format_number(row['ci_low'], language, 2)}{separator}"
                f"{format_number(row['ci_high'], language, 2)}]"
            )
            base = str(row["method"]).split(":")[0]
            short = words["methods"].get(base) or (
                message(language, f"synthesis.method.{base}") if base in NEW_METHOD_KEYS else None
            )
            method = Markdown(short) if short else str(row["method"])  # g~z~: a subscript
        else:
            effect, method = "–", "–"
        notes = [flag_label(flag, language) for flag in filter(None, str(row["flags"]).split(";"))]
        if row.get("role") == ROLE_SENSITIVITY:
            notes.append(message(language, "synthesis.role.sensitivity_only"))
        if not row.get("synthesised", True):
            notes.append(message(language, "synthesis.role.other_timepoint"))
        if present(row["reason_no_effect"]):
            notes.append(reason_label(row["reason_no_effect"], language))
        study = study_cell(row["id"], row["label"]) if cite else literal(row["label"])
        if several:
            parts = [
                outcome_label(str(row["outcome"]), language, vocabulary),
                text(row["timepoint"]),
            ]
            shown = ", ".join(part for part in parts if part)
            if shown:  # the outcome's name and timepoint are the user's: literal text
                study = Markdown(f"{study} ({literal(shown)})")
        rows.append(
            [
                number,
                study,
                comparison_label(row["comparison"], language),
                inputs_text(row["inputs_data"], language),
                method,
                effect,
                "; ".join(notes) or "–",
            ]
        )
    headers = words["headers"]
    level_text = format_percent(level, language)
    columns = [headers[c].replace("{level}", level_text) for c in EFFECT_COLUMNS]
    table = pd.DataFrame(rows, columns=columns)
    display = table.copy()  # the study as the reader sees it, for the column widths
    display.iloc[:, 1] = effects["label"].tolist()
    return to_pipe_table(table, markdown_columns=[1], display=display)
