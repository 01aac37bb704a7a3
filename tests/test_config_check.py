"""config.yaml mistakes: one plain line each, before any rule runs."""

import subprocess
import sys
from pathlib import Path

import yaml
from conftest import ROOT

from reviewkit.config_check import config_problems, language_problems

SCHEMA = str(ROOT / "schemas" / "config.schema.yaml")


def shipped_config() -> dict:
    return yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))


def test_the_shipped_configs_are_valid():
    assert config_problems(shipped_config(), SCHEMA) == []
    bcg = yaml.safe_load((ROOT / "examples" / "bcg" / "config.yaml").read_text())
    assert config_problems(bcg, SCHEMA) == []


def test_mistakes_name_the_key_the_value_and_what_is_allowed():
    config = shipped_config()
    config["language"] = "fr"
    config["languag"] = "en"
    config["synthesis"]["min_studies_to_pool"] = 1
    config["synthesis"]["estimator"] = "ML"
    keys = ", ".join(yaml.safe_load(Path(SCHEMA).read_text(encoding="utf-8"))["properties"])
    assert keys.startswith("studies, ")
    assert config_problems(config, SCHEMA) == [
        f'config.yaml: key "languag" is not known here; expected one of: {keys}',
        "config.yaml: synthesis.estimator: 'ML' is not one of: REML, DL, PM, FE, common",
        "config.yaml: synthesis.min_studies_to_pool: 1 must be at least 2",
    ]


def test_a_language_needs_a_catalogue_and_must_suit_the_profile():
    config = shipped_config()
    config["language"] = "fr"
    assert language_problems(config) == [
        'config.yaml: language: "fr" has no message catalogue; expected one of: en, id '
        "(or add reviewkit/locales/fr.yaml, see docs/language.md)"
    ]
    config["language"] = "id"
    config["profile"] = "international-vancouver"
    assert language_problems(config) == [
        "config.yaml: language: id does not match profile international-vancouver, which "
        "requires language: en (set language: en and write the manuscript in that "
        "language, or choose another profile)"
    ]
    config["language"] = "en"
    assert language_problems(config) == []


def test_snakemake_stops_with_the_message_and_no_traceback(tmp_path):
    config = shipped_config()
    config["risk_of_bias"]["tool"] = "rob3"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--configfile", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert (
        "ERROR: config.yaml: risk_of_bias.tool: 'rob3' is not one of: none, rob2, robins-i, "
        "jbi-quasi" in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_synthesis_settings_that_cannot_go_together_are_one_line_each():
    from reviewkit.preflight import review_problems

    config = shipped_config()
    config["synthesis"].update(
        binary_method="peto", binary_measure="RR", subgroup="authors", moderator="design"
    )
    problems = [line for line in review_problems(config, ROOT) if "synthesis." in line]
    assert problems == [
        'config.yaml: synthesis.binary_method: "peto" pools odds ratios only, but '
        'binary_measure is "RR"; expected binary_measure: OR (or another binary_method)',
        'config.yaml: synthesis.subgroup: "authors" is not a column that can form subgroups; '
        "expected one of: design, design_as_reported, region, facility, participants, or a "
        "column of your own whose name starts with x_",
        'config.yaml: synthesis.moderator: "design" is not a numeric column of the study '
        "table; expected one of: year, n_total, or a column of your own whose name starts "
        "with x_",
    ]
    config["synthesis"].update(binary_measure="OR", subgroup="x_region", moderator="x_dose")
    assert not [line for line in review_problems(config, ROOT) if "synthesis." in line]
