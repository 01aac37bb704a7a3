"""Snakemake entry point of rule supplement (logic: reviewkit.submission)."""

from reviewkit.errors import run_step
from reviewkit.submission import write_supplement

if __name__ == "__main__":
    run_step(
        lambda: write_supplement(
            snakemake.output.xlsx,
            studies=snakemake.input.studies,
            json_files=snakemake.input.numbers,
            tables=snakemake.input.tables,
            epoch=snakemake.params.epoch,
        ),
        snakemake.log[0],
        end_process=True,
    )
