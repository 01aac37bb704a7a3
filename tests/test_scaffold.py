"""`review.py new`: the folder it writes, what it refuses, and that its text renders."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from reviewkit.errors import InputError
from reviewkit.scaffold import LANGUAGES, create_review, study_columns


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_new_review_has_what_a_first_build_needs(tmp_path, language):
    folder = tmp_path / "my-review"
    written = {path.relative_to(folder).as_posix() for path in create_review(folder, language)}
    assert {
        "config.yaml",
        "data/studies.csv",
        "data/references.bib",
        "data/search/README.md",
        "manuscript/metadata.yaml",
        f"manuscript/abstract.{language}.md",
    } <= written
    config = yaml.safe_load((folder / "config.yaml").read_text(encoding="utf-8"))
    assert config["language"] == language
    expected = "sinta-nursing" if language == "id" else "international-apa-draft"
    assert config["profile"] == expected
    if language == "en":
        profile = yaml.safe_load((folder / "profiles" / f"{expected}.yaml").read_text("utf-8"))
        assert profile["extends"] == "international-apa"
    with open(folder / "data" / "studies.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [study_columns()]  # the header only
    assert (folder / "data" / "references.bib").read_text(encoding="utf-8") == ""
    metadata = yaml.safe_load((folder / "manuscript" / "metadata.yaml").read_text("utf-8"))
    assert metadata["title"].startswith("[") and metadata["title"].endswith("]")


def test_the_study_header_holds_every_schema_column_with_the_required_first():
    columns = study_columns()
    schema = yaml.safe_load((ROOT / "schemas" / "studies.schema.yaml").read_text("utf-8"))
    assert sorted(columns) == sorted(schema["properties"])
    assert columns[:3] == ["id", "authors", "year"]


def test_the_config_is_valid_for_the_schema(tmp_path):
    import jsonschema

    create_review(tmp_path / "r", "en")
    config = yaml.safe_load((tmp_path / "r" / "config.yaml").read_text(encoding="utf-8"))
    schema = yaml.safe_load((ROOT / "schemas" / "config.schema.yaml").read_text("utf-8"))
    jsonschema.validate(config, schema)


def test_an_existing_folder_with_files_is_refused_and_left_alone(tmp_path):
    folder = tmp_path / "review"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match="not an empty folder"):
        create_review(folder, "id")
    assert [path.name for path in folder.iterdir()] == ["notes.txt"]
    create_review(tmp_path / "empty", "id")  # an empty folder is fine
    with pytest.raises(InputError, match="--language fr"):
        create_review(tmp_path / "other", "fr")


def scaffold_new(folder: Path) -> subprocess.CompletedProcess:
    """What `python3 review.py new FOLDER --language en` runs once .venv exists."""
    return subprocess.run(
        [sys.executable, "-m", "reviewkit.scaffold", "new", str(folder), "--language", "en"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_the_command_line_says_what_to_do_next(tmp_path):
    result = scaffold_new(tmp_path / "r")
    assert result.returncode == 0
    assert "review.py build --directory" in result.stderr
    again = scaffold_new(tmp_path / "r")
    assert again.returncode == 1 and again.stderr.startswith("ERROR: ")


def test_a_folder_that_cannot_be_made_gets_one_line(tmp_path):
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    result = scaffold_new(tmp_path / "a-file" / "review")
    assert result.returncode == 1
    assert result.stderr.startswith("ERROR: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr and "a-file" in result.stderr


def test_the_build_command_it_suggests_can_be_pasted_for_a_folder_with_spaces(tmp_path):
    import shlex

    folder = tmp_path / "my review (2026)"
    result = scaffold_new(folder)
    assert result.returncode == 0
    line = next(x for x in result.stderr.splitlines() if "review.py build" in x)
    command = shlex.split(line.split("build: ", 1)[1])
    assert command == ["python3", "review.py", "build", "--directory", str(folder)]
