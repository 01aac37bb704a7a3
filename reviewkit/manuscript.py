"""Assemble the manuscript's Markdown from metadata, abstracts and section templates."""

from __future__ import annotations

from pathlib import Path

import yaml

from reviewkit.bibliography import check_cited_keys
from reviewkit.errors import InputError
from reviewkit.i18n import available_languages
from reviewkit.summary import SIGNIFICANCE_LEVEL, UNIT_TO_ML
from reviewkit.templating import render_template

P_ROUNDED_ZERO = 0.0005  # "p = 0,000" is software rounding of p < 0.0005


def abstract_key(abstract_language: str, language: str) -> str:
    """The abstract in the manuscript's language is `abstract`; another is `abstract-<lang>`."""
    return "abstract" if abstract_language == language else f"abstract-{abstract_language}"


def template_context(summary: dict, inclusion: dict, tables: dict, figures: dict) -> dict:
    """Everything a placeholder can name: the summary plus the review's constants."""
    return {
        **summary,
        "inclusion": inclusion,
        "alpha": SIGNIFICANCE_LEVEL,
        "p_rounded_zero": P_ROUNDED_ZERO,
        "ml_per_unit": {unit: factor for unit, (factor, _) in UNIT_TO_ML.items()},
        "tables": tables,
        "figures": figures,
    }


def section_files(manuscript_dir: Path) -> list[Path]:
    files = sorted((manuscript_dir / "sections").glob("*.md"))
    if not files:
        raise InputError(f"{manuscript_dir / 'sections'}: no section files (*.md) found")
    return files


def load_metadata(path: Path) -> dict:
    try:
        metadata = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise InputError(f"{path}: not valid YAML ({error})") from None
    if not isinstance(metadata, dict) or "title" not in metadata:
        raise InputError(f"{path}: expected a mapping with at least a title")
    return metadata


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
    rendered: dict[str, str] = {}
    # abstract.<language>.md for every language with a catalogue, each in its language
    for abstract_language in available_languages():
        path = manuscript_dir / f"abstract.{abstract_language}.md"
        if path.exists():
            rendered[str(path)] = render_template(path, context, abstract_language).strip()
            metadata[abstract_key(abstract_language, language)] = rendered[str(path)]
    for path in section_files(manuscript_dir):
        rendered[str(path)] = render_template(path, context, language).strip()
    check_cited_keys(rendered, bibliography_keys, bibliography_name)
    header = yaml.safe_dump(metadata, allow_unicode=True, sort_keys=False, width=1000)
    sections = [text for name, text in rendered.items() if "/sections/" in name.replace("\\", "/")]
    return f"---\n{header}---\n\n" + "\n\n".join(sections) + "\n"
