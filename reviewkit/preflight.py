"""Checks that run when the workflow is read, before any step: one line per mistake.

The Snakefile calls :func:`check_config_file` before Snakemake reads
config.yaml (Snakemake's own message for a YAML mistake names no line), and
:func:`check_review` after the schema check, so that a missing or misplaced
input, an unknown journal profile or a wrong citation style stops the build
at once instead of 30 seconds into it.

Files a build may read are those of the review folder (the working directory)
and of the tool; a profile, a Word template, a font folder or a CSL style
elsewhere is refused (docs/security.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from reviewkit.errors import InputError, capped
from reviewkit.fast_yaml import FastSafeLoader, safe_load
from reviewkit.paths import PROFILES_DIR, TOOL_DIR
from reviewkit.synthesis_config import synthesis_config_problems

__all__ = ["check_config_file", "check_review", "config_file_problems", "review_problems"]


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, but a key written twice in one mapping is an error
    (plain YAML keeps the last one silently)."""


class _FastUniqueKeyLoader(FastSafeLoader):
    """The same with libyaml's parser (reviewkit.fast_yaml); a mistake is read
    again with :class:`_UniqueKeyLoader` for its message."""


def _mapping_without_duplicates(loader, node, deep=False):
    seen: dict[object, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        line = key_node.start_mark.line + 1
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f'key "{key}" appears twice (lines {seen[key]} and {line}); keep one',
                key_node.start_mark,
            )
        seen[key] = line
    return loader.construct_mapping(node, deep=deep)


for _loader in (_UniqueKeyLoader, _FastUniqueKeyLoader):
    _loader.add_constructor(
        yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates
    )


def _yaml_message(error: yaml.YAMLError, source: str) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = " ".join(str(getattr(error, "problem", None) or error).split())
    if "'\\t'" in problem:
        problem = "a tab character; YAML indents with spaces only"
    context = getattr(error, "context", None)
    if context and getattr(error, "context_mark", None) and "tab" not in problem:
        problem += f" ({context}, line {error.context_mark.line + 1})"
    if mark is None:
        return f"{source}: not valid YAML: {problem}"
    return f"{source}: line {mark.line + 1}, column {mark.column + 1}: {problem}"


def config_file_problems(path: Path | str = "config.yaml") -> list[str]:
    """YAML mistakes of a config file, with line and column; [] when it reads."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return [f"{path}: byte {error.start} is not UTF-8 text; save the file as UTF-8"]
    except OSError as error:
        return [f"{path}: cannot be read ({error.strerror})"]
    try:
        data = safe_load(text, _FastUniqueKeyLoader, _UniqueKeyLoader)  # SafeLoader subclasses
    except yaml.YAMLError as error:
        return [_yaml_message(error, str(path))]
    if data is not None and not isinstance(data, dict):
        return [f"{path}: expected settings as `key: value` lines, got a {type(data).__name__}"]
    return []


def _inside(path: Path, folders: list[Path]) -> bool:
    resolved = path.resolve()
    return any(resolved.is_relative_to(folder.resolve()) for folder in folders)


def _file_problems(config: dict, review: Path) -> list[str]:
    problems = []
    for key, what in (("studies", ".csv or .xlsx file"), ("references", "BibTeX file")):
        path = Path(config[key])
        if path.is_dir():
            problems.append(f"config.yaml: {key}: {path} is a folder; expected a {what}")
        elif not path.exists():
            problems.append(f"config.yaml: {key}: {path}: no such file; expected a {what}")
    manuscript = Path(config["manuscript_dir"])
    if not (manuscript / "metadata.yaml").is_file():
        problems.append(
            f"config.yaml: manuscript_dir: {manuscript} has no metadata.yaml; expected the "
            "folder with metadata.yaml and sections/"
        )
    judgements = config.get("summary_of_findings")
    if judgements and not Path(judgements).is_file():
        problems.append(
            f"config.yaml: summary_of_findings: {judgements}: no such file; expected a .csv "
            'or .xlsx of GRADE judgements, or "" for none'
        )
    return problems


def _profile_problems(config: dict, review: Path) -> tuple[list[str], dict | None]:
    """The profile loads, lies in the review or the tool, and so do its files."""
    from reviewkit.profiles import _chain, load_profile, profile_path, referenced_files

    allowed = [review, TOOL_DIR]
    name = config["profile"]
    try:
        chain = [path for path, _ in _chain(profile_path(name, PROFILES_DIR), PROFILES_DIR)]
        outside = [path for path in chain if not _inside(path, allowed)]
        if outside:
            return [
                f"config.yaml: profile: {path} lies outside the review folder {review.resolve()}; "
                "copy the profile into the review folder (e.g. profiles/)"
                for path in outside
            ], None
        profile = load_profile(name, profiles_dir=PROFILES_DIR)
    except InputError as error:
        return [f"config.yaml: profile: {line}" for line in error.lines], None
    problems = [
        f"{profile['source']}: {file} lies outside the review folder {review.resolve()}; "
        "copy it into the review folder"
        for file in referenced_files(profile)
        if not _inside(Path(file), allowed)
    ]
    return problems, profile


def _csl_problems(config: dict, profile: dict | None, review: Path) -> list[str]:
    from reviewkit.assemble import resolve_csl
    from reviewkit.profiles import effective_style

    style = effective_style(config.get("csl"), (profile or {}).get("csl"))
    where = "config.yaml: csl" if config.get("csl") else f"{(profile or {}).get('source')}: csl"
    try:
        resolve_csl(style, review=review)
    except ValueError as error:
        return [f"{where}: {error}"]
    return []


def review_problems(config: dict, review: Path | str = ".") -> list[str]:
    """Every mistake in the review's settings that a step would otherwise meet late."""
    review = Path(review)
    problems = []
    window = config["inclusion"]
    if window["year_from"] > window["year_to"]:
        problems.append(
            f"config.yaml: inclusion: year_from {window['year_from']} is after year_to "
            f"{window['year_to']}; expected year_from <= year_to"
        )
    problems += synthesis_config_problems(config.get("synthesis") or {})
    problems += _file_problems(config, review)
    profile_problems, profile = _profile_problems(config, review)
    problems += profile_problems
    if not profile_problems:
        problems += _csl_problems(config, profile, review)
    return problems


def _stop(problems: list[str]) -> None:
    for line in capped(problems):
        print(f"ERROR: {line}", file=sys.stderr)
    sys.exit(1)


def check_config_file(path: Path | str = "config.yaml") -> None:
    """Stop with one line per YAML mistake (line and column) before Snakemake reads
    the file; a missing file is left to Snakemake (``--configfile`` may replace it)."""
    if Path(path).exists():
        problems = config_file_problems(path)
        if problems:
            _stop(problems)


def check_review(config: dict, review: Path | str = ".") -> None:
    """Stop with one line per mistake (see :func:`review_problems`)."""
    problems = review_problems(config, review)
    if problems:
        _stop(problems)
