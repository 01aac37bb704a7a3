"""Snakemake entry point of rule reference_docx (logic: reviewkit.reference_docx)."""

from reviewkit.errors import run_step
from reviewkit.profiles import load_profile
from reviewkit.reference_docx import reference_for_profile

if __name__ == "__main__":
    run_step(
        lambda: reference_for_profile(
            load_profile(snakemake.params.profile), snakemake.output.docx
        ),
        snakemake.log[0],
        end_process=True,
    )
