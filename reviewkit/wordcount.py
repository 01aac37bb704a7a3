"""Word counts of the manuscript, read from pandoc's document tree (AST).

The rule, as journals count (see docs/journal-profiles.md):

* A word is a run of text between spaces that holds at least one letter or
  digit: pandoc's ``Str`` elements are joined where no space separates them
  (``*ASI*-nya`` is one word), and a lone dash or bracket is no word.
* **Abstract**: each abstract (``abstract``, ``abstract-en``, ...) on its
  own, keywords not included.
* **Main text**: everything from the start of the body up to the section that
  holds the reference list (``::: {#refs}``), section headings included;
  not counted: tables, figures with their captions, the reference list and
  any section after it (appendices). A citation counts as written in the
  source (``[@dewi2020]`` is one word), whatever the citation style prints.

Figures and tables are counted wherever they are, in document order, as the
manuscript numbers them.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = ["ManuscriptCounts", "count_file", "count_manuscript", "count_words", "read_ast"]

#: Block elements whose words are not counted as text.
SKIPPED_BLOCKS = frozenset({"Table", "Figure", "RawBlock", "CodeBlock", "HorizontalRule"})
#: Inline elements whose words are not counted (image descriptions, raw code, notes' ids).
SKIPPED_INLINES = frozenset({"Image", "RawInline"})
SEPARATORS = frozenset({"Space", "SoftBreak", "LineBreak"})
WORD = re.compile(r"\w", re.UNICODE)
REFS_ID = "refs"
#: Metadata keys of the abstracts and keyword lists: the manuscript's language
#: (`abstract`), another language (`abstract-en`).
ABSTRACT = re.compile(r"^abstract(-[a-z]{2,3})?$")
KEYWORDS = re.compile(r"^keywords(-[a-z]{2,3})?$")


def read_ast(markdown: os.PathLike[str] | str) -> dict:
    """The pandoc AST (as JSON data) of a Markdown file, as the build reads it
    (reviewkit.assemble.read_markdown_ast)."""
    from reviewkit.assemble import read_markdown_ast

    return json.loads(read_markdown_ast(markdown))


def _text_pieces(node: object, out: list[str]) -> None:
    """Append the text of ``node`` to ``out``; " " marks a word boundary."""
    if isinstance(node, list):
        for item in node:
            _text_pieces(item, out)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("t")
    content = node.get("c")
    if kind == "Str":
        out.append(content)
    elif kind in SEPARATORS or kind in SKIPPED_BLOCKS or kind in SKIPPED_INLINES:
        out.append(" ")
    elif kind == "Cite":
        out.append(" ")
        _text_pieces(content[1], out)  # the citation as written, not its parts
        out.append(" ")
    elif kind == "Code":
        out.append(" " + content[1] + " ")
    elif kind in {"Para", "Plain", "Header", "Div", "BlockQuote", "LineBlock"}:
        out.append(" ")
        _text_pieces(content, out)
        out.append(" ")
    elif kind == "MetaString":
        out.append(" " + content + " ")
    elif content is not None:
        _text_pieces(content, out)


def count_words(node: object) -> int:
    """Words in an AST fragment (blocks, inlines or a metadata value)."""
    pieces: list[str] = []
    _text_pieces(node, pieces)
    return sum(1 for token in "".join(pieces).split() if WORD.search(token))


def _has_refs(node: object) -> bool:
    if isinstance(node, list):
        return any(_has_refs(item) for item in node)
    if not isinstance(node, dict):
        return False
    if node.get("t") == "Div" and node["c"][0][0] == REFS_ID:
        return True
    return _has_refs(node.get("c"))


def _walk(node: object):
    if isinstance(node, list):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, dict):
        if "t" in node:
            yield node
        yield from _walk(node.get("c"))


def _meta_list_length(value: dict | None) -> int:
    if value is None:
        return 0
    if value.get("t") == "MetaList":
        return len(value["c"])
    text = "".join(_plain(value))
    return len([part for part in re.split(r"[,;]", text) if part.strip()])


def _plain(value: object) -> list[str]:
    pieces: list[str] = []
    _text_pieces(value, pieces)
    return pieces


@dataclass
class Section:
    title: str
    words: int
    part: str  # "main", "references" or "after-references"


@dataclass
class ManuscriptCounts:
    """What the checks and the title page report."""

    abstract_words: dict[str, int]  # metadata key (abstract, abstract-en) -> words
    keywords: dict[str, int]  # metadata key (keywords, keywords-en) -> number
    main_text_words: int
    figures: list[dict[str, str]] = field(default_factory=list)  # in document order
    tables: int = 0
    sections: list[Section] = field(default_factory=list)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["figure_count"] = len(self.figures)
        return data


def _sections(blocks: list[dict]) -> list[tuple[str, list[dict]]]:
    sections: list[tuple[str, list[dict]]] = [("", [])]
    previous: dict = {}
    for block in blocks:
        if block.get("t") == "Header" and block["c"][0] == 1:
            title = " ".join("".join(_plain(block["c"][2])).split())
            sections.append((title, [block]))
        elif _has_refs(block) and previous.get("t") != "Header":
            # A reference list without its own heading: the filters give it one.
            sections.append(("", [block]))
        else:
            sections[-1][1].append(block)
        previous = block
    return [s for s in sections if s[1]]


def _figures(blocks: list[dict]) -> list[dict[str, str]]:
    figures = []
    for node in _walk(blocks):
        if node["t"] == "Figure":
            identifier = node["c"][0][0]
            images = [n for n in _walk(node["c"][2]) if n["t"] == "Image"]
            source = images[0]["c"][2][0] if images else ""
            figures.append({"id": identifier, "source": source})
    return figures


def count_manuscript(ast: dict) -> ManuscriptCounts:
    """Counts of a manuscript AST (see the module docstring for the rule)."""
    meta = ast.get("meta", {})
    blocks = ast.get("blocks", [])
    sections = []
    part = "main"
    for title, section_blocks in _sections(blocks):
        if part == "main" and _has_refs(section_blocks):
            part = "references"
        elif part == "references":
            part = "after-references"
        sections.append(Section(title, count_words(section_blocks), part))
    return ManuscriptCounts(
        abstract_words={key: count_words(meta[key]) for key in sorted(meta) if ABSTRACT.match(key)},
        keywords={key: _meta_list_length(meta[key]) for key in sorted(meta) if KEYWORDS.match(key)},
        main_text_words=sum(s.words for s in sections if s.part == "main"),
        figures=_figures(blocks),
        tables=sum(1 for node in _walk(blocks) if node["t"] == "Table"),
        sections=sections,
    )


def count_file(markdown: os.PathLike[str] | str) -> ManuscriptCounts:
    """Counts of a Markdown manuscript file."""
    return count_manuscript(read_ast(Path(markdown)))
