"""The data step: validate the inputs, then derive every number, table and effect.

One process does all of it because each part costs less than starting Python
and importing pandas; a change to the study table reruns all of them anyway.
Nothing is written until the study table and the bibliography have passed
validation, so a mistake leaves no result behind.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from reviewkit.bibliography import check_bibliography, check_study_authors
from reviewkit.large_review import (
    appendix_markdown,
    pdf_limit_of,
    settings_of,
    summary_table_markdown,
    threshold_of,
)
from reviewkit.pooling import SynthesisSettings, effects_markdown, read_own_columns, synthesise
from reviewkit.results import results_frame, write_results
from reviewkit.rob import check_rob_columns
from reviewkit.study_characteristics import build_study_table, study_table_markdown
from reviewkit.summary import summarise
from reviewkit.summary_of_findings import read_judgements, summary_of_findings_markdown
from reviewkit.validation import (
    InclusionWindow,
    column_dtypes,
    load_schema,
    validate_outcomes,
    validate_studies,
)
from reviewkit.vocabulary import Vocabulary


def write_json(path: Path | str, data: dict) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_text(path: Path | str, text: str) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(text, encoding="utf-8")


def validated_studies(
    studies: Path | str,
    schema: Path | str,
    bibliography: Path | str,
    inclusion: dict,
    rob_tool: str,
    vocabulary: Vocabulary | None = None,
    outcomes: str | None = None,
) -> pd.DataFrame:
    """The user's table checked against the schema, the review's vocabulary and rules
    and the bibliography; raises InputError with one line per problem."""
    window = InclusionWindow(inclusion["year_from"], inclusion["year_to"])
    table = validate_studies(studies, schema, window, vocabulary, outcomes or None)
    check_rob_columns(list(table.columns), rob_tool, studies)
    entries = check_bibliography(bibliography, table["id"].tolist(), str(studies))
    check_study_authors(table, entries, str(studies), str(bibliography))
    return table


def normalised_copy(table: pd.DataFrame, schema: Path | str, path: Path | str) -> pd.DataFrame:
    """Write the typed table (decimal points) and read it back with the types the
    later steps see, so this step computes from exactly what they read."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False)
    return pd.read_csv(
        path,
        dtype=column_dtypes(load_schema(schema), list(table.columns)),
        keep_default_na=False,
        na_values=[""],
    )


def prepare_data(
    *,
    studies: Path | str,
    bibliography: Path | str,
    schema: Path | str,
    inclusion: dict,
    language: str,
    synthesis_settings: dict,
    rob_tool: str,
    summary_of_findings: Path | str | None,
    sof_schema: Path | str,
    outputs: dict[str, Path | str],
    vocabulary: dict | None = None,
    outcomes: str | None = None,
    large_review: dict | None = None,
) -> None:
    """Validate, then write the files named in ``outputs`` (keys: studies, results,
    summary, synthesis, study_table_csv, study_table_md, effects_csv, effects_md,
    summary_of_findings, and optionally appendix). ``vocabulary`` is config.yaml's
    `vocabulary:`; ``outcomes`` its `outcomes:` table (`file` or `file#sheet`), empty
    for none; ``large_review`` its `large_review:` (reviewkit.large_review): above its
    threshold the study table's Markdown is the summary by design, the effects
    table's is empty, and ``appendix`` (the supplementary tables document) holds both
    per-study tables."""
    settings = SynthesisSettings.from_config(synthesis_settings)
    words = Vocabulary.from_config(
        vocabulary, favoured_direction=settings.favoured_direction, language=language
    )
    table = validated_studies(studies, schema, bibliography, inclusion, rob_tool, words, outcomes)
    outcome_rows = (
        validate_outcomes(outcomes, schema, words, table, str(studies)) if outcomes else None
    )
    judgements = read_judgements(summary_of_findings, sof_schema) if summary_of_findings else None
    results = results_frame(table, outcome_rows, words, load_schema(schema))
    table = normalised_copy(table, schema, outputs["studies"])
    write_results(results, outputs["results"])
    large_config = {"large_review": large_review}
    large = settings_of(len(table), threshold_of(large_config), pdf_limit_of(large_config))
    write_json(outputs["summary"], {**summarise(table, results, words), "large_review": large})
    study_table = build_study_table(table, language, words).drop(columns="id")
    study_table.to_csv(outputs["study_table_csv"], index=False)
    per_study_here = not large["per_study_in_supplement"]
    write_text(
        outputs["study_table_md"],
        study_table_markdown(table, language, words)
        if per_study_here
        else summary_table_markdown(table, language, words),
    )
    own_columns = read_own_columns(studies, settings)
    synthesis, effects = synthesise(
        table, settings, rob_tool, results, words, language, own_columns
    )
    write_json(outputs["synthesis"], synthesis)
    effects.drop(columns="inputs_data").to_csv(outputs["effects_csv"], index=False)
    level = settings.confidence_level
    write_text(
        outputs["effects_md"],
        effects_markdown(effects, language, words, level) if per_study_here else "",
    )
    if outputs.get("appendix"):
        write_text(outputs["appendix"], appendix_markdown(table, effects, language, words, level))
    sof = (
        summary_of_findings_markdown(judgements, synthesis, language, words)
        if judgements is not None
        else ""
    )
    write_text(outputs["summary_of_findings"], sof)
