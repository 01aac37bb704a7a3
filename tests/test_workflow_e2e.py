"""End to end: build the real workflow in a temporary copy and read the DOCX and PDF
as a reader would (python-docx, pypdf)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import docx
import pypdf
import pytest
import yaml
from conftest import ROOT, read_rows, write_rows
from two_outcomes import NORMAND1999, VOCABULARY, write_tables

from reviewkit import reproducible

pytestmark = pytest.mark.e2e

DOCX = Path("results/manuscript/manuscript.docx")
PDF = Path("results/manuscript/manuscript.pdf")
HEADINGS = [
    "Latar Belakang",
    "Kajian Teoretis",
    "Metode",
    "Hasil dan Pembahasan",
    "Kesimpulan dan Saran",
    "Daftar Pustaka",
]


def copy_project(target: Path) -> Path:
    """The project as a fresh clone has it (the tests themselves are not needed there)."""
    return reproducible.copy_project(ROOT, target, also_skip=["tests"])


def snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", *args],
        cwd=workdir,
        capture_output=True,
        text=True,
        env=environment,
    )


def build(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    result = snakemake(workdir, *args)
    assert result.returncode == 0, result.stderr[-4000:]
    return result


def readable(text: str) -> str:
    """What a reader sees: pandoc puts no-break spaces after "Dr." and in "Gambar 1"."""
    return text.replace("\xa0", " ")


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return readable("\n".join(parts))


def pdf_text(path: Path) -> str:
    # typst may break words across lines; join hyphen-free line breaks with spaces.
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(str(path)).pages)
    return re.sub(r"\s+", " ", readable(text))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    workdir = copy_project(tmp_path_factory.mktemp("review"))
    build(workdir)
    return workdir


def test_docx_has_title_headings_and_numbers(built):
    document = docx.Document(str(built / DOCX))
    text = docx_text(built / DOCX)
    assert "Pijat Oksitosin dan Produksi ASI pada Ibu Postpartum" in text
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 1")]
    for heading in HEADINGS:
        assert heading in headings
    assert "mencakup 15 studi" in text
    assert "total 532 partisipan" in text
    assert "antara 20 dan 60 partisipan (median 32)" in text
    assert "p < 0,05" in text  # Indonesian decimal comma in the prose
    assert "Abstrak" in text and "Abstract" in text
    assert "The review included 15 studies" in text  # the English abstract


def test_docx_synthesis_table_has_every_study(built):
    document = docx.Document(str(built / DOCX))
    table = max(document.tables, key=lambda t: len(t.rows))
    rows = [[readable(cell.text).strip() for cell in row.cells] for row in table.rows]
    assert rows[0][0] == "No" and rows[0][-1] == "Hasil Utama"
    expected = read_rows()
    assert len(rows) == 1 + len(expected)
    for number, (row, study) in enumerate(zip(rows[1:], expected, strict=True), start=1):
        assert row[0] == str(number)
        assert study["authors"].split(" ")[0] in row[1] and study["year"] in row[1]
        assert study["facility"] in row[2]
        assert row[4] == f"{study['n_total']} ibu postpartum"
        assert row[5] == study["main_result"]


def test_docx_figures_are_numbered_and_referenced(built):
    text = docx_text(built / DOCX)
    for number in range(1, 7):
        assert f"Gambar {number}" in text
    assert "Tabel 1" in text
    assert "Jumlah studi yang disertakan menurut tahun terbit dan desain penelitian" in text
    document = docx.Document(str(built / DOCX))
    assert len(document.inline_shapes) == 6


def test_docx_reference_list(built):
    text = docx_text(built / DOCX)
    references = text[text.rindex("Daftar Pustaka") :]
    for author in ["Enggar", "Dewi", "Whittemore", "World Health Organization", "Polit"]:
        assert author in references
    assert "dkk." in text  # APA in Indonesian: "Dewi dkk."
    assert "(Polit & Beck, 2021; Whittemore & Knafl, 2005)" in text  # APA 7, the profile's


def test_pdf_has_the_same_content(built):
    text = pdf_text(built / PDF)
    assert "Pijat Oksitosin dan Produksi ASI" in text
    assert "mencakup 15 studi" in text
    assert "532 partisipan" in text
    for heading in HEADINGS:
        assert heading in text
    for number in range(1, 7):
        assert f"Gambar {number}" in text
    assert "Tabel 1" in text
    # Table cells wrap inside words ("rata-" / "rata"): compare without white space.
    squashed = re.sub(r"\s+", "", text)
    for study in read_rows():
        assert re.sub(r"\s+", "", study["main_result"]) in squashed
    assert "Daftar Pustaka" in text and "Whittemore" in text


def test_second_run_runs_no_job(built):
    result = build(built)
    assert "Nothing to be done" in result.stdout + result.stderr


def test_rebuild_is_byte_identical(built):
    before = {path: sha256(built / path) for path in (DOCX, PDF)}
    build(built, "--forcerun", "render_manuscript")
    assert {path: sha256(built / path) for path in (DOCX, PDF)} == before


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


def test_unknown_placeholder_stops_with_file_and_line(tmp_path):
    workdir = copy_project(tmp_path / "review")
    section = workdir / "manuscript" / "sections" / "05-kesimpulan.md"
    section.write_text(
        section.read_text(encoding="utf-8") + "\nAda {{ n_studis }} studi.\n", encoding="utf-8"
    )
    result = snakemake(workdir)
    assert result.returncode != 0
    lines = section.read_text(encoding="utf-8").count("\n")
    assert f"manuscript/sections/05-kesimpulan.md: line {lines}: placeholder does not exist" in (
        result.stderr
    )
    assert not (workdir / DOCX).exists() and not (workdir / PDF).exists()


def test_citation_missing_from_bibliography_is_named(tmp_path):
    workdir = copy_project(tmp_path / "review")
    section = workdir / "manuscript" / "sections" / "01-latar-belakang.md"
    section.write_text(
        section.read_text(encoding="utf-8") + "\nLihat [@tidakada2020].\n", encoding="utf-8"
    )
    result = snakemake(workdir)
    assert result.returncode != 0
    assert 'citation "@tidakada2020" is not in data/references.bib' in result.stderr


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


def test_recorded_risk_of_bias_appears_in_the_manuscript(tmp_path):
    workdir = copy_project(tmp_path / "review")
    rows = read_rows()
    domains = [
        "confounding",
        "selection",
        "classification",
        "deviations",
        "missing_data",
        "measurement",
        "reporting",
        "overall",
    ]
    judgements = ["low", "some_concerns", "high"]
    for number, row in enumerate(rows):
        for offset, domain in enumerate(domains):
            row[f"rob_{domain}"] = judgements[(number + offset) % 3]
    write_rows(workdir / "data" / "studies.csv", rows)
    config = workdir / "config.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("  tool: none", "  tool: robins-i"),
        encoding="utf-8",
    )
    build(workdir)
    text = docx_text(workdir / DOCX)
    assert "Risiko bias setiap studi dinilai dengan ROBINS-I" in text
    assert (
        "5 studi berisiko bias rendah, 5 studi dengan beberapa kekhawatiran dan 5 studi "
        "berisiko bias tinggi" in text
    )
    assert "Gambar 7" in text and "Gambar 8" in text  # traffic light and summary
    assert (workdir / "results" / "figures" / "rob_summary.png").exists()
    assert "Risiko bias belum dinilai" not in text


def test_csl_in_config_overrides_the_profile_style(tmp_path):
    workdir = copy_project(tmp_path / "review")
    build(workdir, "--config", "csl=nlm-citation-sequence")
    text = docx_text(workdir / DOCX)
    # Vancouver: numbered citations in order of first citation, numbered list.
    assert "tinjauan literatur (4,5) dengan sintesis kuantitatif" in text
    assert "5. \tPolit DF, Beck CT. Nursing Research" in text[text.rindex("Daftar Pustaka") :]
    assert "(Polit & Beck, 2021; Whittemore & Knafl, 2005)" not in text


# A sentence per outcome, as a template for a review with several outcomes writes it.
PER_OUTCOME = (
    "\n{% for code in synthesis.outcome_order %}"
    "{% set between = synthesis.outcomes[code].groups.between %}"
    "For {{ code | outcome_label }}, the pooled {{ between.measure }} of {{ between.k }} "
    "trials was {{ between | estimate(4) }}. {% endfor %}\n"
)


@pytest.fixture(scope="module")
def two_outcomes(tmp_path_factory) -> Path:
    """examples/bcg turned into a review with two outcomes per trial (tests/two_outcomes.py):
    characteristics in data/studies.csv, results in data/outcomes.csv."""
    workdir = copy_project(tmp_path_factory.mktemp("two_outcomes"))
    review = workdir / "examples" / "bcg"
    write_tables(review)
    config = yaml.safe_load((review / "config.yaml").read_text(encoding="utf-8"))
    config.update(outcomes="data/outcomes.csv", vocabulary=VOCABULARY)
    (review / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    results = review / "manuscript" / "sections" / "03-results.md"
    text = results.read_text(encoding="utf-8").replace(
        "\n{{ tables.synthesis }}", PER_OUTCOME + "\n{{ tables.synthesis }}", 1
    )
    results.write_text(text, encoding="utf-8")
    build(workdir, "--directory", "examples/bcg")
    return review


def test_two_outcomes_get_a_pooled_estimate_and_a_forest_plot_each(two_outcomes):
    from reviewkit.synthesis import meta_analysis, smd_from_means

    synthesis = json.loads((two_outcomes / "results" / "stats" / "synthesis.json").read_text())
    assert synthesis["outcome_order"] == ["tb", "stay"]
    tb = synthesis["outcomes"]["tb"]["groups"]["between"]
    # metafor, rma(measure="RR", ...) on dat.bcg: the second outcome changes nothing here
    assert (tb["k"], round(tb["estimate"], 4), round(tb["tau2"], 4)) == (13, -0.7145, 0.3132)
    stay = synthesis["outcomes"]["stay"]["groups"]["between"]
    own = [smd_from_means(m1, s1, n1, m2, s2, n2) for n1, m1, s1, n2, m2, s2 in NORMAND1999]
    expected = meta_analysis([e.yi for e in own], [e.vi for e in own])
    assert (stay["k"], stay["measure"]) == (9, "SMD")
    assert stay["estimate"] == pytest.approx(expected.estimate, abs=1e-9)

    # the figure's data: one effect per trial and outcome, and a panel per outcome
    import pandas as pd

    from reviewkit.synthesis_figures import make_synthesis_figure

    effects = pd.read_csv(two_outcomes / "results" / "tables" / "effects.csv")
    assert effects.groupby("outcome")["yi"].count().to_dict() == {"stay": 9, "tb": 13}
    figure = make_synthesis_figure("forest", None, effects, synthesis, "en")
    titles = [ax.get_title(loc="left") for ax in figure.axes]
    assert titles == ["tuberculosis", "length of hospital stay"]
    assert [ax.get_xlabel() for ax in figure.axes] == ["log risk ratio", "Hedges' g"]
    assert (two_outcomes / "results" / "figures" / "forest.png").stat().st_size > 0

    text = docx_text(two_outcomes / DOCX)
    assert "For tuberculosis, the pooled logRR of 13 trials was -0.7145" in text
    assert "For length of hospital stay, the pooled SMD of 9 trials was " in text
    assert "The pooled log risk ratio was -0.7145 (95% CI -1.0669 to -0.3622)" in text


def ris_from_csl(entries: list[dict]) -> str:
    """A minimal RIS export of CSL-JSON entries (what Zotero or EndNote would write)."""
    lines = []
    for entry in entries:
        lines += ["TY  - JOUR", f"ID  - {entry['id']}"]
        for author in entry.get("author", []):
            name = author.get("family") or author.get("literal")
            lines.append(f"AU  - {name}" + (f", {author['given']}" if "given" in author else ""))
        lines.append(f"PY  - {entry['issued']['date-parts'][0][0]}")
        if "title" in entry:
            lines.append(f"TI  - {entry['title']}")
        lines += ["ER  - ", ""]
    return "\n".join(lines)


@pytest.mark.parametrize("kind", ["json", "ris"])
def test_csl_json_and_ris_bibliographies_build_the_example(tmp_path, kind):
    """The BCG example with its references as CSL-JSON (.json) or RIS (.ris); the RIS
    build also runs in a language added as one file (a copy of en.yaml as xx.yaml)."""
    import pypandoc

    workdir = copy_project(tmp_path / "review")
    bcg = workdir / "examples" / "bcg"
    converted = pypandoc.convert_file(
        str(bcg / "data" / "references.bib"), "csljson", format="biblatex"
    )
    target = bcg / "data" / f"references.{kind}"
    if kind == "json":
        target.write_text(converted, encoding="utf-8")
    else:
        target.write_text(ris_from_csl(json.loads(converted)), encoding="utf-8")
    (bcg / "data" / "references.bib").unlink()
    config = bcg / "config.yaml"
    text = config.read_text(encoding="utf-8").replace(
        "references: data/references.bib", f"references: data/references.{kind}"
    )
    extra = []
    if kind == "ris":
        locales = workdir / "reviewkit" / "locales"
        (locales / "xx.yaml").write_text(
            (locales / "en.yaml").read_text(encoding="utf-8"), encoding="utf-8"
        )
        text = text.replace("language: en", "language: xx")
        extra = ["--config", "profile=sinta-nursing", "--"]
    config.write_text(text, encoding="utf-8")
    build(workdir, "--directory", "examples/bcg", *extra, DOCX)
    manuscript = docx_text(bcg / DOCX)
    assert "Aronson (1948)" in manuscript  # Table 1, rendered by citeproc from the file
    assert "Comstock, Webster" in manuscript or "Comstock & Webster" in manuscript
    assert "Table 1" in manuscript and "References" in manuscript
    log = "\n".join(p.read_text(encoding="utf-8") for p in (bcg / "logs").rglob("*.log"))
    assert f"data/references.{kind}: line" in log and 'entry "aronson1948" has no title' in log
