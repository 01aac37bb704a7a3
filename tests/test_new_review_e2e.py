"""End to end: a new review from `review.py new`, built with no studies and then with 16
trials of two-group event counts reported as odds ratios (issue 7, first "Done when").

The trials are synthetic and clearly fictional ("Trial A" ... "Trial P"); nothing here
is presented as a real study.
"""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from test_workflow_e2e import DOCX, build, copy_project, docx_text

pytestmark = pytest.mark.e2e

LETTERS = "ABCDEFGHIJKLMNOP"


def trials() -> list[dict[str, str]]:
    """16 two-group trials: events and sizes per arm (fewer events with the intervention)."""
    rows = []
    for number, letter in enumerate(LETTERS):
        n1, n2 = 40 + 3 * number, 42 + 2 * number
        e1, e2 = 4 + number % 5, 9 + number % 7
        rows.append(
            {
                "id": f"trial{letter.lower()}",
                "authors": f"Trial {letter}",
                "year": str(2010 + number % 10),
                "design": "rct",
                "n_total": str(n1 + n2),
                "n_intervention": str(n1),
                "n_control": str(n2),
                "outcome": "event",
                "events_intervention": str(e1),
                "events_control": str(e2),
                "effect_direction": "decrease" if e1 / n1 < e2 / n2 else "increase",
                "main_result": f"{e1} of {n1} with the event against {e2} of {n2}.",
            }
        )
    return rows


@pytest.fixture(scope="module")
def new_review(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("new")
    tool = copy_project(root / "tool")
    review = root / "my-review"
    # what `python3 review.py new ../my-review --language en` runs once .venv exists
    created = subprocess.run(
        [sys.executable, "-m", "reviewkit.scaffold", "new", str(review), "--language", "en"],
        cwd=tool,
        capture_output=True,
        text=True,
    )
    assert created.returncode == 0, created.stderr
    return tool, review


def test_a_new_review_builds_with_no_studies_and_says_so(new_review):
    tool, review = new_review
    result = build(tool, "--directory", str(review))
    # the only warning of an empty review: the placeholders still to fill in
    warnings = [line for line in result.stderr.splitlines() if "Warning" in line]
    assert warnings == [], warnings
    text = docx_text(review / DOCX)
    assert "No studies are included yet" in text
    assert "The search records were not provided" in text
    assert "[Title of the review]" in text  # the author's placeholders are still visible
    assert not (tool / "results").exists()


def test_adding_sixteen_trials_reports_the_pooled_odds_ratio(new_review):
    tool, review = new_review
    studies = review / "data" / "studies.csv"
    with open(studies, encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    with open(studies, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, restval="")
        writer.writeheader()
        writer.writerows(trials())
    (review / "data" / "references.bib").write_text(
        "".join(
            f"@misc{{trial{letter.lower()},\n  author = {{{{Trial {letter} group}}}},\n"
            f"  title = {{Trial {letter}: fictional data for a software test}},\n"
            f"  year = {{{2010 + number % 10}}},\n}}\n"
            for number, letter in enumerate(LETTERS)
        ),
        encoding="utf-8",
    )
    config = review / "config.yaml"
    text = config.read_text(encoding="utf-8")
    assert "binary_measure: RR" in text
    config.write_text(text.replace("binary_measure: RR", "binary_measure: OR"), encoding="utf-8")
    build(tool, "--directory", str(review))

    synthesis = json.loads((review / "results" / "stats" / "synthesis.json").read_text())
    between = synthesis["outcomes"][synthesis["primary_outcome"]]["groups"]["between"]
    assert (between["k"], between["measure"]) == (16, "logOR")
    # Computed here without the engine: these trials are homogeneous (Q below its
    # degrees of freedom), the REML tau^2 is 0 (asserted from synthesis.json), and with
    # tau^2 = 0 the pooled log odds ratio is the inverse-variance mean.
    yi, vi = [], []
    for row in trials():
        a, c = int(row["events_intervention"]), int(row["events_control"])
        b, d = int(row["n_intervention"]) - a, int(row["n_control"]) - c
        yi.append(math.log(a * d / (b * c)))
        vi.append(1 / a + 1 / b + 1 / c + 1 / d)
    weights = [1 / v for v in vi]
    mean = sum(w * y for w, y in zip(weights, yi, strict=True)) / sum(weights)
    q = sum(w * (y - mean) ** 2 for w, y in zip(weights, yi, strict=True))
    assert q < len(yi) - 1
    assert between["tau2"] == 0
    assert between["estimate"] == pytest.approx(mean, abs=1e-9)

    text = docx_text(review / DOCX)
    odds_ratio = f"{math.exp(mean):.2f}"
    assert f"the pooled odds ratio was {odds_ratio} (95% CI" in text
    assert "log odds ratio" in text  # the measure of each trial, in the Methods
    for wrong in ("risk ratio", "Hedges", "risk difference", "mean difference"):
        assert wrong not in text, wrong
    assert "Table 1" in text and "Figure 1" in text
    assert "No studies are included yet" not in text
    assert "16 studies" in text
    assert not (tool / "results").exists()
