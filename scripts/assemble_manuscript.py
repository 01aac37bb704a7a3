"""Snakemake entry point of rules assemble_manuscript and assemble_profile_manuscript
(logic: reviewkit.profile_build)."""

from reviewkit.errors import run_step
from reviewkit.profile_build import assemble_documents

if __name__ == "__main__":
    run_step(
        lambda: assemble_documents(
            markdown=snakemake.input.markdown,
            metadata=snakemake.input.metadata,
            bibliography=snakemake.input.bibliography,
            reference=snakemake.input.reference,
            profile=snakemake.params.profile,
            language=snakemake.params.language,
            csl=snakemake.params.csl,
            epoch=snakemake.params.epoch,
            figure_style=snakemake.params.figure_style,
            outputs=dict(snakemake.output.items()),
        ),
        snakemake.log[0],
        end_process=True,
    )
