"""The PRISMA 2020 flow diagram: box texts in the manuscript's language with
locale numbers, the template's layout, literal text, and the update variant.
Expected wording: PRISMA 2020 flow diagram template (Page et al., BMJ
2021;372:n71, Figure 1)."""

from __future__ import annotations

from itertools import pairwise

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.patches import FancyArrowPatch

from reviewkit.search.flow_diagram import plot_prisma_flow, save_prisma_flow
from reviewkit.search.prisma import SCREENING_KEYS

COUNTS = {
    "identified": {"total": 1523, "by_source": {"PubMed": 1200, "Garuda $ms$": 323}},
    "duplicates_removed": 210,
    "other_removed": 0,
    "screened": 1313,
    "excluded_screening": 1250,
    "sought": 63,
    "not_retrieved": 3,
    "assessed": 60,
    "excluded_full_text": {
        "total": 45,
        "by_reason": {"Wrong population": 30, "No $control$ group": 15},
    },
    "included_studies": 15,
    "included_reports": 15,
    "search_provided": True,
    "screening_recorded": True,
    "sources": [
        {"file": "a.nbib", "database": "PubMed", "kind": "database", "records": 1200},
        {"file": "b.ris", "database": "Garuda $ms$", "kind": "database", "records": 323},
    ],
}


def texts(fig) -> dict[str, str]:
    return {
        text.get_gid().removeprefix("text:"): text.get_text()
        for text in fig.axes[0].texts
        if text.get_gid()
    }


def boxes(fig) -> dict[str, object]:
    return {
        patch.get_gid().removeprefix("box:"): patch
        for patch in fig.axes[0].patches
        if (patch.get_gid() or "").startswith("box:")
    }


def one_line(text: str) -> str:
    return " ".join(text.split())


def test_english_wording_and_numbers():
    shown = {k: one_line(v) for k, v in texts(plot_prisma_flow(COUNTS, "en")).items()}
    assert shown["header"] == "Identification of studies via databases and registers"
    assert shown["identified"] == (
        "Records identified from: Databases (n = 1,523) PubMed (n = 1,200) Garuda $ms$ (n = 323)"
    )
    assert shown["removed"] == (
        "Records removed before screening: Duplicate records removed (n = 210) "
        "Records removed for other reasons (n = 0)"
    )
    assert shown["screened"] == "Records screened (n = 1,313)"
    assert shown["excluded_screening"] == "Records excluded (n = 1,250)"
    assert shown["sought"] == "Reports sought for retrieval (n = 63)"
    assert shown["not_retrieved"] == "Reports not retrieved (n = 3)"
    assert shown["assessed"] == "Reports assessed for eligibility (n = 60)"
    assert shown["excluded_full_text"] == (
        "Reports excluded: Wrong population (n = 30) No $control$ group (n = 15)"
    )
    assert shown["included"] == (
        "Studies included in review (n = 15) Reports of included studies (n = 15)"
    )
    assert [shown[f"phase:{p}"] for p in ("identification", "screening", "included")] == [
        "Identification",
        "Screening",
        "Included",
    ]


def test_indonesian_wording_and_numbers():
    shown = {k: one_line(v) for k, v in texts(plot_prisma_flow(COUNTS, "id")).items()}
    assert shown["header"] == "Identifikasi studi melalui basis data dan registri"
    assert shown["screened"] == "Catatan yang disaring (n = 1.313)"
    assert "Basis data (n = 1.523)" in shown["identified"]
    assert shown["included"] == (
        "Studi yang disertakan dalam tinjauan (n = 15) Laporan dari studi yang disertakan (n = 15)"
    )


def test_layout_follows_the_template():
    fig = plot_prisma_flow(COUNTS, "en")
    box = {name: patch.get_bbox() for name, patch in boxes(fig).items()}
    column = ["identified", "screened", "sought", "assessed", "included"]
    for upper, lower in pairwise(column):
        assert box[upper].y0 > box[lower].y1, (upper, lower)  # top to bottom
        assert box[upper].x0 == box[lower].x0
    for left, right in [
        ("identified", "removed"),
        ("screened", "excluded_screening"),
        ("sought", "not_retrieved"),
        ("assessed", "excluded_full_text"),
    ]:
        assert box[right].x0 > box[left].x1  # exclusions to the right, same row
        assert box[right].y1 == box[left].y1
    arrows = [p for p in fig.axes[0].patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == 8  # four down the main column, four to the right
    assert box["header"].y0 > box["identified"].y1
    # a phase label spans its rows
    assert box["phase:screening"].y1 == box["screened"].y1
    assert box["phase:screening"].y0 == box["assessed"].y0


def test_text_is_literal_and_fits_its_box():
    fig = plot_prisma_flow(COUNTS, "en")
    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # "$ms$" would be typeset as mathtext (or fail) if parsed
    renderer = canvas.get_renderer()
    shapes = boxes(fig)
    for text in fig.axes[0].texts:
        assert text.get_parse_math() is False
        name = text.get_gid().removeprefix("text:")
        inner = text.get_window_extent(renderer)
        outer = shapes[name].get_window_extent(renderer)
        assert outer.x0 <= inner.x0 and inner.x1 <= outer.x1, name
        assert outer.y0 <= inner.y0 and inner.y1 <= outer.y1, name


def test_unknown_counts_say_not_yet_recorded():
    counts = {
        **COUNTS,
        "screening_recorded": False,
        **dict.fromkeys(SCREENING_KEYS),
    }
    shown = {k: one_line(v) for k, v in texts(plot_prisma_flow(counts, "id")).items()}
    assert shown["screened"] == "Catatan yang disaring (n = belum dicatat)"
    assert shown["excluded_full_text"] == "Laporan yang dikeluarkan: (n = belum dicatat)"
    assert "Catatan duplikat yang dihapus (n = 210)" in shown["removed"]


def test_updated_review_variant():
    counts = {
        **COUNTS,
        "previous_studies": 12,
        "previous_reports": 14,
        "total_studies": 27,
        "total_reports": 29,
    }
    fig = plot_prisma_flow(counts, "en")
    shown = {k: one_line(v) for k, v in texts(fig).items()}
    assert shown["header"] == "Identification of new studies via databases and registers"
    assert shown["header_previous"] == "Previous studies"
    assert shown["previous"] == (
        "Studies included in previous version of review (n = 12) "
        "Reports of studies included in previous version of review (n = 14)"
    )
    assert shown["included"] == (
        "New studies included in review (n = 15) Reports of new included studies (n = 15)"
    )
    assert shown["total"] == (
        "Total studies included in review (n = 27) Reports of total included studies (n = 29)"
    )
    box = {name: patch.get_bbox() for name, patch in boxes(fig).items()}
    assert box["previous"].x1 < box["identified"].x0  # previous studies on the left
    assert box["total"].y1 < box["included"].y0  # total below the new studies
    assert box["phase:included"].y0 == box["total"].y0


def test_saved_files_are_reproducible(tmp_path):
    paths = []
    for name in ("a", "b"):
        png, pdf = tmp_path / f"{name}.png", tmp_path / f"{name}.pdf"
        save_prisma_flow(plot_prisma_flow(COUNTS, "en"), png, pdf)
        paths.append((png, pdf))
    (png_a, pdf_a), (png_b, pdf_b) = paths
    assert png_a.read_bytes() == png_b.read_bytes()
    assert pdf_a.read_bytes() == pdf_b.read_bytes()
    from PIL import Image

    with Image.open(png_a) as image:
        assert round(image.info["dpi"][0]) == 300
