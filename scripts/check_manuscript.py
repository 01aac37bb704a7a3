"""Snakemake entry point of rule check_manuscript (logic: reviewkit.frontmatter)."""

import sys
from pathlib import Path

from reviewkit.errors import run_step
from reviewkit.frontmatter import prepare_profile_build


def check(**paths_and_settings):
    report = prepare_profile_build(**paths_and_settings)
    for line in report["soft_limits_not_met"]:
        print(f"WARNING: {line} (reported only)", file=sys.stderr)
    if report["placeholders"]:
        print(
            f"WARNING: {paths_and_settings['metadata']}: still placeholders: "
            + ", ".join(report["placeholders"]),
            file=sys.stderr,
        )


if __name__ == "__main__":
    run_step(
        lambda: check(
            markdown=snakemake.input.markdown,
            metadata=snakemake.input.metadata,
            profile=snakemake.params.profile,
            profiles_dir=snakemake.params.profiles_dir,
            schema=snakemake.input.schema,
            manuscript_dir=Path(snakemake.input.metadata).parent,
            language=snakemake.params.language,
            csl=snakemake.params.csl,
            checks_out=snakemake.output.checks,
            settings_out=snakemake.output.settings,
            defaults_out=snakemake.output.defaults,
        ),
        snakemake.log[0],
    )
