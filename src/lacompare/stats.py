"""Confidence intervals and significance, as PHEindicatormethods and Fingertips compute them.

One function per method, each returning a polars expression so it runs over every LA at once.
Formulas and references are in each docstring; they follow PHEindicatormethods v2.1.0
(``R/utils.R``, ``R/Proportions.R``, ``R/Rates.R``) and Fingertips' comparers
(``PholioVisualisationWS/Analysis/SingleOverlappingCIsComparer.cs``).
"""

from __future__ import annotations

import math
from functools import lru_cache
from statistics import NormalDist

import polars as pl

from lacompare.errors import InvalidArgumentError

#: Confidence levels Fingertips shows: 95% and 99.8%.
CONFIDENCE_LEVELS = (0.95, 0.998)
#: Below this many events a rate's interval is exact Poisson, otherwise Byar's (phe_rate).
EXACT_POISSON_BELOW = 10


def z_value(confidence: float = 0.95) -> float:
    """Two-sided normal quantile: ``z = qnorm(confidence + (1 - confidence) / 2)``.

    ``confidence`` may be given as 0.95 or 95 (PHEindicatormethods accepts both; values >= 90
    are divided by 100). z(0.95) = 1.959963984540054, z(0.998) = 3.090232306167813.
    """
    level = _level(confidence)
    return NormalDist().inv_cdf(level + (1 - level) / 2)


def _level(confidence: float) -> float:
    level = confidence / 100 if confidence >= 90 else confidence
    if not 0.9 <= level <= 1:
        raise InvalidArgumentError(
            f"confidence level must be between 90 and 100 or between 0.9 and 1, got {confidence}"
        )
    return level


def wilson_lower(x: pl.Expr, n: pl.Expr, confidence: float = 0.95) -> pl.Expr:
    """Lower Wilson score limit of the proportion x/n (0-1 scale).

    ``(2x + z² − z·sqrt(z² + 4x(1 − x/n))) / (2(n + z²))``

    References: Wilson EB (1927) J Am Stat Assoc 22:209-212; Newcombe RG, Altman DG (2000),
    Statistics with confidence, 2nd edn, pp 46-48. PHEindicatormethods ``wilson_lower``.
    """
    if _level(confidence) == 1:
        return pl.when(x.is_not_null() & n.is_not_null()).then(pl.lit(0.0))
    z = z_value(confidence)
    return (2 * x + z**2 - z * (z**2 + 4 * x * (1 - x / n)).sqrt()) / 2 / (n + z**2)


def wilson_upper(x: pl.Expr, n: pl.Expr, confidence: float = 0.95) -> pl.Expr:
    """Upper Wilson score limit of the proportion x/n (0-1 scale).

    ``(2x + z² + z·sqrt(z² + 4x(1 − x/n))) / (2(n + z²))``; see :func:`wilson_lower`.
    """
    if _level(confidence) == 1:
        return pl.when(x.is_not_null() & n.is_not_null()).then(pl.lit(1.0))
    z = z_value(confidence)
    return (2 * x + z**2 + z * (z**2 + 4 * x * (1 - x / n)).sqrt()) / 2 / (n + z**2)


def byars_lower(x: pl.Expr, confidence: float = 0.95) -> pl.Expr:
    """Byar's approximation to the lower Poisson limit of an observed count x.

    ``x·(1 − 1/(9x) − z/(3·sqrt(x)))³``, null where that is negative (as PHEindicatormethods).

    Reference: Breslow NE, Day NE (1987) Statistical methods in cancer research vol II, IARC,
    p 69. PHEindicatormethods ``byars_lower``.
    """
    z = z_value(confidence)
    lower = x * (1 - 1 / (9 * x) - z / (3 * x.sqrt())) ** 3
    # polars orders NaN above every number, so test finiteness before the sign (x = 0).
    return pl.when(lower.is_finite() & (lower >= 0)).then(lower)


def byars_upper(x: pl.Expr, confidence: float = 0.95) -> pl.Expr:
    """Byar's approximation to the upper Poisson limit of an observed count x.

    ``(x + 1)·(1 − 1/(9(x + 1)) + z/(3·sqrt(x + 1)))³``; see :func:`byars_lower`.
    """
    z = z_value(confidence)
    return (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * (x + 1).sqrt())) ** 3


def exact_poisson_lower(x: pl.Expr, confidence: float = 0.95) -> pl.Expr:
    """Exact (Garwood) lower Poisson limit of a count x: ``qchisq((1 − conf)/2, 2x) / 2``.

    Computed as the gamma quantile with shape x (0 for x = 0). PHEindicatormethods uses it in
    ``phe_rate`` for x < 10. Reference: Garwood F (1936) Biometrika 28:437-442.
    """
    level = _level(confidence)
    return x.map_batches(
        lambda s: _map_unique(s, lambda v: _gamma_quantile((1 - level) / 2, v)),
        return_dtype=pl.Float64,
    )


def exact_poisson_upper(x: pl.Expr, confidence: float = 0.95) -> pl.Expr:
    """Exact (Garwood) upper Poisson limit: ``qchisq(conf + (1 − conf)/2, 2x + 2) / 2``,
    i.e. the gamma quantile with shape x + 1; see :func:`exact_poisson_lower`."""
    level = _level(confidence)
    return x.map_batches(
        lambda s: _map_unique(s, lambda v: _gamma_quantile(level + (1 - level) / 2, v + 1)),
        return_dtype=pl.Float64,
    )


def proportion_ci(
    x: pl.Expr, n: pl.Expr, confidence: float = 0.95, multiplier: float = 100
) -> tuple[pl.Expr, pl.Expr]:
    """(lower, upper) of x/n·multiplier by Wilson's score method (``phe_proportion``)."""
    return wilson_lower(x, n, confidence) * multiplier, wilson_upper(x, n, confidence) * multiplier


def rate_ci(
    x: pl.Expr, n: pl.Expr, confidence: float = 0.95, multiplier: float = 100_000
) -> tuple[pl.Expr, pl.Expr]:
    """(lower, upper) of the rate x/n·multiplier as ``phe_rate``: exact Poisson limits when
    x < 10, Byar's otherwise, each divided by n and multiplied."""
    exact = x < EXACT_POISSON_BELOW
    # The gamma quantile is computed only for the counts that use it (x < 10): a when/then
    # evaluates both branches on every row, so the large counts are masked out first.
    small = pl.when(exact).then(x)
    lower = (
        pl.when(exact)
        .then(exact_poisson_lower(small, confidence))
        .otherwise(byars_lower(x, confidence))
    )
    upper = (
        pl.when(exact)
        .then(exact_poisson_upper(small, confidence))
        .otherwise(byars_upper(x, confidence))
    )
    return lower / n * multiplier, upper / n * multiplier


def rate_ci_method(x: pl.Expr) -> pl.Expr:
    """ "Exact" or "Byars", the method :func:`rate_ci` uses for each count."""
    return pl.when(x < EXACT_POISSON_BELOW).then(pl.lit("Exact")).otherwise(pl.lit("Byars"))


def compare_with_benchmark(
    value: pl.Expr,
    lower: pl.Expr,
    upper: pl.Expr,
    benchmark: pl.Expr,
    polarity: pl.Expr,
) -> pl.Expr:
    """Fingertips' better / similar / worse test of an area against a benchmark value.

    The benchmark's point value inside the area's confidence interval, limits included, is
    "similar"; otherwise the area is higher or lower, which polarity turns into "better" or
    "worse" (high polarity: higher is better; low: lower is better). Without a polarity the
    answer stays "higher" / "lower". Missing value, interval or benchmark: "not compared" —
    never a guess from the raw difference.

    Reference: Fingertips ``SingleOverlappingCIsComparer`` (comparator method 1) and
    ``IndicatorComparer.AdjustForPolarity``.
    """
    missing = value.is_null() | lower.is_null() | upper.is_null() | benchmark.is_null()
    inside = (lower <= benchmark) & (benchmark <= upper)
    higher = value > benchmark
    return (
        pl.when(missing)
        .then(pl.lit("not compared"))
        .when(inside)
        .then(pl.lit("similar"))
        .when(polarity == "high")
        .then(pl.when(higher).then(pl.lit("better")).otherwise(pl.lit("worse")))
        .when(polarity == "low")
        .then(pl.when(higher).then(pl.lit("worse")).otherwise(pl.lit("better")))
        .otherwise(pl.when(higher).then(pl.lit("higher")).otherwise(pl.lit("lower")))
    )


# --------------------------------------------------------------------------------------------
# The gamma quantile behind exact Poisson limits (no SciPy needed for ten small counts).


def _map_unique(series: pl.Series, function) -> pl.Series:  # type: ignore[no-untyped-def]
    """Apply a scalar function once per distinct value (counts repeat across LAs)."""
    distinct = series.drop_nulls().unique()
    table = {value: function(float(value)) for value in distinct.to_list()}
    return series.replace_strict(table, default=None, return_dtype=pl.Float64)


def _gamma_p(shape: float, t: float) -> float:
    """Regularised lower incomplete gamma P(shape, t) (series / continued fraction, Numerical
    Recipes 6.2), accurate to ~1e-15."""
    if t <= 0:
        return 0.0
    log_prefix = shape * math.log(t) - t - math.lgamma(shape)
    if t < shape + 1:  # series
        term = total = 1.0 / shape
        a = shape
        for _ in range(10_000):
            a += 1
            term *= t / a
            total += term
            if abs(term) < abs(total) * 1e-17:
                break
        return total * math.exp(log_prefix)
    # Continued fraction for Q = 1 - P (Lentz's method).
    tiny = 1e-300
    b = t + 1 - shape
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - shape)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-17:
            break
    return 1.0 - math.exp(log_prefix) * h


@lru_cache(maxsize=4096)
def _gamma_quantile(p: float, shape: float) -> float:
    """t with P(shape, t) = p, by bisection to machine precision (0 when shape is 0)."""
    if shape <= 0:
        return 0.0
    low, high = 0.0, max(1.0, shape)
    while _gamma_p(shape, high) < p:
        high *= 2
    for _ in range(200):
        middle = (low + high) / 2
        if _gamma_p(shape, middle) < p:
            low = middle
        else:
            high = middle
        if high - low <= 1e-15 * max(1.0, high):
            break
    return (low + high) / 2
