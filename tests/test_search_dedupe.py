"""Deduplication: the known duplicates of tests/fixtures/search/known (see its
README for the table of planted cases) are removed exactly, by the rule
expected, and the edge cases are never merged."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from reviewkit.search.dedupe import MERGE_COLUMNS, deduplicate, write_merges
from reviewkit.search.readers import assign_record_ids, read_search_folder
from reviewkit.search.text import surname

FIXTURES = Path(__file__).parent / "fixtures" / "search"


@pytest.fixture(scope="module")
def known():
    export = read_search_folder(FIXTURES / "known")
    return export, deduplicate(export.records)


def ids_at(records, file, *positions):
    rows = records.set_index(["source_file", "position"])["record_id"]
    return [rows[(file, p)] for p in positions]


def test_identified_and_duplicates_removed_exactly(known):
    export, dedup = known
    assert len(export.records) == 20
    assert len(dedup.merges) == 5
    assert len(dedup.records) == 15


def test_each_planted_duplicate_removed_by_its_rule(known):
    export, dedup = known
    records = export.records
    expected = {
        # removed record -> (kept record, rule)
        ids_at(records, "garuda.ris", 7)[0]: (ids_at(records, "garuda.ris", 1)[0], "doi"),
        ids_at(records, "scopus.csv", 1)[0]: (ids_at(records, "garuda.ris", 1)[0], "doi"),
        ids_at(records, "scopus.csv", 2)[0]: (ids_at(records, "garuda.ris", 2)[0], "title_year"),
        ids_at(records, "scopus.csv", 3)[0]: (ids_at(records, "garuda.ris", 3)[0], "title_year"),
        ids_at(records, "scopus.csv", 7)[0]: (
            ids_at(records, "garuda.ris", 8)[0],
            "similar_title_year",
        ),
    }
    found = {
        row.removed_id: (row.kept_id, row.rule) for row in dedup.merges.itertuples(index=False)
    }
    assert found == expected
    assert dedup.duplicate_of == {removed: kept for removed, (kept, _) in expected.items()}


def test_edge_cases_are_kept(known):
    export, dedup = known
    kept = set(dedup.records["record_id"])
    for position in (4, 5, 6, 8, 9, 10):  # other DOI, other year, empty title, part 2,
        # other first author, unique
        assert ids_at(export.records, "scopus.csv", position)[0] in kept, position


def test_merges_table_shows_both_records(known):
    _export, dedup = known
    assert list(dedup.merges.columns) == MERGE_COLUMNS
    fuzzy = dedup.merges[dedup.merges["rule"] == "similar_title_year"].iloc[0]
    assert fuzzy["kept_title"].startswith("Oxytocin massage for postpartum")
    assert fuzzy["removed_title"].startswith("Oxytocin massage for post-partum")
    assert (fuzzy["kept_file"], fuzzy["removed_file"]) == ("garuda.ris", "scopus.csv")
    assert 95 <= fuzzy["similarity"] < 100


def test_threshold_is_configurable(known):
    export, _ = known
    strict = deduplicate(export.records, threshold=99.5)
    assert len(strict.merges) == 4  # the 97.8 % pair is no longer merged
    assert "similar_title_year" not in set(strict.merges["rule"])
    with pytest.raises(ValueError, match="threshold"):
        deduplicate(export.records, threshold=0)


def frame(rows):
    records = pd.DataFrame(
        [
            {
                "source_file": "a.ris",
                "database": "A",
                "position": index + 1,
                "title": "",
                "authors": [],
                "year": 2020,
                "journal": "",
                "doi": "",
                "abstract": "",
                "pmid": "",
                **row,
            }
            for index, row in enumerate(rows)
        ]
    )
    records["first_author"] = [surname(a[0]) if a else "" for a in records["authors"]]
    records["year"] = records["year"].astype("Int64")
    records.insert(0, "record_id", assign_record_ids(records))
    return records


def test_a_group_never_holds_two_dois():
    title = "Oxytocin massage and breast milk volume in postpartum mothers"
    records = frame(
        [
            {"title": title},  # no DOI
            {"title": title, "doi": "10.5555/x"},  # joins the first: it has no DOI yet
            {"title": title, "doi": "10.5555/y"},  # the group now has 10.5555/x: kept
            {"title": title.upper(), "doi": "10.5555/Y"},  # same DOI as the third
        ]
    )
    dedup = deduplicate(records)
    ids = records["record_id"].tolist()
    pairs = {(r.kept_id, r.removed_id, r.rule) for r in dedup.merges.itertuples()}
    assert pairs == {(ids[0], ids[1], "title_year"), (ids[2], ids[3], "doi")}


def test_missing_year_or_short_title_without_authors_is_not_matched():
    records = frame(
        [
            {"title": "Editorial", "year": 2020},
            {"title": "Editorial", "year": 2020},
            {"title": "A longer title without any year given", "year": None},
            {"title": "A longer title without any year given", "year": None},
        ]
    )
    assert deduplicate(records).merges.empty


def test_short_title_with_agreeing_authors_is_matched():
    records = frame(
        [
            {"title": "Editorial", "authors": ["Smith, J."]},
            {"title": "EDITORIAL.", "authors": ["Smith J"]},
        ]
    )
    assert deduplicate(records).merges["rule"].tolist() == ["title_year"]


def test_first_author_family_name_matches_across_name_orders():
    title = "Oxytocin massage and breast milk volume in postpartum mothers"
    records = frame(
        [
            {"title": title, "authors": ["van der Berg, Anna"]},
            {"title": title, "authors": ["Berg A"]},  # Berg within "van der Berg"
            {"title": title, "authors": ["Jones, M."]},
        ]
    )
    dedup = deduplicate(records)
    assert dedup.merges["removed_id"].tolist() == [records["record_id"][1]]


def test_roman_and_arabic_part_numbers_block_similar_titles():
    records = frame(
        [
            {"title": "Oxytocin massage in primary care settings part ii"},
            {"title": "Oxytocin massage in primary care settings part iii"},
            {"title": "Oxytocin massage in primary care settings, volume 12"},
            {"title": "Oxytocin massage in primary care settings, volume 13"},
        ]
    )
    assert deduplicate(records).merges.empty


def test_write_merges_csv(tmp_path, known):
    _export, dedup = known
    path = tmp_path / "results" / "search" / "duplicates.csv"
    write_merges(dedup.merges, path)
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(back.columns) == MERGE_COLUMNS
    assert back["removed_id"].tolist() == dedup.merges["removed_id"].tolist()
