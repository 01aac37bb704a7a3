"""A new review folder, ready to fill: ``python -m reviewkit.scaffold new FOLDER --language id|en``.

``review.py new`` calls this after creating the tool's environment. The folder gets:

* ``config.yaml``: commented settings, the language, and a journal profile that fits it
  (``sinta-nursing`` for Indonesian; for English ``international-apa-draft``, a profile
  of the review's own, in ``profiles/``, that extends ``international-apa`` without its
  required declarations, so that builds succeed while the review is written);
* ``data/studies.csv`` with only its header: the columns of the study schema, in the
  order a person fills them in; ``data/references.bib`` empty; ``data/search/README.md``
  saying what goes there;
* ``manuscript/``: metadata with ``[bracketed placeholders]``, the abstracts and the
  section templates of ``reviewkit/scaffold/<language>/``, written for any review: the
  author's own prose is a marked ``[...]`` placeholder, and every number comes from the
  data through the generated text blocks (``{{ auto.<name> }}``, reviewkit.text_blocks).

Its first build succeeds with no studies, and the manuscript says that no studies are
included yet. An existing folder that is not empty is refused (nothing is overwritten).
"""

from __future__ import annotations

import argparse
import csv
import shlex
import shutil
import sys
from pathlib import Path

import yaml

from reviewkit.errors import InputError
from reviewkit.paths import STUDIES_SCHEMA

SCAFFOLD_DIR = Path(__file__).resolve().parent / "scaffold"
LANGUAGES = ("id", "en")
#: The order in which a person fills in a study's row; columns of the schema not named
#: here follow in the schema's order.
COLUMN_ORDER = [
    "id",
    "authors",
    "year",
    "facility",
    "region",
    "design",
    "design_as_reported",
    "participants",
    "n_total",
    "n_intervention",
    "n_control",
    "outcome",
    "main_result",
    "effect_direction",
    "p_operator",
    "p_value",
    "p_as_reported",
    "p_comparison",
    "events_intervention",
    "events_control",
    "mean_intervention",
    "sd_intervention",
    "mean_control",
    "sd_control",
    "values_group",
    "value_before",
    "value_after",
    "value_unit",
    "time_before",
    "time_after",
]


def study_columns(schema_path: Path | str = STUDIES_SCHEMA) -> list[str]:
    """The header of a new study table: every column the schema declares, in
    COLUMN_ORDER first (risk-of-bias columns rob_* are added once a tool is chosen)."""
    with open(schema_path, encoding="utf-8") as handle:
        schema = yaml.safe_load(handle)
    declared = list(schema["properties"])
    ordered = [name for name in COLUMN_ORDER if name in declared]
    return ordered + [name for name in declared if name not in ordered]


def scaffold_settings(language: str) -> dict:
    """The journal profile a new review of this language starts on, and the comment
    config.yaml gives it (reviewkit/scaffold/<language>.yaml)."""
    with open(SCAFFOLD_DIR / f"{language}.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def create_review(folder: Path | str, language: str) -> list[Path]:
    """Write a new review into ``folder`` (absent or empty); returns the files written."""
    folder = Path(folder)
    if language not in LANGUAGES:
        raise InputError(f"--language {language}: expected one of {', '.join(LANGUAGES)}")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError(
            f"{folder}: exists and is not an empty folder; choose a new folder name "
            "(nothing was written)"
        )
    source = SCAFFOLD_DIR / language
    settings = scaffold_settings(language)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, folder, dirs_exist_ok=True)
    config = (SCAFFOLD_DIR / "config.yaml").read_text(encoding="utf-8")
    config = (
        config.replace("{language}", language)
        .replace("{profile}", settings["profile"])
        .replace("{profile_comment}", settings["profile_comment"])
        .replace("{folder}", folder.name)
    )
    (folder / "config.yaml").write_text(config, encoding="utf-8")
    with open(folder / "data" / "studies.csv", "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow(study_columns())
    (folder / "data" / "references.bib").write_text("", encoding="utf-8")
    return sorted(path for path in folder.rglob("*") if path.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="review.py new", description="Create a new review folder, ready to fill."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    new = commands.add_parser("new", help="create a review folder")
    new.add_argument("folder", type=Path)
    new.add_argument("--language", choices=LANGUAGES, required=True)
    options = parser.parse_args(argv)
    try:
        written = create_review(options.folder, options.language)
    except InputError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # a folder it may not write, or a file in its path
        where = error.filename or options.folder
        print(f"ERROR: {where}: {error.strerror or error}", file=sys.stderr)
        return 1
    folder = options.folder
    print(f"A new review in {folder} ({len(written)} files). Next:", file=sys.stderr)
    for step in (
        f"add studies to {folder / 'data' / 'studies.csv'} (columns: docs/data-dictionary.md)",
        f"add their references to {folder / 'data' / 'references.bib'} (key = study id)",
        f"replace the [placeholders] in {folder / 'manuscript'}",
        # quoted as a shell needs it, so that the line can be copied as it is
        f"build: python3 review.py build --directory {shlex.quote(str(folder))}",
    ):
        print(f"  - {step}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
