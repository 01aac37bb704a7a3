"""Snakemake entry point of rule fingerprint_code."""

import hashlib
from pathlib import Path

from reviewkit.errors import run_step


def write_fingerprint(files, output):
    """One line per file: its SHA-256 and path (like `sha256sum`), in path order."""
    lines = [f"{hashlib.sha256(Path(f).read_bytes()).hexdigest()}  {f}" for f in sorted(files)]
    Path(output).write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    run_step(
        lambda: write_fingerprint(list(snakemake.input.code), snakemake.output.fingerprint),
        snakemake.log[0],
    )
