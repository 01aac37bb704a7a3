"""The words the tool writes, one message catalogue per language.

Every label, heading and phrase that reviewkit generates (table and figure
labels, PRISMA boxes, declaration headings, words such as "and" or "CI") lives
in ``reviewkit/locales/<language>.yaml``, one file per language. Adding a
language is adding one file; nothing else in the code names a language.

Catalogues are nested mappings; a message is addressed by a dotted key,
``message("en", "prisma.identified")``. ``{name}`` fields are filled with
``str.format`` keywords.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from reviewkit.errors import InputError

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
        return yaml.safe_load(handle) or {}


def message(language: str, key: str, **fields: object) -> str:
    """One message by dotted key, with ``{field}`` placeholders filled in."""
    node: object = catalogue(language)
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"message {key!r} is missing from reviewkit/locales/{language}.yaml")
        node = node[part]
    if not isinstance(node, str):
        raise KeyError(f"message {key!r} in reviewkit/locales/{language}.yaml is not a string")
    return node.format(**fields) if fields else node


def section(language: str, key: str) -> dict:
    """A sub-mapping of the catalogue, e.g. all PRISMA box labels."""
    node: object = catalogue(language)
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"section {key!r} is missing from reviewkit/locales/{language}.yaml")
        node = node[part]
    if not isinstance(node, dict):
        raise KeyError(f"{key!r} in reviewkit/locales/{language}.yaml is not a mapping")
    return node
