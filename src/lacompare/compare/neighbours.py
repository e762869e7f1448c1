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
    denominators summed) where every neighbour has counts."""
    values = sub.select("_k", _value="value", _x="numerator", _n="denominator")
    return (
        chosen.select(
            "area_code",
            "indicator_id",
            period="comparator_period",
            _k=row_key("area_code", "comparator_period", keys),
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
        .select("_k", _neighbour_k=row_key("neighbour_code", "period", keys))
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
            sn_average=r_mean(pl.col("_values"), longest),
        )
        # The pooled group only where every neighbour in it has counts.
        .with_columns(
            pl.when(pl.col("_with_counts") == pl.col("_group_size")).then(pl.col(c)).alias(c)
            for c in ("sn_numerator", "sn_denominator")
        )
        .drop("_values", "_group_size", "_with_counts")
    )
