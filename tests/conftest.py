"""Shared fixtures: paths of the real project files and a writer for small study tables."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STUDIES_CSV = ROOT / "data" / "studies.csv"
STUDIES_SCHEMA = ROOT / "schemas" / "studies.schema.yaml"


def read_rows(path: Path = STUDIES_CSV) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(
    path: Path, rows: list[dict[str, str]], delimiter: str = ",", encoding: str = "utf-8"
) -> Path:
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def only_axes(fig):
    """The figure's single Axes (fails if a figure unexpectedly has more)."""
    (ax,) = fig.axes
    return ax


def tick_labels(ax, axis: str = "y") -> list[str]:
    ticks = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    return [tick.get_text() for tick in ticks]


@pytest.fixture
def seed_rows() -> list[dict[str, str]]:
    """The example review's rows as text, fresh for each test to modify."""
    return read_rows()


def as_read(markdown: str) -> str:
    """Markdown text as pandoc's reader sees it: a backslash before ASCII
    punctuation makes that character literal (pandoc's all_symbols_escapable,
    used by reviewkit.safe_markdown.literal)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def pytest_collection_modifyitems(items):
    """The end-to-end tests first: run on several workers (review.py test, one file
    per worker at a time), the long builds start at once and the quick unit tests
    fill the gaps at the end, instead of one long file running alone last."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is None)
