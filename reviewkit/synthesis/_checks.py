"""Input checks shared by the synthesis modules (clear ValueError messages)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real

import numpy as np


def check_p(p: float, name: str = "p") -> float:
    """Return ``p`` as float if 0 < p <= 1, else raise ValueError with a hint."""
    if isinstance(p, bool) or not isinstance(p, Real):
        raise ValueError(f"{name} must be a number in (0, 1], got {p!r}")
    p = float(p)
    if math.isnan(p):
        raise ValueError(f"{name} is missing (NaN)")
    if p == 0.0:
        raise ValueError(
            f"{name} = 0 is not a valid p-value. A reported 'p = 0.000' (software rounding) "
            "means p < 0.0005: enter p=0.0005 with operator '<'."
        )
    if not 0.0 < p <= 1.0:
        raise ValueError(f"{name} must be in (0, 1], got {p}")
    return p


def check_n(n: float, name: str, minimum: int) -> int:
    """Return ``n`` as int if it is a whole number >= ``minimum``."""
    if isinstance(n, bool) or not isinstance(n, Real):
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {n!r}")
    if math.isnan(float(n)) or float(n) != int(n):
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {n!r}")
    if int(n) < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {int(n)}")
    return int(n)


def check_finite(x: float, name: str) -> float:
    """Return ``x`` as float if finite."""
    if isinstance(x, bool) or not isinstance(x, Real) or not math.isfinite(float(x)):
        raise ValueError(f"{name} must be a finite number, got {x!r}")
    return float(x)


def check_level(level: float) -> float:
    """Confidence level must lie strictly between 0 and 1 (e.g. 0.95)."""
    if not isinstance(level, Real) or not 0.0 < float(level) < 1.0:
        raise ValueError(f"level must be in (0, 1), e.g. 0.95, got {level!r}")
    return float(level)


def check_direction(direction: int) -> int:
    """Direction of effect must be +1 (increase / group 1 higher) or -1."""
    if isinstance(direction, bool) or direction not in (1, -1):
        raise ValueError(f"direction must be +1 or -1, got {direction!r}")
    return int(direction)


def as_1d(values: Sequence[float], name: str) -> np.ndarray:
    """Convert to a 1-D float array (no check of finiteness)."""
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return arr


def check_same_length(**arrays: Sequence) -> int:
    """All sequences must have the same length; return it."""
    lengths = {name: len(a) for name, a in arrays.items() if a is not None}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{k}={v}" for k, v in lengths.items())
        raise ValueError(f"inputs have different lengths: {detail}")
    return next(iter(lengths.values())) if lengths else 0
