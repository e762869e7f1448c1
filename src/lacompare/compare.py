"""The comparison engine: every local authority against England, its region and its statistical
neighbours, for every indicator at once.

One vectorised pipeline (:func:`compare_all`) computes all LAs; :func:`compare` is the same
pipeline filtered to one LA. The rules are LAIT's (``R/fn_analysis.R``,
``R/lait_modules/mod_la_lvl_table.R`` in dfe-analytical-services/local-authority-interactive-tool):

- **SN average**: mean of the neighbours that have a value for the period (unweighted), with
  R's two-pass mean so it matches LAIT to the last bit in practice;
- **national rank**: among local authorities with a value for the period, polarity-aware (1 is
  best), ties take the lowest rank (R ``rank(ties.method = "min")``); no rank without polarity;
- **quartile band**: cut points are R's default ``quantile()`` (type 7) of all LAs' values for the
  period; A = best quarter for the polarity (low polarity: A = [Q0, Q25], B = (Q25, Q50], ...);
  none for neutral polarity or measures LAIT marks No_Quartile;
- **change from previous**: the LA's value minus its value for the period one year earlier
  (only between consecutive years);
- **region**: the LA's region; for London boroughs LAIT compares with Inner or Outer London,
  falling back to London where that has no value.

Significance against England and the SN average follows Fingertips (see :mod:`lacompare.stats`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal

import polars as pl

from lacompare.errors import (
    InvalidArgumentError,
    UnknownAreaError,
    UnknownIndicatorError,
    suggest,
    user_facing,
)
from lacompare.reference import ReferenceData
from lacompare.schemas import ComparisonSchema, validate
from lacompare.sources.counts import SESSION_MEASURES
from lacompare.stats import compare_with_benchmark, proportion_ci, rate_ci, rate_ci_method
from lacompare.vocab import UNIT_MULTIPLIER

ENGLAND = "E92000001"
#: polars 2 defaults to its streaming engine; these join-heavy queries run ~25% faster in memory.
ENGINE: Final = "in-memory"

Period = Literal["latest", "lait_latest"] | int
Neighbours = str | int | Sequence[str | int]


@user_facing
def compare_all(
    ref: ReferenceData,
    indicators: str | Sequence[str] | None = None,
    period: Period = "latest",
    neighbours: Neighbours = "2025",
    history: int = 5,
) -> pl.DataFrame:
    """Benchmarks for every current local authority and indicator: one row per LA x indicator.

    Parameters
    ----------
    ref
        The reference data (:func:`lacompare.load_reference`).
    indicators
        None for all; an indicator id, LAIT code or topic name; or a list of them.
    period
        ``"latest"``: per LA and indicator, the latest period with a value for that LA (an LA
        with no value at all gets the indicator's latest period and its status).
        ``"lait_latest"``: the indicator's latest period label across all LAs, as LAIT shows.
        A year (``2016``): the period of that year.
    neighbours
        A statistical-neighbour model (``"2025"``, ``"2021"``) or an explicit list of areas
        (names, DfE or ONS codes) used as every LA's comparator group.
    history
        How many periods, up to the one shown, go into ``recent_periods`` / ``recent_values``
        (the LA's series for a sparkline; a missing year is a null, never a zero).
    """
    return _compare(ref, None, indicators, period, neighbours, history)


@user_facing
def compare(
    ref: ReferenceData,
    la: str | int,
    indicators: str | Sequence[str] | None = None,
    period: Period = "latest",
    neighbours: Neighbours = "2025",
    history: int = 5,
) -> pl.DataFrame:
    """The :func:`compare_all` rows for one LA (by name, DfE code or ONS code)."""
    code = ref.area_code(la, current=True)
    if ref.find_area(code)["level"] != "local_authority":
        raise UnknownAreaError(f"{la!r} is not a local authority; compare() benchmarks an LA")
    return _compare(ref, [code], indicators, period, neighbours, history)


# --------------------------------------------------------------------------------------------


def select_indicators(ref: ReferenceData, indicators: str | Sequence[str] | None) -> list[str]:
    """Indicator ids for ``indicators``: ids, LAIT codes or topic names (case-insensitive)."""
    all_ids: list[str] = ref.indicators.get_column("indicator_id").to_list()
    if indicators is None:
        return all_ids
    if not isinstance(indicators, str | Sequence) or not all(
        isinstance(item, str)
        for item in ([indicators] if isinstance(indicators, str) else indicators)
    ):
        raise InvalidArgumentError(
            "indicators must be an indicator id, LAIT code or topic name, or a list of them; "
            f"got {indicators!r}"
        )
    wanted = [indicators] if isinstance(indicators, str) else list(indicators)
    if not wanted:
        raise InvalidArgumentError(
            f"indicators={indicators!r} selects nothing; give indicator ids, LAIT codes or topic "
            "names, or "
            "leave indicators out for all of them"
        )
    topics = {t.lower(): t for t in ref.topics()}
    chosen: list[str] = []
    for item in wanted:
        if item.strip().lower() in topics:
            topic = topics[item.strip().lower()]
            chosen += ref.indicators.filter(pl.col("topics").list.contains(topic))[
                "indicator_id"
            ].to_list()
            continue
        try:
            chosen.append(ref.find_indicator(item)["indicator_id"])
        except UnknownIndicatorError:
            close = suggest(item, list(topics.values()) + all_ids)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise UnknownIndicatorError(f"no indicator or topic matches {item!r}{hint}") from None
    if not chosen:
        raise InvalidArgumentError(f"indicators={indicators!r} selects no indicator")
    return list(dict.fromkeys(chosen))


def _comparator_groups(
    ref: ReferenceData, targets: pl.DataFrame, neighbours: Neighbours
) -> pl.DataFrame:
    """(area_code, neighbour_code, sn_model) for every target LA."""
    if isinstance(neighbours, int):  # 2025 and "2025" name the same model
        neighbours = str(neighbours)
    if isinstance(neighbours, str):
        models = ref.neighbours.get_column("model").unique().sort().to_list()
        if neighbours not in models:
            raise UnknownAreaError(
                f"no statistical-neighbour model {neighbours!r}; models: {models}, or give a "
                "list of areas as a custom comparator group"
            )
        return (
            ref.neighbours.filter(pl.col("model") == neighbours)
            .join(targets.select("area_code"), on="area_code", how="semi")
            .select("area_code", "neighbour_code", sn_model=pl.lit(neighbours))
        )
    items = list(neighbours)
    if not items:
        raise InvalidArgumentError(
            "custom comparator group: the list is empty; give the authorities to compare with "
            "(names, DfE or ONS codes), or a statistical-neighbour model such as '2025'"
        )
    named: dict[str, list[object]] = {}
    for item in items:
        try:
            area = ref.find_area(item, current=True)
        except UnknownAreaError as error:
            raise type(error)(f"custom comparator group: {error}") from None
        if area["level"] != "local_authority":
            raise UnknownAreaError(
                f"custom comparator group: {area['name']} is not a local authority"
            )
        named.setdefault(area["area_code"], []).append(item)
    repeated = {code: given for code, given in named.items() if len(given) > 1}
    if repeated:
        names = dict(ref.areas.select("area_code", "name").iter_rows())
        listed = "; ".join(
            f"{' and '.join(repr(g) for g in given)} "
            f"{'both' if len(given) == 2 else 'all'} name {names[code]}"
            for code, given in repeated.items()
        )
        raise InvalidArgumentError(
            f"custom comparator group: {listed}. Each authority may be listed once (a repeat "
            "would count twice in the average)"
        )
    size = len(named)
    group = pl.DataFrame({"neighbour_code": list(named)})
    return (
        targets.select("area_code")
        .join(group, how="cross")
        .with_columns(
            # An LA in its own group is left out of its own average, and the row says so.
            sn_model=pl.when(pl.col("area_code").is_in(list(named)))
            .then(pl.lit(f"custom group of {size}, itself excluded"))
            .otherwise(pl.lit(f"custom group of {size}"))
        )
        .filter(pl.col("area_code") != pl.col("neighbour_code"))
    )


def _compare(
    ref: ReferenceData,
    la_codes: list[str] | None,
    indicators: str | Sequence[str] | None,
    period: Period,
    neighbours: Neighbours,
    history: int = 5,
) -> pl.DataFrame:
    if history < 1:
        raise InvalidArgumentError(f"history must be at least 1 period, not {history}")
    ids = select_indicators(ref, indicators)
    ind = ref.indicators.filter(pl.col("indicator_id").is_in(ids)).select(
        "indicator_id",
        indicator_name="name",
        topic="topic",
        unit="unit",
        polarity="polarity",
        decimals="decimals",
        quartiles="quartiles",
        per_session=pl.col("lait_code").is_in(list(SESSION_MEASURES)),
    )
    areas = ref.areas
    # LAIT ranks and bands every LA row in its table, predecessors included (la_names_bds).
    all_las = areas.filter(pl.col("level") == "local_authority").get_column("area_code")
    targets = areas.filter(pl.col("level") == "local_authority", pl.col("current"))
    if la_codes is not None:
        targets = targets.filter(pl.col("area_code").is_in(la_codes))
    targets = targets.select(
        "area_code", area_name="name", region_code="region_code", sub_region_code="sub_region_code"
    )

    # Materialised once: every step below reads it.
    obs = (
        ref.observations.lazy()
        .filter(pl.col("indicator_id").cast(pl.String).is_in(ids))
        .with_columns(pl.col("indicator_id", "area_code", "period").cast(pl.String))
        .select(
            "indicator_id",
            "area_code",
            "period",
            "year",
            "value",
            "status",
            "numerator",
            "denominator",
        )
        .collect(engine=ENGINE)
        .lazy()
    )

    # -- which period each LA x indicator shows --------------------------------------------
    # An LA's own unpublished figures (status local_unvalidated) sit beside the published ones
    # under their own period labels ("at 6 Mar 2017"); they never change what others see.
    is_local = pl.col("status") == "local_unvalidated"
    periods = obs.select("indicator_id", "period", "year", local=is_local).unique(
        ["indicator_id", "period"]
    )
    published_periods = periods.filter(~pl.col("local"))
    la_obs = obs.filter(pl.col("area_code").is_in(all_las.implode()))
    # LAIT's "latest": the greatest period label across all LA rows (slice_max(Years)).
    lait_latest = (
        la_obs.filter(~is_local).group_by("indicator_id").agg(lait_latest=pl.col("period").max())
    )
    grid = targets.lazy().select("area_code").join(ind.lazy().select("indicator_id"), how="cross")
    if period == "latest":
        own_latest = (
            la_obs.filter(pl.col("value").is_not_null())
            .with_columns(local=is_local)
            .group_by("area_code", "indicator_id")
            # The most recent year wins; within a year, an LA's own newer figure.
            .agg(period=pl.col("period").sort_by("year", "local", "period").last())
        )
        chosen = (
            grid.join(own_latest, on=["area_code", "indicator_id"], how="left")
            .join(lait_latest, on="indicator_id", how="left")
            .with_columns(period=pl.coalesce("period", "lait_latest"))
        )
    elif period == "lait_latest":
        chosen = grid.join(lait_latest, on="indicator_id", how="left").with_columns(
            period=pl.col("lait_latest")
        )
    elif isinstance(period, int):
        in_year = (
            published_periods.filter(pl.col("year") == period)
            .group_by("indicator_id")
            .agg(period=pl.col("period").max())
        )
        own_local = (
            la_obs.filter(is_local, pl.col("year") == period)
            .group_by("area_code", "indicator_id")
            .agg(own=pl.col("period").max())
        )
        chosen = (
            grid.join(in_year, on="indicator_id", how="left")
            .join(own_local, on=["area_code", "indicator_id"], how="left")
            .with_columns(period=pl.coalesce("own", "period"))
            .join(lait_latest, on="indicator_id", how="left")
        )
    else:
        raise InvalidArgumentError(
            f"period must be 'latest', 'lait_latest' or a year, not {period!r}"
        )

    # The published period a year earlier, for the change from the previous year (consecutive
    # years only), and for a local figure the latest published period before it, whose England,
    # region, neighbour and national figures it is compared with.
    previous = (
        published_periods.sort("period")
        .group_by("indicator_id", "year")
        .agg(previous_period=pl.col("period").last())
        .with_columns(year=pl.col("year") + 1)
    )
    comparator = (
        periods.filter("local")
        .join(published_periods, on="indicator_id", suffix="_published")
        .filter(pl.col("year_published") < pl.col("year"))
        .group_by("indicator_id", "period")
        .agg(comparator_period=pl.col("period_published").sort_by("year_published").last())
    )
    chosen = (
        chosen.join(periods, on=["indicator_id", "period"], how="left")
        .join(previous, on=["indicator_id", "year"], how="left")
        .join(comparator, on=["indicator_id", "period"], how="left")
        .with_columns(
            local=pl.col("local").fill_null(False),
            comparator_period=pl.when(pl.col("local"))
            .then(pl.col("comparator_period"))
            .otherwise(pl.col("period")),
        )
        .select(
            "area_code",
            "indicator_id",
            "period",
            "previous_period",
            "lait_latest",
            "comparator_period",
            "local",
        )
        .collect(engine=ENGINE)
        .lazy()
    )

    # Only the (indicator, period) pairs shown or used for change are needed below.
    needed = pl.concat(
        [
            chosen.select("indicator_id", "period"),
            chosen.select("indicator_id", period="previous_period"),
            chosen.select("indicator_id", period="comparator_period"),
        ]
    ).unique()
    sub = obs.join(needed, on=["indicator_id", "period"], how="semi").collect(engine=ENGINE).lazy()

    # -- national rank and quartile band among all LAs with a value -------------------------
    la_values = sub.filter(
        pl.col("area_code").is_in(all_las.implode()), pl.col("value").is_not_null()
    ).join(ind.lazy().select("indicator_id", "polarity", "quartiles"), on="indicator_id")
    group = ["indicator_id", "period"]
    ranked = la_values.with_columns(
        national_rank=pl.when(pl.col("polarity") == "high")
        .then(pl.col("value").rank("min", descending=True).over(group))
        .when(pl.col("polarity") == "low")
        .then(pl.col("value").rank("min").over(group))
        .cast(pl.Int32),
        rank_of=pl.len().over(group).cast(pl.Int32),
    )
    cut_points = (
        la_values.group_by(group)
        .agg(_sorted=pl.col("value").sort(), _n=pl.len())
        .with_columns(
            q1=_type7_quantile(0.25), median=_type7_quantile(0.5), q3=_type7_quantile(0.75)
        )
        .drop("_sorted", "_n")
    )
    banded = ranked.join(cut_points, on=group, how="left").with_columns(
        quartile_band=_quartile_band()
    )
    national = banded.select(
        "indicator_id",
        "area_code",
        "period",
        "national_rank",
        "rank_of",
        "quartile_band",
        "q1",
        "median",
        "q3",
    )

    # -- statistical neighbours ---------------------------------------------------------------
    # Integer keys for the one big join (every LA x indicator x neighbour): an id per
    # (indicator, period) pair and per area, instead of three text columns.
    pair_ids = needed.with_row_index("_pair")
    area_ids = areas.lazy().select("area_code", "name").with_row_index("_area")
    groups = (
        _comparator_groups(ref, targets, neighbours)
        .lazy()
        .join(
            area_ids.select(neighbour_code="area_code", _area="_area", _name="name"),
            on="neighbour_code",
        )
    )
    neighbour_values = (
        sub.join(pair_ids, on=["indicator_id", "period"])
        .join(area_ids.select("area_code", "_area"), on="area_code")
        .select("_pair", "_area", _value="value")
    )
    sn_lists = (
        chosen.select("area_code", "indicator_id", period="comparator_period")
        .join(pair_ids, on=["indicator_id", "period"])
        .join(groups, on="area_code")
        .join(neighbour_values, on=["_pair", "_area"], how="left")
        # Sum in one fixed order (LAIT's table is in LA-name order) so the average is the
        # same to the last bit whichever LAs are computed together.
        .group_by("area_code", "_pair")
        .agg(
            pl.col("indicator_id", "period").first(),
            _values=pl.col("_value").sort_by("_name").drop_nulls(),
            sn_min=pl.col("_value").min(),
            sn_max=pl.col("_value").max(),
            sn_model=pl.col("sn_model").first(),
        )
        .with_columns(sn_count=pl.col("_values").list.len().cast(pl.Int32))
        .collect(engine=ENGINE)
    )
    longest: int = sn_lists.select(pl.col("sn_count").max().fill_null(0)).item()
    sn = (
        sn_lists.lazy()
        .with_columns(sn_average=_r_mean(pl.col("_values"), longest))
        .drop("_values", "_pair")
        .rename({"period": "comparator_period"})
    )

    # -- England and region -----------------------------------------------------------------
    def values_of(alias: str) -> pl.LazyFrame:
        return sub.select(
            "indicator_id",
            "period",
            pl.col("area_code").alias(f"{alias}_code"),
            pl.col("value").alias(f"{alias}_value"),
        )

    names = areas.lazy().select("area_code", "name")
    region_rows = (
        chosen.select("area_code", "indicator_id", period="comparator_period")
        .join(targets.lazy(), on="area_code")
        .join(values_of("region"), on=["indicator_id", "period", "region_code"], how="left")
        .join(values_of("sub_region"), on=["indicator_id", "period", "sub_region_code"], how="left")
        .with_columns(
            # LAIT compares a London borough with Inner/Outer London, or London if that is NA.
            comparator_region_code=pl.when(pl.col("sub_region_value").is_not_null())
            .then("sub_region_code")
            .otherwise("region_code"),
            region_value=pl.coalesce("sub_region_value", "region_value"),
        )
        .join(
            names.rename({"area_code": "comparator_region_code", "name": "region_name"}),
            on="comparator_region_code",
            how="left",
        )
        .select(
            "area_code", "indicator_id", "area_name", "region_code", "region_name", "region_value"
        )
    )
    england = sub.filter(pl.col("area_code") == ENGLAND).select(
        "indicator_id",
        comparator_period="period",
        england_value="value",
        england_status="status",
    )

    # -- the LA's own value, its previous value, its interval ------------------------------
    own = sub.select(
        "area_code",
        "indicator_id",
        "period",
        la_value="value",
        la_status="status",
        la_numerator="numerator",
        la_denominator="denominator",
    )
    own_previous = sub.select(
        "area_code", "indicator_id", previous_period="period", previous_value="value"
    )
    # The LA's own series up to the period shown, oldest first, for sparklines.
    shown_year = chosen.join(periods.drop("local"), on=["indicator_id", "period"]).select(
        "area_code", "indicator_id", "local", shown_year="year", shown_period="period"
    )
    recent = (
        obs.join(shown_year, on=["area_code", "indicator_id"])
        # A local figure shown comes after the published years before it (a figure published
        # for its own year is dated later); otherwise local figures stay out of the series.
        .filter(
            (pl.col("period") == pl.col("shown_period"))
            | (~is_local & (pl.col("year") < pl.col("shown_year")))
            | (~is_local & ~pl.col("local") & (pl.col("year") == pl.col("shown_year")))
        )
        .group_by("area_code", "indicator_id")
        .agg(
            recent_periods=pl.col("period").sort_by("year", "period").tail(history),
            recent_values=pl.col("value").sort_by("year", "period").tail(history),
        )
    )
    rows = (
        chosen.join(ind.lazy(), on="indicator_id")
        .join(region_rows, on=["area_code", "indicator_id"], how="left")
        .join(own, on=["area_code", "indicator_id", "period"], how="left")
        .join(own_previous, on=["area_code", "indicator_id", "previous_period"], how="left")
        .join(england, on=["indicator_id", "comparator_period"], how="left")
        .join(sn, on=["area_code", "indicator_id", "comparator_period"], how="left")
        # A local figure is not ranked against a published field it is not part of.
        .join(
            national.rename({"period": "comparator_period"}),
            on=["area_code", "indicator_id", "comparator_period"],
            how="left",
        )
        .with_columns(
            pl.when(~pl.col("local")).then(pl.col(c)).alias(c)
            for c in ("national_rank", "rank_of", "quartile_band")
        )
        .join(recent, on=["area_code", "indicator_id"], how="left")
        .with_columns(
            # A row the source does not have at all is "not available", never silently empty.
            la_status=pl.col("la_status").cast(pl.String).fill_null("not_available"),
            change_from_previous=pl.col("la_value") - pl.col("previous_value"),
        )
        .with_columns(direction=_direction())
        .with_columns(_intervals())
        .with_columns(
            vs_england=compare_with_benchmark(
                pl.col("la_value"),
                pl.col("la_lower_ci"),
                pl.col("la_upper_ci"),
                pl.col("england_value"),
                pl.col("polarity"),
            ),
            vs_sn=compare_with_benchmark(
                pl.col("la_value"),
                pl.col("la_lower_ci"),
                pl.col("la_upper_ci"),
                pl.col("sn_average"),
                pl.col("polarity"),
            ),
            # Fingertips' second level: the same test on the 99.8% interval.
            vs_england_998=compare_with_benchmark(
                pl.col("la_value"),
                pl.col("la_lower_ci_998"),
                pl.col("la_upper_ci_998"),
                pl.col("england_value"),
                pl.col("polarity"),
            ),
            vs_sn_998=compare_with_benchmark(
                pl.col("la_value"),
                pl.col("la_lower_ci_998"),
                pl.col("la_upper_ci_998"),
                pl.col("sn_average"),
                pl.col("polarity"),
            ),
            is_lait_latest=pl.col("period") == pl.col("lait_latest"),
        )
        .select(COMPARISON_COLUMNS)
        .sort("area_name", "topic", "indicator_name")
    )
    return validate(rows.collect(engine=ENGINE), ComparisonSchema, name="comparison")


@user_facing
def trend_data(
    ref: ReferenceData,
    la: str | int,
    indicators: str | Sequence[str],
    *,
    periods: int = 5,
    neighbours: str = "2025",
) -> pl.DataFrame:
    """The LA, its region, its SN average and England over the last ``periods`` periods of
    each indicator (LAIT's LA view), long: one row per indicator x series x period.

    ``series`` is la / region / sn / england and ``series_name`` its label; ``slot`` numbers
    the periods so the latest is always ``periods - 1``; a year without a published value has a
    null ``value`` and its ``status`` (a gap, never a zero). Every figure comes from this
    engine run at that period, so the table, chart and board table agree.
    """
    code = ref.area_code(la, current=True)
    latest = compare(ref, code, indicators=indicators, neighbours=neighbours, history=periods)
    ids = latest.get_column("indicator_id").to_list()
    # The periods each indicator shows, right-aligned so the latest is always the last column.
    slots = (
        latest.select("indicator_id", "indicator_name", "unit", "decimals", "recent_periods")
        .with_columns(count=pl.col("recent_periods").list.len())
        .explode("recent_periods")
        .rename({"recent_periods": "period"})
        .drop_nulls("period")
        .with_columns(
            slot=pl.int_range(pl.len()).over("indicator_id") + periods - pl.col("count"),
            year=pl.col("period").str.slice(0, 4).cast(pl.Int32),
        )
    )
    years = slots.get_column("year").unique().sort().to_list()
    # The engine, once per year shown (at most ``periods`` runs), for every indicator at once.
    per_year = pl.concat(
        [
            compare(ref, code, indicators=ids, period=year, neighbours=neighbours, history=1)
            for year in years
        ]
    ).select(
        "indicator_id",
        "period",
        "la_status",
        "la_value",
        "region_value",
        "sn_average",
        "england_value",
        "area_name",
        "region_name",
    )
    series_names = {
        "la_value": "la",
        "region_value": "region",
        "sn_average": "sn",
        "england_value": "england",
    }
    data = (
        slots.join(per_year, on=["indicator_id", "period"], how="left")
        .unpivot(
            index=[
                "indicator_id",
                "indicator_name",
                "unit",
                "decimals",
                "slot",
                "year",
                "period",
                "la_status",
                "area_name",
                "region_name",
            ],
            on=list(series_names),
            variable_name="series",
            value_name="value",
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
    return data.drop("la_status", "area_name", "region_name")


COMPARISON_COLUMNS = [
    "area_code",
    "area_name",
    "indicator_id",
    "indicator_name",
    "topic",
    "unit",
    "polarity",
    "decimals",
    "period",
    "comparator_period",
    "is_lait_latest",
    "la_value",
    "la_status",
    "la_numerator",
    "la_denominator",
    "england_value",
    "region_code",
    "region_name",
    "region_value",
    "sn_model",
    "sn_average",
    "sn_count",
    "sn_min",
    "sn_max",
    "national_rank",
    "rank_of",
    "quartile_band",
    "q1",
    "median",
    "q3",
    "previous_period",
    "previous_value",
    "change_from_previous",
    "direction",
    "ci_method",
    "la_lower_ci",
    "la_upper_ci",
    "la_lower_ci_998",
    "la_upper_ci_998",
    "vs_england",
    "vs_sn",
    "vs_england_998",
    "vs_sn_998",
    "recent_periods",
    "recent_values",
]


def _type7_quantile(p: float) -> pl.Expr:
    """R's default quantile (type 7) of the sorted list ``_sorted`` of length ``_n``, written
    as R computes it so cut points match to the bit: ``index = 1 + (n - 1)·p``,
    ``lo = floor(index)``, ``h = index - lo``; ``(1 - h)·x[lo] + h·x[hi]`` where h > 0 and
    ``x[hi] != x[lo]``, else ``x[lo]`` (R ``quantile.default``)."""
    index = 1 + (pl.col("_n") - 1).cast(pl.Float64) * p
    lo = index.floor()
    hi = index.ceil()
    x_lo = pl.col("_sorted").list.get((lo - 1).cast(pl.Int64))
    x_hi = pl.col("_sorted").list.get((hi - 1).cast(pl.Int64))
    h = index - lo
    return pl.when((h > 0) & (x_hi != x_lo)).then((1 - h) * x_lo + h * x_hi).otherwise(x_lo)


def _quartile_band() -> pl.Expr:
    """LAIT's band: intervals [Q0, Q25], (Q25, Q50], (Q50, Q75], (Q75, Q100] are A-D for low
    polarity and D-A for high polarity (A is always the best quarter)."""
    value = pl.col("value")
    low_band = (
        pl.when(value <= pl.col("q1"))
        .then(pl.lit("A"))
        .when(value <= pl.col("median"))
        .then(pl.lit("B"))
        .when(value <= pl.col("q3"))
        .then(pl.lit("C"))
        .otherwise(pl.lit("D"))
    )
    high_band = low_band.replace_strict({"A": "D", "B": "C", "C": "B", "D": "A"})
    return (
        pl.when(~pl.col("quartiles"))
        .then(None)
        .when(pl.col("polarity") == "low")
        .then(low_band)
        .when(pl.col("polarity") == "high")
        .then(high_band)
    )


def _r_mean(values: pl.Expr, longest: int) -> pl.Expr:
    """R's ``mean(x, na.rm = TRUE)`` of a list column of non-null values: the plain mean
    refined by a second pass, ``s + sum(x - s)/n`` (R summary.c), so SN averages match LAIT's.

    The sums are written out element by element (``longest`` is the longest list), so they run
    in list order and give the same result to the last bit however rows were batched; null for
    an empty list.
    """
    n = values.list.len()
    items = [values.list.get(i, null_on_oob=True) for i in range(longest)]
    total = pl.lit(0.0)
    for item in items:
        total = total + item.fill_null(0.0)
    first = total / n
    residual = pl.lit(0.0)
    for item in items:
        residual = residual + (item - first).fill_null(0.0)
    return pl.when(n > 0).then(first + residual / n)


def _direction() -> pl.Expr:
    """improving / worsening / no change by polarity; "not rated" without polarity or change."""
    change = pl.col("change_from_previous")
    polarity = pl.col("polarity")
    return (
        pl.when(change.is_null() | (polarity == "neutral"))
        .then(pl.lit("not rated"))
        .when(change == 0)
        .then(pl.lit("no change"))
        .when((change > 0) == (polarity == "high"))
        .then(pl.lit("improving"))
        .otherwise(pl.lit("worsening"))
    )


def _intervals() -> list[pl.Expr]:
    """95% and 99.8% intervals of the LA's value from its numerator and denominator: Wilson
    for percentages of a whole, exact Poisson / Byar's for rates (and percentages that are
    ratios); null where there are no counts or the unit has no interval."""
    x, n = pl.col("la_numerator"), pl.col("la_denominator")
    unit = pl.col("unit")
    multiplier = unit.replace_strict(UNIT_MULTIPLIER, default=None, return_dtype=pl.Float64)
    has_counts = x.is_not_null() & n.is_not_null() & multiplier.is_not_null()
    is_proportion = unit == "percent"
    out: list[pl.Expr] = [
        pl.when(has_counts & is_proportion & pl.col("per_session"))
        .then(pl.lit("Wilson (sessions)"))
        .when(has_counts & is_proportion)
        .then(pl.lit("Wilson"))
        .when(has_counts)
        .then(rate_ci_method(x))
        .alias("ci_method")
    ]
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
