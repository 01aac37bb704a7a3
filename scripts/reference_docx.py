"""Snakemake entry point of rule reference_docx (logic: reviewkit.reference_docx)."""

import json
from pathlib import Path

from reviewkit.errors import run_step
from reviewkit.reference_docx import reference_for_profile

if __name__ == "__main__":
    run_step(
        lambda: reference_for_profile(
            json.loads(Path(snakemake.input.settings).read_text(encoding="utf-8")),
            snakemake.output.docx,
        ),
        snakemake.log[0],
    )
