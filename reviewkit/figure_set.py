"""Every figure of a build, drawn in one process.

Importing pandas and matplotlib costs more than drawing a figure, so the
workflow draws all figures in one step. A figure is named by the function that
makes it: study figures (reviewkit.figures) from the validated study table,
synthesis figures (reviewkit.synthesis_figures) also from the effects table
and synthesis.json.
"""

from __future__ import annotations

import json
import logging
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

log = logging.getLogger(__name__)


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
    pngs: Sequence[Path | str] = (),
    pdfs: Sequence[Path | str] = (),
    language: str,
    rob_tool: str,
    dpi: int = 300,
    bibliography: Path | str | None = None,
    csl: str = "apa",
    manuscript: Path | str | None = None,
    font: str | None = None,
    font_paths: Sequence[str] = (),
) -> None:
    """Draw figure ``names[i]`` into ``pngs[i]`` and ``pdfs[i]`` (an empty list: that
    format is not written); the vocabulary is the one the data step validated
    against (summary.json).

    With ``bibliography``, studies are labelled as the citation style ``csl``
    identifies them (reviewkit.citations; ``manuscript``, the rendered
    Markdown, numbers them for a numbered style). ``font``: the family of the
    manuscript's PDF (reviewkit.typeface), so figures share its typeface.
    """
    table = read_validated(studies, schema)
    result_rows = read_results(results, schema)
    facts = json.loads(Path(summary).read_text(encoding="utf-8"))
    vocabulary = Vocabulary.from_config(facts["vocabulary"])
    # A large review (reviewkit.large_review): figures by design and group, no study labels.
    aggregate = bool((facts.get("large_review") or {}).get("per_study_in_supplement"))
    effects_table = pd.read_csv(effects, keep_default_na=False, na_values=[""])
    numbers = json.loads(Path(synthesis).read_text(encoding="utf-8"))
    if bibliography is not None and not aggregate:
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
    pngs = list(pngs) or [None] * len(names)
    pdfs = list(pdfs) or [None] * len(names)
    for name, png, pdf in zip(names, pngs, pdfs, strict=True):
        with style_context(family):
            if name == "prisma_flow":
                from reviewkit.search.flow_diagram import plot_prisma_flow

                counts = json.loads(Path(prisma).read_text(encoding="utf-8"))
                figure = plot_prisma_flow(counts, language)
            elif name in STUDY_FIGURES:
                figure = make_figure(
                    name, table, language, vocabulary, result_rows, aggregate=aggregate
                )
            else:
                figure = make_synthesis_figure(
                    name,
                    table,
                    effects_table,
                    numbers,
                    language,
                    rob_tool,
                    vocabulary,
                    result_rows,
                    aggregate=aggregate,
                )
        fit_pixels(figure, dpi, name)
        save_figure(figure, png, pdf, dpi=dpi, family=family)


def fit_pixels(figure, dpi: int, name: str) -> None:
    """Keep a figure within reviewkit.figures.MAX_PIXELS at ``dpi``: a per-study figure
    of many rows (a review just below large_review.per_study_in_supplement_above,
    with several outcomes) is made shorter, its rows closer together, and the log
    says so; a large review's figures never need it."""
    from reviewkit.figures import MAX_PIXELS, raster_size, too_many_pixels

    if not too_many_pixels(figure, dpi):
        return
    width, height = figure.get_size_inches()
    pixels_wide = raster_size(figure, dpi)[0]
    fitting = int(MAX_PIXELS / pixels_wide) / dpi  # the tallest height that fits
    figure.set_size_inches(width, fitting)
    log.info(
        "figure %s: %.1f in tall at %d dpi would be more than %d megapixels; drawn %.1f in "
        "tall (lower large_review.per_study_in_supplement_above to draw it by design)",
        name,
        height,
        dpi,
        MAX_PIXELS // 1_000_000,
        fitting,
    )
