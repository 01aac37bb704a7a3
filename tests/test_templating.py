"""Placeholders: numbers from the data, in the manuscript's language; clear errors;
values printed as literal text; templates in a sandbox."""

import pytest
from conftest import as_read

from reviewkit.errors import InputError
from reviewkit.safe_markdown import Markdown
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
    assert as_read(render(tmp_path, text, context)) == (
        "15 studi, 1.532 ibu, rasio 2,02, p < 0,05, 2024"
    )
    assert as_read(render(tmp_path, text, context, "en")) == (
        "15 studi, 1,532 ibu, rasio 2.02, p < 0.05, 2024"
    )


def test_pandoc_attributes_survive(tmp_path):
    text = "![Caption]({{ path }}){#fig-year}\n"
    path = Markdown("results/figures/a.png")
    assert render(tmp_path, text, {"path": path}) == (
        "![Caption](results/figures/a.png){#fig-year}\n"
    )


def test_data_values_are_escaped_and_the_tools_markdown_is_not(tmp_path):
    text = "*{{ cell }}* {{ table }}"
    context = {"cell": "<b>x</b> @key $y$", "table": Markdown("| *a* |")}
    rendered = render(tmp_path, text, context)
    assert rendered == r"*\<b\>x\<\/b\> \@key \$y\$* | *a* |"


def test_set_blocks_and_macros_keep_the_authors_markup(tmp_path):
    text = (
        "{% set x %}*{{ v }}*{% endset %}{{ x }} "
        "{% macro m(v) %}_{{ v }}_{% endmacro %}{{ m(v) }} {{ v ~ '' }}"
    )
    assert render(tmp_path, text, {"v": "a_b"}) == r"*a\_b* _a\_b_ a\_b"


@pytest.mark.parametrize(
    "expression",
    [
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{ ''.__class__.__mro__ }}",
        "{{ joiner.__call__.__globals__ }}",
        "{{ (1).__class__.__subclasses__() }}",
    ],
)
def test_templates_cannot_reach_python(tmp_path, expression):
    with pytest.raises(InputError) as caught:
        render(tmp_path, "Baris.\n" + expression + "\n", {})
    (line,) = caught.value.lines
    assert line.startswith(f"{tmp_path / 'section.md'}: line 2: not allowed in a template")


def test_includes_come_from_the_manuscript_folder_only(tmp_path):
    manuscript = tmp_path / "manuscript"
    (manuscript / "sections").mkdir(parents=True)
    (manuscript / "parts").mkdir()
    (manuscript / "parts" / "note.md").write_text("Catatan {{ n }}.", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("rahasia", encoding="utf-8")
    (manuscript / "parts" / "link.md").symlink_to(tmp_path / "secret.txt")
    section = manuscript / "sections" / "01.md"

    def with_include(name):
        section.write_text(f'Awal.\n{{% include "{name}" %}}\n', encoding="utf-8")
        return render_template(section, {"n": 3}, "id", root=manuscript)

    assert with_include("parts/note.md") == "Awal.\nCatatan 3.\n"
    for name in ("../secret.txt", "/etc/passwd", "parts/../../secret.txt", "parts/link.md"):
        with pytest.raises(InputError) as caught:
            with_include(name)
        (line,) = caught.value.lines
        assert line.startswith(f"{section}: line 2: include or import refused"), line
    with pytest.raises(InputError, match=r"line 2: no template \"parts/none.md\""):
        with_include("parts/none.md")


def test_an_error_in_an_included_file_names_that_file(tmp_path):
    (tmp_path / "part.md").write_text("a\n\n{{ 1 / 0 }}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        render(tmp_path, 'x {% include "part.md" %}', {})
    assert caught.value.lines == [
        f"{tmp_path / 'part.md'}: line 3: ZeroDivisionError: division by zero"
    ]


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


# ------------------------------------------------ compiled templates kept ----


def kept_environment(folder, monkeypatch, write_bytecode=True, **settings):
    """A template environment over ``folder`` that keeps its compiled templates
    (unless Python writes no bytecode, as with PYTHONDONTWRITEBYTECODE)."""
    from reviewkit.templating import keep_compiled_templates, make_environment

    monkeypatch.setattr("sys.dont_write_bytecode", not write_bytecode)
    environment = make_environment(folder, "en")
    environment.filters.update(settings.pop("filters", {}))
    for name, value in settings.items():
        setattr(environment, name, value)
    keep_compiled_templates(environment, folder)
    return environment


def refuse_to_compile(environment):
    def compile_(*args, **kwargs):
        raise AssertionError("compiled again")

    environment.compile = compile_


def test_a_compiled_template_is_reused_until_its_source_changes(tmp_path, monkeypatch):
    (tmp_path / "block.md").write_text("{{ n }} studies\n", encoding="utf-8")
    first = kept_environment(tmp_path, monkeypatch)
    assert first.get_template("block.md").render(n=3) == "3 studies\n"
    assert list((tmp_path / "__pycache__").glob("jinja-*/*.cache"))

    again = kept_environment(tmp_path, monkeypatch)
    refuse_to_compile(again)  # a new process: the code comes from the cache
    assert again.get_template("block.md").render(n=4) == "4 studies\n"

    (tmp_path / "block.md").write_text("{{ n }} trials\n", encoding="utf-8")
    changed = kept_environment(tmp_path, monkeypatch)
    assert changed.get_template("block.md").render(n=5) == "5 trials\n"


def test_the_sandbox_holds_for_a_template_read_from_the_cache(tmp_path, monkeypatch):
    from jinja2.exceptions import SecurityError

    (tmp_path / "block.md").write_text("{{ ''.__class__.__mro__ }}\n", encoding="utf-8")
    for _ in range(2):  # compiled, then from the cache
        environment = kept_environment(tmp_path, monkeypatch)
        with pytest.raises(SecurityError):
            environment.get_template("block.md").render()
    assert list((tmp_path / "__pycache__").glob("jinja-*/*.cache"))


def test_other_settings_never_read_each_others_code(tmp_path, monkeypatch):
    (tmp_path / "block.md").write_text("{% if x %}\nyes\n{% endif %}\n", encoding="utf-8")
    plain = kept_environment(tmp_path, monkeypatch)
    assert plain.get_template("block.md").render(x=True) == "\nyes\n\n"
    trimmed = kept_environment(tmp_path, monkeypatch, trim_blocks=True)
    assert trimmed.get_template("block.md").render(x=True) == "yes\n"
    assert len(list((tmp_path / "__pycache__").glob("jinja-*"))) == 2


def test_a_filter_called_another_way_gets_code_of_its_own(tmp_path, monkeypatch):
    """Jinja compiles a call to a filter that takes the context differently: a tool
    whose filter changes that way must not reuse the old compiled code."""
    import jinja2

    (tmp_path / "block.md").write_text("{{ 'x' | shout }}\n", encoding="utf-8")
    plain = kept_environment(tmp_path, monkeypatch, filters={"shout": str.upper})
    assert plain.get_template("block.md").render() == "X\n"

    @jinja2.pass_context
    def shout(context, text):
        return text.upper() * 2

    contextual = kept_environment(tmp_path, monkeypatch, filters={"shout": shout})
    assert contextual.get_template("block.md").render() == "XX\n"


def test_no_cache_where_none_can_be_written_or_none_is_wanted(tmp_path, monkeypatch):
    (tmp_path / "block.md").write_text("{{ n }}\n", encoding="utf-8")
    (tmp_path / "__pycache__").write_text("a file where the folder would be")
    environment = kept_environment(tmp_path, monkeypatch)
    assert environment.get_template("block.md").render(n=1) == "1\n"

    other = tmp_path / "other"
    other.mkdir()
    (other / "block.md").write_text("{{ n }}\n", encoding="utf-8")
    environment = kept_environment(other, monkeypatch, write_bytecode=False)
    assert environment.get_template("block.md").render(n=2) == "2\n"
    assert not (other / "__pycache__").exists()
