"""The documented data dictionary is the schema's, not a copy that drifts."""

from reviewkit.data_dictionary import PAGE, SCHEMA, data_dictionary
from reviewkit.validation import load_schema


def test_committed_page_matches_the_schema():
    expected = data_dictionary(load_schema(SCHEMA))
    assert PAGE.read_text(encoding="utf-8") == expected, (
        "docs/data-dictionary.md is out of date: run python -m reviewkit.data_dictionary"
    )


def test_every_column_is_described():
    schema = load_schema(SCHEMA)
    assert all(spec.get("description") for spec in schema["properties"].values())
