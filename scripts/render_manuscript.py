"""Snakemake entry point of rule render_manuscript (logic: reviewkit.manuscript)."""

import json
from pathlib import Path

from reviewkit.bibliography import bibliography_keys
from reviewkit.errors import run_step
from reviewkit.manuscript import render_manuscript, template_context
from reviewkit.search.prisma import prisma_counts
from reviewkit.text_blocks import read_effects


def read_json(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write_manuscript(
    metadata,
    summary_of_findings,
    summary,
    synthesis,
    table,
    effects_table,
    effects,
    bibliography,
    output,
    language,
    inclusion,
    figures,
    prisma=None,
):
    # Without search exports every PRISMA count is unknown (None), never invented.
    counts = read_json(prisma) if prisma else prisma_counts(None, None, None)
    context = template_context(
        summary={**read_json(summary), "synthesis": read_json(synthesis), "prisma": counts},
        inclusion=dict(inclusion),
        tables={
            "synthesis": Path(table).read_text(encoding="utf-8"),  # Table 1
            "effects": Path(effects_table).read_text(encoding="utf-8"),
            # Empty unless config.yaml names a GRADE judgements file.
            "summary_of_findings": Path(summary_of_findings).read_text(encoding="utf-8"),
        },
        figures=dict(figures),
        effects=read_effects(effects),
    )
    text = render_manuscript(
        Path(metadata).parent, context, language, bibliography_keys(bibliography), str(bibliography)
    )
    Path(output).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    run_step(
        lambda: write_manuscript(
            snakemake.input.metadata,
            snakemake.input.summary_of_findings,
            snakemake.input.summary,
            snakemake.input.synthesis,
            snakemake.input.study_table,
            snakemake.input.effects_table,
            snakemake.input.effects,
            snakemake.input.bibliography,
            snakemake.output.markdown,
            snakemake.params.language,
            snakemake.params.inclusion,
            snakemake.params.figures,
            next(iter(snakemake.input.prisma), None),
        ),
        snakemake.log[0],
        end_process=True,
    )
