"""Numbers in the manuscript's language."""

import pytest

from reviewkit.numfmt import format_number, format_p, format_percent


@pytest.mark.parametrize(
    ("value", "decimals", "indonesian", "english"),
    [
        (0.3, None, "0,3", "0.3"),
        (532, None, "532", "532"),
        (1234, None, "1.234", "1,234"),
        (32.0, None, "32", "32"),
        (2.0163934, 2, "2,02", "2.02"),
        (3.3333, 1, "3,3", "3.3"),
        (1234567.5, None, "1.234.567,5", "1,234,567.5"),
    ],
)
def test_numbers_follow_the_language(value, decimals, indonesian, english):
    assert format_number(value, "id", decimals) == indonesian
    assert format_number(value, "en", decimals) == english


@pytest.mark.parametrize(
    ("value", "operator", "expected"),
    [
        (0.007, "=", "p = 0,007"),
        (0.05, "<", "p < 0,05"),
        (0.0005, "<", "p < 0,0005"),
        (0.0001, "=", "p < 0,001"),  # never "p = 0,000"
        (0.032, "=", "p = 0,032"),
    ],
)
def test_p_values_in_indonesian(value, operator, expected):
    assert format_p(value, operator, "id") == expected


def test_p_operator_must_be_known():
    with pytest.raises(ValueError, match="operator"):
        format_p(0.01, ">", "id")


def test_booleans_are_not_numbers():
    with pytest.raises(TypeError):
        format_number(True, "id")


def test_percent():
    assert format_percent(0.4, "id") == "40%"
    assert format_percent(0.125, "en", 1) == "12.5%"
