"""Snakemake entry point of rule summarise_studies (logic: reviewkit.summary)."""

import json
from pathlib import Path

from reviewkit.errors import run_step
from reviewkit.summary import summarise
from reviewkit.validation import read_validated


def write_summary(studies, schema, output):
    summary = summarise(read_validated(studies, schema))
    Path(output).write_text(
        json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    run_step(
        lambda: write_summary(
            snakemake.input.studies, snakemake.input.schema, snakemake.output.summary
        ),
        snakemake.log[0],
    )
