#!/usr/bin/env python3
"""One entry point for people: build the manuscript or run the tests.

    python3 review.py build [extra snakemake arguments]
    python3 review.py test  [extra pytest arguments]

Needs only Python 3.11+ with pip. On first use it creates `.venv/` beside this
file and installs the exact versions in `requirements.lock` (pandoc and typst
come as Python wheels, so no system pandoc or LaTeX is needed). Later calls
reuse the environment until `requirements.lock` or `pyproject.toml` change.

Only the standard library is used here, because this runs before anything is
installed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".reviewkit-installed"
LOCK_FILES = (ROOT / "requirements.lock", ROOT / "pyproject.toml")
USAGE = __doc__.split("\n\n")[1]


def venv_bin(name: str) -> Path:
    folder = "Scripts" if os.name == "nt" else "bin"
    suffix = ".exe" if os.name == "nt" else ""
    return VENV / folder / f"{name}{suffix}"


def lock_digest() -> str:
    digest = hashlib.sha256()
    for path in LOCK_FILES:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_environment() -> None:
    """Create .venv and install the pinned dependencies, once per lock file."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this file runs before any install
        sys.exit(f"review.py: Python 3.11 or newer is needed, this is {sys.version.split()[0]}")
    wanted = lock_digest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    if not venv_bin("python").exists():
        print("review.py: creating .venv/ (first run only)", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    python = str(venv_bin("python"))
    print("review.py: installing pinned dependencies from requirements.lock", flush=True)
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    # reviewkit itself is not installed: Snakemake and pytest import it from this folder.
    subprocess.run([*pip, "-r", str(ROOT / "requirements.lock")], check=True, cwd=ROOT)
    STAMP.write_text(wanted + "\n")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"build", "test"}:
        print(USAGE, file=sys.stderr)
        return 2
    command, extra = argv[0], argv[1:]
    try:
        ensure_environment()
    except subprocess.CalledProcessError as error:
        print(f"review.py: installing the dependencies failed ({error})", file=sys.stderr)
        return 1
    if command == "build":
        cores = str(os.cpu_count() or 1)
        args = [str(venv_bin("snakemake")), "--cores", cores, *extra]
    else:
        args = [str(venv_bin("python")), "-m", "pytest", *extra]
    return subprocess.run(args, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
