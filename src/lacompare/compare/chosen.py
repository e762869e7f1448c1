"""Which period each LA shows: the observations, each indicator's latest or asked-for period,
the previous and comparator periods."""

from __future__ import annotations

import polars as pl

from lacompare.compare.keys import (
    IS_LOCAL,
    Keys,
    Period,
    once_per_frame,
    pair_key,
    time_order_key,
)
from lacompare.errors import InvalidArgumentError
from lacompare.reference import ReferenceData


def read_observations(
    ref: ReferenceData, ids: list[str], keys: Keys, in_order: bool
) -> pl.LazyFrame:
    """The chosen indicators' observations, every area and period, Enum keys kept, in order of
    indicator, area, year and period label, so each LA's series is in time order for the
    stages that read it in order, with ``local`` True on the LAs' own figures (the local
    layer, :attr:`ReferenceData.local`), which only the LA's own rows read. The reference data
    is stored in that order; rows that come otherwise (shuffled, or with local figures) are
    sorted."""
    wanted = pl.Series(ids, dtype=keys.indicator)
    observations = with_local_figures(ref, keys)
    if not in_order:
        observations = observations.sort("indicator_id", "area_code", "year", "period")
    # Not cached: the rows are in memory already, and each stage reads only the columns it
    # needs (a cache would hold every column for every reader).
    return observations.filter(pl.col("indicator_id").is_in(wanted.implode()))


#: The observation columns the engine reads, after its keys.
COLUMNS = ("period", "year", "value", "status", "numerator", "denominator")


def with_local_figures(ref: ReferenceData, keys: Keys) -> pl.LazyFrame:
    """The published observations, then the local figures (their Enums widened to
    ``keys``', their status as text), with ``local`` saying which is which."""
    columns = ["indicator_id", "area_code", *COLUMNS]
    observations = ref.observations.lazy().select(*columns, local=pl.lit(False))
    if ref.local is None:
        return observations
    return pl.concat(
        [
            observations.with_columns(
                pl.col("period").cast(keys.period), pl.col("status").cast(pl.String)
            ),
            ref.local.lazy().select(
                pl.col("indicator_id").cast(keys.indicator),
                pl.col("area_code").cast(keys.area),
                pl.col("period").cast(keys.period),
                *COLUMNS[1:],
                local=pl.lit(True),
            ),
        ]
    )


def in_time_order(observations: pl.DataFrame) -> bool:
    """Whether rows run by indicator, area, year and period label (one O(n) pass over their
    codes, about 6 ms, much cheaper than sorting; once per frame)."""
    return once_per_frame(observations, "in time order", lambda: _in_time_order(observations))


def _in_time_order(observations: pl.DataFrame) -> bool:
    code = [pl.col(c).to_physical().cast(pl.Int64) for c in ("indicator_id", "area_code", "period")]
    year = pl.col("year").cast(pl.Int64).clip(0, 4095)
    key = (code[0] * 2**44) + (code[1] * 2**28) + (year * 2**16) + code[2]
    ordered: bool = observations.select(key.diff().min().fill_null(0) >= 0).item()
    return ordered


def period_labels(
    obs: pl.LazyFrame, ref: ReferenceData, ids: list[str], keys: Keys
) -> pl.LazyFrame:
    """Each indicator's period labels, their year, and whether only local figures have them
    (a label DfE has published for any area is a published period). Without local figures
    they are the published data's own, worked out once per observations frame (a pass over
    every row, about 10 ms) and filtered to the indicators asked for."""
    if ref.local is not None:
        return _labels(obs).cache()
    published = ref.observations
    labels = once_per_frame(
        published,
        "period labels",
        lambda: _labels(published.lazy().with_columns(local=pl.lit(False))).collect(),
    )
    wanted = pl.Series(ids, dtype=keys.indicator)
    return labels.lazy().filter(pl.col("indicator_id").is_in(wanted.implode()))


def _labels(obs: pl.LazyFrame) -> pl.LazyFrame:
    return obs.group_by("indicator_id", "period").agg(
        year=pl.col("year").first(), local=IS_LOCAL.all()
    )


def lait_latest_periods(
    obs: pl.LazyFrame, ref: ReferenceData, ids: list[str], all_las: pl.Series, keys: Keys
) -> pl.LazyFrame:
    """LAIT's "latest" of each indicator: the greatest period label across all LA rows
    (slice_max(Years)); the period Enum's categories are sorted labels, so its order is the
    labels' order. Published figures only. Without local figures worked out once per
    observations frame and set of LAs (a pass over every LA row, about 5 ms), and filtered
    to the indicators asked for."""
    if ref.local is not None:
        return _lait_latest(obs, all_las)
    published = ref.observations
    every_la = ",".join(all_las.cast(pl.String))
    latest = once_per_frame(
        published,
        f"LAIT's latest among {every_la}",
        lambda: _lait_latest(published.lazy().with_columns(local=pl.lit(False)), all_las).collect(),
    )
    wanted = pl.Series(ids, dtype=keys.indicator)
    return latest.lazy().filter(pl.col("indicator_id").is_in(wanted.implode()))


def _lait_latest(obs: pl.LazyFrame, all_las: pl.Series) -> pl.LazyFrame:
    return (
        obs.filter(pl.col("area_code").is_in(all_las.implode()), ~IS_LOCAL)
        .group_by("indicator_id")
        .agg(lait_latest=pl.col("period").max())
    )


def chosen_periods(
    obs: pl.LazyFrame,
    periods: pl.LazyFrame,
    ind: pl.LazyFrame,
    targets: pl.LazyFrame,
    lait_latest: pl.LazyFrame,
    period: Period,
    has_local: bool,
    keys: Keys,
) -> pl.LazyFrame:
    """Stage 1, the period each target LA x indicator shows: (area_code, indicator_id,
    period, previous_period, lait_latest, comparator_period). The observations come in time
    order (see :func:`read_observations`); ``has_local`` says whether any are local figures;
    ``lait_latest`` is each indicator's (:func:`lait_latest_periods`)."""
    published = periods.filter(~pl.col("local"))
    target_codes = targets.select("area_code").collect().to_series()
    # The periods the LAs asked for show are read from their own rows only.
    own_obs = obs.filter(pl.col("area_code").is_in(target_codes.implode()))
    grid = targets.select("area_code").join(ind.select("indicator_id"), how="cross")
    if period == "latest":
        chosen = _latest(grid, own_obs, lait_latest, has_local, keys)
    elif period == "lait_latest":
        chosen = grid.join(lait_latest, on="indicator_id", how="left").with_columns(
            period=pl.col("lait_latest")
        )
    elif isinstance(period, int):
        chosen = _in_year(grid, published, own_obs, lait_latest, period)
    elif isinstance(period, str):
        # One period label for every indicator (published, or an LA's own "at 6 Mar 2017").
        chosen = grid.join(lait_latest, on="indicator_id", how="left").with_columns(
            period=pl.lit(period).cast(keys.period)
        )
    else:
        raise InvalidArgumentError(
            "period must be 'latest', 'lait_latest', a year such as 2016, or a period label "
            f"such as '2016-17', not {period!r}"
        )
    previous, comparator = _previous_and_comparator(periods, published)
    if "newest_period" not in chosen.collect_schema().names():
        # Latest periods, or a label asked for: "older" is older than the latest any LA has.
        asked_label = isinstance(period, str) and period not in {"latest", "lait_latest"}
        chosen = chosen.with_columns(
            newest_period=pl.col("period" if asked_label else "lait_latest")
        )
    return (
        chosen.join(periods, on=["indicator_id", "period"], how="left")
        .join(previous, on=["indicator_id", "year"], how="left")
        .join(comparator, on=["indicator_id", "period"], how="left")
        .select(
            "area_code",
            "indicator_id",
            "period",
            "previous_period",
            "lait_latest",
            "newest_period",
            comparator_period=pl.when(pl.col("local").fill_null(False))
            .then(pl.col("comparator_period"))
            .otherwise(pl.col("period")),
        )
    )


def _latest(
    grid: pl.LazyFrame,
    own_obs: pl.LazyFrame,
    lait_latest: pl.LazyFrame,
    has_local: bool,
    keys: Keys,
) -> pl.LazyFrame:
    """Each LA's latest figure per indicator (LAIT's latest where it has none)."""
    with_value = own_obs.filter(pl.col("value").is_not_null())
    if has_local:
        # The most recent year wins; within a year, a published figure (it stands at the
        # year's end, on or after any local date in it); then the greatest label. One
        # integer key orders all three.
        own_latest = with_value.group_by("area_code", "indicator_id").agg(
            period=pl.col("period").get(time_order_key().arg_max())
        )
    else:
        # The rows are in time order within each LA and indicator: the latest is the last
        # row of each run of a pair, found in one pass with no grouping.
        pair = pair_key(keys)
        own_latest = with_value.filter(pair.ne_missing(pair.shift(-1))).select(
            "area_code", "indicator_id", "period"
        )
    return (
        grid.join(own_latest, on=["area_code", "indicator_id"], how="left")
        .join(lait_latest, on="indicator_id", how="left")
        .with_columns(period=pl.coalesce("period", "lait_latest"))
    )


def _in_year(
    grid: pl.LazyFrame,
    published: pl.LazyFrame,
    own_obs: pl.LazyFrame,
    lait_latest: pl.LazyFrame,
    period: int,
) -> pl.LazyFrame:
    """A year asked for (period=2019): each indicator's published period in that year, the
    LA's own published figure for it, else its local figure (a symbol too)."""
    in_year = (
        published.filter(pl.col("year") == period)
        .group_by("indicator_id")
        .agg(period=pl.col("period").max())
    )
    in_own_year = own_obs.filter(pl.col("year") == period)
    own_published = (
        in_own_year.filter(~IS_LOCAL, pl.col("value").is_not_null())
        .group_by("area_code", "indicator_id")
        .agg(own_published=pl.col("period").max())
    )
    own_local = (  # a local symbol ("c") too: the LA's own word for that year
        in_own_year.filter(IS_LOCAL)
        .group_by("area_code", "indicator_id")
        .agg(own_local=pl.col("period").max())
    )
    return (
        grid.join(in_year, on="indicator_id", how="left")
        .join(own_published, on=["area_code", "indicator_id"], how="left")
        .join(own_local, on=["area_code", "indicator_id"], how="left")
        # A figure is "older" only if older than the year asked for, never than today's.
        .with_columns(newest_period=pl.col("period"))
        # The LA's published figure for the year; its own figure only where it has none.
        .with_columns(period=pl.coalesce("own_published", "own_local", "period"))
        .join(lait_latest, on="indicator_id", how="left")
    )


def _previous_and_comparator(
    periods: pl.LazyFrame, published: pl.LazyFrame
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """The published period a year earlier, and each local period's comparator."""
    # The published period a year earlier, for the change from the previous year (consecutive
    # years only), and for a local figure the latest published period before it, whose England,
    # region, neighbour and national figures it is compared with.
    previous = (
        published.sort("period")
        .group_by("indicator_id", "year")
        .agg(previous_period=pl.col("period").last())
        .with_columns(year=pl.col("year") + 1)
    )
    comparator = (
        periods.filter("local")
        .join(published, on="indicator_id", suffix="_published")
        .filter(pl.col("year_published") < pl.col("year"))
        .group_by("indicator_id", "period")
        .agg(comparator_period=pl.col("period_published").sort_by("year_published").last())
    )
    return previous, comparator
