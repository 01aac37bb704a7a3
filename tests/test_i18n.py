"""The message catalogues: every language has the same keys, and lookups fail loudly."""

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
