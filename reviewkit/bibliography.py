"""The bibliography: read in the format users keep it, checked, and cited.

A bibliography is BibTeX/BibLaTeX (``.bib``, ``.bibtex``), CSL-JSON
(``.json``) or RIS (``.ris``), chosen by the file extension. pandoc, which
renders the references, is also the one parser here: the file is converted
once to CSL-JSON (``pandoc --to csljson``), so the checks see exactly the
entries the manuscript will cite. What pandoc does not check is checked
before: the encoding (UTF-8, with the line of the first bad byte), duplicate
keys (pandoc would silently keep one; the error names both lines) and, for
CSL-JSON, the syntax with Python's JSON parser (line and column).

:func:`check_bibliography` is what the data step runs before anything is
written; :func:`check_completeness` lists the entries that lack what a
reference needs (title, journal or publisher, year, volume and pages or a
DOI) for the journal-profile step; :func:`check_study_authors` compares the
study table's authors and years with the entries. Zotero with Better BibTeX
keeps citation keys stable across exports (docs/language.md, README).
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from functools import cache
from pathlib import Path

from reviewkit.errors import InputError

log = logging.getLogger(__name__)

# pandoc's citation syntax: @key or [@key], where a key starts with a letter,
# digit or _ and may contain :.#$%&-+?<>~/ inside. Trailing punctuation is not part of it.
# An escaped "\@" (data shown as literal text, reviewkit.safe_markdown) is no citation.
CITATION_PATTERN = re.compile(r"(?<![\w@\\])@([\w][\w:.#$%&\-+?<>~/]*\w|\w)")
CROSS_REFERENCE_PREFIXES = ("fig-", "tbl-", "sec-", "eq-")
#: File extension -> pandoc input format.
FORMATS = {".bib": "biblatex", ".bibtex": "bibtex", ".json": "csljson", ".ris": "ris"}
#: Where each format writes an entry's key (for line numbers and duplicates).
_BIB_KEY = re.compile(r"^\s*@(\w+)\s*[{(]\s*([^,\s{}()]+)\s*,", re.MULTILINE)
_BIB_NOT_ENTRIES = {"comment", "string", "preamble"}
_JSON_KEY = re.compile(r'"id"\s*:\s*"((?:[^"\\]|\\.)*)"')
_RIS_KEY = re.compile(r"^ID  - (.+?)\s*$", re.MULTILINE)


def bibliography_format(path: Path | str) -> str:
    """pandoc's reader for a bibliography file, by its extension."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(
            f"{path}: bibliography format not known from the extension {suffix or '(none)'}; "
            "expected .bib (BibTeX/BibLaTeX), .json (CSL-JSON) or .ris (RIS)"
        )
    return FORMATS[suffix]


def _text(path: Path) -> str:
    if not path.is_file():
        raise InputError(f"{path}: bibliography file not found")
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(
            f"{path}: line {line}: byte 0x{data[error.start]:02x} is not UTF-8; save the file "
            "as UTF-8 (Zotero and Mendeley export UTF-8 by default)"
        ) from None


def key_lines(text: str, fmt: str) -> list[tuple[str, int]]:
    """(key, line) of every entry in the order of the file."""
    if fmt in ("biblatex", "bibtex"):
        found = [
            (m.group(2), m.start(2))
            for m in _BIB_KEY.finditer(text)
            if m.group(1).lower() not in _BIB_NOT_ENTRIES
        ]
    elif fmt == "csljson":
        found = [(json.loads(f'"{m.group(1)}"'), m.start()) for m in _JSON_KEY.finditer(text)]
    else:
        found = [(m.group(1), m.start(1)) for m in _RIS_KEY.finditer(text)]
    lines, line, last = [], 1, 0
    for key, offset in found:  # in the order of the file: count each newline once
        line += text.count("\n", last, offset)
        last = offset
        lines.append((key, line))
    return lines


def _check_duplicates(path: Path, keys: list[tuple[str, int]]) -> None:
    first: dict[str, int] = {}
    problems = []
    for key, line in keys:
        if key in first:
            problems.append(
                f'{path}: line {line}: key "{key}" is already used at line {first[key]}; '
                "every entry needs its own key"
            )
        else:
            first.setdefault(key, line)
    if problems:
        raise InputError(problems)


@cache
def _read(path: str, mtime_ns: int, size: int) -> tuple[tuple[dict, ...], tuple]:
    file = Path(path)
    fmt = bibliography_format(file)
    text = _text(file)
    if fmt == "csljson":
        try:
            json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(
                f"{file}: line {error.lineno}, column {error.colno}: not valid CSL-JSON "
                f"({error.msg})"
            ) from None
    keys = key_lines(text, fmt)
    _check_duplicates(file, keys)
    try:
        import pypandoc  # 30 ms: only for a step that reads the bibliography

        converted = pypandoc.convert_text(text, "csljson", format=fmt)
    except RuntimeError as error:
        detail = " ".join(str(error).split())
        found = re.search(r"line (\d+), column (\d+)", detail)
        where = f"line {found.group(1)}, column {found.group(2)}: " if found else ""
        reason = detail.split("):", 1)[-1].strip() if found else detail
        raise InputError(f"{file}: {where}cannot be read as {fmt} ({reason})") from None
    return tuple(json.loads(converted)), tuple(keys)


def read_bibliography(path: Path | str) -> list[dict]:
    """The entries as CSL-JSON items (pandoc's reading), checked as the module says."""
    file = Path(path)
    if not file.is_file():
        raise InputError(f"{file}: bibliography file not found")
    stat = file.stat()
    entries, _ = _read(str(file), stat.st_mtime_ns, stat.st_size)
    return [dict(entry) for entry in entries]


def entry_lines(path: Path | str) -> dict[str, int]:
    """Key -> line of its entry (after :func:`read_bibliography` has checked the file)."""
    file = Path(path)
    stat = file.stat()
    _, keys = _read(str(file), stat.st_mtime_ns, stat.st_size)
    return dict(reversed(keys))


def bibliography_keys(path: Path | str) -> set[str]:
    """Keys of a bibliography file, read by pandoc itself (the parser the build uses)."""
    return {entry["id"] for entry in read_bibliography(path)}


def check_bibliography(
    path: Path | str, study_ids: list[str], studies_source: str = "the study table"
) -> list[dict]:
    """Check the bibliography before the data step writes anything: readable
    (UTF-8, syntax), no duplicate keys, every study id a key. Returns the entries.

    The data step (reviewkit.prepare) calls it first; it costs one pandoc run
    (about 0.1 s), cached per file state within a process.
    """
    entries = read_bibliography(path)
    keys = {entry["id"] for entry in entries}
    missing = [key for key in study_ids if key not in keys]
    if missing:
        raise InputError(
            [
                f'{studies_source}: study id "{key}" has no entry in {path}; add one with '
                "that citation key"
                for key in missing
            ]
        )
    return entries


# ------------------------------------------------------------- completeness --

#: CSL type -> the fields a reference of that type needs ("|" = one of them).
REQUIRED_FIELDS = {
    "article-journal": ("title", "container-title", "issued", "volume+page|DOI"),
    "article": ("title", "container-title", "issued", "volume+page|DOI"),
    "book": ("title", "publisher", "issued"),
    "chapter": ("title", "container-title", "publisher", "issued"),
    "paper-conference": ("title", "container-title", "issued"),
    "thesis": ("title", "publisher", "issued"),
    "report": ("title", "publisher", "issued"),
}
DEFAULT_FIELDS = ("title", "issued")
FIELD_NAMES = {
    "title": "title",
    "container-title": "journal or book title (container-title)",
    "publisher": "publisher or institution",
    "issued": "year",
    "volume+page|DOI": "volume and pages, or a DOI",
}


def _has(entry: dict, requirement: str) -> bool:
    for option in requirement.split("|"):
        if all(str(entry.get(field, "")).strip() for field in option.split("+")):
            return True
    return False


def missing_fields(entry: dict) -> list[str]:
    """What a reference of this entry's type needs and the entry lacks."""
    required = REQUIRED_FIELDS.get(entry.get("type", ""), DEFAULT_FIELDS)
    return [FIELD_NAMES[field] for field in required if not _has(entry, field)]


def check_completeness(path: Path | str, *, strict: bool = False) -> list[str]:
    """One line per entry lacking what its type needs: logged as warnings, or
    raised as one InputError when ``strict`` (a profile's references.complete)."""
    lines = entry_lines(path) if Path(path).is_file() else {}
    problems = []
    for entry in read_bibliography(path):
        lacking = missing_fields(entry)
        if lacking:
            where = f"line {lines[entry['id']]}: " if entry["id"] in lines else ""
            problems.append(f'{path}: {where}entry "{entry["id"]}" has no {", ".join(lacking)}')
    if strict and problems:
        raise InputError(
            [f"{line} (the journal profile requires complete references)" for line in problems]
        )
    for line in problems:
        log.warning("%s", line)
    return problems


# ------------------------------------------------ study table vs references --


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def first_author(entry: dict) -> str | None:
    authors = entry.get("author") or entry.get("editor") or []
    if not authors:
        return None
    first = authors[0]
    return first.get("family") or first.get("literal")


def entry_year(entry: dict) -> int | None:
    parts = (entry.get("issued") or {}).get("date-parts") or [[]]
    return int(parts[0][0]) if parts and parts[0] else None


def _has_year(value) -> bool:
    """A year cell holds a number: not None, NaN or pandas' NA (whose truth raises)."""
    try:
        return value is not None and bool(value == value)
    except TypeError:
        return False


def check_study_authors(studies, entries: list[dict], source: str, bibliography: str) -> list[str]:
    """Warn where the study table's first author or year differs from the entry."""
    by_key = {entry["id"]: entry for entry in entries}
    warnings = []
    for row_number, row in enumerate(studies.to_dict("records"), start=2):
        entry = by_key.get(row["id"])
        if entry is None:
            continue
        surname = first_author(entry)
        authors = str(row["authors"])
        if surname and not _fold(authors).startswith(_fold(surname)):
            warnings.append(
                f'{source}: row {row_number}: authors "{authors}" does not start with the '
                f'first author of "{row["id"]}" in {bibliography} ("{surname}")'
            )
        year = entry_year(entry)
        # an empty year (allowed by the schema) is compared with nothing
        if year is not None and _has_year(row["year"]) and int(row["year"]) != year:
            warnings.append(
                f"{source}: row {row_number}: year {int(row['year'])} differs from the year "
                f'of "{row["id"]}" in {bibliography} ({year})'
            )
    for line in warnings:
        log.warning("%s", line)
    return warnings


# ------------------------------------------------------------------ styles --


def is_numeric_style(csl: Path | str) -> bool:
    """Whether a CSL style numbers its citations (``citation-format="numeric"``)."""
    head = Path(csl).read_text(encoding="utf-8", errors="replace")[:6000]
    found = re.search(r'citation-format="([^"]+)"', head)
    return bool(found) and found.group(1) == "numeric"


# --------------------------------------------------------------- citations --


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
