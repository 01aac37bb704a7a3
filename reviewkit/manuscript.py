"""Assemble the manuscript's Markdown from metadata, abstracts and section templates."""

from __future__ import annotations

from pathlib import Path

import yaml

from reviewkit.bibliography import check_cited_keys
from reviewkit.conventions import SIGNIFICANCE_LEVEL
from reviewkit.errors import InputError
from reviewkit.fast_yaml import safe_load
from reviewkit.i18n import available_languages
from reviewkit.safe_markdown import Markdown
from reviewkit.templating import render_template
from reviewkit.text_blocks import BLOCK_PATTERN, labels_in_templates, render_blocks
from reviewkit.vocabulary import Vocabulary

P_ROUNDED_ZERO = 0.0005  # "p = 0,000" is software rounding of p < 0.0005


def abstract_key(abstract_language: str, language: str) -> str:
    """The abstract in the manuscript's language is `abstract`; another is `abstract-<lang>`."""
    return "abstract" if abstract_language == language else f"abstract-{abstract_language}"


def template_context(
    summary: dict, inclusion: dict, tables: dict, figures: dict, effects: list | None = None
) -> dict:
    """Everything a placeholder can name: the summary plus the review's constants.

    `unit_factors` (and its older name `ml_per_unit`) maps each unit of the
    review's vocabulary to its factor to the base unit (cc -> 1, l -> 1000).
    ``tables`` (Markdown the tool built, every cell escaped) and ``figures``
    (paths of the build's own figures) are markup and print as they are; every
    other value is data and prints as literal text (reviewkit.templating).
    ``effects``: the rows of results/tables/effects.csv (reviewkit.text_blocks.read_effects),
    which the generated text blocks (``auto``) read for the reasons and measures per study.
    """
    vocabulary = Vocabulary.from_config(summary.get("vocabulary"))
    factors = {unit.code: unit.factor for unit in vocabulary.units}
    return {
        **summary,
        "effects": list(effects or []),
        "inclusion": inclusion,
        "alpha": SIGNIFICANCE_LEVEL,
        "p_rounded_zero": P_ROUNDED_ZERO,
        "unit_factors": factors,
        "ml_per_unit": factors,
        "tables": {name: Markdown(text) for name, text in tables.items()},
        "figures": {name: Markdown(path) for name, path in figures.items()},
    }


def section_files(manuscript_dir: Path) -> list[Path]:
    files = sorted((manuscript_dir / "sections").glob("*.md"))
    if not files:
        raise InputError(f"{manuscript_dir / 'sections'}: no section files (*.md) found")
    return files


def load_metadata(path: Path) -> dict:
    try:
        metadata = safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise InputError(f"{path}: not valid YAML ({error})") from None
    if not isinstance(metadata, dict) or "title" not in metadata:
        raise InputError(f"{path}: expected a mapping with at least a title")
    return metadata


def generated_blocks(context: dict, sources: list[str]):
    """A function giving the context for one language with ``auto``: the generated text
    blocks (reviewkit.text_blocks) in that language, rendered once per language and only
    when a template uses them. Figures and tables the templates show themselves are
    referred to by the blocks, not shown a second time."""
    used = any(BLOCK_PATTERN.search(text) for text in sources)
    elsewhere = labels_in_templates(sources)
    cache: dict[str, dict] = {}

    def for_language(language: str) -> dict:
        if not used:
            return context
        if language not in cache:
            cache[language] = {**context, "auto": render_blocks(context, language, elsewhere)}
        return cache[language]

    return for_language


def render_manuscript(
    manuscript_dir: Path,
    context: dict,
    language: str,
    bibliography_keys: set[str],
    bibliography_name: str,
) -> str:
    """The whole manuscript as pandoc Markdown with a YAML metadata block."""
    manuscript_dir = Path(manuscript_dir)
    metadata = load_metadata(manuscript_dir / "metadata.yaml")
    abstracts = {
        abstract_language: manuscript_dir / f"abstract.{abstract_language}.md"
        for abstract_language in available_languages()
        if (manuscript_dir / f"abstract.{abstract_language}.md").exists()
    }
    sections = section_files(manuscript_dir)
    sources = [path.read_text(encoding="utf-8") for path in [*abstracts.values(), *sections]]
    with_blocks = generated_blocks(context, sources)
    rendered: dict[str, str] = {}
    for abstract_language, path in abstracts.items():
        text = render_template(
            path, with_blocks(abstract_language), abstract_language, root=manuscript_dir
        ).strip()
        rendered[str(path)] = text
        metadata[abstract_key(abstract_language, language)] = text
    for path in sections:
        rendered[str(path)] = render_template(
            path, with_blocks(language), language, root=manuscript_dir
        ).strip()
    check_cited_keys(rendered, bibliography_keys, bibliography_name)
    header = yaml.safe_dump(metadata, allow_unicode=True, sort_keys=False, width=1000)
    sections = [text for name, text in rendered.items() if "/sections/" in name.replace("\\", "/")]
    return f"---\n{header}---\n\n" + "\n\n".join(sections) + "\n"
