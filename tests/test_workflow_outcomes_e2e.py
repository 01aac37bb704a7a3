"""End to end: several outcomes per study, and bibliographies in CSL-JSON and RIS."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from test_workflow_e2e import (
    DOCX,
    build,
    copy_project,
    docx_text,
)
from two_outcomes import NORMAND1999, VOCABULARY, write_tables

pytestmark = pytest.mark.e2e


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
