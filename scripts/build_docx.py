"""Snakemake entry point of rules build_docx, title_page and tables_docx
(logic: reviewkit.assemble; which part of the document: params.part)."""

import json
from pathlib import Path

from reviewkit.assemble import build_docx
from reviewkit.errors import run_step

if __name__ == "__main__":
    settings = json.loads(Path(snakemake.input.settings).read_text(encoding="utf-8"))
    run_step(
        lambda: build_docx(
            snakemake.input.markdown,
            snakemake.output.docx,
            bibliography=snakemake.input.bibliography,
            csl=settings["csl"],
            reference_docx=snakemake.input.reference,
            defaults_dir=Path(snakemake.input.defaults).parent,
            extra_defaults=[snakemake.input.profile_defaults],
            metadata={"reviewkit-part": snakemake.params.part},
            timestamp=snakemake.params.epoch,
        ),
        snakemake.log[0],
    )
