"""Snakemake entry point of rule plot_figure (logic: reviewkit.figures)."""

from reviewkit.errors import run_step
from reviewkit.figures import make_figure, save_figure
from reviewkit.validation import read_validated


def draw(name, studies, schema, png, pdf, language, dpi):
    figure = make_figure(name, read_validated(studies, schema), language)
    save_figure(figure, png, pdf, dpi=dpi)


if __name__ == "__main__":
    run_step(
        lambda: draw(
            snakemake.wildcards.figure,
            snakemake.input.studies,
            snakemake.input.schema,
            snakemake.output.png,
            snakemake.output.pdf,
            snakemake.params.language,
            snakemake.params.dpi,
        ),
        snakemake.log[0],
    )
