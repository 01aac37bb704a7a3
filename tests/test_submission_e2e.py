"""End to end: build the submission folder of every shipped journal profile in one
temporary copy of the project, and read the files as an editor's checker would.

Sequence (one module fixture, about a minute on 2 cores):
1. the example as shipped, profile international-apa: its declarations are
   placeholders, so the build stops naming them and writes no folder;
2. the metadata filled in (two authors, ORCID, declarations): the default
   target (sinta-nursing, the configured profile) and both international zips;
3. every profile step forced to run again: the bytes must not change.
"""

from __future__ import annotations

import csv
import hashlib
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
from conftest import read_rows
from PIL import Image
from test_workflow_e2e import build, copy_project, readable, snakemake

pytestmark = pytest.mark.e2e

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
PROFILES = {
    "sinta-nursing": SimpleNamespace(
        spacing="360",
        line_numbers=False,
        figure="Gambar{n}.png",
        dpi=300,
        anonymised=False,
        citation="(Dewi dkk., 2020)",
        pdfa=False,
    ),
    "international-apa": SimpleNamespace(
        spacing="480",
        line_numbers=True,
        figure="Figure{n}.tif",
        dpi=300,
        anonymised=True,
        citation="(Dewi dkk., 2020)",
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
INTERNATIONAL = [
    "results/submission/international-apa.zip",
    "results/submission/international-vancouver.zip",
]

FILLED_METADATA = """\
title: "Pijat Oksitosin dan Produksi ASI pada Ibu Postpartum: Tinjauan Literatur"
running-title: "Pijat oksitosin dan produksi ASI"
lang: id-ID
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
    failed = snakemake(workdir, INTERNATIONAL[0])
    wrote_folder = (workdir / "results" / "submission").exists()
    (workdir / "manuscript" / "metadata.yaml").write_text(FILLED_METADATA, encoding="utf-8")
    build(workdir, "all", *INTERNATIONAL)
    first = digests(workdir)
    build(
        workdir,
        "--forcerun",
        "assemble_manuscript",
        "assemble_profile_manuscript",
        "supplement",
        "--",
        "all",
        *INTERNATIONAL,
    )
    return SimpleNamespace(
        workdir=workdir,
        failed=failed,
        wrote_folder=wrote_folder,
        first=first,
        second=digests(workdir),
    )


def folder(run, profile: str) -> Path:
    return run.workdir / "results" / "submission" / profile


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
        'international-apa but empty (it still holds the placeholder "[isi pernyataan '
        'pendanaan]")' in run.failed.stderr
    )
    assert "declarations.ai-use is required by profile international-apa" in run.failed.stderr
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
    for style in (
        "Title",
        "Heading 1",
        "Abstract",
        "Bibliography",
        "Image Caption",
        "Table Caption",
        "Title Page Info",
    ):
        assert style in names, style
    bibliography = document.styles["Bibliography"].paragraph_format
    assert bibliography.first_line_indent < 0 < bibliography.left_indent  # hanging indent
    found = paragraphs(manuscript)
    assert len([t for s, t in found if s == "Bibliography"]) >= 10
    counts = checks(run, profile)["counts"]
    assert len(document.tables) == counts["tables"] >= 1
    figure_captions = [t for s, t in found if s == "Image Caption"]
    assert [c.split(".")[0] for c in figure_captions] == [
        f"Gambar {n}" for n in range(1, len(counts["figures"]) + 1)
    ]
    table_captions = [t for s, t in found if s == "Table Caption"]
    assert [c.split(".")[0] for c in table_captions] == [
        f"Tabel {n}" for n in range(1, counts["tables"] + 1)
    ]
    tables = folder(run, profile) / "tables.docx"
    assert len(docx.Document(str(tables)).tables) == counts["tables"]
    assert [t for s, t in paragraphs(tables) if s == "Table Caption"] == table_captions


@pytest.mark.parametrize("profile", PROFILES)
def test_title_page_names_authors_affiliations_and_corresponding_author(run, profile):
    found = paragraphs(folder(run, profile) / "title-page.docx")
    texts = [t for _, t in found]
    assert ("Author", "Penulis Satu1*") in found and ("Author", "Penulis Dua2") in found
    assert ("Affiliation", "1Program Studi Keperawatan, Universitas Contoh, Indonesia") in found
    assert ("Affiliation", "2Program Studi Kebidanan, Institut Contoh, Indonesia") in found
    assert (
        "*Penulis korespondensi: Penulis Satu; Jalan Contoh No. 1, Kota Contoh 12345, "
        "Indonesia; e-mail: satu@example.org" in texts
    )
    assert "ORCID: Penulis Satu https://orcid.org/0000-0002-1825-0097" in texts
    assert "Judul ringkas: Pijat oksitosin dan produksi ASI" in texts
    words = checks(run, profile)["counts"]
    assert (
        f"Jumlah kata: Abstrak {words['abstract_words']['abstract']}; Abstract "
        f"{words['abstract_words']['abstract-en']}; naskah utama {words['main_text_words']}"
        in texts
    )
    assert any(t.startswith("Kata kunci: pijat oksitosin") for t in texts)
    assert any(t.startswith("Keywords: oxytocin massage") for t in texts)
    assert "Pendanaan. Penelitian ini tidak menerima pendanaan khusus (teks uji)." in texts


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
    for secret in ("Penulis Satu", "satu@example.org", "Universitas Contoh", "teks uji"):
        assert (secret in xml) is not PROFILES[profile].anonymised, secret
        assert (secret in text) is not PROFILES[profile].anonymised, secret
    assert ("Penulis Satu" in xmp) is not PROFILES[profile].anonymised


# ------------------------------------------------------------------ the PDF ---


def fonts(path: Path) -> dict[str, dict]:
    found = {}
    for page in pypdf.PdfReader(str(path)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            inner = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            found[str(font["/BaseFont"])] = inner["/FontDescriptor"].get_object()
    return found


@pytest.mark.parametrize("profile", PROFILES)
def test_pdf_fonts_embedded_same_text_as_docx(run, profile):
    pdf = folder(run, profile) / "manuscript.pdf"
    embedded = fonts(pdf)
    assert embedded and all(
        any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
        for descriptor in embedded.values()
    )
    text = pdf_text(pdf)
    word = " ".join(t for _, t in paragraphs(folder(run, profile) / "manuscript.docx"))
    for expected in (
        "Pijat Oksitosin dan Produksi ASI",
        "Abstrak",
        "Abstract",
        "Latar Belakang",
        "Judul ringkas: Pijat oksitosin dan produksi ASI",
        "Daftar Pustaka",
        "Pernyataan" if not PROFILES[profile].anonymised else "Kesimpulan",
        "Gambar 1",
        "Tabel 1",
    ):
        assert expected in text and expected in word, expected
    citation = PROFILES[profile].citation
    if citation:
        assert citation in text and citation in word
    else:  # Vancouver: numbered reference list
        references = [
            t
            for s, t in paragraphs(folder(run, profile) / "manuscript.docx")
            if s == "Bibliography"
        ]
        assert references[0].startswith("1.") and "1. " in text


def test_double_spacing_takes_more_pages(run):
    pages = {
        p: len(pypdf.PdfReader(str(folder(run, p) / "manuscript.pdf")).pages) for p in PROFILES
    }
    assert pages["sinta-nursing"] >= 8
    assert pages["international-apa"] > pages["sinta-nursing"]
    assert pages["international-vancouver"] > pages["sinta-nursing"]


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
    assert len(figures) >= 4
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


def test_supplement_holds_every_study_and_the_numbers(run):
    book = openpyxl.load_workbook(folder(run, "sinta-nursing") / "supplementary-data.xlsx")
    studies = list(book["studies"].iter_rows(values_only=True))
    assert len(studies) == 1 + len(read_rows())
    assert "summary" in book.sheetnames and "study_characteristics" in book.sheetnames
    summary = dict(book["summary"].iter_rows(min_row=2, values_only=True))
    assert summary["n_studies"] == len(read_rows())


def test_checks_report_counts_and_limits(run):
    report = checks(run, "sinta-nursing")
    rows = {(r["check"], r["item"]): r for r in report["limits"]}
    assert rows[("abstract_words", "abstract")]["status"] == "ok"
    assert 100 <= rows[("abstract_words", "abstract-en")]["value"] <= 250
    assert rows[("keywords", "keywords-en")]["value"] == 5
    assert report["counts"]["main_text_words"] > 1000
    assert report["declarations"]["funding"] == "filled"


def test_html_is_one_file_with_the_figures(run):
    html = (run.workdir / "results" / "manuscript" / "manuscript.html").read_text("utf-8")
    figures = len(checks(run, "sinta-nursing")["counts"]["figures"])
    assert html.count('src="data:image/png;base64,') == figures
    assert 'src="results/' not in html
    assert "Pijat Oksitosin dan Produksi ASI" in html and "Daftar Pustaka" in html


def test_results_manuscript_is_the_configured_profile(run):
    manuscript = run.workdir / "results" / "manuscript"
    sinta = folder(run, "sinta-nursing")
    for name in ("manuscript.docx", "manuscript.pdf"):
        assert (manuscript / name).read_bytes() == (sinta / name).read_bytes()


def test_rebuild_is_byte_identical(run):
    assert len(run.first) >= 40
    assert run.second == run.first


def test_a_profile_given_as_a_path_builds_its_own_folder(run):
    custom = run.workdir / "journals" / "my-journal.yaml"
    custom.parent.mkdir(exist_ok=True)
    custom.write_text("extends: international-vancouver\nanonymised: true\n", encoding="utf-8")
    result = snakemake(run.workdir, "-n", "--config", "profile=journals/my-journal.yaml")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "results/submission/my-journal.zip" in result.stdout + result.stderr
