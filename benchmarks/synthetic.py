#!/usr/bin/env python3
"""A generator of valid synthetic review folders, for benchmarks and scale tests.

    .venv/bin/python benchmarks/synthetic.py N FOLDER [--seed S]

writes FOLDER as a copy of the example review (config.yaml, manuscript/) whose
study table holds N synthetic studies (and a bibliography with one entry per
study). The rows are clearly synthetic (authors "Synthetic17 A."; each study a
name of its own, as real ones mostly have), valid against
the study schema, and varied: every design, arm sizes stated or not, p-values
exact, bounded or absent, directions, before/after values in several units,
some event counts. The same N and seed give the same files.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the package lies beside benchmarks/
from reviewkit.reproducible import copy_review  # noqa: E402
from reviewkit.scaffold import study_columns  # noqa: E402

REVIEW_PARTS = ("config.yaml", "manuscript")
DESIGNS = [
    "rct",
    "quasi_controlled",
    "static_group",
    "quasi_prepost",
    "quasi_unspecified",
    "one_group_prepost",
    "pre_experimental",
]
CONTROLLED = {"rct", "quasi_controlled", "static_group"}
UNITS = ["ml", "cc", "l", "ml/hari", "cc/hari", "l/hari"]
# every column of the study table, in the order the scaffold writes its header
COLUMNS = study_columns()


def synthetic_row(number: int, rng: random.Random, year_from: int, year_to: int) -> dict:
    design = rng.choice(DESIGNS)
    n_total = rng.randint(12, 400)
    row = dict.fromkeys(COLUMNS, "")
    row.update(
        id=f"synthetic{number:05d}",
        authors=f"Synthetic{number} A.",
        year=str(rng.randint(year_from, year_to)),
        facility=f"Facility {rng.randint(1, 200)}",
        region=f"Region {rng.randint(1, 40)}",
        design=design,
        design_as_reported=design.replace("_", " "),
        n_total=str(n_total),
        participants="synthetic participants",
        outcome="synthetic outcome",
        effect_direction=rng.choice(["increase"] * 6 + ["decrease", "no_change", "unclear"]),
        main_result=f"Synthetic result {number}.",
    )
    controlled = design in CONTROLLED
    if controlled and rng.random() < 0.5:
        n1 = n_total // 2 + rng.randint(0, n_total // 4)
        row.update(n_intervention=str(n1), n_control=str(n_total - n1))
        if rng.random() < 0.25:
            row.update(
                events_intervention=str(rng.randint(0, n1)),
                events_control=str(rng.randint(0, n_total - n1)),
            )
    kind = rng.random()
    if kind < 0.4:
        p = round(rng.uniform(0.0005, 0.6), 3) or 0.001
        row.update(p_operator="=", p_value=f"{p}", p_as_reported=f"p = {p}")
    elif kind < 0.6:
        row.update(p_operator="<", p_value="0.05", p_as_reported="p < 0.05")
    if rng.random() < 0.3:
        before = round(rng.uniform(0.2, 400), 1)
        row.update(
            values_group="intervention" if controlled else "single_group",
            value_before=str(before),
            value_after=str(round(before * rng.uniform(0.8, 3.0), 1)),
            value_unit=rng.choice(UNITS),
        )
    return row


def write_review(n_studies: int, folder: Path, seed: int = 2024) -> Path:
    """The example review's text and config with ``n_studies`` synthetic studies."""
    rng = random.Random(seed)
    copy_review(ROOT, folder, REVIEW_PARTS)
    data = folder / "data"
    data.mkdir(exist_ok=True)
    rows = [synthetic_row(number, rng, 2014, 2024) for number in range(1, n_studies + 1)]
    with open(data / "studies.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    # The example text cites references of its own besides the studies: keep them.
    bibliography = (ROOT / "data" / "references.bib").read_text(encoding="utf-8")
    entries = "".join(
        f"\n@article{{{row['id']},\n  author = {{Synthetic{int(row['id'][9:])}, A.}},\n"
        f"  title = {{Synthetic study {row['id']}}},\n  year = {{{row['year']}}},\n}}\n"
        for row in rows
    )
    (data / "references.bib").write_text(bibliography + entries, encoding="utf-8")
    return folder


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of synthetic studies")
    parser.add_argument("folder", type=Path, help="review folder to write")
    parser.add_argument("--seed", type=int, default=2024)
    options = parser.parse_args(argv)
    write_review(options.n, options.folder, options.seed)
    print(f"wrote {options.n} synthetic studies to {options.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
