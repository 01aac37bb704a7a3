"""Snakemake entry point of rule synthesis_table (logic: reviewkit.synthesis_table)."""

from pathlib import Path

from reviewkit.errors import run_step
from reviewkit.synthesis_table import build_synthesis_table, synthesis_table_markdown
from reviewkit.validation import read_validated


def write_tables(studies, schema, csv_path, markdown_path, language):
    table = read_validated(studies, schema)
    build_synthesis_table(table, language).drop(columns="id").to_csv(csv_path, index=False)
    Path(markdown_path).write_text(synthesis_table_markdown(table, language), encoding="utf-8")


if __name__ == "__main__":
    run_step(
        lambda: write_tables(
            snakemake.input.studies,
            snakemake.input.schema,
            snakemake.output.csv,
            snakemake.output.markdown,
            snakemake.params.language,
        ),
        snakemake.log[0],
    )
