"""Numbers written the way the manuscript's language writes them.

Indonesian uses a decimal comma and a thousands dot (0,3; 1.234; p = 0,007);
English the reverse. Babel holds the CLDR rules, so nothing here hard-codes
separators; the Babel locale of a language is in its message catalogue.
"""

from __future__ import annotations

from babel.numbers import format_decimal

from reviewkit.i18n import message


def format_number(value: float | int, language: str, decimals: int | None = None) -> str:
    """Format a number; `decimals` fixes the digits after the mark, None shows up to 2.

    Integers (and floats that are whole, with decimals=None) print without a
    decimal part: 532 -> "532", 1234 -> "1.234" in Indonesian.
    """
    if isinstance(value, bool) or value is None:
        raise TypeError(f"not a number: {value!r}")
    if decimals is None:
        pattern = "#,##0" if float(value).is_integer() else "#,##0.##"
    else:
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=message(language, "language.babel"))


def format_p(value: float, operator: str, language: str) -> str:
    """'p = 0,007' / 'p < 0,05' with three decimals at most, never 'p = 0,000'."""
    if operator not in {"=", "<"}:
        raise ValueError(f'p operator must be "=" or "<", not {operator!r}')
    if operator == "=" and value < 0.001:
        return f"p < {format_number(0.001, language, 3)}"
    decimals = max(2, min(4, len(f"{value:.4f}".rstrip("0").split(".")[1])))
    return f"p {operator} {format_number(value, language, decimals)}"


def format_percent(value: float, language: str, decimals: int = 0) -> str:
    """A proportion (0.4) as a percentage ("40%")."""
    return format_number(100 * value, language, decimals) + "%"


def format_computed_p(value: float, language: str, operator: str = "=") -> str:
    """A p-value the tool computed, as the blocks print it: 'p < 0.001' below 0.001,
    otherwise three decimals, a trailing zero dropped down to two ('p = 0.189',
    'p = 0.063', 'p = 0.50'), as APA 7 (6.36) asks; more digits would claim a precision
    that a test on a few studies does not have. A bound (``operator`` '<') is printed as
    it was reported (format_p: 'p < 0.0005'), and a p-value a study
    reported is printed with ``format_p`` as well (the filter ``p_reported``)."""
    if operator != "=" or value < 0.001:
        return format_p(value, operator, language)
    from decimal import ROUND_HALF_UP, Decimal

    # Half up from the shortest decimal form: a sign test's exact 1/16 is 0.063, not 0.062.
    rounded = Decimal(repr(float(value))).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    decimals = 2 if rounded == rounded.quantize(Decimal("0.01")) else 3
    return f"p = {format_number(rounded, language, decimals)}"
