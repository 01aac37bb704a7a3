"""Tests of reviewkit.changes (the what-changed report) and reviewkit.tracked (the
tracked-changes DOCX and the marked-up PDF).

Fixture manuscripts (tests/fixtures/changes/old.md, new.md, invented examples):
the new one counts 13 studies and 520 participants instead of 12 and 480, drops
a paragraph citing delta2018 and a figure, adds a paragraph and a table row
citing gamma2021, changes one cell (60 -> 62), drops a cross-reference to a
figure and gives the outcomes table a third column. The check of the tracked
DOCX is what a user does in Word:
Review > Accept All must give the text of the new manuscript's own DOCX, and
Reject All the text of the old one's. Both are done here on the XML
(:func:`resolve_revisions`), as Word defines them: an accepted ``w:del`` and a
rejected ``w:ins`` disappear, the other one keeps its text; a paragraph or row
whose mark disappears goes with it.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pypdf
import pytest
from lxml import etree
from PIL import Image

from reviewkit import assemble, changes, tracked, versions
from reviewkit.errors import InputError

FIXTURES = Path(__file__).parent / "fixtures" / "changes"
EPOCH = 1_700_000_000  # any fixed date
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


# ------------------------------------------------------- accept / reject ---


def resolve_revisions(xml: bytes, accept: bool) -> etree._Element:
    """word/document.xml after Word's Accept All (accept=True) or Reject All."""
    root = etree.fromstring(xml)
    gone, kept = ("del", "ins") if accept else ("ins", "del")

    def drop(element) -> None:
        element.getparent().remove(element)

    for row in list(root.iter(w("tr"))):
        marks = row.find(w("trPr"))
        if marks is not None and marks.find(w(gone)) is not None:
            drop(row)
    for paragraph in list(root.iter(w("p"))):
        marks = paragraph.find(f"{w('pPr')}/{w('rPr')}")
        if marks is not None and marks.find(w(gone)) is not None:
            # the paragraph mark goes: what is left joins the next paragraph
            rest = [c for c in paragraph if c.tag != w("pPr")]
            following = paragraph.getnext()
            if rest and following is not None and following.tag == w("p"):
                at = 1 if following.find(w("pPr")) is not None else 0
                for child in rest:
                    following.insert(at, child)
                    at += 1
            drop(paragraph)
    for element in list(root.iter(w(gone))):
        drop(element)
    for element in list(root.iter(w(kept))):
        parent, at = element.getparent(), element.getparent().index(element)
        for child in list(element):
            parent.insert(at, child)
            at += 1
        parent.remove(element)
    for text in root.iter(w("delText")):
        text.tag = w("t")
    for text in root.iter(w("delInstrText")):
        text.tag = w("instrText")
    for table in list(root.iter(w("tbl"))):
        if table.find(w("tr")) is None:  # every row deleted: Word removes the table
            drop(table)
    return root


def document_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("word/document.xml")


def paragraph_texts(root: etree._Element) -> list[str]:
    """The text of every paragraph, body and table cells, in document order."""
    return ["".join(t.text or "" for t in p.iter(w("t"))) for p in root.iter(w("p"))]


def docx_text(path: Path, accept: bool | None = None) -> list[str]:
    xml = document_xml(path)
    return paragraph_texts(
        etree.fromstring(xml) if accept is None else resolve_revisions(xml, accept)
    )


# ---------------------------------------------------------------- builds ----


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """Old, new and tracked DOCX, and the marked-up PDF, built in a project folder
    that is the working directory (as in the workflow)."""
    project = tmp_path_factory.mktemp("changes")
    for path in FIXTURES.iterdir():
        shutil.copy(path, project / path.name)
    figures = project / "results" / "figures"
    figures.mkdir(parents=True)
    Image.new("RGB", (60, 40), "steelblue").save(figures / "by_year.png")
    Image.new("RGB", (60, 40), "orange").save(figures / "designs.png")
    with contextlib.chdir(project):
        for name in ("old", "new"):
            assemble.build_docx(
                f"{name}.md", f"{name}.docx", bibliography=f"{name}.bib", csl="apa", timestamp=EPOCH
            )
        options = dict(
            bibliography="new.bib", old_bibliography="old.bib", csl="apa", timestamp=EPOCH
        )
        tracked.build_tracked_docx("old.md", "new.md", "tracked.docx", **options)
        tracked.build_tracked_docx("old.md", "new.md", "tracked-again.docx", **options)
        tracked.build_changes_pdf(
            "old.md",
            "new.md",
            "changes.pdf",
            legend=changes.legend("en", "v1"),
            typst_output="changes.typ",
            **options,
        )
    return project


def test_tracked_docx_marks_the_changed_count_as_insertion_and_deletion(built):
    root = etree.fromstring(document_xml(built / "tracked.docx"))
    paragraph = next(
        p
        for p in root.iter(w("p"))
        if "We included" in "".join(t.text or "" for t in p.iter(w("t")))
    )
    deleted = ["".join(t.text for t in d.iter(w("delText"))) for d in paragraph.iter(w("del"))]
    inserted = ["".join(t.text for t in i.iter(w("t"))) for i in paragraph.iter(w("ins"))]
    assert deleted == ["12", "480"]
    assert inserted == ["13", "520"]
    for revision in [*paragraph.iter(w("del")), *paragraph.iter(w("ins"))]:
        assert revision.get(w("author")) == "reviewkit"
        assert revision.get(w("date")) == "2023-11-14T22:13:20Z"  # EPOCH, not the clock
    # deleted text is w:delText, also in a deleted cross-reference field (@fig-by-year)
    assert [t for d in root.iter(w("del")) for t in d.iter(w("t"), w("instrText"))] == []
    assert any("REF _Ref_fig_1" in (t.text or "") for t in root.iter(w("delInstrText")))
    ids = [e.get(w("id")) for e in root.iter(w("ins"), w("del"))]
    assert len(ids) == len(set(ids)), "every revision needs its own id"


def test_accept_all_gives_the_new_docx_and_reject_all_the_old(built):
    assert docx_text(built / "tracked.docx", accept=True) == docx_text(built / "new.docx")
    assert docx_text(built / "tracked.docx", accept=False) == docx_text(built / "old.docx")


def test_whole_paragraphs_rows_and_references_are_tracked(built):
    root = etree.fromstring(document_xml(built / "tracked.docx"))
    texts = {
        "".join(t.text or "" for t in p.iter(w("t"), w("delText"))): p for p in root.iter(w("p"))
    }
    removed = texts["An earlier survey found mixed results (Delta, 2018)."]
    assert removed.find(f"{w('pPr')}/{w('rPr')}/{w('del')}") is not None
    added = texts["One new trial was added in this update (Gamma, 2021)."]
    assert added.find(f"{w('pPr')}/{w('rPr')}/{w('ins')}") is not None
    # the reference list: Delta cited only in deleted text, Gamma only in added text
    delta = next(t for t in texts if t.startswith("Delta, D. (2018)"))
    gamma = next(t for t in texts if t.startswith("Gamma, G. (2021)"))
    assert texts[delta].find(f"{w('pPr')}/{w('rPr')}/{w('del')}") is not None
    assert texts[gamma].find(f"{w('pPr')}/{w('rPr')}/{w('ins')}") is not None
    # the new table row is an inserted row
    rows = [
        r for r in root.iter(w("tr")) if "Gamma" in "".join(t.text or "" for t in r.iter(w("t")))
    ]
    assert len(rows) == 1 and rows[0].find(f"{w('trPr')}/{w('ins')}") is not None


def test_tracked_docx_is_reproducible(built):
    assert (built / "tracked.docx").read_bytes() == (built / "tracked-again.docx").read_bytes()


def test_changes_pdf_shows_old_and_new_numbers_marked(built):
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(built / "changes.pdf").pages)
    text = " ".join(text.split())
    assert "12" in text and "13" in text and "480" in text and "520" in text
    assert "Underlined text: added since version v1" in text
    source = (built / "changes.typ").read_text(encoding="utf-8")
    assert "#strike[12]#underline[13]" in source
    assert "#strike[480]#underline[520]" in source
    # the deleted figure keeps its old number as text, and typst does not number it
    assert "Figure 2. Designs of the studies." in text


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_reads_the_revisions(built, tmp_path):
    """LibreOffice opens the tracked DOCX and keeps its revisions: saved again as
    DOCX by LibreOffice, Accept All / Reject All still give the new / old text
    (LibreOffice adds empty paragraphs of its own, so those are left out)."""
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(tmp_path),
            str(built / "tracked.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    saved = tmp_path / "tracked.docx"
    for accept, reference in ((True, "new.docx"), (False, "old.docx")):
        got = [p for p in docx_text(saved, accept=accept) if p]
        assert got == [p for p in docx_text(built / reference) if p]


# ---------------------------------------------------------------- report ----


def test_escaped_data_stays_literal_in_pandoc_output():
    data = "*bold* **x** [@key] <b>tag</b> $x^2$ `code` | a_b_ \\ # 1. ~~s~~ ^up^ &amp;"
    html = subprocess.run(
        [assemble.pandoc_executable(), "--sandbox", "-f", "markdown", "-t", "plain", "--wrap=none"],
        input=changes.escape_markdown(data),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert html.strip() == data


def write_csv(path: Path, header: str, *rows: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_compare_studies_names_added_removed_and_changed_fields(tmp_path):
    old = write_csv(
        tmp_path / "old.csv", "id,authors,year,n_total", "a,A,2019,40", "b,B,2020,60", "d,D,2018,30"
    )
    new = write_csv(
        tmp_path / "new.csv", "id,authors,year,n_total", "a,A,2019,40", "b,B,2020,62", "g,G,2021,40"
    )
    result = changes.compare_studies(old, new)
    assert [row["id"] for row in result.added] == ["g"]
    assert [row["id"] for row in result.removed] == ["d"]
    assert result.changed == [("b", "n_total", "60", "62")]


def test_compare_numbers_reports_moves_and_ignores_float_noise(tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    old = {
        "k": 3,
        "estimate": 0.9592164609219166,
        "same": 0.1 + 0.2,
        "studies": [{"id": "a", "r": 1.5}],
    }
    new = {
        "k": 4,
        "estimate": 1.0167,
        "same": 0.3,
        "studies": [{"id": "b", "r": 2.0}, {"id": "a", "r": 1.5}],
    }
    (tmp_path / "old" / "synthesis.json").write_text(json.dumps(old), encoding="utf-8")
    (tmp_path / "new" / "synthesis.json").write_text(json.dumps(new), encoding="utf-8")
    moved = {
        (c.path, c.old, c.new) for c in changes.compare_numbers(tmp_path / "old", tmp_path / "new")
    }
    # 0.1 + 0.2 = 0.30000000000000004: float noise, not a change; study a did not move
    assert moved == {
        ("k", 3, 4),
        ("estimate", 0.9592164609219166, 1.0167),
        ("studies[b].id", None, "b"),
        ("studies[b].r", None, 2.0),
    }
    assert changes.format_values(0.9592164609219166, 1.0167, "id") == ("0,9592", "1,017")
    assert changes.format_values(0.95921, 0.95924, "en") == ("0.95921", "0.95924")
    assert changes.format_values(32.0, 32.5, "id") == ("32", "32,5")


def make_release(tmp_path: Path) -> versions.Release:
    """A review folder built as 'v1' (old fixture), released, then rebuilt with the new data."""
    review = tmp_path / "review"
    (review / "manuscript").mkdir(parents=True)
    (review / "config.yaml").write_text(
        "studies: data/studies.csv\nreferences: data/references.bib\nmanuscript_dir: manuscript\n",
        encoding="utf-8",
    )
    shutil.copy(FIXTURES / "old.bib", review / "references.bib")
    (review / "data").mkdir()
    shutil.copy(FIXTURES / "old.bib", review / "data" / "references.bib")
    header = "id,authors,year,design,n_total"
    rows_old = ["alpha2019,Alpha,2019,Trial,40", "beta2020,Beta,2020,Cohort,60"]
    for target in ("data/studies.csv", "results/data/studies.csv"):
        write_csv(review / target, header, *rows_old)
    stats = review / "results" / "stats"
    stats.mkdir(parents=True)
    (stats / "summary.json").write_text(
        '{"n_studies": 12, "n_participants": 480}', encoding="utf-8"
    )
    (stats / "prisma.json").write_text('{"screened": 200, "included": 12}', encoding="utf-8")
    manuscript = review / "results" / "manuscript"
    manuscript.mkdir(parents=True)
    shutil.copy(FIXTURES / "old.md", manuscript / "manuscript.md")
    for suffix in ("docx", "pdf"):
        (manuscript / f"manuscript.{suffix}").write_bytes(b"not needed here")
    rel = versions.release(review, "v1", up_to_date=True, when="2025-03-01")

    write_csv(
        review / "results/data/studies.csv",
        header,
        "alpha2019,Alpha,2019,Trial,40",
        "beta2020,Beta,2020,Cohort,62",
        "gamma2021,*Gamma* <b>x</b>,2021,Trial,40",
    )
    (stats / "summary.json").write_text(
        '{"n_studies": 13, "n_participants": 520}', encoding="utf-8"
    )
    (stats / "prisma.json").write_text('{"screened": 230, "included": 13}', encoding="utf-8")
    shutil.copy(FIXTURES / "new.md", manuscript / "manuscript.md")
    return rel


def test_changes_report_names_added_study_changed_field_and_moved_number(tmp_path):
    rel = make_release(tmp_path)
    with contextlib.chdir(tmp_path / "review"):
        md, html = changes.write_changes(rel, "results/changes", language="en")
    report = md.read_text(encoding="utf-8")
    assert "### Added studies \\(1\\)" in report
    assert "- **gamma2021**: \\*Gamma\\* \\<b\\>x\\<\\/b\\> \\(2021\\)" in report
    assert "| beta2020 | n\\_total | 60 | 62 |" in report
    assert "| summary\\.json | n\\_studies | 12 | 13 |" in report
    assert "| summary\\.json | n\\_participants | 480 | 520 |" in report
    assert "| screened | 200 | 230 |" in report  # PRISMA section
    assert "- Before: We included 12 studies with 480 participants in total\\." in report
    assert "  After: We included 13 studies with 520 participants in total\\." in report
    # citations as written in the source, since the text is compared before citeproc
    assert "- One new trial was added in this update \\[\\@gamma2021\\]\\." in report
    assert "- An earlier survey found mixed results \\[\\@delta2018\\]\\." in report

    page = html.read_text(encoding="utf-8")
    assert "<title>What changed since version v1</title>" in page
    # the author name with Markdown and HTML in it is printed, not interpreted
    assert "*Gamma* &lt;b&gt;x&lt;/b&gt; (2021)" in page
    assert "<em>Gamma</em>" not in page and "<b>x</b>" not in page
    cells = re.findall(r"<td>(.*?)</td>", page)
    assert cells[cells.index("beta2020") : cells.index("beta2020") + 4] == [
        "beta2020",
        "n_total",
        "60",
        "62",
    ]


def test_changes_report_in_indonesian(tmp_path):
    rel = make_release(tmp_path)
    with contextlib.chdir(tmp_path / "review"):
        md, _ = changes.write_changes(rel, "results/changes", language="id")
    report = md.read_text(encoding="utf-8")
    assert report.startswith("# Perubahan sejak versi v1\n")
    assert "### Studi yang ditambahkan \\(1\\)" in report
    assert "| Studi | Kolom | Sebelum | Sesudah |" in report


def test_a_study_id_twice_is_refused(tmp_path):
    old = write_csv(tmp_path / "old.csv", "id,n", "a,1", "a,2")
    new = write_csv(tmp_path / "new.csv", "id,n", "a,1")
    with pytest.raises(InputError, match=r"old\.csv: row 3: id 'a' appears twice"):
        changes.compare_studies(old, new)


def test_tracked_documents_of_a_release_use_its_bibliography(tmp_path):
    """delta2018 is cited only in the released text and is missing from the current
    bibliography: the build resolves it from the release's copy."""
    rel = make_release(tmp_path)
    review = tmp_path / "review"
    assert rel.input("references") == rel.path / "data" / "references.bib"
    shutil.copy(FIXTURES / "new.bib", review / "data" / "references.bib")
    figures = review / "results" / "figures"
    figures.mkdir(parents=True)
    Image.new("RGB", (60, 40), "steelblue").save(figures / "by_year.png")
    # designs.png is gone with its figure: the deleted figure shows its caption only
    with contextlib.chdir(review):
        docx, pdf = changes.write_tracked_documents(
            rel,
            "results/changes",
            language="en",
            bibliography="data/references.bib",
            csl="apa",
            timestamp=EPOCH,
        )
    text = docx_text(docx, accept=False)
    assert "Delta, D. (2018). An example survey. Journal of Examples." in text
    assert "Figure 2. Designs of the studies." in text
    assert "Underlined text" in pypdf.PdfReader(pdf).pages[0].extract_text()
