"""Errors caused by the user's input, reported without a traceback."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path


class InputError(Exception):
    """A mistake in the user's files. The message is complete and for people:
    file, row, column, the value and what was expected."""

    def __init__(self, message: str | Iterable[str]):
        lines = [message] if isinstance(message, str) else list(message)
        self.lines = lines
        super().__init__("\n".join(lines))


def run_step(main: Callable[[], object], log_path: str | Path | None = None) -> None:
    """Run a workflow step; on an InputError print its lines, log them and exit 1.

    Programming errors still raise with a traceback: those are ours to fix,
    and Snakemake shows them in full.
    """
    try:
        main()
    except InputError as error:
        report = "".join(f"ERROR: {line}\n" for line in error.lines)
        sys.stderr.write(report)
        if log_path:
            Path(log_path).parent.mkdir(parents=True, exist_ok=True)
            Path(log_path).write_text(report, encoding="utf-8")
        sys.exit(1)
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        Path(log_path).write_text("done\n", encoding="utf-8")
