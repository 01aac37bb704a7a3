"""Synthesis figures: the data behind each plot and the figure's properties (never its bytes)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import only_axes, tick_labels
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import same_color, to_rgba
from matplotlib.figure import Figure
from PIL import Image
from scipy.stats import norm

from reviewkit.errors import InputError
from reviewkit.figures import DESIGN_COLOURS, save_figure, style_context
from reviewkit.i18n import message
from reviewkit.synthesis_figures import (
    SYNTHESIS_FIGURES,
    albatross_x,
    contour_n,
    format_estimate,
    normalise_judgement,
    plot_albatross,
    plot_forest,
    plot_funnel,
    plot_rob_summary,
    plot_rob_traffic_light,
    rob_proportions,
)

# --- inputs, built by hand ----------------------------------------------------------------------

EFFECT_COLUMNS = [
    "id",
    "label",
    "design",
    "comparison",
    "measure",
    "yi",
    "vi",
    "ci_low",
    "ci_high",
    "n_total",
    "imputed",
    "flags",
]
EFFECT_ROWS = [
    (
        "siregar2020",
        "Siregar et al. (2020)",
        "quasi_controlled",
        "between",
        "SMD",
        1.29,
        0.2300,
        0.35,
        2.23,
        20,
        False,
        "",
    ),
    (
        "dahniarti2017",
        "Dahniarti (2017)",
        "static_group",
        "between",
        "SMD",
        0.82,
        0.1425,
        0.08,
        1.56,
        30,
        True,
        "p_inequality",
    ),
    (
        "susanti2022",
        "Susanti (2022)",
        "quasi_controlled",
        "between",
        "SMD",
        0.52,
        0.0459,
        0.10,
        0.94,
        42,
        False,
        "",
    ),
    (
        "dewi2020",
        "Dewi et al. (2020)",
        "one_group_prepost",
        "within",
        "SMCC",
        0.74,
        0.0411,
        0.34,
        1.14,
        31,
        True,
        "p_inequality",
    ),
    (
        "yuliana2019",
        "Yuliana (2019)",
        "one_group_prepost",
        "within",
        "SMCC",
        0.63,
        0.0428,
        0.22,
        1.04,
        28,
        False,
        "",
    ),
]
POOLED_BETWEEN = {
    "pooled": True,
    "k": 3,
    "measure": "SMD",
    "estimate": 0.95,
    "ci_low": 0.52,
    "ci_high": 1.38,
    "pi_low": 0.2,
    "pi_high": 1.7,
    "i2": 91.6,
    "tau2": 0.0,
    "method": "REML",
}
ROBVIS = {
    "low": "#02C100",
    "some_concerns": "#E2DF07",
    "high": "#BF0000",
    "critical": "#820000",
    "no_information": "#4EA1F7",
}
DOMAINS = {
    "d1": "Randomisation process",
    "d2": "Deviations from interventions",
    "d3": "Missing outcome data",
}


@pytest.fixture
def effects() -> pd.DataFrame:
    return pd.DataFrame(EFFECT_ROWS, columns=EFFECT_COLUMNS)


@pytest.fixture
def pooled() -> dict:
    return {"between": dict(POOLED_BETWEEN), "within": {"pooled": False, "k": 2}}


@pytest.fixture
def p_studies() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("siregar2020", "Siregar", "between", "quasi_controlled", 20, 0.0035, False),
            ("dahniarti2017", "Dahniarti", "between", "static_group", 30, 0.025, True),
            ("dewi2020", "Dewi", "within", "one_group_prepost", 31, 0.00025, True),
            ("lestari2021", "Lestari", "between", "static_group", 60, 0.8, False),
        ],
        columns=["id", "label", "comparison", "design", "n_total", "p_one_sided", "p_is_bound"],
    )


@pytest.fixture
def rob() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("siregar2020", "Siregar (2020)", "low", "Some concerns", "high", "high"),
            ("dahniarti2017", "Dahniarti (2017)", "low", "low", None, "some_concerns"),
            ("dewi2020", "Dewi (2020)", "some-concerns", "low", "low", "critical"),
            ("yuliana2019", "Yuliana (2019)", "low", "high", "no information", "high"),
        ],
        columns=["id", "label", "d1", "d2", "d3", "overall"],
    )


# --- helpers ------------------------------------------------------------------------------------


def by_gid(fig: Figure, gid: str):
    found = fig.findobj(lambda artist: artist.get_gid() == gid)
    assert len(found) == 1, f"{len(found)} artists with gid {gid!r}"
    return found[0]


def gids(fig: Figure, prefix: str) -> list[str]:
    return [a.get_gid() for a in fig.findobj(lambda a: str(a.get_gid()).startswith(prefix))]


def row_of(ax, label: str) -> float:
    return dict(zip(tick_labels(ax), ax.get_yticks(), strict=True))[label]


def legend_texts(fig: Figure) -> list[str]:
    return [text.get_text() for legend in fig.legends for text in legend.get_texts()]


def drawn_bbox(fig: Figure):
    with style_context():
        FigureCanvasAgg(fig)
        renderer = fig.canvas.get_renderer()
        fig.draw(renderer)
        return fig.get_tightbbox(renderer)


# --- (a) forest plot ----------------------------------------------------------------------------


def test_forest_rows_appear_in_order_under_group_headers(effects, pooled):
    between, within = plot_forest(effects, pooled, "id").axes  # a panel per group
    assert tick_labels(between) == [
        "Antar kelompok (terkontrol)",
        "Siregar et al. (2020)",
        "Dahniarti (2017)",
        "Susanti (2022)",
        "Efek acak (REML), I² = 92%",
        "Interval prediksi 95%",
    ]
    assert tick_labels(within) == [
        "Dalam kelompok (pra-pasca)",
        "Dewi et al. (2020)",
        "Yuliana (2019)",
        "tidak digabung (k = 2)",
    ]
    rows = list(between.get_yticks())
    assert rows == sorted(rows) and between.yaxis_inverted()  # first row at the top
    bold = {t.get_text() for t in between.get_yticklabels() if t.get_fontweight() == "bold"}
    assert "Antar kelompok (terkontrol)" in bold and "Siregar et al. (2020)" not in bold


def test_forest_never_puts_g_and_g_z_on_one_axis(effects, pooled):
    between, within = plot_forest(effects, pooled, "en").axes
    assert between.get_xlabel() == "Hedges' g"
    assert within.get_xlabel() == "Hedges' $g_z$ (pre-post change)"
    points = {
        line.get_gid(): ax
        for ax in (between, within)
        for line in ax.lines
        if str(line.get_gid()).startswith("study:")
    }
    assert {gid for gid, ax in points.items() if ax is within} == {
        "study:dewi2020",
        "study:yuliana2019",
    }


def test_forest_points_and_ci_lines_are_the_effects(effects, pooled):
    fig = plot_forest(effects, pooled, "en")
    panel = dict(zip(("between", "within"), fig.axes, strict=True))
    for row in effects.itertuples():
        y = row_of(panel[row.comparison], row.label)
        ci = by_gid(fig, f"ci:{row.id}")
        assert list(ci.get_xdata()) == [row.ci_low, row.ci_high]
        assert list(ci.get_ydata()) == [y, y]
        point = by_gid(fig, f"study:{row.id}")
        assert list(point.get_xdata()) == [row.yi] and list(point.get_ydata()) == [y]
    for ax in fig.axes:
        (null,) = [line for line in ax.lines if line.get_gid() == "null"]
        assert list(null.get_xdata()) == [0, 0]
    low, high = panel["between"].get_xlim()
    between = effects[effects["comparison"] == "between"]
    assert low < 0 < high and low < between["ci_low"].min() and high > 1.7  # PI end visible


def test_forest_square_area_is_proportional_to_weight_within_group(effects, pooled):
    fig = plot_forest(effects, pooled, "en")
    for group in ("between", "within"):
        chosen = effects[effects["comparison"] == group]
        areas = np.array([by_gid(fig, f"study:{i}").get_markersize() ** 2 for i in chosen["id"]])
        weights = 1 / chosen["vi"].to_numpy()  # tau² = 0 in the pooled group
        assert areas / areas.max() == pytest.approx(weights / weights.max())


def test_forest_diamond_and_prediction_interval_only_for_pooled_groups(effects, pooled):
    fig = plot_forest(effects, pooled, "en")
    ax, within = fig.axes
    assert gids(fig, "diamond:") == ["diamond:between"]
    assert gids(fig, "pi:") == ["pi:between"]
    diamond = by_gid(fig, "diamond:between")
    vertices = diamond.get_xy()[:4]
    y = row_of(ax, "Random effects (REML), I² = 92%")
    assert list(vertices[:, 0]) == [0.52, 0.95, 1.38, 0.95]  # ci_low, estimate, ci_high
    assert vertices[0, 1] == vertices[2, 1] == y
    pi = by_gid(fig, "pi:between")
    assert list(pi.get_xdata()) == [0.2, 1.7]
    assert list(pi.get_ydata()) == [row_of(ax, "95% prediction interval")] * 2
    assert pi.get_linestyle() == "--"
    assert "not pooled (k = 2)" in tick_labels(within)


def test_forest_pooled_group_without_prediction_interval(effects, pooled):
    pooled["within"] = {
        "pooled": True,
        "k": 2,
        "estimate": 0.68,
        "ci_low": 0.40,
        "ci_high": 0.97,
        "pi_low": None,
        "pi_high": None,
        "i2": 0.0,
        "tau2": 0.0,
        "method": "DL",
    }
    fig = plot_forest(effects, pooled, "en")
    assert gids(fig, "diamond:") == ["diamond:between", "diamond:within"]
    assert gids(fig, "pi:") == ["pi:between"]
    assert "Random effects (DL), I² = 0%" in tick_labels(fig.axes[1])


def test_forest_numbers_column_in_each_locale(effects, pooled):
    fig_id = plot_forest(effects, pooled, "id")
    fig_en = plot_forest(effects, pooled, "en")
    assert by_gid(fig_id, "numbers:susanti2022").get_text() == "0,52 [0,10; 0,94]"
    assert by_gid(fig_en, "numbers:susanti2022").get_text() == "0.52 [0.10, 0.94]"
    assert by_gid(fig_id, "numbers:pooled:between").get_text() == "0,95 [0,52; 1,38]"
    assert by_gid(fig_id, "numbers:pi:between").get_text() == "[0,20; 1,70]"
    assert by_gid(fig_id, "n:susanti2022").get_text() == "42"
    assert by_gid(fig_id, "numbers:header:between").get_text() == "g [IK 95%]"
    assert by_gid(fig_en, "numbers:header:within").get_text() == "$g_z$ [95% CI]"
    assert format_estimate(-0.001, -0.4, 0.4, "id") == "0,00 [-0,40; 0,40]"  # never "-0,00"


def test_forest_imputed_effects_are_open_squares_explained_in_the_legend(effects, pooled):
    fig = plot_forest(effects, pooled, "id")
    for row in effects.itertuples():
        face = by_gid(fig, f"study:{row.id}").get_markerfacecolor()
        assert same_color(face, "white") == row.imputed
    assert any("sebagai batas" in text for text in legend_texts(fig))
    no_imputed = plot_forest(effects.assign(imputed=False), pooled, "id")
    assert not any("sebagai batas" in text for text in legend_texts(no_imputed))


def test_forest_shows_sensitivity_only_effects_and_their_pooled_estimate(effects, pooled):
    effects = effects.assign(role=["main", "main", "main", "sensitivity", "sensitivity"])
    sensitivity = {"within": {**POOLED_BETWEEN, "k": 2, "estimate": 0.66, "method": "REML"}}
    fig = plot_forest(effects, pooled, "en", sensitivity=sensitivity)
    assert same_color(by_gid(fig, "study:yuliana2019").get_markeredgecolor(), "#8a8a8a")
    assert same_color(by_gid(fig, "study:siregar2020").get_markeredgecolor(), "#222222")
    diamond = by_gid(fig, "sensitivity:within")
    assert same_color(diamond.get_facecolor(), "white")
    assert list(diamond.get_xy()[:4, 0]) == [0.52, 0.66, 1.38, 0.66]
    assert "Sensitivity analysis (REML)" in tick_labels(fig.axes[1])
    assert any("test was not stated" in text for text in legend_texts(fig))


def test_forest_has_a_panel_per_outcome_named_after_it(effects, pooled):
    two = pd.concat(
        [effects.assign(outcome="volume"), effects.iloc[:3].assign(outcome="frequency")]
    )
    fig = plot_forest(
        two,
        {"volume": pooled, "frequency": {"between": {"pooled": False, "k": 3}}},
        "en",
        outcome_labels={"volume": "breast-milk volume", "frequency": "breastfeeding frequency"},
    )
    assert len(fig.axes) == 3  # volume: between, within; frequency: between
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert titles == ["breast-milk volume", "", "breastfeeding frequency"]
    assert gids(fig, "diamond:") == ["diamond:volume/between"]
    assert by_gid(fig, "study:frequency/siregar2020")


def test_forest_with_one_group_of_one_study(effects):
    one = effects.iloc[[0]]
    fig = plot_forest(one, {"between": {"pooled": False, "k": 1}}, "en")
    assert tick_labels(only_axes(fig)) == [
        "Between groups (controlled)",
        "Siregar et al. (2020)",
        "not pooled (k = 1)",
    ]
    assert gids(fig, "diamond:") == [] and gids(fig, "pi:") == []
    # a group missing from `pooled` is not pooled either
    assert "not pooled (k = 1)" in tick_labels(only_axes(plot_forest(one, {}, "en")))


def test_forest_without_rows_shows_a_note(effects):
    fig = plot_forest(effects.iloc[:0], {}, "id")
    texts = [t.get_text() for t in only_axes(fig).texts]
    assert texts == [message("id", "synthesis_figures.no_effects")]
    assert gids(fig, "study:") == []


def test_forest_measure_label_and_language_checks(effects, pooled):
    fig = plot_forest(effects, pooled, "en", measure_label="log risk ratio")
    assert [ax.get_xlabel() for ax in fig.axes] == ["log risk ratio"] * 2
    with pytest.raises(InputError, match="language 'fr' has no message catalogue"):
        plot_forest(effects, pooled, "fr")
    with pytest.raises(ValueError, match="vi"):
        plot_forest(effects.drop(columns="vi"), pooled, "en")


def test_forest_summary_line_names_the_model_and_the_q_profile_intervals(effects, pooled):
    """A random-effects estimate with Knapp-Hartung: the model on the pooled row, the
    prediction interval (very imprecise with 3 studies), and tau² and I² with their
    Q-profile intervals on the panel's summary line."""
    pooled["between"].update(
        test="adhoc",
        model="random_effects",
        tau2=0.3132,
        tau2_ci_low=0.1197,
        tau2_ci_high=1.1115,
        i2=92.2214,
        i2_ci_low=81.92,
        i2_ci_high=97.68,
        pi_very_imprecise=True,
    )
    en = tick_labels(plot_forest(effects, pooled, "en").axes[0])
    assert en[-3:] == [
        "Random effects (REML, Knapp-Hartung)",
        "95% prediction interval (very imprecise)",
        "τ² = 0.31 [0.12, 1.11]; I² = 92% [82%, 98%]",
    ]
    indonesian = tick_labels(plot_forest(effects, pooled, "id").axes[0])
    assert indonesian[-1] == "τ² = 0,31 [0,12; 1,11]; I² = 92% [82%; 98%]"


def test_forest_names_common_effect_methods_and_missing_prediction_intervals(effects, pooled):
    pooled["between"].update(
        model="common_effect",
        pooling_method="mantel_haenszel",
        method="MH",
        pi_low=None,
        pi_high=None,
    )
    pooled["within"] = {
        **POOLED_BETWEEN,
        "k": 2,
        "pi_low": None,
        "pi_high": None,
        "pi_reason": "fewer_than_3_studies",
    }
    fig = plot_forest(effects, pooled, "en")
    assert "Common effect (Mantel-Haenszel), I² = 92%" in tick_labels(fig.axes[0])
    assert gids(fig, "pi:") == []
    assert tick_labels(fig.axes[1])[-1] == "No prediction interval (fewer than 3 studies)"


def test_forest_names_ratio_of_means_and_the_unit_of_a_mean_difference(effects, pooled):
    rom = effects.assign(measure="logROM")
    assert plot_forest(rom, {}, "en").axes[0].get_xlabel() == "log ratio of means"
    assert plot_forest(rom, {}, "id").axes[0].get_xlabel() == "log rasio rerata"
    md = effects.iloc[:3].assign(measure="MD")
    pooled["between"].update(measure="MD", unit="ml/hari")
    assert plot_forest(md, pooled, "id").axes[0].get_xlabel() == "selisih rerata (ml/hari)"


FUNNEL_PANEL = {
    "key": "between",
    "title": "Between groups (controlled)",
    "measure": "logRR",
    "unit": None,
    "ids": [f"s{i}" for i in range(10)],
    "yi": [-0.9, -1.6, -1.3, -1.4, -0.2, -0.8, -1.6, 0.0, -0.5, -1.4],
    "se": [0.57, 0.44, 0.64, 0.14, 0.23, 0.08, 0.47, 0.06, 0.24, 0.27],
    "centre": -0.71,
    "se_max": 0.64,
    "lower_at_se_max": -0.71 - 1.959964 * 0.64,
    "upper_at_se_max": -0.71 + 1.959964 * 0.64,
    "egger_p": 0.1887,
}


def test_funnel_plot_draws_effects_against_their_standard_errors():
    fig = plot_funnel([FUNNEL_PANEL], "en")
    ax = only_axes(fig)
    points = by_gid(fig, "funnel_points:between")
    assert list(points.get_xdata()) == FUNNEL_PANEL["yi"]
    assert list(points.get_ydata()) == FUNNEL_PANEL["se"]
    assert ax.yaxis_inverted()  # SE 0 at the top
    limits = by_gid(fig, "funnel_limits:between")
    assert list(limits.get_xdata()) == pytest.approx([-0.71 - 1.254377, -0.71, -0.71 + 1.254377])
    assert list(limits.get_ydata()) == [0.64, 0.0, 0.64]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("log risk ratio", "Standard error")
    # a computed p: three decimals at most, as the text writes it
    assert by_gid(fig, "egger:between").get_text() == "Egger's test: p = 0.189"
    indonesian = plot_funnel([FUNNEL_PANEL], "id")
    assert by_gid(indonesian, "egger:between").get_text() == "Uji Egger: p = 0,189"


def test_funnel_plot_without_enough_studies_says_so():
    fig = plot_funnel([], "en")
    text = by_gid(fig, "note").get_text().replace("\n", " ")
    assert text.startswith("No comparison has 10 or more studies with an effect size")
    assert gids(fig, "funnel_points:") == []


# --- (b) albatross plot -------------------------------------------------------------------------


def test_albatross_between_contour_follows_the_two_group_formula():
    fig = plot_albatross(
        pd.DataFrame(
            columns=["id", "label", "comparison", "design", "n_total", "p_one_sided", "p_is_bound"]
        ),
        "en",
    )
    line = by_gid(fig, "contour:between:0.5")
    x, n = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
    finite = np.isfinite(x)
    p_one_sided = 10 ** -np.abs(x[finite]) / 2
    z = norm.ppf(1 - p_one_sided)
    assert n[finite] == pytest.approx(z**2 * (8 + 0.5**2) / (2 * 0.5**2))
    # at one-sided p = 0.05, on the side favouring the intervention
    expected = norm.ppf(0.95) ** 2 * (8 + 0.25) / (2 * 0.25)
    left = finite & (x < 0)
    at = np.exp(np.interp(albatross_x(0.05), x[left], np.log(n[left])))
    assert at == pytest.approx(expected, rel=1e-4)
    assert contour_n(0.05, 0.5, "between") == pytest.approx(expected)
    assert line.get_linestyle() == "-"
    assert np.nanmin(x) < 0 < np.nanmax(x)  # drawn on both halves


def test_albatross_within_contour_is_dashed_and_uses_the_paired_formula(p_studies):
    fig = plot_albatross(p_studies, "id")
    line = by_gid(fig, "contour:within:0.8")
    assert line.get_linestyle() == "--"
    x, n = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
    finite = np.isfinite(x)
    z = norm.ppf(1 - 10 ** -np.abs(x[finite]) / 2)
    assert n[finite] == pytest.approx(z**2 * (1 + 0.8**2 / 2) / 0.8**2)
    assert by_gid(fig, "contour_label:between:0.5").get_text() == "d = 0,5"
    assert by_gid(fig, "contour_label:within:0.2").get_text() == "$d_z$ = 0,2"
    assert any("skala berbeda" in text for text in legend_texts(fig))


def test_albatross_points_sit_at_transformed_p_and_total_n(p_studies):
    fig = plot_albatross(p_studies, "en")
    ax = only_axes(fig)
    expected_x = {
        "siregar2020": math.log10(0.007),  # two-sided p 0.007, favours intervention: left
        "dahniarti2017": math.log10(0.05),
        "dewi2020": math.log10(0.0005),
        "lestari2021": -math.log10(0.4),  # favours control: right
    }
    for row in p_studies.itertuples():
        point = by_gid(fig, f"study:{row.id}")
        assert point.get_xdata()[0] == pytest.approx(expected_x[row.id])
        assert point.get_ydata()[0] == row.n_total
        assert same_color(point.get_markeredgecolor(), DESIGN_COLOURS[row.design])
    assert ax.get_yscale() == "log"
    assert ax.get_xlim()[0] <= -4 and ax.get_xlim()[1] >= 4
    assert float(albatross_x(0.5)) == 0.0
    with pytest.raises(ValueError, match="p_one_sided"):
        albatross_x(0.0)


def test_albatross_axis_is_labelled_with_p_on_both_sides(p_studies):
    ax = only_axes(plot_albatross(p_studies, "id"))
    labels = dict(zip(ax.get_xticks(), tick_labels(ax, "x"), strict=True))
    assert labels[0] == "1"
    assert labels[-2] == labels[2] == "0,01"
    assert labels[-4] == labels[4] == "0,0001"
    assert ax.get_xlabel() == "Nilai p dua sisi (skala log)"
    en = only_axes(plot_albatross(p_studies, "en"))
    assert "0.001" in tick_labels(en, "x")


def test_albatross_bound_p_values_have_open_markers(p_studies):
    fig = plot_albatross(p_studies, "id")
    for row in p_studies.itertuples():
        point = by_gid(fig, f"study:{row.id}")
        assert same_color(point.get_markerfacecolor(), "white") == row.p_is_bound
    assert by_gid(fig, "study:dewi2020").get_marker() == "^"  # within group
    assert by_gid(fig, "study:siregar2020").get_marker() == "o"
    assert "p dilaporkan sebagai batas (≤)" in legend_texts(fig)
    unbounded = plot_albatross(p_studies.assign(p_is_bound=False), "en")
    assert "p reported as a bound (≤)" not in legend_texts(unbounded)


# --- (c, d) risk of bias ------------------------------------------------------------------------

EXPECTED_JUDGEMENTS = {  # the fixture after normalisation
    "siregar2020": ["low", "some_concerns", "high", "high"],
    "dahniarti2017": ["low", "low", "no_information", "some_concerns"],
    "dewi2020": ["some_concerns", "low", "low", "critical"],
    "yuliana2019": ["low", "high", "no_information", "high"],
}
SYMBOLS = {"low": "+", "some_concerns": "-", "high": "x", "critical": "!", "no_information": "?"}


def test_a_traffic_light_label_is_escaped_once(rob):
    """The figure step gives the traffic light labels made literal by
    figures.study_labels; escaping them again drew a stray backslash ("\\$5")."""
    from reviewkit.figures import study_labels

    typed = pd.DataFrame({"label": ["Cost $5 (2020)"], "authors": [""], "year": [2020]})
    rob = rob.head(1).assign(label=study_labels(typed))
    fig = plot_rob_traffic_light(rob, DOMAINS, "ROB 2", "en")
    assert tick_labels(only_axes(fig)) == [r"Cost \$5 (2020)"]  # drawn as "Cost $5 (2020)"


def test_traffic_light_cells_have_the_robvis_colour_and_symbol(rob):
    fig = plot_rob_traffic_light(rob, DOMAINS, "ROB 2", "en")
    for study, judgements in EXPECTED_JUDGEMENTS.items():
        for column, judgement in zip([*DOMAINS, "overall"], judgements, strict=True):
            cell = by_gid(fig, f"rob:{study}:{column}")
            assert tuple(cell.get_facecolor()[0]) == to_rgba(ROBVIS[judgement])
            assert by_gid(fig, f"rob_symbol:{study}:{column}").get_text() == SYMBOLS[judgement]
    ax = only_axes(fig)
    assert tick_labels(ax) == rob["label"].tolist()
    assert tick_labels(ax, "x") == ["D1", "D2", "D3", "Overall"]
    assert "D2: Deviations from interventions" in legend_texts(fig)
    judgements = [t.get_text() for t in by_gid(fig, "legend:judgements").get_texts()]
    assert judgements == ["Low", "Some concerns", "High", "Critical", "No information"]


def test_traffic_light_language_and_other_tools(rob):
    fig = plot_rob_traffic_light(rob, DOMAINS, "ROB 2", "id")
    assert tick_labels(only_axes(fig), "x")[-1] == "Keseluruhan"
    assert "Beberapa kekhawatiran" in legend_texts(fig)
    assert fig.legends[0].get_title().get_text() == "Penilaian (ROB 2)"
    robins = rob.assign(overall=["serious", "moderate", "critical", "low"])
    texts = legend_texts(plot_rob_traffic_light(robins, DOMAINS, "ROBINS-I", "en"))
    assert {"Moderate", "Serious", "Critical"} <= set(texts)
    jbi = rob[["id", "label"]].assign(q1=["yes", "no", "unclear", "not applicable"])
    fig = plot_rob_traffic_light(jbi, {"q1": "Clear criteria"}, "JBI", "en")
    assert by_gid(fig, "rob_symbol:dahniarti2017:q1").get_text() == "x"
    judgements = [t.get_text() for t in by_gid(fig, "legend:judgements").get_texts()]
    assert judgements == ["Yes", "Unclear", "No", "Not applicable"]
    assert tick_labels(only_axes(fig), "x") == ["D1"]  # no overall column given


def test_rob_accepts_coded_domain_names_and_rob_overall(rob):
    # the shape of reviewkit.rob's columns and RobTool.domain_labels(language)
    coded = rob.rename(
        columns={"d1": "rob_randomisation", "d2": "rob_deviations", "overall": "rob_overall"}
    ).drop(columns="d3")
    domains = {
        "rob_randomisation": "D1 Proses randomisasi",
        "rob_deviations": "D2 Penyimpangan dari intervensi",
        "rob_overall": "Keseluruhan",
    }
    fig = plot_rob_traffic_light(coded, domains, "RoB 2", "id")
    assert tick_labels(only_axes(fig), "x") == ["D1", "D2", "Keseluruhan"]
    assert "D1: Proses randomisasi" in legend_texts(fig)
    cell = by_gid(fig, "rob:dewi2020:rob_overall")
    assert tuple(cell.get_facecolor()[0]) == to_rgba(ROBVIS["critical"])
    summary = plot_rob_summary(coded, domains, "RoB 2", "id")
    assert tick_labels(only_axes(summary)) == [
        "D1 Proses randomisasi",
        "D2 Penyimpangan dari intervensi",
        "Keseluruhan",
    ]
    assert by_gid(summary, "rob_summary:rob_overall:high").get_width() == pytest.approx(0.5)


def test_judgements_are_normalised_or_refused():
    assert normalise_judgement(" Some concerns ") == "some_concerns"
    assert normalise_judgement("No-information") == "no_information"
    assert normalise_judgement(float("nan")) == "no_information"
    assert normalise_judgement("Serious") == "serious"
    with pytest.raises(ValueError, match="judgement"):
        normalise_judgement("probably low")


def test_summary_bar_widths_are_the_proportions_of_studies(rob):
    fig = plot_rob_summary(rob, DOMAINS, "ROB 2", "en")
    shares = rob_proportions(rob, DOMAINS)
    expected = {  # column -> judgement -> share of the 4 studies
        "d1": {"low": 0.75, "some_concerns": 0.25},
        "d2": {"low": 0.5, "some_concerns": 0.25, "high": 0.25},
        "d3": {"low": 0.25, "high": 0.25, "no_information": 0.5},
        "overall": {"some_concerns": 0.25, "high": 0.5, "critical": 0.25},
    }
    for column, parts in expected.items():
        left = 0.0
        for judgement in shares.columns:  # stacked left to right in judgement order
            width = parts.get(judgement, 0.0)
            assert shares.loc[column, judgement] == pytest.approx(width)
            bar = by_gid(fig, f"rob_summary:{column}:{judgement}")
            assert bar.get_width() == pytest.approx(width)
            assert bar.get_x() == pytest.approx(left)
            assert same_color(bar.get_facecolor(), ROBVIS[judgement])
            left += width
        assert left == pytest.approx(1.0)
    ax = only_axes(fig)
    assert tick_labels(ax) == [*DOMAINS.values(), "Overall"]
    assert ax.get_xlim() == (0, 1)
    assert tick_labels(only_axes(plot_rob_summary(rob, DOMAINS, "ROB 2", "id")), "x")[2] == "50%"


# --- every figure -------------------------------------------------------------------------------


@pytest.fixture
def figure_inputs(effects, pooled, p_studies, rob) -> dict:
    return {
        "forest": (effects, pooled),
        "albatross": (p_studies,),
        "rob_traffic_light": (rob, DOMAINS, "ROB 2"),
        "rob_summary": (rob, DOMAINS, "ROB 2"),
        "funnel": ([FUNNEL_PANEL],),
    }


@pytest.mark.parametrize(
    "name", ["forest", "albatross", "rob_traffic_light", "rob_summary", "funnel"]
)
@pytest.mark.parametrize("language", ["id", "en"])
def test_every_figure_is_a_column_wide_and_nothing_is_cut_off(figure_inputs, name, language):
    fig = SYNTHESIS_FIGURES[name](*figure_inputs[name], language)
    assert isinstance(fig, Figure)
    assert fig.get_figwidth() == pytest.approx(16 / 2.54)
    box = drawn_bbox(fig)
    assert box.x0 >= 0 and box.y0 >= 0
    assert box.x1 <= fig.get_figwidth() and box.y1 <= fig.get_figheight()


@pytest.mark.parametrize("name", ["forest", "albatross", "rob_traffic_light", "rob_summary"])
def test_save_figure_writes_each_figure(figure_inputs, tmp_path, name):
    png, pdf = tmp_path / f"{name}.png", tmp_path / f"{name}.pdf"
    save_figure(SYNTHESIS_FIGURES[name](*figure_inputs[name], "id"), png, pdf)
    with Image.open(png) as image:
        assert image.info["dpi"] == pytest.approx((300, 300), abs=0.5)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_forest_names_the_analysis_confidence_level():
    effects = pd.DataFrame(
        {
            "id": ["a", "b"],
            "label": ["A (2020)", "B (2021)"],
            "design": ["rct", "rct"],
            "comparison": ["between", "between"],
            "measure": ["SMD", "SMD"],
            "yi": [0.5, 0.7],
            "vi": [0.04, 0.05],
            "ci_low": [0.17, 0.33],
            "ci_high": [0.83, 1.07],
            "n_total": [40, 50],
            "imputed": [False, False],
            "flags": ["", ""],
        }
    )
    pooled = {"between": {"pooled": False, "k": 2, "measure": "SMD"}}
    figure = plot_forest(effects, pooled, "id", level=0.9)
    texts = [text.get_text() for text in figure.findobj(lambda a: hasattr(a, "get_text"))]
    assert any("IK 90%" in text for text in texts)
    assert not any("95%" in text for text in texts)


def test_albatross_points_belong_to_their_comparison_group_with_its_n():
    from conftest import STUDIES_CSV, STUDIES_SCHEMA

    from reviewkit.pooling import SynthesisSettings, synthesise
    from reviewkit.results import results_frame
    from reviewkit.synthesis_figures import albatross_studies
    from reviewkit.validation import InclusionWindow, validate_studies

    studies = validate_studies(STUDIES_CSV, STUDIES_SCHEMA, InclusionWindow(2014, 2024))
    summary, effects = synthesise(studies, SynthesisSettings())
    rows = albatross_studies(results_frame(studies), effects, summary).set_index("id")
    # Siregar's p is the change within the intervention arm: paired, n = its arm (10 of 20).
    assert rows.loc["siregar2020", ["comparison", "n_total"]].tolist() == ["within_arm", 10]
    assert rows.loc["dahniarti2017", "comparison"] == "between"  # counted, not converted
    assert rows.loc["dewi2020", "comparison"] == "within"
    # Nurhayati gives no direction; what Fitriani's p compares is not known.
    assert "nurhayati2021" not in rows.index and "fitriani2021" not in rows.index


def test_albatross_has_a_panel_per_outcome(p_studies):
    two = pd.concat([p_studies.assign(outcome="volume"), p_studies.assign(outcome="frequency")])
    fig = plot_albatross(two, "en", outcome_labels={"volume": "volume", "frequency": "frequency"})
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["volume", "frequency"]
