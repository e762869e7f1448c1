"""History and change: the sparkline series, the change from the previous year and gaps said
in children."""

from __future__ import annotations

import polars as pl

from lacompare.compare.keys import IS_LOCAL, Keys, pair_key
from lacompare.compare.rows import RowIndex, series_key
from lacompare.compare.significance import multiplier_expr
from lacompare.periods import period_year


def with_own_history(
    rows: pl.LazyFrame,
    obs: pl.LazyFrame,
    periods: pl.LazyFrame,
    history: int,
    keys: Keys,
    index: RowIndex,
) -> pl.LazyFrame:
    """Stage 5, beside each target LA's row, its own series up to the period shown, oldest
    first, for sparklines (``recent_periods``, ``recent_values``): only the LAs asked for are
    read. Read by position where the reference data is as stored
    (:func:`_series_by_position`); with local figures, or rows out of time order, joined and
    grouped on one integer per (indicator, area) (:func:`pair_key`)."""
    if index.series_key is not None:
        return _series_by_position(rows, history, index, keys)
    shown_year = rows.join(periods, on=["indicator_id", "period"]).select(
        "area_code",
        "indicator_id",
        _pair=pair_key(keys),
        shown_local="local",
        shown_year="year",
        shown_period="period",
    )
    series = (
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
    return rows.join(series, on=["area_code", "indicator_id"], how="left")


def _series_by_position(
    rows: pl.LazyFrame, history: int, index: RowIndex, keys: Keys
) -> pl.LazyFrame:
    """The series when every figure is published and the rows are in time order: the LA's
    rows of the indicator up to the year shown are a run of rows (see :class:`RowIndex`); its
    last ``history`` rows are read by position (as many places, each kept if its row is the
    same LA's and indicator's, then one list each, cut to the rows kept). Null where the LA
    has no row up to that year."""
    places = max(history, 1)
    key = pl.lit(index.series_key)
    # The run ends where the LA's row of the period shown has its year's last row; where the
    # LA has no row of that period, where a binary search puts the year.
    shown = index.at(pl.col("area_code"), "period", keys)
    search = pl.when(shown.is_null()).then(series_key(index.year("period", keys), keys))
    end = pl.coalesce(
        pl.lit(index.series_end).gather(shown), key.search_sorted(search, side="right")
    )
    # Place j holds row end - places + j: the last `places` rows before the end, those of the
    # same pair (the key's high bits) kept: they are the last rows of its run.
    run = rows.with_columns(_end=end.cast(pl.Int64), _first=series_key(pl.lit(0), keys))
    places_rows = [(pl.col("_end") - places + j).clip(lower_bound=0) for j in range(places)]
    in_run = [
        (pl.col("_end") >= places - j) & (key.gather(row) >= pl.col("_first"))
        for j, row in enumerate(places_rows)
    ]
    run = run.with_columns(_count=pl.sum_horizontal(in_run))
    kept = pl.min_horizontal("_count", history)

    def series(column: str) -> pl.Expr:
        # concat_arr then to_list: several times faster than concat_list.
        whole = pl.concat_arr(index.read(column, row) for row in places_rows).arr.to_list()
        return pl.when(pl.col("_count") > 0).then(whole.list.slice(places - kept, kept))

    return run.with_columns(recent_periods=series("period"), recent_values=series("value")).drop(
        "_end", "_first", "_count"
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
