"""Placeholders: numbers from the data, in the manuscript's language; clear errors."""

import pytest

from reviewkit.errors import InputError
from reviewkit.templating import join_words, render_template


def render(tmp_path, text, context, language="id"):
    path = tmp_path / "section.md"
    path.write_text(text, encoding="utf-8")
    return render_template(path, context, language)


def test_numbers_are_formatted_for_the_language(tmp_path):
    text = (
        "{{ n }} studi, {{ total }} ibu, rasio {{ r | num(2) }}, {{ p | p('<') }}, {{ y | year }}"
    )
    context = {"n": 15, "total": 1532, "r": 2.0164, "p": 0.05, "y": 2024}
    assert render(tmp_path, text, context) == "15 studi, 1.532 ibu, rasio 2,02, p < 0,05, 2024"
    assert render(tmp_path, text, context, "en") == (
        "15 studi, 1,532 ibu, rasio 2.02, p < 0.05, 2024"
    )


def test_pandoc_attributes_survive(tmp_path):
    text = "![Caption]({{ path }}){#fig-year}\n"
    assert render(tmp_path, text, {"path": "a.png"}) == "![Caption](a.png){#fig-year}\n"


def test_unknown_placeholder_names_file_and_line(tmp_path):
    with pytest.raises(InputError) as caught:
        render(tmp_path, "Baris satu.\n\nAda {{ n_studis }} studi.\n", {"n_studies": 15})
    (line,) = caught.value.lines
    assert line.startswith(f"{tmp_path / 'section.md'}: line 3: placeholder does not exist")
    assert "'n_studis' is undefined" in line and "n_studies" in line


def test_missing_nested_value_names_the_line(tmp_path):
    with pytest.raises(InputError, match=r"line 2: placeholder does not exist"):
        render(tmp_path, "x\n{{ sample_size.mean }}\n", {"sample_size": {"median": 3}})


def test_empty_value_is_an_error_not_a_blank(tmp_path):
    with pytest.raises(InputError, match=r"line 1: the placeholder has no value"):
        render(tmp_path, "{{ ratio }}", {"ratio": None})


def test_syntax_error_names_the_line(tmp_path):
    with pytest.raises(InputError, match=r"line 2: "):
        render(tmp_path, "ok\n{{ n_studies \n", {"n_studies": 1})


def test_join_words():
    assert join_words(["a", "b", "c"], "id") == "a, b dan c"
    assert join_words(["a"], "en") == "a"
