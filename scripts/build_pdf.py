"""Snakemake entry point of rule build_pdf (logic: reviewkit.assemble)."""

import json
from pathlib import Path

from reviewkit.assemble import build_pdf
from reviewkit.errors import run_step

if __name__ == "__main__":
    settings = json.loads(Path(snakemake.input.settings).read_text(encoding="utf-8"))
    run_step(
        lambda: build_pdf(
            snakemake.input.markdown,
            snakemake.output.pdf,
            bibliography=snakemake.input.bibliography,
            csl=settings["csl"],
            defaults_dir=Path(snakemake.input.defaults).parent,
            extra_defaults=[snakemake.input.profile_defaults],
            font_paths=settings["pdf"]["font_paths"],
            pdf_standards=settings["pdf"]["standard"],
            timestamp=snakemake.params.epoch,
        ),
        snakemake.log[0],
    )
