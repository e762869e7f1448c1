"""The exception rule: which of an LA's indicators a board should look at first, and why.

One rule for every table and paper (:func:`exceptions`), so no paper can say "nothing to worry
about" beside a row its own table shows in the worst quarter and getting worse. A row is
flagged by the first of these that holds:

``red-red``
    Significantly worse than England (95%) and worse than the previous period: a tested worse
    change (Newcombe's interval, or the conditional binomial test for rates) where the change
    can be tested, else LAIT's "worsening" label. Fingertips' "red-red".
``worse-than-both``
    Significantly worse than England and than the pooled statistical neighbours (95%), whatever
    the direction of change: the authority stands apart from both benchmarks.
``watch``
    Worse than England by value, in the worst quarter of authorities (quartile D) and worse
    than the previous period (LAIT's label), whether or not a test was possible: the pattern a
    board member sees in the table ("placed more than 20 miles away: 34% against 18%, 145th
    of 151, worsening"), said in words with "not tested" where it was not.

Rows are ordered tested first (red-red, worse-than-both, then watch rows with a test, then
without). Small numbers (under 20 children, or 10 events) are flagged like any other row and
their reason says so. Statistics come from :mod:`lacompare.compare`; this module only reads
its verdicts.
"""

from __future__ import annotations

import polars as pl

from lacompare._cells import said_comparator, said_value
from lacompare._expr import fmt
from lacompare.errors import user_facing
from lacompare.format import format_gap, format_number, format_value
from lacompare.periods import period_text

#: The flags in order of severity, each with its meaning (for notes and methods).
FLAGS: dict[str, str] = {
    "red-red": "significantly worse than England and worse than the previous period "
    "(significantly worse where the change can be tested; worse by value where it cannot)",
    "worse-than-both": "significantly worse than England and than the statistical neighbours",
    "watch": "worse than England by value, in the worst quarter of authorities (or an older "
    "figure, which is not ranked) and worse than the previous period by value",
}
#: What every exceptions frame holds, in order.
EXCEPTION_COLUMNS = [
    "area_code",
    "area_name",
    "indicator_id",
    "indicator_name",
    "flag",
    "tested",
    "is_old",
    "reason",
]


def flag_expr() -> pl.Expr:
    """Each comparison row's flag (null where none), by the module's rule."""
    worse_england = pl.col("vs_england") == "worse"
    tested_change = pl.col("change_vs_previous")
    worsened = (tested_change == "worse") | (
        (tested_change == "not compared") & (pl.col("direction") == "worsening")
    )
    by_value = _worse_by_value()
    return (
        pl.when(worse_england & worsened)
        .then(pl.lit("red-red"))
        .when(worse_england & (pl.col("vs_sn") == "worse"))
        .then(pl.lit("worse-than-both"))
        .when(by_value & (pl.col("quartile_band") == "D") & (pl.col("direction") == "worsening"))
        .then(pl.lit("watch"))
        # An older figure has no band (it is not ranked against a later year's field): it is
        # watched on its value and trend alone, and its reason says it is older.
        .when(by_value & pl.col("is_old").fill_null(False) & (pl.col("direction") == "worsening"))
        .then(pl.lit("watch"))
    )


def _worse_by_value() -> pl.Expr:
    """The LA's value is worse than England's, as the table shows them (rounded), by polarity."""
    la = pl.col("la_value")
    england = pl.col("england_value")
    return (
        pl.when(pl.col("polarity") == "high")
        .then(la < england)
        .when(pl.col("polarity") == "low")
        .then(la > england)
        .otherwise(pl.lit(False))
        .fill_null(False)
    )


@user_facing
def exceptions(comparison: pl.DataFrame) -> pl.DataFrame:
    """One row per flagged indicator of the comparison (one LA's, or every LA's from
    :func:`lacompare.compare_all`): ``area_code``, ``area_name``, ``indicator_id``,
    ``indicator_name``, ``flag`` (``red-red``, ``worse-than-both`` or ``watch``; see the module
    doc), ``tested`` (whether the difference from England was tested) and ``reason`` in words,
    with the figures as the tables show them, and ``is_old``. Ordered by what a board should
    look at first: tested and significantly worse than England, then current untested ones,
    then older figures; within each, furthest from England (relative difference) first."""
    texts = comparison.with_columns(
        flag=flag_expr(),
        tested=pl.col("vs_england") != "not compared",
        is_old=pl.col("is_old").fill_null(False),
    ).filter(pl.col("flag").is_not_null())
    order = {flag: rank for rank, flag in enumerate(FLAGS)}
    england = pl.coalesce("england_exact_value", "england_value")
    return (
        texts.with_columns(
            reason=_reason(),
            _group=pl.when(pl.col("is_old"))
            .then(2)
            .when(pl.col("vs_england") == "worse")
            .then(0)
            .otherwise(1),
            _distance=((pl.col("la_value") - england).abs() / england.abs()).fill_nan(None),
            _order=pl.col("flag").replace_strict(order),
        )
        .sort(
            ["area_name", "_group", "_distance", "_order", "indicator_name"],
            descending=[False, False, True, False, False],
            nulls_last=True,
        )
        .select(EXCEPTION_COLUMNS)
    )


def _reason() -> pl.Expr:
    """Why a row is flagged, in the table's own figures: "34% against England's 18% (not
    tested); ranked =145th of 151, in the worst quarter; worse than 2024 (31%, change not
    tested)"."""
    unit, decimals = pl.col("unit"), pl.col("decimals")
    # An own figure carries [L]; its comparators say their (earlier, published) year.
    la = said_value()
    england = said_comparator(pl.col("england_value"))
    sn = said_comparator(pl.col("sn_average"))
    against_england = (
        pl.when(pl.col("vs_england") == "worse")
        .then(fmt("{}, significantly worse than England's {}", la, england))
        .when(pl.col("vs_england") == "not compared")
        .then(fmt("{} against England's {} (not tested)", la, england))
        .otherwise(fmt("{} against England's {} (not a significant difference)", la, england))
    )
    rank = pl.when(pl.col("national_rank").is_not_null()).then(
        fmt(
            "; ranked {}{} of {}, in the worst quarter",
            pl.when(pl.col("rank_tied")).then(pl.lit("joint ")).otherwise(pl.lit("")),
            ordinal(pl.col("national_rank")),
            pl.col("rank_of"),
        )
    )
    change = _change_reason(format_value(pl.col("previous_value"), unit, decimals))
    neighbours = pl.when(pl.col("flag") == "worse-than-both").then(
        fmt(
            "; significantly worse than its {} ({})",
            pl.when(pl.col("sn_model").cast(pl.String).str.starts_with("custom"))
            .then(pl.lit("comparator group"))
            .otherwise(pl.lit("statistical neighbours")),
            sn,
        )
    )
    small = pl.when(pl.col("small_number")).then(
        fmt(
            "; a small number ({} of {})",
            pl.col("la_numerator").cast(pl.Int64),
            pl.col("la_denominator").cast(pl.Int64),
        )
    )
    old = pl.when(pl.col("is_old").fill_null(False)).then(
        fmt(
            "; an older figure ({}, the latest this authority has)",
            period_text(pl.col("period"), pl.col("period_type"), pl.col("snapshot")),
        )
    )
    in_children = _gap_reason()
    return pl.concat_str(
        against_england,
        in_children,
        old,
        neighbours,
        pl.when(pl.col("flag") == "watch").then(rank),
        change,
        small,
        ignore_nulls=True,
    )


def _change_reason(previous: pl.Expr) -> pl.Expr:
    """The change, where it worsened: "; worse than 2024 (31%, change not tested)"."""
    before = period_text(pl.col("previous_period"), pl.col("period_type"), pl.col("snapshot"))
    return (
        pl.when(pl.col("change_vs_previous") == "worse")
        .then(fmt("; significantly worse than {} ({})", before, previous))
        .when(pl.col("direction") == "worsening")
        .then(
            fmt(
                "; worse than {} ({}{})",
                before,
                previous,
                pl.when(pl.col("change_vs_previous") == "similar")
                .then(pl.lit(", not a significant change"))
                .when(pl.col("change_vs_previous") == "not compared")
                .then(pl.lit(", change not tested"))
                .otherwise(pl.lit("")),
            )
        )
    )


def _gap_reason() -> pl.Expr:
    """The gap in children, where the counts are known."""
    # The gap in children, where the counts are known (compare's gap_england): "about 130
    # more than at England's rate, among 62,113 children aged 0 to 17".
    base = format_number(pl.col("gap_base"), 0)
    return pl.when(pl.col("gap_england").is_not_null()).then(
        fmt(
            "; {} than at England's rate, {}",
            format_gap(pl.col("gap_england")),
            pl.when(pl.col("unit").str.starts_with("rate"))
            .then(fmt("among {} children aged 0 to 17", base))
            .otherwise(fmt("of {}", base)),
        )
    )


def ordinal(number: pl.Expr) -> pl.Expr:
    """1 -> "1st", 22 -> "22nd", 113 -> "113th"."""
    last_two = number % 100
    suffix = (
        pl.when(last_two.is_between(11, 13))
        .then(pl.lit("th"))
        .otherwise((number % 10).replace_strict({1: "st", 2: "nd", 3: "rd"}, default="th"))
    )
    return pl.concat_str(number.cast(pl.String), suffix)
