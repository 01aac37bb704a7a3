"""The date stamped into the outputs, taken from the inputs, never from the clock."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence

# Zip (DOCX) timestamps cannot be older than 1980.
FALLBACK_EPOCH = 315532800


def build_epoch(inputs: Sequence[str], cwd: str | None = None) -> int:
    """SOURCE_DATE_EPOCH if set; else the time of the last git commit touching the
    inputs; else 1980-01-01. Two builds of the same inputs get the same date."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        stamp = subprocess.run(
            ["git", "log", "-1", "--format=%ct", "--", *inputs],
            capture_output=True,
            text=True,
            check=True,
            cwd=cwd,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        stamp = ""
    return int(stamp) if stamp else FALLBACK_EPOCH
