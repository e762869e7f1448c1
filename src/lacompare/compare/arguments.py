"""What was asked for, checked: indicators, period, neighbour model or comparator group, and
the authorities and groups the comparison covers."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from lacompare.compare.keys import Keys, Neighbours, Period
from lacompare.errors import (
    InvalidArgumentError,
    UnknownAreaError,
    UnknownIndicatorError,
    suggest,
)
from lacompare.reference import ReferenceData
from lacompare.sources.counts import SESSION_MEASURES
from lacompare.vocab import UNIT_MULTIPLIER

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


def check_period(period: object, keys: Keys) -> Period:
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


def check_year_has_figures(obs: pl.LazyFrame, year: int) -> None:
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


def indicator_facts(ref: ReferenceData, ids: list[str], keys: Keys) -> pl.LazyFrame:
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
            # What a rate is per (100 for a percentage); null for a unit with no interval.
            _multiplier=pl.col("unit").replace_strict(
                UNIT_MULTIPLIER, default=None, return_dtype=pl.Float64
            ),
            _indicator_order=pl.struct("topic", "name").rank("ordinal").cast(pl.UInt32),
        )
    )


def target_las(
    ref: ReferenceData, la_codes: list[str] | None, keys: Keys
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


def neighbour_groups(
    ref: ReferenceData, targets: pl.LazyFrame, neighbours: Neighbours, keys: Keys
) -> tuple[pl.DataFrame, int]:
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
        groups.join(
            order.rename({"area_code": "neighbour_code"}), on="neighbour_code"
        ).with_columns(pl.col("area_code", "neighbour_code").cast(keys.area)),
        longest,
    )
