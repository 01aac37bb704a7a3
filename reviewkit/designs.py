"""The fixed design vocabulary: what each design can answer (labels: the message catalogues).

`comparison` says which question a design's effect answers (guide: never pool
between-group with within-group effects): "between" = intervention vs control
groups; "within" = the same group before and after; "unclear" = the report
does not say whether there was a control group. The order here is the order
designs appear in tables, figures and counts (strongest design first).
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewkit.i18n import message


@dataclass(frozen=True)
class Design:
    code: str
    comparison: str

    def label(self, language: str) -> str:
        """The design's name in the manuscript's language (``designs.<code>``)."""
        return message(language, f"designs.{self.code}")


DESIGNS: tuple[Design, ...] = (
    Design("rct", "between"),
    Design("quasi_controlled", "between"),
    Design("static_group", "between"),
    Design("quasi_prepost", "unclear"),
    Design("quasi_unspecified", "unclear"),
    Design("one_group_prepost", "within"),
    Design("pre_experimental", "within"),
)

DESIGN_BY_CODE = {design.code: design for design in DESIGNS}
DESIGN_ORDER = [design.code for design in DESIGNS]
