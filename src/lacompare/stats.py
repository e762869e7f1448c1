"""Confidence intervals and significance, as PHEindicatormethods and Fingertips compute them.

One function per method, each returning a polars expression so it runs over every LA at once.
Formulas and references are in each docstring; they follow PHEindicatormethods v2.1.0
(``R/utils.R``, ``R/Proportions.R``, ``R/Rates.R``), Fingertips' comparers
(``PholioVisualisationWS/Analysis/SingleOverlappingCIsComparer.cs``), Newcombe (1998) for the
difference of two proportions, the conditional binomial test for two Poisson rates, and
Spiegelhalter (2005) for overdispersion.

- one area against a fixed benchmark (England): :func:`compare_with_benchmark` on the area's
  :func:`proportion_ci` (Wilson) or :func:`rate_ci` (Byar's / exact Poisson);
- two estimates (an LA against its pooled neighbours, this year against last):
  :func:`newcombe_difference` for proportions, :func:`poisson_ratio_ci` for rates, read by
  :func:`compare_difference`;
- counts that are not independent trials (school sessions): :func:`overdispersion_factor`
  widens every interval by the spread seen between councils.
"""

from __future__ import annotations

import math
from functools import lru_cache
from statistics import NormalDist

import polars as pl

from lacompare._expr import word_for
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
    exact = uses_exact_poisson(x)
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


#: The methods :func:`rate_ci` uses, by number: exact Poisson limits for small counts.
RATE_CI_METHODS = ("Exact", "Byars")


def uses_exact_poisson(x: pl.Expr) -> pl.Expr:
    """Whether :func:`rate_ci` gives a count exact Poisson limits (x < 10), not Byar's."""
    return x < EXACT_POISSON_BELOW


def rate_ci_method(x: pl.Expr) -> pl.Expr:
    """ "Exact" or "Byars", the method :func:`rate_ci` uses for each count."""
    return word_for((~uses_exact_poisson(x)).cast(pl.Int8), RATE_CI_METHODS)


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
    return worded(benchmark_verdict(value, lower, upper, benchmark, polarity))


def benchmark_verdict(
    value: pl.Expr,
    lower: pl.Expr,
    upper: pl.Expr,
    benchmark: pl.Expr,
    polarity: pl.Expr,
) -> pl.Expr:
    """:func:`compare_with_benchmark`'s verdict as its number in :data:`VERDICTS`."""
    missing = (
        value.is_null()
        | benchmark.is_null()
        | _invalid_interval(lower, upper)
        | ~value.is_finite()
        | ~benchmark.is_finite()
    )
    inside = (lower <= benchmark) & (benchmark <= upper)
    return (
        pl.when(missing)
        .then(NOT_COMPARED)
        .when(inside)
        .then(SIMILAR)
        .otherwise(_by_polarity(value > benchmark, polarity))
    )


#: The verdicts' words, by number. A verdict is worked out as its number and worded once, at
#: the end: a chain of string branches over every row cost several times as much.
VERDICTS = ("not compared", "similar", "better", "worse", "higher", "lower")
NOT_COMPARED, SIMILAR = 0, 1


def worded(verdict: pl.Expr) -> pl.Expr:
    """A verdict's number as its word (:data:`VERDICTS`)."""
    return word_for(verdict, VERDICTS)


def _by_polarity(higher: pl.Expr, polarity: pl.Expr) -> pl.Expr:
    """A difference as a verdict's number: "better" / "worse" by the indicator's polarity,
    "higher" / "lower" where it has none."""
    up = higher.cast(pl.Int8)
    return (
        pl.when(polarity == "high")
        .then(3 - up)  # better (2) when higher, else worse (3)
        .when(polarity == "low")
        .then(2 + up)  # worse (3) when higher, else better (2)
        .otherwise(5 - up)  # higher (4), else lower (5)
    )


def _invalid_interval(lower: pl.Expr, upper: pl.Expr) -> pl.Expr:
    """An interval no verdict may rest on: a missing or NaN limit, or limits the wrong way
    round (a numerator above its denominator makes Wilson's square root NaN)."""
    return lower.is_null() | upper.is_null() | lower.is_nan() | upper.is_nan() | (lower > upper)


# --------------------------------------------------------------------------------------------
# Two estimates: differences of proportions and ratios of rates


def newcombe_difference(
    x1: pl.Expr, n1: pl.Expr, x2: pl.Expr, n2: pl.Expr, confidence: float = 0.95
) -> tuple[pl.Expr, pl.Expr]:
    """(lower, upper) of the difference of two proportions p1 − p2 (0-1 scale) by Newcombe's
    hybrid score method (method 10), from each proportion's Wilson limits (l1, u1), (l2, u2):

    ``D = p1 − p2``; ``lower = D − sqrt((p1 − l1)² + (u2 − p2)²)``;
    ``upper = D + sqrt((u1 − p1)² + (p2 − l2)²)``.

    Significant when the interval excludes 0. It behaves at x = 0 and x = n, where the simple
    (Wald) interval collapses. The two samples are taken as independent; for the same LA in two
    consecutive years (many of the same children) the true difference varies less than that,
    so the test is conservative.

    Reference: Newcombe RG (1998) Interval estimation for the difference between independent
    proportions: comparison of eleven methods. Stat Med 17:873-890. PHE/OHID technical guide
    "Confidence intervals" recommends it for differences of proportions.
    """
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_lower(x1, n1, confidence), wilson_upper(x1, n1, confidence)
    l2, u2 = wilson_lower(x2, n2, confidence), wilson_upper(x2, n2, confidence)
    difference = p1 - p2
    lower = difference - ((p1 - l1) ** 2 + (u2 - p2) ** 2).sqrt()
    upper = difference + ((u1 - p1) ** 2 + (p2 - l2) ** 2).sqrt()
    return lower, upper


def poisson_ratio_ci(
    x1: pl.Expr, n1: pl.Expr, x2: pl.Expr, n2: pl.Expr, confidence: float = 0.95
) -> tuple[pl.Expr, pl.Expr]:
    """(lower, upper) of the ratio of two Poisson rates (x1/n1) / (x2/n2) by the conditional
    binomial method: given x1 + x2 events, under equal rates x1 is Binomial(x1 + x2,
    n1 / (n1 + n2)). The Wilson interval (pl, pu) of p = x1 / (x1 + x2) maps to the ratio
    interval ``(pl / (1 − pl), pu / (1 − pu)) · n2 / n1``. Significant when it excludes 1.

    With no events in either (x1 + x2 = 0) there is no information: the interval is (0, ∞),
    which contains 1.

    Reference: Breslow NE, Day NE (1987) Statistical methods in cancer research vol II, IARC,
    §2.2 (the conditional test); Wilson EB (1927) for the binomial interval.
    """
    events = x1 + x2
    p_lower = wilson_lower(x1, events, confidence)
    p_upper = wilson_upper(x1, events, confidence)
    scale = n2 / n1
    no_events = events == 0
    lower = pl.when(no_events).then(pl.lit(0.0)).otherwise(p_lower / (1 - p_lower) * scale)
    upper = (
        pl.when(no_events | (p_upper >= 1))
        .then(pl.lit(float("inf")))
        .otherwise(p_upper / (1 - p_upper) * scale)
    )
    return lower, upper


def compare_difference(lower: pl.Expr, upper: pl.Expr, null: float, polarity: pl.Expr) -> pl.Expr:
    """The verdict on an interval for a difference (``null`` 0) or a ratio (``null`` 1) of a
    first estimate to a second: "similar" when the interval contains ``null`` (limits
    included), else "higher" / "lower" for the first, turned into "better" / "worse" by
    polarity. A missing, NaN or inverted interval is "not compared"."""
    return worded(difference_verdict(lower, upper, null, polarity))


def difference_verdict(lower: pl.Expr, upper: pl.Expr, null: float, polarity: pl.Expr) -> pl.Expr:
    """:func:`compare_difference`'s verdict as its number in :data:`VERDICTS`."""
    return (
        pl.when(_invalid_interval(lower, upper))
        .then(NOT_COMPARED)
        .when((lower <= null) & (null <= upper))
        .then(SIMILAR)
        .otherwise(_by_polarity(lower > null, polarity))
    )


# --------------------------------------------------------------------------------------------
# Overdispersion


def proportion_z(x: pl.Expr, n: pl.Expr, target: pl.Expr) -> pl.Expr:
    """z-score of the proportion x/n against a target proportion under the binomial:
    ``(x/n − target) / sqrt(target·(1 − target) / n)`` (Spiegelhalter 2005, eq. 2)."""
    return (x / n - target) / (target * (1 - target) / n).sqrt()


def overdispersion_factor(z: pl.Expr, trim: float = 0.1) -> pl.Expr:
    """Spiegelhalter's multiplicative overdispersion factor φ of a set of z-scores (an
    aggregation: use it in ``group_by().agg`` or ``over``): the z-scores are winsorised at the
    ``trim`` and ``1 − trim`` quantiles (10% each end, so a few true outliers do not inflate
    it), and ``φ = mean(z²)``, never below 1 (no narrowing).

    Widening an interval by φ is the same as giving the counts the effective sizes x/φ and
    n/φ. School absence is the textbook case: the half-day sessions of one pupil are not
    independent trials, and councils' session rates spread 10-30 times wider than the
    binomial allows, so φ is in the hundreds. A difference then counts as significant only
    if it is larger than the spread between councils, as on PHE's funnel plots.

    Reference: Spiegelhalter DJ (2005) Funnel plots for comparing institutional performance.
    Stat Med 24:1185-1202, §3.2 (multiplicative overdispersion with winsorised z-scores);
    PHE/OHID technical guide "Funnel plots".
    """
    low, high = z.quantile(trim, "linear"), z.quantile(1 - trim, "linear")
    return pl.max_horizontal((z.clip(low, high) ** 2).mean(), pl.lit(1.0))


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
