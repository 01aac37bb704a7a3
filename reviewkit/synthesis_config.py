"""Which synthesis settings go together, checked when the workflow is read.

Input: the `synthesis:` mapping of config.yaml (after the schema check). The
schema checks each key on its own; the combinations and the columns a
subgroup analysis or a meta-regression may use are checked here, one line per
mistake naming config.yaml, the key, the value and what is expected
(docs/synthesis.md). Imports nothing heavy: it runs at Snakefile parse time.
"""

from __future__ import annotations

from collections.abc import Mapping

#: Study-table columns that can form subgroups (besides the user's own x_ columns):
#: the study's characteristics that are categories, never its results.
SUBGROUP_COLUMNS = ("design", "design_as_reported", "region", "facility", "participants")
#: Numeric study-table columns a meta-regression may use (besides x_ columns).
MODERATOR_COLUMNS = ("year", "n_total")
#: Columns of the user's own start with this (reviewkit.validation.NOTE_PREFIX).
OWN_COLUMN_PREFIX = "x_"
#: `estimator` values naming the common-effect model ("common" is an alias of FE).
COMMON_EFFECT = ("FE", "common")


def own_column(name: str) -> bool:
    return name.startswith(OWN_COLUMN_PREFIX) and len(name) > len(OWN_COLUMN_PREFIX)


def synthesis_config_problems(synthesis: Mapping, source: str = "config.yaml") -> list[str]:
    """Every combination of synthesis settings that cannot run, one line each."""
    problems = []
    method = synthesis.get("binary_method", "inverse_variance")
    measure = synthesis.get("binary_measure", "RR")
    if method == "peto" and measure != "OR":
        problems.append(
            f'{source}: synthesis.binary_method: "peto" pools odds ratios only, but '
            f'binary_measure is "{measure}"; expected binary_measure: OR (or another '
            "binary_method)"
        )
    for key, columns, what in (
        ("subgroup", SUBGROUP_COLUMNS, "a column that can form subgroups"),
        ("moderator", MODERATOR_COLUMNS, "a numeric column of the study table"),
    ):
        column = synthesis.get(key) or ""
        if column and column not in columns and not own_column(column):
            problems.append(
                f'{source}: synthesis.{key}: "{column}" is not {what}; expected one of: '
                f"{', '.join(columns)}, or a column of your own whose name starts with "
                f"{OWN_COLUMN_PREFIX}"
            )
    return problems
