"""End to end: the example review changed as users change it (a study added, a mistake in
the data or a template, another bibliography format, risk of bias recorded, another
citation style, the BCG example), each built in a temporary copy."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import read_rows, write_rows
from test_workflow_e2e import (
    DOCX,
    PDF,
    build,
    copy_project,
    docx_text,
    snakemake,
)

from reviewkit.rob import TOOLS

pytestmark = pytest.mark.e2e


def test_adding_a_study_updates_the_manuscript(tmp_path):
    workdir = copy_project(tmp_path / "review")
    rows = read_rows()
    new = dict(
        rows[-1],
        id="baru2024",
        authors="Baru & Contoh",
        year="2024",
        n_total="100",
        main_result="Studi tambahan untuk uji.",
    )
    write_rows(workdir / "data" / "studies.csv", [*rows, new])
    with open(workdir / "data" / "references.bib", "a", encoding="utf-8") as bib:
        bib.write("\n@article{baru2024,\n  author = {Baru and Contoh},\n  year = {2024},\n}\n")
    build(workdir)
    text = docx_text(workdir / DOCX)
    assert "mencakup 16 studi" in text
    assert "total 632 partisipan" in text
    assert "Studi tambahan untuk uji." in text


def test_bad_input_stops_before_any_result(tmp_path):
    workdir = copy_project(tmp_path / "review")
    rows = read_rows()
    rows[5]["n_total"] = "3O"
    write_rows(workdir / "data" / "studies.csv", rows)
    before = (workdir / "data" / "studies.csv").read_bytes()
    result = snakemake(workdir)
    assert result.returncode != 0
    assert 'data/studies.csv: row 7, column n_total: "3O" is not a whole number' in result.stderr
    assert "Traceback" not in result.stderr
    written = (
        [p for p in (workdir / "results").rglob("*") if p.is_file()]
        if (workdir / "results").exists()
        else []
    )
    assert written == []
    assert (workdir / "data" / "studies.csv").read_bytes() == before


@pytest.fixture(scope="module")
def template_mistakes(tmp_path_factory) -> dict:
    """Two mistakes a user makes in the section templates, built one after the other
    in one copy (the second build reruns only the text step): an unknown
    placeholder, then, with it corrected, a citation of a key the bibliography
    does not have."""
    workdir = copy_project(tmp_path_factory.mktemp("mistakes") / "review")
    conclusion = workdir / "manuscript" / "sections" / "05-kesimpulan.md"
    correct = conclusion.read_text(encoding="utf-8")
    conclusion.write_text(correct + "\nAda {{ n_studis }} studi.\n", encoding="utf-8")
    placeholder = snakemake(workdir)
    placeholder_line = conclusion.read_text(encoding="utf-8").count("\n")
    documents = [(workdir / DOCX).exists(), (workdir / PDF).exists()]
    conclusion.write_text(correct, encoding="utf-8")
    background = workdir / "manuscript" / "sections" / "01-latar-belakang.md"
    background.write_text(
        background.read_text(encoding="utf-8") + "\nLihat [@tidakada2020].\n", encoding="utf-8"
    )
    citation = snakemake(workdir)
    return {
        "placeholder": placeholder,
        "placeholder_line": placeholder_line,
        "documents": documents,
        "citation": citation,
    }


def test_unknown_placeholder_stops_with_file_and_line(template_mistakes):
    result, line = template_mistakes["placeholder"], template_mistakes["placeholder_line"]
    assert result.returncode != 0
    assert f"manuscript/sections/05-kesimpulan.md: line {line}: placeholder does not exist" in (
        result.stderr
    )
    assert template_mistakes["documents"] == [False, False]  # no DOCX, no PDF


def test_citation_missing_from_bibliography_is_named(template_mistakes):
    result = template_mistakes["citation"]
    assert result.returncode != 0
    assert 'citation "@tidakada2020" is not in data/references.bib' in result.stderr
    assert "placeholder does not exist" not in result.stderr  # the first one was corrected


def test_bcg_example_reports_the_metafor_estimate(tmp_path):
    """dat.bcg fed to the whole workflow as a review of its own folder (examples/bcg),
    built with `--directory`: its results land in that folder, the top level's stay."""
    workdir = copy_project(tmp_path / "review")
    build(workdir, "--directory", "examples/bcg")
    assert not (workdir / "results").exists()
    text = docx_text(workdir / "examples" / "bcg" / DOCX)
    # metafor: rma(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg)
    assert "The pooled log risk ratio was -0.7145 (95% CI -1.0669 to -0.3622)" in text
    assert "I² = 92.22%, τ² = 0.3132" in text
    assert "Q = 152.2330 on 12 degrees of freedom" in text
    assert "Aronson" in text and "Comstock" in text  # the trials are in the table and references
    bcg = workdir / "examples" / "bcg" / "results"
    synthesis = json.loads((bcg / "stats" / "synthesis.json").read_text(encoding="utf-8"))
    between = synthesis["outcomes"]["main"]["groups"]["between"]
    # metafor confint(): tau² 0.3132 (0.1197, 1.1115), I² 92.2214 (81.9177, 97.6781), to the
    # 4th decimal because the example's config asks for metafor's bounds (confint: metafor)
    tau2 = [round(between[key], 4) for key in ("tau2", "tau2_ci_low", "tau2_ci_high")]
    assert tau2 == [0.3132, 0.1197, 1.1115]
    i2 = [round(between[key], 4) for key in ("i2", "i2_ci_low", "i2_ci_high")]
    assert i2 == [92.2214, 81.9177, 97.6781]
    assert synthesis["settings"]["confint"] == "metafor"
    # 13 trials: Egger's test, the funnel plot, subgroups and the meta-regression run
    assert between["small_study"]["egger"]["run"] and synthesis["funnel_plot"]["drawn"]
    assert between["subgroups"]["run"] and between["meta_regression"]["run"]
    assert (bcg / "figures" / "funnel.png").stat().st_size > 0


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> Path:
    """The example with what a review records beyond its study table, in one build:
    risk-of-bias judgements (ROBINS-I), GRADE judgements for a summary of
    findings, and a numbered citation style chosen in config.yaml."""
    workdir = copy_project(tmp_path_factory.mktemp("recorded") / "review")
    rows = read_rows()
    judgements = ["low", "some_concerns", "high"]
    for number, row in enumerate(rows):
        for offset, column in enumerate(TOOLS["robins-i"].columns()):
            row[column] = judgements[(number + offset) % 3]
    write_rows(workdir / "data" / "studies.csv", rows)
    grade = {
        "outcome": "Produksi ASI",
        "comparison": "between",
        "risk_of_bias": "serious",
        "certainty": "low",
        "reasons": "contoh",
    }
    with open(workdir / "data" / "grade.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(grade))
        writer.writeheader()
        writer.writerow(grade)
    config = workdir / "config.yaml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("  tool: none", "  tool: robins-i")
    text = text.replace('summary_of_findings: ""', "summary_of_findings: data/grade.csv")
    assert "robins-i" in text and "data/grade.csv" in text
    config.write_text(text, encoding="utf-8")
    build(workdir, "--config", "csl=nlm-citation-sequence")
    return workdir


def test_recorded_risk_of_bias_appears_in_the_manuscript(recorded):
    text = docx_text(recorded / DOCX)
    assert "Risiko bias setiap studi dinilai dengan ROBINS-I" in text
    assert (
        "5 studi berisiko bias rendah, 5 studi dengan beberapa kekhawatiran dan 5 studi "
        "berisiko bias tinggi" in text
    )
    assert "Gambar 7" in text and "Gambar 8" in text  # traffic light and summary
    assert (recorded / "results" / "figures" / "rob_summary.png").exists()
    assert "Risiko bias belum dinilai" not in text


def test_the_summary_of_findings_table_reaches_the_manuscript(recorded):
    text = docx_text(recorded / DOCX)
    assert (
        "Kepastian bukti untuk setiap hasil, sebagaimana dinilai tim peninjau dengan GRADE, "
        "diringkas pada Tabel 2" in text
    )
    # The example's between-group effects enter only sensitivity analyses (no test stated).
    assert "Antarkelompok\n0\ntidak digabung" in text


def test_csl_in_config_overrides_the_profile_style(recorded):
    text = docx_text(recorded / DOCX)
    # Vancouver: numbered citations in order of first citation, numbered list.
    assert "tinjauan literatur (4,5) dengan sintesis kuantitatif" in text
    assert "5. \tPolit DF, Beck CT. Nursing Research" in text[text.rindex("Daftar Pustaka") :]
    assert "(Polit & Beck, 2021; Whittemore & Knafl, 2005)" not in text


# A sentence per outcome, as a template for a review with several outcomes writes it.
