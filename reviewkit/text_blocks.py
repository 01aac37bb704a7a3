"""Generated text blocks: the data-driven paragraphs of a manuscript, in its language.

Inputs: the same context the user's section templates get (summary.json, synthesis.json
as ``synthesis``, prisma.json as ``prisma``, the effects table as ``effects``, ``tables``,
``figures``, ``inclusion``), the language, and the figure/table labels the user's own
templates define. Output: one :class:`Markdown` value per block, handed to the user's
templates as ``{{ auto.<name> }}``.

A block is a Jinja template of the tool, ``reviewkit/text/<language>/<name>.md``, one
folder per language. The sentences live there, readable for a translator; words that
depend on the data (the name of an effect measure, of an estimator, a reason why a group
was not pooled, singular or plural) come from the message catalogues
(``reviewkit/locales/<language>.yaml``, key ``blocks:``) through the small functions below,
which are the blocks' filters. A block says only what holds for the data it is given:
every count is a number from the JSON, every reason is the one the synthesis recorded,
and a figure or table is shown only when it has something to show (docs/text-blocks.md).

``synthesis_facts`` and ``search_facts`` are the only places that know the layout of
synthesis.json and prisma.json: the blocks read the plain facts they return.

Why a module of our own: no library writes review prose; Jinja (templates), Babel
(numbers, through reviewkit.numfmt) and the catalogues do the general parts.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache
from pathlib import Path

from reviewkit.conventions import (
    HETEROGENEITY_FEW_STUDIES,
    MIN_STUDIES_MODERATORS,
    MIN_STUDIES_SMALL_STUDY,
    PI_MIN_STUDIES,
    PI_VERY_IMPRECISE_BELOW,
)
from reviewkit.i18n import message, section
from reviewkit.numfmt import format_computed_p, format_number, format_p, format_percent
from reviewkit.safe_markdown import Markdown, literal


def escaped(value: object) -> str:
    """A value inside the tool's Markdown: Markdown as it is, anything else (numbers,
    words of the review's own vocabulary, data) as literal text."""
    return value if isinstance(value, Markdown) else literal(value)


TEXT_DIR = Path(__file__).resolve().parent / "text"
#: The labels the blocks give the figures and tables they show.
FIGURE_LABELS = {
    "studies_by_year": "fig-studies-by-year",
    "sample_sizes": "fig-sample-sizes",
    "effect_direction": "fig-effect-direction",
    "before_after": "fig-before-after",
    "forest": "fig-forest",
    "albatross": "fig-albatross",
    "rob_traffic_light": "fig-rob-traffic-light",
    "rob_summary": "fig-rob-summary",
    "prisma_flow": "fig-prisma-flow",
    "funnel": "fig-funnel",
}
TABLE_LABELS = {
    "studies": "tbl-studies",
    "effects": "tbl-effects",
    "sof": "tbl-sof",
    "sensitivity": "tbl-sensitivity",
}
#: A label defined in a template: `{#fig-forest}`; a block used there: `auto.effects_table`.
LABEL_PATTERN = re.compile(r"\{#((?:fig|tbl)-[A-Za-z0-9_-]+)")
BLOCK_PATTERN = re.compile(r"\bauto\.([a-z_]+)")
#: Blocks that define a label wherever they are used.
BLOCK_DEFINES = {
    "effects_table": TABLE_LABELS["effects"],
    "sensitivity_table": TABLE_LABELS["sensitivity"],
}
#: Exhibits that the blocks refer to but only another block (BLOCK_DEFINES) shows.
SHOWN_BY_OTHER_BLOCK = {"effects", "sensitivity"}
#: Figures a large review draws by design or group (captions.<name>_aggregated), and the
#: one it leaves out of the text (the summary shows the same judgements).
AGGREGATED_FIGURES = {"sample_sizes", "effect_direction", "before_after", "forest"}
LEFT_OUT_WHEN_AGGREGATED = {"rob_traffic_light"}
#: How many studies a sentence names by citation before it gives only their number.
MAX_CITED = 5

# Reasons recorded in synthesis.json / effects.csv (reviewkit.pooling), as codes; the
# strings are reviewkit.pooling's REASON_* constants (tests/test_text_blocks.py checks them).
NO_EFFECT_REASONS = {
    "no p-value, means or events": "no_data",
    "direction of effect not reported": "no_direction",
    "design does not say whether there was a control group": "no_control_stated",
    "control group not stated; not counted (synthesis.control_not_stated)": "not_counted",
    "categorical outcome: its p-value cannot come from a t-test; counted, not converted": (
        "categorical"
    ),
    "independent-samples test of a before/after comparison: counted, not converted": (
        "independent_prepost"
    ),
    "chi-square p-value: never inverted through t; counted, not converted": "chi2",
    "Mann-Whitney p-value: no inverse through t; counted, not converted": "mann_whitney",
    "Wilcoxon p-value: no inverse through t; counted, not converted": "wilcoxon",
}
NO_EFFECT_ORDER = [*dict.fromkeys(NO_EFFECT_REASONS.values()), "refused", "other"]
NOT_POOLED_REASONS = (
    ("different measures", "mixed_measures"),
    ("switched off", "switched_off"),
    ("fewer than", "too_few"),
    ("raw mean differences", "md_units"),
    ("not estimable", "not_estimable"),
)
#: Why Egger's test, a subgroup analysis or a meta-regression did not run (pooling.py and
#: reviewkit.synthesis record these in English).
NOT_RUN_REASONS = (
    ("needs at least", "too_few"),
    ("coefficients need more than", "too_few"),
    ("one subgroup", "one_subgroup"),
    ("no study has a value", "no_values"),
    ("the group is not pooled", "not_pooled"),
)
# How an effect was computed, from its method code (reviewkit.synthesis.effect_sizes).
METHOD_SOURCES = {
    "log_risk_ratio": "events",
    "log_odds_ratio": "events",
    "risk_difference": "events",
    "hedges_g_from_means": "means",
    "mean_difference": "means",
    "log_ratio_of_means": "means",
    "hedges_g_from_p": "p_between",
    "hedges_g_from_t": "t_between",
    "smcc_from_p": "p_within",
    "smcc_from_t": "t_within",
}
RATIO_MEASURES = {"logRR", "logOR", "logROM"}
DIRECTIONS = ("increase", "decrease", "no_change", "unclear", "not_reported")
FLAGS = (
    "p_inequality",
    "equal_groups_assumed",
    "comparison_assumed_from_design",
    "t_test_assumed",
    "continuity_correction_0.5",
    "double_zero",
)
#: Comparison groups of synthesis.json (reviewkit.pooling.GROUPS): pooled, counted and
#: combined separately; `unclear` is only counted.
COMPARISON_ORDER = ("between", "within_arm", "within", "unclear")
POOLED_GROUPS = ("between", "within_arm", "within")
#: Sensitivity analyses of synthesis.json, in the order the text reports them.
SENSITIVITY_ORDER = (
    "untested_p_included",
    "untested_p_excluded",
    "without_p_bounds",
    "groups_2_to_1",
    "comparison_as_within_arm",
)


# --------------------------------------------------------------------------- words


@cache
def words(language: str) -> dict:
    """The ``blocks:`` part of the language's message catalogue."""
    return section(language, "blocks")


def term(key: str, language: str, **fields: object) -> Markdown:
    """A phrase of the catalogue (``blocks.<key>``) as Markdown: the tool's own words,
    with the fields filled in as literal text."""
    phrase = message(language, f"blocks.{key}")
    return Markdown(
        phrase.format(**{k: escaped(v) for k, v in fields.items()}) if fields else phrase
    )


def noun(count: int, name: str, language: str) -> str:
    """The singular or plural of a noun of the catalogue (``blocks.nouns.<name>``)."""
    one, other = words(language)["nouns"][name]
    return one if count == 1 else other


def count_text(count: float, name: str, language: str) -> str:
    """'1 study', '3 studies', '1.234 studi', '119.5 participants' (a median): the number
    in the language's format, never rounded."""
    return f"{format_number(count, language)} {noun(count, name, language)}"


def join_words(items: Iterable[object], language: str, serial: bool = False) -> str:
    """'a, b and c' / 'a, b dan c'; ``serial``: clauses joined with semicolons."""
    items = [str(item) for item in items if str(item)]
    conjunction = words(language)["and"]
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} {conjunction} {items[1]}"
    if serial:
        return f"{'; '.join(items[:-1])}; {conjunction} {items[-1]}"
    comma = words(language)["serial_comma"]
    return f"{', '.join(items[:-1])}{comma} {conjunction} {items[-1]}"


def join_markdown(items: Iterable[object], language: str, serial: bool = False) -> Markdown:
    """join_words as Markdown: parts that are Markdown stay as they are (citations,
    catalogue phrases), any other part is escaped as literal text."""
    return Markdown(join_words([escaped(item) for item in items], language, serial))


def date_text(value: str, language: str) -> str:
    """'2024-05-01' as '1 May 2024' / '1 Mei 2024'."""
    day = date.fromisoformat(str(value))
    month = words(language)["months"][day.month - 1]
    return f"{day.day} {month} {day.year}"


def citations(ids: Iterable[str]) -> Markdown:
    """A parenthetical citation of study ids (which validation checked against the
    bibliography): '[@a; @b]', rendered '(A, 2020; B, 2021)' or '[1, 2]'."""
    keys = [str(key) for key in ids]
    for key in keys:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_:-]*", key):
            raise ValueError(f"not a citation key: {key!r}")
    cited = [f"@{{{key}}}" if key[-1] in ":-" else f"@{key}" for key in keys]
    return Markdown(f"[{'; '.join(cited)}]")


def measure_name(code: str, language: str, pooled: bool = False) -> Markdown:
    """The name of an effect measure: ``logOR`` is 'log odds ratio' for a study's effect,
    'odds ratio' for a pooled estimate, which ratio measures report back-transformed."""
    table = words(language)["pooled_measures" if pooled else "measures"]
    return Markdown(table.get(code, code))


def column_name(name: str, language: str) -> str:
    """A study-table column as the text names it: the catalogue's name for a column of the
    tool (``design_as_reported`` -> 'design as reported'), a column of the user's own
    without its prefix and underscores (``x_latitude`` -> 'latitude'). A plain string:
    a name from the config is data, escaped where it is printed."""
    known = words(language).get("columns") or {}
    if name in known:
        return str(known[name])
    from reviewkit.synthesis_config import OWN_COLUMN_PREFIX

    if name.startswith(OWN_COLUMN_PREFIX):
        name = name[len(OWN_COLUMN_PREFIX) :]
    return re.sub(r"_+", " ", name).strip() or name


def is_ratio(code: str | None) -> bool:
    return code in RATIO_MEASURES


def _number(value: float, language: str, decimals: int) -> str:
    return format_number(value, language, decimals)


def estimate_text(entry: Mapping, language: str, decimals: int = 2, extra: str = "") -> str:
    """A pooled estimate with its confidence interval, on the scale it is reported:
    ratio measures back-transformed ('0,49 (IK 95%: 0,34 hingga 0,70)'); ``extra`` is
    added inside the parentheses ('...; z = 4,35, p < 0,001')."""
    transform = _exp if is_ratio(entry.get("measure")) else float
    level = format_percent(entry["level"], language)
    estimate = _number(transform(entry["estimate"]), language, decimals)
    low = _number(transform(entry["ci_low"]), language, decimals)
    high = _number(transform(entry["ci_high"]), language, decimals)
    key = "estimate_with" if extra else "estimate"
    return term(key, language, estimate=estimate, level=level, low=low, high=high, extra=extra)


def interval_text(
    low: float, high: float, language: str, decimals: int = 2, measure: str | None = None
) -> str:
    """'-1,84 hingga 3,76' (back-transformed for a ratio measure)."""
    transform = _exp if is_ratio(measure) else float
    word = words(language)["to"]
    return (
        f"{_number(transform(low), language, decimals)} {word} "
        f"{_number(transform(high), language, decimals)}"
    )


def _exp(value: float) -> float:
    import math

    return math.exp(value)


# ------------------------------------------------------------------ facts: synthesis


def no_effect_reason(reason: object) -> str:
    """The code of a recorded reason why a study has no effect size."""
    text = str(reason or "")
    if text in NO_EFFECT_REASONS:
        return NO_EFFECT_REASONS[text]
    if text.startswith("no effect size:"):
        return "refused"
    return "other"


def not_pooled_reason(entry: Mapping) -> str | None:
    """The code of the reason a comparison group was not pooled (None: pooled)."""
    if entry.get("pooled"):
        return None
    if not entry.get("k_with_effect"):
        return "no_effects"
    return _reason_code(entry.get("reason"), NOT_POOLED_REASONS)


def not_run_reason(analysis: Mapping | None) -> str | None:
    """The code of the reason an analysis (Egger, subgroups, meta-regression) did not run;
    None when it ran or was not asked for."""
    if not analysis or analysis.get("run"):
        return None
    return _reason_code(analysis.get("reason"), NOT_RUN_REASONS)


def _reason_code(reason: object, codes: Iterable[tuple[str, str]]) -> str:
    """The code of the first fragment the synthesis's reason contains; "other" if none."""
    text = str(reason or "")
    return next((code for fragment, code in codes if fragment in text), "other")


def _analysis(analysis: Mapping | None) -> dict | None:
    """An analysis of a pooled group with the code of why it did not run (if it did not)."""
    if not analysis:
        return None
    return {**analysis, "why": not_run_reason(analysis)}


def _present(value: object) -> bool:
    return value is not None and value == value and value != ""  # NaN != NaN


def _true(value: object) -> bool:
    """A boolean cell as effects.csv writes it ("True"/"False") or as pandas holds it."""
    return str(value).strip().lower() in ("true", "1")


def _method_source(method: object) -> str:
    base = str(method).split(":")[0].split("(")[0]
    return METHOD_SOURCES.get(base, "other")


def _ordered_counts(values: Iterable[str], order: Iterable[str] = ()) -> dict[str, int]:
    counts = Counter(values)
    first = [key for key in order if key in counts]
    return {key: counts[key] for key in first + sorted(set(counts) - set(first))}


def group_facts(name: str, entry: Mapping, rows: list[dict], settings: Mapping) -> dict:
    """One comparison group of one analysis: size, whether and why (not) pooled, the
    pooled result. ``rows``: the effects of that analysis in this group (for the
    measures of a group that mixes them)."""
    facts = {
        "name": name,
        "k": int(entry.get("k_with_effect") or 0),
        "pooled": bool(entry.get("pooled")),
        "reason": not_pooled_reason(entry),
        "reason_recorded": entry.get("reason"),
        "min": int(settings.get("min_studies_to_pool", 3)),
        "measure": entry.get("measure"),
        "measures": _ordered_counts(str(row["measure"]) for row in rows),
        "ids": list(entry.get("ids") or []),
        "result": None,
        "prediction": False,
        "loo": None,
    }
    if facts["pooled"]:
        k = int(entry["k"])
        common = entry.get("model") == "common_effect" or entry.get("method") == "FE"
        tau2_zero = not common and float(entry.get("tau2") or 0.0) == 0.0
        # written by the pooling (None for a common-effect model, which estimates no tau²)
        not_estimable = entry.get("heterogeneity_not_estimable")
        small_study = entry.get("small_study") or {}
        facts.update(
            result=dict(entry),
            k=k,
            common_effect=common,
            pooling_method=entry.get("pooling_method") or "inverse_variance",
            prediction=_present(entry.get("pi_low")),
            # A new study's effect could lie on either side of no effect (0 on the scale
            # of the analysis: a difference, or the log of a ratio).
            prediction_crosses=_present(entry.get("pi_low"))
            and float(entry["pi_low"]) < 0 < float(entry["pi_high"]),
            no_prediction=entry.get("pi_reason")
            or (None if _present(entry.get("pi_low")) else "fewer_than_3_studies"),
            very_imprecise=bool(entry.get("pi_very_imprecise")),
            tau2_zero=tau2_zero,
            not_estimable=bool(not_estimable),
            heterogeneity_ci=_present(entry.get("tau2_ci_high")),
            few=k < PI_VERY_IMPRECISE_BELOW,
            loo=entry.get("leave_one_out_range"),
            egger=_analysis(small_study.get("egger")),
            funnel=_analysis(small_study.get("funnel")),
            subgroups=_analysis(entry.get("subgroups")),
            meta_regression=_analysis(entry.get("meta_regression")),
        )
    return facts


def _groups(entries: Mapping, rows: list[dict], settings: Mapping) -> list[dict]:
    """The pooled groups of one analysis that have effect sizes, in the groups' order."""
    facts = []
    for name in POOLED_GROUPS:
        if name not in entries:
            continue
        chosen = [row for row in rows if row.get("comparison") == name]
        group = group_facts(name, entries[name], chosen, settings)
        if group["k"]:
            facts.append(group)
    return facts


def outcome_facts(
    code: str, outcome: Mapping, effects: list[dict], settings: Mapping, language: str
) -> dict:
    """Everything the blocks say about one outcome, from its part of synthesis.json and
    its rows of the effects table."""
    rows = [
        row
        for row in effects
        if str(row.get("outcome") or code) == code and _true(row.get("synthesised", True))
    ]
    main = [row for row in rows if row.get("role") == "main" and _present(row.get("measure"))]
    without = [row for row in rows if not _present(row.get("role"))]
    reasons: dict[str, list[str]] = {}
    for row in without:
        reasons.setdefault(no_effect_reason(row.get("reason_no_effect")), []).append(row["id"])
    groups = _groups(outcome.get("groups", {}), main, settings)
    sensitivity = outcome.get("sensitivity") or {}
    analyses = []
    for kind in SENSITIVITY_ORDER:
        if kind in sensitivity:
            analysis = sensitivity[kind]
            analyses.append(
                {
                    "kind": kind,
                    "n_changed": len(analysis.get("changed") or []),
                    "groups": _groups(analysis.get("groups", {}), [], settings),
                }
            )
    correlation = []
    for item in sensitivity.get("pre_post_correlation") or []:
        pooled = [g for g in _groups(item.get("groups", {}), [], settings) if g["pooled"]]
        if pooled:
            correlation.append({"r": item["r"], "groups": pooled})
    labels = outcome.get("labels") or {}
    summary, never_pooled = sensitivity_summary(groups, analyses)
    return {
        "code": code,
        "label": labels.get(language) or (code if outcome.get("declared") else None),
        "primary": bool(outcome.get("primary")),
        "favoured": outcome.get("favoured_direction") or settings.get("favoured_direction"),
        "n_results": int(outcome.get("n_results") or 0),
        "n_with_effect": int(outcome.get("n_with_effect") or 0),
        "n_sensitivity_only": int(outcome.get("n_sensitivity_only") or 0),
        "n_without_effect": int(outcome.get("n_without_effect") or 0),
        "n_imputed": int(outcome.get("n_imputed") or 0),
        "untested": len((outcome.get("untested_p") or {}).get("ids") or []),
        "untested_setting": (outcome.get("untested_p") or {}).get("setting", "sensitivity"),
        "no_effect": [
            {"reason": code_, "n": len(reasons[code_]), "ids": reasons[code_]}
            for code_ in NO_EFFECT_ORDER
            if code_ in reasons
        ],
        "groups": groups,
        "pooled": [group for group in groups if group["pooled"]],
        "n_pooled": sum(1 for group in groups if group["pooled"]),
        "sensitivity": analyses,
        "sensitivity_summary": summary,
        "never_pooled": never_pooled,
        "correlation": correlation,
        "votes": [
            {"group": name, **outcome["vote_count"][name]}
            for name in COMPARISON_ORDER
            if name in (outcome.get("vote_count") or {})
        ],
        # Studies that reported "no change", left out of a count by direction (as ties).
        "no_change_left_out": sum(
            int((votes.get("excluded_by_label") or {}).get("no_change") or 0)
            for votes in (outcome.get("vote_count") or {}).values()
            if votes.get("n_informative")
        ),
        "combined": [
            {"group": name, **outcome["combined_p"][name]}
            for name in POOLED_GROUPS
            if name in (outcome.get("combined_p") or {})
        ],
        "rows": rows,
    }


def _shown(group: Mapping) -> tuple:
    """A pooled result as the text shows it (two decimals, on its reported scale)."""
    result = group["result"]
    transform = _exp if is_ratio(group["measure"]) else float
    values = (result["estimate"], result["ci_low"], result["ci_high"])
    return (*(round(transform(value), 2) for value in values), group["k"])


def sensitivity_summary(main: list[dict], analyses: list[dict]) -> tuple[list[dict], list[str]]:
    """What the sensitivity analyses of one outcome did to each comparison group, for one
    sentence per group instead of a paragraph per analysis (the details are in the
    sensitivity table). Per group pooled in the main analysis or in at least one
    sensitivity analysis: its main result (or None), the analyses that pooled it with the
    lowest and highest estimate, whether they all show the same numbers, and the
    analyses that could not pool it. Also the groups with effect sizes in some analysis
    that no analysis could pool."""
    summary, never = [], []
    for name in POOLED_GROUPS:
        in_main = next((g for g in main if g["name"] == name), None)
        pooled_main = in_main if in_main and in_main["pooled"] else None
        runs, unpooled, seen = [], [], bool(in_main)
        for analysis in analyses:
            group = next((g for g in analysis["groups"] if g["name"] == name), None)
            seen = seen or bool(group)
            if group and group["pooled"]:
                runs.append({"kind": analysis["kind"], "group": group})
            else:
                unpooled.append({"kind": analysis["kind"], "k": group["k"] if group else 0})
        if not analyses or not (runs or pooled_main):
            if seen and analyses and not in_main:
                never.append(name)
            continue
        ordered = sorted(runs, key=lambda run: run["group"]["result"]["estimate"])
        summary.append(
            {
                "name": name,
                "main": pooled_main,
                "measure": (pooled_main or runs[0]["group"])["measure"],
                "runs": runs,
                "low": ordered[0] if ordered else None,
                "high": ordered[-1] if ordered else None,
                "same": len({_shown(run["group"]) for run in runs}) == 1,
                "unpooled": unpooled,
                "n_analyses": len(analyses),
            }
        )
    return summary, never


def sensitivity_table(outcomes: list[dict]) -> dict:
    """The rows of the appendix table of sensitivity analyses: per outcome the main
    analysis, each sensitivity analysis and each assumed pre-post correlation, with every
    comparison group's pooled result, its number of effect sizes when it was not pooled,
    or nothing. Empty when no outcome has a sensitivity analysis with effect sizes."""
    rows, columns = [], []
    for outcome in outcomes:
        analyses = [("main", None, outcome["groups"])]
        analyses += [(a["kind"], a["n_changed"], a["groups"]) for a in outcome["sensitivity"]]
        analyses += [("correlation", item["r"], item["groups"]) for item in outcome["correlation"]]
        if len(analyses) == 1:
            continue
        for kind, value, groups in analyses:
            cells = {g["name"]: g for g in groups if g["k"]}
            columns += [name for name in cells if name not in columns]
            rows.append({"outcome": outcome, "kind": kind, "value": value, "cells": cells})
    if not any(row["cells"] for row in rows if row["kind"] != "main"):
        return {"rows": [], "columns": [], "measures": []}
    measures = sorted(
        {cell["measure"] for row in rows for cell in row["cells"].values() if cell["pooled"]}
    )
    return {
        "rows": rows,
        "columns": [name for name in POOLED_GROUPS if name in columns],
        "measures": [code for code in measures if code],
    }


def pipe_rule(lines: list[str], right: Iterable[int] = ()) -> Markdown:
    """The separator line of a pipe table whose header and rows are ``lines`` (Markdown):
    relative column widths from the content, as Table 1 and the effects table have them
    (reviewkit.table_widths), columns in ``right`` aligned right."""
    from reviewkit.table_widths import column_widths, separator_line

    def cells(line: str) -> list[str]:
        parts = re.split(r"(?<!\\)\|", line.strip())[1:-1]
        return [re.sub(r"\\(.)", r"\1", part).strip() for part in parts]

    header, *body = [cells(line) for line in lines]
    widths = column_widths([(name, [row[i] for row in body]) for i, name in enumerate(header)])
    return Markdown(separator_line(widths, right))


def pooled_code(code: str) -> str:
    """The abbreviation of a pooled measure as reported: log ratios back-transformed
    (logRR -> RR)."""
    return code[3:] if is_ratio(code) else code


def table_estimate(group: Mapping, language: str) -> str:
    """A pooled result in a table cell: 'SMCC 0,57 [0,07; 1,08]' (the separator of the
    effects table), a ratio measure back-transformed ('RR 0.49 [0.34, 0.70]')."""
    from reviewkit.i18n import message

    result = group["result"]
    transform = _exp if is_ratio(group["measure"]) else float
    low, high = (
        format_number(transform(result[key]), language, 2) for key in ("ci_low", "ci_high")
    )
    estimate = format_number(transform(result["estimate"]), language, 2)
    separator = message(language, "text.interval_separator")
    return f"{pooled_code(group['measure'])} {estimate} [{low}{separator}{high}]"


def synthesis_facts(synthesis: Mapping, effects: list[dict], language: str = "en") -> dict:
    """What the synthesis did, as plain facts for the blocks (the only reader of
    synthesis.json's layout and of the effects table's columns)."""
    settings = synthesis.get("settings", {})
    outcomes_json = synthesis.get("outcomes") or {}
    order = [code for code in synthesis.get("outcome_order", []) if code in outcomes_json]
    order += [code for code in outcomes_json if code not in order]
    outcomes = [
        outcome_facts(code, outcomes_json[code], effects, settings, language) for code in order
    ]
    with_effect = [
        row
        for outcome in outcomes
        for row in outcome["rows"]
        if _present(row.get("role")) and _present(row.get("measure"))
    ]
    sources: dict[str, list[dict]] = {}
    for row in with_effect:
        sources.setdefault(_method_source(row.get("method")), []).append(row)
    not_converted = Counter(
        item["reason"]
        for outcome in outcomes
        for item in outcome["no_effect"]
        for _ in range(item["n"])
        if item["reason"]
        in ("categorical", "independent_prepost", "chi2", "mann_whitney", "wilcoxon")
    )
    # The inverse-variance model the Methods describe (Mantel-Haenszel and Peto are named
    # on their own).
    pooled_anywhere = [
        group["result"]
        for outcome in outcomes
        for group in [
            *outcome["pooled"],
            *(g for analysis in outcome["sensitivity"] for g in analysis["groups"]),
        ]
        if group["pooled"] and group.get("pooling_method", "inverse_variance") == "inverse_variance"
    ]
    flags = dict(synthesis.get("flags") or {})
    primary = next((o for o in outcomes if o["primary"]), outcomes[0] if outcomes else None)
    return {
        "settings": settings,
        "thresholds": {
            "small_study_min_studies": MIN_STUDIES_SMALL_STUDY,
            "moderators_min_studies": MIN_STUDIES_MODERATORS,
            "heterogeneity_few_studies": HETEROGENEITY_FEW_STUDIES,
            "prediction_interval_min_studies": PI_MIN_STUDIES,
            "prediction_interval_very_imprecise_below": PI_VERY_IMPRECISE_BELOW,
            **(synthesis.get("thresholds") or {}),
        },
        "funnel_drawn": bool((synthesis.get("funnel_plot") or {}).get("drawn")),
        "egger_run": any(
            g["egger"] and g["egger"].get("run") for o in outcomes for g in o["pooled"]
        ),
        "subgroup_column": settings.get("subgroup") or "",
        "moderator_column": settings.get("moderator") or "",
        "pooling_methods": sorted(
            {g["pooling_method"] for o in outcomes for g in o["pooled"]} - {"inverse_variance"}
        ),
        "meta_analysis": bool(settings.get("meta_analysis", True)),
        "outcomes": outcomes,
        "n_outcomes": len(outcomes),
        "primary": primary,
        "n_with_effect": len(with_effect),
        "n_main": sum(o["n_with_effect"] for o in outcomes),
        "n_pooled": sum(o["n_pooled"] for o in outcomes),
        "model": pooled_anywhere[0] if pooled_anywhere else None,
        "sources": [
            {
                "source": code,
                "n": len(rows),
                "measures": _ordered_counts(str(row["measure"]) for row in rows),
            }
            for code, rows in sorted(sources.items(), key=lambda item: _source_rank(item[0]))
        ],
        "not_converted": dict(not_converted),
        "no_control_stated": sum(
            item["n"]
            for outcome in outcomes
            for item in outcome["no_effect"]
            if item["reason"] == "no_control_stated"
        ),
        "untested": sum(o["untested"] for o in outcomes),
        "untested_setting": settings.get("untested_p", "sensitivity"),
        "control_not_stated": settings.get("control_not_stated", "own_group"),
        "sensitivity_kinds": [
            kind
            for kind in SENSITIVITY_ORDER
            if any(a["kind"] == kind for o in outcomes for a in o["sensitivity"])
        ],
        "correlations": [item for item in settings.get("correlations") or []]
        if any(o["correlation"] for o in outcomes)
        else [],
        "n_loo": sum(1 for o in outcomes for g in o["pooled"] if g["loo"]),
        "vote_groups": list(
            dict.fromkeys(v["group"] for o in outcomes for v in o["votes"] if v["n_informative"])
        ),
        "combined_groups": list(
            dict.fromkeys(c["group"] for o in outcomes for c in o["combined"] if c["k"] > 1)
        ),
        "sensitivity_table": sensitivity_table(outcomes),
        "flags": {**dict.fromkeys(FLAGS, 0), **flags},
        "evidence_levels": synthesis.get("evidence_levels", {}),
        "risk_of_bias": synthesis.get("risk_of_bias", {"assessed": False}),
    }


def _source_rank(code: str) -> int:
    order = ["events", "means", "t_between", "p_between", "t_within", "p_within", "other"]
    return order.index(code) if code in order else len(order)


# --------------------------------------------------------------------- facts: search


def search_facts(prisma: Mapping | None) -> dict:
    """The search and screening as plain facts (prisma.json; None or no search: nothing
    provided). Counts that are not known stay None and are never printed."""
    prisma = dict(prisma or {})
    provided = bool(prisma.get("search_provided"))
    sources = list(prisma.get("sources") or [])
    databases = list(dict.fromkeys(source["database"] for source in sources))
    dates = sorted({str(source["date"]) for source in sources if source.get("date")})
    identified = prisma.get("identified") or {}
    excluded = prisma.get("excluded_full_text") or {}
    dedup = prisma.get("deduplication") or {}
    by_database: dict[str, list[dict]] = {}
    for source in sources:
        by_database.setdefault(source["database"], []).append(source)
    return {
        "provided": provided,
        "screening": bool(prisma.get("screening_recorded")),
        "databases": databases,
        "n_databases": len(databases),
        "registers": [s["database"] for s in sources if s.get("kind") == "register"],
        "sources": [
            {
                "database": name,
                "records": sum(int(s.get("records") or 0) for s in items),
                "dates": sorted({str(s["date"]) for s in items if s.get("date")}),
                "queries": list(dict.fromkeys(s["query"] for s in items if s.get("query"))),
            }
            for name, items in by_database.items()
        ],
        "dates": dates,
        "n_undated": sum(1 for source in sources if not source.get("date")),
        "last_date": prisma.get("last_search_date"),
        "identified": identified.get("total"),
        "by_source": identified.get("by_source") or {},
        "duplicates": prisma.get("duplicates_removed"),
        "other_removed": prisma.get("other_removed"),
        "after_duplicates": (
            identified["total"] - prisma["duplicates_removed"] - (prisma.get("other_removed") or 0)
            if provided
            else None
        ),
        "threshold": dedup.get("threshold"),
        "screened": prisma.get("screened"),
        "excluded_screening": prisma.get("excluded_screening"),
        "sought": prisma.get("sought"),
        "not_retrieved": prisma.get("not_retrieved"),
        "assessed": prisma.get("assessed"),
        "excluded_full_text": excluded.get("total"),
        "exclusion_reasons": dict(excluded.get("by_reason") or {}),
        "included_studies": prisma.get("included_studies"),
        "included_reports": prisma.get("included_reports"),
        "is_update": "previous_studies" in prisma and prisma.get("previous_studies") is not None,
        "previous_studies": prisma.get("previous_studies"),
        "previous_reports": prisma.get("previous_reports"),
        "total_studies": prisma.get("total_studies"),
        "total_reports": prisma.get("total_reports"),
    }


def read_effects(path: Path | str) -> list[dict]:
    """results/tables/effects.csv as a list of rows (empty cells None), without pandas."""
    import csv

    with open(path, encoding="utf-8", newline="") as handle:
        return [
            {key: (value if value != "" else None) for key, value in row.items()}
            for row in csv.DictReader(handle)
        ]


# ------------------------------------------------------------------ labels in the text

TABLE_NAMES = {"synthesis": "studies", "effects": "effects", "summary_of_findings": "sof"}


def labels_in_templates(sources: Iterable[str]) -> dict[str, str]:
    """Figures and tables the user's templates show themselves: the block label of each
    (``fig-forest``, ``tbl-studies``) mapped to the label the templates gave it. Blocks
    refer to those and do not show them a second time."""
    found: dict[str, str] = {}
    for text in sources:
        for label in LABEL_PATTERN.findall(text):
            found.setdefault(label, label)
        for name, label in FIGURE_EMBED.findall(text):
            if name in FIGURE_LABELS:
                found[FIGURE_LABELS[name]] = label
        for name, label in TABLE_EMBED.findall(text):
            if name in TABLE_NAMES:
                found[TABLE_LABELS[TABLE_NAMES[name]]] = label
        for name in BLOCK_PATTERN.findall(text):
            if name in BLOCK_DEFINES:
                found.setdefault(BLOCK_DEFINES[name], BLOCK_DEFINES[name])
    return found


#: `![caption]({{ figures.forest }}){#fig-x}` and `{{ tables.synthesis }}` + `: caption {#tbl-x}`.
FIGURE_EMBED = re.compile(r"\{\{\s*figures\.(\w+)\s*\}\}\)\{#((?:fig|tbl)-[A-Za-z0-9_-]+)")
TABLE_EMBED = re.compile(r"\{\{\s*tables\.(\w+)\s*\}\}\s*\n:[^\n]*?\{#(tbl-[A-Za-z0-9_-]+)")


# ----------------------------------------------------------------------- rendering


#: The sentences used for a language whose blocks have not been translated yet.
FALLBACK_LANGUAGE = "en"


def block_folder(language: str) -> Path:
    """reviewkit/text/<language>/, or the English blocks for a language that has a
    message catalogue but no translated blocks yet (a warning says so once)."""
    folder = TEXT_DIR / language
    if folder.is_dir():
        return folder
    _warn_untranslated(language)
    return TEXT_DIR / FALLBACK_LANGUAGE


@cache
def _warn_untranslated(language: str) -> None:
    import logging

    logging.getLogger(__name__).warning(
        "the generated text blocks have no %s translation yet: their sentences are English "
        "(translate reviewkit/text/%s/ into reviewkit/text/%s/)",
        language,
        FALLBACK_LANGUAGE,
        language,
    )


def block_names(language: str) -> list[str]:
    """The blocks of a language: the file names (without .md) of reviewkit/text/<lang>/."""
    return sorted(path.stem for path in block_folder(language).glob("*.md"))


def tidy(text: str) -> str:
    """Paragraphs of a rendered block: the lines of a paragraph joined with one space (a
    line that starts with a number can then never become a list item), a figure, and a
    table with its caption, each a paragraph of its own; nothing else changes."""
    blocks: list[str] = []
    paragraph: list[str] = []
    table: list[str] = []

    def flush() -> None:
        if paragraph:
            joined = re.sub(r" {2,}", " ", " ".join(paragraph))
            blocks.append(re.sub(r" +([,.;:)])(?=\s|$)", r"\1", joined))
            paragraph.clear()
        if table:
            blocks.append("\n".join(table))
            table.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("|") or (table and line.startswith(": ")):
            if paragraph:
                flush()
            table.append(raw.rstrip())
        elif line.startswith("!["):
            flush()
            blocks.append(line)
        else:
            if table:
                flush()
            paragraph.append(line)
    flush()
    return "\n\n".join(blocks)


def block_filters(language: str) -> dict:
    """The filters the blocks use, bound to the language."""
    return {
        "term": lambda key, **fields: term(key, language, **fields),
        "count": lambda n, name: count_text(n, name, language),
        "noun": lambda n, name: noun(n, name, language),
        "and_list": lambda items, serial=False: join_markdown(items, language, serial),
        "cite": citations,
        "date": lambda value: date_text(value, language),
        "measure": lambda code: measure_name(code, language),
        "pooled_measure": lambda code: measure_name(code, language, pooled=True),
        "column": lambda name: column_name(name, language),
        "cell": lambda group: table_estimate(group, language),
        "pooled_value": lambda result, measure: format_number(
            (_exp if is_ratio(measure) else float)(result["estimate"]), language, 2
        ),
        "pooled_code": pooled_code,
        "pipe_rule": pipe_rule,
        "ucfirst": lambda text: (
            Markdown(text[:1].upper() + text[1:])
            if isinstance(text, Markdown)
            else text[:1].upper() + text[1:]
        ),
        "pooled": lambda entry, decimals=2, extra="": estimate_text(
            entry, language, decimals, extra
        ),
        "span": lambda low, high, decimals=2, measure=None: interval_text(
            low, high, language, decimals, measure
        ),
        "num": lambda value, decimals=None: format_number(value, language, decimals),
        "pct": lambda value, decimals=0: format_percent(value, language, decimals),
        # A p-value the synthesis computed (three decimals at most) and one a study reported.
        "p": lambda value, operator="=": format_computed_p(value, language, operator),
        "p_reported": lambda value, operator="=": format_p(value, operator, language),
        "md": Markdown,
    }


class Exhibits:
    """Figures and tables for the blocks: whether one can be shown, its embed, and a
    reference to it under the label the document uses."""

    def __init__(self, context: Mapping, language: str, elsewhere: Mapping[str, str]):
        self.figures = dict(context.get("figures") or {})
        self.measures = sorted(
            {str(row["measure"]) for row in context.get("effects") or [] if row.get("measure")}
        )
        self.tables = dict(context.get("tables") or {})
        self.language = language
        self.elsewhere = dict(elsewhere)
        # A large review (reviewkit.large_review): figures drawn by design and group, a
        # summary table as Table 1, the traffic light of every study left out.
        self.aggregated = bool((context.get("large_review") or {}).get("per_study_in_supplement"))
        synthesis = context.get("synthesis") or {}
        level = synthesis.get("settings", {}).get("confidence_level")
        rob = synthesis.get("risk_of_bias") or {}
        # Captions name open markers only when some are drawn.
        self.notes = {
            "forest": bool((synthesis.get("flags") or {}).get("p_inequality")),
            "albatross": bool((context.get("p_reporting") or {}).get("inequality")),
        }
        self.fields = {
            # captions with a level belong to the synthesis, which always records it
            "level": format_percent(level, language) if level is not None else "",
            "tool": rob.get("tool") or "",
            "min": format_number(
                (synthesis.get("thresholds") or {}).get(
                    "small_study_min_studies", MIN_STUDIES_SMALL_STUDY
                ),
                language,
            ),
        }

    def label(self, name: str) -> str:
        return FIGURE_LABELS.get(name) or TABLE_LABELS[name]

    def exists(self, name: str) -> bool:
        """The figure was drawn / the table has content in this build."""
        if name in FIGURE_LABELS:
            if self.aggregated and name in LEFT_OUT_WHEN_AGGREGATED:
                return False
            return name in self.figures
        source = {v: k for k, v in TABLE_NAMES.items()}[name]
        return bool(str(self.tables.get(source) or "").strip())

    def shown_elsewhere(self, name: str) -> bool:
        return self.label(name) in self.elsewhere

    def show(self, name: str) -> bool:
        """Whether a block that has data for this exhibit embeds it itself."""
        return self.exists(name) and not self.shown_elsewhere(name)

    def ref(self, name: str) -> Markdown:
        """'@fig-forest' (or the user's own label for the same figure)."""
        return Markdown("@" + self.elsewhere.get(self.label(name), self.label(name)))

    def can_ref(self, name: str) -> bool:
        """Whether the document will hold it: shown by the user's templates, or by the
        block that refers to it (the effects table is shown only by its own block)."""
        if name in SHOWN_BY_OTHER_BLOCK:
            if self.aggregated and name in TABLE_NAMES.values() and not self.exists(name):
                # a per-study table of a large review: in the supplement instead
                return False
            return self.shown_elsewhere(name)
        return self.exists(name) or self.shown_elsewhere(name)

    def embed(self, name: str) -> Markdown:
        label = self.label(name)
        if name in FIGURE_LABELS:
            key = f"{name}_aggregated" if self.aggregated and name in AGGREGATED_FIGURES else name
            caption = term(f"captions.{key}", self.language, **self.fields)
            if self.notes.get(name) and not (self.aggregated and name in AGGREGATED_FIGURES):
                caption = Markdown(f"{caption} {term(f'captions.{name}_open', self.language)}")
            return Markdown(f"![{caption}]({self.figures[name]}){{#{label}}}")
        source = {v: k for k, v in TABLE_NAMES.items()}[name]
        summary = "_summary" if self.aggregated and name == "studies" else ""
        caption = term(f"captions.table_{name}{summary}", self.language, **self.fields)
        if name == "effects":  # the measure codes the table shows, and nothing else
            names = [
                term(
                    "captions.abbreviation",
                    self.language,
                    code=code,
                    name=measure_name(code, self.language),
                )
                for code in self.measures
            ]
            abbreviations = "; ".join([*names, term("captions.ci", self.language)])
            caption = Markdown(f"{caption} {abbreviations}.")
        return Markdown(f"{str(self.tables[source]).rstrip()}\n: {caption} {{#{label}}}")


@cache
def block_environment(language: str, vocabulary: str = "null"):
    """The Jinja environment of the blocks of one language and vocabulary (JSON of
    summary.json's `vocabulary`, for the design and outcome labels), with the block
    filters; made once per process, so that its compiled templates are reused."""
    from reviewkit.templating import keep_compiled_templates, make_environment
    from reviewkit.vocabulary import Vocabulary

    words_of_review = Vocabulary.from_config(json.loads(vocabulary))
    environment = make_environment(block_folder(language), language, words_of_review)
    environment.trim_blocks = True
    environment.lstrip_blocks = True
    environment.filters.update(block_filters(language))
    keep_compiled_templates(environment, block_folder(language))
    return environment


def render_blocks(
    context: Mapping, language: str, labels_elsewhere: Mapping[str, str] | Iterable[str] = ()
) -> dict[str, Markdown]:
    """Every block of ``language`` rendered with the user's template context."""
    vocabulary = json.dumps(context.get("vocabulary"), sort_keys=True)
    environment = block_environment(language, vocabulary)
    effects = list(context.get("effects") or [])
    if not isinstance(labels_elsewhere, Mapping):
        labels_elsewhere = {label: label for label in labels_elsewhere}
    exhibits = Exhibits(context, language, labels_elsewhere)
    direction = dict(context.get("direction") or {})
    comparisons = dict(context.get("by_comparison") or {})
    facts = {
        **context,
        # Every count the blocks test, 0 when the summary leaves it out.
        "direction": {**dict.fromkeys(DIRECTIONS, 0), **direction},
        "by_comparison": {**dict.fromkeys(("between", "within", "unclear"), 0), **comparisons},
        "n_comparison_kinds": sum(1 for k in comparisons.values() if k),
        "direction_within": dict(context.get("direction_within") or {}),
        "years": {"min": None, "max": None, "n_missing": 0, **(context.get("years") or {})},
        "large_review": {"per_study_in_supplement": False, **(context.get("large_review") or {})},
        "n_rct": int((context.get("by_design") or {}).get("rct", 0)),
        "syn": synthesis_facts(context.get("synthesis") or {}, effects, language),
        "search": search_facts(context.get("prisma")),
        "exhibit": exhibits,
        "MAX_CITED": MAX_CITED,
    }
    blocks = {}
    for name in block_names(language):
        try:
            text = environment.get_template(f"{name}.md").render(facts)
        except Exception as error:
            raise RuntimeError(f"reviewkit/text/{language}/{name}.md: {error}") from error
        blocks[name] = Markdown(tidy(text))
    return blocks
