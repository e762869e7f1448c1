"""Statistical neighbours: the SN average (LAIT's) and the pooled group the tests use."""

from __future__ import annotations

import polars as pl

from lacompare.compare.keys import Keys, laid_out
from lacompare.compare.national import r_mean
from lacompare.compare.rows import RowIndex


def neighbour_statistics(
    rows: pl.LazyFrame, groups: pl.DataFrame, longest: int, index: RowIndex, keys: Keys
) -> pl.LazyFrame:
    """Stage 3, beside each target LA's row, its neighbour average, minimum, maximum and count
    at the comparator period, and the pooled group (the neighbours' numerators summed over
    their denominators summed) where every neighbour has counts; null where the LA has no
    group or the row no period.

    Every group is laid out in ``longest`` places (:func:`_places`): place ``j`` of each row's
    group is one column, its neighbour's published figures read by position (:class:`RowIndex`),
    and the statistics are sums across places, with no join and no group_by."""
    width = max(longest, 1)
    places, sizes = _places(groups, width, index.areas)
    area = pl.col("area_code").to_physical().cast(pl.UInt32)
    with_rows = rows.with_columns(
        _slot=index.slot("comparator_period", keys),
        _size=pl.lit(sizes).gather(area),
        _place=area * width,
    ).with_columns(
        index.published(
            index.in_slot(pl.col("_slot"), pl.lit(places).gather(pl.col("_place") + j))
        ).alias(f"_r{j}")
        for j in range(width)
    )
    columns = {"_v": "value", "_x": "numerator", "_n": "denominator"}
    with_values = with_rows.with_columns(
        index.read(column, f"_r{j}").alias(f"{prefix}{j}")
        for prefix, column in columns.items()
        for j in range(width)
    )

    def at_places(prefix: str) -> list[pl.Expr]:
        return [pl.col(f"{prefix}{j}") for j in range(width)]

    value, numerator, denominator = at_places("_v"), at_places("_x"), at_places("_n")
    # The pooled group only where every neighbour in it has counts.
    pooled = pl.sum_horizontal(x.is_not_null() for x in numerator) == pl.col("_size")
    compared = pl.col("_size").is_not_null() & pl.col("comparator_period").is_not_null()
    statistics = {
        "sn_numerator": pl.when(pooled).then(pl.sum_horizontal(numerator)),
        "sn_denominator": pl.when(pooled).then(pl.sum_horizontal(denominator)),
        "sn_min": pl.min_horizontal(value),
        "sn_max": pl.max_horizontal(value),
        "sn_count": pl.sum_horizontal(v.is_not_null() for v in value).cast(pl.Int32),
        "sn_size": pl.col("_size"),
        "sn_average": r_mean(value),
    }
    return with_values.with_columns(
        pl.when(compared).then(statistic).alias(name) for name, statistic in statistics.items()
    ).drop(
        "_slot",
        "_size",
        "_place",
        *(f"{prefix}{j}" for prefix in ("_r", *columns) for j in range(width)),
    )


def _places(groups: pl.DataFrame, width: int, areas: int) -> tuple[pl.Series, pl.Series]:
    """Each LA's neighbours in ``width`` places, as dense tables by the LA's area code: the
    neighbour's area code at ``code * width + place`` (null past the group's end), in
    LA-name order (LAIT sums its table in that order, so the average is the same to the last
    bit whichever LAs are computed together); and the group's size at ``code`` (null for an
    LA with no group)."""
    placed = groups.select(
        area=pl.col("area_code").to_physical().cast(pl.UInt32),
        neighbour=pl.col("neighbour_code").to_physical().cast(pl.UInt32),
        place=(pl.col("_order").rank("ordinal").over("area_code") - 1).cast(pl.UInt32),
        size=pl.len().over("area_code").cast(pl.Int32),
    )
    return (
        laid_out(areas * width, placed["area"] * width + placed["place"], placed["neighbour"]),
        laid_out(areas, placed["area"], placed["size"]),
    )
