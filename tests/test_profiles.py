"""Journal profiles: the shipped files, the schema, and the errors a user sees."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from reviewkit.errors import InputError
from reviewkit.profiles import (
    DECLARATIONS,
    load_profile,
    profile_name,
    profile_path,
    profile_sources,
    shown_source,
)
from reviewkit.reference_docx import make_reference_docx, reference_for_profile

PROFILES = ROOT / "profiles"
SCHEMA = ROOT / "schemas" / "profile.schema.yaml"
SHIPPED = ["sinta-nursing", "international-apa", "international-vancouver"]


def load(name: str | Path) -> dict:
    return load_profile(str(name), profiles_dir=PROFILES, schema_path=SCHEMA)


def test_every_shipped_profile_is_in_the_folder_and_loads():
    assert sorted(p.stem for p in PROFILES.glob("*.yaml")) == sorted(SHIPPED)
    for name in SHIPPED:
        profile = load(name)
        assert profile["name"] == name
        assert profile["source"] == str(PROFILES / f"{name}.yaml")


def test_configured_profile_is_shipped():
    config = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    assert load(config["profile"])["name"] == "sinta-nursing"


def test_sinta_nursing():
    profile = load("sinta-nursing")
    assert profile["csl"] == "apa"
    assert profile["text"]["font"] == "Times New Roman" and profile["text"]["size_pt"] == 12
    assert profile["text"]["line_spacing"] == 1.5 and not profile["text"]["line_numbers"]
    assert profile["language"] is None  # an Indonesian or an English manuscript
    limits = profile["limits"]
    assert (limits["abstract_words"]["min"], limits["abstract_words"]["max"]) == (100, 250)
    assert (limits["keywords"]["min"], limits["keywords"]["max"]) == (3, 6)
    assert limits["abstract_words"]["hard"] and limits["keywords"]["hard"]
    assert profile["declarations"]["required"] == []
    assert not profile["anonymised"]


@pytest.mark.parametrize("name", ["international-apa", "international-vancouver"])
def test_international_profiles(name):
    profile = load(name)
    assert profile["text"]["line_spacing"] == 2
    assert profile["text"]["line_numbers"] and profile["text"]["page_numbers"]
    assert profile["text"]["size_pt"] == 12
    assert profile["language"] == "en"  # international journals take English manuscripts
    assert profile["declarations"]["required"] == list(DECLARATIONS)
    assert profile["figures"]["format"] == "tiff"


def test_vancouver_specifics():
    profile = load("international-vancouver")
    assert profile["csl"] == "nlm-citation-sequence"
    assert profile["figures"]["name"] == "Fig{n}"
    assert profile["pdf"]["standard"] == "a-2b"
    assert load("international-apa")["anonymised"]


def test_every_schema_key_is_described_with_a_default():
    schema = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))
    missing = []

    def walk(node: dict, path: str) -> None:
        for key, sub in node.get("properties", {}).items():
            where = f"{path}.{key}" if path else key
            if "description" not in sub or "default" not in sub:
                missing.append(where)
            walk(sub, where)

    walk(schema, "")
    walk(schema["$defs"]["limit"], "$defs.limit")
    assert missing == []


def test_defaults_fill_a_minimal_profile(tmp_path):
    path = tmp_path / "minimal.yaml"
    path.write_text("description: only this\n", encoding="utf-8")
    profile = load(path)
    assert profile["name"] == "minimal"
    assert profile["csl"] is None  # config.yaml's csl applies
    assert profile["text"]["line_spacing"] == 1.5 and profile["page"]["paper"] == "A4"
    assert profile["tables"]["wide"] == "portrait" and not profile["references"]["complete"]
    assert profile["limits"]["main_text_words"] == {"min": None, "max": None, "hard": True}
    assert profile["files"]["title_page"] and profile["figures"]["name"] == "Fig{n}"


def test_extends_changes_only_the_keys_given(tmp_path):
    path = tmp_path / "my-journal.yaml"
    path.write_text(
        "extends: international-apa\ntext: {line_spacing: 1.5}\nlimits:\n"
        "  abstract_words: {max: 200}\n",
        encoding="utf-8",
    )
    profile = load(path)
    assert profile["text"]["line_spacing"] == 1.5
    assert profile["text"]["line_numbers"]  # kept from international-apa
    assert profile["limits"]["abstract_words"]["max"] == 200
    assert profile["anonymised"] and profile["csl"] == "apa"
    sources = profile_sources(str(path), PROFILES)
    assert sources == [str(path), str(PROFILES / "international-apa.yaml")]


def test_mistakes_are_named_with_file_key_value_and_expectation(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "text: {line_spacing: double, colour: red}\nfigures: {format: gif, name: Figure}\n"
        "declarations: {required: [funding, thanks]}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as failure:
        load(path)
    lines = failure.value.lines
    assert (
        f"{path}: text.colour: unknown key; expected one of font, size_pt, "
        "line_spacing, line_numbers, page_numbers" in lines
    )
    assert (
        f'{path}: text.line_spacing: "double" is not valid; expected a value of type '
        "number" in lines
    )
    assert f'{path}: figures.format: "gif" is not valid; expected one of tiff, png, pdf' in lines
    assert any(line.startswith(f'{path}: figures.name: "Figure" is not valid') for line in lines)
    assert any("declarations.required.1" in line and "thanks" in line for line in lines)


def test_unknown_profile_lists_the_available_ones():
    with pytest.raises(
        InputError,
        match="profiles available: international-apa, international-vancouver, sinta-nursing",
    ):
        load("no-such-journal")


def test_extends_in_a_circle_is_an_error(tmp_path):
    (tmp_path / "a.yaml").write_text(f"extends: {tmp_path / 'b.yaml'}\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text(f"extends: {tmp_path / 'a.yaml'}\n", encoding="utf-8")
    with pytest.raises(InputError, match="circle"):
        load(tmp_path / "a.yaml")


def test_missing_journal_template_is_an_error(tmp_path):
    path = tmp_path / "journal.yaml"
    path.write_text(f"docx: {{reference: {tmp_path / 'template.docx'}}}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"template\.docx: no such file"):
        load(path)


def test_names_and_paths():
    assert profile_name("sinta-nursing") == "sinta-nursing"
    assert profile_name("journals/my-journal.yaml") == "my-journal"
    assert profile_path("sinta-nursing") == PROFILES / "sinta-nursing.yaml"  # the tool's
    assert profile_path("journals/x.yaml") == Path("journals/x.yaml")  # the review's


def test_a_review_s_own_profile_is_found_before_the_shipped_ones(tmp_path, monkeypatch):
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "sinta-nursing.yaml").write_text("extends: international-apa\n")
    monkeypatch.chdir(tmp_path)
    assert profile_path("sinta-nursing") == Path("profiles/sinta-nursing.yaml")
    assert load_profile("sinta-nursing")["csl"] == "apa"  # extends the shipped profile


# ------------------------------------------------ the profile's Word file ---


def test_generated_reference_follows_the_profile(tmp_path):
    reference = reference_for_profile(load("international-apa"), tmp_path / "ref.docx")
    with zipfile.ZipFile(reference) as docx:
        document = docx.read("word/document.xml").decode()
        styles = docx.read("word/styles.xml").decode()
    assert '<w:lnNumType w:countBy="1" w:restart="continuous" />' in document
    assert 'w:line="480"' in styles and 'w:ascii="Times New Roman"' in styles
    sinta = reference_for_profile(load("sinta-nursing"), tmp_path / "sinta.docx")
    with zipfile.ZipFile(sinta) as docx:
        assert "lnNumType" not in docx.read("word/document.xml").decode()
        assert 'w:line="360"' in docx.read("word/styles.xml").decode()


def test_journal_template_is_used_as_it_is(tmp_path):
    template = make_reference_docx(tmp_path / "journal-template.docx", font="Arial")
    path = tmp_path / "journal.yaml"
    path.write_text(f"extends: sinta-nursing\ndocx: {{reference: {template}}}\n", encoding="utf-8")
    copied = reference_for_profile(load(path), tmp_path / "reference.docx")
    assert copied.read_bytes() == template.read_bytes()
    assert str(template) in profile_sources(str(path), PROFILES)


def test_a_template_that_is_no_docx_is_an_error(tmp_path):
    template = tmp_path / "template.docx"
    template.write_text("not a zip", encoding="utf-8")
    path = tmp_path / "journal.yaml"
    path.write_text(f"docx: {{reference: {template}}}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"is not a Word \.docx file"):
        reference_for_profile(load(path), tmp_path / "reference.docx")


def test_sources_of_a_missing_profile_leave_the_error_to_the_check_step():
    assert profile_sources("no-such-journal", PROFILES) == []


def test_a_profile_file_is_named_the_same_on_every_machine(tmp_path):
    """checks.json (in the submission) names the profile file without the folders
    of the machine that built it."""
    review = tmp_path / "review"
    (review / "journals").mkdir(parents=True)
    own = review / "journals" / "my-journal.yaml"
    own.write_text("extends: sinta-nursing\n", encoding="utf-8")
    elsewhere = tmp_path / "home" / "someone" / "their-journal.yaml"
    assert shown_source(own, review) == "journals/my-journal.yaml"
    built_in = ROOT / "profiles" / "sinta-nursing.yaml"
    assert shown_source(built_in, review) == "profiles/sinta-nursing.yaml (built in)"
    # the example review is the tool's own folder: the same words there
    assert shown_source(built_in, ROOT) == "profiles/sinta-nursing.yaml (built in)"
    assert shown_source(elsewhere, review) == "their-journal.yaml"
