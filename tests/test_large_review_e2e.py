"""End to end: a review above ``large_review.per_study_in_supplement_above`` (issue 11,
"Documents that stay readable at scale"), built from 130 synthetic studies of the
generator in benchmarks/ with the threshold at 100.

What a reader of such a review checks: Table 1 of the manuscript summarises the
studies by design (the counts and participant totals add up to the study table);
every study is in Table S1 of the supplementary tables (Word and PDF) and in the
submission; the text says where the per-study detail is; no figure is above 25
megapixels. The synthetic rows are clearly fictional ("Synthetic17 A.").
"""

from __future__ import annotations

import csv
import json
import re
import sys
import zipfile
from pathlib import Path

import docx
import pypandoc
import pytest
from conftest import ROOT
from PIL import Image
from test_workflow_e2e import DOCX, PDF, build, copy_project, docx_text, pdf_text, snakemake

from reviewkit.i18n import section
from reviewkit.large_review import APPENDIX_READER, count_study_rows, settings_of, wants_pdf

sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import write_review

pytestmark = pytest.mark.e2e

N_STUDIES = 130
SUPPLEMENT_DOCX = Path("results/supplement/supplementary-tables.docx")
SUPPLEMENT_PDF = Path("results/supplement/supplementary-tables.pdf")
WORDS = section("id", "large_review")


def study_rows(review: Path) -> list[dict[str, str]]:
    with open(review / "data" / "studies.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def number(text: str) -> int:
    """An Indonesian integer as the document writes it (1.234)."""
    return int(text.replace(".", ""))


#: Cell text that is markup in every format the supplement passes through: it must
#: reach Table S1 as these characters.
HOSTILE = "<b>RS</b> *x* $y$ @synthetic00002 [a](http://example.org) `=1+1` ^[n]"


@pytest.fixture(scope="module")
def large(tmp_path_factory) -> Path:
    review = copy_project(tmp_path_factory.mktemp("large"))
    write_review(N_STUDIES, review)
    rows = study_rows(review)
    rows[0]["facility"] = HOSTILE
    with open(review / "data" / "studies.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    build(review)
    return review


def test_table_1_summarises_the_studies_by_design_and_adds_up(large):
    rows = study_rows(large)
    document = docx.Document(str(large / DOCX))
    summary = next(
        table
        for table in document.tables
        if table.rows[0].cells[0].text == WORDS["summary_headers"]["design"]
    )
    cells = [[cell.text for cell in row.cells] for row in summary.rows[1:]]
    total = cells[-1]
    assert total[0] == WORDS["total"]
    assert number(total[1]) == len(rows) == N_STUDIES
    assert number(total[2]) == sum(int(row["n_total"]) for row in rows)
    # one row per design present, each with its own count; together all studies
    assert sum(number(row[1]) for row in cells[:-1]) == N_STUDIES
    assert len(cells) - 1 == len({row["design"] for row in rows})
    years = sorted(int(row["year"]) for row in rows)
    assert total[4] == f"{years[0]}–{years[-1]}"


def test_the_text_says_where_each_study_is_described(large):
    text = docx_text(large / DOCX)
    assert "Tabel Pelengkap S1" in text
    assert "supplementary-tables.docx" in text and "supplementary-data.xlsx" in text
    # the studies are not cited one by one in the manuscript's own table
    assert "Synthetic17 A." not in text


def test_every_study_is_in_table_s1_of_the_supplement_in_word_and_pdf(large):
    rows = study_rows(large)
    document = docx.Document(str(large / SUPPLEMENT_DOCX))
    first = document.tables[0]
    keys = re.findall(r"\[(synthetic\d{5})\]", "\n".join(r.cells[1].text for r in first.rows))
    assert keys == [row["id"] for row in rows]
    pdf = pdf_text(large / SUPPLEMENT_PDF)
    assert all(row["id"] in pdf for row in rows)
    assert "Tabel S1." in pdf and "Tabel S2." in pdf


def test_study_text_reaches_the_supplement_as_text(large):
    document = docx.Document(str(large / SUPPLEMENT_DOCX))
    cells = [cell.text for row in document.tables[0].rows for cell in row.cells]
    assert any(HOSTILE in cell for cell in cells)
    assert HOSTILE.replace(" ", "") in pdf_text(large / SUPPLEMENT_PDF).replace(" ", "")


def test_the_supplement_reader_reads_what_pandoc_markdown_reads(large):
    """The supplementary tables are read with a subset of pandoc's Markdown
    (large_review.APPENDIX_READER, twice as fast): the same document as the full
    reader gives, hostile cell included."""
    source = str(large / "results/supplement/supplementary-tables.md")
    full = pypandoc.convert_file(source, "json", format="markdown")
    subset = pypandoc.convert_file(source, "json", format=APPENDIX_READER)
    assert json.loads(subset) == json.loads(full)


def test_the_submission_carries_the_supplementary_tables(large):
    with zipfile.ZipFile(large / "results/submission/sinta-nursing.zip") as archive:
        names = {Path(name).name for name in archive.namelist()}
    assert {"supplementary-tables.docx", "supplementary-tables.pdf"} <= names
    assert "supplementary-data.xlsx" in names


def test_no_figure_is_above_25_megapixels(large):
    figures = sorted((large / "results/figures").glob("*.png"))
    assert figures
    for figure in figures:
        with Image.open(figure) as image:
            assert image.width * image.height <= 25_000_000, figure.name


def test_the_manuscript_pdf_has_the_summary_table(large):
    text = pdf_text(large / PDF)
    assert WORDS["total"] in text
    assert "Tabel Pelengkap S1" in text


def test_above_the_pdf_limit_the_supplement_is_word_only(large):
    """With supplement_pdf_up_to below the number of studies the build plans no PDF of
    the supplementary tables (a dry run lists what it would make)."""
    config = large / "config.yaml"
    original = config.read_text(encoding="utf-8")
    try:
        config.write_text(
            original.replace("supplement_pdf_up_to: 2000", "supplement_pdf_up_to: 120"),
            encoding="utf-8",
        )
        assert "supplement_pdf_up_to: 120" in config.read_text(encoding="utf-8")
        planned = snakemake(large, "--dry-run", "--forceall")
        assert planned.returncode == 0, planned.stderr[-2000:]
        assert "supplementary-tables.docx" in planned.stdout
        assert "supplementary-tables.pdf" not in planned.stdout
    finally:
        config.write_text(original, encoding="utf-8")


def test_count_and_limits_follow_the_table(tmp_path):
    table = tmp_path / "studies.csv"
    table.write_text("id;authors\na;A\n;\nb;B\n\nc;C\n", encoding="utf-8")
    assert count_study_rows(table) == 3  # rows with a filled cell
    assert count_study_rows(tmp_path / "missing.csv") == 0
    assert settings_of(3, threshold=2, pdf_limit=2)["tables_pdf"] is None
    assert settings_of(2, threshold=2, pdf_limit=2)["per_study_in_supplement"] is False
    assert wants_pdf(2000) and not wants_pdf(2001)


def test_the_supplement_defaults_are_the_manuscripts_less_the_citation_filters():
    """layout/defaults/appendix.yaml is common.yaml without studies.lua and citeproc,
    and nothing else differs: a change to common.yaml must reach it too."""
    import yaml

    from reviewkit.assemble import DEFAULTS_DIR
    from reviewkit.large_review import APPENDIX_DEFAULTS

    common = yaml.safe_load((DEFAULTS_DIR / "common.yaml").read_text(encoding="utf-8"))
    appendix = yaml.safe_load((DEFAULTS_DIR / APPENDIX_DEFAULTS).read_text(encoding="utf-8"))
    citation_filters = {"${.}/../filters/studies.lua", "citeproc"}
    assert citation_filters <= set(common["filters"])
    assert appendix["filters"] == [f for f in common["filters"] if f not in citation_filters]
    assert {k: v for k, v in appendix.items() if k != "filters"} == {
        k: v for k, v in common.items() if k != "filters"
    }


def test_the_supplement_is_the_same_without_the_citation_filters(large, tmp_path):
    """Leaving studies.lua and citeproc out of the supplementary tables' run changes
    no byte of the DOCX or of the typst source, hostile cell included."""
    from reviewkit.assemble import build_docx, markdown_to_typst
    from reviewkit.large_review import APPENDIX_DEFAULTS

    source = large / "results/supplement/supplementary-tables.md"
    reference = next((large / "results/profiles").glob("*/reference.docx"))
    made = {}
    for base in ("common.yaml", APPENDIX_DEFAULTS):
        docx_file, typst_file = tmp_path / f"{base}.docx", tmp_path / f"{base}.typ"
        common = {"bibliography": None, "csl": None, "from_format": APPENDIX_READER}
        build_docx(
            source, docx_file, reference_docx=reference, timestamp=0, base_defaults=base, **common
        )
        markdown_to_typst(source, typst_file, base_defaults=base, **common)
        made[base] = (docx_file.read_bytes(), typst_file.read_bytes())
    assert HOSTILE in docx_text(tmp_path / f"{APPENDIX_DEFAULTS}.docx")
    assert made["common.yaml"] == made[APPENDIX_DEFAULTS]
