"""Write the data dictionary (docs/data-dictionary.md) from the study schema.

The schema is the single source: what it says about a column is what the
validation checks and what the documentation shows, including which table a
column lives in (the study table, or the outcomes table when the review has
one; docs/data-model.md). Run `python -m reviewkit.data_dictionary` after
editing the schema; a test fails while the committed page differs from the
schema.
"""

from __future__ import annotations

import sys
from pathlib import Path

from reviewkit.rob import TOOLS
from reviewkit.validation import VOCABULARY_COLUMNS, columns_of, load_schema

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "schemas" / "studies.schema.yaml"
PAGE = ROOT / "docs" / "data-dictionary.md"


def allowed_values(spec: dict, name: str = "") -> str:
    if name in VOCABULARY_COLUMNS:
        kind = VOCABULARY_COLUMNS[name]
        if "enum" not in spec:
            return f"codes of `vocabulary.{kind}` when declared, else free text"
        defaults = ", ".join(f"`{value}`" for value in spec["enum"])
        return f"codes of `vocabulary.{kind}` (default: {defaults})"
    if "enum" in spec:
        return ", ".join(f"`{value}`" for value in spec["enum"])
    bounds = []
    if "minimum" in spec:
        bounds.append(f"≥ {spec['minimum']}")
    if "exclusiveMinimum" in spec:
        bounds.append(f"> {spec['exclusiveMinimum']}")
    if "maximum" in spec:
        bounds.append(f"≤ {spec['maximum']}")
    if "pattern" in spec:
        bounds.append(f"pattern `{spec['pattern']}`")
    return "; ".join(bounds)


def data_dictionary(schema: dict) -> str:
    required = set(schema["required"])
    lines = [
        "# Data dictionary: `data/studies.csv`",
        "",
        "Generated from `schemas/studies.schema.yaml` by `python -m reviewkit.data_dictionary`;",
        "edit the schema, not this page. How the tables fit together: "
        "[data-model.md](data-model.md).",
        "",
        " ".join(schema["description"].split()),
        "",
        "| column | table | type | required | allowed values | meaning |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, spec in schema["properties"].items():
        meaning = " ".join(spec.get("description", "").split()).replace("|", "\\|")
        lines.append(
            f"| `{name}` | {spec['x-table']} | {spec.get('type', 'string')} | "
            f"{'yes' if name in required else 'no'} | {allowed_values(spec, name)} | {meaning} |"
        )
    dependent = schema.get("dependentRequired", {})
    if dependent:
        lines += [
            "",
            "Columns that go together (a value in the first needs values in the others):",
            "",
        ]
        lines += [
            f"- `{key}` needs {', '.join(f'`{v}`' for v in needs)}"
            for key, needs in dependent.items()
        ]
    results = ", ".join(f"`{name}`" for name in columns_of(schema, "result"))
    both = ", ".join(f"`{name}`" for name in columns_of(schema, "both"))
    lines += [
        "",
        "## The outcomes table (optional)",
        "",
        "With `outcomes:` in config.yaml (a .csv/.xlsx file, or `file.xlsx#sheet`), results",
        "live in a table of their own, one row per study, outcome and timepoint: `id` (the",
        "study's id) and `outcome` (a code of `vocabulary.outcomes`) are required, then any of",
        f"the result columns {results};",
        f"and, where the outcome was analysed in other numbers, {both}",
        "(a row that gives any group size replaces all of the study's sizes). The study table",
        "then holds no result columns. Rules the schema cannot state: every `id` is a study;",
        "a study, outcome and timepoint appear once; every study has at least one row; a study",
        "reporting one outcome at several timepoints marks the synthesised one with",
        "`primary_timepoint` = `yes`.",
    ]
    lines += ["", "## Risk-of-bias columns", ""]
    for pattern, spec in schema.get("patternProperties", {}).items():
        lines += [
            " ".join(spec.get("description", "").split()),
            f"Column names match `{pattern}`; values: {allowed_values(spec)}.",
            "",
        ]
    for tool in TOOLS.values():
        labels = tool.domain_labels("en")
        columns = ", ".join(f"`{name}` ({labels[name]})" for name in tool.columns())
        lines.append(f"- `risk_of_bias.tool: {tool.code}` ({tool.name}): {columns}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    PAGE.write_text(data_dictionary(load_schema(SCHEMA)), encoding="utf-8")
    sys.stdout.write(f"wrote {PAGE.relative_to(ROOT)}\n")
