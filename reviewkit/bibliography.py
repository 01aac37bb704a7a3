"""Citation keys: what the bibliography holds and what the text cites."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pypandoc

from reviewkit.errors import InputError

# pandoc's citation syntax: @key or [@key], where a key starts with a letter,
# digit or _ and may contain :.#$%&-+?<>~/ inside. Trailing punctuation is not part of it.
# An escaped "\@" (data shown as literal text, reviewkit.safe_markdown) is no citation.
CITATION_PATTERN = re.compile(r"(?<![\w@\\])@([\w][\w:.#$%&\-+?<>~/]*\w|\w)")
CROSS_REFERENCE_PREFIXES = ("fig-", "tbl-", "sec-", "eq-")


def bibliography_keys(path: Path | str) -> set[str]:
    """Keys of a BibTeX/BibLaTeX file, read by pandoc itself (the parser the build uses)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: bibliography file not found")
    try:
        entries = json.loads(pypandoc.convert_file(str(path), "csljson", format="biblatex"))
    except RuntimeError as error:
        raise InputError(f"{path}: cannot be read as BibTeX ({error})") from None
    return {entry["id"] for entry in entries}


def cited_keys(markdown: str) -> list[tuple[int, str]]:
    """(line number, key) for each citation in a Markdown text, cross-references excluded."""
    found = []
    for number, line in enumerate(markdown.splitlines(), start=1):
        for key in CITATION_PATTERN.findall(line):
            if not key.startswith(CROSS_REFERENCE_PREFIXES):
                found.append((number, key))
    return found


def check_cited_keys(files: dict[str, str], keys: set[str], bibliography: str) -> None:
    """Every key the text cites must be in the bibliography; one line per miss."""
    problems = [
        f'{name}: line {number}: citation "@{key}" is not in {bibliography}'
        for name, text in files.items()
        for number, key in cited_keys(text)
        if key not in keys
    ]
    if problems:
        raise InputError(problems)
