"""End to end, as a user keeps a review alive (issue 9): search exports and screening
decisions to a PRISMA 2020 flow diagram and counts in the text, then a released
version, a new study and the what-changed outputs against the release.

The search exports are the synthetic fixtures of tests/fixtures/search/known/
(20 records, 5 known duplicates; see its README) plus five more records, so the
expected counts are known before the build: identified 25, duplicates 5,
screened 20.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT, read_rows, write_rows
from test_workflow_e2e import DOCX, PDF, docx_text, pdf_text

from reviewkit.reproducible import copy_review

pytestmark = pytest.mark.e2e

KNOWN = ROOT / "tests" / "fixtures" / "search" / "known"
EXTRA_TITLES = [
    ("Breastfeeding education for fathers", 2019),
    ("Kangaroo care and infant weight", 2020),
    ("Lactation after preterm birth: a cohort", 2021),
    ("Herbal galactagogues in Indonesia", 2022),
    ("Oxytocin levels after back massage", 2023),
]
SOURCES = """sources:
  garuda.ris: {database: Garuda, date: 2024-03-01, query: '"pijat oksitosin" AND "produksi ASI"'}
  scopus.csv: {database: Scopus, date: 2024-03-02, query: 'TITLE-ABS-KEY("oxytocin massage")'}
  pubmed.ris: {database: PubMed, date: 2024-03-02, query: 'oxytocin massage[tiab]'}
"""


def review_copy(target: Path) -> Path:
    """The example review alone (config, data, manuscript): the tool stays where it is."""
    return copy_review(ROOT, target)


def review_py(review: Path, *args: str) -> subprocess.CompletedProcess:
    """The user's command: python3 review.py ... --directory REVIEW."""
    return subprocess.run(
        [sys.executable, str(ROOT / "review.py"), *args, "--directory", str(review)],
        capture_output=True,
        text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"},
    )


def built(review: Path, *args: str) -> subprocess.CompletedProcess:
    result = review_py(review, "build", *args)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


# ------------------------------------------------- search, screening, PRISMA ---


@pytest.fixture(scope="module")
def searched(tmp_path_factory) -> dict:
    review = review_copy(tmp_path_factory.mktemp("search") / "review")
    search = review / "data" / "search"
    search.mkdir()
    for name in ("garuda.ris", "scopus.csv"):
        shutil.copyfile(KNOWN / name, search / name)
    (search / "pubmed.ris").write_text(
        "\n".join(
            f"TY  - JOUR\nAU  - Author{n}, Test\nTI  - {title}\nT2  - Test Journal\n"
            f"PY  - {year}\nDO  - 10.5555/extra.{n:04d}\nER  - \n"
            for n, (title, year) in enumerate(EXTRA_TITLES, start=1)
        ),
        encoding="utf-8",
    )
    (search / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    first = built(review)
    unscreened = {
        "output": first.stderr,
        "text": docx_text(review / DOCX),
        "prisma": json.loads((review / "results/stats/prisma.json").read_text()),
    }
    # The user screens in the workbook the build wrote and saves the decisions:
    # 3 excluded on title and abstract, 1 report not retrieved, 1 excluded on full
    # text, and one included report for each study of the table.
    sheet = openpyxl.load_workbook(review / "results/search/records.xlsx")["records"]
    records = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    studies = [row["id"] for row in read_rows(review / "data" / "studies.csv")]
    decisions = []
    for number, record in enumerate(records):
        if number < 3:
            decisions.append([record, "exclude", "", "", ""])
        elif number == 3:
            decisions.append([record, "include", "not_retrieved", "", ""])
        elif number == 4:
            decisions.append([record, "include", "exclude", "populasi tidak sesuai", ""])
        else:
            decisions.append([record, "include", "include", "", studies[number - 5]])
    with open(review / "data" / "screening.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["record_id", "title_abstract", "full_text", "exclusion_reason", "study_id"]
        )
        writer.writerows(decisions)
    built(review)
    return {"review": review, "records": records, "unscreened": unscreened}


def test_exports_with_known_duplicates_give_the_identified_and_removed_counts(searched):
    prisma = searched["unscreened"]["prisma"]
    assert prisma["identified"] == {
        "total": 25,
        "by_source": {"Garuda": 10, "PubMed": 5, "Scopus": 10},
    }
    assert prisma["duplicates_removed"] == 5
    assert len(searched["records"]) == 20  # the workbook holds the deduplicated records
    with open(searched["review"] / "results/search/duplicates.csv", encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 5


def test_without_decisions_the_build_succeeds_and_says_screening_is_not_recorded(searched):
    unscreened = searched["unscreened"]
    assert unscreened["prisma"]["screening_recorded"] is False
    assert unscreened["prisma"]["screened"] is None  # never invented
    assert "Traceback" not in unscreened["output"]
    assert "belum dicatat" in unscreened["text"]  # "screening has not been recorded"


def test_the_counts_follow_the_decisions(searched):
    prisma = json.loads((searched["review"] / "results/stats/prisma.json").read_text())
    assert prisma["screening_recorded"] is True
    assert (prisma["screened"], prisma["excluded_screening"], prisma["sought"]) == (20, 3, 17)
    assert (prisma["not_retrieved"], prisma["assessed"]) == (1, 16)
    assert prisma["excluded_full_text"] == {"total": 1, "by_reason": {"populasi tidak sesuai": 1}}
    assert (prisma["included_studies"], prisma["included_reports"]) == (15, 15)


def test_the_text_quotes_prisma_json_and_the_search_details(searched):
    prisma = json.loads((searched["review"] / "results/stats/prisma.json").read_text())
    text = docx_text(searched["review"] / DOCX)
    results = text[text.index("Hasil pencarian") :]
    stated = {
        f"{prisma['identified']['total']} catatan",
        f"{prisma['duplicates_removed']} catatan dihapus sebagai duplikat",
        f"{prisma['excluded_screening']} dikeluarkan berdasarkan judul dan abstrak",
        f"{prisma['not_retrieved']} tidak dapat diperoleh",
        f"{prisma['assessed']} dinilai dalam teks lengkap",
        f"{prisma['included_studies']} studi ({prisma['included_reports']} laporan)",
    }
    for phrase in stated:
        assert phrase in results, phrase
    methods = text[text.index("Pencarian dan seleksi") : text.index("Ekstraksi data")]
    assert "Garuda pada 1 Maret 2024" in methods  # search dates from sources.yaml
    assert "oxytocin massage[tiab]" in methods  # the query string, quoted as typed
    assert "Menurut tinjauan sumber" not in methods  # the source review's search is not mixed in


def test_the_flow_diagram_is_in_the_docx_and_the_pdf(searched):
    review = searched["review"]
    with zipfile.ZipFile(review / DOCX) as archive:
        media = [name for name in archive.namelist() if name.startswith("word/media/")]
    figures = sorted((review / "results" / "figures").glob("*.png"))
    assert (review / "results/figures/prisma_flow.png").exists()
    assert len(media) >= 1 and len(media) <= len(figures)
    text = docx_text(review / DOCX)
    assert re.search(r"Gambar 1\. Diagram alir PRISMA 2020", text)
    assert "Diagram alir PRISMA 2020" in pdf_text(review / PDF)


# --------------------------------------------------- release, what changed ---


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> dict:
    review = review_copy(tmp_path_factory.mktemp("release") / "review")
    built(review)
    release = review_py(review, "release", "v1")
    assert release.returncode == 0, release.stderr
    kept = review / "versions" / "v1" / "results" / "manuscript" / "manuscript.docx"
    before = sha256(kept)
    again = review_py(review, "release", "v1")
    rows = read_rows(review / "data" / "studies.csv")
    new = dict(rows[-1], id="baru2024", authors="Baru & Contoh", year="2024", n_total="100")
    new["main_result"] = "Studi tambahan untuk uji."
    write_rows(review / "data" / "studies.csv", [*rows, new])
    with open(review / "data" / "references.bib", "a", encoding="utf-8") as bib:
        bib.write("\n@article{baru2024,\n  author = {Baru and Contoh},\n  year = {2024},\n}\n")
    stale = review_py(review, "release", "v2")
    built(review)
    return {"review": review, "kept": kept, "before": before, "again": again, "stale": stale}


def test_a_release_is_refused_twice_and_when_the_build_is_stale(released):
    assert released["again"].returncode != 0
    assert "versions/v1 exists already" in released["again"].stderr
    assert released["stale"].returncode != 0
    assert "not up to date" in released["stale"].stderr
    assert not (released["review"] / "versions" / "v2").exists()


def test_the_release_keeps_its_docx_unchanged(released):
    assert sha256(released["kept"]) == released["before"]


def test_changes_name_the_new_study_and_the_numbers_that_moved(released):
    changes = (released["review"] / "results/changes/changes.md").read_text(encoding="utf-8")
    plain = changes.replace("\\", "")
    assert "baru2024" in plain
    assert re.search(r"n_studies \| 15 \| 16", plain)
    assert re.search(r"n_participants \| 532 \| 632", plain)


def test_the_tracked_docx_marks_the_changed_counts(released):
    with zipfile.ZipFile(released["review"] / "results/changes/manuscript-tracked.docx") as docx:
        xml = docx.read("word/document.xml").decode("utf-8")
    deleted = re.findall(r"<w:del\b.*?</w:del>", xml, flags=re.S)
    inserted = re.findall(r"<w:ins\b.*?</w:ins>", xml, flags=re.S)
    assert any(">15<" in chunk for chunk in deleted)  # "15 studi" before
    assert any(">16<" in chunk for chunk in inserted)  # "16 studi" now
    assert (released["review"] / "results/changes/manuscript-changes.pdf").stat().st_size > 0
