"""Snakemake entry point of rule build_docx (logic: reviewkit.assemble)."""

from pathlib import Path

from reviewkit.assemble import build_docx
from reviewkit.errors import run_step

if __name__ == "__main__":
    run_step(
        lambda: build_docx(
            snakemake.input.markdown,
            snakemake.output.docx,
            bibliography=snakemake.input.bibliography,
            csl=snakemake.params.csl,
            defaults_dir=Path(snakemake.input.defaults).parent,
            timestamp=snakemake.params.epoch,
        ),
        snakemake.log[0],
    )
