"""Snakemake entry point of rule plot_synthesis_figure (logic: reviewkit.synthesis_figures)."""

import json
from pathlib import Path

import pandas as pd

from reviewkit.errors import run_step
from reviewkit.figures import save_figure
from reviewkit.synthesis_figures import make_synthesis_figure
from reviewkit.validation import read_validated


def draw(name, studies, schema, effects, summary, png, pdf, language, rob_tool, dpi):
    figure = make_synthesis_figure(
        name,
        read_validated(studies, schema),
        pd.read_csv(effects, keep_default_na=False, na_values=[""]),
        json.loads(Path(summary).read_text(encoding="utf-8")),
        language,
        rob_tool,
    )
    save_figure(figure, png, pdf, dpi=dpi)


if __name__ == "__main__":
    run_step(
        lambda: draw(
            snakemake.wildcards.figure,
            snakemake.input.studies,
            snakemake.input.schema,
            snakemake.input.effects,
            snakemake.input.summary,
            snakemake.output.png,
            snakemake.output.pdf,
            snakemake.params.language,
            snakemake.params.rob_tool,
            snakemake.params.dpi,
        ),
        snakemake.log[0],
    )
