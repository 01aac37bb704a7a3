"""Tracked changes between two rendered manuscripts: a Word file and a marked-up PDF.

Inputs: two pandoc Markdown manuscripts, the released one (old) and the
current one (new), as ``results/manuscript/manuscript.md`` is rendered.
Outputs: a DOCX with real Word revisions (``w:ins``/``w:del``: Review > Accept
All gives the new text, Reject All the old one), and a PDF with insertions
underlined and deletions struck through, in colour. Both are written by the
same pandoc defaults, filters, reference DOCX and typst template as the normal
manuscript (:mod:`reviewkit.assemble`), from a merged pandoc AST.

How the merge works (see docs/changes.md for the limits):

1. Both files are parsed by pandoc (``-f markdown -t json``); no filter runs,
   so citations and cross-references are still ``Cite`` elements.
2. Blocks are aligned with :class:`difflib.SequenceMatcher` on a fingerprint of
   each block (its JSON without citation counters). Inside a run of changed
   blocks, old and new blocks of the same kind are paired greedily by text
   similarity (the idea of :meth:`difflib.Differ._fancy_replace`); unpaired
   blocks are deleted or inserted whole.
3. A paired paragraph or heading is diffed word by word over its inline list;
   removed tokens go into a ``Span`` of class ``deletion`` and added ones into
   a ``Span`` of class ``insertion`` with ``author`` and ``date``: pandoc's DOCX
   writer turns those into Word revisions. Divs, block quotes, lists and
   figure captions are merged recursively; a table with the same number of
   columns is merged row by row (rows aligned like blocks, cells word-diffed),
   any other table is deleted and inserted whole.
4. pandoc's writer marks runs only. A whole paragraph or table row that was
   inserted or deleted carries an empty marker span (a bookmark named
   ``rk-pins-N``, ``rk-pdel-N``, ``rk-rins-N``, ``rk-rdel-N``); after pandoc,
   :func:`mark_paragraphs_and_rows` replaces each marker by a revision mark on
   the paragraph mark (``w:pPr/w:rPr/w:ins|w:del``) or on the row
   (``w:trPr/w:ins|w:del``), so that accepting or rejecting removes the empty
   paragraph or row too. The zip is rewritten with the entries' original dates,
   so the bytes stay reproducible.

No library fits: python-redlines compares two DOCX files with a .NET binary
(not reproducible bytes, and not our layout pipeline), and pandoc has no diff.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from difflib import SequenceMatcher
from itertools import count
from pathlib import Path

from reviewkit import assemble

__all__ = [
    "CHANGES_DOCX_DEFAULTS",
    "CHANGES_TYPST_DEFAULTS",
    "Changes",
    "build_changes_pdf",
    "build_tracked_docx",
    "mark_paragraphs_and_rows",
    "merge_manuscripts",
    "pandoc_ast",
]

CHANGES_DOCX_DEFAULTS = assemble.DEFAULTS_DIR / "changes-docx.yaml"
CHANGES_TYPST_DEFAULTS = assemble.DEFAULTS_DIR / "changes-typst.yaml"

#: Metadata whose text the manuscript shows as formatted text (title block,
#: abstracts): diffed like the body. Every other metadata value is taken from
#: the new manuscript (the filters read them as plain strings).
DIFFED_METADATA = ("title", "subtitle", "abstract", "abstract-en")
#: Below this similarity two changed blocks count as different blocks.
PAIRING_CUTOFF = 0.4
MARKER_PREFIX = "rk-"
#: Key added to the old manuscript's Figure and Table nodes while merging:
#: [number, identifier] in the old manuscript. Removed before pandoc reads the AST.
OLD_KEY = "reviewkit-old"

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


# ------------------------------------------------------------- pandoc AST ---


def pandoc_ast(markdown: os.PathLike[str] | str) -> dict:
    """A Markdown file read by pandoc (no filters) as its JSON AST, as the build
    reads the manuscript (reviewkit.assemble.read_markdown_ast)."""
    return json.loads(assemble.read_markdown_ast(markdown))


def _attr(ident: str = "", classes: Sequence[str] = (), kvs: Sequence[tuple] = ()) -> list:
    return [ident, list(classes), [list(kv) for kv in kvs]]


def _normalise(node):
    """The parts of a node that count as its content (for comparing)."""
    if isinstance(node, dict):
        tag = node.get("t")
        if tag == "SoftBreak":
            return {"t": "Space"}
        if tag == "Image":  # alt text repeats the caption; the picture is the target
            return {"t": "Image", "c": [node["c"][0], node["c"][2]]}
        return {
            key: _normalise(value)
            for key, value in node.items()
            if key not in ("citationHash", "citationNoteNum", OLD_KEY)
        }
    if isinstance(node, list):
        return [_normalise(item) for item in node]
    return node


def _fingerprint(node) -> str:
    return json.dumps(_normalise(node), sort_keys=True, ensure_ascii=False)


SPACE = _fingerprint({"t": "Space"})


def _text(node) -> list[str]:
    """The words of a node (strings of its Str, Code and Math elements)."""
    words: list[str] = []

    def walk(item) -> None:
        if isinstance(item, dict):
            tag = item.get("t")
            if tag == "Str":
                words.append(item["c"])
            elif tag in ("Code", "Math"):
                words.append(item["c"][1])
            elif tag == "Image":
                words.append(item["c"][2][0])
            else:
                walk(item.get("c"))
        elif isinstance(item, list):
            for child in item:
                walk(child)

    walk(node)
    return words


def _strip_ids(node):
    """A copy without identifiers (a deleted element must not keep an id the new
    text may reuse: Word bookmarks and cross-reference targets must be unique)."""
    node = copy.deepcopy(node)

    def walk(item) -> None:
        if isinstance(item, dict):
            content = item.get("c")
            tag = item.get("t")
            if tag in ("Span", "Div", "Header", "Figure", "Table", "CodeBlock", "Code"):
                attr = content[1] if tag == "Header" else content[0]
                attr[0] = ""
            elif tag in ("Image", "Link"):
                content[0][0] = ""
            walk(content)
        elif isinstance(item, list):
            for child in item:
                walk(child)

    walk(node)
    return node


# ------------------------------------------------------------- alignment ----


def _align(
    old: Sequence,
    new: Sequence,
    fingerprint: Callable[[object], str],
    comparable: Callable[[object, object], bool],
    similarity: Callable[[object, object], float],
) -> list[tuple[str, object, object]]:
    """Edit script of two sequences: ("equal"|"pair"|"delete"|"insert", old, new).

    Equal items by fingerprint first (difflib); within each changed run, items
    that are comparable and similar enough are paired, best pair first, the
    rest deleted or inserted, in document order.
    """
    script: list[tuple[str, object, object]] = []
    matcher = SequenceMatcher(
        None, [fingerprint(x) for x in old], [fingerprint(x) for x in new], autojunk=False
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            script += [("equal", a, b) for a, b in zip(old[i1:i2], new[j1:j2], strict=True)]
        else:
            script += _pair_run(list(old[i1:i2]), list(new[j1:j2]), comparable, similarity)
    return script


def _pair_run(old: list, new: list, comparable, similarity) -> list[tuple[str, object, object]]:
    cache: dict[tuple[int, int], float] = {}

    def score(i: int, j: int) -> float:
        if (i, j) not in cache:
            cache[i, j] = similarity(old[i], new[j]) if comparable(old[i], new[j]) else -1.0
        return cache[i, j]

    def solve(i1: int, i2: int, j1: int, j2: int) -> list:
        if i2 - i1 == 1 and j2 - j1 == 1 and score(i1, j1) >= 0:
            # one block replaced by one comparable block: the same block rewritten
            return [("pair", old[i1], new[j1])]
        best, bi, bj = PAIRING_CUTOFF, -1, -1
        for i in range(i1, i2):
            for j in range(j1, j2):
                s = score(i, j)
                if s > best or (s == best and bi < 0 and s >= PAIRING_CUTOFF):
                    best, bi, bj = s, i, j
        if bi < 0:
            return [("delete", a, None) for a in old[i1:i2]] + [
                ("insert", None, b) for b in new[j1:j2]
            ]
        return [*solve(i1, bi, j1, bj), ("pair", old[bi], new[bj]), *solve(bi + 1, i2, bj + 1, j2)]

    return solve(0, len(old), 0, len(new))


def _word_similarity(a, b) -> float:
    return SequenceMatcher(None, _text(a), _text(b), autojunk=False).ratio()


# ------------------------------------------------------------------ merge ---


@dataclass
class Changes:
    """Who and when for every revision, and the counters for marker ids."""

    author: str
    date: str  # ISO 8601, e.g. 2024-05-01T00:00:00Z
    _ids: count = field(default_factory=lambda: count(1))

    @classmethod
    def at(cls, author: str, epoch: int) -> Changes:
        moment = datetime.fromtimestamp(int(epoch), UTC)
        return cls(author=author, date=moment.strftime("%Y-%m-%dT%H:%M:%SZ"))

    def kvs(self) -> list[list[str]]:
        return [["author", self.author], ["date", self.date]]

    def span(self, kind: str, inlines: list) -> dict:
        return {"t": "Span", "c": [["", [kind], self.kvs()], inlines]}

    def marker(self, what: str) -> dict:
        """Empty span whose id becomes a bookmark the DOCX post-processing finds."""
        return {"t": "Span", "c": [_attr(f"{MARKER_PREFIX}{what}-{next(self._ids)}"), []]}

    # -- inlines --

    def inlines(self, old: list, new: list) -> list:
        """Word diff of two inline lists."""
        matcher = SequenceMatcher(
            lambda fp: fp == SPACE,
            [_fingerprint(x) for x in old],
            [_fingerprint(x) for x in new],
            autojunk=False,
        )
        out: list = []
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                out += new[j1:j2]
                continue
            if i2 > i1:
                out.append(self.span("deletion", _strip_ids(old[i1:i2])))
            if j2 > j1:
                out.append(self.span("insertion", new[j1:j2]))
        return out

    # -- whole blocks --

    def wrap(self, block: dict, kind: str, *, mark: bool = True) -> list[dict]:
        """A block inserted or deleted whole (kind: "insertion" or "deletion")."""
        deleted = kind == "deletion"
        if deleted:
            block = _strip_ids(block)
        tag, content = block["t"], block.get("c")
        short = "ins" if kind == "insertion" else "del"

        def paragraph(inlines: list) -> list:
            if not inlines:
                return inlines
            head = [self.marker(f"p{short}")] if mark else []
            return [*head, self.span(kind, inlines)]

        def blocks(items: list, *, mark_inner: bool = mark) -> list:
            return [b for item in items for b in self.wrap(item, kind, mark=mark_inner)]

        if tag in ("Para", "Plain"):
            return [{"t": tag, "c": paragraph(content)}]
        if tag == "Header":
            return [{"t": tag, "c": [content[0], content[1], paragraph(content[2])]}]
        if tag == "LineBlock":
            lines = [[self.span(kind, line)] for line in content]
            if mark and lines:
                lines[0].insert(0, self.marker(f"p{short}"))
            return [{"t": tag, "c": lines}]
        if tag in ("BlockQuote",):
            return [{"t": tag, "c": blocks(content)}]
        if tag == "Div":
            return [{"t": tag, "c": [content[0], blocks(content[1])]}]
        if tag == "BulletList":
            return [{"t": tag, "c": [blocks(item) for item in content]}]
        if tag == "OrderedList":
            return [{"t": tag, "c": [content[0], [blocks(item) for item in content[1]]]}]
        if tag == "DefinitionList":
            return [
                {
                    "t": tag,
                    "c": [[paragraph(term), [blocks(d) for d in defs]] for term, defs in content],
                }
            ]
        if tag == "Figure":
            attr, caption, body = content
            attr = self._changed_attr(attr, kind, block)
            return [{"t": tag, "c": [attr, [caption[0], blocks(caption[1])], blocks(body)]}]
        if tag == "Table":
            attr, caption, colspecs, head, bodies, foot = content
            attr = self._changed_attr(attr, kind, block)
            return [
                {
                    "t": tag,
                    "c": [
                        attr,
                        [caption[0], blocks(caption[1])],
                        colspecs,
                        [head[0], [self.row(r, kind) for r in head[1]]],
                        [
                            [
                                b[0],
                                b[1],
                                [self.row(r, kind) for r in b[2]],
                                [self.row(r, kind) for r in b[3]],
                            ]
                            for b in bodies
                        ],
                        [foot[0], [self.row(r, kind) for r in foot[1]]],
                    ],
                }
            ]
        # CodeBlock, RawBlock, HorizontalRule: no inline text to mark; a deleted one
        # is left out, an inserted one kept (docs/changes.md).
        return [] if deleted else [block]

    def _changed_attr(self, attr: list, kind: str, block: dict) -> list:
        """Figure/Table attributes read by crossref.lua and changes-typst.lua: the kind
        of change, who/when, and for a deleted one its number in the old manuscript."""
        ident, classes, kvs = attr
        kvs = [kv for kv in kvs if kv[0] not in ("author", "date")]
        kvs = [*kvs, ["reviewkit-change", kind], *self.kvs()]
        if kind == "deletion":
            number, old_id = block.get(OLD_KEY, [0, ""])
            kvs.append(["reviewkit-number", str(number)])
            if old_id:
                kvs.append(["reviewkit-old-id", old_id])
        return [ident, classes, kvs]

    def row(self, row: list, kind: str) -> list:
        """A table row inserted or deleted whole: every cell's text, and the row itself."""
        attr, cells = row
        out = []
        for index, cell in enumerate(cells):
            c_attr, align, rowspan, colspan, body = cell
            body = [b for item in body for b in self.wrap(item, kind, mark=False)]
            if index == 0:
                marker = self.marker(f"r{'ins' if kind == 'insertion' else 'del'}")
                if body and body[0]["t"] in ("Plain", "Para"):
                    body[0] = {"t": body[0]["t"], "c": [marker, *body[0]["c"]]}
                else:
                    body.insert(0, {"t": "Plain", "c": [marker]})
            out.append([c_attr, align, rowspan, colspan, body])
        return [attr, out]

    # -- paired blocks --

    def blocks(self, old: list, new: list, *, mark: bool = True) -> list:
        """Block diff of two block lists."""
        out: list = []
        for op, a, b in _align(old, new, _fingerprint, _comparable, _block_similarity):
            if op == "equal":
                out.append(b)
            elif op == "delete":
                out += self.wrap(a, "deletion", mark=mark)
            elif op == "insert":
                out += self.wrap(b, "insertion", mark=mark)
            else:
                out.append(self.merge(a, b, mark=mark))
        return out

    def items(self, old: list, new: list) -> list:
        """List items (each a list of blocks), aligned like blocks."""
        out = []
        for op, a, b in _align(old, new, _fingerprint, lambda x, y: True, _word_similarity):
            if op == "equal":
                out.append(b)
            elif op == "delete":
                out.append([x for blk in a for x in self.wrap(blk, "deletion")])
            elif op == "insert":
                out.append([x for blk in b for x in self.wrap(blk, "insertion")])
            else:
                out.append(self.blocks(a, b))
        return out

    def merge(self, a: dict, b: dict, *, mark: bool = True) -> dict:
        """Two comparable blocks (see _comparable) merged into one."""
        tag, ca, cb = b["t"], a.get("c"), b.get("c")
        if tag in ("Para", "Plain"):
            return {"t": tag, "c": self.inlines(ca, cb)}
        if tag == "Header":
            return {"t": tag, "c": [cb[0], cb[1], self.inlines(ca[2], cb[2])]}
        if tag == "BlockQuote":
            return {"t": tag, "c": self.blocks(ca, cb, mark=mark)}
        if tag == "Div":
            return {"t": tag, "c": [cb[0], self.blocks(ca[1], cb[1], mark=mark)]}
        if tag == "BulletList":
            return {"t": tag, "c": self.items(ca, cb)}
        if tag == "OrderedList":
            return {"t": tag, "c": [cb[0], self.items(ca[1], cb[1])]}
        if tag == "Figure":
            caption = [cb[1][0], self.blocks(ca[1][1], cb[1][1])]
            return {"t": tag, "c": [cb[0], caption, self.blocks(ca[2], cb[2])]}
        if tag == "Table":
            return self.table(a, b)
        raise AssertionError(f"not comparable: {tag}")  # pragma: no cover

    def table(self, a: dict, b: dict) -> dict:
        """Same number of columns and bodies: caption and rows merged, cells word-diffed."""
        _, cap_a, _, head_a, bodies_a, foot_a = a["c"]
        attr, cap_b, colspecs, head_b, bodies_b, foot_b = b["c"]
        bodies = [
            [bb[0], bb[1], self.rows(ba[2], bb[2]), self.rows(ba[3], bb[3])]
            for ba, bb in zip(bodies_a, bodies_b, strict=True)
        ]
        return {
            "t": "Table",
            "c": [
                attr,
                [cap_b[0], self.blocks(cap_a[1], cap_b[1])],
                colspecs,
                [head_b[0], self.rows(head_a[1], head_b[1])],
                bodies,
                [foot_b[0], self.rows(foot_a[1], foot_b[1])],
            ],
        }

    def rows(self, old: list, new: list) -> list:
        out = []
        for op, a, b in _align(old, new, _fingerprint, _rows_comparable, _word_similarity):
            if op == "equal":
                out.append(b)
            elif op == "delete":
                out.append(self.row(_strip_ids(a), "deletion"))
            elif op == "insert":
                out.append(self.row(b, "insertion"))
            else:
                cells = [
                    [cb[0], cb[1], cb[2], cb[3], self.blocks(ca[4], cb[4], mark=False)]
                    for ca, cb in zip(a[1], b[1], strict=True)
                ]
                out.append([b[0], cells])
        return out


def _cell_shape(row: list) -> list:
    return [(cell[2], cell[3]) for cell in row[1]]


def _rows_comparable(a: list, b: list) -> bool:
    return _cell_shape(a) == _cell_shape(b)


def _comparable(a: dict, b: dict) -> bool:
    """Whether two blocks can be merged into one (else: one deleted, one inserted)."""
    ta, tb = a["t"], b["t"]
    if ta != tb:
        return False
    if ta in ("Para", "Plain", "BlockQuote", "BulletList", "Figure"):
        return True
    if ta == "Header":
        return a["c"][0] == b["c"][0]
    if ta == "Div":
        return a["c"][0][1:] == b["c"][0][1:]
    if ta == "OrderedList":
        return True
    if ta == "Table":
        ca, cb = a["c"], b["c"]
        return len(ca[2]) == len(cb[2]) and len(ca[4]) == len(cb[4])
    return False


def _block_similarity(a: dict, b: dict) -> float:
    ida = a["c"][0][0] if a["t"] in ("Div", "Figure", "Table") else ""
    idb = b["c"][0][0] if b["t"] in ("Div", "Figure", "Table") else ""
    if ida and ida == idb:
        return 1.0
    return _word_similarity(a, b)


def _number_figures_and_tables(blocks: list) -> list:
    """A copy of the blocks whose Figures and Tables carry [number, id] under OLD_KEY,
    numbered as crossref.lua numbers them: every Figure and every Table in document
    order, each kind counted on its own."""
    blocks = copy.deepcopy(blocks)
    counts = {"Figure": 0, "Table": 0}

    def walk(item) -> None:
        if isinstance(item, dict):
            if item.get("t") in counts:
                counts[item["t"]] += 1
                item[OLD_KEY] = [counts[item["t"]], item["c"][0][0]]
            walk(item.get("c"))
        elif isinstance(item, list):
            for child in item:
                walk(child)

    walk(blocks)
    return blocks


def _drop_old_keys(item) -> None:
    if isinstance(item, dict):
        item.pop(OLD_KEY, None)
        _drop_old_keys(item.get("c"))
    elif isinstance(item, list):
        for child in item:
            _drop_old_keys(child)


def _meta_blocks(value: dict) -> list:
    if value["t"] == "MetaBlocks":
        return value["c"]
    return [{"t": "Para", "c": value["c"]}]


def merge_manuscripts(old: dict, new: dict, changes: Changes) -> dict:
    """The pandoc AST of the new manuscript with the changes from the old one marked."""
    meta = copy.deepcopy(new["meta"])
    for key in DIFFED_METADATA:
        a, b = old["meta"].get(key), new["meta"].get(key)
        if a is None or b is None or _fingerprint(a) == _fingerprint(b):
            continue
        if a["t"] == b["t"] == "MetaInlines":
            meta[key] = {"t": "MetaInlines", "c": changes.inlines(a["c"], b["c"])}
        elif a["t"] in ("MetaInlines", "MetaBlocks") and b["t"] in ("MetaInlines", "MetaBlocks"):
            meta[key] = {"t": "MetaBlocks", "c": changes.blocks(_meta_blocks(a), _meta_blocks(b))}
    meta["reviewkit-changes"] = {
        "t": "MetaMap",
        "c": {
            "author": {"t": "MetaString", "c": changes.author},
            "date": {"t": "MetaString", "c": changes.date},
        },
    }
    blocks = changes.blocks(_number_figures_and_tables(old["blocks"]), new["blocks"])
    _drop_old_keys(blocks)
    return {"pandoc-api-version": new["pandoc-api-version"], "meta": meta, "blocks": blocks}


# ------------------------------------------------------------ DOCX marks ----


def mark_paragraphs_and_rows(docx: os.PathLike[str] | str, author: str, date: str) -> None:
    """Turn the marker bookmarks (``rk-pins-N`` ...) into revision marks on the
    paragraph mark or the table row, and give every revision a unique id.

    Rewrites only ``word/document.xml``; every zip entry keeps its name, order,
    date and compression, so the file stays byte-reproducible.
    """
    from lxml import etree

    docx = Path(docx)
    with zipfile.ZipFile(docx) as archive:
        infos = archive.infolist()
        data = {info.filename: archive.read(info) for info in infos}
    root = etree.fromstring(data["word/document.xml"])

    def revision(kind: str) -> etree._Element:
        element = etree.Element(_w(kind))
        element.set(_w("author"), author)
        element.set(_w("date"), date)
        return element

    ends = {e.get(_w("id")): e for e in root.iter(_w("bookmarkEnd"))}
    for start in list(root.iter(_w("bookmarkStart"))):
        name = start.get(_w("name")) or ""
        if not name.startswith(MARKER_PREFIX):
            continue
        what = name[len(MARKER_PREFIX) :].split("-")[0]  # pins, pdel, rins, rdel
        kind = "ins" if what.endswith("ins") else "del"
        if what.startswith("p"):
            paragraph = next(a for a in start.iterancestors() if a.tag == _w("p"))
            ppr = paragraph.find(_w("pPr"))
            if ppr is None:
                ppr = etree.Element(_w("pPr"))
                paragraph.insert(0, ppr)
            rpr = ppr.find(_w("rPr"))
            if rpr is None:
                rpr = etree.Element(_w("rPr"))
                # rPr comes before sectPr and pPrChange in w:pPr
                later = [c for c in ppr if c.tag in (_w("sectPr"), _w("pPrChange"))]
                if later:
                    later[0].addprevious(rpr)
                else:
                    ppr.append(rpr)
            rpr.insert(0, revision(kind))
        else:
            row = next(a for a in start.iterancestors() if a.tag == _w("tr"))
            trpr = row.find(_w("trPr"))
            if trpr is None:
                trpr = etree.Element(_w("trPr"))
                prex = row.find(_w("tblPrEx"))
                if prex is not None:
                    prex.addnext(trpr)
                else:
                    row.insert(0, trpr)
            trpr.append(revision(kind))
        end = ends.get(start.get(_w("id")))
        for element in (start, end):
            if element is not None and element.getparent() is not None:
                element.getparent().remove(element)

    _mark_table_separators(root, revision)

    # Deleted runs hold w:delText (and w:delInstrText in fields); raw OpenXML from
    # the filters (crossref.lua's fields) inside a deletion still has w:t.
    for deletion in root.iter(_w("del")):
        for element in deletion.iter(_w("t"), _w("instrText")):
            element.tag = _w("delText") if element.tag == _w("t") else _w("delInstrText")

    # Unique ids: pandoc numbers insertions and deletions with separate counters.
    ids = [int(v) for e in root.iter() for v in [e.get(_w("id"))] if v and v.isdigit()]
    next_id = count(max(ids, default=0) + 1)
    for element in root.iter(_w("ins"), _w("del")):
        element.set(_w("id"), str(next(next_id)))

    data["word/document.xml"] = etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", standalone=True
    )
    tmp = docx.with_name(f".{docx.name}.marks.tmp")
    with zipfile.ZipFile(tmp, "w") as archive:
        for info in infos:
            archive.writestr(info, data[info.filename], compress_type=info.compress_type)
    os.replace(tmp, docx)


def _table_state(table) -> str | None:
    """ "ins"/"del" when every row of a table is inserted/deleted, else None."""
    states = set()
    for row in table.findall(_w("tr")):
        trpr = row.find(_w("trPr"))
        marks = {el.tag for el in trpr} if trpr is not None else set()
        states.add("ins" if _w("ins") in marks else "del" if _w("del") in marks else None)
    return states.pop() if len(states) == 1 else None


def _mark_table_separators(root, revision) -> None:
    """pandoc writes an empty paragraph between two tables (else Word joins them).
    Next to a deleted table it must go when changes are accepted, next to an
    inserted one when they are rejected: its paragraph mark gets the matching
    revision marks (both, for a deleted table followed by an inserted one)."""
    for table in list(root.iter(_w("tbl"))):
        separator = table.getnext()
        if separator is None or separator.tag != _w("p") or len(separator):
            continue
        following = separator.getnext()
        while following is not None and following.tag != _w("tbl"):
            following = following.getnext()
        states = {_table_state(table), _table_state(following) if following is not None else None}
        kinds = [kind for kind in ("ins", "del") if kind in states]
        if kinds:
            ppr = _subelement(separator, "pPr")
            rpr = _subelement(ppr, "rPr")
            for kind in kinds:
                rpr.append(revision(kind))


def _subelement(parent, tag: str):
    from lxml import etree

    return etree.SubElement(parent, _w(tag))


# --------------------------------------------------------------- outputs ----


def _images_found(ast: dict, resource_path: Sequence[os.PathLike[str] | str]) -> None:
    """Replace each image that is in no folder of the resource path by its alt text.

    Only a deleted figure can lack its image: the current build made every other
    one, and a release keeps no figure files (docs/changes.md).
    """

    def found(target: str) -> bool:
        if "://" in target or target.startswith("data:"):
            return True
        return any((Path(folder) / target).is_file() for folder in resource_path)

    def walk(item) -> None:
        if isinstance(item, list):
            for index, child in enumerate(item):
                image = isinstance(child, dict) and child.get("t") == "Image"
                if image and not found(child["c"][2][0]):
                    item[index] = {"t": "Span", "c": [_attr(), child["c"][1]]}
                else:
                    walk(child)
        elif isinstance(item, dict):
            walk(item.get("c"))

    walk(ast["blocks"])


def _merged_json(
    old_md,
    new_md,
    changes: Changes,
    folder: Path,
    resource_path: Sequence[os.PathLike[str] | str],
    legend: list | None = None,
) -> Path:
    merged = merge_manuscripts(pandoc_ast(old_md), pandoc_ast(new_md), changes)
    _images_found(merged, resource_path)
    if legend:  # changes-typst.lua puts it first in the body, after the title block
        merged["meta"]["reviewkit-changes-legend"] = {"t": "MetaInlines", "c": legend}
    path = folder / "tracked.json"
    path.write_text(json.dumps(merged, ensure_ascii=False), encoding="utf-8")
    return path


def build_tracked_docx(
    old_markdown: os.PathLike[str] | str,
    new_markdown: os.PathLike[str] | str,
    output: os.PathLike[str] | str,
    *,
    bibliography: assemble.Bibliography,
    old_bibliography: os.PathLike[str] | str | None = None,
    csl: os.PathLike[str] | str,
    author: str = "reviewkit",
    timestamp: int,
    extra_defaults: Sequence[os.PathLike[str] | str] = (),
    **build_docx_options,
) -> None:
    """The new manuscript as a DOCX with Word revisions against the old one.

    ``bibliography``: the current one; ``old_bibliography``: the released one,
    read first, so that works cited only in deleted text still resolve (the
    current entries win). ``timestamp`` (Unix seconds, the build epoch) dates
    every revision and the file, so two builds give identical bytes. Other
    options (``reference_docx``, ``defaults_dir``, ``resource_path``,
    ``metadata``) go to :func:`reviewkit.assemble.build_docx`, as for the
    normal DOCX; ``extra_defaults`` (e.g. the profile's) come before
    ``changes-docx.yaml``.
    """
    changes = Changes.at(author, timestamp)
    bibs = _bibliography_list(bibliography, old_bibliography)
    with tempfile.TemporaryDirectory(prefix="reviewkit-tracked-") as tmp:
        resource_path = build_docx_options.get("resource_path", (".",))
        source = _merged_json(old_markdown, new_markdown, changes, Path(tmp), resource_path)
        assemble.build_docx(
            source,
            output,
            bibliography=bibs,
            csl=csl,
            timestamp=timestamp,
            extra_defaults=[*extra_defaults, CHANGES_DOCX_DEFAULTS],
            from_format="json",
            **build_docx_options,
        )
    mark_paragraphs_and_rows(output, changes.author, changes.date)


def build_changes_pdf(
    old_markdown: os.PathLike[str] | str,
    new_markdown: os.PathLike[str] | str,
    output: os.PathLike[str] | str,
    *,
    bibliography: assemble.Bibliography,
    old_bibliography: os.PathLike[str] | str | None = None,
    csl: os.PathLike[str] | str,
    legend: Sequence[tuple[str, str]] = (),
    timestamp: int,
    extra_defaults: Sequence[os.PathLike[str] | str] = (),
    **build_pdf_options,
) -> None:
    """The new manuscript as a PDF with insertions underlined and deletions struck
    through, in colour (layout/filters/changes-typst.lua, changes-header.typ).

    ``legend``: [(kind, text)] pairs, kind "insertion", "deletion" or "" (plain),
    printed as the first paragraph, e.g. [("insertion", "Underlined"), ("", ": added
    since version 1; "), ...]. Other options as for :func:`build_tracked_docx` and
    :func:`reviewkit.assemble.build_pdf`.
    """
    changes = Changes.at("reviewkit", timestamp)
    inlines: list = []
    for kind, text in legend:
        words = _str_inlines(text)
        inlines += [changes.span(kind, words)] if kind else words
    with tempfile.TemporaryDirectory(prefix="reviewkit-tracked-") as tmp:
        resource_path = build_pdf_options.get("resource_path", (".",))
        source = _merged_json(
            old_markdown, new_markdown, changes, Path(tmp), resource_path, inlines or None
        )
        assemble.build_pdf(
            source,
            output,
            bibliography=_bibliography_list(bibliography, old_bibliography),
            csl=csl,
            timestamp=timestamp,
            extra_defaults=[*extra_defaults, CHANGES_TYPST_DEFAULTS],
            from_format="json",
            **build_pdf_options,
        )


def _str_inlines(text: str) -> list:
    """Plain text as pandoc inlines (literal: Str and Space only, never parsed)."""
    out: list = []
    for index, word in enumerate(text.split(" ")):
        if index:
            out.append({"t": "Space"})
        if word:
            out.append({"t": "Str", "c": word})
    return out


def _bibliography_list(bibliography, old_bibliography) -> list:
    current = assemble._bibliographies(bibliography)
    return ([Path(old_bibliography)] if old_bibliography else []) + current
