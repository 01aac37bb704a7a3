"""One look in DOCX and PDF: a journal's Word template carries into the PDF, the PDF
uses the DOCX's typeface (or its metric twin), wide tables turn sideways or move to
the tables file, and table columns are wide enough for their longest word.

Built from the fixture manuscript of test_assemble with the pinned pandoc and typst,
read back with python-docx and pypdf.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import zipfile
from pathlib import Path

import docx
import pandas as pd
import pypdf
import pytest
import yaml
from conftest import STUDIES_CSV, STUDIES_SCHEMA
from test_assemble import TIMESTAMP, make_project

from reviewkit import assemble
from reviewkit.frontmatter import pandoc_defaults
from reviewkit.profiles import load_profile
from reviewkit.reference_docx import make_reference_docx, reference_for_profile
from reviewkit.study_characteristics import study_table_markdown, to_pipe_table
from reviewkit.typeface import METRIC_COMPATIBLE, text_width
from reviewkit.validation import InclusionWindow, validate_studies
from reviewkit.wordcount import count_manuscript, read_ast

ROOT = Path(__file__).resolve().parent.parent
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TWIPS_PER_PT = 20

WIDE = pd.DataFrame(
    [[1, "Smith (2020)", "Antarkelompok", "p < 0,05", "g dari p", "0,5", "besar kelompok sama"]],
    columns=["No", "Studi", "Perbandingan", "Data yang digunakan", "Metode", "Efek", "Catatan"],
)
WIDE_TABLE = "\n" + to_pipe_table(WIDE) + "\n: Ukuran efek. {#tbl-wide}\n"


def build(
    project: Path,
    profile: dict,
    kind: str,
    name: str,
    markdown="manuscript.md",
    bibliography="references.bib",
) -> Path:
    counts = count_manuscript(read_ast(project / markdown))
    defaults = project / f"{name}.yaml"
    data = pandoc_defaults(profile, counts, language="id")
    defaults.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    reference = reference_for_profile(profile, project / f"{name}-reference.docx")
    with contextlib.chdir(project):
        if kind == "docx":
            assemble.build_docx(
                markdown,
                f"out/{name}.docx",
                bibliography=bibliography,
                csl="apa",
                reference_docx=reference,
                extra_defaults=[defaults],
                timestamp=TIMESTAMP,
            )
        else:
            assemble.build_pdf(
                markdown,
                f"out/{name}.pdf",
                bibliography=bibliography,
                csl="apa",
                extra_defaults=[defaults],
                font_paths=profile["pdf"]["font_paths"],
                timestamp=TIMESTAMP,
            )
    return project / "out" / f"{name}.{kind}"


def profile_file(project: Path, text: str) -> dict:
    path = project / "journal-profile.yaml"
    path.write_text(text, encoding="utf-8")
    with contextlib.chdir(project):
        return load_profile(str(path), profiles_dir=ROOT / "profiles")


def pdf_runs(path: Path) -> list[dict]:
    """Every text run of the PDF: page, x, y (baseline), size, font, text."""
    runs = []
    for number, page in enumerate(pypdf.PdfReader(str(path)).pages):

        def visit(text, cm, tm, font, size, number=number):
            if text.strip() and font is not None:
                runs.append(
                    {
                        "page": number,
                        "x": cm[4] + tm[4],
                        "y": cm[5] + tm[5],
                        "size": size,
                        "font": str(font.get("/BaseFont")),
                        "text": text.strip(),
                    }
                )

        page.extract_text(visitor_text=visit)
    return runs


def docx_defaults(path: Path) -> tuple[str, int, dict[str, int]]:
    with zipfile.ZipFile(path) as z:
        styles = z.read("word/styles.xml").decode()
        document = z.read("word/document.xml").decode()
    font = re.search(r'<w:rPrDefault>.*?w:ascii="([^"]+)"', styles, re.S).group(1)
    size = int(re.search(r'<w:rPrDefault>.*?<w:sz w:val="(\d+)"', styles, re.S).group(1))
    last = re.findall(r"<w:pgMar\b[^>]*/>", document)[-1]
    margins = {k: int(v) for k, v in re.findall(r'w:(\w+)="(\d+)"', last)}
    return font, size, margins


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return make_project(tmp_path_factory.mktemp("layout"))


def test_the_pdf_is_set_in_the_docx_font_or_its_metric_twin(project):
    profile = load_profile("sinta-nursing", profiles_dir=ROOT / "profiles")
    word = build(project, profile, "docx", "default")
    pdf = build(project, profile, "pdf", "default")
    font, size, margins = docx_defaults(word)
    assert (font, size) == ("Times New Roman", 24)
    families = {
        re.sub(r"^/?[A-Z]{6}\+|-(Regular|Bold|Italic|BoldItalic)-.*$", "", r["font"])
        for r in pdf_runs(pdf)
    }
    assert families == {METRIC_COMPATIBLE[font].replace(" ", "")}  # TeXGyreTermes
    sizes = [round(r["size"]) for r in pdf_runs(pdf) if "Regular" in r["font"]]
    assert max(set(sizes), key=sizes.count) == 12
    left = min(r["x"] for r in pdf_runs(pdf))
    assert left == pytest.approx(margins["left"] / TWIPS_PER_PT, abs=1.5)  # 2.5 cm


def test_a_journal_template_of_another_font_and_margins_changes_both_outputs(project):
    template = make_reference_docx(
        project / "journal-template.docx",
        font="Libertinus Serif",
        size_pt=11,
        line_spacing=1,
        margin_cm=3.5,
    )
    profile = profile_file(project, f"extends: sinta-nursing\ndocx: {{reference: {template}}}\n")
    word = build(project, profile, "docx", "journal")
    pdf = build(project, profile, "pdf", "journal")
    font, size, margins = docx_defaults(word)
    assert (font, size) == ("Libertinus Serif", 22)
    assert margins["left"] == margins["top"] == round(3.5 / 2.54 * 1440)
    runs = pdf_runs(pdf)
    assert all("LibertinusSerif" in r["font"] for r in runs)
    sizes = [round(r["size"]) for r in runs if "Regular" in r["font"]]
    assert max(set(sizes), key=sizes.count) == 11  # the body text
    assert min(r["x"] for r in runs) == pytest.approx(3.5 / 2.54 * 72, abs=1.5)


@pytest.fixture(scope="module")
def wide_project(project) -> Path:
    text = (project / "manuscript.md").read_text(encoding="utf-8")
    text = text.replace("# Pembahasan", WIDE_TABLE + "\n# Pembahasan")
    (project / "wide.md").write_text(text, encoding="utf-8")
    return project


def test_wide_tables_turn_landscape_in_both_formats(wide_project):
    profile = profile_file(wide_project, "extends: sinta-nursing\ntables: {wide: landscape}\n")
    word = build(wide_project, profile, "docx", "landscape", markdown="wide.md")
    pdf = build(wide_project, profile, "pdf", "landscape", markdown="wide.md")
    with zipfile.ZipFile(word) as z:
        document = z.read("word/document.xml").decode()
    sections = re.findall(r"<w:sectPr>.*?</w:sectPr>", document, re.S)
    assert len(sections) == 3  # portrait, the table turned, portrait again
    assert 'w:orient="landscape"' in sections[1] and "landscape" not in sections[2]
    assert all("w:lnNumType" not in s and "w:pgMar" in s for s in sections)
    grids = re.findall(r"<w:tblGrid>(.*?)</w:tblGrid>", document)
    widths = [sum(map(int, re.findall(r'w:w="(\d+)"', g))) for g in grids]
    # A4 portrait, then landscape (each column rounded to a twip)
    assert widths == pytest.approx([11906 - 2 * 1417, 16838 - 2 * 1417], abs=4)
    pages = pypdf.PdfReader(str(pdf)).pages
    turned = [p for p in pages if float(p.mediabox.width) > float(p.mediabox.height)]
    assert len(turned) == 1 and "Perbandingan" in turned[0].extract_text()


def test_wide_tables_can_go_to_the_tables_file(wide_project):
    profile = profile_file(wide_project, "extends: sinta-nursing\ntables: {wide: supplement}\n")
    word = build(wide_project, profile, "docx", "supplement", markdown="wide.md")
    document = docx.Document(str(word))
    text = " ".join(p.text for p in document.paragraphs)
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "Tabel 2. Ukuran efek." in text.replace("\xa0", " ")  # number and caption kept
    assert "Tabel ini terdapat dalam berkas tabel pelengkap." in cells
    assert "Antarkelompok" not in cells


def tables_document(project: Path, kind: str, name: str) -> Path:
    """Table 1 of the Indonesian example and a wide table (the appendix table's
    columns), built as ``kind`` with the SINTA profile."""
    studies = validate_studies(STUDIES_CSV, STUDIES_SCHEMA, InclusionWindow(2014, 2024))
    (project / f"{name}.md").write_text(
        "---\nlang: id-ID\n---\n\n"
        + study_table_markdown(studies, "id")
        + "\n: Tabel studi. {#tbl-studies}\n"
        + WIDE_TABLE,
        encoding="utf-8",
    )
    profile = load_profile("sinta-nursing", profiles_dir=ROOT / "profiles")
    return build(
        project,
        profile,
        kind,
        name,
        markdown=f"{name}.md",
        bibliography=str(ROOT / "data" / "references.bib"),
    )


def test_docx_columns_hold_their_longest_word(project):
    """Table 1 of the Indonesian example: Word never has to break a word without a
    hyphen, because every column is as wide as its longest word at the cell size
    (Times New Roman widths = TeX Gyre Termes widths), header words in bold."""
    word = tables_document(project, "docx", "columns")
    tables = docx.Document(str(word)).tables
    assert len(tables) == 2
    for table in tables:
        grid = table._tbl.tblGrid.findall(f"{W}gridCol")
        widths = [int(col.get(f"{W}w")) / TWIPS_PER_PT for col in grid]
        assert sum(widths) == pytest.approx(16 / 2.54 * 72, abs=1)  # the text width
        for number, row in enumerate(table.rows):
            for width, cell in zip(widths, row.cells, strict=True):
                for word_text in cell.text.split():
                    needed = text_width(word_text, 11, bold=number == 0) + 2 * 5.4
                    assert needed <= width + 0.5, (word_text, needed, width)
        rows = table._tbl.findall(f"{W}tr")
        assert all(r.find(f"{W}trPr/{W}cantSplit") is not None for r in rows)
        assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None  # repeated on each page


def overlaps(runs: list[dict], size: float = 11) -> list[tuple[str, str]]:
    """Pairs of text runs set at ``size`` (table cells: 1 pt below the 12 pt text)
    on one baseline of one page whose extents overlap.

    A run's extent is its start plus its width in TeX Gyre Termes (the PDF's
    font, in its weight and slope) at its size, without kerning; a slack of 1 pt
    or 4 % of the run's width absorbs kerning (an overprint or a word running into
    the next column overlaps by far more). Only table text is compared:
    justified body text may set its spaces narrower than their natural width."""
    found = []
    lines: dict[tuple[int, float], list[dict]] = {}
    for run in runs:
        if round(run["size"], 1) == size:
            lines.setdefault((run["page"], round(run["y"] * 2) / 2), []).append(run)
    for line in lines.values():
        line.sort(key=lambda r: r["x"])
        for left, right in itertools.pairwise(line):
            width = text_width(
                left["text"],
                left["size"],
                bold="Bold" in left["font"],
                italic="Italic" in left["font"],
            )
            if left["x"] + width > right["x"] + max(1.0, 0.04 * width):
                found.append((left["text"], right["text"]))
    return found


def test_pdf_table_text_never_overlaps_another_cell(project):
    """The PDF of Table 1 and a wide table (the appendix table's columns): no text
    runs into the next column or overprints it (read back from text positions)."""
    pdf = tables_document(project, "pdf", "tables")
    runs = pdf_runs(pdf)
    assert any(r["text"] == "Perbandingan" for r in runs)
    assert overlaps(runs) == []
    # the check itself finds an overprint: two runs at the same place
    cell = next(r for r in runs if r["text"] == "Perbandingan")
    assert overlaps([{**cell, "x": 100.0}, {**cell, "x": 120.0}]) != []
