"""Risk-of-bias tools: their domains and judgements, as robvis presents them.

The study table holds one column `rob_<domain>` per domain of the tool named
in config.yaml (risk_of_bias.tool) plus `rob_overall`. No judgement is ever
made up: with tool `none` the manuscript says risk of bias was not assessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewkit.errors import InputError
from reviewkit.i18n import message, section

JUDGEMENTS = ("low", "some_concerns", "high", "critical", "no_information")


def judgement_label(judgement: str, language: str) -> str:
    """A judgement in words (catalogue section judgements)."""
    return section(language, "judgements")[judgement]


@dataclass(frozen=True)
class RobTool:
    code: str
    name: str
    domains: tuple[str, ...]  # column suffixes, in the tool's order

    def columns(self) -> list[str]:
        return [f"rob_{domain}" for domain in self.domains] + ["rob_overall"]

    def domain_labels(self, language: str) -> dict[str, str]:
        """Column -> domain name (catalogue section risk_of_bias.<tool code>)."""
        names = section(language, f"risk_of_bias.{self.code}")
        labels = {f"rob_{key}": names[key] for key in self.domains}
        return {**labels, "rob_overall": message(language, "risk_of_bias.overall")}


TOOLS = {
    "rob2": RobTool(
        "rob2",
        "RoB 2",
        ("randomisation", "deviations", "missing_data", "measurement", "reporting"),
    ),
    "robins-i": RobTool(
        "robins-i",
        "ROBINS-I",
        (
            "confounding",
            "selection",
            "classification",
            "deviations",
            "missing_data",
            "measurement",
            "reporting",
        ),
    ),
    "jbi-quasi": RobTool(
        "jbi-quasi",
        "JBI",
        (
            "cause_effect",
            "similar_participants",
            "similar_treatment",
            "control_group",
            "multiple_measurements",
            "follow_up",
            "same_measurement",
            "reliable_measurement",
            "statistics",
        ),
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
