"""Snakemake entry point of rule supplement_tables (logic: reviewkit.large_review)."""

from reviewkit.errors import run_step
from reviewkit.large_review import build_appendix

if __name__ == "__main__":
    run_step(
        lambda: build_appendix(
            snakemake.input.markdown,
            docx=snakemake.output.docx,
            pdf=snakemake.output.get("pdf"),
            reference_docx=snakemake.input.reference,
            epoch=snakemake.params.epoch,
        ),
        snakemake.log[0],
        end_process=True,
    )
