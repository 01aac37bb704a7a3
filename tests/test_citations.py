"""Study labels of figures and tables read as the reference list identifies the study."""

from __future__ import annotations

from pathlib import Path

from reviewkit.citations import citation_order, study_labels

REPO = Path(__file__).resolve().parent.parent
BIB = REPO / "data" / "references.bib"


def test_author_date_labels_are_citeproc_s_narrative_citations():
    labels = study_labels(["dewi2020", "enggar2024"], bibliography=BIB, csl="apa", language="id")
    # APA 7 in Indonesian: "dkk." for three or more authors (CSL locale id-ID).
    assert labels == {"dewi2020": "Dewi dkk. (2020)", "enggar2024": "Enggar & Rizkyanti (2024)"}
    english = study_labels(["dewi2020"], bibliography=BIB, csl="apa", language="en")
    assert english == {"dewi2020": "Dewi et al. (2020)"}


def test_numbered_labels_follow_the_order_of_first_citation(tmp_path):
    manuscript = tmp_path / "manuscript.md"
    manuscript.write_text(
        "---\nabstract: As shown before [@whittemore2005].\n---\n\n"
        "Text [@enggar2024; @polit2021] and @fig-x.\n\n"
        "| Study |\n|:---|\n| [@dewi2020]{.study} |\n| [@enggar2024]{.study} |\n",
        encoding="utf-8",
    )
    assert citation_order(manuscript) == ["whittemore2005", "enggar2024", "polit2021", "dewi2020"]
    labels = study_labels(
        ["dewi2020", "enggar2024"],
        bibliography=BIB,
        csl="nlm-citation-sequence",
        language="en",
        manuscript=manuscript,
    )
    # Vancouver numbers in order of first citation: whittemore 1, enggar 2, polit 3, dewi 4.
    assert labels == {"dewi2020": "Dewi et al. (4)", "enggar2024": "Enggar and Rizkyanti (2)"}
    indonesian = study_labels(
        ["dewi2020"], bibliography=BIB, csl="nlm-citation-sequence", language="id"
    )
    assert indonesian == {"dewi2020": "Dewi dkk. (1)"}
