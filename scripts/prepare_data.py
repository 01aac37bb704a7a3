"""Snakemake entry point of rule prepare_data (logic: reviewkit.prepare)."""

from reviewkit.errors import run_step
from reviewkit.prepare import prepare_data

if __name__ == "__main__":
    run_step(
        lambda: prepare_data(
            studies=snakemake.input.studies,
            bibliography=snakemake.input.bibliography,
            schema=snakemake.params.schema,
            inclusion=dict(snakemake.params.inclusion),
            language=snakemake.params.language,
            synthesis_settings=dict(snakemake.params.synthesis),
            rob_tool=snakemake.params.rob_tool,
            summary_of_findings=next(iter(snakemake.input.summary_of_findings), None),
            sof_schema=snakemake.params.sof_schema,
            outputs=dict(snakemake.output.items()),
            vocabulary=dict(snakemake.params.vocabulary),
            outcomes=snakemake.params.outcomes,
            large_review=dict(snakemake.params.large_review),
        ),
        snakemake.log[0],
        end_process=True,
    )
