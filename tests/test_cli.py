"""review.py for people: help, version and one-line refusals, without building."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def review_py(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "review.py"), *args], cwd=cwd, capture_output=True, text=True
    )


def test_help_is_short_and_exits_0():
    for flag in ("--help", "-h"):
        result = review_py(flag)
        assert result.returncode == 0
        for command in ("build", "new", "release", "test"):
            assert f"review.py {command}" in result.stdout
        assert len(result.stdout.splitlines()) < 60


def test_version_names_the_tool():
    result = review_py("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("reviewkit ")


def test_build_help_does_not_dump_snakemake_s_options():
    result = review_py("build", "--help")
    assert result.returncode == 0
    assert "--directory" in result.stdout and "--verbose" in result.stdout
    assert len(result.stdout.splitlines()) < 60


def test_an_unknown_command_is_one_line_and_exit_2():
    result = review_py("bulid")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "unknown command 'bulid'" in result.stderr


def test_a_folder_without_config_is_not_a_review(tmp_path):
    result = review_py("build", "--directory", str(tmp_path))
    assert result.returncode == 1
    assert "no config.yaml here" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "results").exists()
