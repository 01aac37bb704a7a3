"""Summary statistics of the included studies, for the text, table and figures.

Everything here is descriptive: counts, medians and ranges. Counts of how p
was reported describe the reporting, they are not evidence of an effect.
"""

from __future__ import annotations

import pandas as pd

from reviewkit.designs import DESIGN_BY_CODE, DESIGN_ORDER

# Volume units of the vocabulary -> (millilitres per unit, per day?)
UNIT_TO_ML = {
    "ml": (1.0, False),
    "cc": (1.0, False),
    "l": (1000.0, False),
    "ml/hari": (1.0, True),
    "cc/hari": (1.0, True),
    "l/hari": (1000.0, True),
}
SIGNIFICANCE_LEVEL = 0.05


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


def before_after_ratios(studies: pd.DataFrame) -> pd.DataFrame:
    """After/before ratio of means for studies reporting both, volumes in ml.

    The ratio is unit-free; the ml columns show the normalisation (cc = ml,
    litre = 1000 ml) so a reader can check it.
    """
    rows = studies.dropna(subset=["value_before", "value_after", "value_unit"])
    factors = rows["value_unit"].map(lambda unit: UNIT_TO_ML[unit][0]).astype(float)
    return pd.DataFrame(
        {
            "id": rows["id"],
            "authors": rows["authors"],
            "year": rows["year"],
            "design": rows["design"],
            "values_group": rows["values_group"],
            "unit_as_reported": rows["value_unit"],
            "before_ml": rows["value_before"].astype(float) * factors,
            "after_ml": rows["value_after"].astype(float) * factors,
            "per_day": rows["value_unit"].map(lambda unit: UNIT_TO_ML[unit][1]),
            "ratio": rows["value_after"].astype(float) / rows["value_before"].astype(float),
        }
    ).reset_index(drop=True)


def count_in_order(values: pd.Series, order: list) -> dict:
    counts = values.value_counts()
    return {str(key): int(counts[key]) for key in order if key in counts}


def summarise(studies: pd.DataFrame) -> dict:
    """The summary the manuscript's placeholders are filled from (JSON-ready)."""
    sizes = studies["n_total"].astype(int)
    kinds = [
        p_reporting_kind(op, p)
        for op, p in zip(studies["p_operator"], studies["p_value"], strict=True)
    ]
    p_values = studies["p_value"].astype(float)
    below = [
        reported_below(op, p)
        for op, p in zip(studies["p_operator"], studies["p_value"], strict=True)
    ]
    printed = studies["p_as_reported"].fillna("").str.replace(" ", "").str.lower()
    rounded_zero = printed.str.removeprefix("p").isin(["=0,000", "=0.000", "0,000", "0.000"])
    ratios = before_after_ratios(studies)
    designs = count_in_order(studies["design"], DESIGN_ORDER)
    comparisons = studies["design"].map(lambda code: DESIGN_BY_CODE[code].comparison)
    direction = studies["effect_direction"].fillna("not_reported")
    return {
        "n_studies": len(studies),
        "n_participants": int(sizes.sum()),
        # None, never a number, while the table has no rows (a new review).
        "sample_size": {
            "median": float(sizes.median()) if len(sizes) else None,
            "min": int(sizes.min()) if len(sizes) else None,
            "max": int(sizes.max()) if len(sizes) else None,
        },
        "years": {
            "min": int(studies["year"].min()) if len(studies) else None,
            "max": int(studies["year"].max()) if len(studies) else None,
        },
        "by_year": count_in_order(
            studies["year"].astype(int), sorted(studies["year"].astype(int).unique())
        ),
        "by_design": designs,
        "n_designs": len(designs),
        "n_with_sd": int(studies[["sd_intervention", "sd_control"]].notna().any(axis=1).sum()),
        "by_comparison": count_in_order(comparisons, ["between", "within", "unclear"]),
        "p_reporting": {
            "exact": kinds.count("exact"),
            "inequality": kinds.count("inequality"),
            "none": kinds.count("none"),
            "rounded_zero": int(rounded_zero.sum()),
            "below_005": int(sum(below)),
            "min_exact": float(p_values[studies["p_operator"] == "="].min())
            if "exact" in kinds
            else None,
            "max_exact": float(p_values[studies["p_operator"] == "="].max())
            if "exact" in kinds
            else None,
        },
        "direction": count_in_order(
            direction, ["increase", "no_change", "decrease", "unclear", "not_reported"]
        ),
        "before_after": {
            "n_studies": len(ratios),
            "ratio_median": float(ratios["ratio"].median()) if len(ratios) else None,
            "ratio_min": float(ratios["ratio"].min()) if len(ratios) else None,
            "ratio_max": float(ratios["ratio"].max()) if len(ratios) else None,
            "studies": ratios.to_dict(orient="records"),
        },
    }
