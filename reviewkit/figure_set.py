"""Every figure of a build, drawn in one process.

Importing pandas and matplotlib costs more than drawing a figure, so the
workflow draws all figures in one step. A figure is named by the function that
makes it: study figures (reviewkit.figures) from the validated study table,
synthesis figures (reviewkit.synthesis_figures) also from the effects table
and synthesis.json.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from reviewkit.citations import study_labels
from reviewkit.figures import FIGURES as STUDY_FIGURES
from reviewkit.figures import make_figure, save_figure, style_context
from reviewkit.results import read_results
from reviewkit.synthesis_figures import make_synthesis_figure
from reviewkit.typeface import DEFAULT_FAMILY, use_in_matplotlib
from reviewkit.validation import read_validated
from reviewkit.vocabulary import Vocabulary


def draw_figures(
    names: Sequence[str],
    *,
    studies: Path | str,
    schema: Path | str,
    results: Path | str,
    summary: Path | str,
    effects: Path | str,
    synthesis: Path | str,
    prisma: Path | str | None = None,
    pngs: Sequence[Path | str],
    pdfs: Sequence[Path | str],
    language: str,
    rob_tool: str,
    dpi: int = 300,
    bibliography: Path | str | None = None,
    csl: str = "apa",
    manuscript: Path | str | None = None,
    font: str | None = None,
    font_paths: Sequence[str] = (),
) -> None:
    """Draw figure ``names[i]`` into ``pngs[i]`` and ``pdfs[i]``; the vocabulary is the
    one the data step validated against (summary.json).

    With ``bibliography``, studies are labelled as the citation style ``csl``
    identifies them (reviewkit.citations; ``manuscript``, the rendered
    Markdown, numbers them for a numbered style). ``font``: the family of the
    manuscript's PDF (reviewkit.typeface), so figures share its typeface.
    """
    table = read_validated(studies, schema)
    result_rows = read_results(results, schema)
    words = json.loads(Path(summary).read_text(encoding="utf-8"))["vocabulary"]
    vocabulary = Vocabulary.from_config(words)
    effects_table = pd.read_csv(effects, keep_default_na=False, na_values=[""])
    numbers = json.loads(Path(synthesis).read_text(encoding="utf-8"))
    if bibliography is not None:
        labels = study_labels(
            table["id"].tolist(),
            bibliography=bibliography,
            csl=csl,
            language=language,
            manuscript=manuscript,
        )
        table["label"] = table["id"].map(labels)
        result_rows["label"] = result_rows["id"].astype(str).map(labels)
        effects_table["label"] = effects_table["id"].map(labels).fillna(effects_table["label"])
    family = use_in_matplotlib(font or DEFAULT_FAMILY, font_paths)
    for name, png, pdf in zip(names, pngs, pdfs, strict=True):
        with style_context(family):
            if name == "prisma_flow":
                from reviewkit.search.flow_diagram import plot_prisma_flow

                counts = json.loads(Path(prisma).read_text(encoding="utf-8"))
                figure = plot_prisma_flow(counts, language)
            elif name in STUDY_FIGURES:
                figure = make_figure(name, table, language, vocabulary, result_rows)
            else:
                figure = make_synthesis_figure(
                    name, table, effects_table, numbers, language, rob_tool, vocabulary, result_rows
                )
        save_figure(figure, png, pdf, dpi=dpi, family=family)
