"""Statistical neighbours: the SN average (LAIT's) and the pooled group the tests use."""

from __future__ import annotations

import polars as pl

from lacompare.compare.keys import Keys, row_key
from lacompare.compare.national import r_mean


def neighbour_statistics(
    sub: pl.LazyFrame, chosen: pl.LazyFrame, groups: pl.LazyFrame, longest: int, keys: Keys
) -> pl.LazyFrame:
    """Stage 3, each target LA's neighbour average, minimum, maximum and count at the
    comparator period, and the pooled group (the neighbours' numerators summed over their
    denominators summed) where every neighbour has counts.

    Every group is laid out in ``longest`` places (:func:`_places`), so each row's neighbours
    are ``longest`` consecutive rows of the joined frame: place ``j`` of every group is every
    ``longest``-th row from ``j``, and the statistics are sums across places, with no group_by.
    """
    width = max(longest, 1)
    values = sub.select("_k", _value="value", _x="numerator", _n="denominator")
    neighbours = (
        chosen.select(
            "area_code",
            "indicator_id",
            period="comparator_period",
            _k=row_key("area_code", "comparator_period", keys),
        )
        .join(_places(groups, width), on="area_code", maintain_order="left_right")
        # Only the keys travel through the largest join (LAs x indicators x places); an empty
        # place has no key, so it meets no value.
        .select("_k", "_size", _neighbour_k=row_key("neighbour_code", "period", keys))
        .join(values, left_on="_neighbour_k", right_on="_k", how="left", maintain_order="left")
    )

    columns = {"_value": "_v", "_x": "_x", "_n": "_n"}
    # Place j of every group: every width-th row from j, one column per place.
    by_place = neighbours.select(
        pl.col("_k", "_size").gather_every(width),
        *(
            pl.col(column).gather_every(width, offset=j).alias(f"{prefix}{j}")
            for column, prefix in columns.items()
            for j in range(width)
        ),
    )

    def places(prefix: str) -> list[pl.Expr]:
        return [pl.col(f"{prefix}{j}") for j in range(width)]

    value, numerator, denominator = places("_v"), places("_x"), places("_n")
    # The pooled group only where every neighbour in it has counts.
    pooled = pl.sum_horizontal(x.is_not_null() for x in numerator) == pl.col("_size")
    return by_place.select(
        "_k",
        sn_numerator=pl.when(pooled).then(pl.sum_horizontal(numerator)),
        sn_denominator=pl.when(pooled).then(pl.sum_horizontal(denominator)),
        sn_min=pl.min_horizontal(value),
        sn_max=pl.max_horizontal(value),
        sn_count=pl.sum_horizontal(v.is_not_null() for v in value).cast(pl.Int32),
        sn_size="_size",
        sn_average=r_mean(value),
    )


def _places(groups: pl.LazyFrame, width: int) -> pl.LazyFrame:
    """Each LA's neighbours in ``width`` places: in LA-name order (LAIT sums its table in
    that order, so the average is the same to the last bit whichever LAs are computed
    together), then empty places (null codes) to fill the group out; ``_size`` is the number
    of neighbours in the group."""
    placed = groups.select(
        "area_code",
        "neighbour_code",
        _place=(pl.col("_order").rank("ordinal").over("area_code") - 1).cast(pl.UInt32),
        _size=pl.len().over("area_code").cast(pl.Int32),
    )
    every_place = pl.LazyFrame({"_place": pl.arange(0, width, dtype=pl.UInt32, eager=True)})
    return (
        placed.select("area_code", "_size")
        .unique("area_code")
        .join(every_place, how="cross")
        .join(placed.drop("_size"), on=["area_code", "_place"], how="left")
        .sort("area_code", "_place")
    )
