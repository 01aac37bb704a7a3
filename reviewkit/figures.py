"""Figures of the included studies, in Indonesian ("id") or English ("en").

Every plot function takes data frames and a language and returns a
matplotlib Figure; nothing here reads Snakemake objects or writes files
except `save_figure`. The figures are descriptive: they show what the
studies report, they do not pool anything.

    fig = make_figure("studies_by_year", studies, "id")
    save_figure(fig, "results/figures/studies_by_year.png", "results/figures/studies_by_year.pdf")

Study labels are the column "label" when present (the study as the reference
list identifies it: "Dewi dkk. (2020)", "Dewi et al. (11)"; reviewkit.citations),
else "Authors (year)", e.g. "Enggar & Rizkyanti (2024)" ("(n.d.)" without a
year); either is drawn as literal text. Text is set in the manuscript's
typeface (``style_context(family)``, reviewkit.typeface). Designs have the same
colour in every figure (Okabe-Ito, colour-blind safe) and appear in the order
of the review's design vocabulary (`reviewkit.vocabulary`; by default
`reviewkit.designs`). Figures that show results take the long results frame
(`reviewkit.results`) and show each outcome separately: a column per outcome in
the effect-direction plot, the outcome beside the study in the before/after plot.
"""

from __future__ import annotations

import contextlib
import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

from reviewkit.i18n import message, section
from reviewkit.numfmt import format_number
from reviewkit.study_characteristics import study_label as table_study_label
from reviewkit.summary import before_after_ratios
from reviewkit.vocabulary import IMPLICIT_OUTCOME, Vocabulary

# Okabe-Ito palette (yellow left out: too pale on white), one colour per design in
# vocabulary order; a vocabulary of more designs reuses them with a darker edge.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999")


def design_colours(vocabulary: Vocabulary | None = None) -> dict[str, str]:
    """Design code -> colour, in the vocabulary's order."""
    codes = (vocabulary or Vocabulary()).design_codes
    return {code: PALETTE[index % len(PALETTE)] for index, code in enumerate(codes)}


DESIGN_COLOURS: dict[str, str] = design_colours()

VALUES_GROUP_ORDER = ("intervention", "single_group", "not_stated")
VALUES_GROUP_STYLE = {  # marker, colour
    "intervention": ("o", "#0072B2"),
    "single_group": ("s", "#D55E00"),
    "not_stated": ("^", "#555555"),
}

# Direction against the comparator; "within_*" = a controlled study that reports only
# the change within its intervention group (open symbols: not a comparison with control).
DIRECTION_ORDER = (
    "increase",
    "no_change",
    "decrease",
    "unclear",
    "within_increase",
    "within_decrease",
)
DIRECTION_MARKERS = {
    "increase": "^",
    "no_change": "D",
    "decrease": "v",
    "unclear": "o",
    "within_increase": "^",
    "within_decrease": "v",
}
OPEN_DIRECTIONS = ("unclear", "within_increase", "within_decrease")

BAND_ALPHA = 0.28
WIDTH_IN = 16 / 2.54  # an A4 text column
STYLE: dict[str, object] = {
    "font.family": "serif",
    "font.serif": ["DejaVu Serif"],
    "mathtext.fontset": "dejavuserif",
    "font.size": 9,
    "axes.labelsize": 9,
    "axes.titlesize": 10,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "legend.fontsize": 8.5,
    "legend.title_fontsize": 9,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.linewidth": 0.6,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "figure.dpi": 100,
    "savefig.dpi": 300,
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.fonttype": "path",
    "svg.hashsalt": "reviewkit",
}


def style_context(family: str | None = None):
    """rcParams context every figure is built and saved in (no global side effects).

    ``family``: the serif family of the text (registered with matplotlib by
    reviewkit.typeface.use_in_matplotlib); a nested context without one keeps
    the family of the one around it. Formulas use STIX (Times-like) with a
    Times-like family, DejaVu's own otherwise.
    """
    from matplotlib import rcParams

    serif = [family] if family else list(rcParams["font.serif"])
    if "DejaVu Serif" not in serif:
        serif.append("DejaVu Serif")
    mathtext = "dejavuserif" if serif[0] == "DejaVu Serif" else "stix"
    return rc_context({**STYLE, "font.serif": serif, "mathtext.fontset": mathtext})


def labels_for(language: str) -> dict[str, str]:
    """The figure words of one language (catalogue section "figures")."""
    return section(language, "figures")


def plain_text(value: object) -> str:
    """Text from the data, drawn as it is: matplotlib reads text between two "$"
    as mathtext ("$x^2$" typeset, "$\\foo{$" a crash); an escaped "\\$" is a
    plain dollar sign, so no data text is ever maths. The tool's own labels
    ("$g_z$") keep their mathtext."""
    return str(value).replace("$", r"\$")


def study_label(authors: object, year: object, language: str = "en") -> str:
    """Authors and year as an axis label: "Enggar & Rizkyanti (2024)" (literal text)."""
    return plain_text(table_study_label(authors, year, language))


def row_label(label: object, authors: object, year: object, language: str = "en") -> str:
    """A study's label, drawn as literal text: ``label`` when the caller set one (the
    study as the manuscript's citation style identifies it, reviewkit.citations),
    else "Authors (year)" from the study table."""
    if isinstance(label, str) and label:
        return plain_text(label)
    return study_label(authors, year, language)


def study_labels(rows: pd.DataFrame, language: str = "en") -> list[str]:
    """:func:`row_label` of every row (column "label" when there is one)."""
    labels = rows["label"] if "label" in rows.columns else [None] * len(rows)
    return [
        row_label(label, authors, year, language)
        for label, authors, year in zip(labels, rows["authors"], rows["year"], strict=True)
    ]


def design_label(code: str, language: str, vocabulary: Vocabulary | None = None) -> str:
    return (vocabulary or Vocabulary()).design_label(code, language)


def designs_present(codes: pd.Series, vocabulary: Vocabulary | None = None) -> list[str]:
    present = set(codes)
    return [code for code in (vocabulary or Vocabulary()).design_codes if code in present]


def _new_figure(height_in: float) -> Figure:
    return Figure(figsize=(WIDTH_IN, height_in), layout="constrained")


def _design_handles(
    codes: list[str], language: str, alpha: float = 1.0, vocabulary: Vocabulary | None = None
) -> list[Patch]:
    colours = design_colours(vocabulary)
    return [
        Patch(facecolor=colours[code], alpha=alpha, label=design_label(code, language, vocabulary))
        for code in codes
    ]


def _sorted_by_year(frame: pd.DataFrame) -> pd.DataFrame:
    """By year (studies without one last), then authors and id."""
    keys = [column for column in ("year", "authors", "id") if column in frame.columns]
    return frame.sort_values(keys, kind="stable", na_position="last").reset_index(drop=True)


def _rows_height(n_rows: int, extra_in: float) -> float:
    return max(2.2, extra_in + 0.24 * n_rows)


def studies_per_year_and_design(
    studies: pd.DataFrame, vocabulary: Vocabulary | None = None
) -> pd.DataFrame:
    """Counts: one row per known year from min to max (zeros kept), one column per design
    present. Studies without a year are not in it (`studies_without_year`)."""
    known = studies[studies["year"].notna()]
    years = known["year"].astype(int)
    codes = designs_present(studies["design"], vocabulary)
    counts = pd.crosstab(years, known["design"].astype(str))
    all_years = range(int(years.min()), int(years.max()) + 1) if len(known) else []
    return counts.reindex(index=all_years, columns=codes, fill_value=0).astype(int)


def studies_without_year(studies: pd.DataFrame, vocabulary: Vocabulary | None = None) -> pd.Series:
    """Studies without a publication year, per design present."""
    codes = designs_present(studies["design"], vocabulary)
    missing = studies.loc[studies["year"].isna(), "design"].astype(str)
    return missing.value_counts().reindex(codes, fill_value=0).astype(int)


#: At most this many year labels under the bars (a label a year overlaps beyond it).
MAX_YEAR_LABELS = 12


def year_ticks(years: list[int]) -> list[int]:
    """The years labelled under the bars: every year of the data up to
    :data:`MAX_YEAR_LABELS`; for a longer span every 2nd, 5th, 10th... year (the
    multiples of the step within the span), so labels never overlap (BCG: 1948-1980)."""
    if len(years) <= MAX_YEAR_LABELS:
        return list(years)
    first, last = min(years), max(years)
    step = next(s for s in (2, 5, 10, 20, 50, 100) if (last - first) / s < MAX_YEAR_LABELS)
    return list(range(-(-first // step) * step, last + 1, step))


def plot_studies_by_year(
    studies: pd.DataFrame, language: str, vocabulary: Vocabulary | None = None
) -> Figure:
    """Included studies per publication year, stacked by design; studies that did not
    report their year get a bar of their own, set apart at the right."""
    labels = labels_for(language)
    counts = studies_per_year_and_design(studies, vocabulary)
    missing = studies_without_year(studies, vocabulary)
    colours = design_colours(vocabulary)
    positions = list(counts.index)
    shown = year_ticks(positions)  # the years labelled, then the bar of no year
    if missing.sum():
        gap = positions[-1] + 2 if positions else 0
        counts = pd.concat([counts, missing.to_frame(gap).T]).fillna(0).astype(int)
        positions.append(gap)
        shown.append(gap)
    codes = list(counts.columns)
    with style_context():
        fig = _new_figure(3.2)
        ax = fig.add_subplot()
        bottom = np.zeros(len(counts))
        for code in codes:
            heights = counts[code].to_numpy()
            ax.bar(
                positions,
                heights,
                bottom=bottom,
                width=0.7,
                color=colours[code],
                edgecolor="white",
                linewidth=0.5,
                label=design_label(code, language, vocabulary),
                gid=f"design:{code}",
            )
            bottom += heights
        names = [str(year) for year in shown]
        if missing.sum():
            names[-1] = message(language, "data.year_not_reported")
        ax.set_xticks(shown, names)
        ax.set_xlabel(labels["year"])
        ax.set_ylabel(labels["n_studies"])
        ax.yaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
        ax.set_ylim(0, max(1, bottom.max() if len(bottom) else 1) * 1.08)
        ax.grid(axis="y", linewidth=0.4, alpha=0.5)
        ax.set_axisbelow(True)
        fig.legend(
            handles=_design_handles(codes, language, vocabulary=vocabulary),
            title=labels["design"],
            loc="outside lower center",
            ncols=2,
        )
    return fig


def plot_sample_sizes(
    studies: pd.DataFrame, language: str, vocabulary: Vocabulary | None = None
) -> Figure:
    """Total sample size per study (horizontal bars), ordered by year then authors."""
    labels = labels_for(language)
    rows = _sorted_by_year(studies)
    sizes = rows["n_total"].astype(int).to_numpy()
    codes = rows["design"].astype(str).tolist()
    colours = design_colours(vocabulary)
    with style_context():
        fig = _new_figure(_rows_height(len(rows), 1.9))
        ax = fig.add_subplot()
        bars = ax.barh(
            np.arange(len(rows)), sizes, height=0.7, color=[colours[code] for code in codes]
        )
        ax.bar_label(bars, labels=[str(int(size)) for size in sizes], padding=2, fontsize=8)
        ax.set_yticks(np.arange(len(rows)), study_labels(rows, language))
        ax.invert_yaxis()  # earliest study at the top
        ax.set_xlabel(labels["participants"])
        ax.set_xlim(0, max(1, sizes.max() if len(sizes) else 1) * 1.12)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
        ax.tick_params(axis="y", length=0)
        fig.legend(
            handles=_design_handles(
                designs_present(rows["design"], vocabulary), language, vocabulary=vocabulary
            ),
            title=labels["design"],
            loc="outside lower center",
            ncols=2,
        )
    return fig


def ratio_labels(rows: pd.DataFrame, language: str, vocabulary: Vocabulary | None) -> list[str]:
    """Study labels, with the outcome's name when the rows span several outcomes."""
    names = study_labels(rows, language)
    outcomes = rows["outcome"] if "outcome" in rows else pd.Series(dtype=object)
    if outcomes.dropna().nunique() < 2 or vocabulary is None:
        return names
    return [
        f"{name}: {vocabulary.outcome(str(code)).label(language) or code}"
        for name, code in zip(names, outcomes, strict=True)
    ]


def plot_before_after_ratios(
    ratios: pd.DataFrame, language: str, vocabulary: Vocabulary | None = None
) -> Figure:
    """After/before ratio per result on a log axis; `ratios` = summary.before_after_ratios().

    With several outcomes each row names its outcome; rows are grouped by outcome."""
    labels = labels_for(language)
    rows = _sorted_by_year(ratios)
    if "outcome" in rows and rows["outcome"].dropna().nunique() > 1 and vocabulary is not None:
        rank = {code: index for index, code in enumerate(vocabulary.outcome_codes)}
        rows = rows.assign(_rank=rows["outcome"].map(rank))
        rows = rows.sort_values("_rank", kind="stable").drop(columns="_rank")
        rows = rows.reset_index(drop=True)
    with style_context():
        fig = _new_figure(_rows_height(len(rows), 1.9))
        ax = fig.add_subplot()
        ax.set_xscale("log")
        ax.set_xlabel(labels["ratio"])
        reference = ax.axvline(
            1.0,
            color="#333333",
            linestyle="--",
            linewidth=0.8,
            label=labels["reference"],
            gid="reference",
        )
        if rows.empty:
            ax.set_xlim(0.5, 2.0)
            ax.set_yticks([])
            ax.text(
                0.5,
                0.5,
                labels["no_ratios"],
                transform=ax.transAxes,
                ha="center",
                va="center",
                wrap=True,
                gid="note",
                zorder=3,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 4},
            )
            _log_ticks(ax, language)
            return fig
        y = np.arange(len(rows))
        values = rows["ratio"].astype(float).to_numpy()
        groups = (
            rows["values_group"].astype(object).where(rows["values_group"].notna(), "not_stated")
        )
        handles = []
        for group in VALUES_GROUP_ORDER:
            chosen = (groups == group).to_numpy()
            if not chosen.any():
                continue
            marker, colour = VALUES_GROUP_STYLE[group]
            handles.append(
                ax.scatter(
                    values[chosen],
                    y[chosen],
                    marker=marker,
                    s=36,
                    color=colour,
                    zorder=3,
                    label=labels[group],
                    gid=f"values_group:{group}",
                )
            )
        for value, row in zip(values, y, strict=True):
            ax.annotate(
                format_number(value, language, 2),
                (value, row),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                ha="left",
                fontsize=8,
            )
        ax.set_yticks(y, ratio_labels(rows, language, vocabulary))
        ax.set_ylim(len(rows) - 0.4, -0.6)  # earliest study at the top
        ax.tick_params(axis="y", length=0)
        low, high = min(values.min(), 1.0), max(values.max(), 1.0)
        ax.set_xlim(low / 1.4, high * 1.6)  # room for the annotations
        ax.grid(axis="x", which="major", linewidth=0.4, alpha=0.5)
        ax.set_axisbelow(True)
        _log_ticks(ax, language)
        fig.legend(
            handles=[*handles, reference],
            title=labels["values_group"],
            loc="outside lower center",
            ncols=2,
        )
    return fig


def _log_ticks(ax, language: str) -> None:
    """Ticks at 1, 2, 5 x 10^k, written as plain numbers in the locale's format."""
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: format_number(value, language)))
    ax.xaxis.set_minor_formatter(NullFormatter())


def plot_before_after(
    studies: pd.DataFrame,
    language: str,
    vocabulary: Vocabulary | None = None,
    results: pd.DataFrame | None = None,
) -> Figure:
    """`plot_before_after_ratios` from the results (default: the study table's own)."""
    source = studies if results is None else results
    return plot_before_after_ratios(before_after_ratios(source, vocabulary), language, vocabulary)


def marker_areas(sizes: np.ndarray, largest: float) -> np.ndarray:
    """Marker area (pt²) proportional to n; the largest study gets 220 pt², minimum 20."""
    return np.maximum(20.0, 220.0 * np.asarray(sizes, dtype=float) / max(float(largest), 1.0))


def effect_direction_rows(
    studies: pd.DataFrame, vocabulary: Vocabulary | None = None
) -> pd.DataFrame:
    """Rows of the effect-direction plot: one per study, by design, year, authors."""
    rank = {code: index for index, code in enumerate((vocabulary or Vocabulary()).design_codes)}
    rows = studies.assign(_rank=studies["design"].map(rank).astype(int))
    rows = rows.sort_values(["_rank", "year", "authors", "id"], kind="stable", na_position="last")
    return rows.drop(columns="_rank").reset_index(drop=True)


def cell_direction(direction: object, within: object) -> str:
    """What a cell shows: the direction against the comparator; a controlled study's
    within-group change only when that is all it reports; else unclear."""
    if not pd.isna(direction) and str(direction) in DIRECTION_ORDER[:4]:
        return str(direction)
    if not pd.isna(within) and str(within) in ("increase", "decrease"):
        return f"within_{within}"
    return "unclear"


def direction_cells(
    studies: pd.DataFrame, results: pd.DataFrame | None, vocabulary: Vocabulary | None
) -> tuple[list[str], pd.DataFrame]:
    """(outcome codes shown as columns, cells: id, outcome, direction)."""
    source = results if results is not None else studies.assign(outcome=IMPLICIT_OUTCOME)
    if "synthesised" in source:
        source = source[source["synthesised"].astype(bool)]
    order = (vocabulary or Vocabulary()).outcome_codes
    outcomes = [code for code in order if code in set(source["outcome"].astype(str))]
    within = (
        source["direction_within"]
        if "direction_within" in source
        else pd.Series(pd.NA, index=source.index)
    )
    cells = pd.DataFrame(
        {
            "id": source["id"].astype(str),
            "outcome": source["outcome"].astype(str),
            "direction": [
                cell_direction(d, w)
                for d, w in zip(source["effect_direction"], within, strict=True)
            ],
        }
    )
    return outcomes or [IMPLICIT_OUTCOME], cells


def _direction_column_label(
    code: str, outcomes: list[str], labels: dict, language: str, vocabulary: Vocabulary | None
) -> str:
    if len(outcomes) < 2 or vocabulary is None:
        return labels["direction"]
    name = vocabulary.outcome(code).label(language) or code
    return "\n".join(textwrap.wrap(name, 14))


def plot_effect_direction(
    studies: pd.DataFrame,
    language: str,
    vocabulary: Vocabulary | None = None,
    results: pd.DataFrame | None = None,
) -> Figure:
    """Effect-direction plot (Thomson & Thomas 2013): one row per study, a column per
    outcome, a symbol per direction against the comparator.

    ▲ increase, ▼ decrease, ◆ no change, open circle unclear or not reported; open
    triangles: a controlled study that reports only the change within its
    intervention group. Symbol area proportional to n_total (grey squares in the
    legend give the scale); rows shaded by design; n written in its own column.
    """
    labels = labels_for(language)
    rows = effect_direction_rows(studies, vocabulary)
    outcomes, cells = direction_cells(studies, results, vocabulary)
    row_of = {study: index for index, study in enumerate(rows["id"].astype(str))}
    column_of = {code: index + 1 for index, code in enumerate(outcomes)}
    cells = cells[cells["id"].isin(row_of) & cells["outcome"].isin(column_of)]
    sizes = rows["n_total"].astype(int).to_numpy()
    largest = sizes.max() if len(sizes) else 1
    y = np.arange(len(rows))
    colours = design_colours(vocabulary)
    words = {**labels}
    words["within_increase"] = message(language, "data.within_increase")
    words["within_decrease"] = message(language, "data.within_decrease")
    with style_context():
        fig = _new_figure(_rows_height(len(rows), 1.9))
        ax = fig.add_subplot()
        codes = rows["design"].astype(str).to_numpy()
        start = 0
        for end in range(1, len(rows) + 1):  # one shaded band per run of a design
            if end == len(rows) or codes[end] != codes[start]:
                ax.axhspan(
                    start - 0.5,
                    end - 0.5,
                    color=colours[codes[start]],
                    alpha=BAND_ALPHA,
                    linewidth=0,
                    gid=f"band:{codes[start]}",
                )
                if start:
                    ax.axhline(start - 0.5, color="white", linewidth=1.5)
                start = end
        for row, size in zip(y, sizes, strict=True):
            ax.text(0, row, str(int(size)), ha="center", va="center", fontsize=8.5)
        cell_rows = cells["id"].map(row_of).to_numpy(dtype=int)
        cell_columns = cells["outcome"].map(column_of).to_numpy(dtype=float)
        for direction in DIRECTION_ORDER:
            chosen = (cells["direction"] == direction).to_numpy()
            if not chosen.any():
                continue
            ax.scatter(
                cell_columns[chosen],
                cell_rows[chosen],
                s=marker_areas(sizes[cell_rows[chosen]], largest),
                marker=DIRECTION_MARKERS[direction],
                facecolors="none" if direction in OPEN_DIRECTIONS else "black",
                edgecolors="black",
                linewidths=1.0,
                zorder=3,
                label=words[direction],
                gid=f"direction:{direction}",
            )
        ax.set_xlim(-0.6, len(outcomes) + 0.6)
        ax.set_ylim(max(len(rows), 1) - 0.5, -0.5)  # one empty row when there is no study
        ax.set_xticks(
            range(len(outcomes) + 1),
            [
                labels["n"],
                *(
                    _direction_column_label(code, outcomes, labels, language, vocabulary)
                    for code in outcomes
                ),
            ],
        )
        ax.xaxis.tick_top()
        ax.set_yticks(y, study_labels(rows, language))
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)

        symbols = [
            Line2D(
                [],
                [],
                linestyle="none",
                marker=DIRECTION_MARKERS[d],
                markersize=7,
                markerfacecolor="none" if d in OPEN_DIRECTIONS else "black",
                markeredgecolor="black",
                label="\n".join(textwrap.wrap(words[d], 34)),
            )
            for d in DIRECTION_ORDER
            if (cells["direction"] == d).any()
        ]
        examples = (
            sorted({int(sizes.min()), int(np.median(sizes)), int(sizes.max())})
            if len(sizes)
            else []
        )
        size_keys = [
            Line2D(
                [],
                [],
                linestyle="none",
                marker="s",
                markerfacecolor="#9a9a9a",
                markeredgecolor="#9a9a9a",
                markersize=float(np.sqrt(marker_areas(np.array([n]), largest)[0])),
                label=f"n = {n}",
            )
            for n in examples
        ]
        fig.legend(
            handles=symbols + size_keys,
            title=labels["direction"],
            loc="outside right upper",
            alignment="left",
            labelspacing=0.9,
        )
        fig.legend(
            handles=_design_handles(
                designs_present(rows["design"], vocabulary),
                language,
                alpha=BAND_ALPHA + 0.1,
                vocabulary=vocabulary,
            ),
            title=labels["design"],
            loc="outside lower center",
            ncols=2,
        )
    return fig


# --- a large review: one row per design, not per study (reviewkit.large_review) -----------

#: Colours of the directions in the aggregated effect-direction figure (Okabe-Ito).
DIRECTION_COLOURS = {
    "increase": "#0072B2",
    "no_change": "#999999",
    "decrease": "#D55E00",
    "unclear": "#E8E8E8",
    "within_increase": "#56B4E9",
    "within_decrease": "#E69F00",
}


def _aggregate_words(language: str) -> dict[str, str]:
    return section(language, "large_review")["figures"]


def _k_label(name: str, k: int, language: str) -> str:
    return f"{name} (k = {format_number(k, language)})"


def _boxes(ax, values: list[np.ndarray], colours: list[str], gids: list[str]) -> None:
    """Horizontal box plots, one per row (row 0 at the top), on the axes' scale."""
    boxes = ax.boxplot(
        values,
        positions=np.arange(len(values)),
        orientation="horizontal",
        widths=0.6,
        patch_artist=True,
        manage_ticks=False,
        medianprops={"color": "black", "linewidth": 1.2},
        flierprops={"marker": ".", "markersize": 2.5, "alpha": 0.6, "markeredgecolor": "none"},
    )
    for patch, colour, gid in zip(boxes["boxes"], colours, gids, strict=True):
        patch.set_facecolor(colour)
        patch.set_alpha(0.85)
        patch.set_gid(gid)
    for flier, colour in zip(boxes["fliers"], colours, strict=True):
        flier.set_markerfacecolor(colour)
    ax.set_ylim(len(values) - 0.4, -0.6)


def plot_sample_sizes_aggregated(
    studies: pd.DataFrame, language: str, vocabulary: Vocabulary | None = None
) -> Figure:
    """Participants per study as a box plot per design (log scale), with k per design:
    the figure of a large review, whatever its number of studies."""
    words = _aggregate_words(language)
    codes = designs_present(studies["design"], vocabulary)
    colours = design_colours(vocabulary)
    values = [
        studies.loc[studies["design"].astype(str) == code, "n_total"].astype(float).to_numpy()
        for code in codes
    ]
    with style_context():
        fig = _new_figure(max(2.4, 1.3 + 0.42 * len(codes)))
        ax = fig.add_subplot()
        if codes:
            _boxes(ax, values, [colours[c] for c in codes], [f"design:{c}" for c in codes])
            ax.set_xscale("log")
            _log_ticks(ax, language)
        ax.set_yticks(
            np.arange(len(codes)),
            [
                _k_label(design_label(c, language, vocabulary), len(v), language)
                for c, v in zip(codes, values, strict=True)
            ],
        )
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel(words["participants_log"])
        ax.grid(axis="x", which="major", linewidth=0.4, alpha=0.5)
        ax.set_axisbelow(True)
    return fig


def plot_effect_direction_aggregated(
    studies: pd.DataFrame,
    language: str,
    vocabulary: Vocabulary | None = None,
    results: pd.DataFrame | None = None,
) -> Figure:
    """Number of studies per direction of effect, one bar per design (and outcome, when
    there are several), stacked by direction: the effect-direction plot of a large
    review (the direction of each study is in the supplementary data)."""
    labels = labels_for(language)
    words = {**labels}
    words["within_increase"] = message(language, "data.within_increase")
    words["within_decrease"] = message(language, "data.within_decrease")
    outcomes, cells = direction_cells(studies, results, vocabulary)
    design_of = dict(zip(studies["id"].astype(str), studies["design"].astype(str), strict=True))
    cells = cells.assign(design=cells["id"].map(design_of))
    codes = designs_present(studies["design"], vocabulary)
    several = len(outcomes) > 1
    bars, names = [], []
    for outcome in outcomes:
        for code in codes:
            chosen = cells[(cells["outcome"] == outcome) & (cells["design"] == code)]
            if not len(chosen):
                continue
            bars.append(chosen["direction"].value_counts())
            name = design_label(code, language, vocabulary)
            if several and vocabulary is not None:
                name = f"{vocabulary.outcome(outcome).label(language) or outcome}: {name}"
            names.append(_k_label(name, len(chosen), language))
    shown = [d for d in DIRECTION_ORDER if any(d in counts.index for counts in bars)]
    with style_context():
        fig = _new_figure(max(2.6, 1.6 + 0.34 * len(bars)))
        ax = fig.add_subplot()
        left = np.zeros(len(bars))
        for direction in shown:
            widths = np.array([float(counts.get(direction, 0)) for counts in bars])
            ax.barh(
                np.arange(len(bars)),
                widths,
                left=left,
                height=0.7,
                color=DIRECTION_COLOURS[direction],
                edgecolor="#555555",
                linewidth=0.4,
                label="\n".join(textwrap.wrap(words[direction], 40)),
                gid=f"direction:{direction}",
            )
            left += widths
        ax.set_yticks(np.arange(len(bars)), names)
        ax.set_ylim(len(bars) - 0.4, -0.6)
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel(labels["n_studies"])
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
        ax.grid(axis="x", linewidth=0.4, alpha=0.5)
        ax.set_axisbelow(True)
        fig.legend(title=labels["direction"], loc="outside lower center", ncols=2)
    return fig


def plot_before_after_aggregated(
    studies: pd.DataFrame,
    language: str,
    vocabulary: Vocabulary | None = None,
    results: pd.DataFrame | None = None,
) -> Figure:
    """After/before ratios as a box plot per group that reported the values (and per
    outcome, when there are several), on a log scale: the figure of a large review."""
    source = studies if results is None else results
    ratios = before_after_ratios(source, vocabulary)
    if ratios.empty:
        return plot_before_after_ratios(ratios, language, vocabulary)
    labels = labels_for(language)
    groups = (
        ratios["values_group"].astype(object).where(ratios["values_group"].notna(), "not_stated")
    )
    outcomes = ratios["outcome"].astype(object).where(ratios["outcome"].notna(), IMPLICIT_OUTCOME)
    several = outcomes.nunique() > 1 and vocabulary is not None
    order = vocabulary.outcome_codes if several else [IMPLICIT_OUTCOME]
    values, names, colours, gids = [], [], [], []
    for outcome in [o for o in order if (outcomes == o).any()] if several else [None]:
        for group in VALUES_GROUP_ORDER:
            chosen = (groups == group) & ((outcomes == outcome) if outcome else True)
            if not chosen.any():
                continue
            values.append(ratios.loc[chosen, "ratio"].astype(float).to_numpy())
            name = labels[group]
            if outcome:
                name = f"{vocabulary.outcome(outcome).label(language) or outcome}: {name}"
            names.append(_k_label(name, int(chosen.sum()), language))
            colours.append(VALUES_GROUP_STYLE[group][1])
            gids.append(f"values_group:{group}")
    with style_context():
        fig = _new_figure(max(2.4, 1.4 + 0.42 * len(values)))
        ax = fig.add_subplot()
        ax.axvline(1.0, color="#333333", linestyle="--", linewidth=0.8, gid="reference")
        _boxes(ax, values, colours, gids)
        ax.set_xscale("log")
        _log_ticks(ax, language)
        ax.set_yticks(np.arange(len(values)), names)
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel(labels["ratio"])
        ax.grid(axis="x", which="major", linewidth=0.4, alpha=0.5)
        ax.set_axisbelow(True)
    return fig


#: The figures of a large review: one row per design or group, not per study.
AGGREGATED: dict[str, Callable[..., Figure]] = {
    "sample_sizes": plot_sample_sizes_aggregated,
    "effect_direction": plot_effect_direction_aggregated,
    "before_after": plot_before_after_aggregated,
}


FIGURES: dict[str, Callable[..., Figure]] = {
    "studies_by_year": plot_studies_by_year,
    "sample_sizes": plot_sample_sizes,
    "before_after": plot_before_after,
    "effect_direction": plot_effect_direction,
}


RESULT_FIGURES = ("before_after", "effect_direction")  # take the long results frame


def make_figure(
    name: str,
    studies: pd.DataFrame,
    language: str,
    vocabulary: Vocabulary | None = None,
    results: pd.DataFrame | None = None,
    *,
    aggregate: bool = False,
) -> Figure:
    """The figure `name` (a key of FIGURES) for the validated study table (and, for
    figures of results, the results frame; default the study table's own results).
    ``aggregate``: a large review's version (AGGREGATED), where there is one."""
    if name not in FIGURES:
        raise ValueError(f"unknown figure {name!r}; known: {', '.join(FIGURES)}")
    plot = AGGREGATED[name] if aggregate and name in AGGREGATED else FIGURES[name]
    if name in RESULT_FIGURES:
        return plot(studies, language, vocabulary, results)
    return plot(studies, language, vocabulary)


PDF_METADATA = {"CreationDate": None, "ModDate": None, "Producer": None}
#: The largest raster a figure may be, in pixels (width x height): 25 megapixels.
#: Beyond it Pillow warns of a decompression bomb, Word slows down and journals'
#: upload systems refuse files; a figure that tall has too many rows to read
#: (reviewkit.figure_set then draws the aggregated figure instead).
MAX_PIXELS = 25_000_000


def raster_size(fig: Figure, dpi: float) -> tuple[int, int]:
    """Width and height in pixels of ``fig`` saved at ``dpi`` (as matplotlib's Agg
    renderer sizes it)."""
    width, height = fig.get_size_inches()
    return int(width * dpi), int(height * dpi)


def too_many_pixels(fig: Figure, dpi: float) -> bool:
    width, height = raster_size(fig, dpi)
    return width * height > MAX_PIXELS


def save_figure(
    fig: Figure,
    png_path: str | os.PathLike | None,
    pdf_path: str | os.PathLike | None,
    dpi: int = 300,
    family: str | None = None,
) -> None:
    """Write a PNG (dpi) and/or a vector PDF with reproducible bytes, then close the figure.

    The PNG is RGB without an alpha channel (the figures are drawn on opaque
    white), as journals ask for it, so the submission step can copy it as it
    is when the journal wants PNG at this resolution. The layout (matplotlib's
    constrained layout) is computed once, with Agg at ``dpi`` as for the PNG, and
    the PDF keeps it: both files show the same arrangement, whether they are
    written together or in two runs (the vector PDF is drawn only for a journal
    profile that needs it; rules/figures.smk), and the layout, a third of the cost
    of saving, is not repeated. ``None`` for a path: that file is not written.

    Each file is written to a temporary file in its own folder and renamed into
    place only when all are complete, so a failed run leaves no half-written file.
    A figure above :data:`MAX_PIXELS` at ``dpi`` raises ValueError.
    """
    if too_many_pixels(fig, dpi):
        width, height = raster_size(fig, dpi)
        _close(fig)
        name = Path(png_path if png_path is not None else pdf_path).with_suffix(".png").name
        raise ValueError(
            f"{name}: {width} x {height} pixels at {dpi} dpi is more than "
            f"{MAX_PIXELS / 1e6:.0f} megapixels"
        )
    targets = {
        kind: Path(path)
        for kind, path in (("png", png_path), ("pdf", pdf_path))
        if path is not None
    }
    temporary: dict[str, Path] = {}
    try:
        with style_context(family):
            for kind, path in targets.items():
                path.parent.mkdir(parents=True, exist_ok=True)
                # same folder (so the rename is atomic); ordinary permissions, unlike mkstemp
                temporary[kind] = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            if "png" in temporary:
                _save_png(fig, temporary["png"], dpi)
            else:
                fig.set_dpi(dpi)  # the layout the PNG would get, without rendering it
                fig.draw_without_rendering()
            if "pdf" in temporary:
                layout = fig.get_layout_engine()
                fig.set_layout_engine("none")  # keep the PNG's layout
                try:
                    fig.savefig(temporary["pdf"], format="pdf", dpi=dpi, metadata=PDF_METADATA)
                finally:
                    fig.set_layout_engine(layout)
        for kind, name in temporary.items():
            os.replace(name, targets[kind])
        temporary.clear()
    finally:
        for name in temporary.values():
            with contextlib.suppress(FileNotFoundError):
                name.unlink()
        _close(fig)


def _save_png(fig: Figure, path: Path, dpi: int) -> None:
    """The figure rendered by Agg at ``dpi``, written as an RGB PNG with its
    resolution and no other metadata (Pillow writes no date or software name)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="rgba", dpi=dpi)
    width, height = raster_size(fig, dpi)
    data = buffer.getvalue()
    if width * height * 4 != len(data):  # Agg's size differs from ours: ask Agg
        height = len(data) // (4 * width)
    image = Image.frombuffer("RGBA", (width, height), data, "raw", "RGBA", 0, 1)
    # zlib level 3: files within 5 % of the default level 6, a quarter faster to write
    image.convert("RGB").save(path, format="PNG", dpi=(dpi, dpi), compress_level=3)


def _close(fig: Figure) -> None:
    """Release a figure made with pyplot; a figure made here (``Figure()``) is not
    registered there, and importing pyplot for it would cost 0.1 s."""
    if getattr(fig.canvas, "manager", None) is None:
        return
    from matplotlib import pyplot

    pyplot.close(fig)
