"""Figures: the data behind each plot and the figure's properties (never its bytes)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import only_axes, tick_labels
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.markers import MarkerStyle
from PIL import Image

from reviewkit import figures
from reviewkit.designs import DESIGN_BY_CODE, DESIGN_ORDER
from reviewkit.errors import InputError
from reviewkit.figures import (
    DESIGN_COLOURS,
    FIGURES,
    make_figure,
    plot_before_after_ratios,
    plot_effect_direction,
    plot_sample_sizes,
    plot_studies_by_year,
    save_figure,
)
from reviewkit.summary import before_after_ratios

DTYPES = {
    "id": "string",
    "authors": "string",
    "year": "Int64",
    "design": "string",
    "n_total": "Int64",
    "values_group": "string",
    "value_before": "Float64",
    "value_after": "Float64",
    "value_unit": "string",
    "effect_direction": "string",
}
ROWS = [  # id, authors, year, design, n, values_group, before, after, unit, direction
    (
        "enggar2024",
        "Enggar & Rizkyanti",
        2024,
        "quasi_controlled",
        60,
        "intervention",
        120.0,
        180.0,
        "ml",
        "increase",
    ),
    (
        "siregar2020",
        "Siregar et al.",
        2020,
        "quasi_controlled",
        20,
        "intervention",
        305.0,
        615.0,
        "cc",
        "increase",
    ),
    (
        "dewi2020",
        "Dewi et al.",
        2020,
        "one_group_prepost",
        31,
        "single_group",
        0.3,
        1.0,
        "cc",
        "decrease",
    ),
    ("dahniarti2017", "Dahniarti", 2017, "static_group", 30, None, None, None, None, None),
    (
        "pratiwi2018",
        "Pratiwi",
        2018,
        "one_group_prepost",
        35,
        None,
        400.0,
        800.0,
        "ml/hari",
        "no_change",
    ),
    ("rahayu2020", "Rahayu et al.", 2020, "static_group", 38, None, None, None, None, "unclear"),
]


@pytest.fixture
def studies() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=list(DTYPES)).astype(DTYPES)


def legend_texts(fig: Figure) -> list[list[str]]:
    return [[text.get_text() for text in legend.get_texts()] for legend in fig.legends]


def points_by_label(ax, collection) -> dict[str, tuple[float, float]]:
    """Scatter points keyed by the y tick label of their row: label -> (x, size)."""
    labels = dict(zip(ax.get_yticks(), tick_labels(ax), strict=True))
    sizes = np.broadcast_to(collection.get_sizes(), len(collection.get_offsets()))
    points = zip(collection.get_offsets(), sizes, strict=True)
    return {labels[y]: (x, size) for (x, y), size in points}


# --- labels and helpers ---------------------------------------------------------------------


def test_study_label_and_locale_numbers():
    assert figures.study_label("Enggar & Rizkyanti", 2024) == "Enggar & Rizkyanti (2024)"
    assert figures.format_number(2.016393, "id", 2) == "2,02"
    assert figures.format_number(2.016393, "en", 2) == "2.02"


def test_unknown_language_and_figure_are_refused(studies):
    with pytest.raises(InputError, match="language 'fr' has no message catalogue"):
        plot_studies_by_year(studies, "fr")
    with pytest.raises(ValueError, match="unknown figure"):
        make_figure("forest", studies, "id")


def test_every_design_has_a_distinct_colour():
    assert set(DESIGN_COLOURS) == set(DESIGN_ORDER)
    assert len(set(DESIGN_COLOURS.values())) == len(DESIGN_ORDER)


# --- (a) studies by year ----------------------------------------------------------------------


def test_studies_by_year_bar_heights_are_counts_per_year_and_design(studies):
    fig = plot_studies_by_year(studies, "id")
    ax = only_axes(fig)
    label_to_code = {DESIGN_BY_CODE[code].label("id"): code for code in DESIGN_ORDER}
    heights = {}
    for container in ax.containers:
        code = label_to_code[container.get_label()]
        for patch in container.patches:
            year = round(patch.get_x() + patch.get_width() / 2)
            heights[(year, code)] = patch.get_height()
            assert patch.get_facecolor() == to_rgba(DESIGN_COLOURS[code])
    expected = studies.groupby(["year", "design"]).size()
    for (year, code), height in heights.items():
        assert height == expected.get((year, code), 0)
    assert sum(heights.values()) == len(studies)
    # every year from the first to the last, zeros included
    assert [int(t) for t in tick_labels(ax, "x")] == list(range(2017, 2025))
    assert all(float(tick).is_integer() for tick in ax.get_yticks())
    assert ax.get_ylabel() == "Jumlah studi" and ax.get_xlabel() == "Tahun terbit"


def test_a_long_span_of_years_labels_every_fifth_year(studies):
    """33 years (metafor's BCG trials, 1948-1980): a label for every year would
    overlap; the bars stay one per year, the labels every 5th year."""
    years = np.linspace(1948, 1980, len(studies)).round().astype(int)
    fig = plot_studies_by_year(studies.assign(year=years), "en")
    ax = only_axes(fig)
    labels = [int(t) for t in tick_labels(ax, "x")]
    assert labels == list(range(1950, 1981, 5))
    bars = {round(p.get_x() + p.get_width() / 2) for c in ax.containers for p in c.patches}
    assert bars == set(range(1948, 1981))


def test_studies_by_year_legend_follows_design_order(studies):
    fig = plot_studies_by_year(studies, "en")
    (texts,) = legend_texts(fig)
    assert texts == [
        DESIGN_BY_CODE[code].label("en")
        for code in ("quasi_controlled", "static_group", "one_group_prepost")
    ]
    assert fig.legends[0].get_title().get_text() == "Study design"


def test_studies_per_year_and_design_keeps_empty_years(studies):
    counts = figures.studies_per_year_and_design(studies)
    assert list(counts.index) == list(range(2017, 2025))
    assert counts.loc[2019].sum() == 0
    assert counts.loc[2020, "static_group"] == 1


# --- (b) sample sizes -------------------------------------------------------------------------


def test_sample_size_bars_are_n_total_ordered_by_year_then_authors(studies):
    fig = plot_sample_sizes(studies, "id")
    ax = only_axes(fig)
    expected = [
        ("Dahniarti (2017)", 30, "static_group"),
        ("Pratiwi (2018)", 35, "one_group_prepost"),
        ("Dewi et al. (2020)", 31, "one_group_prepost"),
        ("Rahayu et al. (2020)", 38, "static_group"),
        ("Siregar et al. (2020)", 20, "quasi_controlled"),
        ("Enggar & Rizkyanti (2024)", 60, "quasi_controlled"),
    ]
    assert tick_labels(ax) == [label for label, _, _ in expected]
    assert [patch.get_width() for patch in ax.patches] == [n for _, n, _ in expected]
    assert [patch.get_facecolor() for patch in ax.patches] == [
        to_rgba(DESIGN_COLOURS[code]) for _, _, code in expected
    ]
    assert [text.get_text() for text in ax.texts] == [str(n) for _, n, _ in expected]
    assert ax.yaxis_inverted()  # first study at the top
    assert ax.get_xlabel() == "Jumlah partisipan"


# --- (c) before/after ratios ------------------------------------------------------------------


def test_ratio_plot_is_log_scaled_and_plots_after_over_before(studies):
    fig = plot_before_after_ratios(before_after_ratios(studies), "id")
    ax = only_axes(fig)
    assert ax.get_xscale() == "log"
    plotted = {}
    for collection in ax.collections:
        plotted.update(points_by_label(ax, collection))
    expected = {
        figures.study_label(a, y): after / before
        for _, a, y, _, _, _, before, after, _, _ in ROWS
        if before is not None
    }
    assert plotted.keys() == expected.keys()  # Dahniarti and Rahayu report no values
    for label, ratio in expected.items():
        assert plotted[label][0] == pytest.approx(ratio)
    (reference,) = [line for line in ax.get_lines() if line.get_gid() == "reference"]
    assert list(reference.get_xdata()) == [1, 1]


def test_ratio_markers_follow_values_group(studies):
    ax = only_axes(plot_before_after_ratios(before_after_ratios(studies), "en"))
    groups = {c.get_gid(): set(points_by_label(ax, c)) for c in ax.collections}
    assert groups == {
        "values_group:intervention": {"Enggar & Rizkyanti (2024)", "Siregar et al. (2020)"},
        "values_group:single_group": {"Dewi et al. (2020)"},
        "values_group:not_stated": {"Pratiwi (2018)"},  # empty values_group
    }


def test_ratio_plot_language_and_decimal_comma(studies):
    ratios = before_after_ratios(studies)
    fig_id = plot_before_after_ratios(ratios, "id")
    fig_en = plot_before_after_ratios(ratios, "en")
    texts_id = [t.get_text() for t in only_axes(fig_id).texts]
    texts_en = [t.get_text() for t in only_axes(fig_en).texts]
    assert "2,02" in texts_id and "2.02" not in texts_id
    assert "2.02" in texts_en
    assert only_axes(fig_id).get_xlabel() == "Rasio sesudah/sebelum (skala log)"
    assert only_axes(fig_en).get_xlabel() == "Ratio after/before (log scale)"
    assert legend_texts(fig_id) != legend_texts(fig_en)


def test_ratio_plot_without_rows_shows_a_note(studies):
    no_values = studies[studies["value_before"].isna()]
    fig = make_figure("before_after", no_values, "id")
    ax = only_axes(fig)
    assert [t.get_text() for t in ax.texts] == [
        "Tidak ada studi yang melaporkan nilai sebelum dan sesudah"
    ]
    assert ax.get_xscale() == "log" and ax.get_xlabel()
    fig_en = plot_before_after_ratios(before_after_ratios(no_values), "en")
    assert [t.get_text() for t in only_axes(fig_en).texts] == [
        "No study reported values before and after"
    ]


# --- (d) effect direction ---------------------------------------------------------------------


def test_effect_direction_rows_markers_and_sizes(studies):
    ax = only_axes(plot_effect_direction(studies, "id"))
    assert tick_labels(ax) == [  # design order, then year
        "Siregar et al. (2020)",
        "Enggar & Rizkyanti (2024)",
        "Dahniarti (2017)",
        "Rahayu et al. (2020)",
        "Pratiwi (2018)",
        "Dewi et al. (2020)",
    ]
    found, sizes = {}, {}
    for collection in ax.collections:
        direction = collection.get_gid().removeprefix("direction:")
        style = MarkerStyle(figures.DIRECTION_MARKERS[direction])
        expected_path = style.get_path().transformed(style.get_transform())
        assert np.allclose(collection.get_paths()[0].vertices, expected_path.vertices)
        if direction == "unclear":
            assert collection.get_facecolor().size == 0 or collection.get_facecolor()[0][3] == 0
        for label, (_x, size) in points_by_label(ax, collection).items():
            found[label] = direction
            sizes[label] = size
    assert found == {
        "Siregar et al. (2020)": "increase",
        "Enggar & Rizkyanti (2024)": "increase",
        "Dahniarti (2017)": "unclear",  # empty effect_direction
        "Rahayu et al. (2020)": "unclear",
        "Pratiwi (2018)": "no_change",
        "Dewi et al. (2020)": "decrease",
    }
    # area proportional to n (no study here is small enough to hit the minimum)
    ratio = sizes["Enggar & Rizkyanti (2024)"] / sizes["Dewi et al. (2020)"]
    assert ratio == pytest.approx(60 / 31)
    assert [t.get_text() for t in ax.texts] == ["20", "60", "30", "38", "35", "31"]


def test_effect_direction_shades_rows_by_design_and_has_both_legends(studies):
    fig = plot_effect_direction(studies, "en")
    ax = only_axes(fig)
    bands = [patch.get_gid() for patch in ax.patches if (patch.get_gid() or "").startswith("band")]
    assert bands == ["band:quasi_controlled", "band:static_group", "band:one_group_prepost"]
    symbols, designs = legend_texts(fig)
    assert symbols[:4] == ["Increase", "No change", "Decrease", "Unclear / not reported"]
    assert designs == [
        DESIGN_BY_CODE[c].label("en")
        for c in ("quasi_controlled", "static_group", "one_group_prepost")
    ]


def test_studies_without_a_year_get_a_bar_of_their_own(studies):
    undated = studies.assign(year=studies["year"].mask(studies["id"] == "dahniarti2017"))
    ax = only_axes(plot_studies_by_year(undated, "id"))
    assert tick_labels(ax, "x")[-1] == "Tidak dilaporkan"
    heights = {}
    for patch in ax.patches:
        heights[round(patch.get_x() + patch.get_width() / 2)] = (
            heights.get(round(patch.get_x() + patch.get_width() / 2), 0) + patch.get_height()
        )
    assert heights[2026] == 1  # two places right of the last year, 2024
    assert sum(heights.values()) == len(studies)


def test_effect_direction_shows_each_outcome_and_within_arm_only_changes(studies):
    from reviewkit.vocabulary import Vocabulary

    vocabulary = Vocabulary.from_config(
        {
            "outcomes": [
                {"code": "volume", "labels": {"en": "breast-milk volume"}},
                {"code": "frequency", "labels": {"en": "breastfeeding frequency"}},
            ]
        }
    )
    results = pd.DataFrame(
        {
            "id": ["enggar2024", "enggar2024", "dewi2020"],
            "outcome": ["volume", "frequency", "volume"],
            "effect_direction": [None, "increase", "increase"],
            "direction_within": ["increase", None, None],
            "synthesised": [True, True, True],
        }
    )
    fig = plot_effect_direction(studies, "en", vocabulary, results)
    ax = fig.axes[0]
    assert tick_labels(ax, "x") == ["n", "breast-milk\nvolume", "breastfeeding\nfrequency"]
    cells = {
        collection.get_gid(): [tuple(point) for point in collection.get_offsets()]
        for collection in ax.collections
    }
    enggar = tick_labels(ax).index("Enggar & Rizkyanti (2024)")
    dewi = tick_labels(ax).index("Dewi et al. (2020)")
    assert cells["direction:within_increase"] == [(1, enggar)]  # open: no comparison with control
    assert sorted(cells["direction:increase"]) == sorted([(2, enggar), (1, dewi)])
    symbols = [text.replace("\n", " ") for text in legend_texts(fig)[0]]
    assert any("within the intervention group only" in text for text in symbols)


def test_before_after_rows_name_their_outcome_when_there_are_several(studies):
    from reviewkit.vocabulary import Vocabulary

    vocabulary = Vocabulary.from_config(
        {
            "outcomes": [
                {"code": "a", "labels": {"en": "volume"}},
                {"code": "b", "labels": {"en": "frequency"}},
            ]
        }
    )
    ratios = before_after_ratios(studies).assign(outcome=["a", "a", "b", "a"])
    ax = only_axes(plot_before_after_ratios(ratios, "en", vocabulary))
    assert tick_labels(ax)[-1] == "Dewi et al. (2020): frequency"  # outcome b after a


# --- every figure, both languages -------------------------------------------------------------


@pytest.mark.parametrize("name", list(FIGURES))
def test_make_figure_builds_every_figure_in_both_languages(studies, name):
    texts = {}
    for language in ("id", "en"):
        fig = make_figure(name, studies, language)
        assert isinstance(fig, Figure)
        assert fig.get_figwidth() == pytest.approx(16 / 2.54)
        texts[language] = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    assert texts["id"] != texts["en"]


# --- saving ----------------------------------------------------------------------------------


def test_save_figure_writes_300_dpi_png_and_pdf_with_reproducible_bytes(studies, tmp_path):
    paths = []
    for run in ("first", "second"):
        png, pdf = tmp_path / run / "fig.png", tmp_path / run / "fig.pdf"
        save_figure(make_figure("effect_direction", studies, "id"), png, pdf)
        paths.append((png, pdf))
        with Image.open(png) as image:
            assert image.info["dpi"] == pytest.approx((300, 300), abs=0.5)
            assert "Software" not in image.info
        assert pdf.read_bytes().startswith(b"%PDF")
        assert sorted(p.name for p in (tmp_path / run).iterdir()) == ["fig.pdf", "fig.png"]
    (png1, pdf1), (png2, pdf2) = paths
    assert png1.read_bytes() == png2.read_bytes()
    assert pdf1.read_bytes() == pdf2.read_bytes()
    assert b"CreationDate" not in pdf1.read_bytes()


@pytest.mark.parametrize("name", ["effect_direction", "sample_sizes", "studies_by_year"])
def test_a_vector_figure_drawn_alone_is_the_one_drawn_with_its_png(studies, tmp_path, name):
    """The vector PDFs are drawn in a step of their own, only for a profile that needs
    them (rules/figures.smk): the layout, and so the file, must be the same."""
    together, alone = tmp_path / "together.pdf", tmp_path / "alone.pdf"
    save_figure(make_figure(name, studies, "id"), tmp_path / "together.png", together)
    save_figure(make_figure(name, studies, "id"), None, alone)
    assert alone.read_bytes() == together.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "alone.pdf",
        "together.pdf",
        "together.png",
    ]


def test_failed_save_leaves_no_file(studies, tmp_path, monkeypatch):
    fig = make_figure("studies_by_year", studies, "en")
    original = fig.savefig

    def fail_on_pdf(name, **kwargs):
        if kwargs.get("format") == "pdf":
            raise OSError("disk full")
        return original(name, **kwargs)

    monkeypatch.setattr(fig, "savefig", fail_on_pdf)
    with pytest.raises(OSError, match="disk full"):
        save_figure(fig, tmp_path / "a.png", tmp_path / "a.pdf")
    assert list(tmp_path.iterdir()) == []
