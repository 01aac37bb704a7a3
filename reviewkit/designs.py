"""The fixed design vocabulary: labels per language and what each design can answer.

`comparison` says which question a design's effect answers (guide: never pool
between-group with within-group effects): "between" = intervention vs control
groups; "within" = the same group before and after; "unclear" = the report
does not say whether there was a control group. The order here is the order
designs appear in tables, figures and counts (strongest design first).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Design:
    code: str
    comparison: str
    labels: dict[str, str]

    def label(self, language: str) -> str:
        return self.labels[language]


DESIGNS: tuple[Design, ...] = (
    Design(
        "rct", "between", {"id": "Uji acak terkendali (RCT)", "en": "Randomised controlled trial"}
    ),
    Design(
        "quasi_controlled",
        "between",
        {
            "id": "Kuasi-eksperimen dengan kelompok kontrol",
            "en": "Quasi-experiment with control group",
        },
    ),
    Design(
        "static_group",
        "between",
        {"id": "Perbandingan kelompok statis", "en": "Static group comparison"},
    ),
    Design(
        "quasi_prepost",
        "unclear",
        {"id": "Kuasi-eksperimen pra-pasca uji", "en": "Quasi-experiment, pre-post test"},
    ),
    Design(
        "quasi_unspecified",
        "unclear",
        {
            "id": "Kuasi-eksperimen tanpa keterangan kontrol",
            "en": "Quasi-experiment, control not stated",
        },
    ),
    Design(
        "one_group_prepost",
        "within",
        {"id": "Satu kelompok pra-pasca uji", "en": "One-group pre-post test"},
    ),
    Design("pre_experimental", "within", {"id": "Pra-eksperimental", "en": "Pre-experimental"}),
)

DESIGN_BY_CODE = {design.code: design for design in DESIGNS}
DESIGN_ORDER = [design.code for design in DESIGNS]
