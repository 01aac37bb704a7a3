"""Snakemake entry point of rule summary_of_findings (logic: reviewkit.summary_of_findings)."""

import json
from pathlib import Path

from reviewkit.errors import run_step
from reviewkit.summary_of_findings import read_judgements, summary_of_findings_markdown


def write_table(judgements, schema, synthesis, output, language):
    table = summary_of_findings_markdown(
        read_judgements(judgements, schema),
        json.loads(Path(synthesis).read_text(encoding="utf-8")),
        language,
    )
    Path(output).write_text(table, encoding="utf-8")


if __name__ == "__main__":
    run_step(
        lambda: write_table(
            snakemake.input.judgements,
            snakemake.input.schema,
            snakemake.input.synthesis,
            snakemake.output.markdown,
            snakemake.params.language,
        ),
        snakemake.log[0],
    )
