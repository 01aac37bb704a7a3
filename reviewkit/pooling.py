"""The review's quantitative synthesis: from the study table to effects, pooled
estimates where justified, and synthesis without meta-analysis.

This module decides, per study, which reported numbers can become an effect
size and how (`derive_effect`), and then runs the engine in
`reviewkit.synthesis` the way the guide asks (docs/synthesis.md):

- effects are grouped by what they compare: between groups (controlled
  designs) or within one group before and after (uncontrolled designs); the
  two are never pooled together, and a design that does not say whether it
  had a control group gives no effect;
- a group is pooled only with at least `min_studies_to_pool` effects;
- p-values entered at a bound ("p < 0,05", "p = 0,000") and other
  assumptions are flagged, and the analyses are repeated without them;
- vote counting by direction (sign test) and combined one-sided p-values
  (Stouffer weighted by sqrt(n), Fisher) cover every study; no count of
  "significant" studies is made.

Every derived number is traceable: `effects_table` lists each study's
inputs, formula and flags for the supplementary table.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import pandas as pd

from reviewkit.designs import DESIGN_BY_CODE
from reviewkit.rob import JUDGEMENTS, TOOLS
from reviewkit.synthesis import (
    FLAG_P_INEQUALITY,
    METHOD_DESCRIPTIONS,
    Effect,
    combined_p_sensitivity,
    describe_ratios,
    leave_one_out,
    log_odds_ratio,
    log_risk_ratio,
    meta_analysis,
    one_sided_p,
    risk_difference,
    smcc_from_p,
    smcc_to_smcr,
    smd_from_means,
    smd_from_p,
    vote_count,
)

FLAG_EQUAL_GROUPS = "equal_groups_assumed"
REASON_NO_CONTROL_STATED = "design does not say whether there was a control group"
FLAG_COMPARISON_ASSUMED = "comparison_assumed_from_design"
BINARY_FUNCTIONS = {"RR": log_risk_ratio, "OR": log_odds_ratio, "RD": risk_difference}
COMPARISONS = ("between", "within")
# JBI levels of evidence for effectiveness (2013), by design.
EVIDENCE_LEVELS = {
    "rct": "1.c",
    "quasi_controlled": "2.c",
    "static_group": "2.c",
    "quasi_prepost": "2.d",
    "quasi_unspecified": "2.d",
    "one_group_prepost": "2.d",
    "pre_experimental": "2.d",
}


@dataclass(frozen=True)
class SynthesisSettings:
    meta_analysis: bool = True
    estimator: str = "REML"
    knapp_hartung: bool = False
    min_studies_to_pool: int = 3
    confidence_level: float = 0.95
    binary_measure: str = "RR"
    correlations: tuple[float, ...] = (0.3, 0.5, 0.7)
    primary_correlation: float = 0.5
    favoured_direction: str = "increase"

    @classmethod
    def from_config(cls, config: dict) -> SynthesisSettings:
        known = {name: config[name] for name in cls.__dataclass_fields__ if name in config}
        if "correlations" in known:
            known["correlations"] = tuple(known["correlations"])
        return cls(**known)


@dataclass(frozen=True)
class DerivedEffect:
    """One study's effect (or why it has none), with what it was computed from."""

    id: str
    comparison: str | None
    effect: Effect | None
    inputs: dict
    flags: tuple[str, ...] = field(default_factory=tuple)
    reason: str | None = None


def present(value: object) -> bool:
    return value is not None and not pd.isna(value)


def design_comparison(design: str) -> str:
    return DESIGN_BY_CODE[design].comparison


def group_sizes(row: pd.Series) -> tuple[int, int, tuple[str, ...]]:
    """Arm sizes as reported, or the total split equally (flagged) when not stated."""
    if present(row["n_intervention"]) and present(row["n_control"]):
        return int(row["n_intervention"]), int(row["n_control"]), ()
    total = int(row["n_total"])
    return math.ceil(total / 2), total // 2, (FLAG_EQUAL_GROUPS,)


def direction_sign(direction: object) -> int | None:
    return {"increase": 1, "decrease": -1}.get(direction if present(direction) else None)


def p_comparison(row: pd.Series) -> tuple[str | None, tuple[str, ...]]:
    """What the p-value compares: as reported, or what the design implies (flagged)."""
    stated = row.get("p_comparison")
    if present(stated) and stated != "not_stated":
        return ("between" if stated == "between_groups" else "within"), ()
    implied = design_comparison(row["design"])
    if implied == "unclear":
        return None, ()
    # A one-group design can only compare before with after; a controlled design's p
    # may come from either test, so the between-group reading is flagged.
    return implied, (FLAG_COMPARISON_ASSUMED,) if implied == "between" else ()


def derive_effect(row: pd.Series, settings: SynthesisSettings) -> DerivedEffect:
    """The best effect size the study's reported numbers allow, or why there is none.

    The engine refuses inputs its formulas cannot take (e.g. a one-group study of
    two participants: a paired t needs n >= 3); such a study gets no effect size and
    the refusal is its recorded reason, instead of stopping the build."""
    try:
        return effect_from_reported_numbers(row, settings)
    except ValueError as refusal:
        return DerivedEffect(str(row["id"]), None, None, {}, reason=f"no effect size: {refusal}")


def effect_from_reported_numbers(row: pd.Series, settings: SynthesisSettings) -> DerivedEffect:
    """In priority order: events per arm, means and SDs per arm, a p-value with
    direction and sizes."""
    study = str(row["id"])
    if present(row["events_intervention"]) and present(row["events_control"]):
        e1, e2 = int(row["events_intervention"]), int(row["events_control"])
        n1, n2 = int(row["n_intervention"]), int(row["n_control"])
        effect = BINARY_FUNCTIONS[settings.binary_measure](e1, n1, e2, n2)
        inputs = {"kind": "events", "events1": e1, "n1": n1, "events2": e2, "n2": n2}
        return DerivedEffect(study, "between", effect, inputs, effect.flags)
    if present(row["mean_intervention"]) and present(row["mean_control"]):
        values = [
            row[c]
            for c in (
                "mean_intervention",
                "sd_intervention",
                "n_intervention",
                "mean_control",
                "sd_control",
                "n_control",
            )
        ]
        m1, s1, n1, m2, s2, n2 = (float(v) for v in values)
        effect = smd_from_means(m1, s1, int(n1), m2, s2, int(n2))
        inputs = {
            "kind": "means",
            "mean1": m1,
            "sd1": s1,
            "n1": int(n1),
            "mean2": m2,
            "sd2": s2,
            "n2": int(n2),
        }
        return DerivedEffect(study, "between", effect, inputs, effect.flags)
    if not (present(row["p_value"]) and present(row["p_operator"])):
        return DerivedEffect(study, None, None, {}, reason="no p-value, means or events")
    sign = direction_sign(row["effect_direction"])
    p, operator = float(row["p_value"]), str(row["p_operator"])
    given = {"kind": "p", "p": p, "operator": operator}
    if sign is None:
        return DerivedEffect(study, None, None, given, reason="direction of effect not reported")
    comparison, assumed = p_comparison(row)
    if comparison is None:
        return DerivedEffect(study, None, None, given, reason=REASON_NO_CONTROL_STATED)
    given["direction"] = "increase" if sign > 0 else "decrease"
    if comparison == "within":
        n = int(row["n_total"])
        effect = smcc_from_p(p, n, direction=sign, operator=operator)
        return DerivedEffect(study, "within", effect, {**given, "n": n}, effect.flags + assumed)
    n1, n2, split = group_sizes(row)
    effect = smd_from_p(p, n1, n2, direction=sign, operator=operator)
    return DerivedEffect(
        study, "between", effect, {**given, "n1": n1, "n2": n2}, effect.flags + assumed + split
    )


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
        text = format_p(inputs["p"], inputs["operator"], language)
        if "n" in inputs:
            text += f", n = {num(inputs['n'])}"
        if "n1" in inputs:
            text += f", n = {num(inputs['n1'])} + {num(inputs['n2'])}"
        if "direction" in inputs:
            text += f", {words[inputs['direction']]}"
        return text
    return "–"


def method_description(method: str) -> str:
    base = method.split(":")[0].split("(")[0]
    return METHOD_DESCRIPTIONS.get(base, method)


def effects_table(
    studies: pd.DataFrame, derived: list[DerivedEffect], level: float
) -> pd.DataFrame:
    """The supplementary table: every study, its inputs, effect, formula and flags."""
    rows = []
    for (_, study), item in zip(studies.iterrows(), derived, strict=True):
        effect = item.effect
        interval = effect.ci(level) if effect is not None else None
        rows.append(
            {
                "id": item.id,
                "label": f"{study['authors']} ({int(study['year'])})",
                "design": study["design"],
                "comparison": item.comparison,
                "n_total": int(study["n_total"]),
                "inputs": inputs_text(item.inputs, "en"),
                "inputs_data": item.inputs,
                "measure": effect.measure if effect else None,
                "yi": effect.yi if effect else None,
                "vi": effect.vi if effect else None,
                "ci_low": interval[0] if interval else None,
                "ci_high": interval[1] if interval else None,
                "method": effect.method if effect else None,
                "formula": method_description(effect.method) if effect else None,
                "flags": ";".join(item.flags),
                "imputed": bool(set(item.flags) & {FLAG_P_INEQUALITY}),
                "reason_no_effect": item.reason,
            }
        )
    return pd.DataFrame(rows)


def result_dict(result) -> dict:
    data = asdict(result)
    data.pop("weights", None)
    data["notes"] = list(data["notes"])
    return data


def pool(effects: pd.DataFrame, settings: SynthesisSettings) -> dict:
    """Pool each comparison group separately, where it has enough effects."""
    groups = {}
    for comparison in COMPARISONS:
        rows = effects[(effects["comparison"] == comparison) & effects["vi"].notna()]
        entry = {
            "k_with_effect": len(rows),
            "pooled": False,
            "measure": None,
            "ids": rows["id"].tolist(),
        }
        if len(rows):
            entry["measure"] = rows["measure"].iloc[0]
        if len(set(rows["measure"])) > 1:
            entry["reason"] = "effects use different measures"
        elif not settings.meta_analysis:
            entry["reason"] = "meta-analysis switched off in config.yaml"
        elif len(rows) < settings.min_studies_to_pool:
            entry["reason"] = (
                f"fewer than {settings.min_studies_to_pool} studies with an effect size"
            )
        else:
            kwargs = {
                "method": settings.estimator,
                "knapp_hartung": settings.knapp_hartung,
                "level": settings.confidence_level,
            }
            result = meta_analysis(rows["yi"].tolist(), rows["vi"].tolist(), **kwargs)
            loo = leave_one_out(
                rows["yi"].tolist(), rows["vi"].tolist(), labels=rows["id"].tolist(), **kwargs
            )
            entry.update(pooled=True, reason=None, **result_dict(result))
            entry["leave_one_out"] = {
                item.label: {
                    "estimate": item.result.estimate,
                    "ci_low": item.result.ci_low,
                    "ci_high": item.result.ci_high,
                }
                for item in loo
            }
            estimates = [item.result.estimate for item in loo]
            entry["leave_one_out_range"] = {"min": min(estimates), "max": max(estimates)}
        groups[comparison] = entry
    return groups


def correlation_analyses(derived: list[DerivedEffect], settings: SynthesisSettings) -> list[dict]:
    """Within-group effects on the between-group scale for each assumed correlation."""
    within = [
        item.effect for item in derived if item.comparison == "within" and item.effect is not None
    ]
    analyses = []
    for r in settings.correlations:
        converted = [smcc_to_smcr(effect, r) for effect in within]
        entry = {"r": r, "k": len(converted), "pooled": False}
        if settings.meta_analysis and len(converted) >= settings.min_studies_to_pool:
            result = meta_analysis(
                [e.yi for e in converted],
                [e.vi for e in converted],
                method=settings.estimator,
                knapp_hartung=settings.knapp_hartung,
                level=settings.confidence_level,
            )
            entry.update(
                pooled=True, estimate=result.estimate, ci_low=result.ci_low, ci_high=result.ci_high
            )
        analyses.append(entry)
    return analyses


def combined_p_values(studies: pd.DataFrame, favoured: str = "increase") -> dict:
    """Stouffer (weights sqrt(n)) and Fisher on one-sided p-values in the direction of
    benefit; studies whose p was entered at a bound are flagged and left out in the
    sensitivity analysis."""
    rows = studies[
        studies["p_value"].notna() & studies["effect_direction"].isin(["increase", "decrease"])
    ]
    if rows.empty:
        return {"k": 0}
    p_one = [
        one_sided_p(float(p), favoured=(d == favoured))
        for p, d in zip(rows["p_value"], rows["effect_direction"], strict=True)
    ]
    flags = [(FLAG_P_INEQUALITY,) if op == "<" else () for op in rows["p_operator"]]
    result = combined_p_sensitivity(p_one, rows["n_total"].astype(float).tolist(), flags)

    def as_dict(pair):
        return None if pair is None else {name: asdict(value) for name, value in pair.items()}

    return {
        "k": len(rows),
        "k_bound": sum(1 for f in flags if f),
        "ids": rows["id"].tolist(),
        "all": as_dict(result["all"]),
        "without_bounds": as_dict(result["without_flagged"]),
    }


def without_imputed(effects: pd.DataFrame, settings: SynthesisSettings) -> dict:
    return pool(effects[~effects["imputed"]], settings)


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


def synthesise(studies: pd.DataFrame, settings: SynthesisSettings, rob_tool: str = "none"):
    """Run the whole synthesis; returns (summary dict for synthesis.json, effects table)."""
    derived = [derive_effect(row, settings) for _, row in studies.iterrows()]
    effects = effects_table(studies, derived, settings.confidence_level)
    with_effect = effects[effects["vi"].notna()]
    votes = vote_count(
        studies["effect_direction"].fillna("not_reported").tolist(),
        favoured=settings.favoured_direction,
        level=settings.confidence_level,
    )
    ratios = describe_ratios(
        (after / before) if present(before) and present(after) else None
        for before, after in zip(studies["value_before"], studies["value_after"], strict=True)
    )
    flag_counts = {}
    for flags in effects["flags"]:
        for flag in filter(None, flags.split(";")):
            flag_counts[flag] = flag_counts.get(flag, 0) + 1
    levels = studies["design"].map(EVIDENCE_LEVELS).value_counts()
    summary = {
        "settings": asdict(settings),
        "n_with_effect": len(with_effect),
        "n_without_effect": len(effects) - len(with_effect),
        "n_imputed": int(with_effect["imputed"].sum()),
        "groups": pool(effects, settings),
        "sensitivity": {
            "without_imputed": without_imputed(effects, settings),
            "correlation": correlation_analyses(derived, settings),
        },
        "vote_count": asdict(votes),
        "combined_p": combined_p_values(studies, settings.favoured_direction),
        "ratios": asdict(ratios),
        "flags": flag_counts,
        "evidence_levels": {level: int(levels[level]) for level in sorted(levels.index)},
        "risk_of_bias": risk_of_bias_summary(studies, rob_tool),
    }
    return summary, effects


# --- the supplementary table in the manuscript ---------------------------------------------

# Words of the table: catalogue section effects_table (reviewkit/locales/). Short
# method names there; the full formula is in effects.csv and docs/synthesis-engine.md.
EFFECT_COLUMNS = ("no", "study", "comparison", "inputs", "method", "effect", "notes")


def effects_markdown(effects: pd.DataFrame, language: str, level: float = 0.95) -> str:
    """Supplementary table of every study's derived effect, for the manuscript."""
    from reviewkit.i18n import message, section
    from reviewkit.numfmt import format_number, format_percent
    from reviewkit.study_characteristics import study_cell, to_pipe_table

    words = section(language, "effects_table")
    separator = message(language, "text.interval_separator")
    rows = []
    for number, (_, row) in enumerate(effects.iterrows(), start=1):
        if present(row["yi"]):
            effect = (
                f"{row['measure']} {format_number(row['yi'], language, 2)} "
                f"[{format_number(row['ci_low'], language, 2)}{separator}"
                f"{format_number(row['ci_high'], language, 2)}]"
            )
            method = words["methods"].get(str(row["method"]).split(":")[0], row["method"])
        else:
            effect, method = "–", "–"
        notes = [
            words["flags"].get(flag, flag) for flag in filter(None, str(row["flags"]).split(";"))
        ]
        if present(row["reason_no_effect"]):
            reason = row["reason_no_effect"]
            notes.append(words["reasons"].get(reason, reason))
        inputs = inputs_text(row["inputs_data"], language)
        rows.append(
            [
                number,
                study_cell(row["id"], row["label"]),
                words["comparisons"].get(row["comparison"], "–")
                if present(row["comparison"])
                else "–",
                inputs,
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
