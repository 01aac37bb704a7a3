"""End to end: build the submission folder of every shipped journal profile in one
temporary copy of the project, and read the files as an editor's checker would.

Sequence (one module fixture, about two minutes on 2 cores):
1. the English example (examples/bcg) with a declaration still a placeholder,
   profile international-apa: the build stops naming it and writes no folder;
2. its metadata filled in (two authors, ORCID, declarations): built with
   international-vancouver configured (figures numbered as its references) and
   the international-apa and sinta-nursing zips beside it, all in English;
3. every profile step forced to run again: the bytes must not change;
4. the Indonesian example (the top level) with its metadata filled in, as
   configured: sinta-nursing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path
from types import SimpleNamespace
from xml.etree import ElementTree as ET

import docx
import openpyxl
import pypdf
import pytest
import yaml
from conftest import read_rows
from PIL import Image
from test_layout import overlaps, pdf_runs
from test_workflow_e2e import build, copy_project, readable, snakemake

from reviewkit.typeface import METRIC_COMPATIBLE, text_width

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
PROFILES = {
    "sinta-nursing": SimpleNamespace(
        spacing="360",
        line_numbers=False,
        figure="Gambar{n}.png",
        dpi=300,
        anonymised=False,
        citation="(Colditz et al., 1994)",
        pdfa=False,
    ),
    "international-apa": SimpleNamespace(
        spacing="480",
        line_numbers=True,
        figure="Figure{n}.tif",
        dpi=300,
        anonymised=True,
        citation="(Colditz et al., 1994)",
        pdfa=False,
    ),
    "international-vancouver": SimpleNamespace(
        spacing="480",
        line_numbers=True,
        figure="Fig{n}.tif",
        dpi=600,
        anonymised=False,
        citation=None,
        pdfa=True,
    ),
}
CONFIGURED = "international-vancouver"
SIDE = [
    "results/submission/international-apa.zip",
    "results/submission/sinta-nursing.zip",
]

FILLED_BCG = """\
title: "BCG vaccination and tuberculosis: a worked example of the review workflow"
running-title: "BCG vaccination and tuberculosis"
author:
  - name: "Author One"
    affiliation: "Department of Examples, Example University, Exampleton, Country"
    orcid: "0000-0002-1825-0097"
    email: "one@example.org"
    corresponding: true
    address: "1 Example Street, Exampleton 12345, Country"
  - name: "Author Two"
    affiliation: "Institute of Examples, Example City, Country"
    email: "two@example.org"
keywords: [BCG vaccine, tuberculosis, meta-analysis]
declarations:
  funding: "No specific funding (test text)."
  competing-interests: "None declared (test text)."
  data-availability: "The data are in the supplementary file (test text)."
  author-contributions: "AO designed the review; AT extracted the data (test text)."
  ai-use: "No artificial intelligence tools were used (test text)."
"""

FILLED_ID = """\
title: "Pijat Oksitosin dan Produksi ASI pada Ibu Postpartum: Tinjauan Literatur"
running-title: "Pijat oksitosin dan produksi ASI"
author:
  - name: "Penulis Satu"
    affiliation: "Program Studi Keperawatan, Universitas Contoh, Indonesia"
    orcid: "0000-0002-1825-0097"
    email: "satu@example.org"
    corresponding: true
    address: "Jalan Contoh No. 1, Kota Contoh 12345, Indonesia"
  - name: "Penulis Dua"
    affiliation: "Program Studi Kebidanan, Institut Contoh, Indonesia"
    email: "dua@example.org"
keywords: [pijat oksitosin, produksi ASI, ibu postpartum, keperawatan maternitas,
  tinjauan literatur]
keywords-en: [oxytocin massage, breast milk production, postpartum mothers, maternity nursing,
  literature review]
declarations:
  funding: "Penelitian ini tidak menerima pendanaan khusus (teks uji)."
  competing-interests: "Para penulis menyatakan tidak ada konflik kepentingan (teks uji)."
  data-availability: "Data tersedia dalam berkas pelengkap (teks uji)."
  author-contributions: "PS merancang tinjauan; PD mengekstraksi data (teks uji)."
  ai-use: "Tidak ada alat kecerdasan artifisial yang digunakan (teks uji)."
"""


def digests(workdir: Path) -> dict[str, str]:
    """SHA-256 of every file of the submission folders, zips and results/manuscript."""
    files = [
        *(workdir / "results" / "submission").rglob("*"),
        *(workdir / "results" / "manuscript").glob("manuscript.*"),
    ]
    return {
        str(path.relative_to(workdir)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(files)
        if path.is_file()
    }


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> SimpleNamespace:
    workdir = copy_project(tmp_path_factory.mktemp("submission"))
    bcg = workdir / "examples" / "bcg"
    metadata = bcg / "manuscript" / "metadata.yaml"
    metadata.write_text(
        FILLED_BCG.replace('"No specific funding (test text)."', '"[funding statement]"'),
        encoding="utf-8",
    )
    failed = snakemake(workdir, "--directory", "examples/bcg", SIDE[0])
    wrote_folder = (bcg / "results" / "submission").exists()
    metadata.write_text(FILLED_BCG, encoding="utf-8")
    configured = ["--directory", "examples/bcg", "--config", f"profile={CONFIGURED}", "--"]
    build(workdir, *configured, "all", *SIDE)
    first = digests(bcg)
    forced = ["assemble_manuscript", "assemble_profile_manuscript", "supplement"]
    build(workdir, "--forcerun", *forced, *configured, "all", *SIDE)
    second = digests(bcg)
    (workdir / "manuscript" / "metadata.yaml").write_text(FILLED_ID, encoding="utf-8")
    build(workdir, "all")
    return SimpleNamespace(
        workdir=workdir,
        review=bcg,
        failed=failed,
        wrote_folder=wrote_folder,
        first=first,
        second=second,
    )


def folder(run, profile: str) -> Path:
    """The English example's submission folder of a profile."""
    return run.review / "results" / "submission" / profile


def indonesian(run) -> Path:
    return run.workdir / "results" / "submission" / "sinta-nursing"


def checks(run, profile: str) -> dict:
    return json.loads((folder(run, profile) / "checks.json").read_text(encoding="utf-8"))


def paragraphs(path: Path) -> list[tuple[str, str]]:
    return [(p.style.name, readable(p.text)) for p in docx.Document(str(path)).paragraphs]


def pdf_text(path: Path) -> str:
    pages = pypdf.PdfReader(str(path)).pages
    return re.sub(r"\s+", " ", readable(" ".join(page.extract_text() for page in pages)))


def part(path: Path, name: str) -> ET.Element:
    with zipfile.ZipFile(path) as z:
        return ET.fromstring(z.read(name))


# ---------------------------------------------------------- the failure ---


def test_missing_declaration_stops_the_build_and_writes_no_folder(run):
    assert run.failed.returncode != 0
    assert (
        "manuscript/metadata.yaml: declarations.funding is required by profile "
        'international-apa but empty (it still holds the placeholder "[funding statement]")'
        in run.failed.stderr
    )
    assert "Traceback" not in run.failed.stderr
    assert not run.wrote_folder


# ------------------------------------------------------------- the Word file ---


@pytest.mark.parametrize("profile", PROFILES)
def test_docx_line_numbers_spacing_and_page_numbers(run, profile):
    expected = PROFILES[profile]
    manuscript = folder(run, profile) / "manuscript.docx"
    section = part(manuscript, "word/document.xml").find(f"{W}body/{W}sectPr")
    numbering = section.find(f"{W}lnNumType")
    if expected.line_numbers:
        assert numbering.get(f"{W}countBy") == "1"
        assert numbering.get(f"{W}restart") == "continuous"
    else:
        assert numbering is None
    spacing = part(manuscript, "word/styles.xml").find(
        f"{W}docDefaults/{W}pPrDefault/{W}pPr/{W}spacing"
    )
    assert spacing.get(f"{W}line") == expected.spacing
    assert spacing.get(f"{W}lineRule") == "auto"
    footer = docx.Document(str(manuscript)).sections[0].footer._element.xml
    assert "PAGE" in footer


@pytest.mark.parametrize("profile", PROFILES)
def test_docx_styles_tables_and_captions(run, profile):
    manuscript = folder(run, profile) / "manuscript.docx"
    document = docx.Document(str(manuscript))
    names = {style.name for style in document.styles}
    for style in ("Title", "Heading 1", "Abstract", "Bibliography", "Table Caption"):
        assert style in names, style
    bibliography = document.styles["Bibliography"].paragraph_format
    assert bibliography.first_line_indent < 0 < bibliography.left_indent  # hanging indent
    found = paragraphs(manuscript)
    assert len([t for s, t in found if s == "Bibliography"]) >= 13
    counts = checks(run, profile)["counts"]
    assert len(document.tables) == counts["tables"] >= 1
    figure_captions = [t for s, t in found if s == "Image Caption"]
    assert [c.split(".")[0] for c in figure_captions] == [
        f"Figure {n}" for n in range(1, len(counts["figures"]) + 1)
    ]
    table_captions = [t for s, t in found if s == "Table Caption"]
    assert [c.split(".")[0] for c in table_captions] == [
        f"Table {n}" for n in range(1, counts["tables"] + 1)
    ]
    tables = folder(run, profile) / "tables.docx"
    assert len(docx.Document(str(tables)).tables) == counts["tables"]
    assert [t for s, t in paragraphs(tables) if s == "Table Caption"] == table_captions


@pytest.mark.parametrize("profile", PROFILES)
def test_title_page_names_authors_affiliations_and_corresponding_author(run, profile):
    found = paragraphs(folder(run, profile) / "title-page.docx")
    texts = [t for _, t in found]
    assert ("Author", "Author One1*") in found and ("Author", "Author Two2") in found
    assert (
        "Affiliation",
        "1Department of Examples, Example University, Exampleton, Country",
    ) in found
    assert (
        "*Corresponding author: Author One; 1 Example Street, Exampleton 12345, Country; "
        "e-mail: one@example.org" in texts
    )
    assert "ORCID: Author One https://orcid.org/0000-0002-1825-0097" in texts
    assert "Running title: BCG vaccination and tuberculosis" in texts
    words = checks(run, profile)["counts"]
    assert (
        f"Word count: Abstract {words['abstract_words']['abstract']}; main text "
        f"{words['main_text_words']}" in texts
    )
    assert "Keywords: BCG vaccine; tuberculosis; meta-analysis" in texts
    assert "Funding. No specific funding (test text)." in texts


@pytest.mark.parametrize("profile", PROFILES)
def test_manuscript_names_authors_unless_anonymised(run, profile):
    manuscript = folder(run, profile) / "manuscript.docx"
    with zipfile.ZipFile(manuscript) as z:
        xml = "".join(
            z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml")
        )
    pdf = folder(run, profile) / "manuscript.pdf"
    text = pdf_text(pdf)
    reader = pypdf.PdfReader(str(pdf))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    for secret in ("Author One", "one@example.org", "Example University", "test text"):
        assert (secret in xml) is not PROFILES[profile].anonymised, secret
        assert (secret in text) is not PROFILES[profile].anonymised, secret
    assert ("Author One" in xmp) is not PROFILES[profile].anonymised


# ------------------------------------------------------------ one language ---


def indonesian_words() -> set[str]:
    """Words of the Indonesian catalogue that the English one never uses."""

    def words(node) -> set[str]:
        if isinstance(node, dict):
            return set().union(*(words(v) for v in node.values()))
        if isinstance(node, str):
            return {w.lower() for w in re.findall(r"[A-Za-z]{4,}", node)}
        return set()

    catalogues = {
        code: yaml.safe_load((ROOT / "reviewkit" / "locales" / f"{code}.yaml").read_text("utf-8"))
        for code in ("id", "en")
    }
    del catalogues["id"]["language"], catalogues["en"]["language"]
    return words(catalogues["id"]) - words(catalogues["en"])


@pytest.mark.parametrize("profile", PROFILES)
def test_no_indonesian_word_in_any_english_output(run, profile):
    banned = indonesian_words()
    assert {"gambar", "tabel", "abstrak", "pernyataan", "pendanaan", "daftar", "pustaka"} <= banned
    where = folder(run, profile)
    outputs = {
        "manuscript.docx": " ".join(t for _, t in paragraphs(where / "manuscript.docx")),
        "title-page.docx": " ".join(t for _, t in paragraphs(where / "title-page.docx")),
        "tables.docx": " ".join(
            c.text
            for t in docx.Document(str(where / "tables.docx")).tables
            for row in t.rows
            for c in row.cells
        ),
        "manuscript.pdf": pdf_text(where / "manuscript.pdf"),
    }
    for name, text in outputs.items():
        found = {w for w in re.findall(r"[A-Za-z]{4,}", text) if w.lower() in banned}
        assert found == set(), (name, found)
    assert "dkk." not in outputs["manuscript.docx"] and "et al." in outputs["manuscript.pdf"]


# ------------------------------------------------------------------ the PDF ---


def fonts(path: Path) -> dict[str, dict]:
    found = {}
    for page in pypdf.PdfReader(str(path)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            inner = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            found[str(font["/BaseFont"])] = inner["/FontDescriptor"].get_object()
    return found


def docx_font(path: Path) -> str:
    defaults = part(path, "word/styles.xml").find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
    return defaults.find(f"{W}rFonts").get(f"{W}ascii")


@pytest.mark.parametrize("profile", PROFILES)
def test_pdf_uses_the_docx_typeface_and_has_the_same_text(run, profile):
    """As pdffonts lists them: every PDF font is embedded and of the family the DOCX
    declares (Times New Roman), or of its metric twin (TeX Gyre Termes) that the
    tool ships, since no Times New Roman file may be shipped."""
    pdf = folder(run, profile) / "manuscript.pdf"
    embedded = fonts(pdf)
    assert embedded and all(
        any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
        for descriptor in embedded.values()
    )
    declared = docx_font(folder(run, profile) / "manuscript.docx")
    assert declared == "Times New Roman"
    family = METRIC_COMPATIBLE[declared].replace(" ", "")
    assert {re.sub(r"^/[A-Z]{6}\+", "", n).split("-")[0] for n in embedded} == {family}
    text = pdf_text(pdf)
    word = " ".join(t for _, t in paragraphs(folder(run, profile) / "manuscript.docx"))
    for expected in (
        "BCG vaccination and tuberculosis",
        "Abstract",
        "Introduction",
        "Running title: BCG vaccination and tuberculosis",
        "References",
        "Declarations" if not PROFILES[profile].anonymised else "Results",
        "Figure 1",
        "Table 1",
    ):
        assert expected in text and expected in word, expected
    citation = PROFILES[profile].citation
    if citation:
        assert citation in text and citation in word


def test_vancouver_identifies_studies_by_their_reference_numbers(run):
    """Table 1 and the forest plot name each trial with its number in the numbered
    reference list, e.g. "Aronson (2)" where the list reads "2. Aronson. 1948."."""
    manuscript = folder(run, CONFIGURED) / "manuscript.docx"
    references = [t for s, t in paragraphs(manuscript) if s == "Bibliography"]
    numbers = {}  # (first author, year) -> number in the list
    for line in references:
        found = re.match(r"(\d+)\.\s+([^\s,.]+).*?\b(\d{4})\b", line)
        if found:
            numbers[(found.group(2), found.group(3))] = found.group(1)
    table = docx.Document(str(manuscript)).tables[0]
    cells = [readable(row.cells[1].text) for row in table.rows]
    assert cells[0] == "Study"
    trials = read_rows(run.review / "data" / "studies.csv")
    assert len(cells) == 1 + len(trials)
    forest = pdf_text(run.review / "results" / "figures" / "forest.pdf")
    pdf = pdf_text(folder(run, CONFIGURED) / "manuscript.pdf")
    for cell, trial in zip(cells[1:], trials, strict=True):
        first = trial["authors"].split()[0]
        label = re.fullmatch(rf"{re.escape(first)}.* \((\d+)\)", cell)
        expected = numbers[(first, trial["year"])]
        assert label and label.group(1) == expected, (cell, expected)
        assert cell in forest, cell  # the figure says what the table and the list say
    assert "Aronson (2)" in pdf.replace("Aron- son", "Aronson")


def test_a_side_profile_with_another_kind_of_style_is_warned(run):
    log = (run.review / "logs" / "assemble_manuscript" / "international-apa.log").read_text(
        encoding="utf-8"
    )
    assert "the figures label studies for the citation style nlm-citation-sequence" in log


def test_double_spacing_takes_more_pages(run):
    pages = {
        p: len(pypdf.PdfReader(str(folder(run, p) / "manuscript.pdf")).pages) for p in PROFILES
    }
    assert pages["international-vancouver"] > pages["sinta-nursing"] >= 4
    assert pages["international-apa"] > pages["sinta-nursing"]


@pytest.mark.parametrize("profile", PROFILES)
def test_pdf_line_numbers_and_pdfa(run, profile):
    reader = pypdf.PdfReader(str(folder(run, profile) / "manuscript.pdf"))
    second_page = reader.pages[1].extract_text().split()
    numbered = {str(n) for n in range(12, 30)} <= set(second_page)  # continuous from page 1
    assert numbered is PROFILES[profile].line_numbers
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert ("<pdfaid:part>2</pdfaid:part>" in xmp) is PROFILES[profile].pdfa
    if PROFILES[profile].pdfa:
        assert "<pdfaid:conformance>B</pdfaid:conformance>" in xmp


# ----------------------------------------------------- the separate files ---


@pytest.mark.parametrize("profile", PROFILES)
def test_figure_files(run, profile):
    expected = PROFILES[profile]
    figures = checks(run, profile)["counts"]["figures"]
    assert len(figures) >= 1
    for number in range(1, len(figures) + 1):
        path = folder(run, profile) / expected.figure.format(n=number)
        with Image.open(path) as image:
            assert image.mode == "RGB"
            assert image.info["dpi"] == pytest.approx((expected.dpi, expected.dpi), abs=0.5)
            if path.suffix == ".tif":
                assert image.format == "TIFF" and image.info["compression"] == "tiff_lzw"
            width_inches = image.size[0] / expected.dpi
            assert 2.6 <= width_inches <= 7.5  # 6.68 to 19.05 cm, as PLOS asks


@pytest.mark.parametrize("profile", PROFILES)
def test_manifest_lists_every_file_with_its_checksum(run, profile):
    where = folder(run, profile)
    with open(where / "MANIFEST.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(r["file"] for r in rows) == sorted(
        p.name for p in where.iterdir() if p.name != "MANIFEST.csv"
    )
    for row in rows:
        data = (where / row["file"]).read_bytes()
        assert row["sha256"] == hashlib.sha256(data).hexdigest(), row["file"]
        assert row["purpose"]
    with zipfile.ZipFile(where.with_suffix(".zip")) as z:
        assert z.namelist() == sorted(f"{profile}/{p.name}" for p in where.iterdir())
        for name in z.namelist():
            assert z.read(name) == (where / Path(name).name).read_bytes()
        assert len({info.date_time for info in z.infolist()}) == 1


@pytest.mark.parametrize("profile", PROFILES)
def test_no_folder_of_the_build_machine_is_in_the_submission(run, profile):
    """What goes to the journal is the same wherever it was built and names no
    folder of the machine (a home folder names its user): every file of the zip,
    and every part of its Word and Excel files, is searched for the tool's and the
    review's absolute paths."""
    folders = [str(ROOT).encode(), str(run.workdir).encode()]
    with zipfile.ZipFile(folder(run, profile).with_suffix(".zip")) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            parts = {name: data}
            if name.endswith((".docx", ".xlsx")):
                with zipfile.ZipFile(io.BytesIO(data)) as inner:
                    parts = {f"{name}:{part}": inner.read(part) for part in inner.namelist()}
            for part, content in parts.items():
                assert not any(path in content for path in folders), part


def test_rebuild_is_byte_identical(run):
    assert len(run.first) >= 30
    assert run.second == run.first


def test_results_manuscript_is_the_configured_profile(run):
    manuscript = run.review / "results" / "manuscript"
    configured = folder(run, CONFIGURED)
    for name in ("manuscript.docx", "manuscript.pdf"):
        assert (manuscript / name).read_bytes() == (configured / name).read_bytes()


def test_a_profile_given_as_a_path_builds_its_own_folder(run):
    custom = run.review / "journals" / "my-journal.yaml"
    custom.parent.mkdir(exist_ok=True)
    custom.write_text("extends: international-vancouver\nanonymised: true\n", encoding="utf-8")
    result = snakemake(
        run.workdir,
        "-n",
        "--directory",
        "examples/bcg",
        "--config",
        "profile=journals/my-journal.yaml",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "results/submission/my-journal.zip" in result.stdout + result.stderr


# ------------------------------------------- the Indonesian example (SINTA) ---


def test_indonesian_example_builds_for_sinta_in_indonesian(run):
    where = indonesian(run)
    word = " ".join(t for _, t in paragraphs(where / "manuscript.docx"))
    text = pdf_text(where / "manuscript.pdf")
    for expected in (
        "Abstrak",
        "Abstract",
        "Daftar Pustaka",
        "Pernyataan",
        "Pendanaan. Penelitian ini tidak menerima pendanaan khusus (teks uji).",
        "Gambar 1",
        "Tabel 1",
        "(Nurhayati dkk., 2021)",  # a study cited by the generated synthesis text
        "dengan kelompok kontrol (4 studi)",
    ):
        assert expected in text and expected in word, expected
    title_page = [t for _, t in paragraphs(where / "title-page.docx")]
    assert "Judul ringkas: Pijat oksitosin dan produksi ASI" in title_page
    assert any(t.startswith("Keywords: oxytocin massage") for t in title_page)
    assert {
        re.sub(r"^/[A-Z]{6}\+", "", n).split("-")[0] for n in fonts(where / "manuscript.pdf")
    } == {"TeXGyreTermes"}


def test_supplement_holds_every_study_and_the_numbers(run):
    book = openpyxl.load_workbook(indonesian(run) / "supplementary-data.xlsx")
    studies = list(book["studies"].iter_rows(values_only=True))
    assert len(studies) == 1 + len(read_rows())
    assert "summary" in book.sheetnames and "study_characteristics" in book.sheetnames
    summary = dict(book["summary"].iter_rows(min_row=2, values_only=True))
    assert summary["n_studies"] == len(read_rows())


def test_checks_report_counts_limits_and_incomplete_references(run):
    report = json.loads((indonesian(run) / "checks.json").read_text(encoding="utf-8"))
    rows = {(r["check"], r["item"]): r for r in report["limits"]}
    assert rows[("abstract_words", "abstract")]["status"] == "ok"
    assert 100 <= rows[("abstract_words", "abstract-en")]["value"] <= 250
    assert rows[("keywords", "keywords-en")]["value"] == 5
    assert report["counts"]["main_text_words"] > 1000
    assert report["declarations"]["funding"] == "filled"
    # The example's references hold only authors and years: each is listed by key.
    incomplete = report["incomplete_references"]
    assert any('entry "dewi2020" has no title' in line for line in incomplete)


def test_html_is_one_file_with_the_figures(run):
    html = (run.workdir / "results" / "manuscript" / "manuscript.html").read_text("utf-8")
    report = json.loads((indonesian(run) / "checks.json").read_text(encoding="utf-8"))
    assert html.count('src="data:image/png;base64,') == len(report["counts"]["figures"])
    assert 'src="results/' not in html
    assert "Pijat Oksitosin dan Produksi ASI" in html and "Daftar Pustaka" in html


# ------------------------------------------------------- tables that fit ---


def every_pdf(run) -> list[Path]:
    return [
        indonesian(run) / "manuscript.pdf",
        *(folder(run, p) / "manuscript.pdf" for p in PROFILES),
    ]


def every_docx(run) -> list[Path]:
    return [
        indonesian(run) / "manuscript.docx",
        *(folder(run, p) / "manuscript.docx" for p in PROFILES),
    ]


def test_no_text_overlaps_another_in_any_pdf(run):
    """Both examples, every profile: no two pieces of table text on one line of a
    page overlap (a word running into the next column, a header overprinting
    another), read from the PDF's text positions."""
    for pdf in every_pdf(run):
        runs = [r for r in pdf_runs(pdf) if round(r["size"], 1) == 11]  # table cells
        assert any(r["text"].startswith(("Tuberculosis", "Peningkatan")) for r in runs), pdf
        assert overlaps(runs) == [], pdf


def test_every_docx_column_holds_its_longest_word(run):
    """No DOCX table cell of either example has to break a word without a hyphen:
    each word (Times metrics, 1 pt smaller than the text, header bold) fits its
    column's width minus Word's cell margins."""
    for path in every_docx(run):
        for table in docx.Document(str(path)).tables:
            grid = table._tbl.tblGrid.findall(f"{W}gridCol")
            widths = [int(col.get(f"{W}w")) / 20 for col in grid]
            for number, row in enumerate(table.rows):
                for width, cell in zip(widths, row.cells, strict=True):
                    for word in cell.text.split():
                        needed = text_width(word, 11, bold=number == 0) + 2 * 5.4
                        assert needed <= width + 0.5, (path.name, word, needed, width)


def test_figures_use_the_manuscript_typeface(run):
    figure = run.review / "results" / "figures" / "forest.pdf"
    assert {re.sub(r"^/[A-Z]{6}\+", "", n).split("-")[0] for n in fonts(figure)} >= {
        "TeXGyreTermes"
    }
