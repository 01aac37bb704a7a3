"""Snakemake entry point of rule draw_figures (logic: reviewkit.figure_set)."""

from reviewkit.errors import run_step
from reviewkit.figure_set import draw_figures

if __name__ == "__main__":
    run_step(
        lambda: draw_figures(
            list(snakemake.params.names),
            studies=snakemake.input.studies,
            results=snakemake.input.results,
            summary=snakemake.input.summary,
            schema=snakemake.params.schema,
            effects=snakemake.input.effects,
            synthesis=snakemake.input.synthesis,
            prisma=next(iter(snakemake.input.prisma), None),
            pngs=list(snakemake.output.get("png", [])),
            pdfs=list(snakemake.output.get("pdf", [])),
            language=snakemake.params.language,
            rob_tool=snakemake.params.rob_tool,
            dpi=snakemake.params.dpi,
            bibliography=snakemake.input.bibliography,
            csl=snakemake.params.csl,
            manuscript=snakemake.input.manuscript[0] if snakemake.input.manuscript else None,
            font=snakemake.params.font,
            font_paths=list(snakemake.params.font_paths),
        ),
        snakemake.log[0],
        end_process=True,
    )
