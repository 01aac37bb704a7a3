"""PRISMA 2020 counts from the known fixture (20 records, 5 duplicates; see
tests/fixtures/search/README.md) and hand-written screening decisions."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from reviewkit.search.dedupe import deduplicate
from reviewkit.search.prisma import COUNT_KEYS, check_counts, prisma_counts
from reviewkit.search.readers import read_search_folder

FIXTURES = Path(__file__).parent / "fixtures" / "search"


@pytest.fixture(scope="module")
def search():
    export = read_search_folder(FIXTURES / "known")
    return export, deduplicate(export.records)


def decisions_for(ids: list[str]) -> pd.DataFrame:
    """15 records: 6 included on title/abstract; of those 2 reports of study s1,
    1 report of s2, 2 excluded (reasons A, A), 1 not retrieved."""
    plan = [
        ("include", "include", "", "s1"),
        ("include", "include", "", "s1"),
        ("include", "include", "", "s2"),
        ("include", "exclude", "Wrong population", ""),
        ("include", "exclude", "Wrong population", ""),
        ("include", "not_retrieved", "", ""),
    ] + [("exclude", "", "", "")] * 9
    return pd.DataFrame(
        [
            {
                "record_id": record_id,
                "title_abstract": ta,
                "full_text": ft,
                "exclusion_reason": reason,
                "study_id": study,
                "notes": "",
            }
            for record_id, (ta, ft, reason, study) in zip(ids, plan, strict=True)
        ]
    )


def test_identification_only_before_screening(search):
    export, dedup = search
    counts = prisma_counts(export, dedup, None, threshold=95.0)
    assert counts["search_provided"] is True
    assert counts["screening_recorded"] is False
    assert counts["identified"] == {"total": 20, "by_source": {"garuda": 10, "scopus": 10}}
    assert (counts["duplicates_removed"], counts["other_removed"]) == (5, 0)
    for key in COUNT_KEYS[3:]:
        assert counts[key] is None, key
    assert counts["deduplication"] == {
        "threshold": 95.0,
        "by_rule": {"doi": 2, "title_year": 2, "similar_title_year": 1},
    }
    assert check_counts(counts) == []
    json.dumps(counts)  # serialisable as prisma.json


def test_no_search_means_nothing_is_known():
    counts = prisma_counts(None, None, None)
    assert counts["search_provided"] is False
    assert all(counts[key] is None for key in COUNT_KEYS)
    assert counts["sources"] == []


def test_counts_after_screening(search):
    export, dedup = search
    decisions = decisions_for(dedup.records["record_id"].tolist())
    counts = prisma_counts(export, dedup, decisions)
    assert counts["screening_recorded"] is True
    assert {key: counts[key] for key in COUNT_KEYS if key != "identified"} == {
        "duplicates_removed": 5,
        "other_removed": 0,
        "screened": 15,
        "excluded_screening": 9,
        "sought": 6,
        "not_retrieved": 1,
        "assessed": 5,
        "excluded_full_text": {"total": 2, "by_reason": {"Wrong population": 2}},
        "included_studies": 2,
        "included_reports": 3,
    }
    assert counts["included_study_ids"] == ["s1", "s2"]
    assert check_counts(counts, {"s1", "s2"}) == []
    assert check_counts(counts, {"s1", "s3"}, "data/studies.csv") == [
        'prisma: study "s3" of data/studies.csv is not among the included studies of the screening',
        'prisma: included study "s2" of the screening has no row in data/studies.csv',
    ]


def test_sources_and_last_search_date(tmp_path, search):
    import shutil

    folder = tmp_path / "search"
    shutil.copytree(FIXTURES / "known", folder)
    (folder / "sources.yaml").write_text(
        "sources:\n  garuda.ris: {database: Garuda, date: 2024-05-01, query: pijat}\n"
        "  scopus.csv: {database: Scopus, date: 2024-06-30}\n"
    )
    export = read_search_folder(folder)
    counts = prisma_counts(export, deduplicate(export.records), None)
    assert counts["last_search_date"] == "2024-06-30"
    assert counts["identified"]["by_source"] == {"Garuda": 10, "Scopus": 10}
    assert counts["sources"][0] == {
        "file": "garuda.ris",
        "database": "Garuda",
        "kind": "database",
        "format": "ris",
        "records": 10,
        "date": "2024-05-01",
        "query": "pijat",
    }


def test_inconsistent_counts_are_reported(search):
    export, dedup = search
    counts = prisma_counts(export, dedup, decisions_for(dedup.records["record_id"].tolist()))
    counts["screened"] = 14
    counts["not_retrieved"] = 0
    assert check_counts(counts) == [
        "prisma: screened 14 != identified 20 - duplicates 5 - other removed 0",
        "prisma: excluded 9 + sought 6 exceed the 14 records screened",
        "prisma: 1 of 6 reports sought have no full-text decision",
    ]


def test_updated_review_adds_previous_and_total(search):
    export, dedup = search
    decisions = decisions_for(dedup.records["record_id"].tolist())
    previous = {
        "included_studies": 4,
        "included_reports": 5,
        "included_study_ids": ["p1", "p2", "p3", "s1"],
        "sources": [],
    }
    counts = prisma_counts(export, dedup, decisions, previous=previous)
    # s1 was included before: one new study (s2); three new reports
    assert counts["included_studies"] == 1
    assert counts["included_reports"] == 3
    assert (counts["previous_studies"], counts["previous_reports"]) == (4, 5)
    assert (counts["total_studies"], counts["total_reports"]) == (5, 8)
    assert counts["included_study_ids"] == ["p1", "p2", "p3", "s1", "s2"]
    assert check_counts(counts, {"p1", "p2", "p3", "s1", "s2"}) == []


def test_updated_review_leaves_out_files_of_the_previous_version(search):
    export, dedup = search
    previous = {
        "total_studies": 2,
        "total_reports": 2,
        "sources": [{"file": "garuda.ris"}],
    }
    counts = prisma_counts(export, dedup, None, previous=previous)
    # scopus.csv only: 10 records, 4 of them duplicates of garuda.ris records
    assert counts["identified"] == {"total": 10, "by_source": {"scopus": 10}}
    assert counts["duplicates_removed"] == 4
    assert (counts["previous_studies"], counts["total_studies"]) == (2, None)
