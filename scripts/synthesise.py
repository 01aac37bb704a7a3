"""Snakemake entry point of rule synthesise (logic: reviewkit.review_synthesis)."""

import json
from pathlib import Path

from reviewkit.errors import run_step
from reviewkit.review_synthesis import SynthesisSettings, effects_markdown, synthesise
from reviewkit.validation import read_validated


def write_synthesis(
    studies, schema, summary_path, effects_path, markdown_path, settings, rob_tool, language
):
    table = read_validated(studies, schema)
    summary, effects = synthesise(table, SynthesisSettings.from_config(dict(settings)), rob_tool)
    Path(summary_path).write_text(
        json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    effects.drop(columns="inputs_data").to_csv(effects_path, index=False)
    Path(markdown_path).write_text(effects_markdown(effects, language), encoding="utf-8")


if __name__ == "__main__":
    run_step(
        lambda: write_synthesis(
            snakemake.input.studies,
            snakemake.input.schema,
            snakemake.output.summary,
            snakemake.output.effects,
            snakemake.output.markdown,
            snakemake.params.settings,
            snakemake.params.rob_tool,
            snakemake.params.language,
        ),
        snakemake.log[0],
    )
