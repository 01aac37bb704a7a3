"""Snakemake entry point of rule validate_studies (logic: reviewkit.validation)."""

from pathlib import Path

from reviewkit.bibliography import bibliography_keys
from reviewkit.errors import run_step
from reviewkit.rob import check_rob_columns
from reviewkit.validation import InclusionWindow, check_citation_keys, validate_studies


def validate_and_normalise(studies, schema, bibliography, output, year_from, year_to, rob_tool):
    """Validate the user's table and bibliography; write the typed copy."""
    table = validate_studies(studies, schema, InclusionWindow(year_from, year_to))
    check_rob_columns(list(table.columns), rob_tool, studies)
    check_citation_keys(
        table["id"].tolist(), bibliography_keys(bibliography), studies, bibliography
    )
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(output, index=False)


if __name__ == "__main__":
    run_step(
        lambda: validate_and_normalise(
            snakemake.input.studies,
            snakemake.input.schema,
            snakemake.input.bibliography,
            snakemake.output.studies,
            snakemake.params.year_from,
            snakemake.params.year_to,
            snakemake.params.rob_tool,
        ),
        snakemake.log[0],
    )
