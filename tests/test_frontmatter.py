"""Word counts, the checks against a profile, and the title page the Lua filter writes."""

from __future__ import annotations

import contextlib
import re
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest
import yaml
from conftest import ROOT
from test_assemble import TIMESTAMP, make_project

from reviewkit import assemble
from reviewkit.errors import InputError
from reviewkit.frontmatter import (
    check_submission,
    is_placeholder,
    orcid_is_valid,
    pandoc_defaults,
    sources_for,
)
from reviewkit.profiles import load_profile
from reviewkit.wordcount import count_manuscript, count_words, read_ast

# 6 words in the abstract, 3 keywords; body: 2 + 9 + 2 words counted.
MANUSCRIPT = """\
---
title: Judul
abstract: Satu dua *tiga*-nya empat – lima enam.
abstract-en: One two three.
keywords: [a, b, c]
keywords-en: [x, y]
---

# Pendahuluan Singkat

Kata *ASI*-nya dihitung sekali [@dewi2020; @lestari2019], dan --- @fig-a.

| Kolom | Isi yang tidak dihitung |
|-------|-------------------------|
| a     | b c d                   |

: Judul tabel tidak dihitung. {#tbl-a}

![Keterangan gambar tidak dihitung.](fig.png){#fig-a}

# Hasil Akhir

::: {.note}
Dua kata.
:::

# Daftar Pustaka

::: {#refs}
:::

# Lampiran

Teks lampiran tidak dihitung sebagai naskah utama.

![Kedua.](fig2.png){#fig-b}
"""


@pytest.fixture(scope="module")
def counts(tmp_path_factory):
    path = tmp_path_factory.mktemp("count") / "m.md"
    path.write_text(MANUSCRIPT, encoding="utf-8")
    return count_manuscript(read_ast(path))


def test_abstract_and_keywords_are_counted_per_language(counts):
    assert counts.abstract_words == {"abstract": 6, "abstract-en": 3}
    assert counts.keywords == {"keywords": 3, "keywords-en": 2}


def test_main_text_excludes_tables_captions_references_and_appendices(counts):
    by_title = {s.title: (s.words, s.part) for s in counts.sections}
    # "Pendahuluan Singkat" 2 + "Kata ASI-nya dihitung sekali [@dewi2020; @lestari2019], dan
    # @fig-a." 8 (the lone dash is no word) = 10
    assert by_title["Pendahuluan Singkat"] == (10, "main")
    assert by_title["Hasil Akhir"] == (4, "main")
    assert by_title["Daftar Pustaka"][1] == "references"
    assert by_title["Lampiran"][1] == "after-references"
    assert counts.main_text_words == 14


def test_figures_and_tables_in_document_order(counts):
    assert counts.figures == [
        {"id": "fig-a", "source": "fig.png"},
        {"id": "fig-b", "source": "fig2.png"},
    ]
    assert counts.tables == 1


def test_count_words_on_plain_metadata():
    assert count_words({"t": "MetaString", "c": "tiga kata saja"}) == 3


def test_placeholders_and_orcid():
    assert is_placeholder("[isi pernyataan pendanaan]") and is_placeholder(" [x] ")
    assert not is_placeholder("Didanai oleh [nama lembaga].") and not is_placeholder(None)
    assert orcid_is_valid("0000-0002-1825-0097")
    assert orcid_is_valid("https://orcid.org/0000-0002-1694-233X")  # check digit X
    assert not orcid_is_valid("0000-0002-1825-0098")  # wrong check digit
    assert not orcid_is_valid("0000-0002-1825-009")


# ------------------------------------------------------------------ checks ---


def profile(**changes) -> dict:
    settings = load_profile("sinta-nursing", profiles_dir=ROOT / "profiles")
    for key, value in changes.items():
        section, _, item = key.partition("__")
        settings[section][item] = value
    return settings


AUTHOR = {
    "name": "Ani",
    "affiliation": "Universitas Contoh",
    "email": "ani@example.org",
    "corresponding": True,
    "orcid": "0000-0002-1825-0097",
}
SOURCES = {
    "metadata": "manuscript/metadata.yaml",
    "abstract": "manuscript/abstract.id.md",
    "abstract-en": "manuscript/abstract.en.md",
    "main text": "manuscript/sections",
}


def check(counts, metadata=None, **changes):
    metadata = {"author": [AUTHOR], **(metadata or {})}
    return check_submission(counts, metadata, profile(**changes), language="id", sources=SOURCES)


def test_a_required_declaration_that_is_empty_stops_the_build(counts):
    limits = {"min": None, "max": None, "hard": True}
    required = ["funding", "ai-use"]
    with pytest.raises(InputError) as failure:
        check(
            counts,
            {"declarations": {"funding": "", "ai-use": "[isi pernyataan AI]"}},
            declarations__required=required,
            limits__abstract_words=limits,
            limits__keywords=limits,
        )
    assert failure.value.lines == [
        "manuscript/metadata.yaml: declarations.funding is required by profile sinta-nursing "
        "but empty",
        "manuscript/metadata.yaml: declarations.ai-use is required by profile sinta-nursing "
        'but empty (it still holds the placeholder "[isi pernyataan AI]")',
    ]


def test_filled_declarations_pass_and_are_reported(counts):
    limits = {"min": None, "max": None, "hard": True}
    report = check(
        counts,
        {"declarations": {"funding": "Tidak ada.", "ai-use": "[isi]"}},
        declarations__required=["funding"],
        limits__abstract_words=limits,
        limits__keywords=limits,
    )
    assert report["declarations"]["funding"] == "filled"
    assert report["declarations"]["ai-use"] == "placeholder"
    assert report["declarations"]["data-availability"] == "empty"
    assert report["placeholders"] == ["declarations.ai-use"]


def test_hard_limits_stop_the_build_with_the_numbers(counts):
    with pytest.raises(InputError) as failure:
        check(counts)  # sinta: abstract 100-250 words, 3-6 keywords
    assert failure.value.lines == [
        "manuscript/abstract.id.md: the Indonesian abstract has 6 words; profile sinta-nursing "
        "allows 100 to 250",
        "manuscript/abstract.en.md: the English abstract has 3 words; profile sinta-nursing "
        "allows 100 to 250",
        "manuscript/metadata.yaml: keywords-en has 2 keywords; profile sinta-nursing allows 3 to 6",
    ]


def test_soft_limits_are_only_reported(counts):
    soft = {"min": None, "max": 5, "hard": False}
    report = check(
        counts, limits__abstract_words=soft, limits__keywords=soft, limits__main_text_words=soft
    )
    assert report["soft_limits_not_met"] == [
        "manuscript/abstract.id.md: the Indonesian abstract has 6 words; profile sinta-nursing "
        "allows at most 5",
        "manuscript/sections: the main text has 14 words; profile sinta-nursing allows at most 5",
    ]
    statuses = {(row["item"], row["status"]) for row in report["limits"]}
    assert ("abstract-en", "ok") in statuses and ("main text", "too high") in statuses


def test_authors_are_checked(counts):
    loose = {"min": None, "max": None, "hard": True}
    authors = [
        {"name": "Ani", "orcid": "0000-0002-1825-0098", "email": "ani(at)example.org"},
        {"name": "Budi", "corresponding": True},
    ]
    with pytest.raises(InputError) as failure:
        check(counts, {"author": authors}, limits__abstract_words=loose, limits__keywords=loose)
    lines = failure.value.lines
    assert any(
        line.startswith(
            'manuscript/metadata.yaml: author 1: orcid "0000-0002-1825-0098" is not an ORCID iD'
        )
        for line in lines
    )
    assert (
        'manuscript/metadata.yaml: author 1: email "ani(at)example.org" is not an e-mail '
        "address" in lines
    )
    assert "manuscript/metadata.yaml: author 2: the corresponding author has no email" in lines
    with pytest.raises(InputError, match="no author has corresponding: true"):
        check(
            counts,
            {"author": [{"name": "Ani"}]},
            limits__abstract_words=loose,
            limits__keywords=loose,
        )


def test_pandoc_defaults_carry_layout_and_counts(counts):
    defaults = pandoc_defaults(
        load_profile("international-apa", profiles_dir=ROOT / "profiles"), counts
    )
    variables = defaults["variables"]
    # Word's double spacing of Times New Roman: 2 x 1.15 em between baselines;
    # typst: cap height of TeX Gyre Termes (0.662 em) + 0.65 em x linestretch.
    assert variables["line-numbers"] is True
    assert 0.662 + 0.65 * variables["linestretch"] == pytest.approx(2 * 1.15, abs=0.005)
    assert variables["fontsize"] == "12pt" and variables["mainfont"] == "TeX Gyre Termes"
    assert variables["page-width"] == "21.001cm" and variables["page-height"] == "29.7cm"
    assert variables["margin"] == dict.fromkeys(("top", "right", "bottom", "left"), "2.5cm")
    assert defaults["metadata"]["lang"] == "en-GB"
    assert defaults["metadata"]["reviewkit-language"] == "en"
    meta = defaults["metadata"]["reviewkit"]
    assert meta["anonymised"] is True
    assert meta["counts"] == {
        "abstract": 6,
        "abstract-en": 3,
        "main-text": 14,
        "figures": 2,
        "tables": 1,
    }


def test_sources_name_the_abstract_files(tmp_path, counts):
    (tmp_path / "abstract.id.md").write_text("x", encoding="utf-8")
    (tmp_path / "abstract.en.md").write_text("x", encoding="utf-8")
    sources = sources_for(tmp_path, counts)
    assert sources["abstract"] == str(tmp_path / "abstract.id.md")
    assert sources["abstract-en"] == str(tmp_path / "abstract.en.md")


# --------------------------------------------- the filter: three documents ---

FRONT = {
    "running-title": "Pijat oksitosin",
    "author": [
        {
            "name": "Ani Lestari",
            "affiliation": "Universitas Contoh",
            "orcid": "0000-0002-1825-0097",
            "email": "ani@example.org",
            "corresponding": True,
            "address": "Jalan Contoh 1, Kota",
        },
        {"name": "Budi Santoso", "affiliation": "Universitas Lain"},
    ],
    "declarations": {"funding": "Tidak ada pendanaan khusus.", "ai-use": "Tidak ada."},
}


@pytest.fixture(scope="module")
def front_project(tmp_path_factory) -> Path:
    project = make_project(tmp_path_factory.mktemp("front"))
    text = (project / "manuscript.md").read_text(encoding="utf-8")
    header, body = text.split("\n---\n", 1)
    meta = yaml.safe_load(header.removeprefix("---\n"))
    meta.update(FRONT)
    (project / "manuscript.md").write_text(
        "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + body, encoding="utf-8"
    )
    return project


def defaults_file(project: Path, anonymised: bool) -> Path:
    path = project / f"profile-{anonymised}.yaml"
    data = pandoc_defaults(
        load_profile("international-apa", profiles_dir=ROOT / "profiles"),
        count_manuscript(read_ast(project / "manuscript.md")),
        language="id",  # the fixture manuscript is Indonesian
    )
    data["metadata"]["reviewkit"]["anonymised"] = anonymised
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def build_part(project: Path, kind: str, part: str, anonymised: bool = False) -> Path:
    output = f"out/{part}-{anonymised}.{kind}"
    builder = assemble.build_docx if kind == "docx" else assemble.build_pdf
    with contextlib.chdir(project):
        builder(
            "manuscript.md",
            output,
            bibliography="references.bib",
            csl="apa",
            timestamp=TIMESTAMP,
            extra_defaults=[defaults_file(project, anonymised)],
            metadata={"reviewkit-part": part},
        )
    return project / output


def paragraphs(path: Path) -> list[tuple[str, str]]:
    return [
        (p.style.name, p.text.replace("\xa0", " ")) for p in docx.Document(str(path)).paragraphs
    ]


def all_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(
            z.read(n).decode("utf-8", "replace")
            for n in z.namelist()
            if n.endswith((".xml", ".rels"))
        )


def test_manuscript_with_authors_has_the_title_page_lines(front_project):
    found = paragraphs(build_part(front_project, "docx", "main"))
    texts = [t for _, t in found]
    assert ("Author", "Ani Lestari1*") in found and ("Author", "Budi Santoso2") in found
    assert ("Affiliation", "1Universitas Contoh") in found
    assert (
        "Title Page Info",
        "*Penulis korespondensi: Ani Lestari; Jalan Contoh 1, Kota; e-mail: ani@example.org",
    ) in found
    assert ("Title Page Info", "ORCID: Ani Lestari https://orcid.org/0000-0002-1825-0097") in found
    assert ("Title Page Info", "Judul ringkas: Pijat oksitosin") in found
    assert any(
        s == "Title Page Info"
        and t.startswith("Jumlah kata: Abstrak 14; Abstract 11; naskah utama")
        for s, t in found
    )
    assert ("Heading 1", "Pernyataan") in found
    assert texts.index("Pernyataan") < texts.index("Daftar Pustaka")
    assert "Pendanaan. Tidak ada pendanaan khusus." in texts
    assert "Penggunaan alat kecerdasan artifisial (AI). Tidak ada." in texts


def test_anonymised_manuscript_names_nobody_anywhere(front_project):
    path = build_part(front_project, "docx", "main", anonymised=True)
    xml = all_xml(path)
    for secret in (
        "Ani Lestari",
        "Budi Santoso",
        "ani@example.org",
        "Universitas Contoh",
        "0000-0002-1825-0097",
        "Tidak ada pendanaan",
    ):
        assert secret not in xml, secret
    texts = [t for _, t in paragraphs(path)]
    assert "Judul ringkas: Pijat oksitosin" in texts and "Abstrak" in texts
    pdf = build_part(front_project, "pdf", "main", anonymised=True)
    reader = pypdf.PdfReader(str(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Ani Lestari" not in text and "Universitas Contoh" not in text
    assert "Ani" not in str(reader.metadata.get("/Author", ""))


def test_title_page_has_people_keywords_and_declarations_only(front_project):
    found = paragraphs(build_part(front_project, "docx", "title-page", anonymised=True))
    texts = [t for _, t in found]
    assert ("Author", "Ani Lestari1*") in found  # the title page always names the authors
    assert "Kata kunci: pijat oksitosin; produksi ASI; tinjauan literatur" in texts
    assert any(t.startswith("Keywords: oxytocin massage") for t in texts)
    assert "Pendanaan. Tidak ada pendanaan khusus." in texts
    assert "Abstrak" not in texts and "Pendahuluan" not in texts
    assert not [t for s, t in found if s == "Bibliography"]


def test_tables_document_has_the_tables_with_their_numbers(front_project):
    path = build_part(front_project, "docx", "tables")
    document = docx.Document(str(path))
    assert len(document.tables) == 1
    found = paragraphs(path)
    assert ("Table Caption", "Tabel 1. Sintesis hasil studi yang diikutkan.") in found
    assert not [t for s, t in found if s in ("Bibliography", "Author", "Image Caption")]
    assert "Ani Lestari" not in all_xml(path)


def test_pdf_has_the_same_front_matter(front_project):
    pdf = build_part(front_project, "pdf", "main")
    text = re.sub(
        r"\s+", " ", " ".join(p.extract_text() for p in pypdf.PdfReader(str(pdf)).pages)
    ).replace("\xa0", " ")
    for expected in (
        "Penulis korespondensi: Ani Lestari; Jalan Contoh 1, Kota; e-mail: ani@example.org",
        "ORCID: Ani Lestari https://orcid.org/0000-0002-1825-0097",
        "Judul ringkas: Pijat oksitosin",
        "Pernyataan",
        "Pendanaan. Tidak ada pendanaan khusus.",
    ):
        assert expected in text, expected
    assert text.index("Pernyataan") < text.index("Daftar Pustaka")


def test_an_unknown_citation_style_stops_with_one_line(tmp_path):
    from reviewkit.errors import InputError
    from reviewkit.frontmatter import prepare_profile_build

    with pytest.raises(InputError) as caught:
        prepare_profile_build(
            markdown=ROOT / "tests" / "fixtures" / "assemble" / "manuscript.md",
            metadata=ROOT / "manuscript" / "metadata.yaml",
            profile="sinta-nursing",
            profiles_dir=ROOT / "profiles",
            schema=ROOT / "schemas" / "profile.schema.yaml",
            manuscript_dir=ROOT / "manuscript",
            language="id",
            csl="apa7",
            checks_out=tmp_path / "checks.json",
            settings_out=tmp_path / "profile.json",
            defaults_out=tmp_path / "pandoc.yaml",
        )
    (line,) = caught.value.lines
    assert line.startswith("citation style (csl in config.yaml or the profile): CSL style 'apa7'")
    assert not list(tmp_path.iterdir())  # nothing written
