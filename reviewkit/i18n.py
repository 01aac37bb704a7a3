"""The words the tool writes, one message catalogue per language.

Every label, heading and phrase that reviewkit generates (table and figure
labels, PRISMA boxes, declaration headings, words such as "and" or "CI") lives
in ``reviewkit/locales/<language>.yaml``, one file per language. Adding a
language is adding one file; nothing else in the code names a language.

Catalogues are nested mappings; a message is addressed by a dotted key,
``message("en", "prisma.identified")``. ``{name}`` fields are filled with
``str.format`` keywords. A count takes its form from ``plural`` (``one`` for
1, ``other`` otherwise: enough for the languages shipped; a language with
more forms adds keys and a rule here).

The Lua filters read the same files (``layout/filters/labels.lua`` parses
the ``document`` section with pandoc's YAML reader), so the words in the DOCX,
PDF and HTML also come only from here. See docs/language.md.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reviewkit.errors import InputError
from reviewkit.fast_yaml import safe_load

LOCALES_DIR = Path(__file__).resolve().parent / "locales"


def available_languages() -> list[str]:
    """Language codes that have a catalogue (file names without .yaml)."""
    return sorted(path.stem for path in LOCALES_DIR.glob("*.yaml"))


@cache
def catalogue(language: str) -> dict:
    """The whole catalogue of one language (cached; do not modify it)."""
    path = LOCALES_DIR / f"{language}.yaml"
    if not path.is_file():
        known = ", ".join(available_languages())
        raise InputError(
            f"language {language!r} has no message catalogue; expected one of: {known}"
        )
    with open(path, encoding="utf-8") as handle:
        return safe_load(handle) or {}


def _lookup(language: str, key: str) -> object:
    """The node at a dotted key of the catalogue; KeyError naming key and file."""
    node: object = catalogue(language)
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"{key!r} is missing from reviewkit/locales/{language}.yaml")
        node = node[part]
    return node


def message(language: str, key: str, **fields: object) -> str:
    """One message by dotted key, with ``{field}`` placeholders filled in."""
    node = _lookup(language, key)
    if not isinstance(node, str):
        raise KeyError(f"message {key!r} in reviewkit/locales/{language}.yaml is not a string")
    return node.format(**fields) if fields else node


def section(language: str, key: str) -> dict:
    """A sub-mapping of the catalogue, e.g. all PRISMA box labels."""
    node = _lookup(language, key)
    if not isinstance(node, dict):
        raise KeyError(f"{key!r} in reviewkit/locales/{language}.yaml is not a mapping")
    return node


def plural(language: str, key: str, n: int, shown: str | None = None) -> str:
    """A count with its word, e.g. ``plural("en", "text.studies", 4)`` -> "4 studies";
    ``shown`` is the number as written (e.g. with a thousands separator)."""
    forms = section(language, key)
    return forms["one" if n == 1 else "other"].format(n=n if shown is None else shown)


def tag(language: str) -> str:
    """The BCP 47 tag of the language (pandoc's ``lang``), e.g. "en-GB"."""
    return message(language, "language.tag")
