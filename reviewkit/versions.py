"""Released versions of a review: a frozen copy of its inputs and outputs.

``release(review_dir, name, up_to_date=...)`` copies what a reader of the
released manuscript may later want to compare with, into
``review_dir/versions/NAME/``, keeping each file's path relative to the review
folder (so a release is laid out like a review folder itself):

* inputs: ``config.yaml``, the study table (``studies:``), the outcomes table
  (``outcomes:``, if the key is set), the bibliography (``references:``),
  ``data/search/`` and ``data/screening.csv|xlsx`` when present, the manuscript
  folder (``manuscript_dir:``, the author's text);
* outputs: ``results/data/studies.csv``, ``results/stats/*.json``,
  ``results/manuscript/manuscript.md``, ``manuscript.docx`` and ``manuscript.pdf``;
* ``release.json``: name, sequence number, release date, the build date of the
  documents, and every file with its size and SHA-256.

An input outside the review folder (``references: ../shared/refs.bib``) is
stored under ``external/`` with its original path recorded.

Order: every release has a ``sequence`` number, one more than the highest
before it; :func:`latest_release` is the one with the highest number. The
release *date* is a fact about the day it was made (``date=``, else
``SOURCE_DATE_EPOCH`` when set, else today's date in UTC): it is written once
and committed, never regenerated, so builds that read it stay reproducible.

Nothing changes a release afterwards: no build step writes under
``versions/`` (every output lives under ``results/``), :func:`release` refuses
an existing name, the files are made read-only (mode 0444), and
:func:`verify_release` compares every file with the SHA-256 recorded at release
time (:func:`find_release` and :func:`latest_release` run it), so an edited
release stops a comparison instead of giving a wrong one.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import yaml

from reviewkit.errors import InputError, run_step

__all__ = [
    "RELEASE_JSON",
    "VERSIONS_DIR",
    "Release",
    "find_release",
    "latest_release",
    "list_releases",
    "release",
    "release_files",
    "verify_release",
]

VERSIONS_DIR = "versions"
RELEASE_JSON = "release.json"
#: Outputs a release keeps (paths relative to the review folder; globs allowed).
OUTPUTS = (
    "results/data/studies.csv",
    "results/stats/*.json",
    "results/manuscript/manuscript.md",
    "results/manuscript/manuscript.docx",
    "results/manuscript/manuscript.pdf",
)
#: Outputs without which there is nothing to release.
REQUIRED_OUTPUTS = (
    "results/data/studies.csv",
    "results/manuscript/manuscript.md",
    "results/manuscript/manuscript.docx",
    "results/manuscript/manuscript.pdf",
)
OPTIONAL_INPUTS = ("data/search", "data/screening.csv", "data/screening.xlsx")

# A letter or digit, then letters, digits, ".", "_" or "-"; at most 64 characters.
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# Names Windows cannot use for a folder, whatever the extension.
WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {
    f"{p}{i}" for p in ("com", "lpt") for i in "123456789"
}


@dataclass(frozen=True)
class Release:
    """One released version: its folder and what release.json says."""

    name: str
    sequence: int
    released: str  # YYYY-MM-DD
    path: Path
    info: dict

    def file(self, relative: str) -> Path:
        """Path of a kept file, e.g. ``release.file("results/stats/summary.json")``."""
        return self.path / relative

    def input(self, key: str) -> Path | None:
        """The kept copy of an input named in the released config.yaml, e.g.
        ``release.input("references")`` (None when the key is not set)."""
        with open(self.path / "config.yaml", encoding="utf-8") as handle:
            value = (yaml.safe_load(handle) or {}).get(key)
        if not value:
            return None
        wanted = os.path.normpath(value)
        for entry in self.info.get("files", []):
            source = os.path.normpath(entry.get("source", entry["path"]))
            if source == wanted:
                return self.path / entry["path"]
        return None

    @property
    def label(self) -> str:
        """``v1 (2025-03-01)``: how reports name the release."""
        return f"{self.name} ({self.released})"


# ------------------------------------------------------------------ names ---


def check_name(name: str) -> None:
    """Refuse a release name that is not a safe, portable folder name."""
    if not SAFE_NAME.fullmatch(name) or name.endswith(".") or ".." in name:
        raise InputError(
            f"release name {name!r} is not a safe folder name; expected 1 to 64 letters, "
            "digits, '.', '_' or '-', starting with a letter or digit (e.g. v1, 2025-03, "
            "revision-2)"
        )
    if name.split(".")[0].lower() in WINDOWS_RESERVED:
        raise InputError(f"release name {name!r} is reserved on Windows; choose another name")


# ----------------------------------------------------------------- files ----


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_config(review_dir: Path) -> dict:
    path = review_dir / "config.yaml"
    if not path.is_file():
        raise InputError(f"{path}: not found; expected the review folder's config.yaml")
    with open(path, encoding="utf-8") as handle:
        config = yaml.safe_load(handle) or {}
    if not isinstance(config, dict):
        raise InputError(f"{path}: expected a mapping of settings")
    return config


def _walk(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file())
    return [path] if path.is_file() else []


def release_files(review_dir: os.PathLike[str] | str) -> dict[str, Path]:
    """What a release of ``review_dir`` keeps: {path in the release: source file}.

    Raises InputError when a configured input or a required output is missing
    (an output missing means the review has not been built).
    """
    review_dir = Path(review_dir)
    config = _read_config(review_dir)
    sources: list[Path] = [review_dir / "config.yaml"]
    problems = []
    for key in ("studies", "references", "outcomes"):
        value = config.get(key)
        if not value:
            if key != "outcomes":
                problems.append(f"{review_dir / 'config.yaml'}: {key}: not set")
            continue
        path = review_dir / value
        if not path.is_file():
            problems.append(f"{review_dir / 'config.yaml'}: {key}: file {value!r} not found")
        sources.append(path)
    manuscript_dir = review_dir / (config.get("manuscript_dir") or "manuscript")
    if not manuscript_dir.is_dir():
        problems.append(f"{manuscript_dir}: manuscript folder not found")
    sources += _walk(manuscript_dir)
    for optional in OPTIONAL_INPUTS:
        sources += _walk(review_dir / optional)
    for required in REQUIRED_OUTPUTS:
        if not (review_dir / required).is_file():
            problems.append(
                f"{review_dir / required}: not found; build the review first "
                "(python3 review.py build), then release it"
            )
    if problems:
        raise InputError(problems)
    for pattern in OUTPUTS:
        sources += sorted(p for p in review_dir.glob(pattern) if p.is_file())

    files: dict[str, Path] = {}
    root = review_dir.resolve()
    for source in sources:
        resolved = source.resolve()
        if resolved.is_relative_to(root):
            relative = resolved.relative_to(root).as_posix()
        else:  # an input kept outside the review folder
            relative = f"external/{resolved.name}"
        if relative.split("/")[0] == VERSIONS_DIR:
            continue
        files.setdefault(relative, source)
    return dict(sorted(files.items()))


# -------------------------------------------------------------- releases ----


def list_releases(review_dir: os.PathLike[str] | str) -> list[Release]:
    """Every release of the review, oldest first (by sequence number)."""
    folder = Path(review_dir) / VERSIONS_DIR
    releases = []
    if folder.is_dir():
        for child in sorted(folder.iterdir()):
            if (
                child.is_dir()
                and not child.name.startswith(".")
                and (child / RELEASE_JSON).is_file()
            ):
                releases.append(_load(child))
    releases.sort(key=lambda r: r.sequence)
    for earlier, later in itertools.pairwise(releases):
        if earlier.sequence == later.sequence:
            raise InputError(
                f"{folder}: releases {earlier.name!r} and {later.name!r} have the same sequence "
                f"number {earlier.sequence}; the order of releases is ambiguous"
            )
    return releases


def _load(path: Path) -> Release:
    meta_path = path / RELEASE_JSON
    try:
        info = json.loads(meta_path.read_text(encoding="utf-8"))
        return Release(
            name=str(info["name"]),
            sequence=int(info["sequence"]),
            released=str(info["released"]),
            path=path,
            info=info,
        )
    except (ValueError, KeyError, TypeError) as error:
        raise InputError(
            f"{meta_path}: not a release description ({error}); expected the file written by "
            "reviewkit.versions.release"
        ) from None


def verify_release(rel: Release) -> None:
    """Raise InputError naming every kept file that was changed or removed since release."""
    problems = []
    for entry in rel.info.get("files", []):
        path = rel.path / entry["path"]
        if not path.is_file():
            problems.append(f"{path}: missing from release {rel.name!r}")
        elif _sha256(path) != entry["sha256"]:
            problems.append(
                f"{path}: changed since release {rel.name!r} (SHA-256 differs from "
                f"{RELEASE_JSON}); a release is never edited: restore it from version control"
            )
    if problems:
        raise InputError(problems)


def find_release(review_dir: os.PathLike[str] | str, name: str) -> Release:
    """The release called ``name`` (config key ``compare_with:``), checked intact."""
    check_name(name)
    releases = list_releases(review_dir)
    for rel in releases:
        if rel.name == name:
            verify_release(rel)
            return rel
    known = ", ".join(r.name for r in releases) or "none yet"
    raise InputError(
        f"{Path(review_dir) / VERSIONS_DIR}: no release named {name!r}; releases: {known}"
    )


def latest_release(review_dir: os.PathLike[str] | str) -> Release | None:
    """The release with the highest sequence number (checked intact), or None."""
    releases = list_releases(review_dir)
    if not releases:
        return None
    verify_release(releases[-1])
    return releases[-1]


def release_to_compare(review_dir: os.PathLike[str] | str, name: str = "") -> str | None:
    """The folder name of the release a build compares with: ``name`` when given
    (it must exist), else the latest release, else None. Cheap (reads only the
    release.json files): the comparison step itself verifies the release."""
    releases = list_releases(review_dir)
    if name:
        if name not in {rel.name for rel in releases}:
            known = ", ".join(r.name for r in releases) or "none yet"
            raise InputError(
                f"config.yaml: compare_with: no release named {name!r} in "
                f"{Path(review_dir) / VERSIONS_DIR}; releases: {known}"
            )
        return name
    return releases[-1].path.name if releases else None


def _release_date(when: date | str | None) -> str:
    if isinstance(when, date):
        return when.isoformat()
    if isinstance(when, str):
        try:
            return date.fromisoformat(when).isoformat()
        except ValueError:
            raise InputError(f"release date {when!r}: expected YYYY-MM-DD") from None
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return moment.date().isoformat()


def release(
    review_dir: os.PathLike[str] | str,
    name: str,
    *,
    up_to_date: bool | Callable[[], bool],
    when: date | str | None = None,
    build_epoch: int | None = None,
) -> Release:
    """Copy the review's inputs and outputs into ``versions/NAME/`` and describe them.

    ``up_to_date``: whether the build outputs match the inputs (or a callable
    answering that, e.g. a Snakemake dry run); a release of a stale build is
    refused. ``when``: the release date (default: see module docstring).
    ``build_epoch``: the date stamped into the documents, recorded for reference.
    The copy is made in a hidden folder and renamed into place, so a failed
    release leaves nothing behind.
    """
    review_dir = Path(review_dir)
    check_name(name)
    versions = review_dir / VERSIONS_DIR
    existing = list_releases(review_dir)
    taken = {p.name.lower() for p in versions.iterdir()} if versions.is_dir() else set()
    if name.lower() in taken:
        raise InputError(
            f"{versions / name}: a release with this name already exists; releases are never "
            "overwritten, choose a new name"
        )
    fresh = up_to_date() if callable(up_to_date) else up_to_date
    if not fresh:
        raise InputError(
            f"{review_dir}: the build is not up to date with the inputs; run "
            "`python3 review.py build` first, then release"
        )
    files = release_files(review_dir)
    info = {
        "name": name,
        "sequence": max((r.sequence for r in existing), default=0) + 1,
        "released": _release_date(when),
        "build_epoch": build_epoch,
        "files": [],
    }
    versions.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=versions))
    try:
        for relative, source in files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            info["files"].append(
                {"path": relative, "bytes": target.stat().st_size, "sha256": _sha256(target)}
            )
            if relative.startswith("external/"):
                info["files"][-1]["source"] = os.path.relpath(source, review_dir)
        (staging / RELEASE_JSON).write_text(
            json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        for path in staging.rglob("*"):
            if path.is_file():
                path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        staging.chmod(0o755)
        target_dir = versions / name
        os.mkdir(target_dir)  # fails if another process took the name meanwhile
        os.replace(staging, target_dir)  # an empty folder is replaced atomically
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return _load(versions / name)


# ------------------------------------------------------------------- CLI ----


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m reviewkit.versions",
        description="Release the current build of a review as a named version, or list releases.",
    )
    parser.add_argument("--review", default=".", help="review folder (default: .)")
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("release", help="copy inputs and outputs into versions/NAME/")
    make.add_argument("name")
    make.add_argument("--date", help="release date YYYY-MM-DD (default: today, UTC)")
    make.add_argument(
        "--built",
        action="store_true",
        help="confirm the build is up to date (the caller checked it, e.g. with a dry run)",
    )
    sub.add_parser("list", help="list the releases, oldest first")
    args = parser.parse_args(argv)

    def run() -> None:
        if args.command == "list":
            for rel in list_releases(args.review):
                print(f"{rel.sequence}\t{rel.name}\t{rel.released}")
            return
        rel = release(args.review, args.name, up_to_date=args.built, when=args.date)
        print(f"released {rel.name} (#{rel.sequence}, {rel.released}) in {rel.path}")

    run_step(run)


if __name__ == "__main__":
    main(sys.argv[1:])
