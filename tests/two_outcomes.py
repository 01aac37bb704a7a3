"""A review with two outcomes per study, for the tests of the outcomes table.

Two published data sets stand in for two outcomes of the same trials:

- "tb": the tuberculosis counts of the 13 BCG trials (Colditz et al., JAMA
  1994;271:698; metafor's dat.bcg), as entered in examples/bcg/data/studies.csv;
- "stay": the length-of-hospital-stay means and SDs of dat.normand1999
  (Normand, Stat Med 1999;18:321; metadat data-raw/dat.normand1999.txt: n1i,
  m1i, sd1i, n2i, m2i, sd2i; group 1 = specialist care), given to the first
  nine trials in row order, with their own group sizes.

The pairing by row order is artificial; every number of an outcome is its data
set's, so each outcome's pooled estimate can be checked on its own.
"""

from __future__ import annotations

import csv
from pathlib import Path

import yaml
from published_data import NORMAND1999

from reviewkit.validation import InclusionWindow

BCG_FOLDER = Path(__file__).resolve().parents[1] / "examples" / "bcg"
BCG_STUDIES = BCG_FOLDER / "data" / "studies.csv"
BCG_CONFIG = BCG_FOLDER / "config.yaml"
#: The BCG review's inclusion window (its config.yaml): the trials of 1948-1980.
BCG_WINDOW = InclusionWindow(1940, 1990)


def bcg_config() -> dict:
    """The synthesis settings of examples/bcg/config.yaml (metafor's defaults)."""
    return yaml.safe_load(BCG_CONFIG.read_text(encoding="utf-8"))["synthesis"]


VOCABULARY = {
    "outcomes": [
        {
            "code": "tb",
            "labels": {"en": "tuberculosis", "id": "tuberkulosis"},
            "favoured_direction": "decrease",
        },
        {
            "code": "stay",
            "labels": {"en": "length of hospital stay", "id": "lama rawat inap"},
            "favoured_direction": "decrease",
        },
    ],
    "primary_outcome": "tb",
}
RESULT_COLUMNS = ("outcome", "events_intervention", "events_control", "effect_direction")


def bcg_rows() -> list[dict[str, str]]:
    with open(BCG_STUDIES, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def direction(first: float, second: float) -> str:
    return "increase" if first > second else "decrease" if first < second else "no_change"


def outcome_rows() -> list[dict[str, str]]:
    trials = bcg_rows()
    rows = [
        {
            "id": trial["id"],
            "outcome": "tb",
            "events_intervention": trial["events_intervention"],
            "events_control": trial["events_control"],
            "effect_direction": trial["effect_direction"],
        }
        for trial in trials
    ]
    for trial, (n1, m1, sd1, n2, m2, sd2) in zip(trials, NORMAND1999, strict=False):
        rows.append(
            {
                "id": trial["id"],
                "outcome": "stay",
                "n_total": str(n1 + n2),
                "n_intervention": str(n1),
                "n_control": str(n2),
                "mean_intervention": str(m1),
                "sd_intervention": str(sd1),
                "mean_control": str(m2),
                "sd_control": str(sd2),
                "effect_direction": direction(m1, m2),
            }
        )
    return rows


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_tables(folder: Path) -> tuple[Path, Path]:
    """data/studies.csv (characteristics only) and data/outcomes.csv under `folder`."""
    (folder / "data").mkdir(parents=True, exist_ok=True)
    studies = [{k: v for k, v in row.items() if k not in RESULT_COLUMNS} for row in bcg_rows()]
    return (
        write_csv(folder / "data" / "studies.csv", studies),
        write_csv(folder / "data" / "outcomes.csv", outcome_rows()),
    )
