"""Snakemake entry point of rule search_records (logic: reviewkit.search.step)."""

from reviewkit.errors import run_step
from reviewkit.search.step import search_step

if __name__ == "__main__":
    run_step(
        lambda: search_step(
            folder=snakemake.params.folder,
            screening=next(iter(snakemake.input.screening), None),
            studies=snakemake.input.studies,
            previous_prisma=next(iter(snakemake.input.previous), None),
            threshold=snakemake.params.threshold,
            epoch=snakemake.params.epoch,
            records_xlsx=snakemake.output.records,
            duplicates_csv=snakemake.output.duplicates,
            prisma_json=snakemake.output.prisma,
        ),
        snakemake.log[0],
        end_process=True,
    )
