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
    subgroup = synthesis.get("subgroup") or ""
    if subgroup and subgroup not in SUBGROUP_COLUMNS and not own_column(subgroup):
        problems.append(
            f'{source}: synthesis.subgroup: "{subgroup}" is not a column that can form '
            f"subgroups; expected one of: {', '.join(SUBGROUP_COLUMNS)}, or a column of "
            f"your own whose name starts with {OWN_COLUMN_PREFIX}"
        )
    moderator = synthesis.get("moderator") or ""
    if moderator and moderator not in MODERATOR_COLUMNS and not own_column(moderator):
        problems.append(
            f'{source}: synthesis.moderator: "{moderator}" is not a numeric column of the '
            f"study table; expected one of: {', '.join(MODERATOR_COLUMNS)}, or a column of "
            f"your own whose name starts with {OWN_COLUMN_PREFIX}"
        )
    return problems
