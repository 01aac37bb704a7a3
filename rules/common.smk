"""Paths and helpers shared by the rules (no rules here)."""

import sys
import time
from pathlib import Path

from reviewkit.reproducible import build_epoch

VALIDATED_STUDIES = "results/data/studies.csv"
SUMMARY_JSON = "results/stats/summary.json"
SYNTHESIS_TABLE_CSV = "results/tables/synthesis_table.csv"
SYNTHESIS_TABLE_MD = "results/tables/synthesis_table.md"
SYNTHESIS_JSON = "results/stats/synthesis.json"
EFFECTS_CSV = "results/tables/effects.csv"
EFFECTS_MD = "results/tables/effects.md"
SUMMARY_OF_FINDINGS_MD = "results/tables/summary_of_findings.md"
MANUSCRIPT_MD = "results/manuscript/manuscript.md"
MANUSCRIPT_DOCX = "results/manuscript/manuscript.docx"
MANUSCRIPT_PDF = "results/manuscript/manuscript.pdf"
STUDIES_SCHEMA = "schemas/studies.schema.yaml"

# Figures of the manuscript, by the name reviewkit.figures.make_figure knows.
FIGURES = ["studies_by_year", "sample_sizes", "effect_direction", "before_after"]
# Figures of the synthesis (reviewkit.synthesis_figures.make_synthesis_figure); the
# risk-of-bias figures only when the data hold judgements.
SYNTHESIS_FIGURES = ["forest", "albatross"]
if config["risk_of_bias"]["tool"] != "none":
    SYNTHESIS_FIGURES += ["rob_traffic_light", "rob_summary"]
ALL_FIGURES = FIGURES + SYNTHESIS_FIGURES

# The shared package every script imports. Snakemake tracks a step's script but not
# what it imports, so every step takes the package's fingerprint as input: changing
# reviewkit reruns the steps instead of leaving stale results.
REVIEWKIT_CODE = sorted(str(path) for path in Path("reviewkit").rglob("*.py"))
# Build bookkeeping, kept out of results/ (which holds only what the data produce).
CODE_FINGERPRINT = ".build/reviewkit-code.sha256"

MANUSCRIPT_DIR = Path(config["manuscript_dir"])
# pandoc defaults, Lua filters and templates: the layout machinery, shared by every
# manuscript (the author's text lives in MANUSCRIPT_DIR).
LAYOUT_DIR = Path("layout")
RUN_STARTED = time.time()


def figure_png(name):
    return f"results/figures/{name}.png"


def manuscript_templates():
    """Every file the manuscript text is rendered from."""
    files = [
        MANUSCRIPT_DIR / "metadata.yaml",
        *sorted((MANUSCRIPT_DIR / "sections").glob("*.md")),
    ]
    files += [MANUSCRIPT_DIR / name for name in ("abstract.id.md", "abstract.en.md")]
    return [str(path) for path in files if path.exists()]


def pandoc_settings():
    """Defaults files, filters and templates that shape the DOCX and PDF."""
    folders = [
        LAYOUT_DIR / "defaults",
        LAYOUT_DIR / "filters",
        LAYOUT_DIR / "templates",
    ]
    return [
        str(path)
        for folder in folders
        for path in sorted(folder.glob("*"))
        if path.is_file()
    ]


def summary_of_findings_table():
    """The GRADE table's Markdown when config.yaml names a judgements file, else nothing."""
    return [SUMMARY_OF_FINDINGS_MD] if config["summary_of_findings"] else []


def inputs_epoch():
    """Date for the documents: see reviewkit.reproducible.build_epoch."""
    return build_epoch(
        [config["studies"], config["references"], str(MANUSCRIPT_DIR), "config.yaml"]
    )


def report_input_errors():
    """After a failed run, repeat the input errors the steps logged, so that they are
    the last thing the user reads rather than Snakemake's job summary."""
    lines = [
        line
        for log in sorted(Path("logs").rglob("*.log"))
        if log.stat().st_mtime >= RUN_STARTED  # only this run's, not stale ones
        for line in log.read_text(encoding="utf-8").splitlines()
        if line.startswith("ERROR: ")
    ]
    if lines:
        print(
            "\nThe build stopped because of these problems in the input:",
            file=sys.stderr,
        )
        print("\n".join(lines), file=sys.stderr)
