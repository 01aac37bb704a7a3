"""Snakemake entry point of rule submission_package (logic: reviewkit.submission)."""

import json
from pathlib import Path

from reviewkit.errors import run_step
from reviewkit.submission import assemble_package, package_parts


def read_json(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def package(inputs, manifest, zip_path, epoch):
    parts = package_parts(
        read_json(inputs.settings),
        read_json(inputs.checks),
        manuscript_docx=inputs.docx,
        checks_file=inputs.checks,
        manuscript_pdf=inputs.get("pdf"),
        title_page=inputs.get("title_page"),
        tables=inputs.get("tables"),
        figures_folder=inputs.get("figures"),
        supplement=inputs.get("supplement"),
        supplement_tables=(
            (inputs.supplement_tables_docx, inputs.get("supplement_tables_pdf"))
            if inputs.get("supplement_tables_docx")
            else None
        ),
    )
    assemble_package(parts, Path(manifest).parent, zip_path, epoch=epoch)


if __name__ == "__main__":
    run_step(
        lambda: package(
            snakemake.input,
            snakemake.output.manifest,
            snakemake.output.zip,
            snakemake.params.epoch,
        ),
        snakemake.log[0],
        end_process=True,
    )
