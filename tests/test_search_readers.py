"""Reading database exports: every format to the same record fields, clear
one-line errors for files that cannot be read, and record ids that stay put.

The fixtures are synthetic (tests/fixtures/search/README.md); the expected
values below are read off the fixture files by hand.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reviewkit.errors import InputError
from reviewkit.search.readers import (
    RECORD_COLUMNS,
    parse_csv,
    parse_medline,
    parse_ris,
    read_search_folder,
    read_sources_metadata,
)
from reviewkit.search.text import normalise_doi, normalise_title, split_authors, surname

FIXTURES = Path(__file__).parent / "fixtures" / "search"


def copy_fixture(name: str, tmp_path: Path) -> Path:
    target = tmp_path / "search"
    shutil.copytree(FIXTURES / name, target)
    return target


def by_file(records, name):
    return records[records["source_file"] == name].reset_index(drop=True)


@pytest.fixture(scope="module")
def formats():
    return read_search_folder(FIXTURES / "formats", "data/search")


def test_every_format_gives_the_same_fields(formats):
    assert list(formats.records.columns) == RECORD_COLUMNS
    assert [s.file for s in formats.sources] == ["library.bib", "pop.csv", "pubmed.nbib", "wos.txt"]
    assert [s.format for s in formats.sources] == [
        "bibtex",
        "csv:publish-or-perish",
        "medline",
        "wos",
    ]
    assert [s.records for s in formats.sources] == [2, 2, 2, 1]
    assert formats.records["position"].tolist() == [1, 2, 1, 2, 1, 2, 1]


def test_medline_record(formats):
    first = by_file(formats.records, "pubmed.nbib").iloc[0]
    assert first["title"] == (
        "Synthetic trial of oxytocin massage and milk volume in first-time mothers: "
        "a randomised study."
    )
    assert first["authors"] == ["van der Berg A", "Dewi S"]
    assert first["first_author"] == "van der Berg"  # from FAU "van der Berg, Anna"
    assert first["year"] == 2021
    assert first["journal"] == "Test Journal of Midwifery"
    assert first["doi"] == "10.5555/test.nbib.1"  # the [doi] identifier, not the [pii]
    assert first["pmid"] == "90000001"
    assert first["abstract"] == "A synthetic abstract that runs over two lines."


def test_bibtex_latex_is_decoded_and_names_split(formats):
    entry = by_file(formats.records, "library.bib").iloc[0]
    assert entry["title"] == "Oxytocin massage in São Paulo: a Müller-style trial"
    assert entry["authors"] == ["Müller, Jörg", "Dewi, Sartika"]
    assert entry["first_author"] == "Müller"
    assert entry["doi"] == "10.5555/test.bib.1"
    assert entry["pmid"] == "90000003"
    proceedings = by_file(formats.records, "library.bib").iloc[1]
    assert proceedings["journal"] == "Proceedings of a Test Conference"
    assert proceedings["first_author"] == "Putri"  # "Ayu Putri": BibTeX's First Last


def test_publish_or_perish_csv(formats):
    rows = by_file(formats.records, "pop.csv")
    assert rows.loc[0, "authors"] == ["A. Šuňovská", "V. Hasíková"]
    assert rows.loc[0, "first_author"] == "Šuňovská"
    assert rows.loc[0, "journal"] == "Test Journal of Midwifery"  # PoP's "Source"
    assert rows.loc[0, "doi"] == "10.5555/test.pop.1"  # "doi:" prefix removed
    # a title that looks like a formula is kept exactly as text
    assert rows.loc[1, "title"] == '=HYPERLINK("https://example.org")'


def test_web_of_science_plain_text(formats):
    record = by_file(formats.records, "wos.txt").iloc[0]
    assert record["title"] == "Synthetic Web of Science record about oxytocin massage"
    assert record["authors"] == ["Lestari, I", "Kusuma, B"]
    assert (record["year"], record["doi"], record["pmid"]) == (
        2016,
        "10.5555/test.wos.1",
        "90000004",
    )


def test_scopus_csv_takes_source_title_not_source():
    known = read_search_folder(FIXTURES / "known")
    scopus = by_file(known.records, "scopus.csv")
    assert set(scopus["journal"]) == {"Jurnal Uji Coba Kebidanan", "Test Journal of Midwifery"}
    assert scopus.loc[0, "authors"] == ["Dewi S.", "Rahma N."]
    assert scopus.loc[5, "authors"] == []  # "[No author name available]"
    assert known.sources[1].format == "csv:scopus"


def test_ris_with_bom_keeps_its_first_record(tmp_path):
    text = "TY  - JOUR\nTI  - First\nPY  - 2020\nER  - \n\nTY  - JOUR\nTI  - Second\nER  - \n"
    folder = tmp_path / "search"
    folder.mkdir()
    (folder / "a.ris").write_bytes(b"\xef\xbb\xbf" + text.encode())
    records = read_search_folder(folder).records
    assert records["title"].tolist() == ["First", "Second"]


def test_cut_off_ris_is_an_error_not_a_lost_record():
    with pytest.raises(InputError, match=r"x\.ris: 2 records start .* but 1 end"):
        parse_ris("TY  - JOUR\nTI  - A\nER  - \nTY  - JOUR\nTI  - B\n", "x.ris")


def test_text_that_is_not_ris_is_an_error():
    with pytest.raises(InputError, match="no RIS record found"):
        parse_ris("Title,Year\nA,2020\n", "x.ris")


def test_medline_without_pmid_lines_is_an_error():
    with pytest.raises(InputError, match="no MEDLINE record found"):
        parse_medline("TI  - A title\n", "x.nbib")


def test_csv_without_title_column_names_the_columns_found():
    with pytest.raises(InputError) as error:
        parse_csv("Name;Jahr\nA;2020\n", "data/search/x.csv")
    (line,) = error.value.lines
    assert line.startswith("data/search/x.csv: no title column")
    assert '"Name", "Jahr"' in line


def test_csv_row_with_fewer_cells_reads_them_as_empty():
    records, _fmt = parse_csv("Title,Authors,Year\nA study,,2020\nAnother study\n", "x.csv")
    assert [(r["title"], r["authors"], r["year"]) for r in records] == [
        ("A study", [], 2020),
        ("Another study", [], None),
    ]


def test_semicolon_csv_with_indonesian_headers():
    records, fmt = parse_csv("Judul;Penulis;Tahun;Jurnal\nPijat oksitosin;Sari D.;2021;J\n", "x")
    assert fmt == "csv"
    assert (records[0]["title"], records[0]["year"], records[0]["first_author"]) == (
        "Pijat oksitosin",
        2021,
        "Sari",
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            "Título\n".encode("latin-1"),
            r"line 1: byte 0xed is not UTF-8 .* save it with encoding UTF-8",
        ),
        ("TY  - JOUR\n".encode("utf-16"), "UTF-16 text; save or export it as UTF-8"),
    ],
)
def test_other_encodings_get_one_line_with_a_hint(tmp_path, data, expected):
    folder = tmp_path / "search"
    folder.mkdir()
    (folder / "export.ris").write_bytes(data)
    with pytest.raises(InputError, match=expected) as error:
        read_search_folder(folder, "data/search")
    assert len(error.value.lines) == 1
    assert error.value.lines[0].startswith("data/search/export.ris: ")


def test_unknown_extension_is_named(tmp_path):
    folder = tmp_path / "search"
    folder.mkdir()
    (folder / "notes.docx").write_bytes(b"x")
    (folder / ".DS_Store").write_bytes(b"x")  # hidden files are not exports
    with pytest.raises(InputError, match=r"notes\.docx: unknown export format \.docx"):
        read_search_folder(folder, "data/search")


def test_sources_yaml_names_databases_dates_and_queries(tmp_path):
    folder = copy_fixture("known", tmp_path)
    (folder / "sources.yaml").write_text(
        "sources:\n"
        "  garuda.ris:\n    database: Garuda\n    date: 2024-05-01\n"
        "    query: pijat oksitosin AND ASI\n"
        "  scopus.csv:\n    database: Scopus\n    date: '2024-05-02'\n"
        '    query: TITLE-ABS-KEY("oxytocin massage")\n',
        encoding="utf-8",
    )
    export = read_search_folder(folder)
    assert [(s.database, s.date, s.query) for s in export.sources] == [
        ("Garuda", "2024-05-01", "pijat oksitosin AND ASI"),
        ("Scopus", "2024-05-02", 'TITLE-ABS-KEY("oxytocin massage")'),
    ]
    assert set(export.records["database"]) == {"Garuda", "Scopus"}


def test_sources_yaml_problems_one_line_each(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n"
        "  a.ris:\n    database: PubMed\n    date: 01/05/2024\n    querry: x\n"
        "  b.ris:\n    kind: website\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as error:
        read_sources_metadata(path, "data/search/sources.yaml")
    assert error.value.lines == [
        "data/search/sources.yaml: sources.a.ris: unknown key 'querry'; "
        "expected database, date, format, kind, query",
        "data/search/sources.yaml: sources.a.ris.date: '01/05/2024' is not a date written "
        "YYYY-MM-DD",
        "data/search/sources.yaml: sources.b.ris.kind: 'website'; expected database or register",
    ]


def test_sources_yaml_naming_a_missing_file(tmp_path):
    folder = copy_fixture("known", tmp_path)
    (folder / "sources.yaml").write_text("sources:\n  pubmed.nbib:\n    database: PubMed\n")
    with pytest.raises(InputError, match=r"sources\.pubmed\.nbib: no such file"):
        read_search_folder(folder, "data/search")


def test_record_ids_survive_added_records_and_files(tmp_path):
    folder = copy_fixture("known", tmp_path)
    before = read_search_folder(folder).records.set_index(["source_file", "position"])
    ris = folder / "garuda.ris"
    extra = "TY  - JOUR\nTI  - A record exported later\nPY  - 2024\nER  - \n\n"
    ris.write_text(extra + ris.read_text(encoding="utf-8"), encoding="utf-8")  # now first
    (folder / "a_pubmed.nbib").write_text("PMID- 1\nTI  - Another file\nDP  - 2024\n")
    after = read_search_folder(folder).records
    old = after[after["title"] != "A record exported later"]
    old = old[old["source_file"] != "a_pubmed.nbib"]
    assert sorted(old["record_id"]) == sorted(before["record_id"])
    assert after["record_id"].is_unique


def test_normalisers():
    assert normalise_doi("https://doi.org/10.5555/ABC") == "10.5555/abc"
    assert normalise_doi("http://dx.doi.org/10.5555/A%2FB") == "10.5555/a/b"
    assert normalise_doi("DOI: 10.5555/X") == "10.5555/x"
    assert normalise_doi("N/A") == "N/A"  # kept, but never used to match
    assert normalise_title("São  Paulo: <i>Müller</i>'s study!") == "sao paulo muller s study"
    assert split_authors("Smith, J., Doe, A.B.") == ["Smith, J.", "Doe, A.B."]
    assert split_authors("Smith J.; Doe A.") == ["Smith J.", "Doe A."]
    assert [surname(n) for n in ("Smith, J.", "Smith JA", "J. Smith", "Dewi Sartika")] == [
        "Smith",
        "Smith",
        "Smith",
        "Sartika",
    ]
