"""Snakemake entry point of rule figure_files (logic: reviewkit.submission)."""

from reviewkit.errors import run_step
from reviewkit.profiles import load_profile
from reviewkit.submission import export_figures


def export(figures, folder, profile):
    settings = load_profile(profile)["figures"]
    export_figures(figures, folder, format=settings["format"], dpi=settings["dpi"])


if __name__ == "__main__":
    run_step(
        lambda: export(
            list(snakemake.input.figures), snakemake.output.folder, snakemake.params.profile
        ),
        snakemake.log[0],
        end_process=True,
    )
