"""Study labels for the figures, as the manuscript's citations render them.

A figure is a picture, so its study labels are fixed when it is drawn; they
must read as the text and the tables do. :func:`study_labels` renders every
study once through the same pandoc filter as the tables
(layout/filters/studies.lua) and citeproc with the review's citation style
and language: "Dewi dkk. (2020)" with APA in Indonesian, "Dewi et al. (11)"
with Vancouver in English. For a numbered style the numbers depend on the
order in which the manuscript first cites each reference, so
:func:`citation_order` reads that order from the rendered manuscript and the
labels are rendered after citing every key in that order.

The figures are drawn once for the configured journal profile's style; a
profile built on the side with a style of the other kind (numbered vs
author-date) gets the same figures (docs/language.md).
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from reviewkit.assemble import (
    pandoc_executable,
    read_markdown_ast,
    resolve_csl,
    runtime_options,
)
from reviewkit.bibliography import CROSS_REFERENCE_PREFIXES, is_numeric_style
from reviewkit.errors import InputError
from reviewkit.i18n import tag
from reviewkit.paths import LAYOUT_DIR

__all__ = ["citation_order", "study_labels"]

STUDIES_FILTER = LAYOUT_DIR / "filters" / "studies.lua"


def _cites(node: object, out: list[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _cites(item, out)
    elif isinstance(node, dict):
        if node.get("t") == "Cite":
            out += [c["citationId"] for c in node["c"][0]]
        _cites(node.get("c"), out)


def citation_order(markdown: Path | str) -> list[str]:
    """Keys in the order of their first citation, as the filters lay the
    manuscript out: the abstracts (own language first), then the body."""
    ast = json.loads(read_markdown_ast(markdown))
    found: list[str] = []
    meta = ast.get("meta", {})
    for key in sorted(k for k in meta if k.startswith("abstract")):
        _cites(meta[key], found)
    _cites(ast.get("blocks", []), found)
    order: list[str] = []
    for key in found:
        if key not in order and not key.startswith(CROSS_REFERENCE_PREFIXES):
            order.append(key)
    return order


def study_labels(
    keys: Sequence[str],
    *,
    bibliography: Path | str,
    csl: str,
    language: str,
    manuscript: Path | str | None = None,
) -> dict[str, str]:
    """Key -> the label a table shows for the study (see the module docstring).

    ``manuscript`` (the rendered Markdown) gives the numbering of a numbered
    style; without it the keys are numbered in the order given.
    """
    style = resolve_csl(csl)
    numeric = is_numeric_style(style)
    order = citation_order(manuscript) if numeric and manuscript else []
    # Every cited key in order of first citation (studies where they first appear).
    sequence = [*order, *(key for key in keys if key not in order)]
    if not sequence:  # no studies yet (a new review): nothing to label, no pandoc run
        return {}
    blocks = [f"[@{key}]{{.study}}" if key in keys else f"[@{key}]" for key in sequence]
    text = "\n\n".join(blocks) + "\n"
    command = [
        pandoc_executable(),
        "--from=markdown",
        "--to=plain",
        "--wrap=none",
        f"--lua-filter={STUDIES_FILTER}",
        "--citeproc",
        f"--bibliography={bibliography}",
        f"--csl={style}",
        f"--metadata=lang:{tag(language)}",
        f"--metadata=reviewkit-language:{language}",
        f"--metadata=reviewkit-citations:{'numeric' if numeric else 'author-date'}",
        "--metadata=suppress-bibliography:true",
        "--sandbox",  # as every pandoc run of the build: no file but those named here
    ]
    environment = {**os.environ, **runtime_options(Path(bibliography))}
    done = subprocess.run(
        command, input=text, capture_output=True, text=True, env=environment, check=False
    )
    if done.returncode != 0:
        raise InputError(f"study labels: pandoc failed: {' '.join(done.stderr.split())}")
    paragraphs = [p.strip() for p in done.stdout.strip().split("\n\n")]
    if len(paragraphs) != len(sequence):
        raise InputError(
            f"study labels: pandoc gave {len(paragraphs)} labels for {len(sequence)} citations"
        )
    rendered = dict(zip(sequence, paragraphs, strict=True))
    return {key: rendered[key] for key in keys}
