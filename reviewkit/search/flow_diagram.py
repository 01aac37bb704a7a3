"""The PRISMA 2020 flow diagram as a matplotlib Figure.

Input: the counts of :func:`reviewkit.search.prisma.prisma_counts` and a
language with a message catalogue (``prisma:`` in reviewkit/locales/*.yaml).
Layout after the PRISMA 2020 templates (Page MJ et al. BMJ 2021;372:n71,
Figure 1; http://www.prisma-statement.org/): "new systematic reviews which
included searches of databases and registers only", and, when the counts
carry ``previous_studies``, the template for updated reviews with the
"Previous studies" column and the "Total studies included in review" box.

The box for records marked ineligible by automation tools is left out
(reviewkit records no such tool), and the registers line appears only when a
source is marked ``kind: register``. A count not known yet reads "not yet
recorded" (catalogue key ``prisma.not_recorded``). Numbers go through
:func:`reviewkit.numfmt.format_number`; every text is drawn literally
(``parse_math=False``): a database name or exclusion reason with "$" stays as
typed. Every box and text has a ``gid`` (``box:<name>``, ``text:<name>``) so
tests can find it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from itertools import pairwise

from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from reviewkit.figures import save_figure, style_context
from reviewkit.i18n import message
from reviewkit.numfmt import format_number

FONT_SIZE = 7.0
LINE_IN = FONT_SIZE * 1.25 / 72  # height of one text line, inches
NBSP = "\u00a0"
PAD_IN = 0.07
ROW_GAP_IN = 0.24
PHASE_FILL = "#dbe6f3"
HEADER_FILL = "#f3dca2"
EDGE = "#222222"


@dataclass
class Box:
    name: str
    x: float
    top: float
    width: float
    height: float

    @property
    def bottom(self) -> float:
        return self.top - self.height

    @property
    def middle(self) -> float:
        return self.top - self.height / 2


def _n(value: object, language: str) -> str:
    if value is None:
        return message(language, "prisma.not_recorded")
    return format_number(int(value), language)


def _text_width_in(text: str, bold: bool = False) -> float:
    """Width of a line of text as drawn (DejaVu Serif, FONT_SIZE), in inches."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    with style_context():
        prop = FontProperties(size=FONT_SIZE, weight="bold" if bold else "normal")
        width, _h, _d = TextToPath().get_text_width_height_descent(text, prop, ismath=False)
    return width / 72


def _wrap(lines: list[str], width_in: float, bold: bool = False) -> list[str]:
    """Lines broken at spaces to fit the box (measured with the font, so the
    result does not depend on the machine); "(n = 12)" is never broken."""
    room = width_in - 2 * PAD_IN
    out: list[str] = []
    for line in lines:
        for part in line.split("\n"):
            indent = part[: len(part) - len(part.lstrip(" "))]
            protected = re.sub(r"\(n = ([^)]*)\)", lambda m: m.group(0).replace(" ", NBSP), part)
            words = protected.split()
            current = indent
            for word in words:
                candidate = f"{current} {word}" if current.strip() else current + word
                if current.strip() and _text_width_in(candidate, bold) > room:
                    out.append(current)
                    current = indent + "  " + word
                else:
                    current = candidate
            out.append(current)
    return [line.replace(NBSP, " ") for line in out]


def _height(lines: list[str]) -> float:
    return len(lines) * LINE_IN + 2 * PAD_IN


def box_texts(counts: dict, language: str) -> dict[str, list[str]]:
    """The text of every box, line by line (before wrapping), by box name."""

    def say(key: str, **fields: object) -> str:
        return message(language, f"prisma.{key}", **fields)

    def n(key: str) -> str:
        return _n(counts.get(key), language)

    identified = counts.get("identified") or {}
    sources = counts.get("sources") or []
    lines = [say("identified")]
    for kind, key in (("database", "databases"), ("register", "registers")):
        chosen = [s for s in sources if s.get("kind", "database") == kind]
        if kind == "register" and not chosen:
            continue
        total = sum(s["records"] for s in chosen) if chosen else identified.get("total")
        lines.append(say(key, n=_n(total, language)))
        by_name: dict[str, int] = {}
        for source in chosen:
            by_name[source["database"]] = by_name.get(source["database"], 0) + source["records"]
        lines += [
            "  " + say("source", name=name, n=_n(count, language))
            for name, count in by_name.items()
        ]
    texts = {
        "identified": lines,
        "removed": [
            say("removed_before"),
            say("duplicates", n=n("duplicates_removed")),
            say("other_removed", n=n("other_removed")),
        ],
        "screened": [say("screened", n=n("screened"))],
        "excluded_screening": [say("excluded_screening", n=n("excluded_screening"))],
        "sought": [say("sought", n=n("sought"))],
        "not_retrieved": [say("not_retrieved", n=n("not_retrieved"))],
        "assessed": [say("assessed", n=n("assessed"))],
    }
    excluded = counts.get("excluded_full_text")
    reasons = sorted(
        ((excluded or {}).get("by_reason") or {}).items(), key=lambda item: (-item[1], item[0])
    )
    texts["excluded_full_text"] = [say("excluded_full_text")] + (
        [say("reason", reason=reason, n=_n(count, language)) for reason, count in reasons]
        or [say("excluded_none", n=_n((excluded or {}).get("total"), language))]
    )
    update = "previous_studies" in counts
    studies_key, reports_key = (
        ("new_studies", "new_reports")
        if update
        else (
            "included_studies",
            "included_reports",
        )
    )
    texts["included"] = [
        say(studies_key, n=n("included_studies")),
        say(reports_key, n=n("included_reports")),
    ]
    if update:
        texts["previous"] = [
            say("previous_studies", n=n("previous_studies")),
            say("previous_reports", n=n("previous_reports")),
        ]
        texts["total"] = [
            say("total_studies", n=n("total_studies")),
            say("total_reports", n=n("total_reports")),
        ]
    return texts


def plot_prisma_flow(counts: dict, language: str) -> Figure:
    """The PRISMA 2020 flow diagram of ``counts`` in ``language``."""
    texts = box_texts(counts, language)
    update = "previous" in texts
    phase_w, gap = 0.26, 0.14
    if update:
        prev_x, prev_w = phase_w + gap, 1.45
        main_x = prev_x + prev_w + 0.24
        main_w, right_w = 2.1, 2.15
    else:
        main_x, main_w, right_w = phase_w + gap, 2.75, 2.55
    right_x = main_x + main_w + 0.32
    width = right_x + right_w + 0.04

    wrapped = {
        name: _wrap(lines, right_w if name in RIGHT else prev_w if name == "previous" else main_w)
        for name, lines in texts.items()
    }
    header_lines = _wrap(
        [message(language, "prisma.header_update" if update else "prisma.header")],
        main_w + right_w,
        bold=True,
    )
    header_h = _height(header_lines)
    rows = [
        ("identified", "removed"),
        ("screened", "excluded_screening"),
        ("sought", "not_retrieved"),
        ("assessed", "excluded_full_text"),
        ("included", None),
    ]
    if update:
        rows.append(("total", None))
    heights = []
    for left, right in rows:
        h = _height(wrapped[left])
        if right:
            h = max(h, _height(wrapped[right]))
        if left == "identified" and update:
            h = max(h, _height(wrapped["previous"]))
        heights.append(h)

    # A phase label (drawn rotated) must fit the rows it spans.
    def label_need(phase: str) -> float:
        label = message(language, f"prisma.phase.{phase}")
        return _text_width_in(label, bold=True) * (FONT_SIZE + 0.5) / FONT_SIZE + 2 * PAD_IN

    heights[0] = max(heights[0], label_need("identification"))
    included_rows = heights[4:]
    spare = label_need("included") - (sum(included_rows) + ROW_GAP_IN * (len(included_rows) - 1))
    if spare > 0:
        heights[4] += spare
    height = 0.06 + header_h + 0.16 + sum(heights) + ROW_GAP_IN * (len(rows) - 1) + 0.06

    with style_context():
        fig = Figure(figsize=(width, height))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width)
        ax.set_ylim(0, height)
        ax.set_axis_off()
        boxes: dict[str, Box] = {}

        def draw(name, x, top, w, h, lines, fill="white", align="left", rotate=False):
            box = Box(name, x, top, w, h)
            boxes[name] = box
            ax.add_patch(
                FancyBboxPatch(
                    (x, top - h),
                    w,
                    h,
                    boxstyle="round,pad=0,rounding_size=0.04",
                    facecolor=fill,
                    edgecolor=EDGE,
                    linewidth=0.7,
                    gid=f"box:{name}",
                )
            )
            if rotate or align == "center":
                tx, ty, ha, va = x + w / 2, top - h / 2, "center", "center"
            else:
                tx, ty, ha, va = x + PAD_IN, top - h / 2, "left", "center"
            ax.text(
                tx,
                ty,
                "\n".join(lines),
                ha=ha,
                va=va,
                multialignment="center" if align == "center" or rotate else "left",
                rotation=90 if rotate else 0,
                fontsize=FONT_SIZE + (0.5 if rotate or name.startswith("header") else 0),
                fontweight="bold" if rotate or name.startswith("header") else "normal",
                linespacing=1.2,
                parse_math=False,
                gid=f"text:{name}",
            )
            return box

        top = height - 0.06
        draw(
            "header",
            main_x,
            top,
            right_x + right_w - main_x,
            header_h,
            header_lines,
            fill=HEADER_FILL,
            align="center",
        )
        if update:
            prev_header = _wrap([message(language, "prisma.previous_header")], prev_w, bold=True)
            draw(
                "header_previous",
                prev_x,
                top,
                prev_w,
                header_h,
                prev_header,
                fill=HEADER_FILL,
                align="center",
            )
        top -= header_h + 0.16
        row_tops = []
        for (left, right), h in zip(rows, heights, strict=True):
            row_tops.append(top)
            centre = left in {"screened", "sought", "assessed", "included", "total"}
            draw(left, main_x, top, main_w, h, wrapped[left], align="center" if centre else "left")
            if right:
                draw(
                    right,
                    right_x,
                    top,
                    right_w,
                    h,
                    wrapped[right],
                    align="left" if right in {"removed", "excluded_full_text"} else "center",
                )
            if left == "identified" and update:
                draw("previous", prev_x, top, prev_w, h, wrapped["previous"], align="center")
            top -= h + ROW_GAP_IN

        phases = [
            ("identification", row_tops[0], boxes["identified"].bottom),
            ("screening", row_tops[1], boxes["assessed"].bottom),
            ("included", row_tops[4], boxes[rows[-1][0]].bottom),
        ]
        for phase, phase_top, phase_bottom in phases:
            draw(
                f"phase:{phase}",
                0.04,
                phase_top,
                phase_w - 0.04,
                phase_top - phase_bottom,
                [message(language, f"prisma.phase.{phase}")],
                fill=PHASE_FILL,
                rotate=True,
            )

        def arrow(start, end, name):
            ax.add_patch(
                FancyArrowPatch(
                    start,
                    end,
                    arrowstyle="-|>",
                    mutation_scale=7,
                    linewidth=0.7,
                    color=EDGE,
                    shrinkA=0,
                    shrinkB=0,
                    gid=f"arrow:{name}",
                )
            )

        column = main_x + main_w / 2
        for (upper, _right), (lower, _below) in pairwise(rows):
            arrow((column, boxes[upper].bottom), (column, boxes[lower].top), f"{upper}-{lower}")
        for left, right in rows:
            if right:
                arrow(
                    (main_x + main_w, boxes[left].middle),
                    (right_x, boxes[left].middle),
                    f"{left}-{right}",
                )
        if update:
            total = boxes["total"]
            x = prev_x + prev_w / 2
            ax.plot(
                [x, x],
                [boxes["previous"].bottom, total.middle],
                color=EDGE,
                linewidth=0.7,
                gid="line:previous",
            )
            arrow((x, total.middle), (main_x, total.middle), "previous-total")
    return fig


RIGHT = {"removed", "excluded_screening", "not_retrieved", "excluded_full_text"}


def save_prisma_flow(
    fig: Figure, png_path: str | os.PathLike, pdf_path: str | os.PathLike, dpi: int = 300
) -> None:
    """300 dpi PNG and vector PDF with reproducible bytes (reviewkit.figures.save_figure)."""
    save_figure(fig, png_path, pdf_path, dpi=dpi)
