"""Figures of the synthesis, in Indonesian ("id") or English ("en").

Each function takes data frames (never Snakemake objects, never files) and a
language, and returns a matplotlib Figure to be written with
`reviewkit.figures.save_figure`. Style, design colours and study labels are
those of `reviewkit.figures`; every number is written with `format_number`.

The five figures take different inputs, so `SYNTHESIS_FIGURES` maps a name to
the function itself, not to a common signature:

- ``"forest"``: ``plot_forest(effects, pooled, language, measure_label=None,
  level=0.95, sensitivity=None, outcome_labels=None)``. `effects`: one row per
  result with a derived effect, columns id, label, design, comparison
  ("between", "within_arm", "within"), measure, yi, vi, ci_low, ci_high,
  n_total, imputed, flags, and optionally outcome and role ("sensitivity":
  drawn grey, it enters only a sensitivity analysis). `pooled`:
  {comparison: {"pooled": bool, "k": int, "measure": str, and when pooled
  "estimate", "ci_low", "ci_high", "pi_low", "pi_high" (may be None), "i2"
  (percent), "tau2", "method", and optionally "test", "model", "pooling_method",
  "pi_reason", "pi_very_imprecise", "unit" and the Q-profile limits "tau2_ci_low",
  "tau2_ci_high", "i2_ci_low", "i2_ci_high" (then tau² and I² with their intervals
  get a row of their own)}}; with several outcomes in `effects`,
  {outcome: {comparison: ...}}. `sensitivity`: the same shape, a pooled
  estimate drawn as an open diamond below the main one. Every outcome and
  comparison group gets its own panel (axes) with its own x axis named
  after its measure, so g and g_z never share an axis; studies keep their
  order within a panel; a diamond and a prediction-interval row only for
  pooled groups.
- ``"albatross"``: ``plot_albatross(p_studies, language, contours=(0.2, 0.5, 0.8))``.
  `p_studies`: id, label, comparison, design, n_total, p_one_sided (one-sided
  in the direction of benefit, in (0, 1]), p_is_bound (bool). The x axis is
  labelled with two-sided p (p = 1 in the middle, as Harrison et al. 2017),
  studies favouring the intervention on the left; contours use
  z = Φ⁻¹(1 − p_one_sided).
- ``"funnel"``: ``plot_funnel(panels, language, level=0.95, min_studies=10)``.
  `panels`: as ``funnel_panels(summary, language)`` builds them from synthesis.json
  (groups with k >= 10); none gives a one-line "not applicable" figure.
- ``"rob_traffic_light"``: ``plot_rob_traffic_light(rob, domains, tool, language)``.
- ``"rob_summary"``: ``plot_rob_summary(rob, domains, tool, language)``.
  `rob`: id, label, one column per domain and "overall", with judgements
  (ROB 2: low, some_concerns, high, no_information; ROBINS-I: low, moderate,
  serious, critical, no_information; JBI: yes, no, unclear, not_applicable;
  case, spaces and hyphens do not matter, an empty cell is no_information);
  the overall judgement is the column "overall" or "rob_overall".
  `domains`: ordered {column: display name} (a leading code such as "D1 ..." or
  "Q1 ..." heads the column, otherwise D1, D2, ... are used; an "overall"/"rob_overall"
  entry is ignored, so `reviewkit.rob.RobTool.domain_labels(language)` can be passed as
  is); `tool`: the name shown in the legend title ("RoB 2", "ROBINS-I", "JBI").

Artists carry gids for tests: forest "study:<id>", "ci:<id>", "diamond:<group>",
"sensitivity:<group>", "pi:<group>", "null" (one per panel), texts "numbers:<id>",
"n:<id>", "numbers:pooled:<group>", "numbers:pi:<group>" (with several outcomes
<id> and <group> are prefixed "<outcome>/"); albatross "study:<id>", "contour:<between|within>:<d>",
"contour_label:<between|within>:<d>", "null"; traffic light "rob:<id>:<domain>"
(the column name, overall included) with the symbol text "rob_symbol:<id>:<domain>";
summary bars "rob_summary:<domain>:<judgement>".
"""

from __future__ import annotations

import math
import re
import sys
import textwrap
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerBase
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon
from matplotlib.text import Text
from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, NullFormatter
from matplotlib.transforms import blended_transform_factory
from scipy.special import ndtr, ndtri  # not scipy.stats: 1 s to import

from reviewkit.figures import (
    WIDTH_IN,
    design_colours,
    plain_text,
    row_label,  # escaped: drawn as literal text
    study_labels,
    style_context,
)
from reviewkit.i18n import message, section
from reviewkit.numfmt import format_computed_p, format_number, format_percent
from reviewkit.rob import judgement_label
from reviewkit.vocabulary import Vocabulary

# Words: catalogue sections synthesis_figures, measures and judgements (reviewkit/locales/).
MEASURE_SYMBOLS = {
    "SMD": "g",
    "SMCC": "$g_z$",
    "SMCR": "d",
    "logRR": "log RR",
    "logOR": "log OR",
    "RD": "RD",
    "MD": "MD",
    "logROM": "log RoM",
}

GROUP_ORDER = ("between", "within_arm", "within", "unclear")
COMPARISON_MARKERS = {"between": "o", "within_arm": "D", "within": "^", "unclear": "s"}
SENSITIVITY_INK = "#8a8a8a"  # effects that enter only a sensitivity analysis
OPEN_FACE = "white"  # open markers are white-filled so a CI line does not show through
INK = "#222222"
CONTOUR_COLOUR = "#6b6b6b"
CONTOUR_STYLES = {"between": "-", "within": "--"}
PI_DASHES = (0, (4, 2))

# robvis colours and symbols (McGuinness & Higgins 2021).
JUDGEMENT_ORDER = (
    "low",
    "yes",
    "some_concerns",
    "moderate",
    "unclear",
    "high",
    "serious",
    "no",
    "critical",
    "no_information",
    "not_applicable",
)
JUDGEMENT_COLOURS = {
    "low": "#02C100",
    "yes": "#02C100",
    "some_concerns": "#E2DF07",
    "moderate": "#E2DF07",
    "unclear": "#E2DF07",
    "high": "#BF0000",
    "serious": "#BF0000",
    "no": "#BF0000",
    "critical": "#820000",
    "no_information": "#4EA1F7",
    "not_applicable": "#BDBDBD",
}
JUDGEMENT_SYMBOLS = {
    "low": "+",
    "yes": "+",
    "some_concerns": "-",
    "moderate": "-",
    "unclear": "?",
    "high": "x",
    "serious": "x",
    "no": "x",
    "critical": "!",
    "no_information": "?",
    "not_applicable": "NA",
}
JUDGEMENT_SCALES = (  # (words only this scale uses, the whole scale shown in the legend)
    ({"yes", "no", "unclear", "not_applicable"}, ("yes", "no", "unclear", "not_applicable")),
    ({"moderate", "serious"}, ("low", "moderate", "serious", "critical", "no_information")),
    (set(), ("low", "some_concerns", "high", "no_information")),  # ROB 2, the default
)
JUDGEMENT_ALIASES = {
    "some_concern": "some_concerns",
    "no_info": "no_information",
    "ni": "no_information",
    "na": "not_applicable",
    "n/a": "not_applicable",
}
OVERALL_COLUMNS = ("overall", "rob_overall")
DOMAIN_CODE = re.compile(r"^([A-Z]{1,2}\d+)[\s:.)-]+(.+)$")


def _labels(language: str, level: float = 0.95) -> dict[str, str]:
    """The figure words in one language, intervals named at the analysis' level."""
    percent = format_percent(level, language)
    words = dict(section(language, "synthesis_figures"))
    words["group:within_arm"] = message(language, "synthesis.figure.group_within_arm")
    words["marker:within_arm"] = message(language, "synthesis.figure.marker_within_arm")
    words["sensitivity_effect"] = message(language, "synthesis.figure.sensitivity_effect")
    words["sensitivity_pooled"] = message(language, "synthesis.figure.sensitivity_pooled")
    words["sensitivity_row"] = message(language, "synthesis.figure.sensitivity_row")
    for key in (
        "random_knapp_hartung",
        "common_effect",
        "mantel_haenszel",
        "peto",
        "heterogeneity",
        "pi_very_imprecise",
        "no_prediction_interval",
        "funnel_se",
        "funnel_limits",
        "funnel_centre",
        "funnel_egger",
        "funnel_not_applicable",
    ):
        words[key] = message(language, f"synthesis.figure.{key}")
    words.update(section(language, "large_review")["figures"])
    return {key: text.replace("{level}", percent) for key, text in words.items()}


def _new_figure(height_in: float) -> Figure:
    return Figure(figsize=(WIDTH_IN, height_in), layout="constrained")


def _number(value: float, language: str, decimals: int = 2) -> str:
    """A rounded number in the locale; never "-0,00"."""
    return format_number(round(float(value), decimals) + 0.0, language, decimals)


def format_estimate(estimate: float, low: float, high: float, language: str) -> str:
    """'0,52 [0,10; 0,94]' in Indonesian (the comma is the decimal mark), '0.52 [0.10, 0.94]'."""
    return f"{_number(estimate, language)} {format_interval(low, high, language)}"


def format_interval(low: float, high: float, language: str) -> str:
    separator = message(language, "text.interval_separator")
    return f"[{_number(low, language)}{separator}{_number(high, language)}]"


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    absent = [column for column in columns if column not in frame.columns]
    if absent:
        raise ValueError(f"{what} lacks the column(s) {', '.join(absent)}")


def _group_order(groups: Sequence[str]) -> list[str]:
    present = list(dict.fromkeys(str(group) for group in groups))
    known = [group for group in GROUP_ORDER if group in present]
    return known + [group for group in present if group not in GROUP_ORDER]


def _locale_ticks(axis, language: str) -> None:
    axis.set_major_formatter(FuncFormatter(lambda value, _pos: format_number(value, language)))


# --- (a) forest plot --------------------------------------------------------------------------


def measure_name(measures: Sequence[str], language: str) -> str:
    """The x-axis label for the measures plotted: "Hedges' g", "log risk ratio", joined by " / "."""
    names = section(language, "measures")
    return " / ".join(names.get(m, m) for m in dict.fromkeys(str(m) for m in measures))


def forest_rows(
    effects: pd.DataFrame,
    pooled: Mapping[str, Mapping],
    sensitivity: Mapping[str, Mapping] | None = None,
    *,
    aggregate: bool = False,
) -> list[dict]:
    """The rows of the forest plot, top to bottom, with their y position.

    Each row is a dict with `kind` ("header", "study", "pooled", "pi", "note",
    "sensitivity"), `group` and `y`; study rows carry the effect row as `effect`;
    a blank spacer separates groups. Studies keep their order within a group.
    ``aggregate`` (a large review): one "spread" row per group, the box of its
    studies' effect sizes (carried as `effects`), instead of a row per study.
    """
    sensitivity = sensitivity or {}
    rows: list[dict] = []
    y = 0
    for index, group in enumerate(_group_order(effects["comparison"])):
        if index:
            y += 1  # spacer
        chosen = effects[effects["comparison"].astype(str) == group]
        info = pooled.get(group, {})
        rows.append({"kind": "header", "group": group, "y": y})
        y += 1
        if aggregate:
            main = chosen[chosen["role"] != "sensitivity"] if "role" in chosen else chosen
            finite = np.isfinite(pd.to_numeric(main["yi"], errors="coerce").to_numpy(float))
            if finite.any():  # the effects of the main analysis, as one box
                rows.append({"kind": "spread", "group": group, "y": y, "effects": main[finite]})
                y += 1
        else:
            for _, effect in chosen.iterrows():
                rows.append({"kind": "study", "group": group, "y": y, "effect": effect})
                y += 1
        if _is_true(info.get("pooled")):
            rows.append({"kind": "pooled", "group": group, "y": y, "info": info})
            y += 1
            if not _missing(info.get("pi_low")) and not _missing(info.get("pi_high")):
                rows.append({"kind": "pi", "group": group, "y": y, "info": info})
                y += 1
            elif info.get("pi_reason") == "fewer_than_3_studies":
                rows.append({"kind": "no_pi", "group": group, "y": y, "info": info})
                y += 1
            if _has_heterogeneity_ci(info):
                rows.append({"kind": "heterogeneity", "group": group, "y": y, "info": info})
                y += 1
        else:
            k = info.get("k", info.get("k_with_effect", len(chosen)))
            rows.append({"kind": "note", "group": group, "y": y, "k": int(k)})
            y += 1
        extra = sensitivity.get(group, {})
        if _is_true(extra.get("pooled")):
            rows.append({"kind": "sensitivity", "group": group, "y": y, "info": extra})
            y += 1
    return rows


def forest_weights(effects: pd.DataFrame, tau2: float = 0.0) -> np.ndarray:
    """Inverse-variance weights 1/(vi + tau²) as shares of the group's total (NaN -> 0)."""
    variances = pd.to_numeric(effects["vi"], errors="coerce").to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        weights = 1.0 / (variances + (tau2 or 0.0))
    weights = np.where(np.isfinite(weights) & (weights > 0), weights, 0.0)
    total = weights.sum()
    return weights / total if total > 0 else weights


def _square_areas(shares: np.ndarray) -> np.ndarray:
    """Marker area (pt²) proportional to weight; the heaviest study in a group gets 150 pt²."""
    largest = shares.max() if len(shares) else 0.0
    if largest <= 0:
        return np.full(len(shares), 30.0)
    return np.maximum(12.0, 150.0 * shares / largest)


def _group_measure(rows: pd.DataFrame, info: Mapping) -> str | None:
    if info.get("measure"):
        return str(info["measure"])
    measures = rows["measure"].dropna().astype(str).unique()
    return str(measures[0]) if len(measures) == 1 else None


def _has_heterogeneity_ci(info: Mapping) -> bool:
    """Whether the pooled result carries Q-profile intervals for tau² and I²."""
    names = ("tau2", "tau2_ci_low", "tau2_ci_high", "i2", "i2_ci_low", "i2_ci_high")
    return all(not _missing(info.get(name)) for name in names)


def _pooled_label(info: Mapping, labels: dict[str, str], language: str) -> str:
    """The model of the pooled row: random effects (estimator, Knapp-Hartung when used) or a
    common-effect model (inverse variance, Mantel-Haenszel, Peto)."""
    method = str(info.get("method") or "REML")
    pooling = info.get("pooling_method")
    if pooling in ("mantel_haenszel", "peto"):
        text = labels[pooling]
    elif info.get("model") == "common_effect":
        text = labels["common_effect"]
    elif method.upper() in {"FE", "FIXED"}:
        text = labels["fixed"]
    elif info.get("test") in ("knha", "adhoc"):
        text = labels["random_knapp_hartung"].format(method=method)
    else:
        text = labels["random"].format(method=method)
    if not _missing(info.get("i2")) and not _has_heterogeneity_ci(info):
        text += f", I² = {format_number(round(float(info['i2'])), language, 0)}%"
    return text


def _tau2_number(value: float, largest: float, language: str) -> str:
    """tau² with 2 decimals, or 4 when every value is below 0.01."""
    return _number(value, language, 2 if largest >= 0.01 else 4)


def heterogeneity_text(info: Mapping, labels: dict[str, str], language: str) -> str:
    """'τ² = 0.31 [0.12, 1.11]; I² = 92% [82%, 98%]': the estimates with Q-profile intervals."""
    tau2 = [float(info[name]) for name in ("tau2", "tau2_ci_low", "tau2_ci_high")]
    i2 = [float(info[name]) for name in ("i2", "i2_ci_low", "i2_ci_high")]
    separator = message(language, "text.interval_separator")
    largest = max(tau2)
    t = [_tau2_number(value, largest, language) for value in tau2]
    i = [format_number(round(value), language, 0) + "%" for value in i2]
    return labels["heterogeneity"].format(
        tau2=t[0],
        tau2_ci=f"[{t[1]}{separator}{t[2]}]",
        i2=i[0],
        i2_ci=f"[{i[1]}{separator}{i[2]}]",
    )


def _row_texts(ax, y: float, n_text: str | None, numbers: str, gid: str, bold: bool = False):
    """The n and "estimate [CI]" columns right of the plot, on row y."""
    at = blended_transform_factory(ax.transAxes, ax.transData)
    weight = "bold" if bold else "normal"
    if n_text is not None:
        ax.text(
            1.03,
            y,
            n_text,
            transform=at,
            ha="right",
            va="center",
            fontweight=weight,
            gid=f"n:{gid}",
        )
    ax.text(
        1.06,
        y,
        numbers,
        transform=at,
        ha="left",
        va="center",
        fontweight=weight,
        gid=f"numbers:{gid}",
    )


def _is_true(value: object) -> bool:
    return not _missing(value) and bool(value)


def _forest_areas(effects: pd.DataFrame, pooled: Mapping[str, Mapping]) -> dict:
    """Marker area per effects index, weights computed within each comparison group."""
    areas = {}
    for group in _group_order(effects["comparison"]):
        chosen = effects[effects["comparison"].astype(str) == group]
        info = pooled.get(group, {})
        tau2 = (
            float(info["tau2"])
            if _is_true(info.get("pooled")) and not _missing(info.get("tau2"))
            else 0.0
        )
        areas.update(zip(chosen.index, _square_areas(forest_weights(chosen, tau2)), strict=True))
    return areas


def _draw_forest_row(ax, row: dict, effects, pooled, areas, labels, language) -> tuple[str, str]:
    """Draw one row; return its tick label and style ("header", "pooled", "pi", "note", "")."""
    y, group, kind = row["y"], row["group"], row["kind"]
    if kind == "header":
        chosen = effects[effects["comparison"].astype(str) == group]
        measure = _group_measure(chosen, pooled.get(group, {}))
        symbol = MEASURE_SYMBOLS.get(measure, labels["effect"]) if measure else labels["effect"]
        _row_texts(ax, y, labels["n"], f"{symbol} [{labels['ci']}]", f"header:{group}", True)
        return labels.get(f"group:{group}", f"{labels['group:other']}: {group}"), "header"
    if kind == "spread":
        values = pd.to_numeric(row["effects"]["yi"], errors="coerce").dropna().to_numpy(float)
        q1, median, q3 = np.percentile(values, [25, 50, 75])
        ax.add_patch(
            Polygon(
                [(q1, y - 0.3), (q3, y - 0.3), (q3, y + 0.3), (q1, y + 0.3)],
                closed=True,
                facecolor="#d9d9d9",
                edgecolor=INK,
                linewidth=0.8,
                zorder=2,
                gid=f"spread:{group}",
            )
        )
        ax.plot([median, median], [y - 0.3, y + 0.3], color=INK, linewidth=1.4, zorder=3)
        _row_texts(
            ax,
            y,
            format_number(len(values), language),
            format_estimate(median, q1, q3, language),
            f"spread:{group}",
        )
        return labels["spread_row"], ""
    if kind == "study":
        effect = row["effect"]
        sid = str(effect["id"])
        yi, low, high = (float(effect[c]) for c in ("yi", "ci_low", "ci_high"))
        imputed = _is_true(effect.get("imputed"))
        ink = SENSITIVITY_INK if effect.get("role") == "sensitivity" else INK
        ax.plot([low, high], [y, y], color=ink, linewidth=1.0, zorder=2, gid=f"ci:{sid}")
        ax.plot(
            [yi],
            [y],
            linestyle="none",
            marker="s",
            markersize=math.sqrt(areas[effect.name]),
            markerfacecolor=OPEN_FACE if imputed else ink,
            markeredgecolor=ink,
            markeredgewidth=1.0,
            zorder=3,
            gid=f"study:{sid}",
        )
        _row_texts(
            ax, y, str(int(effect["n_total"])), format_estimate(yi, low, high, language), sid
        )
        return plain_text(effect["label"]), ""
    info = row.get("info", {})
    if kind == "sensitivity":
        estimate, low, high = (float(info[c]) for c in ("estimate", "ci_low", "ci_high"))
        half = 0.32
        ax.add_patch(
            Polygon(
                [(low, y), (estimate, y - half), (high, y), (estimate, y + half)],
                closed=True,
                facecolor=OPEN_FACE,
                edgecolor=INK,
                linewidth=0.9,
                zorder=3,
                gid=f"sensitivity:{group}",
            )
        )
        k = info.get("k")
        _row_texts(
            ax,
            y,
            None if _missing(k) else str(int(k)),
            format_estimate(estimate, low, high, language),
            f"sensitivity:{group}",
        )
        method = str(info.get("method") or "REML")
        return labels["sensitivity_row"].format(method=method), "pi"
    if kind == "pooled":
        estimate, low, high = (float(info[c]) for c in ("estimate", "ci_low", "ci_high"))
        half = 0.32
        ax.add_patch(
            Polygon(
                [(low, y), (estimate, y - half), (high, y), (estimate, y + half)],
                closed=True,
                facecolor=INK,
                edgecolor=INK,
                linewidth=0.8,
                zorder=3,
                gid=f"diamond:{group}",
            )
        )
        k = info.get("k")
        _row_texts(
            ax,
            y,
            None if _missing(k) else str(int(k)),
            format_estimate(estimate, low, high, language),
            f"pooled:{group}",
            True,
        )
        return _pooled_label(info, labels, language), "pooled"
    if kind == "pi":
        low, high = float(info["pi_low"]), float(info["pi_high"])
        ax.plot(
            [low, high],
            [y, y],
            color=INK,
            linewidth=1.2,
            linestyle=PI_DASHES,
            zorder=2,
            gid=f"pi:{group}",
        )
        ax.plot(
            [low, high],
            [y, y],
            linestyle="none",
            marker="|",
            markersize=6,
            color=INK,
            zorder=2,
            gid=f"pi_ends:{group}",
        )
        _row_texts(ax, y, None, format_interval(low, high, language), f"pi:{group}")
        imprecise = _is_true(info.get("pi_very_imprecise"))
        return labels["pi_very_imprecise" if imprecise else "pi_row"], "pi"
    if kind == "no_pi":
        return labels["no_prediction_interval"], "note"
    if kind == "heterogeneity":
        return heterogeneity_text(info, labels, language), "note"
    return labels["not_pooled"].format(k=row["k"]), "note"


def _forest_extent(rows: list[dict]) -> tuple[float, float]:
    """x limits covering 0, every CI, diamond and prediction interval, with a margin."""
    values = [0.0]
    for row in rows:
        if row["kind"] == "spread":
            yi = pd.to_numeric(row["effects"]["yi"], errors="coerce").dropna().to_numpy(float)
            values += list(np.percentile(yi, [25, 75]))
        elif row["kind"] == "study":
            values += [float(row["effect"][c]) for c in ("yi", "ci_low", "ci_high")]
        elif row["kind"] in ("pooled", "sensitivity"):
            values += [float(row["info"][c]) for c in ("estimate", "ci_low", "ci_high")]
        elif row["kind"] == "pi":
            values += [float(row["info"]["pi_low"]), float(row["info"]["pi_high"])]
    low, high = min(values), max(values)
    pad = 0.1 * (high - low or 1.0)  # the diamond tips clear of the n column
    return low - pad, high + pad


def forest_panels(
    effects: pd.DataFrame,
    pooled: Mapping[str, Mapping],
    sensitivity: Mapping[str, Mapping] | None = None,
) -> list[dict]:
    """One panel per outcome (in order of appearance) and comparison group with effects.

    With one outcome `pooled` and `sensitivity` are keyed by group; with several,
    by outcome and then group. Each panel: outcome, group, effects, pooled, sensitivity."""
    sensitivity = sensitivity or {}
    outcomes = (
        list(dict.fromkeys(effects["outcome"].astype(str)))
        if "outcome" in effects and len(effects)
        else [None]
    )
    several = len(outcomes) > 1
    panels = []
    for outcome in outcomes:
        chosen = effects if outcome is None else effects[effects["outcome"].astype(str) == outcome]
        by_group = pooled.get(outcome, {}) if several else pooled
        extra = sensitivity.get(outcome, {}) if several else sensitivity
        for group in _group_order(chosen["comparison"]):
            rows = chosen[chosen["comparison"].astype(str) == group]
            panels.append(
                {
                    "outcome": outcome,
                    "group": group,
                    "key": f"{outcome}/{group}" if several else group,
                    "effects": rows,
                    "pooled": by_group.get(group, {}),
                    "sensitivity": extra.get(group, {}),
                }
            )
    return panels


def _draw_forest_panel(
    ax, panel: dict, labels, language, measure_label: str | None, aggregate: bool = False
) -> None:
    """One outcome and comparison group on its own axes, x axis named after its measure."""
    effects = panel["effects"]
    key = panel["key"]
    if key != panel["group"]:  # several outcomes: gids name the outcome too
        effects = effects.assign(id=panel["outcome"] + "/" + effects["id"].astype(str))
    pooled = {key: panel["pooled"]}
    sensitivity = {key: panel["sensitivity"]}
    effects = effects.assign(comparison=key)
    rows = forest_rows(effects, pooled, sensitivity, aggregate=aggregate)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    measures = effects["measure"].dropna().astype(str)
    name = measure_label or measure_name(measures, language) or labels["effect"]
    unit = panel["pooled"].get("unit")
    ax.set_xlabel(name if _missing(unit) else f"{name} ({plain_text(unit)})")
    ax.axvline(0.0, color=INK, linewidth=0.7, zorder=1, gid="null")
    areas = _forest_areas(effects, pooled)
    words = {**labels, f"group:{key}": labels.get(f"group:{panel['group']}", panel["group"])}
    ticks = [_draw_forest_row(ax, row, effects, pooled, areas, words, language) for row in rows]
    ax.set_yticks([row["y"] for row in rows], [text for text, _ in ticks])
    for tick, (_, style) in zip(ax.get_yticklabels(), ticks, strict=True):
        if style in {"header", "pooled"}:
            tick.set_fontweight("bold")
        if style in {"note", "pi"}:
            tick.set_fontstyle("italic")
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(rows[-1]["y"] + 0.5, -0.7)
    ax.set_xlim(*_forest_extent(rows))
    _locale_ticks(ax.xaxis, language)


def plot_forest(
    effects: pd.DataFrame,
    pooled: Mapping[str, Mapping],
    language: str,
    measure_label: str | None = None,
    level: float = 0.95,
    sensitivity: Mapping[str, Mapping] | None = None,
    outcome_labels: Mapping[str, str] | None = None,
    *,
    aggregate: bool = False,
) -> Figure:
    """Forest plot of the derived effects: a panel per outcome and comparison group,
    pooled only where justified. ``aggregate`` (a large review): each panel shows
    the box of its studies' effect sizes instead of a row per study (the pooled
    rows are unchanged).

    Rows without a finite yi are left out. Squares have an area proportional to
    the inverse-variance weight within their panel (1/(vi + tau²) for a pooled
    group); imputed effects are open squares; effects that enter only a
    sensitivity analysis are grey, and the sensitivity analysis' pooled estimate
    an open diamond.
    """
    labels = _labels(language, level)
    _require(
        effects,
        ["id", "label", "comparison", "measure", "yi", "vi", "ci_low", "ci_high", "n_total"],
        "effects",
    )
    effects = effects[np.isfinite(pd.to_numeric(effects["yi"], errors="coerce"))]
    effects = effects.reset_index(drop=True)
    panels = forest_panels(effects, pooled, sensitivity)
    with style_context():
        if not panels:
            fig = _new_figure(2.4)
            ax = fig.add_subplot()
            for side in ("left", "right", "top"):
                ax.spines[side].set_visible(False)
            ax.set_xlabel(measure_label or labels["effect"])
            ax.set_xticks([])
            ax.set_yticks([])
            ax.text(
                0.5,
                0.5,
                labels["no_effects"],
                transform=ax.transAxes,
                ha="center",
                va="center",
                gid="note",
            )
            return fig
        heights = [
            len(
                forest_rows(
                    p["effects"],
                    {p["group"]: p["pooled"]},
                    {p["group"]: p["sensitivity"]},
                    aggregate=aggregate,
                )
            )
            + 1.6
            for p in panels
        ]
        fig = _new_figure(max(2.4, 1.0 + 0.25 * sum(heights)))
        axes = fig.subplots(len(panels), 1, squeeze=False, height_ratios=heights)[:, 0]
        several = len({p["outcome"] for p in panels}) > 1
        shown_title = set()
        for ax, panel in zip(axes, panels, strict=True):
            _draw_forest_panel(ax, panel, labels, language, measure_label, aggregate)
            if several and panel["outcome"] not in shown_title:
                name = (outcome_labels or {}).get(panel["outcome"], panel["outcome"])
                ax.set_title(name, loc="left", fontweight="bold", gid=f"title:{panel['outcome']}")
                shown_title.add(panel["outcome"])
        if aggregate:
            handles = [Patch(facecolor="#d9d9d9", edgecolor=INK, label=labels["studies_spread"])]
        else:
            handles = [
                Line2D([], [], color=INK, marker="s", markersize=7, label=labels["study_effect"])
            ]
        if not aggregate and any(_is_true(value) for value in effects.get("imputed", [])):
            handles.append(
                Line2D(
                    [],
                    [],
                    color=INK,
                    marker="s",
                    markersize=7,
                    markerfacecolor=OPEN_FACE,
                    label=labels["imputed"],
                )
            )
        if not aggregate and "role" in effects and (effects["role"] == "sensitivity").any():
            handles.append(
                Line2D(
                    [],
                    [],
                    color=SENSITIVITY_INK,
                    marker="s",
                    markersize=7,
                    label=labels["sensitivity_effect"],
                )
            )
        if any(_is_true(p["pooled"].get("pooled")) for p in panels):
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker="D",
                    markersize=7,
                    color=INK,
                    label=labels["diamond"],
                )
            )
        if any(_is_true(p["sensitivity"].get("pooled")) for p in panels):
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker="D",
                    markersize=7,
                    markerfacecolor=OPEN_FACE,
                    markeredgecolor=INK,
                    label=labels["sensitivity_pooled"],
                )
            )
        if any(
            _is_true(p["pooled"].get("pooled"))
            and not _missing(p["pooled"].get("pi_low"))
            and not _missing(p["pooled"].get("pi_high"))
            for p in panels
        ):
            handles.append(Line2D([], [], color=INK, linestyle=PI_DASHES, label=labels["pi"]))
        legend = fig.legend(handles=handles, loc="outside lower center", alignment="left")
        legend.set_gid("legend:forest")
    return fig


# --- funnel plot ----------------------------------------------------------------------------


def funnel_panels(summary: Mapping, language: str) -> list[dict]:
    """One panel per outcome and comparison group whose funnel data ran (k >= 10), from
    synthesis.json: title, measure, unit, ids, yi, se, centre, pseudo-confidence limits at
    the largest SE, and Egger's test p (None when it did not run)."""
    labels = _labels(language)
    names = outcome_names(summary, language)
    several = len(summary["outcomes"]) > 1
    panels = []
    for item in summary.get("funnel_plot", {}).get("panels", []):
        entry = summary["outcomes"][item["outcome"]]["groups"][item["group"]]
        funnel = entry["small_study"]["funnel"]
        egger = entry["small_study"]["egger"]
        group = labels.get(f"group:{item['group']}", item["group"])
        title = f"{names[item['outcome']]}: {group}" if several else group
        panels.append(
            {
                "key": f"{item['outcome']}/{item['group']}" if several else item["group"],
                "title": title,
                "measure": entry.get("measure"),
                "unit": entry.get("unit"),
                **{
                    name: funnel[name]
                    for name in (
                        "ids",
                        "yi",
                        "se",
                        "centre",
                        "se_max",
                        "lower_at_se_max",
                        "upper_at_se_max",
                    )
                },
                "egger_p": egger.get("p") if egger.get("run") else None,
            }
        )
    return panels


def plot_funnel(
    panels: Sequence[Mapping], language: str, level: float = 0.95, min_studies: int = 10
) -> Figure:
    """Funnel plot: effects (x) against their standard errors (y, 0 at the top), a panel per
    comparison group with at least `min_studies` studies, the pooled estimate and the
    pseudo-confidence limits estimate -/+ z SE (Sterne et al., BMJ 2011;343:d4002).

    `panels`: as `funnel_panels` makes them. Without panels the figure says, in one line,
    that no comparison has enough studies (Cochrane Handbook 13.3.5.4): the workflow
    always draws this figure and the manuscript shows it only when
    synthesis.json `funnel_plot.drawn` is true.
    Gids: "funnel_points:<key>", "funnel_centre:<key>", "funnel_limits:<key>", "null",
    "egger:<key>", "note".
    """
    labels = _labels(language, level)
    with style_context():
        if not panels:
            fig = _new_figure(1.2)
            ax = fig.add_subplot()
            ax.set_axis_off()
            text = labels["funnel_not_applicable"].format(k=min_studies)
            ax.text(
                0.5,
                0.5,
                "\n".join(textwrap.wrap(text, 90)),
                transform=ax.transAxes,
                ha="center",
                va="center",
                gid="note",
            )
            return fig
        fig = _new_figure(0.8 + 3.0 * len(panels))
        axes = fig.subplots(len(panels), 1, squeeze=False)[:, 0]
        for ax, panel in zip(axes, panels, strict=True):
            key = panel["key"]
            for side in ("right", "top"):
                ax.spines[side].set_visible(False)
            centre, se_max = float(panel["centre"]), float(panel["se_max"])
            low, high = float(panel["lower_at_se_max"]), float(panel["upper_at_se_max"])
            ax.plot(
                [low, centre, high],
                [se_max, 0.0, se_max],
                color=CONTOUR_COLOUR,
                linestyle=PI_DASHES,
                linewidth=0.9,
                zorder=1,
                gid=f"funnel_limits:{key}",
            )
            ax.plot(
                [centre, centre],
                [0.0, se_max],
                color=INK,
                linewidth=0.9,
                zorder=1,
                gid=f"funnel_centre:{key}",
            )
            ax.axvline(
                0.0, color=CONTOUR_COLOUR, linewidth=0.6, linestyle=":", zorder=0, gid="null"
            )
            ax.plot(
                panel["yi"],
                panel["se"],
                linestyle="none",
                marker="o",
                markersize=5,
                markerfacecolor=OPEN_FACE,
                markeredgecolor=INK,
                zorder=3,
                gid=f"funnel_points:{key}",
            )
            ax.set_ylim(se_max * 1.05, 0.0)
            name = measure_name([panel["measure"]], language) if panel["measure"] else ""
            unit = panel.get("unit")
            ax.set_xlabel(name if _missing(unit) else f"{name} ({plain_text(unit)})")
            ax.set_ylabel(labels["funnel_se"])
            ax.set_title(plain_text(panel["title"]), loc="left", fontweight="bold")
            if panel.get("egger_p") is not None:
                p_text = format_computed_p(float(panel["egger_p"]), language)
                ax.set_title(
                    labels["funnel_egger"].format(p=p_text), loc="right", gid=f"egger:{key}"
                )
            _locale_ticks(ax.xaxis, language)
            _locale_ticks(ax.yaxis, language)
        handles = [
            Line2D([], [], color=INK, linewidth=0.9, label=labels["funnel_centre"]),
            Line2D(
                [], [], color=CONTOUR_COLOUR, linestyle=PI_DASHES, label=labels["funnel_limits"]
            ),
        ]
        fig.legend(handles=handles, loc="outside lower center", ncols=2).set_gid("legend:funnel")
    return fig


# --- (b) albatross plot -----------------------------------------------------------------------


def contour_n(p_one_sided: np.ndarray | float, effect: float, comparison: str) -> np.ndarray:
    """Total N at which a standardised effect gives this one-sided p (Harrison et al. 2017).

    Two equal groups: N = z²(8 + d²)/(2d²); paired pre-post: n = z²(1 + d_z²/2)/d_z²,
    with z = Φ⁻¹(1 − p).
    """
    z = -ndtri(np.asarray(p_one_sided, dtype=float))  # scipy.stats.norm.isf
    return z**2 * _contour_coefficient(effect, comparison)


def _contour_coefficient(effect: float, comparison: str) -> float:
    """N / z² for a standardised effect d (between) or d_z (within)."""
    d2 = float(effect) ** 2
    if comparison == "between":
        return (8 + d2) / (2 * d2)
    if comparison == "within":
        return (1 + d2 / 2) / d2
    raise ValueError(f'comparison must be "between" or "within", not {comparison!r}')


def albatross_x(p_one_sided: np.ndarray | float) -> np.ndarray:
    """Plot position: signed log10 of the two-sided p, negative when favouring the intervention.

    p_one_sided < 0.5 -> log10(2p) (left); > 0.5 -> -log10(2(1 - p)) (right); 0.5 -> 0.
    """
    p = np.asarray(p_one_sided, dtype=float)
    if np.any((p <= 0) | (p > 1) | ~np.isfinite(p)):
        raise ValueError("p_one_sided must be in (0, 1]")
    two_sided = np.clip(2 * np.minimum(p, 1 - p), 1e-300, 1.0)
    return np.where(p <= 0.5, np.log10(two_sided), -np.log10(two_sided))


def _x_to_p_one_sided(x: np.ndarray) -> np.ndarray:
    return 10.0 ** (-np.abs(x)) / 2


def _p_tick_label(x: float, language: str) -> str:
    exponent = round(abs(x))
    if not math.isclose(abs(x), exponent, abs_tol=1e-9):
        return ""
    return format_number(10.0**-exponent, language, exponent) if exponent else "1"


def _contour_line(effect: float, comparison: str, half_width: float) -> tuple[np.ndarray, ...]:
    left = -np.geomspace(half_width, 1e-3, 500)  # from the far left to just before p = 1
    n_left = contour_n(_x_to_p_one_sided(left), effect, comparison)
    x = np.concatenate([left, [np.nan], -left[::-1]])
    n = np.concatenate([n_left, [np.nan], n_left[::-1]])
    return x, n


def _label_contour(ax, effect: float, comparison: str, half_width: float, n_range, language):
    """'d = 0,5' where the curve leaves the top of the plot, or at the outer edge if it stays
    inside; between-group contours are labelled on the left half, within-group on the right."""
    n_low, n_high = n_range
    target = n_high / 1.5
    z = math.sqrt(target / _contour_coefficient(effect, comparison))
    # With a very large n the tail probability underflows to 0: keep it positive.
    p_one_sided = max(float(ndtr(-z)), sys.float_info.min)  # scipy.stats.norm.sf
    x, y, align = abs(float(albatross_x(p_one_sided))), target, "center"
    if x > half_width - 0.3:  # the curve stays below the top: label it at the outer edge
        x = half_width - 0.05
        y = float(contour_n(_x_to_p_one_sided(np.array(x)), effect, comparison))
        align = "left" if comparison == "between" else "right"
    if y < n_low:
        return  # the curve is not inside the plot
    symbol = "d" if comparison == "between" else "$d_z$"
    ax.text(
        -x if comparison == "between" else x,
        y,
        f"{symbol} = {format_number(effect, language)}",
        ha=align,
        va="center" if align == "center" else "bottom",
        fontsize=7.5,
        color="#444444",
        zorder=2,
        clip_on=True,
        gid=f"contour_label:{comparison}:{effect:g}",
        bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.8},
    )


def _albatross_panel(
    ax, rows: pd.DataFrame, labels, language, contours, colours, per_study: bool = True
) -> np.ndarray:
    """Draw one albatross panel; return which points are bounds (open markers).
    ``per_study=False`` (a large review): the points of one design, comparison and
    kind of p are drawn together (one artist each, not one per study)."""
    p = rows["p_one_sided"].astype(float).to_numpy()
    x = albatross_x(p) if len(rows) else np.array([])
    n = rows["n_total"].astype(float).to_numpy()
    if np.any(~np.isfinite(n) | (n <= 0)):
        raise ValueError("n_total must be a positive number for every study")
    half_width = max(4.0, math.ceil(np.max(np.abs(x)) + 0.05)) if len(x) else 4.0
    if len(n):
        n_low = 10 ** math.floor(math.log10(max(1.0, n.min() / 1.2)))
        n_high = 10 ** math.ceil(math.log10(n.max() * 1.2))
    else:
        n_low, n_high = 10.0, 100.0
    n_high = max(n_high, n_low * 100)
    ax.set_yscale("log")
    ax.set_xlim(-half_width, half_width)
    ax.set_ylim(n_low, n_high)
    ax.axvline(0.0, color=INK, linewidth=0.7, zorder=1, gid="null")
    for comparison in ("between", "within"):
        for effect in contours:
            cx, cn = _contour_line(effect, comparison, half_width)
            ax.plot(
                cx,
                cn,
                color=CONTOUR_COLOUR,
                linewidth=0.8,
                linestyle=CONTOUR_STYLES[comparison],
                zorder=1.5,
                gid=f"contour:{comparison}:{effect:g}",
            )
            _label_contour(ax, effect, comparison, half_width, (n_low, n_high), language)
    bounds = np.array([_is_true(value) for value in rows["p_is_bound"]], dtype=bool)
    if not per_study and len(rows):
        designs = rows["design"].astype(str).to_numpy()
        comparisons = rows["comparison"].astype(str).to_numpy()
        groups = sorted(set(zip(designs, comparisons, bounds.tolist(), strict=True)))
        for design, comparison, bound in groups:
            chosen = (designs == design) & (comparisons == comparison) & (bounds == bound)
            colour = colours.get(design, "#555555")
            ax.plot(
                x[chosen],
                n[chosen],
                linestyle="none",
                marker=COMPARISON_MARKERS.get(comparison, "D"),
                markersize=4,
                markerfacecolor=OPEN_FACE if bound else colour,
                markeredgecolor=colour,
                markeredgewidth=0.8,
                alpha=0.8,
                zorder=3,
                gid=f"points:{design}:{comparison}:{'bound' if bound else 'exact'}",
            )
    for i, (_, row) in enumerate(rows.iterrows() if per_study else ()):
        colour = colours.get(str(row["design"]), "#555555")
        ax.plot(
            [x[i]],
            [n[i]],
            linestyle="none",
            marker=COMPARISON_MARKERS.get(str(row["comparison"]), "D"),
            markersize=7,
            markerfacecolor=OPEN_FACE if bounds[i] else colour,
            markeredgecolor=colour,
            markeredgewidth=1.3,
            zorder=3,
            gid=f"study:{row['id']}",
        )
    if not len(rows):
        ax.text(
            0.5,
            0.5,
            labels["no_p"],
            transform=ax.transAxes,
            ha="center",
            va="center",
            gid="note",
            zorder=4,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 4},
        )
    ticks = np.arange(-math.floor(half_width), math.floor(half_width) + 1)
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _p_tick_label(v, language)))
    ax.set_xlabel(labels["p_axis"])
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    _locale_ticks(ax.yaxis, language)
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_ylabel(labels["n_axis"])
    for position, key in ((0.25, "favours_intervention"), (0.75, "favours_control")):
        ax.text(
            position,
            1.02,
            labels[key],
            transform=ax.transAxes,
            ha="center",
            va="bottom",
            fontsize=8.5,
            gid=key,
        )
    return bounds


def plot_albatross(
    p_studies: pd.DataFrame,
    language: str,
    contours: Sequence[float] = (0.2, 0.5, 0.8),
    vocabulary: Vocabulary | None = None,
    outcome_labels: Mapping[str, str] | None = None,
    *,
    per_study: bool = True,
) -> Figure:
    """Albatross plot: p value against N with contours of constant standardised effect.

    With an `outcome` column holding several outcomes, one panel per outcome
    (in order of appearance), each titled with its name. ``per_study=False``: see
    :func:`_albatross_panel` (the same picture, drawn fast for thousands of studies)."""
    labels = _labels(language)
    _require(
        p_studies,
        ["id", "label", "comparison", "design", "n_total", "p_one_sided", "p_is_bound"],
        "p_studies",
    )
    rows = p_studies.reset_index(drop=True)
    vocabulary = vocabulary or Vocabulary()
    colours = design_colours(vocabulary)
    outcomes = (
        list(dict.fromkeys(rows["outcome"].astype(str)))
        if "outcome" in rows and rows["outcome"].nunique() > 1
        else [None]
    )
    with style_context():
        fig = _new_figure(4.6 if len(outcomes) == 1 else 1.2 + 3.6 * len(outcomes))
        axes = fig.subplots(len(outcomes), 1, squeeze=False)[:, 0]
        bounds_any = False
        for ax, outcome in zip(axes, outcomes, strict=True):
            chosen = rows if outcome is None else rows[rows["outcome"].astype(str) == outcome]
            bounds = _albatross_panel(ax, chosen, labels, language, contours, colours, per_study)
            bounds_any = bounds_any or bool(bounds.any())
            if outcome is not None:
                name = (outcome_labels or {}).get(outcome, outcome)
                ax.set_title(name, loc="left", fontweight="bold", pad=16, gid=f"title:{outcome}")
        comparisons = _group_order(rows["comparison"]) if len(rows) else []
        handles = [
            Line2D(
                [],
                [],
                linestyle="none",
                marker=COMPARISON_MARKERS.get(c, "D"),
                markersize=7,
                color="#555555",
                label=labels.get(f"marker:{c}", c),
            )
            for c in comparisons
        ]
        if bounds_any:
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker="o",
                    markersize=7,
                    markeredgewidth=1.3,
                    markerfacecolor=OPEN_FACE,
                    markeredgecolor="#555555",
                    label=labels["bound"],
                )
            )
        handles += [
            Line2D(
                [],
                [],
                color=CONTOUR_COLOUR,
                linewidth=0.8,
                linestyle=CONTOUR_STYLES[c],
                label=labels[f"contour:{c}"],
            )
            for c in ("between", "within")
        ]
        codes = [c for c in vocabulary.design_codes if c in set(rows["design"].astype(str))]
        handles += [
            Patch(facecolor=colours[c], label=vocabulary.design_label(c, language)) for c in codes
        ]
        fig.legend(handles=handles, loc="outside lower center", ncols=2)
    return fig


# --- (c, d) risk of bias ----------------------------------------------------------------------


def normalise_judgement(value: object) -> str:
    """A judgement in the canonical vocabulary; empty cells are "no_information"."""
    if _missing(value) or not str(value).strip():
        return "no_information"
    key = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    key = JUDGEMENT_ALIASES.get(key, key)
    if key not in JUDGEMENT_COLOURS:
        raise ValueError(
            f"unknown risk-of-bias judgement {value!r}; use one of {', '.join(JUDGEMENT_ORDER)}"
        )
    return key


def rob_columns(rob: pd.DataFrame, domains: Mapping[str, str]) -> tuple[list[str], str | None]:
    """The domain columns (in the order of `domains`) and the overall column, if any.

    The overall judgement is the column "overall" or "rob_overall"; an entry for
    it in `domains` is ignored (it is always shown last, as "Keseluruhan"/"Overall").
    """
    columns = [column for column in domains if column not in OVERALL_COLUMNS]
    _require(rob, ["id", "label", *columns], "rob")
    overall = next((column for column in OVERALL_COLUMNS if column in rob.columns), None)
    return columns, overall


def rob_judgements(rob: pd.DataFrame, domains: Mapping[str, str]) -> pd.DataFrame:
    """Canonical judgements, one column per domain then the overall one (if any), index = id."""
    columns, overall = rob_columns(rob, domains)
    table = rob.set_index(rob["id"].astype(str))[[*columns, *([overall] if overall else [])]]
    return table.apply(lambda column: column.map(normalise_judgement))


def domain_codes(domains: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """Column -> (short header, name without it): "D1 Proses randomisasi" -> ("D1", ...);
    names without a code are numbered D1, D2, ..."""
    codes = {}
    for number, (column, name) in enumerate(
        ((c, n) for c, n in domains.items() if c not in OVERALL_COLUMNS), start=1
    ):
        match = DOMAIN_CODE.match(str(name).strip())
        codes[column] = (match[1], match[2]) if match else (f"D{number}", str(name))
    return codes


def _legend_judgements(table: pd.DataFrame) -> list[str]:
    """The judgements present plus the rest of the scale they come from, in canonical order."""
    present = set(table.to_numpy().ravel())
    scale = next(scale for words, scale in JUDGEMENT_SCALES if present & words or not words)
    shown = set(scale) | present
    return [j for j in JUDGEMENT_ORDER if j in shown]


class JudgementKey:
    """A legend entry for a judgement: its robvis circle with the symbol inside."""

    def __init__(self, judgement: str, language: str):
        self.judgement = judgement
        self.label = judgement_label(judgement, language)

    def get_label(self) -> str:
        return self.label


class _JudgementKeyHandler(HandlerBase):
    def create_artists(
        self, legend, orig_handle, xdescent, ydescent, width, height, fontsize, trans
    ):
        x, y = width / 2 - xdescent, height / 2 - ydescent
        judgement = orig_handle.judgement
        circle = Line2D(
            [x],
            [y],
            linestyle="none",
            marker="o",
            markersize=11,
            markerfacecolor=JUDGEMENT_COLOURS[judgement],
            markeredgecolor="none",
            transform=trans,
        )
        symbol = _symbol_text(x, y, judgement, size=7.5)
        symbol.set_transform(trans)
        return [circle, symbol]


def _symbol_text(x: float, y: float, judgement: str, size: float) -> Text:
    symbol = JUDGEMENT_SYMBOLS[judgement]
    return Text(
        x,
        y,
        symbol,
        ha="center",
        va="center_baseline",
        fontsize=size * 0.7 if len(symbol) > 1 else size,
        fontweight="bold",
        fontfamily="DejaVu Sans",
        color=INK if judgement == "not_applicable" else "white",
    )


def _judgement_legend(fig: Figure, judgements: Sequence[str], tool: str, language: str, **kw):
    keys = [JudgementKey(j, language) for j in judgements]
    legend = fig.legend(
        handles=keys,
        labels=[key.label for key in keys],
        handler_map={JudgementKey: _JudgementKeyHandler()},
        title=_labels(language)["judgement"].format(tool=tool),
        **kw,
    )
    legend.set_gid("legend:judgements")
    return legend


def plot_rob_traffic_light(
    rob: pd.DataFrame, domains: Mapping[str, str], tool: str, language: str
) -> Figure:
    """robvis-style traffic-light plot: a coloured circle with a symbol per study and domain.

    Columns are headed D1, D2, ... (the key below the grid names them) and the
    overall judgement, set apart by a gap and a thin line.
    """
    labels = _labels(language)
    table = rob_judgements(rob, domains)
    domain_columns, overall = rob_columns(rob, domains)
    codes = domain_codes(domains)
    # drawn as given: the labels are literal text already (figures.study_labels)
    labels_by_id = dict(zip(rob["id"].astype(str), rob["label"], strict=True))
    columns = list(table.columns)
    x_of = {column: float(j) for j, column in enumerate(domain_columns)}
    headers = [codes[column][0] for column in domain_columns]
    if overall:
        x_of[overall] = len(domain_columns) + 0.6  # room for the longer header
        headers.append(labels["overall"])
    n_rows = len(table)
    with style_context():
        fig = _new_figure(max(2.6, 1.25 + 0.32 * n_rows + 0.19 * len(domain_columns)))
        ax = fig.add_subplot()
        for side in ax.spines.values():
            side.set_visible(False)
        for i, study in enumerate(table.index):
            for column in columns:
                judgement = table.loc[study, column]
                ax.scatter(
                    [x_of[column]],
                    [i],
                    s=230,
                    marker="o",
                    color=JUDGEMENT_COLOURS[judgement],
                    edgecolors="none",
                    zorder=2,
                    gid=f"rob:{study}:{column}",
                )
                symbol = _symbol_text(x_of[column], i, judgement, size=10)
                symbol.set_gid(f"rob_symbol:{study}:{column}")
                symbol.set_zorder(3)
                ax.add_artist(symbol)
        if overall and domain_columns:
            ax.axvline(len(domain_columns) - 0.2, color="#BBBBBB", linewidth=0.6, zorder=1)
        if not n_rows:
            ax.text(
                0.5,
                0.5,
                labels["no_rob"],
                transform=ax.transAxes,
                ha="center",
                va="center",
                gid="note",
            )
        ax.set_xlim(-0.6, max(x_of.values(), default=0) + 0.6)
        ax.set_ylim(max(n_rows, 1) - 0.5, -0.5)
        ax.set_xticks([x_of[c] for c in columns], headers)
        ax.xaxis.tick_top()
        ax.set_yticks(range(n_rows), [labels_by_id[s] for s in table.index])
        ax.tick_params(length=0)
        _judgement_legend(
            fig,
            _legend_judgements(table),
            tool,
            language,
            loc="outside right upper",
            alignment="left",
            labelspacing=0.8,
        )
        key = [
            textwrap.shorten(f"{code}: {name}", 95, placeholder="…")
            for code, name in codes.values()
        ]
        domain_legend = fig.legend(
            handles=[Patch(visible=False, label=text) for text in key],
            title=labels["domains"],
            loc="outside lower center",
            alignment="left",
            handlelength=0,
            handletextpad=0,
            labelspacing=0.3,
        )
        domain_legend.set_gid("legend:domains")
    return fig


def rob_proportions(rob: pd.DataFrame, domains: Mapping[str, str]) -> pd.DataFrame:
    """Share of studies per judgement (columns, canonical order) for each domain and overall."""
    table = rob_judgements(rob, domains)
    counts = {column: table[column].value_counts() for column in table.columns}
    frame = pd.DataFrame(counts).T.fillna(0)
    order = [j for j in JUDGEMENT_ORDER if j in frame.columns]
    frame = frame.reindex(index=list(table.columns), columns=order, fill_value=0)
    return frame.div(frame.sum(axis=1).replace(0, np.nan), axis=0).fillna(0.0)


def plot_rob_summary(
    rob: pd.DataFrame, domains: Mapping[str, str], tool: str, language: str
) -> Figure:
    """robvis-style summary plot: 100% stacked bars of judgements per domain (unweighted)."""
    labels = _labels(language)
    table = rob_judgements(rob, domains)
    shares = rob_proportions(rob, domains)
    domain_columns, overall = rob_columns(rob, domains)
    names = {column: str(domains[column]) for column in domain_columns}
    if overall:
        names[overall] = labels["overall"]
    with style_context():
        fig = _new_figure(max(2.4, 1.5 + 0.36 * len(shares)))
        ax = fig.add_subplot()
        y = np.arange(len(shares))
        left = np.zeros(len(shares))
        for judgement in shares.columns:
            widths = shares[judgement].to_numpy(dtype=float)
            for k, (column, width) in enumerate(zip(shares.index, widths, strict=True)):
                ax.barh(
                    y[k],
                    width,
                    left=left[k],
                    height=0.7,
                    color=JUDGEMENT_COLOURS[judgement],
                    edgecolor="white",
                    linewidth=0.6,
                    gid=f"rob_summary:{column}:{judgement}",
                )
            left += widths
        ax.set_yticks(y, [textwrap.fill(names[c], 48) for c in shares.index])
        for tick, column in zip(ax.get_yticklabels(), shares.index, strict=True):
            if column == overall:
                tick.set_fontweight("bold")
        ax.set_ylim(len(shares) - 0.5, -0.5)
        ax.set_xlim(0, 1)
        ax.set_xticks(np.linspace(0, 1, 5))
        ax.xaxis.set_major_formatter(
            FuncFormatter(lambda v, _pos: format_number(round(100 * v), language) + "%")
        )
        ax.set_xlabel(labels["proportion"])
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        fig.legend(
            handles=[
                Patch(facecolor=JUDGEMENT_COLOURS[j], label=judgement_label(j, language))
                for j in _legend_judgements(table)
            ],
            title=labels["judgement"].format(tool=tool),
            loc="outside lower center",
            ncols=3,
        )
    return fig


SYNTHESIS_FIGURES: dict[str, Callable[..., Figure]] = {
    "forest": plot_forest,
    "albatross": plot_albatross,
    "rob_traffic_light": plot_rob_traffic_light,
    "rob_summary": plot_rob_summary,
    "funnel": plot_funnel,
}


# --- from the workflow's files to each figure's inputs -----------------------------------------


def albatross_studies(
    results: pd.DataFrame,
    effects: pd.DataFrame,
    summary: Mapping,
    language: str = "en",
    vocabulary: Vocabulary | None = None,
) -> pd.DataFrame:
    """Results with a p-value, a known direction and a comparison group that combines
    p-values (between, within_arm, within), one-sided p in the direction of benefit of
    their outcome (a bound like "p < 0,05" is plotted as "at least this extreme");
    N is the arm's size for a within-arm (paired) test."""
    from reviewkit.pooling import SynthesisSettings, group_sizes, p_group

    vocabulary = vocabulary or Vocabulary()
    settings = SynthesisSettings.from_config(summary["settings"])
    favoured = {code: entry["favoured_direction"] for code, entry in summary["outcomes"].items()}
    rows = []
    chosen = results[results["synthesised"].astype(bool)] if "synthesised" in results else results
    for _, result in chosen.iterrows():
        if pd.isna(result["p_value"]) or pd.isna(result["p_operator"]):
            continue
        group, _, _ = p_group(result, vocabulary, settings)
        if group not in ("between", "within_arm", "within"):
            continue
        direction = result["direction_within" if group == "within_arm" else "effect_direction"]
        if pd.isna(direction) or direction not in ("increase", "decrease"):
            continue
        p = float(result["p_value"])
        one_sided = p / 2 if direction == favoured.get(str(result["outcome"])) else 1 - p / 2
        n = group_sizes(result)[0] if group == "within_arm" else int(result["n_total"])
        rows.append(
            {
                "id": result["id"],
                "label": row_label(
                    result.get("label"), result["authors"], result["year"], language
                ),
                "outcome": str(result["outcome"]),
                "comparison": group,
                "n_total": n,
                "p_one_sided": one_sided,
                "p_is_bound": result["p_operator"] == "<",
                "design": result["design"],
            }
        )
    columns = [
        "id",
        "label",
        "outcome",
        "comparison",
        "n_total",
        "p_one_sided",
        "p_is_bound",
        "design",
    ]
    return pd.DataFrame(rows, columns=columns)


def outcome_names(summary: Mapping, language: str) -> dict[str, str]:
    """Outcome code -> its name in `language` (the code when unlabelled)."""
    return {
        code: entry["labels"].get(language) or next(iter(entry["labels"].values()), code)
        for code, entry in summary["outcomes"].items()
    }


def make_synthesis_figure(
    name: str,
    studies: pd.DataFrame,
    effects: pd.DataFrame,
    summary: Mapping,
    language: str,
    rob_tool: str = "none",
    vocabulary: Vocabulary | None = None,
    results: pd.DataFrame | None = None,
    *,
    aggregate: bool = False,
) -> Figure:
    """One synthesis figure by name, from the validated studies, the results frame
    (results/data/results.csv), the effects table (results/tables/effects.csv) and the
    synthesis summary (results/stats/synthesis.json). ``aggregate`` (a large review,
    reviewkit.large_review): the forest plot without a row per study, the albatross
    plot's points drawn by group, and the risk-of-bias traffic light as the summary."""
    from reviewkit.results import results_frame
    from reviewkit.rob import TOOLS

    vocabulary = vocabulary or Vocabulary()
    if name == "forest":
        rows = effects[effects["vi"].notna()]
        if "synthesised" in rows:
            rows = rows[rows["synthesised"].astype(bool)]
        order = {code: rank for rank, code in enumerate(summary["outcome_order"])}
        rows = rows.assign(_rank=rows["outcome"].astype(str).map(order))
        rows = rows.sort_values("_rank", kind="stable").drop(columns="_rank")
        several = rows["outcome"].nunique() > 1
        pooled = {code: entry["groups"] for code, entry in summary["outcomes"].items()}
        sensitivity = {
            code: entry["sensitivity"].get("untested_p_included", {}).get("groups", {})
            for code, entry in summary["outcomes"].items()
        }
        if not several:
            only = str(rows["outcome"].iloc[0]) if len(rows) else summary["primary_outcome"]
            pooled, sensitivity = pooled.get(only, {}), sensitivity.get(only, {})
        level = summary["settings"]["confidence_level"]
        return plot_forest(
            rows,
            pooled,
            language,
            level=level,
            sensitivity=sensitivity,
            outcome_labels=outcome_names(summary, language),
            aggregate=aggregate,
        )
    if name == "albatross":
        if results is None:
            results = results_frame(studies, vocabulary=vocabulary)
        p_studies = albatross_studies(results, effects, summary, language, vocabulary)
        return plot_albatross(
            p_studies,
            language,
            vocabulary=vocabulary,
            outcome_labels=outcome_names(summary, language),
            per_study=not aggregate,
        )
    if name == "funnel":
        return plot_funnel(
            funnel_panels(summary, language),
            language,
            level=summary["settings"]["confidence_level"],
            min_studies=summary["funnel_plot"]["min_studies"],
        )
    if name in ("rob_traffic_light", "rob_summary"):
        if rob_tool == "none":
            raise ValueError("risk-of-bias figures need risk_of_bias.tool in config.yaml")
        tool = TOOLS[rob_tool]
        rob = studies[["id", *tool.columns()]].copy()
        rob.insert(
            1,
            "label",
            study_labels(studies, language),
        )
        rob = rob.rename(columns={"rob_overall": "overall"})
        domains = {k: v for k, v in tool.domain_labels(language).items() if k != "rob_overall"}
        per_study = name == "rob_traffic_light" and not aggregate
        plot = plot_rob_traffic_light if per_study else plot_rob_summary
        return plot(rob, domains, tool.name, language)
    raise ValueError(
        f"unknown synthesis figure {name!r}; expected one of {', '.join(SYNTHESIS_FIGURES)}"
    )
