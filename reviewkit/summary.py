"""Summary statistics of the included studies, for the text, table and figures.

Input: the validated study table, the long results frame (`reviewkit.results`)
and the review's vocabulary. Everything here is descriptive: counts, medians
and ranges. Study characteristics (sizes, years, designs) are counted once
per study; what a study reported (p-values, directions, before/after values)
is counted for the primary outcome at its synthesised timepoint, and the
before/after ratios again per outcome. Counts of how p was reported describe
the reporting, they are not evidence of an effect. A year left empty is
counted as not reported, never guessed.
"""

from __future__ import annotations

import pandas as pd

from reviewkit.conventions import SIGNIFICANCE_LEVEL
from reviewkit.results import results_frame
from reviewkit.vocabulary import Vocabulary

P_TESTS = ("independent_t", "paired_t", "chi2", "mann_whitney", "wilcoxon", "not_stated")


def p_reporting_kind(operator: object, value: object) -> str:
    """exact | inequality | none: how a study reported its p-value."""
    if pd.isna(operator) or pd.isna(value):
        return "none"
    return "exact" if operator == "=" else "inequality"


def reported_below(operator: object, value: object, level: float = SIGNIFICANCE_LEVEL) -> bool:
    """Whether a reported p lies below the level: p = 0,007 yes; p < 0,05 yes; none no."""
    if pd.isna(operator) or pd.isna(value):
        return False
    return value < level if operator == "=" else value <= level


def before_after_ratios(
    results: pd.DataFrame, vocabulary: Vocabulary | None = None
) -> pd.DataFrame:
    """After/before ratio of means for results reporting both, values in their base unit.

    The ratio is unit-free; the base-unit columns show the normalisation (cc = ml,
    litre = 1000 ml, as the unit vocabulary says) so a reader can check it.
    `results` is the long results frame (a study table with its result columns
    works too: it is one result per study)."""
    vocabulary = vocabulary or Vocabulary()
    rows = results.dropna(subset=["value_before", "value_after", "value_unit"])
    if "synthesised" in rows:
        rows = rows[rows["synthesised"].astype(bool)]
    units = [vocabulary.unit(str(code)) for code in rows["value_unit"]]
    factors = pd.Series([unit.factor for unit in units], index=rows.index, dtype=float)
    labelled = {"label": rows["label"]} if "label" in rows else {}  # as the reference list
    return pd.DataFrame(
        {
            "id": rows["id"],
            **labelled,
            "authors": rows["authors"],
            "year": rows["year"],
            "design": rows["design"],
            "outcome": rows.get("outcome", pd.NA),
            "values_group": rows["values_group"],
            "unit_as_reported": rows["value_unit"],
            "base_unit": [unit.base for unit in units],
            "before_base": rows["value_before"].astype(float) * factors,
            "after_base": rows["value_after"].astype(float) * factors,
            "per_day": [unit.per_day for unit in units],
            "ratio": rows["value_after"].astype(float) / rows["value_before"].astype(float),
        }
    ).reset_index(drop=True)


def count_in_order(values: pd.Series, order: list) -> dict:
    counts = values.value_counts()
    return {str(key): int(counts[key]) for key in order if key in counts}


def ratio_numbers(ratios: pd.DataFrame) -> dict:
    return {
        "n_studies": len(ratios),
        "ratio_median": float(ratios["ratio"].median()) if len(ratios) else None,
        "ratio_min": float(ratios["ratio"].min()) if len(ratios) else None,
        "ratio_max": float(ratios["ratio"].max()) if len(ratios) else None,
        "studies": ratios.assign(year=ratios["year"].astype(object))
        .where(ratios.notna(), None)
        .to_dict(orient="records"),
    }


def year_numbers(studies: pd.DataFrame) -> dict:
    """The range of known years and how many studies gave none."""
    known = studies["year"].dropna().astype(int)
    return {
        "min": int(known.min()) if len(known) else None,
        "max": int(known.max()) if len(known) else None,
        "n_reported": len(known),
        "n_missing": int(studies["year"].isna().sum()),
    }


def summarise(
    studies: pd.DataFrame,
    results: pd.DataFrame | None = None,
    vocabulary: Vocabulary | None = None,
) -> dict:
    """The summary the manuscript's placeholders are filled from (JSON-ready)."""
    vocabulary = vocabulary or Vocabulary()
    if results is None:
        results = results_frame(studies, vocabulary=vocabulary)
    synthesised = results[results["synthesised"].astype(bool)]
    primary = synthesised[synthesised["outcome"] == vocabulary.primary]
    sizes = studies["n_total"].astype(int)
    kinds = [
        p_reporting_kind(op, p)
        for op, p in zip(primary["p_operator"], primary["p_value"], strict=True)
    ]
    p_values = primary["p_value"].astype(float)
    below = [
        reported_below(op, p)
        for op, p in zip(primary["p_operator"], primary["p_value"], strict=True)
    ]
    printed = primary["p_as_reported"].fillna("").str.replace(" ", "").str.lower()
    rounded_zero = printed.str.removeprefix("p").isin(["=0,000", "=0.000", "0,000", "0.000"])
    designs = count_in_order(studies["design"], vocabulary.design_codes)
    comparisons = studies["design"].map(vocabulary.comparison)
    direction = primary["effect_direction"].fillna("not_reported")
    tests = primary.loc[primary["p_value"].notna(), "p_test"].fillna("not_stated")
    with_sd = results.loc[results[["sd_intervention", "sd_control"]].notna().any(axis=1), "id"]
    years = studies["year"].dropna().astype(int)
    by_outcome = {}
    for code in vocabulary.outcome_codes:
        rows = results[results["outcome"] == code]
        if not len(rows):
            continue
        outcome = vocabulary.outcome(code)
        by_outcome[code] = {
            "labels": dict(outcome.labels),
            "favoured_direction": outcome.favoured_direction,
            "n_studies": int(rows["id"].nunique()),
            "n_results": len(rows),
            "before_after": ratio_numbers(before_after_ratios(rows, vocabulary)),
        }
    return {
        "n_studies": len(studies),
        "n_participants": int(sizes.sum()),
        # None, never a number, while the table has no rows (a new review).
        "sample_size": {
            "median": float(sizes.median()) if len(sizes) else None,
            "min": int(sizes.min()) if len(sizes) else None,
            "max": int(sizes.max()) if len(sizes) else None,
        },
        "years": year_numbers(studies),
        "by_year": count_in_order(years, sorted(years.unique())),
        "by_design": designs,
        "n_designs": len(designs),
        "n_with_sd": int(with_sd.nunique()),
        "by_comparison": count_in_order(comparisons, ["between", "within", "unclear"]),
        "primary_outcome": vocabulary.primary,
        "outcome_order": list(by_outcome),
        "outcomes": by_outcome,
        "p_reporting": {
            "exact": kinds.count("exact"),
            "inequality": kinds.count("inequality"),
            "none": kinds.count("none"),
            "rounded_zero": int(rounded_zero.sum()),
            "below_005": int(sum(below)),
            "min_exact": float(p_values[primary["p_operator"] == "="].min())
            if "exact" in kinds
            else None,
            "max_exact": float(p_values[primary["p_operator"] == "="].max())
            if "exact" in kinds
            else None,
            "by_test": count_in_order(tests, list(P_TESTS)),
        },
        "direction": count_in_order(
            direction, ["increase", "no_change", "decrease", "unclear", "not_reported"]
        ),
        # Results that report an increase against their comparator or, for a controlled
        # study that reports only that, within its intervention group.
        "n_reporting_increase": int(
            (
                (primary["effect_direction"] == "increase")
                | (primary["direction_within"] == "increase")
            )
            .fillna(False)
            .sum()
        ),
        "direction_within": count_in_order(
            primary["direction_within"].dropna(), ["increase", "no_change", "decrease", "unclear"]
        ),
        "before_after": ratio_numbers(before_after_ratios(primary, vocabulary)),
        "vocabulary": vocabulary.to_config(),
    }
