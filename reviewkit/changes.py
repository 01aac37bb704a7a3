"""What changed between a released version and the current build.

Inputs: a release (:mod:`reviewkit.versions`; its ``results/data/studies.csv``,
``results/stats/*.json`` and ``results/manuscript/manuscript.md``) and the
same three outputs of the current build. Output: ``results/changes/changes.md``
and ``changes.html`` (pandoc, ``--sandbox``), in the manuscript's language
(catalogue section ``changes``):

* studies added, removed, and changed field by field (old -> new), by ``id``;
* every number (and other value) in the statistics JSON files that moved,
  by JSON path; floats that differ by less than 1e-9 relative are equal;
* the PRISMA counts, when ``prisma.json`` exists in both;
* the sentences of the manuscript text that changed, were added or removed
  (sentence-level diff of the plain text, tables left out: their rows are
  the studies above).

Data is never markup: every value from the data or the text is inserted with
each ASCII punctuation character backslash-escaped (:func:`escape_markdown`),
so pandoc prints it literally.

The tracked-changes DOCX and the marked-up PDF: :mod:`reviewkit.tracked`.
"""

from __future__ import annotations

import json
import math
import os
import re
import string
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reviewkit import assemble
from reviewkit.errors import InputError
from reviewkit.i18n import message
from reviewkit.tracked import _align, build_changes_pdf, build_tracked_docx, pandoc_ast
from reviewkit.versions import Release

__all__ = [
    "NumberChange",
    "StudyChanges",
    "compare_numbers",
    "compare_sentences",
    "compare_studies",
    "escape_markdown",
    "legend",
    "manuscript_sentences",
    "render_report",
    "write_changes",
    "write_tracked_documents",
]

#: Floats closer than this (relative) are the same number.
RELATIVE_TOLERANCE = 1e-9
STUDIES = "results/data/studies.csv"
STATS_DIR = "results/stats"
MANUSCRIPT = "results/manuscript/manuscript.md"
PRISMA = "prisma.json"

_PUNCTUATION = frozenset(string.punctuation)


def escape_markdown(value: object) -> str:
    """Literal text for pandoc Markdown: every ASCII punctuation character
    backslash-escaped, line breaks and tabs made spaces."""
    text = " ".join(str(value).split())
    return "".join("\\" + ch if ch in _PUNCTUATION else ch for ch in text)


# ---------------------------------------------------------------- studies ---


@dataclass
class StudyChanges:
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    # (study id, field, old value, new value)
    changed: list[tuple[str, str, str, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def _read_studies(path: Path, id_column: str) -> tuple[list[str], dict[str, dict]]:
    import pandas as pd

    if not path.is_file():
        raise InputError(f"{path}: study table not found")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    if id_column not in frame.columns:
        raise InputError(f"{path}: no column {id_column!r}; expected the validated study table")
    rows: dict[str, dict] = {}
    for number, record in enumerate(frame.to_dict("records"), start=2):
        key = record[id_column]
        if key in rows:
            raise InputError(f"{path}: row {number}: {id_column} {key!r} appears twice")
        rows[key] = record
    return list(frame.columns), rows


def compare_studies(
    old: os.PathLike[str] | str, new: os.PathLike[str] | str, id_column: str = "id"
) -> StudyChanges:
    """Studies (rows, by ``id_column``) added, removed and changed field by field.

    A column present in one table only counts as empty in the other.
    """
    old_columns, old_rows = _read_studies(Path(old), id_column)
    new_columns, new_rows = _read_studies(Path(new), id_column)
    columns = new_columns + [c for c in old_columns if c not in new_columns]
    result = StudyChanges(
        added=[row for key, row in new_rows.items() if key not in old_rows],
        removed=[row for key, row in old_rows.items() if key not in new_rows],
    )
    for key, row in new_rows.items():
        before = old_rows.get(key)
        if before is None:
            continue
        for column in columns:
            a, b = before.get(column, ""), row.get(column, "")
            if a != b:
                result.changed.append((key, column, a, b))
    return result


# ---------------------------------------------------------------- numbers ---


@dataclass(frozen=True)
class NumberChange:
    file: str
    path: str  # "groups.between.estimate", "before_after.studies[dewi2020].ratio"
    old: object  # None: not there
    new: object


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _same(a: object, b: object) -> bool:
    if _is_number(a) and _is_number(b):
        a, b = float(a), float(b)
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b or abs(a - b) <= RELATIVE_TOLERANCE * max(abs(a), abs(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _is_scalar_list(value: object) -> bool:
    return isinstance(value, list) and all(not isinstance(v, dict | list) for v in value)


def _leaves(node: object, path: str = "") -> dict[str, object]:
    """Scalars (and lists of scalars) of a JSON document by path. List items that
    are objects with an "id" are addressed by it, so inserting one moves no other."""
    if isinstance(node, dict):
        out: dict[str, object] = {}
        for key, value in node.items():
            out.update(_leaves(value, f"{path}.{key}" if path else str(key)))
        return out
    if isinstance(node, list) and not _is_scalar_list(node):
        ids = [item.get("id") for item in node if isinstance(item, dict)]
        by_id = len(ids) == len(node) and all(isinstance(i, str) for i in ids)
        by_id = by_id and len(set(ids)) == len(ids)
        out = {}
        for index, item in enumerate(node):
            out.update(_leaves(item, f"{path}[{item['id'] if by_id else index}]"))
        return out
    return {path: node}


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise InputError(f"{path}: not valid JSON ({error})") from None


def compare_json(name: str, old: object, new: object) -> list[NumberChange]:
    """Every leaf value that differs between two JSON documents (in new-document
    order, then the ones only the old document has)."""
    a, b = _leaves(old), _leaves(new)
    changes = [
        NumberChange(name, path, a.get(path), value)
        for path, value in b.items()
        if path not in a or not _same(a[path], value)
    ]
    changes += [NumberChange(name, path, value, None) for path, value in a.items() if path not in b]
    return changes


def compare_numbers(
    old_dir: os.PathLike[str] | str,
    new_dir: os.PathLike[str] | str,
    exclude: Iterable[str] = (PRISMA,),
) -> list[NumberChange]:
    """Changed values in every ``*.json`` of two statistics folders (file by file)."""
    old_dir, new_dir = Path(old_dir), Path(new_dir)
    names = sorted(
        {p.name for p in old_dir.glob("*.json")} | {p.name for p in new_dir.glob("*.json")}
    )
    changes: list[NumberChange] = []
    for name in names:
        if name in set(exclude):
            continue
        old = _read_json(old_dir / name) if (old_dir / name).is_file() else {}
        new = _read_json(new_dir / name) if (new_dir / name).is_file() else {}
        changes += compare_json(name, old, new)
    return changes


def _decimals(value: float) -> int:
    """Decimals that show four significant digits."""
    if value == 0 or not math.isfinite(value):
        return 0
    return max(0, min(12, 3 - math.floor(math.log10(abs(value)))))


def _number_text(value: float | int, decimals: int, language: str) -> str:
    """At most ``decimals`` decimals, trailing zeros dropped, no thousands grouping
    (years and counts read better without it), the language's decimal mark."""
    from babel.numbers import format_decimal

    if not math.isfinite(value):
        return str(value)
    pattern = "0" + ("." + "#" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=message(language, "language.babel"))


def format_values(old: object, new: object, language: str) -> tuple[str, str]:
    """Old and new value as text. A number shows four significant digits, or more
    when four would print the old and the new number the same."""
    absent = message(language, "changes.absent")

    def plain(value: object) -> str:
        if value is None:
            return absent
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, list):
            return "[" + "; ".join(plain(v) for v in value) + "]"
        if _is_number(value):
            return _number_text(value, _decimals(float(value)), language)
        return str(value)

    if _is_number(old) and _is_number(new):
        extra = 0
        while True:
            a = _number_text(old, _decimals(float(old)) + extra, language)
            b = _number_text(new, _decimals(float(new)) + extra, language)
            if a != b or extra >= 12:
                return a, b
            extra += 1
    return plain(old), plain(new)


# -------------------------------------------------------------- sentences ---

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“‘'(\[]?[A-ZÀ-ÖØ-Þ0-9])")
_SKIP_BLOCKS = ("Table", "CodeBlock", "RawBlock", "HorizontalRule")


def _plain(inlines: list) -> str:
    parts: list[str] = []

    def walk(items: list) -> None:
        for item in items:
            tag, content = item["t"], item.get("c")
            if tag == "Str":
                parts.append(content)
            elif tag in ("Space", "SoftBreak", "LineBreak"):
                parts.append(" ")
            elif tag in ("Code", "Math"):
                parts.append(content[1])
            elif tag == "RawInline" or tag == "Note":
                continue
            elif tag == "Quoted":
                quotes = ("“", "”") if content[0]["t"] == "DoubleQuote" else ("‘", "’")
                parts.append(quotes[0])
                walk(content[1])
                parts.append(quotes[1])
            elif tag in ("Cite", "Span", "Link", "Image"):
                walk(content[1])
            else:  # Emph, Strong, Underline, Strikeout, Superscript, Subscript, SmallCaps
                walk(content)

    walk(inlines)
    return " ".join("".join(parts).split())


def _paragraphs(blocks: list) -> list[str]:
    out: list[str] = []
    for block in blocks:
        tag, content = block["t"], block.get("c")
        if tag in ("Para", "Plain"):
            out.append(_plain(content))
        elif tag == "Header":
            out.append(_plain(content[2]))
        elif tag == "LineBlock":
            out += [_plain(line) for line in content]
        elif tag == "BlockQuote":
            out += _paragraphs(content)
        elif tag == "Div":
            out += _paragraphs(content[1])
        elif tag == "BulletList":
            out += [p for item in content for p in _paragraphs(item)]
        elif tag == "OrderedList":
            out += [p for item in content[1] for p in _paragraphs(item)]
        elif tag == "DefinitionList":
            for term, definitions in content:
                out.append(_plain(term))
                out += [p for d in definitions for p in _paragraphs(d)]
        elif tag == "Figure":
            out += _paragraphs(content[1][1])
        elif tag in _SKIP_BLOCKS:
            continue
    return [p for p in out if p]


def manuscript_sentences(markdown: os.PathLike[str] | str) -> list[str]:
    """The sentences of a manuscript: title, abstracts, then the body text (table
    cells left out; figure captions kept), as read by pandoc without filters."""
    ast = pandoc_ast(markdown)
    paragraphs: list[str] = []
    for key in ("title", "abstract", "abstract-en"):
        value = ast["meta"].get(key)
        if value is None:
            continue
        if value["t"] == "MetaInlines":
            paragraphs.append(_plain(value["c"]))
        elif value["t"] == "MetaBlocks":
            paragraphs += _paragraphs(value["c"])
        elif value["t"] == "MetaString":
            paragraphs.append(" ".join(value["c"].split()))
    paragraphs += _paragraphs(ast["blocks"])
    return [s for p in paragraphs for s in _SENTENCE_END.split(p) if s.strip()]


def compare_sentences(
    old: Sequence[str], new: Sequence[str]
) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """(changed [(old, new)], added, removed) sentences; a changed sentence is an
    old and a new one in the same place that share enough words."""

    def similarity(a: str, b: str) -> float:
        from difflib import SequenceMatcher

        return SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()

    changed, added, removed = [], [], []
    for op, a, b in _align(list(old), list(new), str, lambda x, y: True, similarity):
        if op == "pair":
            changed.append((a, b))
        elif op == "insert":
            added.append(b)
        elif op == "delete":
            removed.append(a)
    return changed, added, removed


# ----------------------------------------------------------------- report ---


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """A pipe table; every cell is already escaped."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _study_line(row: dict, id_column: str) -> str:
    parts = [f"**{escape_markdown(row.get(id_column, ''))}**"]
    authors, year = row.get("authors", ""), row.get("year", "")
    if authors or year:
        parts.append(escape_markdown(f"{authors} ({year})" if year else authors))
    return "- " + ": ".join(parts)


def render_report(
    rel: Release,
    studies: StudyChanges,
    numbers: Sequence[NumberChange],
    prisma: Sequence[NumberChange] | None,
    sentences: tuple[list[tuple[str, str]], list[str], list[str]],
    language: str,
    id_column: str = "id",
) -> str:
    """The report as pandoc Markdown (every data value escaped)."""

    def m(key: str, **fields: object) -> str:
        return message(language, f"changes.{key}", **fields)

    def esc_m(key: str, **fields: object) -> str:
        return escape_markdown(m(key, **fields))

    before, after = esc_m("before"), esc_m("after")
    lines = [
        f"# {esc_m('title', name=rel.name)}",
        "",
        esc_m("compared", name=rel.name, date=rel.released),
        "",
        f"## {esc_m('studies')}",
        "",
    ]
    if not studies:
        lines += [esc_m("no_study_changes"), ""]
    if studies.added:
        lines += [f"### {esc_m('added', n=len(studies.added))}", ""]
        lines += [_study_line(row, id_column) for row in studies.added] + [""]
    if studies.removed:
        lines += [f"### {esc_m('removed', n=len(studies.removed))}", ""]
        lines += [_study_line(row, id_column) for row in studies.removed] + [""]
    if studies.changed:
        ids = list(dict.fromkeys(key for key, *_ in studies.changed))
        lines += [f"### {esc_m('changed', n=len(ids))}", ""]
        empty = esc_m("empty")
        lines += _table(
            [esc_m("study"), esc_m("field"), before, after],
            (
                [
                    escape_markdown(key),
                    escape_markdown(column),
                    escape_markdown(a) if a else empty,
                    escape_markdown(b) if b else empty,
                ]
                for key, column, a, b in studies.changed
            ),
        )

    lines += [f"## {esc_m('numbers')}", ""]
    if numbers:
        rows = []
        for change in numbers:
            a, b = format_values(change.old, change.new, language)
            rows.append(
                [
                    escape_markdown(change.file),
                    escape_markdown(change.path),
                    escape_markdown(a),
                    escape_markdown(b),
                ]
            )
        lines += _table([esc_m("file"), esc_m("value"), before, after], rows)
    else:
        lines += [esc_m("no_number_changes"), ""]

    if prisma is not None:
        lines += [f"## {esc_m('prisma')}", ""]
        if prisma:
            rows = []
            for change in prisma:
                a, b = format_values(change.old, change.new, language)
                rows.append([escape_markdown(change.path), escape_markdown(a), escape_markdown(b)])
            lines += _table([esc_m("count"), before, after], rows)
        else:
            lines += [esc_m("no_prisma_changes"), ""]

    changed, added, removed = sentences
    lines += [f"## {esc_m('text')}", ""]
    if not (changed or added or removed):
        lines += [esc_m("no_text_changes"), ""]
    if changed:
        lines += [f"### {esc_m('changed_sentences', n=len(changed))}", ""]
        for a, b in changed:
            lines += [
                f"- {before}: {escape_markdown(a)}",
                "",
                f"  {after}: {escape_markdown(b)}",
                "",
            ]
    if added:
        lines += [f"### {esc_m('added_sentences', n=len(added))}", ""]
        lines += [f"- {escape_markdown(s)}" for s in added] + [""]
    if removed:
        lines += [f"### {esc_m('removed_sentences', n=len(removed))}", ""]
        lines += [f"- {escape_markdown(s)}" for s in removed] + [""]
    return "\n".join(lines).rstrip("\n") + "\n"


def markdown_to_html(
    markdown: os.PathLike[str] | str, output: os.PathLike[str] | str, *, title: str, language: str
) -> None:
    """A standalone HTML page from the report (pandoc ``--sandbox``: no file or
    network access beyond the input)."""
    tag = message(language, "language.tag")
    proc = subprocess.run(
        [
            assemble.pandoc_executable(),
            "--sandbox",
            "-f",
            "markdown",
            "-t",
            "html5",
            "--standalone",
            f"--metadata=pagetitle:{title}",
            f"--metadata=lang:{tag}",
            os.fspath(markdown),
            "-o",
            os.fspath(output),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **assemble.runtime_options(Path(markdown))},
        check=False,
    )
    if proc.returncode != 0:
        raise InputError(f"{markdown}: pandoc failed ({' '.join(proc.stderr.split())})")


def legend(language: str, release_name: str) -> list[tuple[str, str]]:
    """The legend of the marked-up PDF for :func:`reviewkit.tracked.build_changes_pdf`."""
    return [
        ("insertion", message(language, "changes.legend_inserted")),
        ("", message(language, "changes.legend_inserted_text", name=release_name)),
        ("deletion", message(language, "changes.legend_deleted")),
        ("", message(language, "changes.legend_deleted_text")),
    ]


def write_changes(
    rel: Release,
    output_dir: os.PathLike[str] | str,
    *,
    language: str,
    studies: os.PathLike[str] | str = STUDIES,
    stats_dir: os.PathLike[str] | str = STATS_DIR,
    manuscript: os.PathLike[str] | str = MANUSCRIPT,
    id_column: str = "id",
) -> tuple[Path, Path]:
    """Compare the current build with a release; write changes.md and changes.html.

    Paths default to the current build's, relative to the working directory
    (the review folder). Returns the two paths (absolute).
    """
    output_dir = Path(output_dir).resolve()
    output_dir.mkdir(parents=True, exist_ok=True)
    study_changes = compare_studies(rel.file(STUDIES), studies, id_column)
    old_stats, new_stats = rel.file(STATS_DIR), Path(stats_dir)
    numbers = compare_numbers(old_stats, new_stats)
    prisma = None
    if (old_stats / PRISMA).is_file() and (new_stats / PRISMA).is_file():
        prisma = compare_json(
            PRISMA, _read_json(old_stats / PRISMA), _read_json(new_stats / PRISMA)
        )
    sentences = compare_sentences(
        manuscript_sentences(rel.file(MANUSCRIPT)), manuscript_sentences(manuscript)
    )
    text = render_report(rel, study_changes, numbers, prisma, sentences, language, id_column)
    md = output_dir / "changes.md"
    html = output_dir / "changes.html"
    md.write_text(text, encoding="utf-8")
    markdown_to_html(
        md, html, title=message(language, "changes.title", name=rel.name), language=language
    )
    return md, html


def write_tracked_documents(
    rel: Release,
    output_dir: os.PathLike[str] | str,
    *,
    language: str,
    bibliography: os.PathLike[str] | str,
    csl: os.PathLike[str] | str,
    timestamp: int,
    manuscript: os.PathLike[str] | str = MANUSCRIPT,
    reference_docx: os.PathLike[str] | str | None = None,
    extra_defaults: Sequence[os.PathLike[str] | str] = (),
    font_paths: Sequence[os.PathLike[str] | str] = (),
    metadata: dict[str, str] | None = None,
) -> tuple[Path, Path]:
    """``manuscript-tracked.docx`` and ``manuscript-changes.pdf`` in ``output_dir``:
    the current manuscript against the release's, with the same layout settings as
    the normal DOCX and PDF (``reference_docx``, the profile's ``extra_defaults``,
    ``font_paths``, ``metadata``; see :mod:`reviewkit.assemble`). The release's own
    bibliography is read too, so works cited only in deleted text resolve.
    ``timestamp``: the build epoch (reviewkit.reproducible.build_epoch).
    Run from the review folder (image paths are relative to it).
    """
    output_dir = Path(output_dir).resolve()
    old_markdown = rel.file(MANUSCRIPT)
    common = dict(
        bibliography=bibliography,
        old_bibliography=rel.input("references"),
        csl=csl,
        timestamp=timestamp,
        extra_defaults=extra_defaults,
    )
    docx = output_dir / "manuscript-tracked.docx"
    pdf = output_dir / "manuscript-changes.pdf"
    build_tracked_docx(
        old_markdown,
        manuscript,
        docx,
        reference_docx=reference_docx,
        metadata=metadata,
        **common,
    )
    build_changes_pdf(
        old_markdown,
        manuscript,
        pdf,
        legend=legend(language, rel.name),
        font_paths=font_paths,
        metadata=metadata,
        **common,
    )
    return docx, pdf
