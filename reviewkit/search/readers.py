"""Read database exports (one file per source) into one table of records.

Inputs: the folder ``data/search/`` holding the exports, and optionally
``data/search/sources.yaml`` naming each file's database, search date and
query (see docs/search.md). The format is chosen by file extension:

======================  ==========================================================
``.ris``                RIS (Scopus, Web of Science, Garuda, EBSCO, Zotero), rispy
``.bib``                BibTeX, bibtexparser 2 (LaTeX escapes decoded to Unicode)
``.nbib``               PubMed MEDLINE format, Biopython's ``Bio.Medline``
``.txt``                MEDLINE, RIS or Web of Science (plain text or
                        tab-delimited), recognised by the first line
``.csv`` / ``.tsv``     pandas; columns found by name (Scopus, Publish or Perish,
                        Web of Science, generic English or Indonesian headers)
======================  ==========================================================

Every record becomes one row of :data:`RECORD_COLUMNS`: the file it came
from, its database, its position in the file (1 = first record), title,
authors (a list), the first author's family name, year, journal, DOI
(normalised), abstract and PubMed id, plus a ``record_id`` that stays the same
when records or files are added later (:func:`assign_record_ids`). A record's
text is kept as exported: nothing in it is interpreted.

Why Biopython for MEDLINE: the PyPI parsers of the format are ``nbib``
(last release 2021) and Biopython's ``Bio.Medline`` (maintained, releases
every few months); Biopython is the maintained one, and ``Bio.Medline`` is
a pure-Python module that imports in under a millisecond.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from reviewkit.errors import InputError
from reviewkit.search.files import METADATA_FILES, export_files
from reviewkit.search.text import (
    decode_text,
    extract_year,
    fold,
    normalise_doi,
    normalise_title,
    split_authors,
    surname,
)

RECORD_COLUMNS = [
    "record_id",
    "source_file",
    "database",
    "position",
    "title",
    "authors",
    "first_author",
    "year",
    "journal",
    "doi",
    "abstract",
    "pmid",
]

EXTENSIONS = (".ris", ".bib", ".nbib", ".txt", ".csv", ".tsv")
SOURCE_KEYS = {"database", "date", "query", "kind", "format"}
KINDS = ("database", "register")
FORMATS = ("ris", "bibtex", "medline", "wos", "csv")


@dataclass(frozen=True)
class Source:
    """One export file and what is known about the search that produced it."""

    file: str
    database: str
    format: str
    records: int
    kind: str = "database"
    date: str | None = None
    query: str | None = None

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "database": self.database,
            "kind": self.kind,
            "format": self.format,
            "records": self.records,
            "date": self.date,
            "query": self.query,
        }


@dataclass(frozen=True)
class SearchExport:
    """All records of a search folder (before deduplication) and its sources."""

    records: pd.DataFrame
    sources: list[Source]


# ------------------------------------------------------------- records ---


def _record(
    title: object = "",
    authors: list[str] | None = None,
    first_author: str | None = None,
    year: object = None,
    journal: object = "",
    doi: object = "",
    abstract: object = "",
    pmid: object = "",
) -> dict:
    names = [a for a in (authors or []) if a and not re.fullmatch(r"\[.*\]", a.strip())]
    return {
        "title": _clean(title),
        "authors": names,
        "first_author": surname(first_author if first_author else (names[0] if names else "")),
        "year": extract_year(year),
        "journal": _clean(journal),
        "doi": normalise_doi(doi),
        "abstract": _clean(abstract),
        "pmid": _clean(pmid),
    }


def _clean(value: object) -> str:
    """Text with runs of spaces and line breaks collapsed (continuation lines)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    return " ".join(str(value).split())


def _first(entry: dict, *keys: str) -> object:
    for key in keys:
        value = entry.get(key)
        if isinstance(value, list):
            value = next((v for v in value if str(v).strip()), "")
        if value is not None and str(value).strip():
            return value
    return ""


# ----------------------------------------------------------------- RIS ---

RIS_START = re.compile(r"^TY  - ", re.MULTILINE)
RIS_END = re.compile(r"^ER  -", re.MULTILINE)


def parse_ris(text: str, shown: str) -> list[dict]:
    """RIS records (rispy). A record cut off before its ``ER`` line is an error:
    rispy would drop it without a word."""
    import rispy

    starts, ends = len(RIS_START.findall(text)), len(RIS_END.findall(text))
    if starts == 0:
        if text.strip():
            raise InputError(
                f'{shown}: no RIS record found; a record starts with a line "TY  - JOUR" '
                '(two spaces before the dash) and ends with "ER  - "'
            )
        return []
    if starts != ends:
        raise InputError(
            f'{shown}: {starts} records start with "TY  - " but {ends} end with "ER  - "; '
            "the file may be cut off or edited by hand: export it again"
        )
    try:
        entries = rispy.loads(text, skip_unknown_tags=True)
    except Exception as error:  # rispy raises plain exceptions for malformed lines
        raise InputError(f"{shown}: cannot be read as RIS ({error})") from None
    if len(entries) != starts:
        raise InputError(
            f"{shown}: {starts} records start with TY but {len(entries)} could be read; "
            "export the file again"
        )
    return [
        _record(
            title=_first(entry, "title", "primary_title"),
            authors=entry.get("authors") or entry.get("first_authors") or [],
            year=_first(entry, "year", "publication_year", "date"),
            journal=_first(
                entry,
                "secondary_title",
                "alternate_title3",
                "journal_name",
                "alternate_title2",
                "alternate_title1",
            ),
            doi=_first(entry, "doi"),
            abstract=_first(entry, "abstract", "notes_abstract"),
        )
        for entry in entries
    ]


def parse_wos_plain(text: str, shown: str) -> list[dict]:
    """Web of Science "plain text" export (FN/VR header, two-letter tags), rispy."""
    import rispy
    from rispy import WokParser

    try:
        entries = rispy.loads(text, implementation=WokParser)
    except Exception as error:
        raise InputError(
            f"{shown}: cannot be read as Web of Science plain text ({error})"
        ) from None
    return [
        _record(
            title=_first(entry, "document_title"),
            authors=entry.get("authors", []),
            year=_first(entry, "publication_year", "early_access_year"),
            journal=_first(entry, "publication_name"),
            doi=_first(entry, "doi"),
            abstract=_first(entry, "abstract"),
            pmid=_first(entry, "pubmed_id"),
        )
        for entry in entries
    ]


# -------------------------------------------------------------- MEDLINE ---

MEDLINE_START = re.compile(r"^PMID-", re.MULTILINE)
TAGGED_ID = re.compile(r"(\S+)\s*\[doi\]", re.IGNORECASE)


def parse_medline(text: str, shown: str) -> list[dict]:
    """PubMed's MEDLINE/nbib format (Bio.Medline). DOI from ``AID``/``LID ... [doi]``."""
    from Bio import Medline

    if not text.strip():
        return []
    starts = len(MEDLINE_START.findall(text))
    if starts == 0:
        raise InputError(
            f'{shown}: no MEDLINE record found; PubMed\'s "PubMed" format starts each record '
            'with a line "PMID- 12345678"'
        )
    entries = [dict(entry) for entry in Medline.parse(io.StringIO(text)) if "PMID" in entry]
    if len(entries) != starts:
        raise InputError(
            f"{shown}: {starts} lines start with PMID- but {len(entries)} records could be "
            "read; records must be separated by a blank line"
        )
    records = []
    for entry in entries:
        ids = " ".join([*entry.get("AID", []), entry.get("LID", "")])
        doi = TAGGED_ID.search(ids)
        full_names = entry.get("FAU", [])
        records.append(
            _record(
                title=entry.get("TI") or entry.get("BTI", ""),
                authors=entry.get("AU", []) or full_names,
                first_author=full_names[0] if full_names else None,
                year=entry.get("DP", ""),
                journal=entry.get("JT") or entry.get("TA", ""),
                doi=doi.group(1) if doi else "",
                abstract=entry.get("AB", ""),
                pmid=entry.get("PMID", ""),
            )
        )
    return records


# --------------------------------------------------------------- BibTeX ---


def parse_bibtex(text: str, shown: str) -> list[dict]:
    """BibTeX entries (bibtexparser 2); LaTeX escapes such as {\\"u} become ü."""
    import bibtexparser
    from bibtexparser import middlewares

    library = bibtexparser.parse_string(
        text,
        append_middleware=[
            middlewares.LatexDecodingMiddleware(),
            middlewares.SeparateCoAuthors(),
            middlewares.SplitNameParts(),
        ],
    )
    if library.failed_blocks:
        lines = []
        for block in library.failed_blocks:
            reason = " ".join(str(getattr(block, "error", "") or "syntax error").split())
            lines.append(f"{shown}: line {block.start_line + 1}: entry cannot be read ({reason})")
        raise InputError(lines)
    if text.strip() and not library.entries and "@" not in text:
        raise InputError(f'{shown}: no BibTeX entry found; entries start with "@article{{key,"')
    records = []
    for entry in library.entries:
        fields = {key.lower(): field.value for key, field in entry.fields_dict.items()}
        names = fields.get("author") or fields.get("editor") or []
        if isinstance(names, str):
            names = [names]
        authors, first = [], None
        for index, name in enumerate(names):
            if hasattr(name, "last"):
                family = " ".join([*name.von, *name.last])
                given = " ".join(name.first)
                authors.append(f"{family}, {given}" if given else family)
                if index == 0:
                    first = family
            else:
                authors.append(str(name))
        records.append(
            _record(
                title=fields.get("title", ""),
                authors=authors,
                first_author=first,
                year=fields.get("year") or fields.get("date", ""),
                journal=fields.get("journal")
                or fields.get("journaltitle")
                or fields.get("booktitle", ""),
                doi=fields.get("doi", ""),
                abstract=fields.get("abstract", ""),
                pmid=fields.get("pmid", ""),
            )
        )
    return records


# ------------------------------------------------------------------ CSV ---

#: Column names per field, in order of preference (compared case-insensitively).
#: Scopus CSV: Authors, Title, Year, Source title, DOI, Abstract, PubMed ID (its
#: "Source" column says "Scopus", so "Source title" comes first). Publish or
#: Perish: Cites, Authors, Title, Year, Source, Publisher, ..., DOI, ..., Abstract.
#: Web of Science tab-delimited: field tags AU, TI, SO, PY, DI, AB, PM.
#: Indonesian headers (Judul, Penulis, Tahun, Jurnal) for hand-made tables.
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("title", "article title", "document title", "ti", "judul", "primary title"),
    "authors": ("authors", "author", "author(s)", "au", "penulis"),
    "year": ("year", "publication year", "py", "tahun"),
    "journal": (
        "source title",
        "journal",
        "source",
        "publication title",
        "journal title",
        "so",
        "jurnal",
        "nama jurnal",
    ),
    "doi": ("doi", "di"),
    "abstract": ("abstract", "ab", "abstrak"),
    "pmid": ("pubmed id", "pmid", "pm"),
}


def csv_flavour(columns: list[str]) -> str:
    """Which tool wrote the CSV, from columns only it writes (for the record)."""
    names = {c.strip().lower() for c in columns}
    if "eid" in names or {"source title", "link"} <= names:
        return "csv:scopus"
    if "gsrank" in names or "citesurl" in names:
        return "csv:publish-or-perish"
    if {"pt", "ut"} <= names:
        return "csv:web-of-science"
    return "csv"


def map_csv_columns(columns: list[str], shown: str) -> dict[str, str]:
    """field -> the file's column holding it; no title column is an error."""
    by_name: dict[str, str] = {}
    for column in columns:
        by_name.setdefault(column.strip().lstrip("\ufeff").lower(), column)
    mapping = {}
    for field, aliases in CSV_COLUMNS.items():
        for alias in aliases:
            if alias in by_name:
                mapping[field] = by_name[alias]
                break
    if "title" not in mapping:
        found = ", ".join(f'"{c}"' for c in columns) or "none"
        raise InputError(
            f"{shown}: no title column; expected one of "
            f"{', '.join(repr(a) for a in CSV_COLUMNS['title'][:4])} (columns found: {found})"
        )
    return mapping


def parse_csv(text: str, shown: str, separator: str | None = None) -> tuple[list[dict], str]:
    """Records of a CSV/TSV export; the separator (comma, semicolon or tab) is
    the one that splits the header into most columns."""
    if not text.strip():
        return [], "csv"
    header = text.split("\n", 1)[0]
    separator = separator or max((",", ";", "\t"), key=header.count)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=separator,
            dtype=str,
            keep_default_na=False,
            # Web of Science's tab-delimited export does not quote: a title may start with "
            quoting=csv.QUOTE_NONE if header.startswith("PT\t") else csv.QUOTE_MINIMAL,
            index_col=False,
        )
    except (pd.errors.ParserError, ValueError) as error:
        message = " ".join(str(error).split())
        raise InputError(f"{shown}: cannot be read as CSV ({message})") from None
    mapping = map_csv_columns(list(frame.columns), shown)
    empty = pd.Series([""] * len(frame), index=frame.index, dtype=object)
    column = {field: frame[mapping[field]] if field in mapping else empty for field in CSV_COLUMNS}
    records = [
        _record(
            title=title,
            authors=split_authors(authors),
            year=year,
            journal=journal,
            doi=doi,
            abstract=abstract,
            pmid=pmid,
        )
        for title, authors, year, journal, doi, abstract, pmid in zip(
            column["title"],
            column["authors"],
            column["year"],
            column["journal"],
            column["doi"],
            column["abstract"],
            column["pmid"],
            strict=True,
        )
    ]
    return records, csv_flavour(list(frame.columns))


# ------------------------------------------------------------ dispatch ---


def sniff_text_format(text: str) -> str | None:
    """Format of a .txt export from its first non-blank line."""
    first = next((line for line in text.split("\n") if line.strip()), "")
    if first.startswith("PMID-"):
        return "medline"
    if first.startswith("TY  - "):
        return "ris"
    if first.startswith("FN ") or first.startswith("PT "):
        return "wos"
    if "\t" in first:
        return "csv"
    return None


def parse_export(path: Path, shown: str, fmt: str | None = None) -> tuple[list[dict], str]:
    """(records, format) of one export file."""
    text = decode_text(path, shown)
    suffix = path.suffix.lower()
    if fmt is None:
        fmt = {
            ".ris": "ris",
            ".bib": "bibtex",
            ".nbib": "medline",
            ".csv": "csv",
            ".tsv": "csv",
        }.get(suffix)
        if suffix == ".txt":
            fmt = sniff_text_format(text)
            if fmt is None and text.strip():
                raise InputError(
                    f"{shown}: not a MEDLINE (PMID- ...), RIS (TY  - ...) or Web of Science "
                    "export; set its format in data/search/sources.yaml or export it again"
                )
            fmt = fmt or "ris"
    parsers: dict[str, Callable[[str, str], list[dict]]] = {
        "ris": parse_ris,
        "medline": parse_medline,
        "bibtex": parse_bibtex,
        "wos": parse_wos_plain,
    }
    if fmt == "csv":
        return parse_csv(text, shown, "\t" if suffix == ".tsv" else None)
    return parsers[fmt](text, shown), fmt


# ------------------------------------------------------------ metadata ---


def read_sources_metadata(path: Path, shown: str | None = None) -> dict[str, dict]:
    """``sources.yaml``: ``sources:`` mapping each export file name to its
    ``database``, ``date`` (ISO, YYYY-MM-DD), ``query``, ``kind`` (database or
    register) and ``format`` (only to override the extension). One line per
    problem."""
    shown = shown or str(path)
    try:
        data = yaml.safe_load(decode_text(path, shown)) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise InputError(f"{shown}: {where}{problem}") from None
    if not isinstance(data, dict) or set(data) - {"sources"}:
        extra = sorted(set(data) - {"sources"}) if isinstance(data, dict) else []
        detail = f" (found {', '.join(map(str, extra))})" if extra else ""
        raise InputError(f'{shown}: expected one top-level key "sources:"{detail}')
    sources = data.get("sources") or {}
    if not isinstance(sources, dict):
        raise InputError(f'{shown}: "sources" must map each export file name to its details')
    problems: list[str] = []
    result: dict[str, dict] = {}
    for name, info in sources.items():
        where = f"{shown}: sources.{name}"
        if not isinstance(info, dict):
            problems.append(f"{where}: expected database, date and query under the file name")
            continue
        for key in sorted(set(info) - SOURCE_KEYS, key=str):
            problems.append(
                f"{where}: unknown key {key!r}; expected {', '.join(sorted(SOURCE_KEYS))}"
            )
        entry: dict[str, str | None] = {}
        for key in ("database", "query"):
            value = info.get(key)
            if value is not None and not isinstance(value, str | int | float):
                problems.append(f"{where}.{key}: expected text, got {value!r}")
            elif value is not None and str(value).strip():
                entry[key] = (
                    " ".join(str(value).split()) if key == "database" else str(value).strip()
                )
        date = info.get("date")
        if date is not None:
            iso = date.isoformat() if isinstance(date, dt.date) else str(date).strip()
            try:
                entry["date"] = dt.date.fromisoformat(iso).isoformat()
                if isinstance(date, dt.datetime) or len(iso) != 10:
                    raise ValueError
            except ValueError:
                problems.append(f"{where}.date: {date!r} is not a date written YYYY-MM-DD")
        kind = info.get("kind", "database")
        if kind not in KINDS:
            problems.append(f"{where}.kind: {kind!r}; expected database or register")
        entry["kind"] = kind
        fmt = info.get("format")
        if fmt is not None and fmt not in FORMATS:
            problems.append(f"{where}.format: {fmt!r}; expected one of {', '.join(FORMATS)}")
        if fmt is not None:
            entry["format"] = fmt
        result[str(name)] = entry
    if problems:
        raise InputError(problems)
    return result


# ------------------------------------------------------------ record ids ---

ID_DIGITS = 12


def _slug(name: str) -> str:
    stem = Path(name).stem
    return "-".join(re.findall(r"[a-z0-9]+", fold(stem)))[:16].strip("-") or "file"


def assign_record_ids(records: pd.DataFrame) -> pd.Series:
    """Ids that do not change when records or files are added.

    ``<file slug>-<12 hex digits>``: the first 48 bits of SHA-256 over the
    export file's name and the record's normalised content (DOI, PubMed id,
    title, year, first author). A record keeps its id when other records or
    files are added, removed or reordered; it changes only when its own
    content or its file's name changes. Records with identical content in the
    same file get ``-2``, ``-3`` ... in file order.
    """
    ids: list[str] = []
    seen: Counter[str] = Counter()
    for row in records[["source_file", "doi", "pmid", "title", "year", "first_author"]].itertuples(
        index=False
    ):
        source_file, doi, pmid, title, year, first = row
        content = "\x1f".join(
            [
                source_file,
                doi,
                str(pmid),
                normalise_title(title),
                "" if pd.isna(year) else str(int(year)),
                normalise_title(first),
            ]
        )
        digest = hashlib.sha256(content.encode("utf-8")).hexdigest()[:ID_DIGITS]
        base = f"{_slug(source_file)}-{digest}"
        seen[base] += 1
        ids.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return pd.Series(ids, index=records.index, dtype=object)


# --------------------------------------------------------------- folder ---


def empty_records() -> pd.DataFrame:
    frame = pd.DataFrame({column: pd.Series(dtype=object) for column in RECORD_COLUMNS})
    return frame.astype({"position": "int64", "year": "Int64"})


def read_search_folder(folder: Path | str, shown: str | None = None) -> SearchExport:
    """Every export in ``folder`` (data/search) as one records table, files in
    name order and records in file order, each with its ``record_id``."""
    folder = Path(folder)
    shown = (shown or str(folder)).rstrip("/")
    if not folder.is_dir():
        raise InputError(f"{shown}: folder not found")
    metadata: dict[str, dict] = {}
    for name in METADATA_FILES:
        if (folder / name).is_file():
            metadata = read_sources_metadata(folder / name, f"{shown}/{name}")
            break
    files = export_files(folder)
    problems = [
        f"{shown}/{path.name}: unknown export format {path.suffix or '(no extension)'}; "
        f"expected {', '.join(EXTENSIONS)}"
        for path in files
        if path.suffix.lower() not in EXTENSIONS
    ]
    present = {path.name for path in files}
    problems += [
        f"{shown}/sources.yaml: sources.{name}: no such file in {shown}"
        for name in metadata
        if name not in present
    ]
    if problems:
        raise InputError(problems)

    frames, sources = [], []
    for path in files:
        info = metadata.get(path.name, {})
        records, fmt = parse_export(path, f"{shown}/{path.name}", info.get("format"))
        database = info.get("database") or path.stem
        sources.append(
            Source(
                file=path.name,
                database=database,
                format=fmt,
                records=len(records),
                kind=info.get("kind", "database"),
                date=info.get("date"),
                query=info.get("query"),
            )
        )
        if records:
            frame = pd.DataFrame.from_records(records)
            frame.insert(0, "position", range(1, len(records) + 1))
            frame.insert(0, "database", database)
            frame.insert(0, "source_file", path.name)
            frames.append(frame)
    if not frames:
        return SearchExport(empty_records(), sources)
    records = pd.concat(frames, ignore_index=True)
    records["year"] = records["year"].astype("Int64")
    records.insert(0, "record_id", assign_record_ids(records))
    return SearchExport(records[RECORD_COLUMNS], sources)
