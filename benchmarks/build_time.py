#!/usr/bin/env python3
"""How long a build takes, and where the time goes.

Runs in a temporary copy of the project (your results/ are untouched):
  1. a cold build on all cores (wall time a user waits for),
  2. a build with nothing changed (Snakemake's own overhead),
  3. a cold build on one core, timing every job from Snakemake's log, so the
     per-rule times add up without overlap.

Usage (inside the project's environment, e.g. after `python3 review.py build`):
    .venv/bin/python benchmarks/build_time.py [--cores N] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a plain script from anywhere
from reviewkit.reproducible import copy_project  # noqa: E402

STAMP = re.compile(r"^\[(\w{3} \w{3} +\d+ [\d:]+ \d{4})\]$")
STARTED = re.compile(r"^(?:local)?rule (\w+):$")
FINISHED = re.compile(r"^Finished jobid: (\d+) \(Rule: (\w+)\)")
JOBID = re.compile(r"^\s+jobid: (\d+)$")


def snakemake(workdir: Path, cores: int) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", str(cores)],
        cwd=workdir,
        capture_output=True,
        text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"},
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"build failed:\n{result.stderr[-3000:]}")
    return elapsed


def per_rule_seconds(log: str) -> dict[str, float]:
    """Seconds per rule from a sequential (--cores 1) Snakemake log."""
    now, started, totals = None, {}, defaultdict(float)
    pending_rule = None
    for line in log.splitlines():
        if match := STAMP.match(line.strip()):
            now = datetime.strptime(match.group(1), "%a %b %d %H:%M:%S %Y")
        elif match := STARTED.match(line.strip()):
            pending_rule = match.group(1)
        elif (match := JOBID.match(line)) and pending_rule:
            started[match.group(1)] = now
            pending_rule = None
        elif (match := FINISHED.match(line.strip())) and match.group(1) in started:
            totals[match.group(2)] += (now - started[match.group(1)]).total_seconds()
    return dict(sorted(totals.items(), key=lambda item: -item[1]))


def fresh_copy(parent: Path, name: str) -> Path:
    return copy_project(ROOT, parent / name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reviewkit-bench-") as tmp:
        parallel = fresh_copy(Path(tmp), "parallel")
        cold = snakemake(parallel, args.cores)
        noop = snakemake(parallel, args.cores)
        sequential = fresh_copy(Path(tmp), "sequential")
        serial = snakemake(sequential, 1)
        log = max((sequential / ".snakemake" / "log").glob("*.log")).read_text()
        rules = per_rule_seconds(log)
    report = {
        "cores": args.cores,
        "cold_build_s": round(cold, 1),
        "nothing_changed_s": round(noop, 1),
        "cold_build_1_core_s": round(serial, 1),
        "per_rule_s_1_core": rules,
    }
    print(f"cold build ({args.cores} cores): {cold:6.1f} s")
    print(f"nothing changed:        {noop:6.1f} s")
    print(f"cold build (1 core):    {serial:6.1f} s, of which per rule (1 s resolution):")
    for rule, seconds in rules.items():
        print(f"  {rule:28s} {seconds:5.0f} s")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
