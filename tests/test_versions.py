"""Tests of reviewkit.versions: releases are complete, ordered, and never change.

A small review folder is made in a temporary directory: config.yaml, a study
table, a bibliography, a manuscript folder, a search export, and the build
outputs a release keeps (their content does not matter here, only that they
are copied byte for byte).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from reviewkit import versions
from reviewkit.errors import InputError

OUTPUTS = {
    "results/data/studies.csv": "id,n_total\na2020,40\n",
    "results/stats/summary.json": '{"n_studies": 1}\n',
    "results/stats/synthesis.json": '{"k": 1}\n',
    "results/manuscript/manuscript.md": "# Results\n\nOne study.\n",
    "results/manuscript/manuscript.docx": "docx bytes",
    "results/manuscript/manuscript.pdf": "pdf bytes",
}
INPUTS = {
    "config.yaml": "studies: data/studies.csv\nreferences: data/references.bib\n"
    "manuscript_dir: manuscript\nlanguage: en\n",
    "data/studies.csv": "id,n_total\na2020,40\n",
    "data/references.bib": "@article{a2020, title={T}, year={2020}}\n",
    "data/search/scopus.ris": "TY  - JOUR\nER  - \n",
    "manuscript/metadata.yaml": "title: T\n",
    "manuscript/sections/01-results.md": "# Results\n",
}


def make_review(root: Path, outputs: dict[str, str] = OUTPUTS) -> Path:
    for relative, text in {**INPUTS, **outputs}.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def tree(folder: Path) -> dict[str, tuple[bytes, float]]:
    """Every file under a folder with its bytes and modification time."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_release_keeps_inputs_outputs_and_their_checksums(tmp_path):
    review = make_review(tmp_path / "review")
    rel = versions.release(review, "v1", up_to_date=True, when="2025-03-01")

    assert rel.path == review / "versions" / "v1"
    assert (rel.name, rel.sequence, rel.released) == ("v1", 1, "2025-03-01")
    for relative, text in {**INPUTS, **OUTPUTS}.items():
        assert (rel.path / relative).read_text(encoding="utf-8") == text, relative
    info = json.loads((rel.path / "release.json").read_text(encoding="utf-8"))
    listed = {entry["path"]: entry for entry in info["files"]}
    assert set(listed) == set(INPUTS) | set(OUTPUTS)
    for relative, entry in listed.items():
        data = (rel.path / relative).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)
    # read-only files: nothing writes into a release by accident
    mode = (rel.path / "results/stats/summary.json").stat().st_mode
    assert not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def test_releases_are_numbered_in_order_and_found_by_name(tmp_path):
    review = make_review(tmp_path / "review")
    assert versions.latest_release(review) is None
    versions.release(review, "v2", up_to_date=True, when="2025-01-01")
    versions.release(review, "a-later-one", up_to_date=True, when="2025-01-01")

    # the sequence, not the name or the date, orders releases
    assert [r.name for r in versions.list_releases(review)] == ["v2", "a-later-one"]
    assert versions.latest_release(review).name == "a-later-one"
    assert versions.find_release(review, "v2").sequence == 1
    with pytest.raises(InputError, match="no release named 'v3'; releases: v2, a-later-one"):
        versions.find_release(review, "v3")


def test_existing_name_is_refused_and_the_release_left_untouched(tmp_path):
    review = make_review(tmp_path / "review")
    versions.release(review, "v1", up_to_date=True)
    before = tree(review / "versions")

    (review / "results/stats/summary.json").write_text('{"n_studies": 2}\n', encoding="utf-8")
    for name in ("v1", "V1"):  # also a case-insensitive clash (macOS, Windows)
        with pytest.raises(InputError, match="already exists") as error:
            versions.release(review, name, up_to_date=True)
        assert len(error.value.lines) == 1
    versions.release(review, "v2", up_to_date=True)

    after = tree(review / "versions")
    assert {k: v for k, v in after.items() if k.startswith("v1/")} == before
    assert (review / "versions/v2/results/stats/summary.json").read_text() == '{"n_studies": 2}\n'


@pytest.mark.parametrize(
    "name", ["", "../x", "a/b", ".hidden", "-v1", "v1.", "a..b", "v 1", "x" * 65, "CON", "lpt1.txt"]
)
def test_unsafe_names_are_refused(tmp_path, name):
    review = make_review(tmp_path / "review")
    with pytest.raises(InputError) as error:
        versions.release(review, name, up_to_date=True)
    assert len(error.value.lines) == 1
    assert not (review / "versions").exists() or not any((review / "versions").iterdir())


def test_stale_build_is_refused(tmp_path):
    review = make_review(tmp_path / "review")
    asked = []

    def check() -> bool:
        asked.append(True)
        return False

    for up_to_date in (False, check):
        with pytest.raises(InputError, match="not up to date") as error:
            versions.release(review, "v1", up_to_date=up_to_date)
        assert len(error.value.lines) == 1
    assert asked == [True]
    assert not (review / "versions" / "v1").exists()


def test_unbuilt_review_is_refused_naming_the_missing_output(tmp_path):
    outputs = {k: v for k, v in OUTPUTS.items() if not k.endswith(".pdf")}
    review = make_review(tmp_path / "review", outputs)
    with pytest.raises(InputError, match=r"manuscript\.pdf: not found; build the review first"):
        versions.release(review, "v1", up_to_date=True)
    assert not (review / "versions" / "v1").exists()


def test_an_edited_release_stops_a_comparison(tmp_path):
    review = make_review(tmp_path / "review")
    rel = versions.release(review, "v1", up_to_date=True)
    target = rel.path / "results/stats/summary.json"
    os.chmod(target, 0o644)
    target.write_text('{"n_studies": 99}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"summary\.json: changed since release 'v1'"):
        versions.find_release(review, "v1")
    with pytest.raises(InputError, match="changed since release"):
        versions.latest_release(review)


def test_input_outside_the_review_folder_is_kept_under_external(tmp_path):
    review = make_review(tmp_path / "review")
    shared = tmp_path / "shared.bib"
    shared.write_text("@book{b, title={B}}\n", encoding="utf-8")
    config = (review / "config.yaml").read_text(encoding="utf-8")
    (review / "config.yaml").write_text(
        config.replace("data/references.bib", "../shared.bib"), encoding="utf-8"
    )
    rel = versions.release(review, "v1", up_to_date=True)
    assert (rel.path / "external/shared.bib").read_bytes() == shared.read_bytes()
    entry = next(e for e in rel.info["files"] if e["path"] == "external/shared.bib")
    assert entry["source"].endswith("shared.bib")


def test_command_line_needs_the_build_confirmed(tmp_path, capsys):
    review = make_review(tmp_path / "review")
    with pytest.raises(SystemExit) as stop:
        versions.main(["--review", str(review), "release", "v1"])
    assert stop.value.code == 1
    assert "not up to date" in capsys.readouterr().err

    versions.main(["--review", str(review), "release", "v1", "--built", "--date", "2025-02-03"])
    versions.main(["--review", str(review), "list"])
    assert capsys.readouterr().out.splitlines()[-1] == "1\tv1\t2025-02-03"
