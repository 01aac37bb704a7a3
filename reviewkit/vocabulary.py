"""The review's own vocabulary: designs, units and outcomes declared in config.yaml.

Input: the `vocabulary:` mapping of config.yaml (schemas/config.schema.yaml
checks its shape), for example

    vocabulary:
      designs:
        - {code: rct, comparison: between, evidence_level: "1.c",
           labels: {en: Randomised controlled trial, id: Uji acak terkendali}}
      units:
        - {code: ml, base: ml, factor: 1}
        - {code: l/day, base: ml, factor: 1000, per_day: true}
      outcomes:
        - {code: milk_volume, favoured_direction: increase,
           labels: {en: breast-milk volume, id: volume ASI}}
        - {code: feeding_frequency, labels: {en: breastfeeding frequency, id: frekuensi menyusui}}
      primary_outcome: milk_volume

A part left out takes the defaults of `reviewkit.designs` (designs and
units); a part given replaces the defaults entirely, so the list in
config.yaml is the whole vocabulary of that kind. Without declared outcomes
the review has one outcome (code `main`) and the `outcome` column is free text.

The same mapping, with the defaults filled in (`Vocabulary.to_config`), is
written to results/stats/summary.json so that later steps (figures, text)
use the vocabulary this build validated against.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from reviewkit.designs import (
    COMPARISONS,
    DEFAULT_DESIGNS,
    DEFAULT_UNITS,
    DIRECTIONS,
    Design,
    Outcome,
    Unit,
)
from reviewkit.errors import InputError

IMPLICIT_OUTCOME = "main"  # the code of a review's single outcome when none is declared


@dataclass(frozen=True)
class Vocabulary:
    designs: tuple[Design, ...] = DEFAULT_DESIGNS
    units: tuple[Unit, ...] = DEFAULT_UNITS
    outcomes: tuple[Outcome, ...] = ()
    primary_outcome: str | None = None
    favoured_direction: str = "increase"  # of the implicit outcome (synthesis.favoured_direction)

    # --- designs
    @property
    def design_codes(self) -> list[str]:
        return [design.code for design in self.designs]

    def design(self, code: str) -> Design:
        for design in self.designs:
            if design.code == code:
                return design
        raise KeyError(f"design {code!r} is not in the vocabulary")

    def comparison(self, code: str) -> str:
        return self.design(code).comparison

    def design_label(self, code: str, language: str) -> str:
        return self.design(code).label(language)

    def evidence_level(self, code: str) -> str | None:
        return self.design(code).evidence_level

    # --- units
    @property
    def unit_codes(self) -> list[str]:
        return [unit.code for unit in self.units]

    def unit(self, code: str) -> Unit:
        for unit in self.units:
            if unit.code == code:
                return unit
        raise KeyError(f"unit {code!r} is not in the vocabulary")

    # --- outcomes
    @property
    def declares_outcomes(self) -> bool:
        return bool(self.outcomes)

    @property
    def outcome_codes(self) -> list[str]:
        """Declared codes, primary first; the implicit outcome when none is declared."""
        if not self.outcomes:
            return [IMPLICIT_OUTCOME]
        primary = self.primary
        return [primary] + [o.code for o in self.outcomes if o.code != primary]

    @property
    def primary(self) -> str:
        """The primary outcome: declared as such, else the first declared, else `main`."""
        if self.primary_outcome:
            return self.primary_outcome
        return self.outcomes[0].code if self.outcomes else IMPLICIT_OUTCOME

    def outcome(self, code: str) -> Outcome:
        for outcome in self.outcomes:
            if outcome.code == code:
                return outcome
        if not self.outcomes and code == IMPLICIT_OUTCOME:
            return Outcome(IMPLICIT_OUTCOME, {}, self.favoured_direction)
        raise KeyError(f"outcome {code!r} is not in the vocabulary")

    # --- in and out
    def to_config(self) -> dict:
        """The vocabulary as config.yaml writes it, defaults filled in (JSON-ready)."""
        data = {
            "designs": [
                {
                    "code": d.code,
                    "comparison": d.comparison,
                    "labels": dict(d.labels),
                    **({"evidence_level": d.evidence_level} if d.evidence_level else {}),
                }
                for d in self.designs
            ],
            "units": [
                {"code": u.code, "base": u.base, "factor": u.factor, "per_day": u.per_day}
                for u in self.units
            ],
            "outcomes": [
                {
                    "code": o.code,
                    "labels": dict(o.labels),
                    "favoured_direction": o.favoured_direction,
                }
                for o in self.outcomes
            ],
            "favoured_direction": self.favoured_direction,
        }
        if self.primary_outcome:
            data["primary_outcome"] = self.primary_outcome
        return data

    @classmethod
    def from_config(
        cls,
        config: Mapping | None,
        *,
        favoured_direction: str = "increase",
        language: str | None = None,
        source: str = "config.yaml",
    ) -> Vocabulary:
        """Build from the `vocabulary:` mapping; raise InputError, one line per problem.

        `language`, when given, must have a label in every declared design and outcome.
        """
        config = dict(config or {})
        favoured_direction = config.pop("favoured_direction", favoured_direction)
        problems: list[str] = []
        designs = (
            tuple(_design(item) for item in config["designs"])
            if config.get("designs")
            else DEFAULT_DESIGNS
        )
        units = (
            tuple(_unit(item) for item in config["units"]) if config.get("units") else DEFAULT_UNITS
        )
        outcomes = tuple(
            _outcome(item, favoured_direction) for item in config.get("outcomes") or ()
        )
        for kind, items in (("designs", designs), ("units", units), ("outcomes", outcomes)):
            seen: set[str] = set()
            for item in items:
                if item.code in seen:
                    problems.append(
                        f'{source}: vocabulary.{kind}: code "{item.code}" is declared twice'
                    )
                seen.add(item.code)
        for design in designs:
            if design.comparison not in COMPARISONS:
                problems.append(
                    f'{source}: vocabulary.designs: "{design.code}" has comparison '
                    f'"{design.comparison}"; expected one of: {", ".join(COMPARISONS)}'
                )
        for outcome in outcomes:
            if outcome.favoured_direction not in DIRECTIONS:
                problems.append(
                    f'{source}: vocabulary.outcomes: "{outcome.code}" has favoured_direction '
                    f'"{outcome.favoured_direction}"; expected one of: {", ".join(DIRECTIONS)}'
                )
        if language:
            for kind, items in (("designs", designs), ("outcomes", outcomes)):
                for item in items:
                    # A default design's name comes from the message catalogue.
                    if not item.labels.get(language) and item not in DEFAULT_DESIGNS:
                        given = ", ".join(item.labels) or "none"
                        problems.append(
                            f'{source}: vocabulary.{kind}: "{item.code}" has no label for the '
                            f'review\'s language "{language}" (labels given: {given})'
                        )
        primary = config.get("primary_outcome") or None
        codes = [outcome.code for outcome in outcomes]
        if primary and primary not in codes:
            declared = ", ".join(codes) if codes else "none are declared"
            problems.append(
                f'{source}: vocabulary.primary_outcome: "{primary}" is not a declared outcome '
                f"(vocabulary.outcomes: {declared})"
            )
        if problems:
            raise InputError(problems)
        return cls(designs, units, outcomes, primary, favoured_direction)


def _labels(item: Mapping) -> dict[str, str]:
    return {str(k): str(v) for k, v in (item.get("labels") or {}).items()}


def _design(item: Mapping) -> Design:
    level = item.get("evidence_level")
    return Design(
        str(item["code"]),
        str(item["comparison"]),
        _labels(item),
        None if level in (None, "") else str(level),
    )


def _unit(item: Mapping) -> Unit:
    return Unit(
        str(item["code"]),
        str(item.get("base", item["code"])),
        float(item.get("factor", 1.0)),
        bool(item.get("per_day", False)),
    )


def _outcome(item: Mapping, favoured_direction: str) -> Outcome:
    return Outcome(
        str(item["code"]),
        _labels(item),
        str(item.get("favoured_direction") or favoured_direction),
    )
