"""Significance: intervals, tests against England and the neighbours (Fingertips' methods,
in :mod:`lacompare.stats`), overdispersion, small numbers and implausible benchmarks."""

from __future__ import annotations

import polars as pl

from lacompare._expr import word_for
from lacompare.compare.keys import ENGLAND, IS_LOCAL, Keys
from lacompare.stats import (
    NOT_COMPARED,
    RATE_CI_METHODS,
    benchmark_verdict,
    difference_verdict,
    newcombe_difference,
    overdispersion_factor,
    poisson_ratio_ci,
    proportion_ci,
    proportion_z,
    rate_ci,
    uses_exact_poisson,
    worded,
)

#: The LA's counts as the tests use them (effective sizes for session counts).
_x, _n = pl.col("_x"), pl.col("_n")


def overdispersion_factors(
    obs: pl.LazyFrame, ind: pl.DataFrame, all_las: pl.Series, keys: Keys
) -> pl.LazyFrame:
    """Stage 4c, Spiegelhalter's overdispersion factor φ of each session-based measure
    (school absence counted in half-days) per period: the LAs' z-scores against England's
    proportion (from England's counts; the LAs' pooled proportion without them), winsorised
    (:func:`lacompare.stats.overdispersion_factor`), from published figures only. Other
    measures get none (binomial). Every period of the few session measures is worked out (a
    few thousand rows); the rows read the periods they compare."""
    sessions = ind.filter("per_session").get_column("indicator_id")
    counted = obs.filter(
        pl.col("indicator_id").is_in(sessions.implode()),
        ~IS_LOCAL,
        pl.col("numerator").is_not_null(),
    )
    england = pl.Series([ENGLAND], dtype=keys.area)
    target = counted.filter(pl.col("area_code").is_in(england.implode())).select(
        "indicator_id", "period", _england=pl.col("numerator") / pl.col("denominator")
    )
    return (
        counted.filter(pl.col("area_code").is_in(all_las.implode()))
        .join(target, on=["indicator_id", "period"], how="left")
        .with_columns(
            _target=pl.coalesce(
                "_england",
                (pl.col("numerator").sum() / pl.col("denominator").sum()).over(
                    "indicator_id", "period"
                ),
            )
        )
        .with_columns(
            _z=proportion_z(pl.col("numerator"), pl.col("denominator"), pl.col("_target"))
        )
        .group_by("indicator_id", "period")
        .agg(overdispersion=overdispersion_factor(pl.col("_z")))
    )


def with_significance(rows: pl.LazyFrame) -> pl.LazyFrame:
    """Stage 6, the LA's 95% and 99.8% intervals and the verdicts (see :mod:`lacompare.stats`):

    - ``vs_england``: England's value inside the LA's interval (Fingertips), England's value
      taken from England's own counts where they exist (unrounded: 68.55, not 69);
    - ``vs_sn``: the LA against its pooled neighbours (their numerators over their
      denominators), a two-sample test, where every neighbour has counts;
    - ``change_vs_previous``: this period against the previous year, a two-sample test.

    Percentages use Wilson and Newcombe's difference; rates exact Poisson / Byar's and the
    conditional binomial ratio. Session counts (school absence) are scaled to their effective
    sizes x/φ, n/φ by the period's overdispersion factor first."""
    return (
        rows.with_columns(_effective_counts())
        .with_columns(_intervals())
        .with_columns(
            england_exact_value=pl.coalesce(
                pl.col("_england_numerator") / pl.col("_england_denominator") * multiplier_expr(),
                "england_value",
            ),
            sn_pooled_value=pl.col("sn_numerator") / pl.col("sn_denominator") * multiplier_expr(),
            _estimate=pl.coalesce(_x / _n * multiplier_expr(), "la_value"),
        )
        # Each two-sample interval is worked out once, as columns, before the verdicts read
        # it: one expression holding all six intervals inside the verdicts took most of the
        # engine's planning time.
        .with_columns(
            *_two_sample_limits("sn", _SN, 0.95),
            *_two_sample_limits("sn_998", _SN, 0.998),
            *_two_sample_limits("previous", _PREVIOUS, 0.95),
        )
        .with_columns(
            vs_england=_against_england(""),
            vs_england_998=_against_england("_998"),
            vs_sn=_two_sample("sn", _SN),
            vs_sn_998=_two_sample("sn_998", _SN),
            change_vs_previous=_two_sample("previous", _PREVIOUS),
        )
    )


#: How the LA's interval was worked out, by number.
CI_METHODS = ("Wilson (sessions, overdispersion)", "Wilson", *RATE_CI_METHODS)

#: The second sample's (effective) counts: the pooled neighbours, and the LA a year before.
_SN = (pl.col("_sn_x"), pl.col("_sn_n"))
_PREVIOUS = (pl.col("_prev_x"), pl.col("_prev_n"))


def multiplier_expr() -> pl.Expr:
    """The unit's multiplier (100 for a percentage), from the indicator's facts: looked up
    once per indicator (:func:`lacompare.compare.arguments.indicator_facts`), not once per row
    at each of its dozen uses."""
    return pl.col("_multiplier")


def _effective_counts() -> list[pl.Expr]:
    """The counts each test uses: as published, or for session measures divided by the
    period's overdispersion factor φ (:func:`overdispersion_factors`) so the intervals widen by
    sqrt(φ). Rows without a unit that has an interval get none."""
    testable = multiplier_expr().is_not_null()
    sessions = pl.col("per_session")
    phi = pl.when(sessions).then(pl.col("overdispersion").fill_null(1.0)).otherwise(1.0)
    previous_phi = pl.when(sessions).then(pl.col("_previous_phi").fill_null(phi)).otherwise(1.0)

    def scaled(column: str, factor: pl.Expr, name: str) -> pl.Expr:
        return pl.when(testable).then(pl.col(column) / factor).alias(name)

    return [
        scaled("la_numerator", phi, "_x"),
        scaled("la_denominator", phi, "_n"),
        scaled("sn_numerator", phi, "_sn_x"),
        scaled("sn_denominator", phi, "_sn_n"),
        scaled("previous_numerator", previous_phi, "_prev_x"),
        scaled("previous_denominator", previous_phi, "_prev_n"),
        pl.when(pl.col("per_session") & testable).then(phi).alias("overdispersion"),
    ]


def _against_england(suffix: str) -> pl.Expr:
    """Fingertips' test of England's exact value against the LA's interval; none where
    England's published value is implausible (:func:`implausible_benchmark`)."""
    verdict = benchmark_verdict(
        pl.col("_estimate"),
        pl.col(f"la_lower_ci{suffix}"),
        pl.col(f"la_upper_ci{suffix}"),
        pl.col("england_exact_value"),
        pl.col("polarity"),
    )
    return worded(pl.when(pl.col("england_flag").is_null()).then(verdict).otherwise(NOT_COMPARED))


def _two_sample_limits(
    name: str, second: tuple[pl.Expr, pl.Expr], confidence: float
) -> list[pl.Expr]:
    """The LA's counts against a second sample's: Newcombe's interval for a difference of
    percentages and the conditional binomial interval for a ratio of rates, as columns
    ``_{name}_difference_low`` ... ``_{name}_ratio_high``."""
    x2, n2 = second
    d_low, d_high = newcombe_difference(_x, _n, x2, n2, confidence)
    r_low, r_high = poisson_ratio_ci(_x, _n, x2, n2, confidence)
    return [
        d_low.alias(f"_{name}_difference_low"),
        d_high.alias(f"_{name}_difference_high"),
        r_low.alias(f"_{name}_ratio_low"),
        r_high.alias(f"_{name}_ratio_high"),
    ]


def _two_sample(name: str, second: tuple[pl.Expr, pl.Expr]) -> pl.Expr:
    """The LA against a second sample, from the intervals :func:`_two_sample_limits` made:
    the difference for percentages, the ratio for rates; "not compared" without counts."""
    x1, n1 = _x, _n
    x2, n2 = second
    d_low, d_high = pl.col(f"_{name}_difference_low"), pl.col(f"_{name}_difference_high")
    r_low, r_high = pl.col(f"_{name}_ratio_low"), pl.col(f"_{name}_ratio_high")
    polarity = pl.col("polarity")
    has_counts = x1.is_not_null() & n1.is_not_null() & x2.is_not_null() & n2.is_not_null()
    return worded(
        pl.when(~has_counts)
        .then(NOT_COMPARED)
        .when(pl.col("unit") == "percent")
        .then(difference_verdict(d_low, d_high, 0.0, polarity))
        .otherwise(difference_verdict(r_low, r_high, 1.0, polarity))
    )


#: Fewer people than this behind a percentage, or fewer events behind a rate, is a small
#: number: shown with its counts, never ranked, banded or counted in summaries.
SMALL_DENOMINATOR = 20


SMALL_EVENTS = 10


def small_number_expr() -> pl.Expr:
    """A percentage of fewer than :data:`SMALL_DENOMINATOR` children, or a rate from fewer
    than :data:`SMALL_EVENTS` events ("19 of 19" health checks): too few for a rank, a
    quartile band or a place in a summary count to mean anything."""
    unit = pl.col("unit")
    return (
        ((unit == "percent") & (pl.col("la_denominator") < SMALL_DENOMINATOR))
        | (unit.str.starts_with("rate_per_") & (pl.col("la_numerator") < SMALL_EVENTS))
    ).fill_null(False)


#: Units whose England and regional values are averages over the LAs (so lie within their
#: range), not totals.
_AVERAGED_UNITS = ("percent", "rate_per_1000", "rate_per_10000", "rate_per_100000")


def implausible_benchmark(column: str) -> pl.Expr:
    """A note where a published benchmark that is an average of LAs (a percentage or rate)
    lies outside the range of every LA's value by more than that range's width: a bad value
    in the source (LAIT's England first-time youth-justice entrants, 1,258 per 100,000
    against LAs' 0 to 400), shown but never used as a benchmark. Null where plausible."""
    spread = pl.col("national_max") - pl.col("national_min")
    value = pl.col(column)
    outside = (value > pl.col("national_max") + spread) | (value < pl.col("national_min") - spread)
    return pl.when(pl.col("unit").is_in(_AVERAGED_UNITS) & outside & (spread > 0)).then(
        pl.lit("outside the range of every local authority's value: not used as a benchmark")
    )


def _intervals() -> list[pl.Expr]:
    """95% and 99.8% intervals of the LA's value from its (effective) counts: Wilson for
    percentages of a whole, exact Poisson / Byar's for rates (and percentages that are
    ratios); null where there are no counts or the unit has no interval."""
    x, n = _x, _n
    unit = pl.col("unit")
    multiplier = multiplier_expr()
    has_counts = x.is_not_null() & n.is_not_null()
    is_proportion = unit == "percent"
    method = (
        pl.when(has_counts & is_proportion & pl.col("per_session"))
        .then(0)
        .when(has_counts & is_proportion)
        .then(1)
        .when(has_counts)
        .then(2 + (~uses_exact_poisson(x)).cast(pl.Int8))  # RATE_CI_METHODS, after Wilson
    )
    out: list[pl.Expr] = [word_for(method, CI_METHODS).alias("ci_method")]
    for confidence, suffix in ((0.95, ""), (0.998, "_998")):
        p_low, p_high = proportion_ci(x, n, confidence, 100)
        r_low, r_high = rate_ci(x, n, confidence, 1)
        out.append(
            pl.when(has_counts & is_proportion)
            .then(p_low)
            .when(has_counts)
            .then(r_low * multiplier)
            .alias(f"la_lower_ci{suffix}")
        )
        out.append(
            pl.when(has_counts & is_proportion)
            .then(p_high)
            .when(has_counts)
            .then(r_high * multiplier)
            .alias(f"la_upper_ci{suffix}")
        )
    return out
