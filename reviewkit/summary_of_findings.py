"""An optional GRADE summary-of-findings table from the review team's judgements.

The judgements come only from the user's file (schemas/summary_of_findings.schema.yaml);
the number of studies and the pooled effect beside them come from the synthesis,
so the table cannot drift from the analysis. A row whose `outcome` is a code of
the review's outcome vocabulary takes that outcome's numbers (and shows its
name); any other text takes the primary outcome's.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from reviewkit.i18n import message, section
from reviewkit.numfmt import format_number, format_percent
from reviewkit.safe_markdown import Markdown
from reviewkit.study_characteristics import to_pipe_table
from reviewkit.tables_io import read_table_cells
from reviewkit.validation import load_schema, validate_cells
from reviewkit.vocabulary import Vocabulary

# Words: catalogue section summary_of_findings (reviewkit/locales/).
COLUMNS = (
    "outcome",
    "comparison",
    "studies",
    "pooled",
    "risk_of_bias",
    "inconsistency",
    "indirectness",
    "imprecision",
    "publication_bias",
    "certainty",
    "reasons",
)
DOMAINS = ["risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias"]


def read_judgements(path: Path | str, schema_path: Path | str) -> pd.DataFrame:
    return validate_cells(
        read_table_cells(path),
        load_schema(schema_path),
        str(path),
        what="outcomes",
        item="outcome and comparison",
    )


def pooled_text(group: dict, language: str) -> str:
    if not group.get("pooled"):
        return message(language, "summary_of_findings.words.not_pooled")
    separator = message(language, "text.interval_separator")

    def number(value: float) -> str:
        return format_number(value, language, 2)

    return (
        f"{group['measure']} {number(group['estimate'])} "
        f"[{number(group['ci_low'])}{separator}{number(group['ci_high'])}]"
    )


def summary_of_findings_markdown(
    judgements: pd.DataFrame,
    synthesis: dict,
    language: str,
    vocabulary: Vocabulary | None = None,
) -> Markdown:
    """The table, one row per outcome and comparison, judgements in words
    (every cell escaped as literal text: the outcomes and reasons are the user's)."""
    from reviewkit.pooling import comparison_label

    words = section(language, "summary_of_findings.words")
    headers = section(language, "summary_of_findings.headers")
    level_text = format_percent(
        synthesis.get("settings", {}).get("confidence_level", 0.95), language
    )
    outcomes = synthesis["outcomes"]
    rows = []
    for _, row in judgements.iterrows():
        code = row["outcome"] if row["outcome"] in outcomes else synthesis["primary_outcome"]
        group = outcomes[code]["groups"].get(row["comparison"], {"k_with_effect": 0})
        name = row["outcome"]
        if vocabulary is not None and vocabulary.declares_outcomes and row["outcome"] in outcomes:
            name = vocabulary.outcome(code).label(language) or code
        comparison = words.get(row["comparison"]) or comparison_label(row["comparison"], language)
        rows.append(
            [
                name,
                comparison,
                format_number(group["k_with_effect"], language),
                pooled_text(group, language),
                *(words[row[d]] if not pd.isna(row[d]) else "–" for d in DOMAINS),
                words[row["certainty"]],
                row["reasons"] if not pd.isna(row["reasons"]) else "–",
            ]
        )
    columns = [headers[c].replace("{level}", level_text) for c in COLUMNS]
    return to_pipe_table(pd.DataFrame(rows, columns=columns))
