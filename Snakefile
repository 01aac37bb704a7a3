"""Rebuild a review manuscript (DOCX, PDF, HTML) from its study table.

This file belongs to the tool; the review is the working directory (Snakemake's
`--directory`, by default the current folder), which holds config.yaml, data/
and manuscript/ and receives results/ and logs/. Stages, one file each under
rules/: prepare the data (validate, count, synthesise), draw the figures,
render the text, assemble the documents, package the submission. Run it with
`python3 review.py build [--directory REVIEW]`.
"""

from snakemake.utils import min_version

from reviewkit.config_check import check_config, fill_defaults
from reviewkit.paths import CONFIG_SCHEMA
from reviewkit.preflight import check_config_file, check_review
from reviewkit.workflow_tweaks import (
    params_without_pandas,
    script_params_without_pandas,
)

min_version("9.0")
# Snakemake would import pandas (0.3 s) to compare the steps' parameters.
params_without_pandas()
script_params_without_pandas()

# A YAML mistake in config.yaml with its line (Snakemake's own message names none).
check_config_file("config.yaml")


configfile: "config.yaml"


# Plain one-line messages for mistakes first; then the schema's defaults filled in.
check_config(config, CONFIG_SCHEMA)
fill_defaults(config, CONFIG_SCHEMA)
# Inputs, journal profile and citation style, before any step runs.
check_review(config)


include: "rules/common.smk"
include: "rules/data.smk"
include: "rules/search.smk"
include: "rules/figures.smk"
include: "rules/text.smk"
include: "rules/manuscript.smk"
include: "rules/submission.smk"
include: "rules/changes.smk"


rule all:
    """The finished manuscript (DOCX, PDF, HTML) and the configured profile's submission folder."""
    input:
        MANUSCRIPT_DOCX,
        MANUSCRIPT_PDF,
        MANUSCRIPT_HTML,
        SUBMISSION_ZIP,
        list(CHANGES.values()) if RELEASE else [],


onerror:
    report_input_errors()
