"""Paths and helpers shared by the rules (no rules here).

Two folders are involved: the *review folder* (Snakemake's working directory:
config.yaml, data/, manuscript/, results/, logs/) and the *tool* (this
workflow: rules, scripts, schemas, layout, profiles), found from this file.
Paths of the review are relative; paths of the tool are absolute.
"""

import sys
import time
from pathlib import Path

from reviewkit.paths import LAYOUT_DIR, PROFILES_DIR, PROFILE_SCHEMA, STUDIES_SCHEMA
from reviewkit.paths import SUMMARY_OF_FINDINGS_SCHEMA
from reviewkit.profiles import (
    effective_style,
    load_profile,
    profile_name,
    profile_sources,
)
from reviewkit.errors import InputError
from reviewkit.config_check import or_exit
from reviewkit.reproducible import build_epoch, code_version
from reviewkit.versions import release_to_compare
from reviewkit.search.files import export_files
from reviewkit.large_review import (
    count_study_rows,
    is_large,
    pdf_limit_of,
    threshold_of,
    wants_pdf,
)

# ------------------------------------------------------------ the review's files
MANUSCRIPT_DIR = Path(config["manuscript_dir"])
VALIDATED_STUDIES = "results/data/studies.csv"
# One row per study, outcome and timepoint (docs/data-model.md).
VALIDATED_RESULTS = "results/data/results.csv"
SUMMARY_JSON = "results/stats/summary.json"
SYNTHESIS_JSON = "results/stats/synthesis.json"
STUDY_TABLE_CSV = "results/tables/study_characteristics.csv"
STUDY_TABLE_MD = "results/tables/study_characteristics.md"
EFFECTS_CSV = "results/tables/effects.csv"
EFFECTS_MD = "results/tables/effects.md"
SUMMARY_OF_FINDINGS_MD = "results/tables/summary_of_findings.md"
PRISMA_JSON = "results/stats/prisma.json"
MANUSCRIPT_MD = "results/manuscript/manuscript.md"
MANUSCRIPT_DOCX = "results/manuscript/manuscript.docx"
MANUSCRIPT_PDF = "results/manuscript/manuscript.pdf"
MANUSCRIPT_HTML = "results/manuscript/manuscript.html"
SUPPLEMENT_XLSX = "results/supplement/supplementary-data.xlsx"
# A review above large_review.per_study_in_supplement_above studies (counted from
# the rows of the study table while the workflow is read; reviewkit.large_review):
# the table of every study and the effect sizes go into the supplementary tables
# document instead of the manuscript.
N_STUDY_ROWS = count_study_rows(
    config["studies"], at_most=max(threshold_of(config), pdf_limit_of(config)) + 1
)
LARGE_REVIEW = is_large(N_STUDY_ROWS, threshold_of(config))
# ...and typeset as a PDF too up to large_review.supplement_pdf_up_to studies.
SUPPLEMENT_TABLES_PDF = LARGE_REVIEW and wants_pdf(N_STUDY_ROWS, pdf_limit_of(config))
SUPPLEMENT_TABLES = {
    "markdown": "results/supplement/supplementary-tables.md",
    "docx": "results/supplement/supplementary-tables.docx",
    "pdf": "results/supplement/supplementary-tables.pdf",
}
CHANGES = {
    "markdown": "results/changes/changes.md",
    "html": "results/changes/changes.html",
    "docx": "results/changes/manuscript-tracked.docx",
    "pdf": "results/changes/manuscript-changes.pdf",
}


def search_exports(folder):
    """The export files in the search folder (sources.yaml is read with them)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    files = [str(path) for path in export_files(folder)]
    metadata = folder / "sources.yaml"
    return files + [str(metadata)] if files and metadata.is_file() else files


# Database exports of the search (data/search/ by default); none = no search step.
SEARCH_FILES = search_exports(config["search"]["folder"])
STATS_FILES = [SUMMARY_JSON, SYNTHESIS_JSON] + ([PRISMA_JSON] if SEARCH_FILES else [])

# Figures of the manuscript, by the name reviewkit.figure_set knows; the
# risk-of-bias figures only when the data hold judgements.
FIGURES = [
    "studies_by_year",
    "sample_sizes",
    "effect_direction",
    "before_after",
    "forest",
    "albatross",
    # Always drawn: one panel per comparison group with 10 or more studies, or a line
    # saying there is none; the text shows it only when synthesis.json funnel_plot.drawn.
    "funnel",
]
if config["risk_of_bias"]["tool"] != "none":
    FIGURES += ["rob_traffic_light", "rob_summary"]
if SEARCH_FILES:
    FIGURES += ["prisma_flow"]

# ------------------------------------------------------------ the tool's files
# Snakemake reruns a step when its script changes, but not when a module the
# script imports changes: every step therefore takes the package's version (a
# hash of its files) as a parameter, and a changed package reruns the steps.
CODE_VERSION = code_version()
# The profile chosen in config.yaml (a path there gives its file name stem).
PROFILE = profile_name(config["profile"])
SUBMISSION_ZIP = f"results/submission/{PROFILE}.zip"
# The released version the build compares with (config compare_with:, else the
# latest in versions/), or None: then there is no results/changes/.
RELEASE = or_exit(release_to_compare, ".", config["compare_with"])
RUN_STARTED = time.time()


def screening_input():
    """The screening decisions: config search.screening, else data/screening.csv|xlsx."""
    named = config["search"]["screening"]
    if named:
        return [named]
    found = [f"data/screening.{ext}" for ext in ("csv", "xlsx")]
    return [path for path in found if Path(path).is_file()][:1]


def previous_prisma():
    """The compared release's PRISMA counts, for the updated-review flow diagram."""
    if not RELEASE:
        return []
    path = Path("versions") / RELEASE / PRISMA_JSON
    return [str(path)] if path.is_file() else []


def prisma_input():
    return [PRISMA_JSON] if SEARCH_FILES else []


def figure_png(name):
    return f"results/figures/{name}.png"


def figure_pdf(name):
    return f"results/figures/{name}.pdf"


# The figures are drawn as PNGs at this resolution; the vector PDFs (rule
# draw_vector_figures) only when a profile built asks for PDF figures or another
# resolution: drawing them (fonts subset and embedded) costs a third of the step.
FIGURE_DPI = 300


def vector_figures(wildcards):
    """The vector PDFs the figure files of profile ``wildcards.profile`` are made from."""
    try:
        profile = load_profile(
            profile_argument(wildcards.profile), profiles_dir=PROFILES_DIR
        )
        figures = profile["figures"]
        wanted = figures["format"] == "pdf" or figures["dpi"] != FIGURE_DPI
    except InputError:
        wanted = True  # the figure step reports what is wrong with the profile
    return [figure_pdf(name) for name in FIGURES] if wanted else []


def manuscript_templates():
    """Every file the manuscript text is rendered from."""
    files = [
        MANUSCRIPT_DIR / "metadata.yaml",
        *sorted((MANUSCRIPT_DIR / "sections").glob("*.md")),
        *sorted(MANUSCRIPT_DIR.glob("abstract.*.md")),
    ]
    return [str(path) for path in files if path.exists()]


def pandoc_settings():
    """Defaults files, filters and templates that shape the DOCX, PDF and HTML."""
    folders = [LAYOUT_DIR / name for name in ("defaults", "filters", "templates")]
    return [
        str(path)
        for folder in folders
        for path in sorted(folder.glob("*"))
        if path.is_file()
    ]


def configured_layout():
    """Citation style, whether it numbers references, and PDF font of the
    configured profile: the figures are drawn for them (reviewkit.citations).
    A profile that cannot be read gives the defaults; its step reports why."""
    from reviewkit.assemble import resolve_csl
    from reviewkit.bibliography import is_numeric_style
    from reviewkit.reference_docx import effective_layout
    from reviewkit.typeface import pdf_family

    try:
        profile = load_profile(config["profile"], profiles_dir=PROFILES_DIR)
        style = effective_style(config["csl"], profile["csl"])
        numeric = is_numeric_style(resolve_csl(style))
        font_paths = profile["pdf"]["font_paths"]
        font = pdf_family(
            effective_layout(profile)["font"], font_paths, profile["pdf"]["font"]
        )
    except (InputError, ValueError, OSError):
        return {
            "csl": effective_style(config["csl"], None),
            "numeric": False,
            "font": None,
            "font_paths": [],
        }
    return {"csl": style, "numeric": numeric, "font": font, "font_paths": font_paths}


LAYOUT = configured_layout()


def figure_label_inputs():
    """The rendered text numbers the studies of a numbered style (order of first
    citation); an author-date style labels them without it, so editing the text
    does not redraw the figures."""
    return [MANUSCRIPT_MD] if LAYOUT["numeric"] else []


def summary_of_findings_input():
    """The user's GRADE judgements file when config.yaml names one, else nothing."""
    return [config["summary_of_findings"]] if config["summary_of_findings"] else []


def outcomes_input():
    """The outcomes table's file when config.yaml names one (a sheet: its workbook)."""
    return [config["outcomes"].split("#", 1)[0]] if config["outcomes"] else []


def inputs_epoch():
    """Date for the documents: see reviewkit.reproducible.build_epoch."""
    return build_epoch(
        [
            config["studies"],
            config["references"],
            *outcomes_input(),
            str(MANUSCRIPT_DIR),
            "config.yaml",
        ]
    )


# ------------------------------------------------------------ journal profiles
def profile_dir(profile="{profile}"):
    """Intermediate files of one profile: results/profiles/<profile>/."""
    return f"results/profiles/{profile}"


def profile_argument(name):
    """The profile as reviewkit.profiles takes it: the configured value (a name or
    a path) for the configured profile, else a profile name."""
    return config["profile"] if name == PROFILE else name


def profile_setting(wildcards):
    return profile_argument(wildcards.profile)


def profile_inputs(wildcards):
    """The profile's YAML files and the Word template, CSL file and fonts it names."""
    return profile_sources(profile_argument(wildcards.profile), PROFILES_DIR)


def configured_profile_inputs():
    return profile_sources(config["profile"], PROFILES_DIR)


def profile_wants(name, part):
    """Whether the profile puts this part (a key of `files:`) into its folder;
    True when the profile cannot be read (the assemble step then reports why)."""
    try:
        profile = load_profile(profile_argument(name), profiles_dir=PROFILES_DIR)
    except InputError:
        return True
    return profile["files"][part]


def manuscript_file(name, file):
    """A document of one profile: results/manuscript/ for the configured profile,
    results/profiles/<name>/ for any other."""
    folder = "results/manuscript" if name == PROFILE else profile_dir(name)
    return f"{folder}/{file}"


def submission_inputs(wildcards):
    """Everything the submission folder of one profile is made of."""
    name = wildcards.profile
    inputs = {
        "checks": f"{profile_dir(name)}/checks.json",
        "settings": f"{profile_dir(name)}/profile.json",
        "docx": manuscript_file(name, "manuscript.docx"),
    }
    optional = {
        "manuscript_pdf": ("pdf", manuscript_file(name, "manuscript.pdf")),
        "title_page": ("title_page", f"{profile_dir(name)}/title-page.docx"),
        "tables": ("tables", f"{profile_dir(name)}/tables.docx"),
        "figures": ("figures", f"{profile_dir(name)}/figures"),
        "supplement": ("supplement", SUPPLEMENT_XLSX),
    }
    for part, (key, path) in optional.items():
        if profile_wants(name, part):
            inputs[key] = path
    if LARGE_REVIEW and "supplement" in inputs:
        inputs["supplement_tables_docx"] = SUPPLEMENT_TABLES["docx"]
        if SUPPLEMENT_TABLES_PDF:
            inputs["supplement_tables_pdf"] = SUPPLEMENT_TABLES["pdf"]
    return inputs


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
