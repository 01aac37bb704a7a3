"""Brent's zeroin as R's ``uniroot`` runs it (reviewkit.synthesis._zeroin).

References: R's help page ``?uniroot`` and its examples, and the output of R 4.2.2's
``uniroot`` for them (``str(uniroot(...), digits.d = 17)``; R's default tol is
.Machine$double.eps^0.25); Forsythe, Malcolm & Moler (1977), section 7.2, whose example is
x^3 - 2x - 5 = 0 on [2, 3]. R computes x^3 and exp, cos with the C library's pow, exp and
cos, as Python does, so the iterates agree to the bit.
"""

from __future__ import annotations

import math

import pytest

from reviewkit.synthesis._zeroin import EPS, R_DEFAULT_TOL, zeroin


def test_r_default_tolerance_is_eps_to_the_quarter():
    assert R_DEFAULT_TOL == 2.0**-13 == 1.220703125e-4  # (2^-52)^(1/4)


def test_linear_function_hits_the_root_on_the_first_step():
    """?uniroot: f(x) = x - 1/3 on (0, 1), tol = 1e-4: "some platforms hit zero exactly on
    the first step: if so the estimated precision is 2/3". By hand: b = 0 is the better end
    (|f| = 1/3 < 2/3), the secant through (1, 2/3) and (0, -1/3) steps to 1/3, f(1/3) = 0
    ends the search after one evaluation, and the bracket [1/3, 1] has width 2/3."""
    found = zeroin(lambda x: x - 1 / 3, 0.0, 1.0, tol=1e-4)
    assert (found.root, found.iterations, found.converged) == (1 / 3, 1, True)
    assert found.precision == float("0.66666666666666674")


@pytest.mark.parametrize(
    ("f", "lower", "upper", "tol", "root", "iterations", "precision"),
    [
        # ?uniroot "handheld calculator example: fixed point of cos(.)"
        (lambda x: math.cos(x) - x, -math.pi, math.pi, 1e-9,
         "0.73908513317531843", 8, "5.0000037443709289e-10"),
        (lambda x: math.cos(x) - x, -math.pi, math.pi, R_DEFAULT_TOL,
         "0.73908430786659995", 7, "6.1035156250333067e-05"),
        # Forsythe, Malcolm & Moler's example
        (lambda x: x**3 - 2 * x - 5, 2.0, 3.0, R_DEFAULT_TOL,
         "2.0945412049478809", 5, "6.1035156250888178e-05"),
        (lambda x: x**3 - 2 * x - 5, 2.0, 3.0, 1e-12,
         "2.0945514815423265", 8, "5.0093262871087063e-13"),
        # a root near one end of a wide interval (as metafor's [0, 100] for tau^2)
        (lambda x: math.exp(x) - 2, 0.0, 100.0, R_DEFAULT_TOL,
         "0.69312552534672245", 18, "6.1035156250333067e-05"),
        (lambda x: 1 / x - 3, 0.01, 10.0, R_DEFAULT_TOL,
         "0.33333008959863647", 10, "6.1035156250166533e-05"),
        # flat near the root: interpolation is mostly refused, many bisection steps
        (lambda x: x**9, -1.0, 2.0, R_DEFAULT_TOL,
         "-4.7101462121295896e-06", 27, "6.1035156250000027e-05"),
        (lambda x: (x - 1) ** 3, 0.0, 3.0, R_DEFAULT_TOL,
         "0.9999792923478581", 30, "6.1035156250444089e-05"),
    ],
)  # fmt: skip
def test_same_root_iterations_and_precision_as_r_uniroot(
    f, lower, upper, tol, root, iterations, precision
):
    """R 4.2.2: uniroot(f, c(lower, upper), tol = tol)$root, $iter, $estim.prec."""
    found = zeroin(f, lower, upper, tol=tol)
    assert found.root == float(root)
    assert found.iterations == iterations
    assert found.precision == float(precision)
    assert found.converged


def test_maxiter_reached_returns_the_last_iterate_unconverged():
    """R: uniroot(function(x) x^9, c(-1, 2), maxiter = 5) warns "_NOT_ converged in 5
    iterations" and returns root 0.12688637114278456, iter 5, estim.prec
    0.37279608882080656."""
    found = zeroin(lambda x: x**9, -1.0, 2.0, maxiter=5)
    assert found.converged is False and found.iterations == 5
    assert found.root == float("0.12688637114278456")
    assert found.precision == float("0.37279608882080656")


def test_a_root_at_an_end_is_returned_without_iterating():
    """R: uniroot(function(x) x, c(0, 1)) and c(-1, 0): root 0, iter 0, estim.prec 0."""
    assert zeroin(lambda x: x, 0.0, 1.0) == zeroin(lambda x: x, -1.0, 0.0)
    found = zeroin(lambda x: x, 0.0, 1.0)
    assert (found.root, found.iterations, found.precision, found.converged) == (0, 0, 0, True)


def test_known_end_values_are_not_evaluated_again():
    calls = []

    def f(x):
        calls.append(x)
        return x - 0.25

    found = zeroin(f, 0.0, 1.0, f_lower=-0.25, f_upper=0.75)
    assert 0.0 not in calls and 1.0 not in calls
    assert len(calls) == found.iterations


@pytest.mark.parametrize("target", [0.001, 0.3, 2.0, 37.5, 99.0])
@pytest.mark.parametrize("tol", [R_DEFAULT_TOL, 1e-8, 0.0])
def test_accuracy_is_4_eps_x_plus_tol(target, tol):
    """Brent's bound: the returned b is within 4 eps |x| + tol of a root (the final bracket
    [b, c] contains one and |c - b| <= 2 (2 eps |b| + tol/2))."""
    found = zeroin(lambda x: math.log(x) - math.log(target), 1e-6, 100.0, tol=tol)
    assert abs(found.root - target) <= 4 * EPS * target + tol + 1e-15 * target
    assert found.converged


@pytest.mark.parametrize(
    ("lower", "upper", "f", "maxiter", "message"),
    [
        (1.0, 1.0, lambda x: x, 1000, "lower < upper"),
        (2.0, 1.0, lambda x: x, 1000, "lower < upper"),
        (1.0, 2.0, lambda x: x, 1000, "same sign"),
        (-1.0, 1.0, lambda x: math.nan, 1000, "NaN"),
        (-1.0, 1.0, lambda x: x, 0, "maxiter"),
    ],
)
def test_refuses_what_uniroot_refuses(lower, upper, f, maxiter, message):
    with pytest.raises(ValueError, match=message):
        zeroin(f, lower, upper, maxiter=maxiter)
