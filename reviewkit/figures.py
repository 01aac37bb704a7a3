"""Figures of the included studies, in Indonesian ("id") or English ("en").

Every plot function takes data frames and a language and returns a
matplotlib Figure; nothing here reads Snakemake objects or writes files
except `save_figure`. The figures are descriptive: they show what the
studies report, they do not pool anything.

    fig = make_figure("studies_by_year", studies, "id")
    save_figure(fig, "results/figures/studies_by_year.png", "results/figures/studies_by_year.pdf")

Study labels are the column "label" when present (the study as the reference
list identifies it: "Dewi dkk. (2020)", "Dewi et al. (11)"; reviewkit.citations),
else "Authors (year)", e.g. "Enggar & Rizkyanti (2024)". Text is set in the
manuscript's typeface (``style_context(family)``, reviewkit.typeface). Designs
have the same colour in every figure (Okabe-Ito, colour-blind safe) and
appear in the order of `reviewkit.designs.DESIGN_ORDER`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

from reviewkit.designs import DESIGN_BY_CODE, DESIGN_ORDER
from reviewkit.i18n import available_languages, section
from reviewkit.numfmt import format_number
from reviewkit.summary import before_after_ratios

#: Languages with a message catalogue (reviewkit/locales/); labels: section "figures".
LANGUAGES = tuple(available_languages())

# Okabe-Ito palette (yellow left out: too pale on white), one colour per design.
DESIGN_COLOURS: dict[str, str] = dict(
    zip(
        DESIGN_ORDER,
        ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999"],
        strict=True,
    )
)

VALUES_GROUP_ORDER = ("intervention", "single_group", "not_stated")
VALUES_GROUP_STYLE = {  # marker, colour
    "intervention": ("o", "#0072B2"),
    "single_group": ("s", "#D55E00"),
    "not_stated": ("^", "#555555"),
}

DIRECTION_ORDER = ("increase", "no_change", "decrease", "unclear")
DIRECTION_MARKERS = {"increase": "^", "no_change": "D", "decrease": "v", "unclear": "o"}

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


def study_label(authors: object, year: object) -> str:
    """Authors and year as an axis label: "Enggar & Rizkyanti (2024)"."""
    return f"{authors} ({int(year)})"


def study_labels(rows: pd.DataFrame) -> list[str]:
    """Each study's label: the column "label" when the caller set one (the study as
    the manuscript's citation style identifies it, reviewkit.citations), else
    "Authors (year)" from the study table."""
    if "label" in rows.columns:
        return [str(label) for label in rows["label"]]
    return [study_label(a, y) for a, y in zip(rows["authors"], rows["year"], strict=True)]


def design_label(code: str, language: str) -> str:
    return DESIGN_BY_CODE[code].label(language)


def designs_present(codes: pd.Series) -> list[str]:
    present = set(codes)
    return [code for code in DESIGN_ORDER if code in present]


def _new_figure(height_in: float) -> Figure:
    return Figure(figsize=(WIDTH_IN, height_in), layout="constrained")


def _design_handles(codes: list[str], language: str, alpha: float = 1.0) -> list[Patch]:
    return [
        Patch(facecolor=DESIGN_COLOURS[code], alpha=alpha, label=design_label(code, language))
        for code in codes
    ]


def _sorted_by_year(frame: pd.DataFrame) -> pd.DataFrame:
    keys = [column for column in ("year", "authors", "id") if column in frame.columns]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def _rows_height(n_rows: int, extra_in: float) -> float:
    return max(2.2, extra_in + 0.24 * n_rows)


def studies_per_year_and_design(studies: pd.DataFrame) -> pd.DataFrame:
    """Counts: one row per year from min to max (zeros kept), one column per design present."""
    years = studies["year"].astype(int)
    codes = designs_present(studies["design"])
    counts = pd.crosstab(years, studies["design"].astype(str))
    all_years = range(int(years.min()), int(years.max()) + 1) if len(studies) else []
    return counts.reindex(index=all_years, columns=codes, fill_value=0).astype(int)


def plot_studies_by_year(studies: pd.DataFrame, language: str) -> Figure:
    """Included studies per publication year, stacked by design."""
    labels = labels_for(language)
    counts = studies_per_year_and_design(studies)
    with style_context():
        fig = _new_figure(3.2)
        ax = fig.add_subplot()
        bottom = np.zeros(len(counts))
        for code in counts.columns:
            heights = counts[code].to_numpy()
            ax.bar(
                counts.index,
                heights,
                bottom=bottom,
                width=0.7,
                color=DESIGN_COLOURS[code],
                edgecolor="white",
                linewidth=0.5,
                label=design_label(code, language),
                gid=f"design:{code}",
            )
            bottom += heights
        ax.set_xticks(list(counts.index))
        ax.set_xlabel(labels["year"])
        ax.set_ylabel(labels["n_studies"])
        ax.yaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
        ax.set_ylim(0, max(1, bottom.max() if len(bottom) else 1) * 1.08)
        ax.grid(axis="y", linewidth=0.4, alpha=0.5)
        ax.set_axisbelow(True)
        fig.legend(
            handles=_design_handles(list(counts.columns), language),
            title=labels["design"],
            loc="outside lower center",
            ncols=2,
        )
    return fig


def plot_sample_sizes(studies: pd.DataFrame, language: str) -> Figure:
    """Total sample size per study (horizontal bars), ordered by year then authors."""
    labels = labels_for(language)
    rows = _sorted_by_year(studies)
    sizes = rows["n_total"].astype(int).to_numpy()
    codes = rows["design"].astype(str).tolist()
    with style_context():
        fig = _new_figure(_rows_height(len(rows), 1.9))
        ax = fig.add_subplot()
        bars = ax.barh(
            np.arange(len(rows)), sizes, height=0.7, color=[DESIGN_COLOURS[code] for code in codes]
        )
        ax.bar_label(bars, labels=[str(int(size)) for size in sizes], padding=2, fontsize=8)
        ax.set_yticks(np.arange(len(rows)), study_labels(rows))
        ax.invert_yaxis()  # earliest study at the top
        ax.set_xlabel(labels["participants"])
        ax.set_xlim(0, max(1, sizes.max() if len(sizes) else 1) * 1.12)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
        ax.tick_params(axis="y", length=0)
        fig.legend(
            handles=_design_handles(designs_present(rows["design"]), language),
            title=labels["design"],
            loc="outside lower center",
            ncols=2,
        )
    return fig


def plot_before_after_ratios(ratios: pd.DataFrame, language: str) -> Figure:
    """After/before ratio per study on a log axis; `ratios` = summary.before_after_ratios()."""
    labels = labels_for(language)
    rows = _sorted_by_year(ratios)
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
        ax.set_yticks(y, study_labels(rows))
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


def plot_before_after(studies: pd.DataFrame, language: str) -> Figure:
    """`plot_before_after_ratios` from the study table (ratios computed here)."""
    return plot_before_after_ratios(before_after_ratios(studies), language)


def marker_areas(sizes: np.ndarray, largest: float) -> np.ndarray:
    """Marker area (pt²) proportional to n; the largest study gets 220 pt², minimum 20."""
    return np.maximum(20.0, 220.0 * np.asarray(sizes, dtype=float) / max(float(largest), 1.0))


def effect_direction_rows(studies: pd.DataFrame) -> pd.DataFrame:
    """Rows of the effect-direction plot: ordered by design, year, authors; direction filled."""
    rank = {code: index for index, code in enumerate(DESIGN_ORDER)}
    rows = studies.assign(_rank=studies["design"].map(rank).astype(int))
    rows = rows.sort_values(["_rank", "year", "authors", "id"], kind="stable")
    direction = rows["effect_direction"].astype(object)
    rows = rows.assign(direction=direction.where(direction.isin(DIRECTION_ORDER), "unclear"))
    return rows.drop(columns="_rank").reset_index(drop=True)


def plot_effect_direction(studies: pd.DataFrame, language: str) -> Figure:
    """Effect-direction plot (Thomson & Thomas 2013): one row per study, a symbol per direction.

    ▲ increase, ▼ decrease, ◆ no change, open circle unclear or not reported;
    symbol area proportional to n_total (grey squares in the legend give the scale);
    rows shaded by design; n written in its own column.
    """
    labels = labels_for(language)
    rows = effect_direction_rows(studies)
    sizes = rows["n_total"].astype(int).to_numpy()
    largest = sizes.max() if len(sizes) else 1
    y = np.arange(len(rows))
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
                    color=DESIGN_COLOURS[codes[start]],
                    alpha=BAND_ALPHA,
                    linewidth=0,
                    gid=f"band:{codes[start]}",
                )
                if start:
                    ax.axhline(start - 0.5, color="white", linewidth=1.5)
                start = end
        for row, size in zip(y, sizes, strict=True):
            ax.text(0, row, str(int(size)), ha="center", va="center", fontsize=8.5)
        for direction in DIRECTION_ORDER:
            chosen = (rows["direction"] == direction).to_numpy()
            if not chosen.any():
                continue
            ax.scatter(
                np.ones(chosen.sum()),
                y[chosen],
                s=marker_areas(sizes[chosen], largest),
                marker=DIRECTION_MARKERS[direction],
                facecolors="none" if direction == "unclear" else "black",
                edgecolors="black",
                linewidths=1.0,
                zorder=3,
                label=labels[direction],
                gid=f"direction:{direction}",
            )
        ax.set_xlim(-0.6, 1.6)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xticks([0, 1], [labels["n"], labels["direction"]])
        ax.xaxis.tick_top()
        ax.set_yticks(y, study_labels(rows))
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
                markerfacecolor="none" if d == "unclear" else "black",
                markeredgecolor="black",
                label=labels[d],
            )
            for d in DIRECTION_ORDER
            if (rows["direction"] == d).any()
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
                designs_present(rows["design"]), language, alpha=BAND_ALPHA + 0.1
            ),
            title=labels["design"],
            loc="outside lower center",
            ncols=2,
        )
    return fig


FIGURES: dict[str, Callable[[pd.DataFrame, str], Figure]] = {
    "studies_by_year": plot_studies_by_year,
    "sample_sizes": plot_sample_sizes,
    "before_after": plot_before_after,
    "effect_direction": plot_effect_direction,
}


def make_figure(name: str, studies: pd.DataFrame, language: str) -> Figure:
    """The figure `name` (a key of FIGURES) for the validated study table."""
    if name not in FIGURES:
        raise ValueError(f"unknown figure {name!r}; known: {', '.join(FIGURES)}")
    return FIGURES[name](studies, language)


PNG_METADATA = {"Software": None}
PDF_METADATA = {"CreationDate": None, "ModDate": None, "Producer": None}


def save_figure(
    fig: Figure,
    png_path: str | os.PathLike,
    pdf_path: str | os.PathLike,
    dpi: int = 300,
    family: str | None = None,
) -> None:
    """Write a PNG (dpi) and a vector PDF with reproducible bytes, then close the figure.

    Each file is written to a temporary file in its own folder and renamed into
    place only when both are complete, so a failed run leaves no half-written file.
    """
    targets = [(Path(png_path), "png", PNG_METADATA), (Path(pdf_path), "pdf", PDF_METADATA)]
    temporary: list[Path] = []
    try:
        with style_context(family):
            for path, fmt, metadata in targets:
                path.parent.mkdir(parents=True, exist_ok=True)
                # same folder (so the rename is atomic); ordinary permissions, unlike mkstemp
                name = path.with_name(f".{path.name}.{os.getpid()}.tmp")
                temporary.append(name)
                fig.savefig(name, format=fmt, dpi=dpi, metadata=metadata)
        for (path, _fmt, _metadata), name in zip(targets, temporary, strict=True):
            os.replace(name, path)
        temporary.clear()
    finally:
        for name in temporary:
            with contextlib.suppress(FileNotFoundError):
                name.unlink()
        _close(fig)


def _close(fig: Figure) -> None:
    """Release a figure made with pyplot (figures made here are not registered there)."""
    from matplotlib import pyplot

    pyplot.close(fig)
