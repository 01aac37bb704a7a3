"""Updates never make a sentence false: the text for many varied study tables.

Each case is a study table (0, 1, 2, 3, 10, 200 studies; every design; no p-values;
only bound p-values; event counts as OR, RR and RD; mixed measures in a group; one
direction only; unclear and missing directions; meta-analysis off; k = 2 pooled) with
a search record or none. For each, the data step's own functions (validation,
summary, synthesis, as reviewkit.prepare runs them) give the JSON, and the generated
blocks, the example review's templates, the BCG example's and both scaffolds are
rendered with it. Then, for every text: no None/nan/empty placeholder/template
syntax; every figure or table referred to exists once; singular and plural agree;
"kedua"/"both"/"the two" only when two things exist; and the counts, the measure
named, the pooled estimate and every reason stated equal synthesis.json,
summary.json and prisma.json, which the test reads independently of the blocks.

Fast on purpose (no pandoc, no Snakemake): the studies are rendered in-process.
"""

from __future__ import annotations

import json
import math
import random
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import write_rows
from two_outcomes import VOCABULARY, write_tables

from reviewkit.i18n import section
from reviewkit.manuscript import render_manuscript, template_context
from reviewkit.numfmt import format_number
from reviewkit.paths import STUDIES_SCHEMA, SUMMARY_OF_FINDINGS_SCHEMA, TOOL_DIR
from reviewkit.prepare import prepare_data
from reviewkit.scaffold import SCAFFOLD_DIR, study_columns
from reviewkit.search.prisma import SCREENING_KEYS
from reviewkit.text_blocks import column_name, read_effects, render_blocks

# every column of the study table, in the order the scaffold writes its header
COLUMNS = study_columns()
CONTROLLED = ["rct", "quasi_controlled", "static_group"]
UNCONTROLLED = ["one_group_prepost", "pre_experimental"]
UNCLEAR = ["quasi_prepost", "quasi_unspecified"]
DESIGNS = CONTROLLED + UNCLEAR + UNCONTROLLED
FIGURES = ["studies_by_year", "sample_sizes", "effect_direction", "before_after", "forest"]
FIGURES += ["albatross"]


# ------------------------------------------------------------------ study tables


def study(number: int, rng: random.Random, kind: str, **cells: str) -> dict:
    """One clearly synthetic study row of a kind: p_between, p_within, p_unclear,
    events, means, none."""
    design = {
        "p_between": rng.choice(CONTROLLED),
        "events": rng.choice(CONTROLLED),
        "means": rng.choice(CONTROLLED),
        "p_within": rng.choice(UNCONTROLLED),
        "p_unclear": rng.choice(UNCLEAR),
        "none": rng.choice(DESIGNS),
    }[kind]
    n = rng.randint(12, 300)
    row = dict.fromkeys(COLUMNS, "")
    row.update(
        id=f"trial{number:06d}",
        authors=f"Trial {number}",
        year=str(rng.randint(2014, 2024)),
        design=design,
        n_total=str(n),
        effect_direction=rng.choice(["increase"] * 5 + ["decrease", "no_change", "unclear"]),
        main_result=f"Synthetic result {number}.",
    )
    if kind in ("events", "means") or (kind == "p_between" and rng.random() < 0.5):
        n1 = n // 2 + rng.randint(0, n // 4)
        row.update(n_intervention=str(n1), n_control=str(n - n1))
    if kind == "events":
        row.update(
            events_intervention=str(rng.randint(0, int(row["n_intervention"]))),
            events_control=str(rng.randint(0, int(row["n_control"]))),
        )
    if kind == "means":
        row.update(
            mean_intervention=f"{rng.uniform(10, 20):.1f}",
            sd_intervention=f"{rng.uniform(2, 6):.1f}",
            mean_control=f"{rng.uniform(8, 18):.1f}",
            sd_control=f"{rng.uniform(2, 6):.1f}",
        )
    if kind.startswith("p_"):
        if rng.random() < 0.6:
            p = round(rng.uniform(0.001, 0.6), 3)
            row.update(p_operator="=", p_value=str(p), p_as_reported=f"p = {p}")
        else:
            row.update(p_operator="<", p_value="0.05", p_as_reported="p < 0.05")
        if row["effect_direction"] in ("no_change",):
            row["effect_direction"] = "increase"
    if rng.random() < 0.3:
        before = round(rng.uniform(1, 300), 1)
        row.update(
            values_group="intervention" if design in CONTROLLED else "single_group",
            value_before=str(before),
            value_after=str(round(before * rng.uniform(0.8, 3), 1)),
            value_unit=rng.choice(["ml", "cc", "l", "ml/hari"]),
        )
    row.update(cells)
    return row


def table(seed: int, kinds: list[str], **cells: str) -> list[dict]:
    """Rows of the given kinds; the seed also numbers them, so tables joined together
    keep distinct ids."""
    rng = random.Random(seed)
    return [study(seed * 1000 + i, rng, kind, **cells) for i, kind in enumerate(kinds, start=1)]


def mixed(seed: int, n: int) -> list[dict]:
    rng = random.Random(seed)
    kinds = ["p_between", "p_within", "p_unclear", "events", "means", "none"]
    return [study(i, rng, rng.choice(kinds)) for i in range(1, n + 1)]


def own_columns(seed: int) -> list[dict]:
    """12 trials with means and two columns of the review's own: a setting (subgroups)
    and a dose (meta-regression), named in the text without their x_ prefix."""
    rows = table(seed, ["means"] * 12)
    for number, row in enumerate(rows):
        row.update(
            x_setting=("hospital", "community")[number % 2],
            x_dose_minutes=str(15 * (1 + number % 4)),
        )
    return rows


def prisma(ids: list[str], screening: bool, previous: int | None = None) -> dict:
    """A prisma.json of the documented layout (docs/search.md) for these study ids."""
    identified = {"total": 412, "by_source": {"Garuda": 150, "PubMed": 262}}
    counts = {
        "search_provided": True,
        "screening_recorded": screening,
        "identified": identified,
        "duplicates_removed": 40,
        "other_removed": 0,
        "sources": [
            {
                "file": "a.ris",
                "database": "Garuda",
                "kind": "database",
                "records": 150,
                "date": "2024-05-01",
                "query": "pijat oksitosin",
                "format": "ris",
            },
            {
                "file": "b.nbib",
                "database": "PubMed",
                "kind": "database",
                "records": 262,
                "date": "2024-05-02",
                "query": None,
                "format": "medline",
            },
        ],
        "last_search_date": "2024-05-02",
        "deduplication": {"threshold": 95.0, "by_rule": {"doi": 30, "title_year": 10}},
    }
    empty = dict.fromkeys([*SCREENING_KEYS, "included_study_ids"])
    counts.update(empty)
    if screening:
        reports = len(ids) + 1 if ids else 0
        counts.update(
            screened=372,
            excluded_screening=372 - (reports + 7),
            sought=reports + 7,
            not_retrieved=2,
            assessed=reports + 5,
            excluded_full_text={"total": 5, "by_reason": {"wrong outcome": 3, "no control": 2}},
            included_reports=reports,
            included_studies=len(ids),
            included_study_ids=list(ids),
        )
    if previous is not None:
        counts.update(
            previous_studies=previous,
            previous_reports=previous,
            total_studies=previous + len(ids) if screening else None,
            total_reports=previous + (counts["included_reports"] or 0) if screening else None,
        )
    return counts


CASES = {
    "no studies": ([], {}, None),
    "no studies, search without screening": ([], {}, "search"),
    "one study with events": (table(1, ["events"]), {}, None),
    "one study with a p-value": (table(2, ["p_between"]), {}, "screened"),
    "one study without numbers": (table(3, ["none"]), {}, None),
    "two between-group effects": (table(4, ["p_between", "p_between"]), {}, None),
    "three between-group effects": (table(5, ["p_between"] * 3), {}, None),
    "k = 2 pooled": (table(6, ["means", "means"]), {"min_studies_to_pool": 2}, None),
    "mixed measures in a group": (table(7, ["events"] * 3 + ["means"] * 3), {}, None),
    "16 trials as odds ratios": (table(8, ["events"] * 16), {"binary_measure": "OR"}, "search"),
    "event counts as risk ratios": (table(9, ["events"] * 6), {"binary_measure": "RR"}, None),
    "event counts as risk differences": (table(10, ["events"] * 5), {"binary_measure": "RD"}, None),
    "no p-values at all": (table(11, ["none"] * 7), {}, None),
    "only bound p-values": (
        table(
            12,
            ["p_between"] * 4 + ["p_within"] * 4,
            p_operator="<",
            p_value="0.05",
            p_as_reported="p < 0.05",
        ),
        {},
        None,
    ),
    "one direction only, decrease favoured": (
        table(13, ["p_between"] * 5 + ["none"] * 2, effect_direction="decrease"),
        {"favoured_direction": "decrease"},
        None,
    ),
    "unclear directions": (
        table(14, ["p_between", "p_within", "none"] * 2, effect_direction="unclear"),
        {},
        None,
    ),
    "missing directions": (
        table(15, ["p_between", "none", "events"] * 2, effect_direction=""),
        {},
        None,
    ),
    "meta-analysis off": (table(16, ["means"] * 5), {"meta_analysis": False}, None),
    "heterogeneous means": (table(17, ["means"] * 10), {}, "screened"),
    "ten mixed studies": (mixed(18, 10), {}, None),
    "ten mixed studies, updated review": (mixed(19, 10), {}, "update"),
    "within and between pooled": (table(20, ["p_between"] * 4 + ["p_within"] * 4), {}, None),
    "200 mixed studies": (mixed(21, 200), {}, "screened"),
    "years missing": (table(22, ["p_between"] * 3 + ["none"], year=""), {}, None),
    "chi-square and rank-test p-values": (
        table(23, ["p_between"] * 2, p_test="chi2")
        + table(24, ["p_between"] * 2, p_test="mann_whitney")
        + table(25, ["p_within"] * 2, p_test="wilcoxon"),
        {},
        None,
    ),
    "tests stated, untested p in the main analysis": (
        table(26, ["p_between"] * 3, p_test="independent_t")
        + table(27, ["p_within"] * 3, p_test="paired_t")
        + table(28, ["p_between"] * 2),
        {"untested_p": "main"},
        None,
    ),
    "within-arm changes of controlled studies": (
        table(
            29,
            ["p_between"] * 4,
            p_comparison="within_group",
            direction_within="increase",
            effect_direction="",
        ),
        {},
        None,
    ),
    "control not stated read as within": (
        table(30, ["p_unclear"] * 4),
        {"control_not_stated": "within_group"},
        None,
    ),
    "two outcomes per study": ("two outcomes", {"favoured_direction": "decrease"}, None),
    "common-effect model": (table(31, ["events"] * 6), {"estimator": "FE"}, None),
    "Mantel-Haenszel": (table(32, ["events"] * 6), {"binary_method": "mantel_haenszel"}, None),
    "Peto odds ratio": (
        table(33, ["events"] * 5),
        {"binary_method": "peto", "binary_measure": "OR"},
        None,
    ),
    "ratio of means": (table(34, ["means"] * 5), {"continuous_measure": "ROM"}, None),
    "mean differences without units": (
        table(35, ["means"] * 4),
        {"continuous_measure": "MD"},
        None,
    ),
    "mean differences in one unit": (
        table(36, ["means"] * 4, mean_unit="ml"),
        {"continuous_measure": "MD"},
        None,
    ),
    "Paule-Mandel, metafor prediction, no Knapp-Hartung": (
        table(37, ["means"] * 5),
        {"estimator": "PM", "prediction": "metafor", "knapp_hartung": False},
        None,
    ),
    "12 trials with subgroups and a moderator": (
        table(38, ["means"] * 12),
        {"subgroup": "design", "moderator": "n_total"},
        None,
    ),
    "subgroups and a moderator in the review's own columns": (
        own_columns(39),
        {"subgroup": "x_setting", "moderator": "x_dose_minutes"},
        None,
    ),
}


# ------------------------------------------------------------------ the data step


def data_step(tmp_path: Path, rows, settings: dict, search: str | None) -> dict:
    """The JSON and tables the render step reads, written by the data step itself
    (reviewkit.prepare.prepare_data, as rule prepare_data runs it)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "studies.csv"
    vocabulary, outcomes = {}, None
    if rows == "two outcomes":
        path, outcome_table = write_tables(tmp_path)
        vocabulary, outcomes = VOCABULARY, str(outcome_table)
        with open(path, encoding="utf-8") as handle:
            ids = [line.split(",")[0] for line in handle.read().splitlines()[1:]]
    elif rows:
        write_rows(path, rows)
        ids = [row["id"] for row in rows]
    else:
        path.write_text(",".join(COLUMNS) + "\n", encoding="utf-8")
        ids = []
    bibliography = tmp_path / "references.bib"
    bibliography.write_text(
        "".join(f"@misc{{{key},\n  title = {{Synthetic {key}}},\n}}\n" for key in ids),
        encoding="utf-8",
    )
    names = "studies results summary synthesis study_table_csv study_table_md effects_csv"
    outputs = {
        name: tmp_path / name for name in [*names.split(), "effects_md", "summary_of_findings"]
    }
    prepare_data(
        studies=path,
        bibliography=bibliography,
        schema=STUDIES_SCHEMA,
        inclusion={"year_from": 1900, "year_to": 2100},
        language="en",
        synthesis_settings=settings,
        rob_tool="none",
        summary_of_findings=None,
        sof_schema=SUMMARY_OF_FINDINGS_SCHEMA,
        outputs=outputs,
        vocabulary=vocabulary,
        outcomes=outcomes,
    )
    counts = {
        None: None,
        "search": prisma(ids, screening=False),
        "screened": prisma(ids, screening=True),
        "update": prisma(ids, screening=True, previous=15),
    }[search]
    return {
        "summary": json.loads(outputs["summary"].read_text("utf-8")),
        "synthesis": json.loads(outputs["synthesis"].read_text("utf-8")),
        "effects": pd.read_csv(outputs["effects_csv"]),
        "effect_rows": read_effects(outputs["effects_csv"]),
        "tables": {
            "synthesis": outputs["study_table_md"].read_text("utf-8"),
            "effects": outputs["effects_md"].read_text("utf-8"),
            "summary_of_findings": "",
        },
        "prisma": counts,
        "ids": ids,
    }


def context(data: dict, language: str) -> dict:
    from reviewkit.search.prisma import prisma_counts

    figures = {name: f"results/figures/{name}.png" for name in FIGURES}
    if data["prisma"]:
        figures["prisma_flow"] = "results/figures/prisma_flow.png"
    return template_context(
        summary={
            **data["summary"],
            "synthesis": data["synthesis"],
            "prisma": data["prisma"] or prisma_counts(None, None, None),
        },
        inclusion={"year_from": 2014, "year_to": 2024},
        tables=data["tables"],
        figures=figures,
        effects=data["effect_rows"],
    )


BIB_KEYS = set(
    re.findall(r"@\w+\{([^,\s]+),", (TOOL_DIR / "data" / "references.bib").read_text("utf-8"))
    + re.findall(
        r"@\w+\{([^,\s]+),",
        (TOOL_DIR / "examples" / "bcg" / "data" / "references.bib").read_text("utf-8"),
    )
)
MANUSCRIPTS = {
    "example (id)": (TOOL_DIR / "manuscript", "id"),
    "BCG example (en)": (TOOL_DIR / "examples" / "bcg" / "manuscript", "en"),
    "scaffold (id)": (SCAFFOLD_DIR / "id" / "manuscript", "id"),
    "scaffold (en)": (SCAFFOLD_DIR / "en" / "manuscript", "en"),
}


@pytest.fixture(scope="module", params=list(CASES))
def case(request, tmp_path_factory):
    rows, settings, search = CASES[request.param]
    data = data_step(tmp_path_factory.mktemp("case"), rows, settings, search)
    texts = {}
    for language in ("id", "en"):
        blocks = render_blocks(context(data, language), language)
        texts.update({(language, name): str(text) for name, text in blocks.items()})
    documents = {}
    for name, (folder, language) in MANUSCRIPTS.items():
        keys = BIB_KEYS | set(data["ids"])
        documents[name] = (
            render_manuscript(folder, context(data, language), language, keys, "references.bib"),
            language,
        )
    return request.param, data, texts, documents


# ------------------------------------------------------------------ reading the text


def plain(text: str) -> str:
    """Markdown escapes removed (a placeholder value is escaped as literal text)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


def number(text: str, language: str) -> float:
    """A number as the language writes it: '1.234,5' (id) or '1,234.5' (en)."""
    thousands, decimal = (".", ",") if language == "id" else (",", ".")
    return float(text.replace(thousands, "").replace(decimal, ".").replace("−", "-"))


def words(language: str) -> dict:
    return section(language, "blocks")


def formatted(value: float, language: str, measure: str | None) -> str:
    shown = math.exp(value) if measure in ("logRR", "logOR", "logROM") else value
    return format_number(shown, language, 2)


# ------------------------------------------------------------------ the checks


def test_no_empty_or_raw_values(case):
    name, _data, texts, documents = case
    every = {f"block {k}": v for k, v in texts.items()}
    every.update({doc: text for doc, (text, _lang) in documents.items()})
    for where, text in every.items():
        body = plain(text)
        stripped = re.sub(r"\{#[^}]*\}", "", body)
        # The authors' declarations ("competing-interests: None.") are not from the data.
        stripped = re.sub(r"(?ms)^declarations:\n(?:  .*\n)*", "", stripped)
        assert not re.search(r"\b(?:None|nan|NaN|inf|undefined)\b", stripped), f"{name}: {where}"
        for bad in ("{{", "}}", "{%", "%}", "()", "( )", "[]"):
            assert bad not in stripped, f"{name}: {where}: {bad!r}"
        for line in body.splitlines():
            if not line.startswith(("|", ":")):
                assert not re.search(r" [,.;:](?:\s|$)", line), f"{name}: {where}: {line}"
                assert "  " not in line.strip(), f"{name}: {where}: double space: {line}"
                prose = re.sub(r"@[\w:-]+|\{#[^}]*\}|\([^)]*\.(?:png|pdf)\)", "", line)
                glued = re.search(r"[a-z)]\.[A-Z]|\d[a-z]{3,}|[a-z]{3,}\d", prose)
                assert not glued, f"{name}: {where}: words run together: {glued.group(0)}"


def test_every_reference_has_exactly_one_target(case):
    name, _data, _texts, documents = case
    for doc, (text, _language) in documents.items():
        defined = re.findall(r"\{#((?:fig|tbl)-[\w-]+)\}", text)
        assert len(defined) == len(set(defined)), f"{name}: {doc}: defined twice: {defined}"
        for label in re.findall(r"@((?:fig|tbl)-[\w-]+)", text):
            assert label in defined, f"{name}: {doc}: @{label} refers to nothing"


NOUNS = ("study", "participant", "record", "report", "effect size", "source", "result")
NOUNS += ("degree of freedom", "analysis", "p-value")
PLURALS = ("studies", "participants", "records", "reports", "effect sizes", "sources", "results")
PLURALS += ("degrees of freedom", "analyses", "p-values")
#: A count other than 1 (0, 2-9, 10 or more, with thousands separators) before a singular.
NOT_ONE = r"(?<![\d.,])(?:0|[2-9]|[1-9]\d{1,2}(?:,\d{3})+|\d{2,})"


def test_singular_and_plural_agree(case):
    name, _data, texts, documents = case
    english = [v for (lang, _), v in texts.items() if lang == "en"]
    english += [text for text, lang in documents.values() if lang == "en"]
    for text in english:
        body = plain(text)
        one_plural = re.findall(rf"(?<!− )(?<![\d.,])1 (?:{'|'.join(PLURALS)})\b", body)
        assert not one_plural, f"{name}: {one_plural}"
        many_singular = re.findall(rf"{NOT_ONE} (?:{'|'.join(NOUNS)})\b(?!s)", body)
        assert not many_singular, f"{name}: {many_singular}"


def outcomes(synthesis: dict) -> list[dict]:
    return [synthesis["outcomes"][code] for code in synthesis["outcome_order"]]


def outcome_text(text: str, synthesis: dict, code: str) -> str:
    """The part of a block about one outcome: with several outcomes each part starts
    with the outcome's name in bold."""
    order = synthesis["outcome_order"]
    if len(order) == 1:
        return text
    parts = re.split(r"\*\*[^*\n]+\.\*\*", text)[1:]
    assert len(parts) >= len(order), "every outcome has its own part"
    return parts[order.index(code)]


def pooled_groups(outcome: dict) -> list[str]:
    return [name for name in POOLED if outcome["groups"].get(name, {}).get("pooled")]


POOLED = ("between", "within_arm", "within")


def test_two_only_when_there_are_two(case):
    name, data, texts, _documents = case
    n_pooled = {len(pooled_groups(o)) for o in outcomes(data["synthesis"])} or {0}
    for (language, block), text in texts.items():
        body = plain(text)
        if language == "id":
            for match in re.finditer(r"\b[Kk]edua(?:nya)?\b[^.]*", body):
                sentence = match.group(0)
                assert sentence.startswith("Kedua estimasi"), f"{name}: {block}: {sentence}"
                assert 2 in n_pooled, f"{name}: {block}: {sentence}"
        else:
            if "two pooled estimates" in body:
                assert 2 in n_pooled, f"{name}: {block}"
            assert not re.search(r"\b(?:both|the two)\b(?! pooled estimates)", body, re.I), (
                f"{name}: {block}: 'both' or 'the two' in {body}"
            )
    if max(n_pooled) == 2:
        for language, phrase in (("en", "two pooled estimates"), ("id", "Kedua estimasi")):
            assert phrase in texts[(language, "synthesis_results")], name


#: What the text says, per language, as regular expressions: # is a number (its value is
#: checked), LABEL the name of a comparison group.
PHRASES = {
    "en": {
        "none yet": "No studies are included yet",
        "included": r"The review includes # stud",
        "participants": r"# participants?\b",
        "with effect": r"Effect sizes for the main analysis could be computed for # of "
        r"the # studies",
        "none with effect": r"No effect size for the main analysis could be computed from "
        r"(?:any of the # studies|the study)",
        "votes": r"In the LABEL, # of the # studies that reported a direction showed "
        r"(an increase|a decrease)",
        "combined": r"Combining the one-sided p-values of the LABEL \(# studies\)",
        "pooled": r"In the LABEL \(# stud(?:y|ies)\), the pooled (.+?) was (-?[\d.,]+) \(",
        "not pooled": r"In the LABEL, # effect sizes? (?:was|were) available and not pooled: "
        r"([^.]+(?:\.\d[^.]*)*)\.",
        "not provided": "were not provided",
        "identified": r"The searches identified # records",
        "duplicates": r"After # records had been removed as duplicates, # records remained",
        "not screened": "Screening has not been recorded yet",
        "screened": r"Of the # records screened, # (?:was|were) excluded",
        "update": r"The new searches added # stud(?:y|ies) \(# reports?\) to the #",
        "included in review": r"This left # stud(?:y|ies) \(# reports?\)",
    },
    "id": {
        "none yet": "Belum ada studi yang disertakan",
        "included": r"Tinjauan ini mencakup # studi",
        "participants": r"# partisipan\.",
        "with effect": r"Ukuran efek untuk analisis utama dapat dihitung untuk # dari # studi",
        "none with effect": r"(?:Tidak satu pun dari # studi|Studi tersebut tidak) memberikan",
        "votes": r"Pada LABEL, # dari # studi yang melaporkan arah efek menunjukkan "
        r"(peningkatan|penurunan)",
        "combined": r"Penggabungan nilai p satu sisi pada LABEL \(# studi\)",
        "pooled": r"Pada LABEL \(# studi\), estimasi gabungan (.+?) adalah (-?[\d.,]+) \(",
        "not pooled": r"Pada LABEL, tersedia # ukuran efek yang tidak digabungkan karena "
        r"([^.]+)\.",
        "not provided": "tidak disertakan",
        "identified": r"Pencarian menghasilkan # catatan",
        "duplicates": r"Setelah # catatan dihapus sebagai duplikat, tersisa # catatan",
        "not screened": "Penyaringan belum dicatat",
        "screened": r"Dari # catatan yang disaring, # dikeluarkan",
        "update": r"Pencarian baru menambahkan # studi \(# laporan\) pada # studi",
        "included in review": r"Akhirnya, # studi \(# laporan\)",
    },
}


def find(text: str, language: str, key: str, label: str = "") -> re.Match | None:
    pattern = PHRASES[language][key].replace("LABEL", re.escape(label))
    return re.search(pattern.replace("#", r"(\d[\d.,]*)"), plain(text))


def numbers(match: re.Match, language: str, *groups: int) -> list[float]:
    return [number(match.group(i), language) for i in groups]


def test_counts_equal_the_json(case):
    name, data, texts, _documents = case
    summary, synthesis = data["summary"], data["synthesis"]
    n = summary["n_studies"]
    for language in ("en", "id"):
        characteristics = texts[(language, "characteristics")]
        results = texts[(language, "synthesis_results")]
        short = words(language)["comparisons_short"]
        if n == 0:
            assert PHRASES[language]["none yet"] in characteristics, name
            continue
        assert numbers(find(characteristics, language, "included"), language, 1) == [n]
        participants = find(characteristics, language, "participants")
        assert numbers(participants, language, 1) == [summary["n_participants"]], name
        for outcome in outcomes(synthesis):
            results = outcome_text(
                texts[(language, "synthesis_results")], synthesis, outcome["code"]
            )
            main, results_n = outcome["n_with_effect"], outcome["n_results"]
            if 0 < main < results_n:
                match = find(results, language, "with effect")
                assert match, f"{name}: {language}"
                assert numbers(match, language, 1, 2) == [main, results_n], name
            elif main == 0:
                assert find(results, language, "none with effect"), f"{name}: {language}"
            for group, votes in outcome["vote_count"].items():
                if votes["n_informative"] > 1:
                    match = find(results, language, "votes", short[group])
                    assert match, f"{name}: {language}: vote count {group}"
                    expected = [votes["n_favoured"], votes["n_informative"]]
                    assert numbers(match, language, 1, 2) == expected, name
                    assert match.group(3) == words(language)["directions"][votes["favoured"]]
            for group, combined in outcome["combined_p"].items():
                if combined["k"] > 1:
                    match = find(results, language, "combined", short[group])
                    assert match, f"{name}: {language}: combined p {group}"
                    assert numbers(match, language, 1) == [combined["k"]], name


def expected_reason(entry: dict, language: str) -> str:
    """The start of the phrase the text must give for a group the synthesis did not
    pool, read from synthesis.json's recorded reason."""
    phrases = words(language)["not_pooled"]
    reason = entry["reason"]
    if "different measures" in reason:
        return phrases["mixed_measures"].split("{")[0]  # the measures follow, checked below
    if "switched off" in reason:
        return phrases["switched_off"]
    if "raw mean differences" in reason:
        return phrases["md_units"]
    if reason.startswith("not estimable"):
        return phrases["not_estimable"]
    minimum = re.search(r"fewer than (\d+)", reason).group(1)
    return phrases["too_few"].format(min=minimum)


def test_pooled_estimates_measures_and_reasons_equal_synthesis_json(case):
    name, data, texts, _documents = case
    effects = data["effects"]
    for outcome in outcomes(data["synthesis"]):
        groups = {g: outcome["groups"][g] for g in POOLED if g in outcome["groups"]}
        for language in ("en", "id"):
            text = outcome_text(
                texts[(language, "synthesis_results")], data["synthesis"], outcome["code"]
            )
            body = plain(text)
            short = words(language)["comparisons_short"]
            pooled_names = words(language)["pooled_measures"]
            used = {pooled_names[g["measure"]] for g in groups.values() if g["pooled"]}
            for group, entry in groups.items():
                if entry["pooled"]:
                    match = find(text, language, "pooled", short[group])
                    assert match, f"{name}: {language}: pooled {group} not reported:\n{body}"
                    assert numbers(match, language, 1) == [entry["k"]], name
                    assert match.group(2) == pooled_names[entry["measure"]], name
                    expected = formatted(entry["estimate"], language, entry["measure"])
                    assert match.group(3) == expected, name
                elif entry["k_with_effect"]:
                    match = find(text, language, "not pooled", short[group])
                    assert match, f"{name}: {language}: unpooled {group} not explained:\n{body}"
                    assert numbers(match, language, 1) == [entry["k_with_effect"]], name
                    stated = match.group(2)
                    assert stated.startswith(expected_reason(entry, language)), (
                        f"{name}: {language}: {group}: stated {stated!r}, "
                        f"recorded {entry['reason']!r}"
                    )
                    if "different measures" in entry["reason"]:
                        chosen = effects[
                            (effects["comparison"] == group)
                            & (effects["role"] == "main")
                            & (effects["outcome"] == outcome["code"])
                            & effects["measure"].notna()
                        ]
                        for code in set(chosen["measure"]):
                            assert words(language)["measures"][code] in stated, name
            if data["synthesis"]["outcome_order"] == [outcome["code"]]:
                for other in pooled_names.values():  # no measure named as pooled that was not
                    if not any(other in shown for shown in used):
                        assert f"the pooled {other} was" not in body, name
                        assert f"gabungan {other} adalah" not in body, name
            assert "(see results/stats/synthesis.json)" not in body, f"{name}: unknown reason"


def test_search_counts_equal_prisma_json(case):
    name, data, texts, _documents = case
    counts = data["prisma"]
    for language in ("en", "id"):
        results = texts[(language, "search_results")]
        methods = texts[(language, "search_methods")]
        if counts is None:
            assert PHRASES[language]["not provided"] in results, name
            assert PHRASES[language]["not provided"] in methods, name
            continue
        total = counts["identified"]["total"]
        assert numbers(find(results, language, "identified"), language, 1) == [total]
        for database in counts["identified"]["by_source"]:
            assert database in methods, name
        duplicates = counts["duplicates_removed"]
        match = find(results, language, "duplicates")
        assert numbers(match, language, 1, 2) == [duplicates, total - duplicates], name
        if not counts["screening_recorded"]:
            assert PHRASES[language]["not screened"] in results, name
            continue
        match = find(results, language, "screened")
        assert numbers(match, language, 1, 2) == [counts["screened"], counts["excluded_screening"]]
        if "previous_studies" in counts:
            match = find(results, language, "update")
            assert match, f"{name}: {language}: {results}"
            expected = [
                counts["included_studies"],
                counts["included_reports"],
                counts["previous_studies"],
            ]
            assert numbers(match, language, 1, 2, 3) == expected, name
        else:
            match = find(results, language, "included in review")
            assert match, f"{name}: {language}: {results}"
            expected = [counts["included_studies"], counts["included_reports"]]
            assert numbers(match, language, 1, 2) == expected, name


# ------------------------------------------------------------------ what a referee checks

#: Blocks whose prose names the synthesis's settings and results.
SYNTHESIS_BLOCKS = ("synthesis_methods", "synthesis_results", "abstract_methods")
SYNTHESIS_BLOCKS += ("abstract_results", "limitations")


def test_columns_are_named_in_words_not_codes(case):
    """'subgroups by design_as_reported', 'a meta-regression on x_latitude': a column's
    code never reaches the prose; the catalogue's name or the name without x_ does."""
    name, data, texts, _documents = case
    settings = data["synthesis"]["settings"]
    for (language, block), text in texts.items():
        if block not in SYNTHESIS_BLOCKS:
            continue
        body = plain(text)
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", body), f"{name}: {language}: {block}"
        if block == "synthesis_methods":
            for key in ("subgroup", "moderator"):
                if settings.get(key):
                    named = column_name(settings[key], language)
                    assert named in body and "x_" not in named, f"{name}: {language}: {key}"


def test_computed_p_values_have_at_most_three_decimals(case):
    name, _data, texts, _documents = case
    for (language, block), text in texts.items():
        if block in ("synthesis_results", "abstract_results"):
            assert not re.search(r"p = -?\d[.,]\d{4}", plain(text)), f"{name}: {language}"


def _shown_estimates(groups: dict, language: str) -> list[tuple[float, str]]:
    return [
        (g["estimate"], formatted(g["estimate"], language, g["measure"]))
        for g in groups.values()
        if g.get("pooled")
    ]


SENSITIVITY_ONLY = {
    "en": "could be pooled only in sensitivity analyses",
    "id": "penggabungan hanya dapat dilakukan dalam analisis sensitivitas",
}


def test_sensitivity_analyses_are_summarised_not_listed(case):
    """One sentence per comparison group with the lowest and highest pooled estimate of
    the sensitivity analyses (read here from synthesis.json), never a paragraph per
    analysis; a group pooled only in sensitivity analyses is said to be so; the appendix
    table (example and scaffolds) has one row per analysis."""
    name, data, texts, documents = case
    for outcome in outcomes(data["synthesis"]):
        analyses = {k: v for k, v in (outcome.get("sensitivity") or {}).items()}
        correlations = analyses.pop("pre_post_correlation", [])
        for language in ("en", "id"):
            text = plain(
                outcome_text(
                    texts[(language, "synthesis_results")], data["synthesis"], outcome["code"]
                )
            )
            short = words(language)["comparisons_short"]
            for group in POOLED:
                estimates = [
                    (a["groups"][group]["estimate"], a["groups"][group]["measure"])
                    for a in analyses.values()
                    if a["groups"].get(group, {}).get("pooled")
                ]
                if not estimates:
                    continue
                low, high = min(estimates), max(estimates)
                for value, measure in (low, high):
                    assert formatted(value, language, measure) in text, f"{name}: {language}"
                main_pooled = outcome["groups"].get(group, {}).get("pooled")
                sentence = next(
                    (
                        s
                        for s in re.split(r"(?<=\.) (?=[A-Z])", text)
                        if short[group] in s and SENSITIVITY_ONLY[language] in s
                    ),
                    None,
                )
                assert (sentence is not None) == (not main_pooled), f"{name}: {language}: {group}"
            for kind in analyses:
                label = words(language)["sensitivity_short"][kind]
                assert text.count(label) <= len(POOLED), f"{name}: {language}: {kind} repeated"
        pooled_r = [c for c in correlations if any(g.get("pooled") for g in c["groups"].values())]
        rows = 1 + len(analyses) + len(pooled_r)  # an r that pooled nothing has no row
        has_effects = pooled_r or any(
            group.get("k_with_effect") for a in analyses.values() for group in a["groups"].values()
        )
        if not has_effects or len(outcomes(data["synthesis"])) > 1:
            continue
        for doc in ("example (id)", "scaffold (id)", "scaffold (en)"):
            text, language = documents[doc]
            assert "{#tbl-sensitivity}" in text, f"{name}: {doc}"
            table = text[: text.index("{#tbl-sensitivity}")]
            table = table[table.rindex("\n\n") :].strip().splitlines()
            body = [row for row in table if row.startswith("|")][2:]  # header and rule
            assert len(body) == rows, f"{name}: {doc}"
            assert words(language)["sensitivity_table"]["main"] in body[0], f"{name}: {doc}"


def test_studies_left_out_as_no_change_are_flagged(case):
    name, data, texts, _documents = case
    for outcome in outcomes(data["synthesis"]):
        no_change = sum(
            v["excluded_by_label"].get("no_change", 0)
            for v in outcome["vote_count"].values()
            if v["n_informative"]
        )
        for language, phrase in (("en", "overstates the share"), ("id", "tampak lebih besar")):
            text = outcome_text(
                texts[(language, "synthesis_results")], data["synthesis"], outcome["code"]
            )
            assert (phrase in text) == bool(no_change), f"{name}: {language}"


def test_abstract_counts_designs_and_votes_without_ambiguity(case):
    """The randomised trials are counted among the studies, not the participants; a vote
    count in the abstract only for a group that has no pooled estimate (the estimate is
    the result there), and the abstract says which counts compare with a control group."""
    name, data, texts, _documents = case
    summary = data["summary"]
    n, rct = summary["n_studies"], (summary.get("by_design") or {}).get("rct", 0)
    primary = data["synthesis"]["outcomes"].get(data["synthesis"].get("primary_outcome"), {})
    for language in ("en", "id"):
        text = plain(texts[(language, "abstract_results")])
        if not n:
            continue
        assert not re.search(r"(?:participants in total|partisipan); \d|in total, \d", text), name
        if n > 1 and 0 < rct < n:
            of_them = {
                "en": f"({rct} of them randomised controlled trials)",
                "id": f"({rct} di antaranya uji acak terkendali)",
            }[language]
            assert of_them in text, f"{name}: {language}"
        short = words(language)["comparisons_short"]
        listed = []
        for group, votes in (primary.get("vote_count") or {}).items():
            pooled = primary["groups"].get(group, {}).get("pooled")
            shown = {
                "en": f"{votes['n_favoured']} of {votes['n_informative']} in the {short[group]}",
                "id": f"{votes['n_favoured']} dari {votes['n_informative']} pada {short[group]}",
            }
            if votes["n_informative"] > 1 and not pooled:
                assert shown[language] in text, f"{name}: {language}: {group}"
                listed.append(group)
            else:
                assert shown[language] not in text, f"{name}: {language}: {group}"
        only = {
            "en": "Only the between-group comparison compares",
            "id": "Hanya perbandingan antarkelompok yang membandingkan",
        }[language]
        none = {"en": "No count here compares", "id": "Tidak satu pun hitungan ini"}[language]
        assert (only in text) == ("between" in listed and len(listed) > 1), f"{name}: {language}"
        assert (none in text) == (bool(listed) and "between" not in listed), f"{name}: {language}"


def test_example_conclusion_rests_on_the_controlled_comparison(case):
    """The example's conclusion and abstract count directions in the controlled studies
    (against their control group) apart from changes without a control group, and speak
    of a possible benefit only when most controlled studies that reported a direction
    favour the intervention; never 'N of M studies reported an increase' across designs."""
    name, data, _texts, documents = case
    if not data["summary"]["n_studies"]:
        return
    text = re.sub(r"\s+", " ", plain(documents["example (id)"][0]))  # the abstract is folded
    synthesis = data["synthesis"]
    primary = synthesis["outcomes"][synthesis["primary_outcome"]]
    controlled = primary["vote_count"].get("between", {})
    informative = controlled.get("n_informative", 0)
    if informative:
        total = informative + controlled["n_excluded"]
        expected = (
            f"Dari {total} studi terkontrol, {informative} melaporkan arah efek terhadap "
            f"kelompok kontrolnya, dan {controlled['n_favoured']} di antaranya"
        )
        assert expected in text, name
    benefit = informative and controlled["n_favoured"] * 2 > informative
    assert ("dapat dipertimbangkan sebagai intervensi" in text) == bool(benefit), name
    assert ("Arah efek yang dilaporkan studi terkontrol sejalan" in text) == bool(benefit), name
    assert not re.search(r"Sebanyak \d+ dari \d+ studi yang ditelaah melaporkan", text), name


def test_a_prediction_interval_across_no_effect_is_said_to_be_so(case):
    name, data, texts, _documents = case
    phrases = {"en": "could lie on either side of no effect", "id": "di sisi mana pun dari nilai"}
    for outcome in outcomes(data["synthesis"]):
        groups = [g for g in outcome["groups"].values() if g.get("pooled")]
        crossing = sum(
            1 for g in groups if g.get("pi_low") is not None and g["pi_low"] < 0 < g["pi_high"]
        )
        for language, phrase in phrases.items():
            text = outcome_text(
                texts[(language, "synthesis_results")], data["synthesis"], outcome["code"]
            )
            assert plain(text).count(phrase) == crossing, f"{name}: {language}"
