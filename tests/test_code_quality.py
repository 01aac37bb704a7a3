"""The layered checks of the project: ruff, snakefmt and Snakemake's own linter."""

import subprocess
import sys

from conftest import ROOT


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True)


def test_ruff_finds_nothing():
    result = run(sys.executable, "-m", "ruff", "check", ".")
    assert result.returncode == 0, result.stdout


def test_snakefiles_are_formatted():
    result = run(sys.executable, "-m", "snakefmt", "--check", "Snakefile", "rules")
    assert result.returncode == 0, result.stderr


def test_snakemake_lint_is_clean():
    result = run(sys.executable, "-m", "snakemake", "--lint")
    assert (
        "Congratulations, your workflow is in a good condition!" in result.stdout + result.stderr
    ), result.stdout + result.stderr
