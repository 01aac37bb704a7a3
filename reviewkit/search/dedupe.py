"""Remove duplicate records across (and within) database exports, auditably.

Input: the records table of :func:`reviewkit.search.readers.read_search_folder`
in its order (files by name, records in file order). Each record is compared
with the records kept before it, and removed as a duplicate of the first
match found by these rules, in this order:

1. ``doi``: the same DOI (lower case, resolver prefix removed);
2. ``title_year``: the same normalised title (case, diacritics, punctuation
   and spacing ignored) and the same year;
3. ``similar_title_year``: titles at least ``threshold`` similar (rapidfuzz
   ``fuzz.ratio``, the normalised Indel similarity, 0-100) in the same year,
   with the same numbers in both titles ("Part 1" is not "Part 2").

Rules 2 and 3 also need the first authors' family names to agree when both
records have one, never match an empty title, and match a title of fewer
than three words only when both records name a first author. No rule ever
merges two records with different DOIs: a kept record and everything merged
into it carry one DOI at most. Records without a year are matched by DOI only.

The first record is kept; every removal is one row of the merges table
(:data:`MERGE_COLUMNS`) with both records and the rule, so a person can check
each merge. Fuzzy comparisons are made within a year, between records whose
first authors share a name word (a record without one is compared with its
whole year), and only between titles whose lengths allow the threshold (a
ratio of at least t needs lengths within a factor t / (2 - t)); none of
these cuts loses a pair the rules would merge. 50,000 records take seconds
(benchmarks/search_dedupe.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from reviewkit.search.text import doi_key, name_tokens, normalise_title

DEFAULT_THRESHOLD = 95.0
RULES = ("doi", "title_year", "similar_title_year")
MERGE_COLUMNS = [
    "kept_id",
    "removed_id",
    "rule",
    "similarity",
    "kept_title",
    "removed_title",
    "kept_year",
    "removed_year",
    "kept_doi",
    "removed_doi",
    "kept_file",
    "removed_file",
    "kept_database",
    "removed_database",
]
# Arabic numbers and Roman numerals up to 39 (i, ii, iv, ix, xiv, ...).
NUMBER_TOKEN = re.compile(r"^(?:\d+|(?=[ivx])x{0,3}(?:ix|iv|v?i{0,3}))$")
MIN_TITLE_WORDS = 3
ROW_CHUNK = 128  # rows per cdist call: a narrow band of title lengths


@dataclass(frozen=True)
class Deduplication:
    """Kept records (input order), the merges table and removed id -> kept id."""

    records: pd.DataFrame
    merges: pd.DataFrame
    duplicate_of: dict[str, str]


def _numbers(title: str) -> tuple[str, ...]:
    return tuple(sorted(t for t in title.split() if NUMBER_TOKEN.match(t)))


def _authors_agree(a: frozenset[str], b: frozenset[str], sa: frozenset[str], sb: frozenset[str]):
    """First authors agree when either is unknown, or one's family name is among
    the other's name words ("van der Berg" ~ "Berg A", "Dewi S." ~ "Sartika Dewi")."""
    if not sa or not sb:
        return True
    return sa <= b or sb <= a


def _compare(
    rows: list[int],
    columns: list[int],
    titles: list[str],
    threshold: float,
    workers: int,
    found: dict[tuple[int, int], float],
    symmetric: bool = False,
) -> None:
    """Add to ``found`` every pair (row, column) of different records whose
    titles are at least ``threshold`` similar. Rows and columns are sorted by
    title length and each chunk of rows is compared only with the columns whose
    length allows the threshold: ratio >= t needs len_b / len_a in
    [t / (2 - t), (2 - t) / t] (Indel distance >= the difference in length).
    ``symmetric``: rows and columns are the same records; each pair is
    computed once."""
    from rapidfuzz import fuzz, process

    if not rows or not columns:
        return
    t = threshold / 100.0
    grow = (2.0 - t) / t
    rows = sorted(rows, key=lambda i: (len(titles[i]), i))
    columns = sorted(columns, key=lambda i: (len(titles[i]), i))
    column_lengths = np.array([len(titles[i]) for i in columns])
    column_texts = [titles[i] for i in columns]
    for start in range(0, len(rows), ROW_CHUNK):
        chunk = rows[start : start + ROW_CHUNK]
        if symmetric:
            low = start  # pairs with a shorter (earlier) title were computed already
        else:
            low = int(np.searchsorted(column_lengths, len(titles[chunk[0]]) / grow, side="left"))
        high = int(np.searchsorted(column_lengths, len(titles[chunk[-1]]) * grow, side="right"))
        if high <= low:
            continue
        scores = process.cdist(
            [titles[i] for i in chunk],
            column_texts[low:high],
            scorer=fuzz.ratio,
            score_cutoff=threshold,
            dtype=np.float32,
            workers=workers,
        )
        hits_r, hits_c = np.nonzero(scores)
        for r, c in zip(hits_r.tolist(), hits_c.tolist(), strict=True):
            a, b = chunk[r], columns[low + c]
            if a != b:
                found[(min(a, b), max(a, b))] = float(scores[r, c])


def similar_pairs(
    titles: list[str],
    years: list[int | None],
    threshold: float,
    workers: int = 1,
    author_keys: list[frozenset[str]] | None = None,
) -> dict[int, list[tuple[int, float]]]:
    """For each record j, the earlier records i < j of the same year whose
    normalised titles are at least ``threshold`` similar: {j: [(i, score)]}.

    ``author_keys`` (optional) narrows the search without losing a pair the
    author rule would accept: two records that both name a first author are
    compared only when their first authors share a name word; a record
    without one (empty key) is compared with every record of its year.
    """
    by_year: dict[int, list[int]] = {}
    for index, (title, year) in enumerate(zip(titles, years, strict=True)):
        if title and year is not None:
            by_year.setdefault(year, []).append(index)
    found: dict[tuple[int, int], float] = {}
    for year in sorted(by_year):
        members = by_year[year]
        if author_keys is None:
            _compare(members, members, titles, threshold, workers, found, symmetric=True)
            continue
        blocks: dict[str, list[int]] = {}
        anyone, named = [], []
        for index in members:
            if author_keys[index]:
                named.append(index)
                for token in sorted(author_keys[index]):
                    blocks.setdefault(token, []).append(index)
            else:
                anyone.append(index)
        for token in sorted(blocks):
            if len(blocks[token]) > 1:
                block = blocks[token]
                _compare(block, block, titles, threshold, workers, found, symmetric=True)
        _compare(anyone, anyone, titles, threshold, workers, found, symmetric=True)
        _compare(anyone, named, titles, threshold, workers, found)
    pairs: dict[int, list[tuple[int, float]]] = {}
    for (i, j), score in sorted(found.items()):
        pairs.setdefault(j, []).append((i, score))
    return pairs


def deduplicate(
    records: pd.DataFrame, threshold: float = DEFAULT_THRESHOLD, workers: int = 1
) -> Deduplication:
    """Apply the three rules (module docstring); keep the first record of each
    set of duplicates. ``threshold`` is the fuzz.ratio similarity (0-100) that
    rule 3 needs; ``workers`` the cores rapidfuzz may use."""
    from rapidfuzz import fuzz

    if not 0 < threshold <= 100:
        raise ValueError(f"threshold must be in (0, 100], got {threshold!r}")
    n = len(records)
    ids = records["record_id"].tolist()
    titles = [normalise_title(t) for t in records["title"]]
    years = [None if pd.isna(y) else int(y) for y in records["year"]]
    dois = [doi_key(d) for d in records["doi"]]
    first = [name_tokens(name) for name in records["first_author"]]
    full = [
        name_tokens(authors[0]) | first[i] if len(authors) else first[i]
        for i, authors in enumerate(records["authors"])
    ]
    # Records naming no first author are compared with all (empty key).
    keys = [full[i] if first[i] else frozenset() for i in range(n)]
    candidates = similar_pairs(titles, years, threshold, workers, keys)

    kept_of = list(range(n))
    group_doi: dict[int, str] = {}
    by_doi: dict[str, int] = {}
    by_title: dict[tuple[str, int], list[int]] = {}
    merges: list[tuple[int, int, str, float]] = []

    def compatible(k: int, j: int) -> bool:
        if dois[j] and group_doi.get(k, dois[j]) != dois[j]:
            return False
        if len(titles[j].split()) < MIN_TITLE_WORDS and not (first[k] and first[j]):
            return False
        return _authors_agree(full[k], full[j], first[k], first[j])

    for j in range(n):
        match: tuple[int, str, float] | None = None
        if dois[j] and dois[j] in by_doi:
            k = by_doi[dois[j]]
            match = (k, "doi", fuzz.ratio(titles[k], titles[j]))
        elif titles[j] and years[j] is not None:
            for k in by_title.get((titles[j], years[j]), []):
                if compatible(k, j):
                    match = (k, "title_year", 100.0)
                    break
            if match is None:
                best: tuple[float, int] | None = None
                numbers = _numbers(titles[j])
                for i, score in candidates.get(j, []):
                    if kept_of[i] != i or _numbers(titles[i]) != numbers:
                        continue
                    if compatible(i, j) and (best is None or (score, -i) > (best[0], -best[1])):
                        best = (score, i)
                if best is not None:
                    match = (best[1], "similar_title_year", best[0])
        if match is None:
            if dois[j]:
                by_doi[dois[j]] = j
                group_doi[j] = dois[j]
            if titles[j] and years[j] is not None:
                by_title.setdefault((titles[j], years[j]), []).append(j)
            continue
        k, rule, score = match
        kept_of[j] = k
        if dois[j] and k not in group_doi:
            group_doi[k] = dois[j]
            by_doi[dois[j]] = k
        merges.append((k, j, rule, round(float(score), 1)))

    kept_mask = np.array([kept_of[j] == j for j in range(n)], dtype=bool)
    kept = records.loc[kept_mask].reset_index(drop=True) if n else records.copy()
    kept_index = [k for k, _j, _rule, _score in merges]
    removed_index = [j for _k, j, _rule, _score in merges]
    columns = {
        "kept_id": [ids[k] for k in kept_index],
        "removed_id": [ids[j] for j in removed_index],
        "rule": [rule for _k, _j, rule, _score in merges],
        "similarity": [score for _k, _j, _rule, score in merges],
    }
    for field, name in (
        ("title", "title"),
        ("year", "year"),
        ("doi", "doi"),
        ("source_file", "file"),
        ("database", "database"),
    ):
        values = records[field].to_numpy()
        columns[f"kept_{name}"] = values[kept_index] if merges else []
        columns[f"removed_{name}"] = values[removed_index] if merges else []
    table = pd.DataFrame(columns)[MERGE_COLUMNS]
    table = table.astype({"kept_year": "Int64", "removed_year": "Int64"})
    duplicate_of = {ids[j]: ids[k] for k, j, _rule, _score in merges}
    return Deduplication(kept, table, duplicate_of)


def write_merges(merges: pd.DataFrame, path) -> None:
    """The merges table as CSV (UTF-8, sorted as merged: kept file order)."""
    from pathlib import Path

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    merges.to_csv(target, index=False, encoding="utf-8", lineterminator="\n")
