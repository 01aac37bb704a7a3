"""End to end: build the real workflow in a temporary copy and read the DOCX and PDF
as a reader would (python-docx, pypdf)."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import docx
import pypdf
import pytest
from conftest import ROOT, read_rows

from reviewkit import reproducible

pytestmark = pytest.mark.e2e

DOCX = Path("results/manuscript/manuscript.docx")
PDF = Path("results/manuscript/manuscript.pdf")
HEADINGS = [
    "Latar Belakang",
    "Kajian Teoretis",
    "Metode",
    "Hasil dan Pembahasan",
    "Kesimpulan dan Saran",
    "Daftar Pustaka",
]


def copy_project(target: Path) -> Path:
    """The project as a fresh clone has it (the tests themselves are not needed there)."""
    return reproducible.copy_project(ROOT, target, also_skip=["tests"])


def snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", *args],
        cwd=workdir,
        capture_output=True,
        text=True,
        env=environment,
    )


def build(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    result = snakemake(workdir, *args)
    assert result.returncode == 0, result.stderr[-4000:]
    return result


def readable(text: str) -> str:
    """What a reader sees: pandoc puts no-break spaces after "Dr." and in "Gambar 1"."""
    return text.replace("\xa0", " ")


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return readable("\n".join(parts))


def pdf_text(path: Path) -> str:
    # typst may break words across lines; join hyphen-free line breaks with spaces.
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(str(path)).pages)
    return re.sub(r"\s+", " ", readable(text))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    workdir = copy_project(tmp_path_factory.mktemp("review"))
    build(workdir)
    return workdir


def test_docx_has_title_headings_and_numbers(built):
    document = docx.Document(str(built / DOCX))
    text = docx_text(built / DOCX)
    assert "Pijat Oksitosin dan Produksi ASI pada Ibu Postpartum" in text
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 1")]
    for heading in HEADINGS:
        assert heading in headings
    assert "mencakup 15 studi" in text
    assert "total 532 partisipan" in text
    assert "antara 20 dan 60 partisipan (median 32)" in text
    assert "p < 0,05" in text  # Indonesian decimal comma in the prose
    assert "Abstrak" in text and "Abstract" in text
    assert "The review included 15 studies" in text  # the English abstract


def test_docx_synthesis_table_has_every_study(built):
    document = docx.Document(str(built / DOCX))
    table = max(document.tables, key=lambda t: len(t.rows))
    rows = [[readable(cell.text).strip() for cell in row.cells] for row in table.rows]
    assert rows[0][0] == "No" and rows[0][-1] == "Hasil Utama"
    expected = read_rows()
    assert len(rows) == 1 + len(expected)
    for number, (row, study) in enumerate(zip(rows[1:], expected, strict=True), start=1):
        assert row[0] == str(number)
        assert study["authors"].split(" ")[0] in row[1] and study["year"] in row[1]
        assert study["facility"] in row[2]
        assert row[4] == f"{study['n_total']} ibu postpartum"
        assert row[5] == study["main_result"]


def test_docx_figures_are_numbered_and_referenced(built):
    text = docx_text(built / DOCX)
    for number in range(1, 7):
        assert f"Gambar {number}" in text
    assert "Tabel 1" in text
    assert "Jumlah studi yang disertakan menurut tahun terbit dan desain penelitian" in text
    document = docx.Document(str(built / DOCX))
    assert len(document.inline_shapes) == 6


def test_docx_reference_list(built):
    text = docx_text(built / DOCX)
    references = text[text.rindex("Daftar Pustaka") :]
    for author in ["Enggar", "Dewi", "Whittemore", "World Health Organization", "Polit"]:
        assert author in references
    assert "dkk." in text  # APA in Indonesian: "Dewi dkk."
    assert "(Polit & Beck, 2021; Whittemore & Knafl, 2005)" in text  # APA 7, the profile's


def test_pdf_has_the_same_content(built):
    text = pdf_text(built / PDF)
    assert "Pijat Oksitosin dan Produksi ASI" in text
    assert "mencakup 15 studi" in text
    assert "532 partisipan" in text
    for heading in HEADINGS:
        assert heading in text
    for number in range(1, 7):
        assert f"Gambar {number}" in text
    assert "Tabel 1" in text
    # Table cells wrap inside words ("rata-" / "rata"): compare without white space.
    squashed = re.sub(r"\s+", "", text)
    for study in read_rows():
        assert re.sub(r"\s+", "", study["main_result"]) in squashed
    assert "Daftar Pustaka" in text and "Whittemore" in text


def test_second_run_runs_no_job(built):
    result = build(built)
    assert "Nothing to be done" in result.stdout + result.stderr


def test_rebuild_is_byte_identical(built):
    before = {path: sha256(built / path) for path in (DOCX, PDF)}
    build(built, "--forcerun", "render_manuscript")
    assert {path: sha256(built / path) for path in (DOCX, PDF)} == before
