"""PRISMA 2020 flow counts for ``results/stats/prisma.json``.

Boxes of the PRISMA 2020 flow diagram (Page MJ et al. The PRISMA 2020
statement. BMJ 2021;372:n71, Figure 1), for new reviews and for updated
reviews, from the records read, the duplicates removed and the screening
decisions. Keys (``None`` = not known yet, never guessed):

* ``identified``: ``{"total": n, "by_source": {database: n}}``; all records
  of the exports, duplicates included. ``by_source`` adds up the files of a
  database.
* ``duplicates_removed``, ``other_removed`` (records removed before screening
  for other reasons: none are, so 0 when a search is provided).
* ``screened`` = identified - duplicates_removed - other_removed;
  ``excluded_screening`` (title/abstract exclude); ``sought`` (title/abstract
  include); ``not_retrieved``; ``assessed`` = sought - not_retrieved;
  ``excluded_full_text``: ``{"total": n, "by_reason": {reason: n}}``;
  ``included_reports`` (full text include); ``included_studies`` (distinct
  study ids of the included reports) and ``included_study_ids``.
* What is known: ``search_provided`` (False: no data/search, every count
  None), ``screening_recorded`` (False: no decisions yet; only the
  identification counts are filled), ``sources`` (file, database, kind,
  format, records, date, query), ``last_search_date``, ``deduplication``
  (threshold and merges per rule).
* Updated review (``previous`` = the previous version's prisma.json):
  ``previous_studies``, ``previous_reports``, ``total_studies``,
  ``total_reports``. Records of files the previous version already listed in
  ``sources`` are left out of this version's counts; ``included_studies``
  counts studies not included before, ``included_reports`` every report
  included from the new search.

:func:`check_counts` returns one line per inconsistency (the boxes must add
up, and the included studies must be the study table's ids).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # not imported at run time: the text step reads prisma.json without pandas
    import pandas as pd

    from reviewkit.search.dedupe import Deduplication
    from reviewkit.search.readers import SearchExport

COUNT_KEYS = (
    "identified",
    "duplicates_removed",
    "other_removed",
    "screened",
    "excluded_screening",
    "sought",
    "not_retrieved",
    "assessed",
    "excluded_full_text",
    "included_studies",
    "included_reports",
)
#: The counts the screening decisions give (None until screening is recorded).
SCREENING_KEYS = COUNT_KEYS[COUNT_KEYS.index("screened") :]
UPDATE_KEYS = ("previous_studies", "previous_reports", "total_studies", "total_reports")


def _empty() -> dict:
    counts: dict = dict.fromkeys(COUNT_KEYS)
    counts.update(
        {
            "included_study_ids": None,
            "search_provided": False,
            "screening_recorded": False,
            "sources": [],
            "last_search_date": None,
            "deduplication": None,
        }
    )
    return counts


def prisma_counts(
    export: SearchExport | None,
    dedup: Deduplication | None,
    decisions: pd.DataFrame | None,
    previous: dict | None = None,
    threshold: float | None = None,
) -> dict:
    """The prisma.json dict. ``export``/``dedup`` None: no search provided;
    ``decisions`` None or empty: screening not recorded."""
    counts = _empty()
    if export is None or dedup is None:
        return _with_previous(counts, previous) if previous else counts
    from reviewkit.search.dedupe import RULES

    earlier = {s["file"] for s in (previous or {}).get("sources", [])}
    sources = [s for s in export.sources if s.file not in earlier]
    files = {s.file for s in sources}
    records = export.records[export.records["source_file"].isin(files)]
    removed = set(dedup.duplicate_of)
    kept = records[~records["record_id"].isin(removed)]
    by_source = Counter()
    for source in sources:
        by_source[source.database] += source.records
    dated = [s.date for s in sources if s.date]
    rules = Counter(
        rule
        for rule, removed_file in zip(
            dedup.merges["rule"], dedup.merges["removed_file"], strict=True
        )
        if removed_file in files
    )
    counts.update(
        {
            "search_provided": True,
            "identified": {"total": len(records), "by_source": dict(sorted(by_source.items()))},
            "duplicates_removed": len(records) - len(kept),
            "other_removed": 0,
            "sources": [s.as_dict() for s in sources],
            "last_search_date": max(dated) if dated else None,
            "deduplication": {
                "threshold": threshold,
                "by_rule": {rule: rules.get(rule, 0) for rule in RULES},
            },
        }
    )
    if decisions is not None and len(decisions):
        chosen = decisions[decisions["record_id"].isin(set(kept["record_id"]))]
        title_abstract = chosen["title_abstract"]
        full_text = chosen["full_text"]
        included = chosen[full_text == "include"]
        excluded = chosen[full_text == "exclude"]
        reasons = Counter(excluded["exclusion_reason"])
        study_ids = sorted(set(included["study_id"]))
        before = set((previous or {}).get("included_study_ids") or [])
        counts.update(
            {
                "screening_recorded": True,
                "screened": len(kept),
                "excluded_screening": int((title_abstract == "exclude").sum()),
                "sought": int((title_abstract == "include").sum()),
                "not_retrieved": int((full_text == "not_retrieved").sum()),
                "assessed": int(full_text.isin(["include", "exclude"]).sum()),
                "excluded_full_text": {
                    "total": len(excluded),
                    "by_reason": dict(sorted(reasons.items())),
                },
                "included_reports": len(included),
                "included_studies": len([s for s in study_ids if s not in before]),
                "included_study_ids": study_ids,
            }
        )
    return _with_previous(counts, previous) if previous else counts


def _with_previous(counts: dict, previous: dict) -> dict:
    """Add the updated-review keys from the previous version's prisma.json."""
    studies = previous.get("total_studies")
    if studies is None:
        studies = previous.get("included_studies")
    reports = previous.get("total_reports")
    if reports is None:
        reports = previous.get("included_reports")
    counts["previous_studies"] = studies
    counts["previous_reports"] = reports
    counts["total_studies"] = counts["total_reports"] = None
    if counts["screening_recorded"] and studies is not None and reports is not None:
        before = previous.get("included_study_ids")
        if before is not None:
            counts["total_studies"] = len(set(before) | set(counts["included_study_ids"]))
        else:
            counts["total_studies"] = studies + counts["included_studies"]
        counts["total_reports"] = reports + counts["included_reports"]
        counts["included_study_ids"] = sorted(set(before or []) | set(counts["included_study_ids"]))
    return counts


def check_counts(
    counts: dict, study_ids: Collection[str] | None = None, study_table: str = "the study table"
) -> list[str]:
    """One line per inconsistency of the counts (empty list: consistent)."""
    problems: list[str] = []
    if not counts.get("search_provided"):
        return problems
    identified = counts["identified"]
    if identified["total"] != sum(identified["by_source"].values()):
        problems.append(
            f"prisma: identified total {identified['total']} is not the sum of the sources "
            f"{identified['by_source']}"
        )
    if not counts.get("screening_recorded"):
        return problems
    expected = identified["total"] - counts["duplicates_removed"] - counts["other_removed"]
    if counts["screened"] != expected:
        problems.append(
            f"prisma: screened {counts['screened']} != identified {identified['total']} - "
            f"duplicates {counts['duplicates_removed']} - other removed {counts['other_removed']}"
        )
    undecided = counts["screened"] - counts["excluded_screening"] - counts["sought"]
    if undecided < 0:
        problems.append(
            f"prisma: excluded {counts['excluded_screening']} + sought {counts['sought']} "
            f"exceed the {counts['screened']} records screened"
        )
    elif undecided:
        problems.append(
            f"prisma: {undecided} of {counts['screened']} screened records have no "
            "title/abstract decision"
        )
    pending = counts["sought"] - counts["not_retrieved"] - counts["assessed"]
    if pending < 0:
        problems.append(
            f"prisma: not retrieved {counts['not_retrieved']} + assessed {counts['assessed']} "
            f"exceed the {counts['sought']} reports sought"
        )
    elif pending:
        problems.append(
            f"prisma: {pending} of {counts['sought']} reports sought have no full-text decision"
        )
    excluded = counts["excluded_full_text"]
    if excluded["total"] != sum(excluded["by_reason"].values()):
        problems.append("prisma: excluded_full_text total is not the sum of its reasons")
    if counts["assessed"] != excluded["total"] + counts["included_reports"]:
        problems.append(
            f"prisma: assessed {counts['assessed']} != excluded {excluded['total']} + "
            f"included reports {counts['included_reports']}"
        )
    if study_ids is not None:
        included = set(counts["included_study_ids"] or [])
        table = set(study_ids)
        for study in sorted(table - included):
            problems.append(
                f'prisma: study "{study}" of {study_table} is not among the included studies '
                "of the screening"
            )
        for study in sorted(included - table):
            problems.append(
                f'prisma: included study "{study}" of the screening has no row in {study_table}'
            )
    return problems
