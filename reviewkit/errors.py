"""Errors caused by the user's input, reported without a traceback, and step logs."""

from __future__ import annotations

import errno
import logging
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path


class InputError(Exception):
    """A mistake in the user's files. The message is complete and for people:
    file, row, column, the value and what was expected."""

    def __init__(self, message: str | Iterable[str]):
        lines = [message] if isinstance(message, str) else list(message)
        self.lines = lines
        super().__init__("\n".join(lines))


#: How many problems one step reports before it only counts the rest: a file of
#: 100,000 bad rows should not print 100,000 lines.
MAX_REPORTED_LINES = 50


def capped(lines: list[str], limit: int = MAX_REPORTED_LINES) -> list[str]:
    """The first ``limit`` lines, then one line saying how many more there are."""
    if len(lines) <= limit:
        return lines
    return [*lines[:limit], f"... and {len(lines) - limit:,} more problems of this kind"]


#: errno values of a full disk (no space; quota exceeded).
DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


def disk_full_message(error: OSError, log_path: str | Path | None = None) -> str:
    """One line for a full disk, naming the file when the error knows it."""
    if error.filename:
        what = str(error.filename)
    elif log_path:
        what = f"the results of this step (log: {log_path})"
    else:
        what = "the results"
    return f"no space left on device while writing {what}; free some space and build again"


class _Prefixed(logging.Formatter):
    """'WARNING: text' / 'ERROR: text'; plain text for INFO (the step's own messages)."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.levelno >= logging.WARNING:
            return f"{record.levelname}: {message}"
        return message


def configure_logging(log_path: str | Path | None) -> list[logging.Handler]:
    """Send the step's messages to its log file (everything) and to the console
    (warnings and errors); Python warnings become log warnings too."""
    handlers: list[logging.Handler] = []
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.WARNING)
    handlers.append(console)
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w", encoding="utf-8"))
    root = logging.getLogger()
    for handler in handlers:
        handler.setFormatter(_Prefixed())
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    # fontTools lists every glyph it keeps when matplotlib embeds a font in a PDF
    # figure: hundreds of lines per figure that tell the user nothing.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    logging.captureWarnings(True)
    warnings.simplefilter("default")
    return handlers


def run_step(
    main: Callable[[], object], log_path: str | Path | None = None, *, end_process: bool = False
) -> None:
    """Run a workflow step with its log; on an InputError log its lines and exit 1.

    A full disk is one line too. Programming errors still raise with a
    traceback: those are ours to fix, and Snakemake shows them in full.
    ``end_process``: a step's own process ends right after (:func:`exit_now`).
    """
    configure_logging(log_path)
    log = logging.getLogger("reviewkit")
    started = time.perf_counter()
    try:
        main()
    except InputError as error:
        for line in capped(error.lines):
            log.error(line)
        logging.shutdown()
        sys.exit(1)
    except OSError as error:
        if error.errno not in DISK_FULL:
            raise
        log.error(disk_full_message(error, log_path))
        logging.shutdown()
        sys.exit(1)
    log.info(
        "done in %.2f s (CPU %.2f s with its subprocesses)",
        time.perf_counter() - started,
        cpu_seconds(),
    )
    logging.shutdown()
    if end_process:
        exit_now()


def exit_now() -> None:
    """End a workflow step's process once its outputs are written and its log is
    closed, without Python's teardown of every module it imported: with pandas,
    matplotlib and scipy loaded that teardown costs 0.1 s of CPU, and a build runs
    eight steps. Only for a process that is a step (``end_process=True`` in
    scripts/): every file of the step was written and closed by then, and the
    standard streams are flushed here."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def cpu_seconds() -> float:
    """CPU time of this process and the subprocesses it waited for (pandoc, typst)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
