"""The default vocabulary of a review: study designs and units (outcomes have none).

The default designs' names are words of the tool and live in the message
catalogues (``designs.<code>`` in reviewkit/locales/*.yaml); a design a review
declares brings its own labels in config.yaml.

A review declares its own designs, units and outcomes in config.yaml under
`vocabulary:` (read by `reviewkit.vocabulary`); whatever part it leaves out
takes the values here, so this module is the one place the defaults live.

Design `comparison` says which question a design's effect answers (guide:
never pool between-group with within-group effects): "between" =
intervention vs control groups; "within" = the same group before and after;
"unclear" = the report does not say whether there was a control group. The
order is the order designs appear in tables, figures and counts (strongest
design first). `evidence_level` is the JBI level of evidence for
effectiveness (JBI Levels of Evidence, 2013): 1.c randomised controlled
trial, 2.c quasi-experimental prospectively controlled study, 2.d pre-test
post-test or historic/retrospective control group study.

A unit converts to a common (base) unit of its dimension with `factor` and
says whether it is a rate per day (`per_day`), so before/after values in
different units can be shown side by side (cc = ml, litre = 1000 ml).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

COMPARISONS = ("between", "within", "unclear")
DIRECTIONS = ("increase", "decrease")


@dataclass(frozen=True)
class Design:
    code: str
    comparison: str
    labels: Mapping[str, str] = field(default_factory=dict)
    evidence_level: str | None = None

    def label(self, language: str) -> str:
        """The label in `language`: the review's own, else the catalogue's for a default
        design, else another language's label, else the code."""
        if self.labels.get(language):
            return self.labels[language]
        from reviewkit.i18n import catalogue

        default = catalogue(language).get("designs", {}).get(self.code)
        return default or next(iter(self.labels.values()), self.code)


@dataclass(frozen=True)
class Unit:
    code: str
    base: str
    factor: float
    per_day: bool = False


@dataclass(frozen=True)
class Outcome:
    code: str
    labels: Mapping[str, str] = field(default_factory=dict)
    favoured_direction: str = "increase"

    def label(self, language: str) -> str | None:
        """The label in `language` (another language's when none; None when unlabelled)."""
        return self.labels.get(language) or next(iter(self.labels.values()), None)


DEFAULT_DESIGNS: tuple[Design, ...] = (
    Design("rct", "between", evidence_level="1.c"),
    Design("quasi_controlled", "between", evidence_level="2.c"),
    Design("static_group", "between", evidence_level="2.c"),
    Design("quasi_prepost", "unclear", evidence_level="2.d"),
    Design("quasi_unspecified", "unclear", evidence_level="2.d"),
    Design("one_group_prepost", "within", evidence_level="2.d"),
    Design("pre_experimental", "within", evidence_level="2.d"),
)

DEFAULT_UNITS: tuple[Unit, ...] = (
    Unit("ml", "ml", 1.0),
    Unit("cc", "ml", 1.0),
    Unit("l", "ml", 1000.0),
    Unit("ml/hari", "ml", 1.0, per_day=True),
    Unit("cc/hari", "ml", 1.0, per_day=True),
    Unit("l/hari", "ml", 1000.0, per_day=True),
)

# The defaults by code, for code that needs no particular review (and older callers).
DESIGN_BY_CODE = {design.code: design for design in DEFAULT_DESIGNS}
DESIGN_ORDER = [design.code for design in DEFAULT_DESIGNS]
