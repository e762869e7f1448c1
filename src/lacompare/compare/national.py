"""National standing and the benchmarks' values: ranks and quartile bands among all LAs
(LAIT's rules), England's, the region's and the LA's own values."""

from __future__ import annotations

import polars as pl

from lacompare._expr import word_for
from lacompare.compare.keys import ENGLAND, ByCode, Keys, period_key, row_key
from lacompare.compare.rows import RowIndex
from lacompare.reference import ReferenceData


def national_standing(
    chosen: pl.LazyFrame,
    by_indicator: ByCode,
    all_las: pl.Series,
    index: RowIndex,
    keys: Keys,
) -> pl.LazyFrame:
    """Stage 2, every target LA's national rank and quartile band among all LAs with a
    published value, per indicator and period compared (LAIT's rules: see the module doc).
    Every LA's value is ranked and banded (the field, read by position: :class:`RowIndex`);
    only the target LAs' rows are written out."""
    compared = chosen.select("indicator_id", period="comparator_period").unique()
    la_values = (
        compared.join(pl.LazyFrame({"area_code": all_las}), how="cross")
        .with_columns(
            value=index.read("value", index.published_at(pl.col("area_code"), "period", keys))
        )
        .filter(pl.col("value").is_not_null())
        .select(
            "area_code",
            "indicator_id",
            "value",
            _group=period_key("period", keys),
            _k=row_key("area_code", "period", keys),
        )
        .with_columns(by_indicator.read("polarity"), by_indicator.read("quartiles"))
        # Read twice (ranks, cut points): polars would otherwise work it out twice.
        .cache()
    )
    # One rank over the value signed by polarity: rank("min") of -x is x's descending rank.
    signed = pl.when(pl.col("polarity") == "high").then(-pl.col("value")).otherwise("value")
    ranked = la_values.with_columns(
        national_rank=pl.when(pl.col("polarity") != "neutral")
        .then(signed.rank("min").over("_group"))
        .cast(pl.Int32),
        rank_of=pl.len().over("_group").cast(pl.Int32),
    )
    cut_points = (
        la_values.group_by("_group")
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
    targets = chosen.select("area_code").unique()
    return (
        ranked.join(cut_points, on="_group", how="left")
        .with_columns(_band=_band_number())
        .with_columns(
            # Tied values share the lowest rank (LAIT); say so ("=26 of 151").
            rank_tied=pl.when(pl.col("national_rank").is_not_null()).then(
                pl.len().over("_group", "national_rank") > 1
            ),
            # Ties on whole-number data make bands uneven: the share of LAs in this band.
            band_share=pl.when(pl.col("_band").is_not_null()).then(
                pl.len().over("_group", "_band") / pl.col("rank_of")
            ),
        )
        # The field is every LA; the rows written out are the LAs compared.
        .join(targets, on="area_code", how="semi")
        .select(
            "_k",
            "national_rank",
            "rank_of",
            "rank_tied",
            _letters(pl.col("_band")).alias("quartile_band"),
            "band_share",
            "q1",
            "median",
            "q3",
            "national_min",
            "national_max",
        )
    )


def with_region_values(rows: pl.LazyFrame, index: RowIndex, keys: Keys) -> pl.LazyFrame:
    """Stage 4a, the region each target LA is compared with (from the row's ``region_code``
    and ``sub_region_code``), and its value at the comparator period: LAIT compares a London
    borough with Inner or Outer London, or London where that has no value."""
    return (
        rows.with_columns(
            _region_value=index.read(
                "value", index.published_at(pl.col("region_code"), "comparator_period", keys)
            ),
            _sub_region_value=index.read(
                "value", index.published_at(pl.col("sub_region_code"), "comparator_period", keys)
            ),
        )
        .with_columns(
            comparator_region_code=pl.when(pl.col("_sub_region_value").is_not_null())
            .then("sub_region_code")
            .otherwise("region_code"),
            region_value=pl.coalesce("_sub_region_value", "_region_value"),
        )
        .drop("_region_value", "_sub_region_value", "sub_region_code")
    )


def area_names(ref: ReferenceData, keys: Keys) -> pl.DataFrame:
    """Every area's code (as the observations' Enum) and name, as a comparator region's."""
    return ref.areas.select(pl.col("area_code").cast(keys.area), region_name="name")


def with_england_values(rows: pl.LazyFrame, index: RowIndex, keys: Keys) -> pl.LazyFrame:
    """Stage 4b, England's value and counts at each row's comparator period."""
    england = pl.lit(ENGLAND, dtype=keys.area)
    return (
        rows.with_columns(_england=index.published_at(england, "comparator_period", keys))
        .with_columns(
            england_value=index.read("value", "_england"),
            _england_numerator=index.read("numerator", "_england"),
            _england_denominator=index.read("denominator", "_england"),
        )
        .drop("_england")
    )


def with_own_values(rows: pl.LazyFrame, index: RowIndex, keys: Keys) -> pl.LazyFrame:
    """The LA's own value, status, counts and whether it is a local figure, at the period
    shown; and its value and counts at the previous period."""
    return (
        rows.with_columns(
            _shown=index.at(pl.col("area_code"), "period", keys),
            _previous=index.at(pl.col("area_code"), "previous_period", keys),
        )
        .with_columns(
            la_value=index.read("value", "_shown"),
            la_status=index.read("status", "_shown").cast(pl.String),
            la_numerator=index.read("numerator", "_shown"),
            la_denominator=index.read("denominator", "_shown"),
            la_local=index.read("local", "_shown"),
            previous_value=index.read("value", "_previous"),
            previous_numerator=index.read("numerator", "_previous"),
            previous_denominator=index.read("denominator", "_previous"),
        )
        .drop("_shown", "_previous")
    )


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


#: The quartile bands by number (0 is A, the best quarter).
_BAND_LETTERS = ("A", "B", "C", "D")


def _quartile_band() -> pl.Expr:
    """LAIT's band as its letter (A is the best quarter): :func:`_band_number` written out."""
    return _letters(_band_number())


def _letters(band: pl.Expr) -> pl.Expr:
    return word_for(band, _BAND_LETTERS)


def _band_number() -> pl.Expr:
    """LAIT's band, as a number: intervals [Q0, Q25], (Q25, Q50], (Q50, Q75], (Q75, Q100] are
    A-D (0-3) for low polarity and D-A for high polarity (A is always the best quarter);
    null without quartiles or a polarity."""
    value = pl.col("value")
    low_band = (
        pl.when(value <= pl.col("q1"))
        .then(0)
        .when(value <= pl.col("median"))
        .then(1)
        .when(value <= pl.col("q3"))
        .then(2)
        .otherwise(3)
    )
    return (
        pl.when(~pl.col("quartiles"))
        .then(None)
        .when(pl.col("polarity") == "low")
        .then(low_band)
        .when(pl.col("polarity") == "high")
        .then(3 - low_band)
        .cast(pl.Int8)
    )


def r_mean(items: list[pl.Expr]) -> pl.Expr:
    """R's ``mean(x, na.rm = TRUE)`` of the values in ``items`` (one expression per place in
    a group; null where a place has no value): the plain mean refined by a second pass,
    ``s + sum(x - s)/n`` (R summary.c), so SN averages match LAIT's.

    The sums are written out item by item, so they run in the group's order and give the same
    result to the last bit however rows were batched (a null adds 0.0, which leaves a sum
    exactly as it was); null where no item has a value.
    """
    n = pl.sum_horizontal(item.is_not_null() for item in items)
    total = pl.lit(0.0)
    for item in items:
        total = total + item.fill_null(0.0)
    first = total / n
    residual = pl.lit(0.0)
    for item in items:
        residual = residual + (item - first).fill_null(0.0)
    return pl.when(n > 0).then(first + residual / n)


#: The change from the previous year, in words, by number (see :func:`direction_expr`).
DIRECTIONS = ("not rated", "no change", "improving", "worsening")


def direction_expr() -> pl.Expr:
    """improving / worsening / no change by polarity; "not rated" without polarity or change."""
    change = pl.col("change_from_previous")
    polarity = pl.col("polarity")
    return word_for(
        pl.when(change.is_null() | (polarity == "neutral"))
        .then(0)
        .when(change == 0)
        .then(1)
        .when((change > 0) == (polarity == "high"))
        .then(2)
        .otherwise(3),
        DIRECTIONS,
    )
