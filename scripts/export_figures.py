"""Snakemake entry point of rule figure_files (logic: reviewkit.submission)."""

import json
from pathlib import Path

from reviewkit.errors import run_step
from reviewkit.submission import export_figures


def read_json(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


if __name__ == "__main__":
    figures = read_json(snakemake.input.settings)["figures"]
    run_step(
        lambda: export_figures(
            read_json(snakemake.input.checks)["counts"]["figures"],
            snakemake.output.folder,
            format=figures["format"],
            dpi=figures["dpi"],
            name=figures["name"],
        ),
        snakemake.log[0],
    )
