"""Snakemake entry point of rule build_html (logic: reviewkit.assemble)."""

import json
from pathlib import Path

from reviewkit.assemble import build_html
from reviewkit.errors import run_step

if __name__ == "__main__":
    settings = json.loads(Path(snakemake.input.settings).read_text(encoding="utf-8"))
    run_step(
        lambda: build_html(
            snakemake.input.markdown,
            snakemake.output.html,
            bibliography=snakemake.input.bibliography,
            csl=settings["csl"],
            defaults_dir=Path(snakemake.input.defaults).parent,
            extra_defaults=[snakemake.input.profile_defaults],
        ),
        snakemake.log[0],
    )
