"""Trend data: each indicator's series for the LA and its benchmarks, for charts and trend
tables."""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import polars as pl

from lacompare.compare.engine import compare, values_by_year
from lacompare.compare.keys import ENGINE, OPTIMIZATIONS, Neighbours, Period
from lacompare.errors import user_facing
from lacompare.reference import ReferenceData

#: What each row of trend data says about its indicator.
_TREND_FACTS = (
    "indicator_id",
    "indicator_name",
    "indicator_label",
    "unit",
    "decimals",
    "period_type",
    "snapshot",
)


@user_facing
def trend_data(
    ref: ReferenceData,
    la: str | int,
    indicators: str | Sequence[str],
    *,
    periods: int = 5,
    neighbours: Neighbours = "2025",
    period: Period = "latest",
) -> pl.DataFrame:
    """The LA, its region, its SN average and England over the last ``periods`` periods of
    each indicator (LAIT's LA view), long: one row per indicator x series x period; with
    ``period`` a year (2019), the periods up to that year's.

    ``series`` is la / region / sn / england and ``series_name`` its label; ``slot`` numbers
    the periods so the latest is always ``periods - 1``; a year without a published value has a
    null ``value`` and its ``status`` (a gap, never a zero). Every figure comes from this
    engine run at that period, so the table, chart and board table agree.
    """
    code = ref.area_code(la, current=True)
    latest = compare(
        ref, code, indicators=indicators, period=period, neighbours=neighbours, history=periods
    )
    slots = _slots(latest, periods)
    per_year = _per_year(ref, code, latest, slots, neighbours)
    return _as_series(slots.join(per_year, on=["indicator_id", "period"], how="left"))


def _slots(latest: pl.DataFrame, periods: int) -> pl.DataFrame:
    """The periods each indicator shows, right-aligned so the latest is always the last
    column (``slot`` = ``periods - 1``)."""
    return (
        latest.select(*_TREND_FACTS, "recent_periods")
        .with_columns(count=pl.col("recent_periods").list.len())
        .explode("recent_periods")
        .rename({"recent_periods": "period"})
        .drop_nulls("period")
        .with_columns(
            slot=pl.int_range(pl.len()).over("indicator_id") + periods - pl.col("count"),
            year=pl.col("period").str.slice(0, 4).cast(pl.Int32),
        )
    )


def _per_year(
    ref: ReferenceData,
    code: str,
    latest: pl.DataFrame,
    slots: pl.DataFrame,
    neighbours: Neighbours,
) -> pl.DataFrame:
    """The engine, once per year shown (at most ``periods`` runs), for every indicator at
    once: the LA's, region's, SN average's and England's value at each period."""
    ids = latest.get_column("indicator_id").to_list()
    years = slots.get_column("year").unique().sort().to_list()
    # The engine's own queries, what does not depend on the year worked out once
    # (values_by_year), collected without the targets and validation a shown comparison gets:
    # only their values are read here.
    queries = values_by_year(ref, [code], ids, years, neighbours)

    def collected(query: pl.LazyFrame) -> pl.DataFrame:
        return query.collect(engine=ENGINE, optimizations=OPTIMIZATIONS)

    # The runs are independent and polars releases the GIL while it computes: run them side
    # by side (results in year order, as map keeps it; pl.collect_all was slower here).
    with ThreadPoolExecutor(max_workers=min(len(years), os.cpu_count() or 1) or 1) as pool:
        runs = list(pool.map(collected, queries))
    return pl.concat(runs).select(
        "indicator_id",
        "period",
        "la_status",
        "la_value",
        "region_value",
        "sn_average",
        "england_value",
        "area_name",
        "region_name",
        "comparator_period",
    )


def _as_series(joined: pl.DataFrame) -> pl.DataFrame:
    """Long: one row per indicator x series (la, region, sn, england) x period, with each
    series' name and status (a gap, never a zero)."""
    series_names = {
        "la_value": "la",
        "region_value": "region",
        "sn_average": "sn",
        "england_value": "england",
    }
    data = (
        joined.unpivot(
            index=[
                *_TREND_FACTS,
                "slot",
                "year",
                "period",
                "la_status",
                "area_name",
                "region_name",
                "comparator_period",
            ],
            on=list(series_names),
            variable_name="series",
            value_name="value",
        )
        .with_columns(
            # A period only the LA's own figure reaches has no published comparators yet: the
            # engine compares it with earlier ones, but a chart must not draw them as this year.
            value=pl.when(
                (pl.col("series") != "la_value")
                & pl.col("comparator_period").is_not_null()
                & (pl.col("comparator_period") != pl.col("period"))
            )
            .then(None)
            .otherwise(pl.col("value"))
        )
        .with_columns(
            series=pl.col("series").replace_strict(series_names),
            status=pl.when(pl.col("series") == "la_value")
            .then(pl.col("la_status"))
            .when(pl.col("value").is_null())
            .then(pl.lit("not_available"))
            .otherwise(pl.lit("published")),
        )
        .with_columns(
            series_name=pl.when(pl.col("series") == "la")
            .then(pl.col("area_name"))
            .when(pl.col("series") == "region")
            .then(pl.col("region_name").fill_null("Region"))
            .when(pl.col("series") == "sn")
            .then(pl.lit("Statistical neighbours"))
            .otherwise(pl.lit("England")),
            status=pl.col("status").fill_null("not_available"),
        )
    )
    return data.drop("la_status", "area_name", "region_name", "comparator_period")
