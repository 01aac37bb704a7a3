"""Snakemake entry point of rule what_changed (logic: reviewkit.changes)."""

import json
from pathlib import Path

from reviewkit.changes import write_changes, write_tracked_documents
from reviewkit.errors import run_step
from reviewkit.versions import find_release


def compare(inputs, outputs, release, language, epoch):
    rel = find_release(".", release)  # checks every kept file against its checksum
    folder = Path(outputs.markdown).parent
    write_changes(rel, folder, language=language, manuscript=inputs.markdown)
    settings = json.loads(Path(inputs.settings).read_text(encoding="utf-8"))
    write_tracked_documents(
        rel,
        folder,
        language=language,
        bibliography=inputs.bibliography,
        csl=settings["csl"],
        timestamp=epoch,
        manuscript=inputs.markdown,
        reference_docx=inputs.reference,
        extra_defaults=[inputs.defaults],
        font_paths=settings["pdf"]["font_paths"],
        metadata={"reviewkit-part": "main"},
    )


if __name__ == "__main__":
    run_step(
        lambda: compare(
            snakemake.input,
            snakemake.output,
            snakemake.params.release,
            snakemake.params.language,
            snakemake.params.epoch,
        ),
        snakemake.log[0],
        end_process=True,
    )
