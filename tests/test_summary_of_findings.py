"""The optional GRADE table: judgements only from the user's file, numbers from the synthesis."""

import csv

import pytest
from conftest import ROOT, as_read

from reviewkit.errors import InputError
from reviewkit.summary_of_findings import read_judgements, summary_of_findings_markdown

SCHEMA = ROOT / "schemas" / "summary_of_findings.schema.yaml"
GROUPS = {
    "between": {
        "k_with_effect": 3,
        "pooled": True,
        "measure": "SMD",
        "estimate": 0.9592,
        "ci_low": 0.5269,
        "ci_high": 1.3915,
    },
    "within": {"k_with_effect": 1, "pooled": False, "measure": "SMCC"},
}
SYNTHESIS = {"primary_outcome": "main", "outcomes": {"main": {"groups": GROUPS}}}


def write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_judgements_beside_the_synthesis_numbers(tmp_path):
    path = write(
        tmp_path / "sof.csv",
        [
            {
                "outcome": "Produksi ASI",
                "comparison": "between",
                "risk_of_bias": "serious",
                "imprecision": "very_serious",
                "certainty": "very_low",
                "reasons": "3 studi kecil",
            },
            {"outcome": "Produksi ASI", "comparison": "within", "certainty": "very_low"},
        ],
    )
    lines = summary_of_findings_markdown(read_judgements(path, SCHEMA), SYNTHESIS, "id")
    rows = as_read(lines).splitlines()  # every cell is escaped as literal text
    assert rows[0].startswith("| Hasil | Perbandingan | Studi | Efek gabungan [IK 95%] |")
    assert rows[2] == (
        "| Produksi ASI | Antarkelompok | 3 | SMD 0,96 [0,53; 1,39] | serius | – | "
        "– | sangat serius | – | sangat rendah | 3 studi kecil |"
    )
    assert "| Pra-pasca | 1 | tidak digabung |" in rows[3]


def test_rows_of_declared_outcomes_take_that_outcome_s_numbers(tmp_path):
    from reviewkit.vocabulary import Vocabulary

    vocabulary = Vocabulary.from_config(
        {
            "outcomes": [
                {"code": "volume", "labels": {"id": "Volume ASI"}},
                {"code": "frequency", "labels": {"id": "Frekuensi menyusui"}},
            ]
        }
    )
    synthesis = {
        "primary_outcome": "volume",
        "outcomes": {
            "volume": {"groups": GROUPS},
            "frequency": {"groups": {"within_arm": {"k_with_effect": 2, "pooled": False}}},
        },
    }
    path = write(
        tmp_path / "sof.csv",
        [{"outcome": "frequency", "comparison": "within_arm", "certainty": "low"}],
    )
    table = summary_of_findings_markdown(read_judgements(path, SCHEMA), synthesis, "id", vocabulary)
    assert as_read(table.splitlines()[2]).startswith(
        "| Frekuensi menyusui | Dalam kelompok intervensi (pra-pasca) | 2 | tidak digabung |"
    )


def test_a_judgement_outside_grade_is_named(tmp_path):
    path = write(
        tmp_path / "sof.csv",
        [
            {"outcome": "Produksi ASI", "comparison": "between", "certainty": "medium"},
        ],
    )
    with pytest.raises(InputError) as caught:
        read_judgements(path, SCHEMA)
    assert caught.value.lines == [
        f'{path}: row 2, column certainty: "medium" is not one of: high, moderate, low, very_low'
    ]
