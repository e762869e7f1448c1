"""History and change: the sparkline series, the change from the previous year and gaps said
in children."""

from __future__ import annotations

import polars as pl

from lacompare.compare.keys import IS_LOCAL, Keys, pair_key
from lacompare.compare.significance import multiplier_expr
from lacompare.periods import period_year


def own_history(
    obs: pl.LazyFrame, chosen: pl.LazyFrame, periods: pl.LazyFrame, history: int, keys: Keys
) -> pl.LazyFrame:
    """Stage 5, each target LA's own series up to the period shown, oldest first, for
    sparklines: only the LAs asked for are read. Joined and grouped on one integer per
    (indicator, area) (:func:`pair_key`), not on the two Enum columns."""
    shown_year = chosen.join(periods, on=["indicator_id", "period"]).select(
        "area_code",
        "indicator_id",
        _pair=pair_key(keys),
        shown_local="local",
        shown_year="year",
        shown_period="period",
    )
    return (
        # The observations are in time order within each LA and indicator; the join and the
        # group_by keep that order, so the last rows are the latest.
        obs.select("period", "year", "value", "local", _pair=pair_key(keys))
        .join(shown_year, on="_pair", maintain_order="left")
        # A local figure shown comes after the published years before it (a figure published
        # for its own year is dated later); otherwise local figures stay out of the series.
        .filter(
            (pl.col("period") == pl.col("shown_period"))
            | (~IS_LOCAL & (pl.col("year") < pl.col("shown_year")))
            | (~IS_LOCAL & ~pl.col("shown_local") & (pl.col("year") == pl.col("shown_year")))
        )
        .group_by("_pair")
        .agg(
            pl.col("area_code").first(),
            pl.col("indicator_id").first(),
            recent_periods=pl.col("period").tail(history),
            recent_values=pl.col("value").tail(history),
        )
        .drop("_pair")
    )


#: A gap is said in children only where at least this many children stand behind the figure.
GAP_MIN_CHILDREN = 20


def gaps_in_children(rows: pl.LazyFrame) -> pl.LazyFrame:
    """Stage 7, the gaps in children: how many more (positive) or fewer the LA's count is than
    England's rate, or its neighbours' average, would give on the LA's own base:

        gap = numerator - base * benchmark / multiplier

    where base is the denominator the LA's figure was computed on (children in the group for a
    percentage; the LA's population aged 0 to 17 for a rate per 10,000) and England's value is
    its unrounded one (from England's counts). Withheld (null) where the counts are not known,
    for a small number (fewer than 20 children or 10 events), for school sessions (half-days,
    not children), and for FTE ratios and counts (no rate to apply)."""
    multiplier = multiplier_expr()
    base = pl.col("la_denominator")
    known = (
        pl.col("la_numerator").is_not_null()
        & base.is_not_null()
        & multiplier.is_not_null()
        & ~pl.col("small_number").fill_null(False)
        & pl.col("overdispersion").is_null()  # school sessions are not children
        & (base >= GAP_MIN_CHILDREN)
    )

    def gap(benchmark: pl.Expr) -> pl.Expr:
        return pl.when(known).then(pl.col("la_numerator") - base * benchmark / multiplier)

    return rows.with_columns(
        gap_base=pl.when(known).then(base),
        gap_england=gap(pl.coalesce("england_exact_value", "england_value")),
        gap_sn=gap(pl.col("sn_average")),
    )


def label_year(column: str) -> pl.Expr:
    return period_year(pl.col(column).cast(pl.String))
