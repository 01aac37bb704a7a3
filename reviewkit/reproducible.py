"""The date stamped into the outputs, taken from the inputs, never from the clock."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

# Zip (DOCX) timestamps cannot be older than 1980.
FALLBACK_EPOCH = 315532800


def build_epoch(inputs: Sequence[str], cwd: str | None = None) -> int:
    """SOURCE_DATE_EPOCH if set; else the time of the last git commit touching the
    inputs; else 1980-01-01. Two builds of the same inputs get the same date."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        stamp = subprocess.run(
            ["git", "log", "-1", "--format=%ct", "--", *inputs],
            capture_output=True,
            text=True,
            check=True,
            cwd=cwd,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        stamp = ""
    return int(stamp) if stamp else FALLBACK_EPOCH


# What a build, an install or version control adds to a project folder.
GENERATED = (
    ".git",
    ".venv",
    ".snakemake",
    ".build",
    "results",
    "logs",
    "__pycache__",
    "*.pyc",
    ".pytest_cache",
    ".ruff_cache",
)


def copy_project(source: Path, target: Path, also_skip: Sequence[str] = ()) -> Path:
    """A copy of the project as a fresh clone has it: nothing built, installed or cached
    (used by the end-to-end tests and the benchmark so they never touch your results)."""
    shutil.copytree(
        source, target, ignore=shutil.ignore_patterns(*GENERATED, *also_skip), dirs_exist_ok=True
    )
    return target


#: The files and folders of a review (the rest of a review folder is built from them).
REVIEW_PARTS = ("config.yaml", "data", "manuscript")


def copy_review(source: Path, target: Path, parts: Sequence[str] = REVIEW_PARTS) -> Path:
    """The review of folder ``source`` alone in ``target`` (by default its config, data
    and manuscript; the tool stays where it is), for tests and benchmarks."""
    target.mkdir(parents=True, exist_ok=True)
    for part in parts:
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part, dirs_exist_ok=True)
        else:
            shutil.copyfile(source / part, target / part)
    return target


#: What the package holds that changes an output: code, catalogues, settings, and
#: the text blocks and scaffolds (Markdown templates).
CODE_SUFFIXES = {".py", ".yaml", ".json", ".md"}


def code_version(package_dir: Path | None = None) -> str:
    """A short hash of the package's code and data files (CODE_SUFFIXES).

    Given to every step as a parameter, so that Snakemake reruns the steps
    after the package changes (it tracks a step's script, not what it imports).
    Hashing a few hundred kilobytes takes milliseconds."""
    import hashlib

    folder = package_dir or Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.suffix in CODE_SUFFIXES and "__pycache__" not in path.parts:
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
