"""The engine: :func:`compare_all` and :func:`compare`, and :func:`comparison_query`, the list
of stages (run, judged against targets and validated by :func:`_compare`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from lacompare.compare.arguments import (
    check_period,
    check_year_has_figures,
    indicator_facts,
    neighbour_groups,
    select_indicators,
    target_las,
)
from lacompare.compare.chosen import (
    chosen_periods,
    in_time_order,
    lait_latest_periods,
    period_labels,
    read_observations,
)
from lacompare.compare.history import gaps_in_children, label_year, with_own_history
from lacompare.compare.keys import (
    ENGINE,
    OPTIMIZATIONS,
    ByCode,
    Keys,
    Neighbours,
    Period,
    row_key,
)
from lacompare.compare.national import (
    area_names,
    direction_expr,
    national_standing,
    with_england_values,
    with_own_values,
    with_region_values,
)
from lacompare.compare.neighbours import neighbour_statistics
from lacompare.compare.rows import RowIndex
from lacompare.compare.significance import (
    implausible_benchmark,
    overdispersion_factors,
    small_number_expr,
    with_significance,
)
from lacompare.errors import (
    UnknownAreaError,
    user_facing,
    whole_number,
)
from lacompare.reference import ReferenceData
from lacompare.schemas import ComparisonSchema, validate
from lacompare.targets import target_columns


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
    return _compare(comparison_query(ref, None, indicators, period, neighbours, history), ref)


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
    return _compare(comparison_query(ref, [code], indicators, period, neighbours, history), ref)


def _compare(query: pl.LazyFrame, ref: ReferenceData) -> pl.DataFrame:
    """The engine's query (:func:`comparison_query`) run, with the council's own targets
    (ref.with_targets) judged on the figures as shown, validated."""
    rows = query.collect(engine=ENGINE, optimizations=OPTIMIZATIONS)
    return validate(target_columns(rows, ref.targets), ComparisonSchema, name="comparison")


def comparison_query(
    ref: ReferenceData,
    la_codes: list[str] | None,
    indicators: str | Sequence[str] | None,
    period: Period,
    neighbours: Neighbours,
    history: int = 5,
    *,
    values_only: bool = False,
) -> pl.LazyFrame:
    """The engine's stages as one lazy query, not yet collected. ``values_only``: stages 1-4
    only (the periods chosen and the LA's, region's, neighbours' and England's values, with
    the names), for trend data, which reads nothing else."""
    whole_number("history", history)
    setup = _Setup.of(ref, la_codes, indicators, neighbours, [period])
    return setup.query(period, history, values_only=values_only)


def values_by_year(
    ref: ReferenceData,
    la_codes: list[str],
    indicators: str | Sequence[str],
    years: Sequence[int],
    neighbours: Neighbours,
) -> list[pl.LazyFrame]:
    """:func:`comparison_query` with ``values_only`` at each of ``years``, one query each
    (to be collected side by side), sharing what does not depend on the period: the
    indicators, the LAs, their neighbours and the observations are worked out once."""
    setup = _Setup.of(ref, la_codes, indicators, neighbours, years)
    return [setup.query(year, 1, values_only=True) for year in years]


@dataclass(frozen=True)
class _Setup:
    """What a comparison reads, whatever its period: the indicators asked for, the target
    LAs (every LA's standing is read against ``all_las``), their comparator groups, the
    observations, their period labels (and each indicator's LAIT latest) and where each is
    (``index``), the overdispersion factors by period, and the indicators' and areas' facts and
    names laid out by code."""

    keys: Keys
    targets: pl.DataFrame
    all_las: pl.Series
    groups: pl.DataFrame
    longest: int
    index: RowIndex
    ind: pl.DataFrame
    by_indicator: ByCode
    by_area: ByCode
    overdispersion: pl.Series
    has_local: bool
    obs: pl.LazyFrame
    periods: pl.LazyFrame
    lait_latest: pl.LazyFrame

    @classmethod
    def of(
        cls,
        ref: ReferenceData,
        la_codes: list[str] | None,
        indicators: str | Sequence[str] | None,
        neighbours: Neighbours,
        asked: Sequence[Period],
    ) -> _Setup:
        ids = select_indicators(ref, indicators)
        keys = Keys.of(ref)
        for period in asked:  # a wrong period is named before the LAs are looked at
            check_period(period, keys)
        las, all_las = target_las(ref, la_codes, keys)
        targets = las.collect()
        groups, longest = neighbour_groups(ref, las, neighbours, keys)
        ind = indicator_facts(ref, ids, keys).collect()
        has_local = ref.local is not None and ref.local.height > 0
        in_order = in_time_order(ref.observations) and not has_local
        obs = read_observations(ref, ids, keys, in_order)
        periods = period_labels(obs, ref, ids, keys)
        lait_latest = lait_latest_periods(obs, ref, ids, all_las, keys)
        index = RowIndex.of(ref, keys, ids)
        # Every period's factor (a few session measures): each query reads the ones it needs.
        phi = overdispersion_factors(obs, ind, all_las, keys).collect()
        overdispersion = index.by_period(phi, "overdispersion", keys)
        # The indicators' and areas' facts and names, read by code (ByCode) in every query.
        by_indicator = ByCode.of(ind, "indicator_id")
        sn_model = groups.select("area_code", "sn_model").unique("area_code")
        by_area = ByCode.of(
            area_names(ref, keys)
            .join(targets, on="area_code", how="left")
            .join(sn_model, on="area_code", how="left"),
            "area_code",
        )
        return cls(
            keys, targets, all_las, groups, longest, index, ind, by_indicator, by_area,
            overdispersion, has_local, obs, periods, lait_latest,
        )  # fmt: skip

    def query(self, period: Period, history: int, *, values_only: bool) -> pl.LazyFrame:
        """The stages for ``period``, as one lazy query. The rows are put in their final order
        once, while narrow; every later stage adds columns in place (:class:`ByCode`,
        :class:`RowIndex`), never moving the rows."""
        keys, obs, index = self.keys, self.obs, self.index
        period = check_period(period, keys)
        if isinstance(period, int):
            check_year_has_figures(obs, period)
        ind, targets = self.ind.lazy(), self.targets.lazy()
        chosen = chosen_periods(
            obs, self.periods, ind, targets, self.lait_latest, period, self.has_local, keys
        ).cache()
        rows = chosen.with_columns(_k_comparator=row_key("area_code", "comparator_period", keys))
        if not values_only:
            rows = rows.join(  # the standing at the comparator period: one integer key
                national_standing(chosen, self.by_indicator, self.all_las, index, keys),
                left_on="_k_comparator",
                right_on="_k",
                how="left",
            )
        rows = _in_order(rows, self.by_area, self.by_indicator).pipe(
            _with_values, self.by_indicator, self.by_area, self.overdispersion, self.groups,
            self.longest, index, keys,
        )  # fmt: skip
        if values_only:
            return rows.pipe(_named, self.by_area, self.by_indicator)
        return (
            rows.pipe(with_own_history, obs, self.periods, history, keys, index)
            .pipe(_unranked_if_local)
            .pipe(_with_verdicts)
            .pipe(_written_out, self.by_area, self.by_indicator)
        )


def _in_order(rows: pl.LazyFrame, by_area: ByCode, by_indicator: ByCode) -> pl.LazyFrame:
    """The rows in their final order, LA name then topic and indicator name: sorted once on
    one integer, while the frame is narrow."""
    area_order = by_area.read("_area_order").cast(pl.UInt64)
    return rows.sort(area_order * 2**32 + by_indicator.read("_indicator_order"))


def _with_values(
    rows: pl.LazyFrame,
    by_indicator: ByCode,
    by_area: ByCode,
    overdispersion: pl.Series,
    groups: pl.DataFrame,
    longest: int,
    index: RowIndex,
    keys: Keys,
) -> pl.LazyFrame:
    """Stages 2-4: beside each chosen row, the indicator's facts, the region's, the LA's own
    (shown and previous), England's and the neighbours' values, read by position
    (:class:`RowIndex`), and the overdispersion of session measures (a table by period:
    :meth:`RowIndex.by_period`)."""
    facts = [c for c in by_indicator.table.columns if c not in (*_NAMES, "indicator_id")]
    return (
        rows.with_columns(
            *(by_indicator.read(fact) for fact in facts),
            by_area.read("region_code"),
            by_area.read("sub_region_code"),
            overdispersion=index.for_period(overdispersion, "comparator_period", keys),
            _previous_phi=index.for_period(overdispersion, "previous_period", keys),
        )
        .pipe(with_region_values, index, keys)
        .pipe(with_own_values, index, keys)
        .pipe(with_england_values, index, keys)
        .pipe(neighbour_statistics, groups, longest, index, keys)
        # The model is named where the neighbours were compared (not on rows with no period).
        .with_columns(
            sn_model=pl.when(pl.col("sn_count").is_not_null()).then(by_area.read("sn_model"))
        )
    )


#: The indicator's names, read last (:func:`_named`): the frame the stages widen stays narrow.
_NAMES = ("indicator_name", "indicator_label", "topic")


def _unranked_if_local(rows: pl.LazyFrame) -> pl.LazyFrame:
    """A local figure is not ranked or banded against a published field it is not part of."""
    return rows.with_columns(la_local=pl.col("la_local").fill_null(False)).with_columns(
        pl.when(~pl.col("la_local")).then(pl.col(c)).alias(c)
        for c in ("national_rank", "rank_of", "quartile_band", "rank_tied", "band_share")
    )


def _with_verdicts(rows: pl.LazyFrame) -> pl.LazyFrame:
    """Stage 6: status, change, older figures (their standing kept apart), direction,
    significance and gaps in children."""
    return (
        rows.with_columns(
            # A row the source does not have at all is "not available", never silently empty.
            la_status=pl.col("la_status").cast(pl.String).fill_null("not_available"),
            change_from_previous=pl.col("la_value") - pl.col("previous_value"),
            is_lait_latest=pl.col("period") == pl.col("lait_latest"),
            # Older than the latest period any LA has (or than the year asked for): the LA's
            # own latest, shown as such.
            is_old=~pl.col("la_local") & (label_year("period") < label_year("newest_period")),
            england_flag=implausible_benchmark("england_value"),
            small_number=small_number_expr(),
        )
        # An older figure is not ranked or banded against a later year's field (DESIGN.md);
        # its standing within its own year stays for analysts, in columns named so.
        .with_columns(
            old_year_rank=pl.when("is_old").then("national_rank"),
            old_year_rank_of=pl.when("is_old").then("rank_of"),
            old_year_quartile_band=pl.when("is_old").then("quartile_band"),
        )
        .with_columns(
            pl.when(~pl.col("is_old")).then(pl.col(c)).alias(c)
            for c in ("national_rank", "rank_of", "quartile_band", "rank_tied", "band_share")
        )
        .with_columns(direction=direction_expr())
        .pipe(with_significance)
        .pipe(gaps_in_children)
    )


def _written_out(rows: pl.LazyFrame, by_area: ByCode, by_indicator: ByCode) -> pl.LazyFrame:
    """Names beside the codes, keys cast to text, the comparison's columns in order."""
    return (
        _named(rows, by_area, by_indicator)
        .with_columns(recent_periods=pl.col("recent_periods").cast(pl.List(pl.String)))
        .select(COMPARISON_COLUMNS)
    )


def _named(rows: pl.LazyFrame, by_area: ByCode, by_indicator: ByCode) -> pl.LazyFrame:
    """The LA's, indicator's and comparator region's names beside their codes (read by code:
    the rows stay in their order), keys cast to text."""
    return rows.with_columns(
        by_area.read("area_name"),
        *(by_indicator.read(name) for name in _NAMES),
        by_area.read("region_name", at="comparator_region_code"),
    ).with_columns(
        pl.col("area_code", "indicator_id", "period", "comparator_period", "previous_period").cast(
            pl.String
        ),
        region_code=pl.col("region_code").cast(pl.String),
    )


COMPARISON_COLUMNS = [
    "area_code",
    "area_name",
    "indicator_id",
    "indicator_name",
    "indicator_label",
    "topic",
    "unit",
    "polarity",
    "decimals",
    "period_type",
    "snapshot",
    "period",
    "comparator_period",
    "is_lait_latest",
    "la_value",
    "la_status",
    "la_numerator",
    "la_denominator",
    "la_local",
    "small_number",
    "is_old",
    "england_value",
    "england_exact_value",
    "england_flag",
    "region_code",
    "region_name",
    "region_value",
    "sn_model",
    "sn_average",
    "sn_count",
    "sn_size",
    "sn_min",
    "sn_max",
    "sn_pooled_value",
    "national_rank",
    "rank_of",
    "rank_tied",
    "quartile_band",
    "band_share",
    "old_year_rank",
    "old_year_rank_of",
    "old_year_quartile_band",
    "q1",
    "median",
    "q3",
    "national_min",
    "national_max",
    "previous_period",
    "previous_value",
    "previous_numerator",
    "previous_denominator",
    "change_from_previous",
    "direction",
    "change_vs_previous",
    "ci_method",
    "overdispersion",
    "la_lower_ci",
    "la_upper_ci",
    "la_lower_ci_998",
    "la_upper_ci_998",
    "vs_england",
    "vs_sn",
    "vs_england_998",
    "vs_sn_998",
    "gap_base",
    "gap_england",
    "gap_sn",
    "recent_periods",
    "recent_values",
]
