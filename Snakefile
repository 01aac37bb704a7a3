"""Rebuild the review manuscript (DOCX and PDF) from the study table.

Stages, one file each under rules/: validate the inputs, analyse the studies,
draw the figures, assemble the manuscript. Run it with `python3 review.py
build` (which calls snakemake with the pinned environment) or with
`snakemake --cores 2` inside that environment.
"""

from snakemake.utils import min_version, validate

from reviewkit.config_check import check_config

min_version("9.0")


configfile: "config.yaml"


# Plain one-line messages for mistakes first; then Snakemake fills in the defaults.
check_config(config, "schemas/config.schema.yaml")
validate(config, "schemas/config.schema.yaml")


include: "rules/common.smk"
include: "rules/validate.smk"
include: "rules/analyse.smk"
include: "rules/synthesis.smk"
include: "rules/figures.smk"
include: "rules/text.smk"
include: "rules/manuscript.smk"
include: "rules/submission.smk"


rule all:
    """The finished manuscript (DOCX, PDF, HTML) and the configured profile's submission folder."""
    input:
        MANUSCRIPT_DOCX,
        MANUSCRIPT_PDF,
        MANUSCRIPT_HTML,
        SUBMISSION_ZIP,


onerror:
    report_input_errors()
