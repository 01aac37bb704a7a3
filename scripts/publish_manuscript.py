"""Snakemake entry point of rule publish_manuscript: the configured profile's
manuscript, copied to results/manuscript/."""

import shutil

from reviewkit.errors import run_step


def publish(pairs):
    for source, target in pairs:
        shutil.copyfile(source, target)


if __name__ == "__main__":
    run_step(
        lambda: publish(
            [
                (snakemake.input.docx, snakemake.output.docx),
                (snakemake.input.pdf, snakemake.output.pdf),
            ]
        ),
        snakemake.log[0],
    )
