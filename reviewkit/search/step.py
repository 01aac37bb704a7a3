"""The search step of the workflow: exports in, duplicates out, screening checked,
PRISMA 2020 counts written (see docs/search.md).

Runs only when the review has search exports (``search.folder`` in
config.yaml, by default data/search/). Without them the manuscript is told
``search_provided: false`` and no count is ever invented.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from reviewkit.errors import InputError
from reviewkit.search.dedupe import deduplicate, write_merges
from reviewkit.search.prisma import check_counts, prisma_counts
from reviewkit.search.readers import read_search_folder
from reviewkit.search.screening import read_screening
from reviewkit.search.workbook import write_records_workbook


def search_step(
    *,
    folder: Path | str,
    screening: Path | str | None,
    studies: Path | str,
    previous_prisma: Path | str | None,
    threshold: float,
    epoch: int,
    records_xlsx: Path | str,
    duplicates_csv: Path | str,
    prisma_json: Path | str,
) -> dict:
    """Read, deduplicate, check the screening decisions against the records and
    the study table, and write the records workbook, the merges and prisma.json."""
    export = read_search_folder(folder)
    dedup = deduplicate(export.records, threshold=threshold)
    study_ids = pd.read_csv(studies, usecols=["id"], dtype=str)["id"].tolist()
    decisions = None
    if screening:
        decisions = read_screening(
            screening,
            dedup.records["record_id"].tolist(),
            duplicate_of=dedup.duplicate_of,
            study_ids=study_ids,
        )
    previous = None
    if previous_prisma:
        previous = json.loads(Path(previous_prisma).read_text(encoding="utf-8"))
    counts = prisma_counts(export, dedup, decisions, previous=previous, threshold=threshold)
    problems = check_counts(counts, study_ids)
    if problems:
        raise InputError(problems)
    for path in (records_xlsx, duplicates_csv, prisma_json):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    write_records_workbook(records_xlsx, dedup.records, dedup.merges, epoch, decisions=decisions)
    write_merges(dedup.merges, duplicates_csv)
    Path(prisma_json).write_text(
        json.dumps(counts, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
    return counts
