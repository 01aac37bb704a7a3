"""Check the manuscript against a journal profile and prepare its front matter.

:func:`check_submission` counts the words (reviewkit.wordcount), checks the
limits, the declarations the profile requires, the authors' ORCID iDs and
e-mail addresses, and returns the report written to ``checks.json``. Every
problem is collected, then all are raised together as one
:class:`~reviewkit.errors.InputError` (one line each), e.g.
``manuscript/metadata.yaml: declarations.funding is required by profile
international-apa but empty``.

:func:`pandoc_defaults` turns the profile and the counts into a pandoc
defaults file: the metadata the Lua filter ``frontmatter.lua`` prints on the
title page (counts, anonymised) and the typst variables of the PDF layout.

A value written as a bracketed placeholder, e.g. ``"[isi pernyataan
pendanaan]"`` or ``"[Nama Penulis Pertama]"``, counts as not filled in: it is
listed under ``placeholders`` in the report, and a required declaration that
still holds one stops the build.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from reviewkit import typeface
from reviewkit.assemble import resolve_csl
from reviewkit.bibliography import check_completeness, is_numeric_style
from reviewkit.errors import InputError
from reviewkit.i18n import message, tag
from reviewkit.manuscript import load_metadata
from reviewkit.profiles import (
    DECLARATIONS,
    effective_style,
    language_mismatch,
    load_profile,
    shown_source,
)
from reviewkit.reference_docx import effective_layout
from reviewkit.wordcount import ManuscriptCounts, count_file, count_manuscript

__all__ = [
    "check_submission",
    "is_placeholder",
    "orcid_is_valid",
    "pandoc_defaults",
    "prepare_profile_build",
    "sources_for",
]

PLACEHOLDER = re.compile(r"^\s*\[[^\[\]]*\]\s*$")
ORCID = re.compile(r"^(?:https?://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_placeholder(value: object) -> bool:
    """A whole value in square brackets, e.g. "[Nama Penulis Pertama]"."""
    return isinstance(value, str) and bool(PLACEHOLDER.match(value))


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def orcid_is_valid(value: str) -> bool:
    """An ORCID iD (optionally as https://orcid.org/...) with a correct check digit
    (ISO 7064 MOD 11-2, as orcid.org computes it)."""
    found = ORCID.match(value.strip())
    if not found:
        return False
    digits = found.group(1).replace("-", "")
    total = 0
    for digit in digits[:-1]:
        total = (total + int(digit)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


# ---------------------------------------------------------------- checks ---


def _check_declarations(metadata: dict, source: str, profile: dict) -> tuple[list, dict]:
    problems: list[str] = []
    declarations = metadata.get("declarations") or {}
    if not isinstance(declarations, dict):
        return [
            f"{source}: declarations: expected a mapping of {', '.join(DECLARATIONS)} to their text"
        ], {}
    for key in declarations:
        if key not in DECLARATIONS:
            problems.append(
                f"{source}: declarations.{key}: unknown declaration; expected one "
                f"of {', '.join(DECLARATIONS)}"
            )
    status = {}
    for key in DECLARATIONS:
        value = declarations.get(key)
        if _is_empty(value):
            status[key] = "empty"
        elif is_placeholder(value):
            status[key] = "placeholder"
        else:
            status[key] = "filled"
        if key in profile["declarations"]["required"] and status[key] != "filled":
            still = (
                f' (it still holds the placeholder "{value.strip()}")'
                if (status[key] == "placeholder")
                else ""
            )
            problems.append(
                f"{source}: declarations.{key} is required by profile "
                f"{profile['name']} but empty{still}"
            )
    return problems, status


def _check_authors(metadata: dict, source: str) -> list[str]:
    authors = metadata.get("author")
    if authors is None:
        return [
            f"{source}: author: missing; expected a list of authors with name, "
            "affiliation, orcid, email (and corresponding: true for one of them)"
        ]
    authors = authors if isinstance(authors, list) else [authors]
    problems = []
    corresponding = []
    for number, author in enumerate(authors, start=1):
        where = f"{source}: author {number}"
        if not isinstance(author, dict):
            problems.append(
                f'{where}: "{author}" is only a name; expected a mapping with name, '
                "affiliation, orcid, email"
            )
            continue
        if _is_empty(author.get("name")):
            problems.append(f"{where}: name is empty")
        orcid = author.get("orcid")
        if not _is_empty(orcid) and not is_placeholder(orcid) and not orcid_is_valid(str(orcid)):
            problems.append(
                f'{where}: orcid "{orcid}" is not an ORCID iD; expected four '
                "groups of 4 digits with a valid check digit (the last may be X), "
                "as on orcid.org"
            )
        email = author.get("email")
        if not _is_empty(email) and not is_placeholder(email) and not EMAIL.match(str(email)):
            problems.append(f'{where}: email "{email}" is not an e-mail address')
        if author.get("corresponding") is True:
            corresponding.append(number)
            if _is_empty(email):
                problems.append(f"{where}: the corresponding author has no email")
    if not corresponding:
        problems.append(
            f"{source}: author: no author has corresponding: true; mark the "
            "corresponding author (with email and address)"
        )
    return problems


def _placeholders(value: object, path: str) -> list[str]:
    """Paths of the metadata values that are still placeholders."""
    if is_placeholder(value):
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _placeholders(v, f"{path}.{k}" if path else k)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value, start=1) for p in _placeholders(v, f"{path}[{i}]")]
    return []


def _limit_rows(counts: ManuscriptCounts, profile: dict, language: str) -> list[dict]:
    """Each limit of the profile with the counted value."""
    limits = profile["limits"]
    rows = []

    def language_of(key: str) -> str:
        return key.split("-", 1)[1] if "-" in key else language

    for key, value in counts.abstract_words.items():
        rows.append(
            {
                "check": "abstract_words",
                "item": key,
                "language": language_of(key),
                "value": value,
                **limits["abstract_words"],
            }
        )
    for key, value in counts.keywords.items():
        rows.append(
            {
                "check": "keywords",
                "item": key,
                "language": language_of(key),
                "value": value,
                **limits["keywords"],
            }
        )
    rows.append(
        {
            "check": "main_text_words",
            "item": "main text",
            "language": language,
            "value": counts.main_text_words,
            **limits["main_text_words"],
        }
    )
    for row in rows:
        low, high = row["min"], row["max"]
        row["status"] = (
            "too low"
            if low is not None and row["value"] < low
            else "too high"
            if high is not None and row["value"] > high
            else "ok"
        )
    return rows


def _allowed(row: dict) -> str:
    if row["min"] is not None and row["max"] is not None:
        return f"{row['min']} to {row['max']}"
    return f"at least {row['min']}" if row["min"] is not None else f"at most {row['max']}"


def _limit_message(row: dict, profile: dict, sources: dict[str, str]) -> str:
    try:
        language = message(row["language"], "language.english_name")
    except (InputError, KeyError):
        language = row["language"]
    if row["check"] == "abstract_words":
        what = f"the {language} abstract has {row['value']} words"
    elif row["check"] == "keywords":
        what = f"{row['item']} has {row['value']} keywords"
    else:
        what = f"the main text has {row['value']} words"
    return (
        f"{sources.get(row['item'], sources['metadata'])}: {what}; profile "
        f"{profile['name']} allows {_allowed(row)}"
    )


def check_submission(
    counts: ManuscriptCounts,
    metadata: dict,
    profile: dict,
    *,
    language: str,
    sources: dict[str, str],
) -> dict:
    """Check limits, declarations and authors; return the report (checks.json).

    ``sources`` names the files to point the user to: ``metadata`` (the
    metadata.yaml), an abstract key (``abstract``, ``abstract-en``) -> its
    file, ``main text`` -> the sections folder. Raises InputError with every
    problem, one per line, when a hard limit is not met or a required
    declaration is missing.
    """
    source = sources["metadata"]
    problems, declarations = _check_declarations(metadata, source, profile)
    problems += _check_authors(metadata, source)
    rows = _limit_rows(counts, profile, language)
    problems += [
        _limit_message(r, profile, sources) for r in rows if r["hard"] and r["status"] != "ok"
    ]
    if problems:
        raise InputError(problems)
    return {
        "profile": profile["name"],
        "profile_file": shown_source(profile["source"]),
        "counts": counts.as_dict(),
        "limits": rows,
        "soft_limits_not_met": [
            _limit_message(r, profile, sources) for r in rows if r["status"] != "ok"
        ],
        "declarations": declarations,
        "declarations_required": profile["declarations"]["required"],
        "placeholders": _placeholders(metadata, ""),
        "word_count_rule": "docs/journal-profiles.md#how-words-are-counted",
    }


# ------------------------------------------------------- pandoc defaults ---


def pandoc_defaults(
    profile: dict,
    counts: ManuscriptCounts,
    *,
    language: str = "en",
    lang: str | None = None,
    numeric: bool = False,
) -> dict:
    """A pandoc defaults file (as data) carrying the profile into the DOCX/PDF build.

    The layout (font, size, spacing, page, margins) is the same for both formats
    (reviewkit.reference_docx.effective_layout: the profile's keys or its Word
    template); the PDF font is the same family or its metric twin
    (reviewkit.typeface). ``language`` is the catalogue code the filters read
    their words from, ``lang`` the BCP 47 tag (default: the catalogue's),
    ``numeric`` whether the citation style numbers its references.
    """
    pdf = profile["pdf"]
    layout = effective_layout(profile)
    family = typeface.pdf_family(layout["font"], pdf["font_paths"], pdf.get("font"))
    return {
        "metadata": {
            "lang": lang or tag(language),
            "reviewkit-language": language,
            "reviewkit-citations": "numeric" if numeric else "author-date",
            "reviewkit-tables-wide": profile["tables"]["wide"],
            "reviewkit": {
                "profile": profile["name"],
                "anonymised": profile["anonymised"],
                "new-page-after-title": profile["new_page_after_title"],
                "counts": {
                    **{key: value for key, value in counts.abstract_words.items()},
                    "main-text": counts.main_text_words,
                    "figures": len(counts.figures),
                    "tables": counts.tables,
                },
            },
        },
        "variables": {
            "page-width": f"{layout['width_cm']}cm",
            "page-height": f"{layout['height_cm']}cm",
            "margin": {side: f"{value}cm" for side, value in layout["margins_cm"].items()},
            "mainfont": family,
            "fontsize": f"{layout['size_pt']}pt",
            "linestretch": typeface.linestretch(
                layout["line_spacing"], layout["font"], family, pdf["font_paths"]
            ),
            "line-numbers": layout["line_numbers"],
            "page-numbering": "1" if layout["page_numbers"] else "",
        },
    }


def check_language(profile: dict, language: str, metadata: dict, source: str) -> str | None:
    """The profile's required language and metadata.yaml's ``lang`` must agree with
    config.yaml's ``language``; returns the metadata's ``lang`` (or None)."""
    problem = language_mismatch(profile, language)
    if problem:
        raise InputError(problem)
    lang = metadata.get("lang")
    if lang is None:
        return None
    primary = str(lang).split("-")[0].lower()
    expected = tag(language)
    if primary != expected.split("-")[0].lower():
        raise InputError(
            f'{source}: lang: "{lang}" does not match language: {language} in config.yaml '
            f"({expected}); remove lang (config.yaml's language sets it) or make them agree"
        )
    return str(lang)


def sources_for(manuscript_dir: Path | str, counts: ManuscriptCounts) -> dict[str, str]:
    """The files a user edits for each checked item (for the messages)."""
    manuscript_dir = Path(manuscript_dir)
    metadata = str(manuscript_dir / "metadata.yaml")
    sources = {"metadata": metadata, "main text": str(manuscript_dir / "sections")}
    for key in counts.abstract_words:
        language = key.split("-", 1)[1] if "-" in key else None
        candidates = sorted(manuscript_dir.glob(f"abstract.{language or '*'}.md"))
        if language is None:  # the manuscript's own language: the file not named by another key
            others = {
                f"abstract.{k.split('-', 1)[1]}.md" for k in counts.abstract_words if "-" in k
            }
            candidates = [c for c in candidates if c.name not in others]
        sources[key] = str(candidates[0]) if len(candidates) == 1 else metadata
    return sources


def prepare_profile_build(
    *,
    markdown: Path | str,
    metadata: Path | str,
    profile: str,
    profiles_dir: Path | str,
    schema: Path | str,
    manuscript_dir: Path | str,
    language: str,
    csl: str,
    checks_out: Path | str,
    settings_out: Path | str,
    defaults_out: Path | str,
    bibliography: Path | str | None = None,
    ast: dict | None = None,
) -> dict:
    """Load the profile, check the manuscript against it and write the three
    files the later steps read: the report (checks.json), the profile with its
    defaults and effective citation style (profile.json) and the pandoc
    defaults (pandoc.yaml). Nothing is written when a check fails. ``ast``: the
    manuscript's pandoc AST when the caller has read it already (its words are
    counted there instead of reading the Markdown again)."""
    settings = load_profile(profile, profiles_dir=profiles_dir, schema_path=schema)
    settings["csl"] = effective_style(csl, settings["csl"])
    try:
        style = resolve_csl(settings["csl"], review=Path.cwd())
    except ValueError as error:
        raise InputError(f"citation style (csl in config.yaml or the profile): {error}") from None
    meta = load_metadata(Path(metadata))
    lang = check_language(settings, language, meta, str(metadata))
    incomplete = (
        check_completeness(bibliography, strict=settings["references"]["complete"])
        if bibliography
        else []
    )
    counts = count_manuscript(ast) if ast is not None else count_file(markdown)
    report = check_submission(
        counts,
        meta,
        settings,
        language=language,
        sources=sources_for(manuscript_dir, counts),
    )
    report["csl"] = settings["csl"]
    report["incomplete_references"] = incomplete
    numeric = is_numeric_style(style)
    outputs = {
        Path(checks_out): json.dumps(report, indent=2, ensure_ascii=False) + "\n",
        Path(settings_out): json.dumps(settings, indent=2, ensure_ascii=False) + "\n",
        Path(defaults_out): yaml.safe_dump(
            pandoc_defaults(settings, counts, language=language, lang=lang, numeric=numeric),
            allow_unicode=True,
            sort_keys=False,
        ),
    }
    for path, text in outputs.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return report
