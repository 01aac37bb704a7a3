"""Risk-of-bias tools: their domains and judgements, as robvis presents them.

The study table holds one column `rob_<domain>` per domain of the tool named
in config.yaml (risk_of_bias.tool) plus `rob_overall`. No judgement is ever
made up: with tool `none` the manuscript says risk of bias was not assessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewkit.errors import InputError

JUDGEMENTS = ("low", "some_concerns", "high", "critical", "no_information")
JUDGEMENT_LABELS = {
    "id": {
        "low": "Rendah",
        "some_concerns": "Beberapa kekhawatiran",
        "high": "Tinggi",
        "critical": "Kritis",
        "no_information": "Tidak ada informasi",
    },
    "en": {
        "low": "Low",
        "some_concerns": "Some concerns",
        "high": "High",
        "critical": "Critical",
        "no_information": "No information",
    },
}


@dataclass(frozen=True)
class RobTool:
    code: str
    name: str
    domains: dict[str, dict[str, str]]  # column suffix -> labels per language

    def columns(self) -> list[str]:
        return [f"rob_{domain}" for domain in self.domains] + ["rob_overall"]

    def domain_labels(self, language: str) -> dict[str, str]:
        overall = {"id": "Keseluruhan", "en": "Overall"}[language]
        labels = {f"rob_{key}": names[language] for key, names in self.domains.items()}
        return {**labels, "rob_overall": overall}


TOOLS = {
    "rob2": RobTool(
        "rob2",
        "RoB 2",
        {
            "randomisation": {"id": "D1 Proses randomisasi", "en": "D1 Randomisation process"},
            "deviations": {
                "id": "D2 Penyimpangan dari intervensi",
                "en": "D2 Deviations from intended interventions",
            },
            "missing_data": {"id": "D3 Data hasil yang hilang", "en": "D3 Missing outcome data"},
            "measurement": {"id": "D4 Pengukuran hasil", "en": "D4 Measurement of the outcome"},
            "reporting": {
                "id": "D5 Pemilihan hasil yang dilaporkan",
                "en": "D5 Selection of the reported result",
            },
        },
    ),
    "robins-i": RobTool(
        "robins-i",
        "ROBINS-I",
        {
            "confounding": {"id": "D1 Perancu", "en": "D1 Confounding"},
            "selection": {"id": "D2 Seleksi partisipan", "en": "D2 Selection of participants"},
            "classification": {
                "id": "D3 Klasifikasi intervensi",
                "en": "D3 Classification of interventions",
            },
            "deviations": {
                "id": "D4 Penyimpangan dari intervensi",
                "en": "D4 Deviations from intended interventions",
            },
            "missing_data": {"id": "D5 Data yang hilang", "en": "D5 Missing data"},
            "measurement": {"id": "D6 Pengukuran hasil", "en": "D6 Measurement of outcomes"},
            "reporting": {
                "id": "D7 Pemilihan hasil yang dilaporkan",
                "en": "D7 Selection of the reported result",
            },
        },
    ),
    "jbi-quasi": RobTool(
        "jbi-quasi",
        "JBI",
        {
            "cause_effect": {"id": "Q1 Sebab dan akibat jelas", "en": "Q1 Cause and effect clear"},
            "similar_participants": {
                "id": "Q2 Partisipan sebanding",
                "en": "Q2 Participants similar",
            },
            "similar_treatment": {"id": "Q3 Perlakuan lain sama", "en": "Q3 Other care similar"},
            "control_group": {"id": "Q4 Ada kelompok kontrol", "en": "Q4 Control group"},
            "multiple_measurements": {
                "id": "Q5 Pengukuran berulang",
                "en": "Q5 Multiple measurements",
            },
            "follow_up": {"id": "Q6 Tindak lanjut lengkap", "en": "Q6 Follow-up complete"},
            "same_measurement": {"id": "Q7 Pengukuran sama", "en": "Q7 Outcomes measured alike"},
            "reliable_measurement": {
                "id": "Q8 Pengukuran andal",
                "en": "Q8 Outcomes measured reliably",
            },
            "statistics": {
                "id": "Q9 Analisis statistik tepat",
                "en": "Q9 Appropriate statistical analysis",
            },
        },
    ),
}


def check_rob_columns(columns: list[str], tool: str, source: str) -> None:
    """The rob_* columns must be exactly those of the configured tool."""
    present = [name for name in columns if name.startswith("rob_")]
    if tool == "none":
        if present:
            raise InputError(
                f"{source}: columns {', '.join(present)} hold risk-of-bias judgements, but "
                "config.yaml sets risk_of_bias.tool to none; name the tool (rob2, robins-i, "
                "jbi-quasi) or remove the columns"
            )
        return
    expected = TOOLS[tool].columns()
    missing = [name for name in expected if name not in present]
    unknown = [name for name in present if name not in expected]
    problems = [
        f'{source}: column "{name}" is missing (risk_of_bias.tool is {tool}, whose columns are '
        f"{', '.join(expected)})"
        for name in missing
    ] + [
        f'{source}: column "{name}" is not a domain of {tool}; expected {", ".join(expected)}'
        for name in unknown
    ]
    if problems:
        raise InputError(problems)
