"""The helpers of the generated text blocks: words, numbers, citations, reasons, labels."""

from __future__ import annotations

import math
import re

import pytest

from reviewkit import pooling
from reviewkit.numfmt import format_computed_p
from reviewkit.text_blocks import (
    NO_EFFECT_REASONS,
    POOLED_GROUPS,
    TEXT_DIR,
    block_names,
    citations,
    column_name,
    count_text,
    date_text,
    estimate_text,
    join_words,
    labels_in_templates,
    measure_name,
    no_effect_reason,
    not_pooled_reason,
    pipe_rule,
    search_facts,
    sensitivity_summary,
    sensitivity_table,
    table_estimate,
    tidy,
)


def plain(text: str) -> str:
    """Markdown escapes removed: numbers inside the tool's Markdown are escaped as
    literal text (reviewkit.safe_markdown)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


def test_singular_and_plural_by_language():
    assert count_text(1, "study", "en") == "1 study"
    assert count_text(2, "study", "en") == "2 studies"
    assert count_text(1234, "participant", "en") == "1,234 participants"
    assert count_text(1234, "participant", "id") == "1.234 partisipan"
    assert count_text(1, "study", "id") == "1 studi"
    assert count_text(119.5, "participant", "en") == "119.5 participants"  # a median, not cut


def test_lists_joined_the_way_each_language_writes_them():
    assert join_words(["a"], "en") == "a"
    assert join_words(["a", "b"], "en") == "a and b"
    assert join_words(["a", "b", "c"], "en") == "a, b and c"
    assert join_words(["a", "b", "c"], "id") == "a, b dan c"
    assert join_words(["x, y", "z", "w"], "en", serial=True) == "x, y; z; and w"
    assert join_words(["x", "y"], "id", serial=True) == "x dan y"


def test_dates_in_words():
    assert date_text("2024-05-01", "en") == "1 May 2024"
    assert date_text("2024-08-17", "id") == "17 Agustus 2024"


def test_citations_are_parenthetical_groups_of_valid_keys():
    assert citations(["dewi2020", "siregar2020"]) == "[@dewi2020; @siregar2020]"
    assert citations(["a-"]) == "[@{a-}]"
    with pytest.raises(ValueError):
        citations(["not a key"])


def test_ratio_measures_are_named_and_reported_on_their_own_scale():
    assert measure_name("logOR", "en") == "log odds ratio"
    assert measure_name("logOR", "en", pooled=True) == "odds ratio"
    assert measure_name("logRR", "id", pooled=True) == "rasio risiko"
    assert measure_name("SMD", "en", pooled=True) == "Hedges' g"
    entry = {
        "measure": "logRR",
        "estimate": math.log(0.5),
        "ci_low": math.log(0.25),
        "ci_high": math.log(1.0),
        "level": 0.95,
    }
    assert plain(estimate_text(entry, "en")) == "0.50 (95% CI 0.25 to 1.00)"
    expected = "-0,69 (IK 95%: -1,39 hingga 0,00)"
    assert plain(estimate_text({**entry, "measure": "SMD"}, "id")) == expected


def test_every_reason_pooling_records_has_a_code():
    """The reasons reviewkit.pooling writes are all known to the blocks (an unknown one
    would be printed as 'see synthesis.json', which the varied-data test forbids)."""
    recorded = [
        pooling.REASON_NO_DATA,
        pooling.REASON_NO_DIRECTION,
        pooling.REASON_NO_CONTROL_STATED,
        pooling.REASON_NOT_COUNTED,
        pooling.REASON_CATEGORICAL,
        pooling.REASON_INDEPENDENT_PREPOST,
        *pooling.REFUSED_TESTS.values(),
    ]
    codes = [no_effect_reason(reason) for reason in recorded]
    assert "other" not in codes and len(set(codes)) == len(recorded)
    assert set(NO_EFFECT_REASONS) == set(recorded)
    assert no_effect_reason("no effect size: n must be at least 3") == "refused"
    assert not_pooled_reason({"pooled": True}) is None
    assert not_pooled_reason({"pooled": False, "k_with_effect": 0}) == "no_effects"
    for reason, code in (
        ("effects use different measures", "mixed_measures"),
        ("meta-analysis switched off in config.yaml", "switched_off"),
        ("fewer than 3 studies with an effect size", "too_few"),
    ):
        assert not_pooled_reason({"pooled": False, "k_with_effect": 2, "reason": reason}) == code
    assert tuple(pooling.POOLED_GROUPS) == POOLED_GROUPS


def test_labels_shown_by_the_users_templates_are_found():
    source = (
        "{{ tables.synthesis }}\n: My table. {#tbl-mine}\n\n"
        "![A forest.]({{ figures.forest }}){#fig-my-forest}\n\n{{ auto.effects_table }}"
    )
    assert labels_in_templates([source]) == {
        "tbl-mine": "tbl-mine",
        "tbl-studies": "tbl-mine",
        "fig-my-forest": "fig-my-forest",
        "fig-forest": "fig-my-forest",
        "tbl-effects": "tbl-effects",
    }


def test_tidy_joins_paragraph_lines_and_keeps_tables_and_figures_apart():
    text = (
        "One\n2024. sentence\n| a | b |\n|---|---|\n: Caption {#tbl-x}\n"
        "![F](f.png){#fig-f}\nAfter\n"
    )
    assert tidy(text) == (
        "One 2024. sentence\n\n| a | b |\n|---|---|\n: Caption {#tbl-x}\n\n"
        "![F](f.png){#fig-f}\n\nAfter"
    )
    assert tidy("word ,\nnext .") == "word, next."


def test_search_facts_never_invent_a_count():
    facts = search_facts(None)
    assert facts["provided"] is False and facts["identified"] is None
    assert facts["after_duplicates"] is None and facts["is_update"] is False


def test_every_language_has_the_same_blocks():
    assert block_names("en") == block_names("id")
    assert {"characteristics", "synthesis_results", "search_methods"} <= set(block_names("en"))


@pytest.mark.parametrize("path", sorted(TEXT_DIR.glob("*/*.md")), ids=lambda p: p.name)
def test_no_text_line_ends_in_a_block_tag(path):
    """With trim_blocks, the newline after a block tag is dropped: text on a line that
    ends in one would run into the next line's first word."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        if not stripped.endswith("%}") or stripped.startswith(("{% set ", "{##")):
            continue
        silent = re.sub(r"\{% set \w+ %\}.*?\{% endset %\}", "", stripped)  # prints nothing
        text = re.sub(r"\{%.*?%\}|\{\{.*?\}\}", "", silent).strip()
        assert not text, f"{path}:{number}: text before a block tag at the end of the line"


def test_computed_p_values_have_three_decimals_at_most():
    """APA 7 (6.36): exact p to two or three decimals, p < .001 below that. A sign test of
    4 of 4 studies has p = 2 * 0.5**4 = 0.125 exactly; of 5 of 5, 0.0625 (shown 0.063,
    half up); metafor's regtest for dat.bcg gives p = 0.1887 (shown 0.189)."""
    assert format_computed_p(0.125, "en") == "p = 0.125"
    assert format_computed_p(0.0625, "id") == "p = 0,063"
    assert format_computed_p(0.1887, "en") == "p = 0.189"
    assert format_computed_p(0.5, "id") == "p = 0,50"  # two decimals at least
    assert format_computed_p(0.0009, "en") == "p < 0.001"
    assert format_computed_p(0.0010000000000000026, "en") == "p = 0.001"
    assert format_computed_p(0.0005, "id", "<") == "p < 0,0005"  # a bound is printed as reported


def test_columns_are_named_in_words_never_by_their_code():
    assert column_name("design_as_reported", "en") == "design as reported"
    assert column_name("n_total", "id") == "besar sampel"
    assert column_name("x_latitude", "en") == "latitude"
    assert column_name("x_dose_minutes", "id") == "dose minutes"


def _group(name, k, estimate=None, measure="SMD", low=-0.1, high=0.3):
    pooled = estimate is not None
    result = {"estimate": estimate, "ci_low": low, "ci_high": high, "level": 0.95}
    return {
        "name": name,
        "k": k,
        "pooled": pooled,
        "measure": measure,
        "result": result if pooled else None,
    }


def test_sensitivity_summary_gives_one_range_per_group_with_the_analyses_behind_it():
    """One sentence per comparison group: the lowest and highest estimate and which
    analysis gave them, the analyses that could not pool it, and whether the group was
    pooled at all in the main analysis (a sensitivity-only estimate is never a main one)."""
    main = [_group("between", 2)]  # main analysis: 2 effects, not pooled
    analyses = [
        {
            "kind": "untested_p_included",
            "n_changed": 5,
            "groups": [_group("between", 8, 0.11), _group("within", 1)],
        },
        {"kind": "without_p_bounds", "n_changed": 1, "groups": [_group("between", 7, 0.09)]},
        {"kind": "groups_2_to_1", "n_changed": 6, "groups": [_group("between", 8, 0.12)]},
        {"kind": "comparison_as_within_arm", "n_changed": 8, "groups": [_group("between", 2)]},
    ]
    summary, never = sensitivity_summary(main, analyses)
    (between,) = summary
    assert between["main"] is None  # pooled only in sensitivity analyses
    assert (between["low"]["kind"], between["high"]["kind"]) == (
        "without_p_bounds",
        "groups_2_to_1",
    )
    assert not between["same"]
    assert [u["kind"] for u in between["unpooled"]] == ["comparison_as_within_arm"]
    assert never == ["within"]  # had effect sizes in an analysis, pooled in none
    # The same numbers in every analysis that pooled it: one value, not a range.
    same = [
        {"kind": k, "n_changed": 1, "groups": [_group("within", 3, 0.57)]}
        for k in ("untested_p_included", "groups_2_to_1")
    ]
    (within,), _ = sensitivity_summary([], same)
    assert within["same"] and within["main"] is None


def test_sensitivity_table_rows_and_cells():
    outcome = {
        "code": "main",
        "label": None,
        "groups": [_group("between", 4, 0.30)],
        "sensitivity": [
            {"kind": "without_p_bounds", "n_changed": 2, "groups": [_group("between", 2)]}
        ],
        "correlation": [],
    }
    table = sensitivity_table([outcome])
    assert [row["kind"] for row in table["rows"]] == ["main", "without_p_bounds"]
    assert table["columns"] == ["between"] and table["measures"] == ["SMD"]
    assert not table["rows"][1]["cells"]["between"]["pooled"]
    assert sensitivity_table([{**outcome, "sensitivity": []}])["rows"] == []
    ratio = _group("between", 4, math.log(0.5), "logRR", math.log(0.25), math.log(1.0))
    assert table_estimate(ratio, "en") == "RR 0.50 [0.25, 1.00]"
    assert table_estimate(_group("within", 3, 0.57, "SMCC", 0.07, 1.08), "id") == (
        "SMCC 0,57 [0,07; 1,08]"
    )


def test_a_block_table_gets_column_widths_from_its_content():
    """The sensitivity table's separator line, as Table 1's: a column of long labels is
    wider than a column of one-digit counts, which is aligned right."""
    lines = [
        "| Analysis | Studies changed | Between |",
        "| With unstated comparisons read as tests within the intervention group | 1 | – |",
        "| Main analysis | – | SMD 0.30 \\[0.10, 0.50\\], k = 4 |",
    ]
    rule = pipe_rule(lines, right=[1])
    first, second, third = rule.strip("|").split("|")
    assert first.startswith(":") and second.endswith(":") and third.startswith(":")
    assert len(first) > len(third) > len(second)
