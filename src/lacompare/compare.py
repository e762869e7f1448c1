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

The engine is one lazy polars query assembled in :func:`_compare` from stage functions over
LazyFrames, each keyed by the observations' Enum codes (never cast to text until the rows are
written out): :func:`_chosen_periods` (which period each LA shows, its previous and comparator
periods), :func:`_national_standing` (ranks, quartiles), :func:`_neighbour_statistics`,
:func:`_region_values` and :func:`_england_values`, :func:`_own_values`, :func:`_history`
(sparkline series) and :func:`_significance` (intervals and both levels of verdict). The
largest joins run on one integer per (area, indicator, period) row (:func:`_row_key`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import polars as pl

from lacompare.errors import (
    InvalidArgumentError,
    UnknownAreaError,
    UnknownIndicatorError,
    suggest,
    user_facing,
    whole_number,
)
from lacompare.periods import period_year
from lacompare.reference import ReferenceData
from lacompare.schemas import ComparisonSchema, validate
from lacompare.sources.counts import SESSION_MEASURES
from lacompare.stats import (
    compare_difference,
    compare_with_benchmark,
    newcombe_difference,
    overdispersion_factor,
    poisson_ratio_ci,
    proportion_ci,
    proportion_z,
    rate_ci,
    rate_ci_method,
)
from lacompare.targets import target_columns
from lacompare.vocab import UNIT_MULTIPLIER

ENGLAND = "E92000001"
#: polars 2 defaults to its streaming engine; these join-heavy queries run ~25% faster in memory.
ENGINE: Final = "in-memory"

Period = Literal["latest", "lait_latest"] | int | str
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


def group_label(neighbours: Neighbours) -> str:
    """How a comparator group is named in titles: "model 2025", "a custom group of 3"."""
    if isinstance(neighbours, str | int):
        return f"model {neighbours}"
    return f"a custom group of {len(list(neighbours))}"


def model_only(name: str, neighbours: object) -> str:
    """A statistical-neighbour model's name ("2025"), for views that list a model's members
    with their closeness; a custom group is an error pointing to compare()."""
    if isinstance(neighbours, int) and not isinstance(neighbours, bool):
        return str(neighbours)
    if not isinstance(neighbours, str):
        raise InvalidArgumentError(
            f"{name} shows a DfE statistical-neighbour model's group ('2025' or '2021'), not "
            f"{neighbours!r}; for your own group of authorities use compare(..., "
            "neighbours=[...])"
        )
    return neighbours


def _check_period(period: object, keys: _Keys) -> Period:
    """``period`` as the engine takes it: "latest", "lait_latest", a year (2016 or "2016"), or
    a period label that exists ("2016-17", a local "at 6 Mar 2017")."""
    if isinstance(period, bool):
        period = repr(period)
    if isinstance(period, int):
        return period
    if isinstance(period, str):
        text = period.strip()
        if text in {"latest", "lait_latest"}:
            return text  # type: ignore[return-value]
        if text.isdigit() and len(text) == 4:
            return int(text)
        labels = keys.period.categories.to_list() if isinstance(keys.period, pl.Enum) else []
        if text in labels:
            return text
    raise InvalidArgumentError(
        "period must be 'latest', 'lait_latest', a year such as 2016, or a period label such "
        f"as '2016-17' or '2025 (prov)' that the data hold; {period!r} is none of them"
    )


#: compare() for a few LAs (not compare_all) refuses an LA with no group in the model.
ASKED_ONE_BY_ONE = range(20)


def _check_in_model(
    ref: ReferenceData, targets: pl.DataFrame, groups: pl.DataFrame, model: str
) -> None:
    """An LA asked for by name must have neighbours in the model: Cumberland and Westmorland
    and Furness did not exist in 2021 (their predecessor Cumbria did)."""
    missing = targets.join(groups, on="area_code", how="anti").get_column("area_code")
    if missing.len() == 0:
        return
    models = sorted(ref.neighbours.get_column("model").unique().to_list())
    others = [m for m in models if m != model]
    area = ref.find_area(missing[0])
    before = ref.areas.filter(pl.col("successor_codes").list.contains(area["area_code"]))
    origin = (
        f": it came into being after that model (it replaced "
        f"{' and '.join(before.get_column('name').to_list())})"
        if before.height
        else ""
    )
    raise UnknownAreaError(
        f"{area['name']} has no statistical neighbours in DfE's {model} model{origin}. Use "
        f"{' or '.join(repr(m) for m in others) or 'another model'}, or compare with a group "
        "of your own (neighbours=[...])."
    )


def _check_year_has_figures(obs: pl.LazyFrame, year: int) -> None:
    """A year for which none of the indicators has a single row is a mistake (2030, or 1999),
    never an empty table. (A year with rows but no value for this LA shows their status.)"""
    years = (
        obs.filter(pl.col("year") > 0)
        .select(pl.col("year").unique().sort())
        .collect()
        .to_series()
        .to_list()
    )
    if year not in years:
        span = f"{years[0]} to {years[-1]}" if years else "none"
        raise InvalidArgumentError(
            f"period={year}: none of the indicators has a figure for {year} (their years run "
            f"{span}); give a year with figures, or 'latest'"
        )


def _comparator_groups(
    ref: ReferenceData, targets: pl.DataFrame, neighbours: Neighbours
) -> pl.DataFrame:
    """(area_code, neighbour_code, sn_model) for every target LA."""
    if isinstance(neighbours, bool) or not isinstance(neighbours, str | int | Sequence):
        raise InvalidArgumentError(
            "neighbours must be a statistical-neighbour model ('2025' or '2021') or a list of "
            f"local authorities (names, DfE or ONS codes), not {neighbours!r}"
        )
    if isinstance(neighbours, int):  # 2025 and "2025" name the same model
        neighbours = str(neighbours)
    if isinstance(neighbours, str):
        models = ref.neighbours.get_column("model").unique().sort().to_list()
        if neighbours not in models:
            raise UnknownAreaError(
                f"no statistical-neighbour model {neighbours!r}; models: {models}, or give a "
                "list of areas as a custom comparator group"
            )
        groups = (
            ref.neighbours.filter(pl.col("model") == neighbours)
            .join(targets.select("area_code"), on="area_code", how="semi")
            .select("area_code", "neighbour_code", sn_model=pl.lit(neighbours))
        )
        if targets.height <= len(ASKED_ONE_BY_ONE):
            _check_in_model(ref, targets, groups, neighbours)
        return groups
    named = comparator_codes(ref, neighbours)
    size = len(named)
    group = pl.DataFrame({"neighbour_code": named})
    return (
        targets.select("area_code")
        .join(group, how="cross")
        .with_columns(
            # An LA in its own group is left out of its own average, and the row says so.
            sn_model=pl.when(pl.col("area_code").is_in(named))
            .then(pl.lit(f"custom group of {size}, itself excluded"))
            .otherwise(pl.lit(f"custom group of {size}"))
        )
        .filter(pl.col("area_code") != pl.col("neighbour_code"))
    )


def group_members(ref: ReferenceData, code: str, neighbours: Neighbours) -> pl.DataFrame:
    """(neighbour_code, neighbour_name, neighbour_rank) of an LA's comparators: its
    statistical neighbours in a DfE model, closest first, or a custom group in the order
    given (the LA itself left out, as in its average)."""
    if isinstance(neighbours, bool):
        raise InvalidArgumentError(f"neighbours must be a model or a list, not {neighbours!r}")
    if isinstance(neighbours, str | int):
        return ref.neighbours_of(code, str(neighbours)).select(
            "neighbour_code", "neighbour_name", pl.col("neighbour_rank").cast(pl.Int64)
        )
    codes = [c for c in comparator_codes(ref, neighbours) if c != code]
    return (
        pl.DataFrame({"neighbour_code": codes}, schema={"neighbour_code": pl.String})
        .join(
            ref.areas.select(neighbour_code="area_code", neighbour_name="name"),
            on="neighbour_code",
            how="left",
            maintain_order="left",
        )
        .with_columns(neighbour_rank=pl.int_range(1, pl.len() + 1, dtype=pl.Int64))
    )


def comparator_codes(ref: ReferenceData, neighbours: Sequence[str | int]) -> list[str]:
    """The ONS codes of a custom comparator group (names, DfE or ONS codes), in the order
    given; an empty group, an unknown or former authority, or one named twice is an error
    naming it."""
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
    return list(named)


def _compare(
    ref: ReferenceData,
    la_codes: list[str] | None,
    indicators: str | Sequence[str] | None,
    period: Period,
    neighbours: Neighbours,
    history: int = 5,
) -> pl.DataFrame:
    """The engine: the stages below, as one lazy query on the observations' Enum keys (codes
    are never cast to text until the rows are written out)."""
    whole_number("history", history)
    ids = select_indicators(ref, indicators)
    keys = _Keys.of(ref)
    period = _check_period(period, keys)
    targets, all_las = _target_las(ref, la_codes, keys)
    groups, longest = _neighbour_groups(ref, targets, neighbours, keys)
    ind = _indicator_facts(ref, ids, keys)
    has_local = ref.local is not None and ref.local.height > 0
    obs = _observations(ref, ids, keys, _in_time_order(ref.observations) and not has_local)
    periods = _periods(obs)
    if isinstance(period, int):
        _check_year_has_figures(obs, period)
    chosen = _chosen_periods(obs, periods, ind, targets, all_las, period, has_local, keys).cache()
    # Only the (indicator, period) pairs shown, used for the change, or compared with.
    sub = (
        obs.join(_needed_pairs(chosen), on=["indicator_id", "period"], how="semi")
        .with_columns(_k=_row_key("area_code", "period", keys))
        .cache()
    )
    # What other areas show (England, regions, neighbours, every LA's standing) is published
    # data only: no LA's local figure enters any other comparison.
    published_sub = sub.filter(~_IS_LOCAL)
    dispersion = _overdispersion(published_sub, ind, all_las, keys).cache()
    rows = (
        chosen.with_columns(
            _k_shown=_row_key("area_code", "period", keys),
            _k_previous=_row_key("area_code", "previous_period", keys),
            _k_comparator=_row_key("area_code", "comparator_period", keys),
        )
        # Names and other text join last: the frames travelling through the joins stay narrow.
        .join(ind.drop("indicator_name", "indicator_label", "topic"), on="indicator_id")
        .join(
            _region_values(published_sub, chosen, targets, ref, keys),
            on=["area_code", "indicator_id"],
            how="left",
        )
        # The LA's own value at the period shown and the one before, its neighbours' and its
        # national standing at the comparator period: single integer keys (see _row_key).
        .join(_own_values(sub), left_on="_k_shown", right_on="_k", how="left")
        .join(
            sub.select(
                "_k",
                previous_value="value",
                previous_numerator="numerator",
                previous_denominator="denominator",
            ),
            left_on="_k_previous",
            right_on="_k",
            how="left",
        )
        .join(
            _england_values(published_sub, keys),
            on=["indicator_id", "comparator_period"],
            how="left",
        )
        .join(
            dispersion,
            left_on=["indicator_id", "comparator_period"],
            right_on=["indicator_id", "period"],
            how="left",
        )
        .join(
            dispersion.rename({"overdispersion": "_previous_phi"}),
            left_on=["indicator_id", "previous_period"],
            right_on=["indicator_id", "period"],
            how="left",
        )
        .join(
            _neighbour_statistics(published_sub, chosen, groups, longest, keys),
            left_on="_k_comparator",
            right_on="_k",
            how="left",
        )
        .join(
            groups.select("area_code", "sn_model").unique("area_code"), on="area_code", how="left"
        )
        # The model is named where the neighbours were compared (not on rows with no period).
        .with_columns(sn_model=pl.when(pl.col("sn_count").is_not_null()).then("sn_model"))
        # A local figure is not ranked against a published field it is not part of.
        .join(
            _national_standing(published_sub, chosen, ind, all_las),
            left_on="_k_comparator",
            right_on="_k",
            how="left",
        )
        .with_columns(la_local=pl.col("la_local").fill_null(False))
        .with_columns(
            pl.when(~pl.col("la_local")).then(pl.col(c)).alias(c)
            for c in ("national_rank", "rank_of", "quartile_band", "rank_tied", "band_share")
        )
        .join(_history(obs, chosen, periods, history), on=["area_code", "indicator_id"], how="left")
        .with_columns(
            # A row the source does not have at all is "not available", never silently empty.
            la_status=pl.col("la_status").cast(pl.String).fill_null("not_available"),
            change_from_previous=pl.col("la_value") - pl.col("previous_value"),
            is_lait_latest=pl.col("period") == pl.col("lait_latest"),
            # Older than the latest period any LA has (or than the year asked for): the LA's
            # own latest, shown as such.
            is_old=~pl.col("la_local") & (_label_year("period") < _label_year("newest_period")),
            england_flag=_implausible_benchmark("england_value"),
            small_number=_small_number(),
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
        .with_columns(direction=_direction())
        .pipe(_significance)
        .pipe(_gaps_in_children)
        .join(targets.select("area_code", "area_name", "_area_order"), on="area_code")
        .join(
            ind.select("indicator_id", "indicator_name", "indicator_label", "topic"),
            on="indicator_id",
        )
        .join(_area_names(ref, keys), on="comparator_region_code", how="left")
        .with_columns(
            pl.col(
                "area_code", "indicator_id", "period", "comparator_period", "previous_period"
            ).cast(pl.String),
            region_code=pl.col("region_code").cast(pl.String),
            recent_periods=pl.col("recent_periods").cast(pl.List(pl.String)),
        )
        # Rows in LA-name, topic, indicator-name order, sorted on two small integers.
        .sort("_area_order", "_indicator_order")
        .select(COMPARISON_COLUMNS)
    )
    # The council's own targets (ref.with_targets), judged on the figures as shown.
    judged = target_columns(rows.collect(engine=ENGINE), ref.targets)
    return validate(judged, ComparisonSchema, name="comparison")


# --------------------------------------------------------------------------------------------
# The engine's stages. Each takes and returns LazyFrames keyed by the observations' Enums
# (indicator_id, area_code, period): joins and groupings run on their integer codes.


@dataclass(frozen=True)
class _Keys:
    """The Enum dtypes of the observations' codes, to which every other frame's codes are cast
    before they meet the observations."""

    indicator: pl.DataType
    area: pl.DataType
    period: pl.DataType

    @classmethod
    def of(cls, ref: ReferenceData) -> _Keys:
        """The observations' Enums; with local figures, the period Enum also holds their
        labels (sorted with the published ones, so the Enum's order stays the labels')."""
        schema = ref.observations.schema
        period = schema["period"]
        if ref.local is not None and isinstance(period, pl.Enum):
            labels = set(period.categories.to_list()) | set(ref.local.get_column("period"))
            period = pl.Enum(sorted(labels))
        return cls(schema["indicator_id"], schema["area_code"], period)


def _indicator_facts(ref: ReferenceData, ids: list[str], keys: _Keys) -> pl.LazyFrame:
    """What the engine needs to know of each chosen indicator."""
    return (
        ref.indicators.lazy()
        .filter(pl.col("indicator_id").is_in(ids))
        .select(
            pl.col("indicator_id").cast(keys.indicator),
            indicator_name="name",
            indicator_label="label",
            period_type="period_type",
            snapshot="snapshot",
            topic="topic",
            unit="unit",
            polarity="polarity",
            decimals="decimals",
            quartiles="quartiles",
            per_session=pl.col("lait_code").is_in(list(SESSION_MEASURES)),
            _indicator_order=pl.struct("topic", "name").rank("ordinal").cast(pl.UInt32),
        )
    )


def _target_las(
    ref: ReferenceData, la_codes: list[str] | None, keys: _Keys
) -> tuple[pl.LazyFrame, pl.Series]:
    """The current LAs asked for (code, name, region, London sub-region), and every LA code:
    LAIT ranks and bands every LA row in its table, predecessors included (la_names_bds)."""
    las = ref.areas.filter(pl.col("level") == "local_authority")
    targets = las.filter(pl.col("current"))
    if la_codes is not None:
        targets = targets.filter(pl.col("area_code").is_in(la_codes))
    return (
        targets.lazy().select(
            pl.col("area_code").cast(keys.area),
            area_name="name",
            _area_order=pl.col("name").rank("ordinal").cast(pl.UInt32),
            region_code=pl.col("region_code").cast(keys.area),
            sub_region_code=pl.col("sub_region_code").cast(keys.area),
        ),
        las.get_column("area_code").cast(keys.area),
    )


def _neighbour_groups(
    ref: ReferenceData, targets: pl.LazyFrame, neighbours: Neighbours, keys: _Keys
) -> tuple[pl.LazyFrame, int]:
    """(area_code, neighbour_code, sn_model, _order) for every target LA, where ``_order`` is
    the neighbour's place in LA-name order (LAIT sums its table in that order), and the
    largest group's size."""
    groups = _comparator_groups(
        ref, targets.select(pl.col("area_code").cast(pl.String)).collect(), neighbours
    )
    order = ref.areas.select("area_code", _order=pl.col("name").rank("ordinal").cast(pl.UInt32))
    longest: int = (
        groups.group_by("area_code").len().select(pl.col("len").max().fill_null(0)).item()
    )
    return (
        groups.join(order.rename({"area_code": "neighbour_code"}), on="neighbour_code")
        .lazy()
        .with_columns(pl.col("area_code", "neighbour_code").cast(keys.area)),
        longest,
    )


def _observations(ref: ReferenceData, ids: list[str], keys: _Keys, in_order: bool) -> pl.LazyFrame:
    """The chosen indicators' observations, every area and period, Enum keys kept, in order of
    indicator, area, year and period label, so each LA's series is in time order for the
    stages that read it in order, with ``local`` True on the LAs' own figures (the local
    layer, :attr:`ReferenceData.local`), which only the LA's own rows read. The reference data
    is stored in that order; rows that come otherwise (shuffled, or with local figures) are
    sorted."""
    wanted = pl.Series(ids, dtype=keys.indicator)
    time_order = ["indicator_id", "area_code", "year", "period"]
    columns = ["indicator_id", "area_code", "period", "year", "value", "status"]
    columns += ["numerator", "denominator"]
    observations = ref.observations.lazy().select(*columns, local=pl.lit(False))
    if ref.local is not None:
        observations = pl.concat(
            [
                observations.with_columns(
                    pl.col("period").cast(keys.period), pl.col("status").cast(pl.String)
                ),
                ref.local.lazy().select(
                    pl.col("indicator_id").cast(keys.indicator),
                    pl.col("area_code").cast(keys.area),
                    pl.col("period").cast(keys.period),
                    *columns[3:],
                    local=pl.lit(True),
                ),
            ]
        )
    if not in_order:
        observations = observations.sort(time_order)
    # Not cached: the rows are in memory already, and each stage reads only the columns it
    # needs (a cache would hold every column for every reader).
    return observations.filter(pl.col("indicator_id").is_in(wanted.implode()))


def _in_time_order(observations: pl.DataFrame) -> bool:
    """Whether rows run by indicator, area, year and period label (one O(n) pass over their
    codes, much cheaper than sorting)."""
    code = [pl.col(c).to_physical().cast(pl.Int64) for c in ("indicator_id", "area_code", "period")]
    year = pl.col("year").cast(pl.Int64).clip(0, 4095)
    key = (code[0] * 2**44) + (code[1] * 2**28) + (year * 2**16) + code[2]
    ordered: bool = observations.select(key.diff().min().fill_null(0) >= 0).item()
    return ordered


#: An LA's own unpublished figures (the local layer) sit beside the published ones under
#: their own period labels ("2026", "at 6 Mar 2017"); they never change what others see.
_IS_LOCAL = pl.col("local")


def _periods(obs: pl.LazyFrame) -> pl.LazyFrame:
    """Each indicator's period labels, their year, and whether only local figures have them
    (a label DfE has published for any area is a published period)."""
    return (
        obs.group_by("indicator_id", "period")
        .agg(year=pl.col("year").first(), local=_IS_LOCAL.all())
        .cache()
    )


def _chosen_periods(
    obs: pl.LazyFrame,
    periods: pl.LazyFrame,
    ind: pl.LazyFrame,
    targets: pl.LazyFrame,
    all_las: pl.Series,
    period: Period,
    has_local: bool,
    keys: _Keys,
) -> pl.LazyFrame:
    """Stage 1, the period each target LA x indicator shows: (area_code, indicator_id,
    period, previous_period, lait_latest, comparator_period). The observations come in time
    order (see :func:`_observations`); ``has_local`` says whether any are local figures."""
    published = periods.filter(~pl.col("local"))
    target_codes = targets.select("area_code").collect().to_series()
    la_obs = obs.filter(pl.col("area_code").is_in(all_las.implode()))
    # The periods the LAs asked for show are read from their own rows only.
    own_obs = obs.filter(pl.col("area_code").is_in(target_codes.implode()))
    # LAIT's "latest": the greatest period label across all LA rows (slice_max(Years)); the
    # period Enum's categories are sorted labels, so its order is the labels' order.
    lait_latest = (
        la_obs.filter(~_IS_LOCAL).group_by("indicator_id").agg(lait_latest=pl.col("period").max())
    )
    grid = targets.select("area_code").join(ind.select("indicator_id"), how="cross")
    if period == "latest":
        own_latest = (
            own_obs.filter(pl.col("value").is_not_null())
            .group_by("area_code", "indicator_id")
            # The most recent year wins; within a year, a published figure (it stands at the
            # year's end, on or after any local date in it); then the greatest label. One
            # integer key orders all three. Without local figures the rows are in that order.
            .agg(
                period=pl.col("period").get(_time_order_key().arg_max())
                if has_local
                else pl.col("period").last()
            )
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
            published.filter(pl.col("year") == period)
            .group_by("indicator_id")
            .agg(period=pl.col("period").max())
        )
        in_own_year = own_obs.filter(pl.col("year") == period)
        own_published = (
            in_own_year.filter(~_IS_LOCAL, pl.col("value").is_not_null())
            .group_by("area_code", "indicator_id")
            .agg(own_published=pl.col("period").max())
        )
        own_local = (  # a local symbol ("c") too: the LA's own word for that year
            in_own_year.filter(_IS_LOCAL)
            .group_by("area_code", "indicator_id")
            .agg(own_local=pl.col("period").max())
        )
        chosen = (
            grid.join(in_year, on="indicator_id", how="left")
            .join(own_published, on=["area_code", "indicator_id"], how="left")
            .join(own_local, on=["area_code", "indicator_id"], how="left")
            # A figure is "older" only if older than the year asked for, never than today's.
            .with_columns(newest_period=pl.col("period"))
            # The LA's published figure for the year; its own figure only where it has none.
            .with_columns(period=pl.coalesce("own_published", "own_local", "period"))
            .join(lait_latest, on="indicator_id", how="left")
        )
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


def _row_key(area: str, period: str, keys: _Keys) -> pl.Expr:
    """One integer naming an (area, indicator, period) row, the three Enum codes side by side
    in as few bits as their categories need (a UInt32 for today's 434 indicators, 65 periods
    and 170 areas): joins on it are several times faster, and lighter, than on three columns."""
    widths = [_bits(keys.indicator), _bits(keys.period), _bits(keys.area)]
    dtype = pl.UInt32 if sum(widths) <= 32 else pl.UInt64
    codes = [pl.col(c).to_physical().cast(dtype) for c in ("indicator_id", period, area)]
    return (codes[0] * 2 ** (widths[1] + widths[2])) + (codes[1] * 2 ** widths[2]) + codes[2]


def _bits(enum: pl.DataType) -> int:
    categories = len(enum.categories) if isinstance(enum, pl.Enum) else 2**16
    return max(categories - 1, 1).bit_length()


def _time_order_key() -> pl.Expr:
    """One integer that orders an LA's rows by year, then local before published (a published
    figure stands at the end of its year, on or after any local date in it), then period
    label (the label's Enum code is its place among the sorted labels)."""
    year = pl.col("year").cast(pl.Int64) * 1_000_000
    published = (~_IS_LOCAL).cast(pl.Int64) * 100_000
    return year + published + pl.col("period").to_physical().cast(pl.Int64)


def _needed_pairs(chosen: pl.LazyFrame) -> pl.LazyFrame:
    return pl.concat(
        [
            chosen.select("indicator_id", "period"),
            chosen.select("indicator_id", period="previous_period"),
            chosen.select("indicator_id", period="comparator_period"),
        ]
    ).unique()


def _national_standing(
    sub: pl.LazyFrame, chosen: pl.LazyFrame, ind: pl.LazyFrame, all_las: pl.Series
) -> pl.LazyFrame:
    """Stage 2, every LA's national rank and quartile band among all LAs with a value, per
    indicator and period compared (LAIT's rules: see the module doc)."""
    compared = chosen.select("indicator_id", period="comparator_period").unique()
    la_values = (
        sub.join(compared, on=["indicator_id", "period"], how="semi")
        .filter(pl.col("area_code").is_in(all_las.implode()), pl.col("value").is_not_null())
        .join(ind.select("indicator_id", "polarity", "quartiles"), on="indicator_id")
    )
    group = ["indicator_id", "period"]
    # One rank over the value signed by polarity: rank("min") of -x is x's descending rank.
    signed = pl.when(pl.col("polarity") == "high").then(-pl.col("value")).otherwise("value")
    ranked = la_values.with_columns(
        national_rank=pl.when(pl.col("polarity") != "neutral")
        .then(signed.rank("min").over(group))
        .cast(pl.Int32),
        rank_of=pl.len().over(group).cast(pl.Int32),
    )
    cut_points = (
        la_values.group_by(group)
        .agg(_sorted=pl.col("value").sort(), _n=pl.len())
        .with_columns(
            q1=_type7_quantile(0.25),
            median=_type7_quantile(0.5),
            q3=_type7_quantile(0.75),
            national_min=pl.col("_sorted").list.first(),
            national_max=pl.col("_sorted").list.last(),
        )
        .drop("_sorted", "_n")
    )
    return (
        ranked.join(cut_points, on=group, how="left")
        .with_columns(quartile_band=_quartile_band())
        .with_columns(
            # Tied values share the lowest rank (LAIT); say so ("=26 of 151").
            rank_tied=pl.when(pl.col("national_rank").is_not_null()).then(
                pl.len().over([*group, "national_rank"]) > 1
            ),
            # Ties on whole-number data make bands uneven: the share of LAs in this band.
            band_share=pl.when(pl.col("quartile_band").is_not_null()).then(
                pl.len().over([*group, "quartile_band"]) / pl.col("rank_of")
            ),
        )
        .select(
            "_k",
            "national_rank",
            "rank_of",
            "rank_tied",
            "quartile_band",
            "band_share",
            "q1",
            "median",
            "q3",
            "national_min",
            "national_max",
        )
    )


def _neighbour_statistics(
    sub: pl.LazyFrame, chosen: pl.LazyFrame, groups: pl.LazyFrame, longest: int, keys: _Keys
) -> pl.LazyFrame:
    """Stage 3, each target LA's neighbour average, minimum, maximum and count at the
    comparator period, and the pooled group (the neighbours' numerators summed over their
    denominators summed) where every neighbour has counts."""
    values = sub.select("_k", _value="value", _x="numerator", _n="denominator")
    return (
        chosen.select(
            "area_code",
            "indicator_id",
            period="comparator_period",
            _k=_row_key("area_code", "comparator_period", keys),
        )
        # Sum in one fixed order (LAIT's table is in LA-name order) so the average is the
        # same to the last bit whichever LAs are computed together: the groups come sorted by
        # name, the joins keep that order, and a group_by keeps row order within each group.
        .join(
            groups.select("area_code", "neighbour_code", "_order").sort("area_code", "_order"),
            on="area_code",
            maintain_order="left_right",
        )
        # Only the two keys travel through the largest join (LAs x indicators x neighbours).
        .select("_k", _neighbour_k=_row_key("neighbour_code", "period", keys))
        .join(values, left_on="_neighbour_k", right_on="_k", how="left", maintain_order="left")
        .group_by("_k")
        .agg(
            _values=pl.col("_value").drop_nulls(),
            _group_size=pl.len(),
            _with_counts=pl.col("_x").is_not_null().sum(),
            sn_numerator=pl.col("_x").sum(),
            sn_denominator=pl.col("_n").sum(),
        )
        .with_columns(
            sn_min=pl.col("_values").list.min(),
            sn_max=pl.col("_values").list.max(),
            sn_count=pl.col("_values").list.len().cast(pl.Int32),
            sn_size=pl.col("_group_size").cast(pl.Int32),
            sn_average=_r_mean(pl.col("_values"), longest),
        )
        # The pooled group only where every neighbour in it has counts.
        .with_columns(
            pl.when(pl.col("_with_counts") == pl.col("_group_size")).then(pl.col(c)).alias(c)
            for c in ("sn_numerator", "sn_denominator")
        )
        .drop("_values", "_group_size", "_with_counts")
    )


def _region_values(
    sub: pl.LazyFrame, chosen: pl.LazyFrame, targets: pl.LazyFrame, ref: ReferenceData, keys: _Keys
) -> pl.LazyFrame:
    """Stage 4a, the region each target LA is compared with, and its value: LAIT compares a
    London borough with Inner or Outer London, or London where that has no value."""

    regional = sub.filter(pl.col("area_code").is_in(_region_codes(ref, keys).implode()))

    def values_of(alias: str) -> pl.LazyFrame:
        return regional.select(
            "indicator_id",
            "period",
            pl.col("area_code").alias(f"{alias}_code"),
            pl.col("value").alias(f"{alias}_value"),
        )

    return (
        chosen.select("area_code", "indicator_id", period="comparator_period")
        .join(targets.select("area_code", "region_code", "sub_region_code"), on="area_code")
        .join(values_of("region"), on=["indicator_id", "period", "region_code"], how="left")
        .join(values_of("sub_region"), on=["indicator_id", "period", "sub_region_code"], how="left")
        .with_columns(
            comparator_region_code=pl.when(pl.col("sub_region_value").is_not_null())
            .then("sub_region_code")
            .otherwise("region_code"),
            region_value=pl.coalesce("sub_region_value", "region_value"),
        )
        .select(
            "area_code", "indicator_id", "region_code", "comparator_region_code", "region_value"
        )
    )


def _area_names(ref: ReferenceData, keys: _Keys) -> pl.LazyFrame:
    return ref.areas.lazy().select(
        comparator_region_code=pl.col("area_code").cast(keys.area), region_name="name"
    )


def _region_codes(ref: ReferenceData, keys: _Keys) -> pl.Series:
    levels = ["regional", "sub_regional"]
    return ref.areas.filter(pl.col("level").is_in(levels)).get_column("area_code").cast(keys.area)


def _england_values(sub: pl.LazyFrame, keys: _Keys) -> pl.LazyFrame:
    """Stage 4b, England's value for each indicator and period."""
    england = pl.Series([ENGLAND], dtype=keys.area)
    return sub.filter(pl.col("area_code").is_in(england.implode())).select(
        "indicator_id",
        comparator_period="period",
        england_value="value",
        england_status="status",
        _england_numerator="numerator",
        _england_denominator="denominator",
    )


def _overdispersion(
    sub: pl.LazyFrame, ind: pl.LazyFrame, all_las: pl.Series, keys: _Keys
) -> pl.LazyFrame:
    """Stage 4c, Spiegelhalter's overdispersion factor φ of each session-based measure
    (school absence counted in half-days) per period: the LAs' z-scores against England's
    proportion (from England's counts; the LAs' pooled proportion without them), winsorised
    (:func:`lacompare.stats.overdispersion_factor`). Other measures get none (binomial)."""
    sessions = ind.filter("per_session").select("indicator_id")
    counted = sub.join(sessions, on="indicator_id", how="semi").filter(
        pl.col("numerator").is_not_null()
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


def _own_values(sub: pl.LazyFrame) -> pl.LazyFrame:
    """The LA's own value, status and counts at each needed period."""
    return sub.select(
        "_k",
        la_value="value",
        la_status=pl.col("status").cast(pl.String),
        la_numerator="numerator",
        la_denominator="denominator",
        la_local="local",
    )


def _history(
    obs: pl.LazyFrame, chosen: pl.LazyFrame, periods: pl.LazyFrame, history: int
) -> pl.LazyFrame:
    """Stage 5, each target LA's own series up to the period shown, oldest first, for
    sparklines: only the LAs asked for are read."""
    shown_year = chosen.join(periods, on=["indicator_id", "period"]).select(
        "area_code",
        "indicator_id",
        shown_local="local",
        shown_year="year",
        shown_period="period",
    )
    return (
        # The observations are in time order within each LA and indicator; the join and the
        # group_by keep that order, so the last rows are the latest.
        obs.select("area_code", "indicator_id", "period", "year", "value", "local")
        .join(shown_year, on=["area_code", "indicator_id"], maintain_order="left")
        # A local figure shown comes after the published years before it (a figure published
        # for its own year is dated later); otherwise local figures stay out of the series.
        .filter(
            (pl.col("period") == pl.col("shown_period"))
            | (~_IS_LOCAL & (pl.col("year") < pl.col("shown_year")))
            | (~_IS_LOCAL & ~pl.col("shown_local") & (pl.col("year") == pl.col("shown_year")))
        )
        .group_by("area_code", "indicator_id")
        .agg(
            recent_periods=pl.col("period").tail(history),
            recent_values=pl.col("value").tail(history),
        )
    )


#: A gap is said in children only where at least this many children stand behind the figure.
GAP_MIN_CHILDREN = 20


def _gaps_in_children(rows: pl.LazyFrame) -> pl.LazyFrame:
    """Stage 7, the gaps in children: how many more (positive) or fewer the LA's count is than
    England's rate, or its neighbours' average, would give on the LA's own base:

        gap = numerator - base * benchmark / multiplier

    where base is the denominator the LA's figure was computed on (children in the group for a
    percentage; the LA's population aged 0 to 17 for a rate per 10,000) and England's value is
    its unrounded one (from England's counts). Withheld (null) where the counts are not known,
    for a small number (fewer than 20 children or 10 events), for school sessions (half-days,
    not children), and for FTE ratios and counts (no rate to apply)."""
    multiplier = _multiplier()
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


def _significance(rows: pl.LazyFrame) -> pl.LazyFrame:
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
                pl.col("_england_numerator") / pl.col("_england_denominator") * _multiplier(),
                "england_value",
            ),
            sn_pooled_value=pl.col("sn_numerator") / pl.col("sn_denominator") * _multiplier(),
            _estimate=pl.coalesce(_x / _n * _multiplier(), "la_value"),
        )
        .with_columns(
            vs_england=_against_england(""),
            vs_england_998=_against_england("_998"),
            vs_sn=_two_sample(_x, _n, pl.col("_sn_x"), pl.col("_sn_n"), 0.95),
            vs_sn_998=_two_sample(_x, _n, pl.col("_sn_x"), pl.col("_sn_n"), 0.998),
            change_vs_previous=_two_sample(_x, _n, pl.col("_prev_x"), pl.col("_prev_n"), 0.95),
        )
    )


#: The LA's counts as the tests use them (effective sizes for session counts).
_x, _n = pl.col("_x"), pl.col("_n")


def _multiplier() -> pl.Expr:
    return pl.col("unit").replace_strict(UNIT_MULTIPLIER, default=None, return_dtype=pl.Float64)


def _effective_counts() -> list[pl.Expr]:
    """The counts each test uses: as published, or for session measures divided by the
    period's overdispersion factor φ (:func:`_overdispersion`) so the intervals widen by
    sqrt(φ). Rows without a unit that has an interval get none."""
    testable = _multiplier().is_not_null()
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
    England's published value is implausible (:func:`_implausible_benchmark`)."""
    verdict = compare_with_benchmark(
        pl.col("_estimate"),
        pl.col(f"la_lower_ci{suffix}"),
        pl.col(f"la_upper_ci{suffix}"),
        pl.col("england_exact_value"),
        pl.col("polarity"),
    )
    return pl.when(pl.col("england_flag").is_null()).then(verdict).otherwise(pl.lit("not compared"))


def _two_sample(x1: pl.Expr, n1: pl.Expr, x2: pl.Expr, n2: pl.Expr, confidence: float) -> pl.Expr:
    """A first estimate against a second: Newcombe's interval for a difference of
    percentages, the conditional binomial ratio for rates; "not compared" without counts."""
    d_low, d_high = newcombe_difference(x1, n1, x2, n2, confidence)
    r_low, r_high = poisson_ratio_ci(x1, n1, x2, n2, confidence)
    polarity = pl.col("polarity")
    has_counts = x1.is_not_null() & n1.is_not_null() & x2.is_not_null() & n2.is_not_null()
    return (
        pl.when(~has_counts)
        .then(pl.lit("not compared"))
        .when(pl.col("unit") == "percent")
        .then(compare_difference(d_low, d_high, 0.0, polarity))
        .otherwise(compare_difference(r_low, r_high, 1.0, polarity))
    )


def _label_year(column: str) -> pl.Expr:
    return period_year(pl.col(column).cast(pl.String))


#: Fewer people than this behind a percentage, or fewer events behind a rate, is a small
#: number: shown with its counts, never ranked, banded or counted in summaries.
SMALL_DENOMINATOR = 20
SMALL_EVENTS = 10


def _small_number() -> pl.Expr:
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


def _implausible_benchmark(column: str) -> pl.Expr:
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
    ids = latest.get_column("indicator_id").to_list()
    # The periods each indicator shows, right-aligned so the latest is always the last column.
    slots = (
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
        "comparator_period",
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
    """95% and 99.8% intervals of the LA's value from its (effective) counts: Wilson for
    percentages of a whole, exact Poisson / Byar's for rates (and percentages that are
    ratios); null where there are no counts or the unit has no interval."""
    x, n = _x, _n
    unit = pl.col("unit")
    multiplier = _multiplier()
    has_counts = x.is_not_null() & n.is_not_null()
    is_proportion = unit == "percent"
    out: list[pl.Expr] = [
        pl.when(has_counts & is_proportion & pl.col("per_session"))
        .then(pl.lit("Wilson (sessions, overdispersion)"))
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
