"""The message catalogues: every language has the same keys, and lookups fail loudly."""

import re
from pathlib import Path

import pytest

from reviewkit import i18n
from reviewkit.errors import InputError


def flat_keys(node, prefix=""):
    if not isinstance(node, dict):
        return {prefix}
    return {key for name, child in node.items() for key in flat_keys(child, f"{prefix}{name}.")}


def test_every_language_has_the_same_keys():
    languages = i18n.available_languages()
    assert {"en", "id"} <= set(languages)
    reference = flat_keys(i18n.catalogue("en"))
    for language in languages:
        assert flat_keys(i18n.catalogue(language)) == reference, language


def test_message_fills_fields_and_names_a_missing_key():
    assert i18n.message("en", "language.tag") == "en-GB"
    with pytest.raises(KeyError, match=r"no\.such\.key"):
        i18n.message("en", "no.such.key")


def test_unknown_language_is_an_input_error():
    with pytest.raises(InputError, match="xx"):
        i18n.catalogue("xx")


def test_no_module_keeps_words_of_its_own():
    """Words live only in the catalogues: no dictionary keyed by language code."""
    package = Path(__file__).resolve().parent.parent / "reviewkit"
    found = [
        f"{path.name}:{number}"
        for path in sorted(package.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r'["\'](?:id|en)["\']\s*:\s*["\'({\[]', line)
    ]
    assert found == []


def test_the_filters_find_every_word_they_write():
    lua = (Path(__file__).resolve().parent.parent / "layout" / "filters").glob("*.lua")
    used = {
        key
        for path in lua
        for key in re.findall(r"words(?:\.(\w+)|\[\"([\w-]+)\"\])", path.read_text("utf-8"))
        for key in key
        if key
    }
    used -= {"tag"}  # labels.lua adds the language tag itself
    # frontmatter.lua looks the declarations up by key (words[key]).
    used |= {"funding", "competing-interests", "data-availability", "author-contributions"}
    used |= {"ai-use"}
    for language in i18n.available_languages():
        assert used <= set(i18n.section(language, "document")), language


def test_counts_take_their_word():
    assert i18n.plural("en", "text.studies", 1) == "1 study"
    assert i18n.plural("en", "text.studies", 4) == "4 studies"
    assert i18n.plural("id", "text.studies", 4) == "4 studi"
    assert i18n.plural("id", "text.studies", 1234, "1.234") == "1.234 studi"
